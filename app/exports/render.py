"""One report content, two renderings: an editable DOCX (python-docx) and HTML printed to PDF (WeasyPrint).

Both are in the document's language (``Document.language``: ``<html lang>``, the DOCX's ``w:lang``) and show every
script: the PDF with the fonts ``gcm assets`` copies from npm (report.css; ``to_pdf`` refuses to print without them,
rather than print boxes), the DOCX by naming an East Asian font in every style (Noto Sans SC, Microsoft YaHei where
it is missing) and Chinese as the East Asian language. A quote keeps its own language (marked, and named where it is
not the document's).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from docx import Document as DocxDocument
from docx.document import Document as DocxFile
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.run import Run as DocxRun

from app.exports.content import Cite, Document, Heading, Paragraph, Quote, Reference, Run, Table, attributed
from app.i18n import HTML_LANG, _
from app.web.assets import missing_fonts
from app.web.templating import templates

STYLESHEET = Path(__file__).resolve().parent / "report.css"
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MEDIA_TYPE = "application/pdf"
# The DOCX: the font Word uses for East Asian characters in every style (the default template's theme would give a
# Japanese one), the one it falls back to where that is not installed, and each language's tag (w:lang).
EAST_ASIAN_FONT = "Noto Sans SC"
EAST_ASIAN_FALLBACK = "Microsoft YaHei"
EAST_ASIAN_LANGUAGE = "zh-CN"
DOCX_LANGUAGES = {"en": "en-GB", "zh": "zh-CN", "fr": "fr-FR", "ru": "ru-RU"}


class FontsMissing(RuntimeError):
    """The report fonts are not installed (``npm ci && gcm assets``): a PDF would print boxes for their scripts."""


def quote_attribution(quote: Quote, language: str) -> str:
    """Who said it, and in which language where that is not the document's: "Kazakhstan (in Russian)"."""
    return attributed(quote.country, quote.language, language)


def reference_text(ref: Reference) -> str:
    parts = [ref.country, ref.cycle, _("submission %(id)s") % {"id": ref.submission_id}]
    if ref.objective is not None:
        parts.append(_("objective %(n)s") % {"n": ref.objective})
    parts.append(ref.part)
    return ", ".join(parts)


def _runs(paragraph: object, runs: list[Run]) -> None:
    for run in runs:
        if isinstance(run, Cite):
            paragraph.add_run(f"[{run.number}]")  # type: ignore[attr-defined]
        else:
            paragraph.add_run(run)  # type: ignore[attr-defined]


def _docx_lang(code: str | None) -> str:
    return DOCX_LANGUAGES.get(code or "", DOCX_LANGUAGES["en"])


def _set_lang(rpr: object, code: str | None) -> None:
    """``<w:lang w:val=… w:eastAsia="zh-CN"/>`` on a run's or the defaults' properties (made if missing)."""
    lang = rpr.find(qn("w:lang"))  # type: ignore[attr-defined]
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)  # type: ignore[attr-defined]
    lang.set(qn("w:val"), _docx_lang(code))
    lang.set(qn("w:eastAsia"), EAST_ASIAN_LANGUAGE)


def _languages_and_fonts(out: DocxFile, language: str) -> None:
    """The document's language and East Asian font: on the defaults and every style (a theme font would win over
    ``w:eastAsia``, so it is removed), and the font's fallback in the font table (``w:altName``)."""
    styles = out.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    rpr = rpr_default.find(qn("w:rPr")) if rpr_default is not None else None
    if rpr is not None:
        _set_lang(rpr, language)
    for fonts in styles.iter(qn("w:rFonts")):
        fonts.attrib.pop(qn("w:eastAsiaTheme"), None)
        fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    out.core_properties.language = _docx_lang(language)
    for rel in out.part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            part = rel.target_part
            table = parse_xml(part.blob)
            font = OxmlElement("w:font", {qn("w:name"): EAST_ASIAN_FONT})
            for tag, value in (("altName", EAST_ASIAN_FALLBACK), ("charset", "86"), ("family", "swiss")):
                font.append(OxmlElement(f"w:{tag}", {qn("w:val"): value}))  # charset 86: GB 2312
            font.append(OxmlElement("w:pitch", {qn("w:val"): "variable"}))
            table.append(font)
            part._blob = serialize_part_xml(table)  # a plain part (python-docx has no API for the font table)
            break


def _quoted(run: DocxRun, language: str | None) -> None:
    if language:
        _set_lang(run._r.get_or_add_rPr(), language)


def to_docx(doc: Document) -> bytes:
    out = DocxDocument()
    _languages_and_fonts(out, doc.language)
    out.core_properties.title = doc.title
    out.add_heading(doc.title, level=0)
    out.add_paragraph(doc.subtitle)
    for block in doc.blocks:
        if isinstance(block, Heading):
            out.add_heading(block.text, level=min(block.level, 3))
        elif isinstance(block, Paragraph):
            paragraph = out.add_paragraph()
            _runs(paragraph, block.runs)
            if block.note:
                for run in paragraph.runs:
                    run.font.size = Pt(9)
                    run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
        elif isinstance(block, Quote):
            paragraph = out.add_paragraph(style="Quote")
            _quoted(paragraph.add_run(f"“{block.text}”"), block.language)
            attribution = out.add_paragraph()
            attribution.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            who = quote_attribution(block, doc.language)
            attribution.add_run(f"— {who} [{block.cite.number}]").italic = True
        elif isinstance(block, Table):
            caption = out.add_paragraph(style="Caption")
            caption.add_run(block.caption)
            table = out.add_table(rows=1, cols=len(block.headers))
            table.style = "Table Grid"
            for cell, header in zip(table.rows[0].cells, block.headers, strict=True):
                cell.text = ""
                cell.paragraphs[0].add_run(header).bold = True
            for row in block.rows:
                cells = table.add_row().cells
                for index, (cell, runs) in enumerate(zip(cells, row, strict=True)):
                    _runs(cell.paragraphs[0], runs)
                    if index in block.numeric:
                        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out.add_heading(_("References"), level=1)
    for ref in doc.references:
        out.add_paragraph(f"[{ref.number}] {reference_text(ref)}")
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def to_html(doc: Document) -> str:
    template = templates.env.get_template("exports/report.html")
    return template.render(
        doc=doc,
        reference_text=reference_text,
        is_cite=lambda r: isinstance(r, Cite),
        kinds=_kinds,
        lang=lambda code: HTML_LANG.get(code, code),
        attribution=lambda quote: quote_attribution(quote, doc.language),
    )


def _kinds(block: object) -> str:
    return type(block).__name__.lower()


def to_pdf(doc: Document, laid_out: Callable[[int], None] | None = None) -> bytes:
    """The PDF; ``laid_out`` is told the page count once the layout (the slow part) is done. FontsMissing when the
    report fonts were not installed (``npm ci && gcm assets``)."""
    missing = missing_fonts()
    if missing:
        raise FontsMissing(
            f"The report fonts are missing ({', '.join(missing)}): run `npm ci && gcm assets` (app/web/assets.py)"
        )
    from weasyprint import CSS, HTML  # imported when needed: it loads fonts and Pango
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()  # report.css's @font-face rules: the fonts in app/static/vendor/fonts
    stylesheet = CSS(filename=str(STYLESHEET), font_config=fonts)
    rendered = HTML(string=to_html(doc)).render(stylesheets=[stylesheet], font_config=fonts)
    if laid_out is not None:
        laid_out(len(rendered.pages))
    return rendered.write_pdf()
