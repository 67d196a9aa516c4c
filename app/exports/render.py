"""One report content, two renderings: an editable DOCX (python-docx) and HTML printed to PDF (WeasyPrint).

Both are in the document's language (``Document.language``: ``<html lang>``, the DOCX's ``w:lang``) and show every
script: the PDF with the fonts ``gcm assets`` copies from npm (report.css; ``to_pdf`` refuses to print without them,
rather than print boxes), the DOCX by naming an East Asian font in every style (Noto Sans SC, Microsoft YaHei where
it is missing) and Chinese as the East Asian language. A quote keeps its own language (marked, and named where it is
not the document's).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from docx import Document as DocxDocument
from docx.document import Document as DocxFile
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run as DocxRun
from markupsafe import Markup, escape

from app.dashboards import charts
from app.exports.content import (
    Chart,
    Cite,
    Document,
    Heading,
    KeyFigures,
    Paragraph,
    Quote,
    Reference,
    Run,
    Table,
    attributed,
    product_name,
    publisher_name,
)
from app.exports.content import reference_text as _reference_text
from app.exports.pictures import bar_chart_png
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
    """State, cycle, objective n (its short title) or section, and the question: never an internal number."""
    return _reference_text(ref)


def figure_label(number: int) -> str:
    return _("Figure %(n)s") % {"n": number}


def contents_title() -> str:
    return _("Contents")


# The report's fonts, for the text inside an inline SVG (WeasyPrint draws it with the document's @font-face fonts).
REPORT_FONTS = (
    "Noto Sans Latin, Noto Sans Latin Ext, Noto Sans Cyrillic, Noto Sans Cyrillic Ext, Noto Sans Greek, "
    "Noto Sans SC, sans-serif"
)


def chart_svg(chart: Chart) -> Markup:
    """The dashboards' SVG of a chart (its title, subtitle and source inside the picture where the chart module
    draws them), in the report's fonts, as an image the page's width (WeasyPrint draws it as vectors, with the
    document's fonts)."""
    svg = str(
        charts.bar_chart(
            chart.bars,
            title=chart.title,
            summary=chart.summary or chart.title,
            subtitle=chart.subtitle,
            source=chart.source,
        )
    )
    font = getattr(charts, "FONT", None)
    if font and f'font-family="{font}"' in svg:
        svg = svg.replace(f'font-family="{font}"', f'font-family="{REPORT_FONTS}"', 1)
    else:
        svg = svg.replace("<svg ", f'<svg font-family="{REPORT_FONTS}" ', 1)
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    alt = escape(chart.summary or chart.title)
    return Markup(f'<img class="chart" alt="{alt}" src="data:image/svg+xml;base64,{data}">')  # noqa: S704 - escaped


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


def _field(paragraph: DocxParagraph, instruction: str, shown: str) -> None:
    """A Word field (PAGE, NUMPAGES...) with the text shown until Word updates it."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None), ("text", shown), ("end", None)):
        run = paragraph.add_run()
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} "
            run._r.append(element)
        elif kind == "text":
            run.text = text or ""
        else:
            run._r.append(OxmlElement("w:fldChar", {qn("w:fldCharType"): kind}))


def _a4(out: DocxFile) -> None:
    for section in out.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin = section.bottom_margin = Mm(20)
        section.left_margin = section.right_margin = Mm(18)


def _properties(out: DocxFile, doc: Document) -> None:
    """The document's properties: the product is its author (python-docx would name itself)."""
    props = out.core_properties
    props.title = doc.title
    props.subject = doc.subtitle
    props.author = product_name()
    props.last_modified_by = product_name()
    props.comments = ""
    props.keywords = "; ".join(p for p in ("GCM", "ESCAP", doc.cycle) if p)
    props.category = _("Voluntary GCM review")


def _keep_with_next(paragraph: DocxParagraph) -> DocxParagraph:
    paragraph.paragraph_format.keep_with_next = True
    return paragraph


def _title_page(out: DocxFile, doc: Document) -> None:
    """Title, subtitle, cycle, date and publisher, alone on the first page (which has no page number)."""
    for _i in range(4):
        out.add_paragraph()
    out.add_paragraph(doc.title, style="Title")
    subtitle = out.add_paragraph()
    subtitle.add_run(doc.subtitle).font.size = Pt(14)
    for line in (
        _("Review cycle: %(cycle)s") % {"cycle": doc.cycle} if doc.cycle else "",
        _("Date: %(date)s") % {"date": doc.date} if doc.date else "",
    ):
        if line:
            out.add_paragraph(line)
    for _i in range(6):
        out.add_paragraph()
    publisher = out.add_paragraph()
    publisher.add_run(publisher_name()).bold = True
    out.add_paragraph(_("Prepared with %(product)s") % {"product": product_name()})
    out.paragraphs[-1].runs[-1].add_break(WD_BREAK.PAGE)


def _contents(out: DocxFile, doc: Document) -> None:
    """A TOC field whose shown result lists the headings (levels 1 and 2); Word puts in the page numbers when it
    updates the field (``w:updateFields`` asks it to, on opening)."""
    out.add_paragraph(contents_title(), style="TOC Heading")
    entries = [heading for _i, heading in doc.contents()] + [Heading(_("References"))]
    paragraphs = [out.add_paragraph() for _entry in entries]
    first, last = paragraphs[0], paragraphs[-1]
    begin = first.add_run()
    begin._r.append(OxmlElement("w:fldChar", {qn("w:fldCharType"): "begin", qn("w:dirty"): "true"}))
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = ' TOC \\o "1-2" \\h \\z \\u '
    first.add_run()._r.append(instruction)
    first.add_run()._r.append(OxmlElement("w:fldChar", {qn("w:fldCharType"): "separate"}))
    for paragraph, heading in zip(paragraphs, entries, strict=True):
        paragraph.paragraph_format.left_indent = Cm(0.8 * (heading.level - 1))
        paragraph.paragraph_format.space_after = Pt(2)
        paragraph.add_run(heading.text)
    last.add_run()._r.append(OxmlElement("w:fldChar", {qn("w:fldCharType"): "end"}))
    last.runs[-1].add_break(WD_BREAK.PAGE)
    settings = out.settings.element
    settings.append(OxmlElement("w:updateFields", {qn("w:val"): "true"}))


def _footer(out: DocxFile, doc: Document) -> None:
    """Page numbers ("Page 3 of 12") and the title in the footer, from the second page on."""
    section = out.sections[0]
    section.different_first_page_header_footer = True
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run(doc.title + " · ")
    words = _("Page %(page)s of %(pages)s")
    before, _sep, rest = words.partition("%(page)s")
    middle, _sep, after = rest.partition("%(pages)s")
    footer.add_run(before)
    _field(footer, "PAGE", "1")
    footer.add_run(middle)
    _field(footer, "NUMPAGES", "1")
    footer.add_run(after)
    for run in footer.runs:
        run.font.size = Pt(8)


def _repeat_header(row: Any) -> None:
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:tblHeader", {qn("w:val"): "true"}))


def _chart(out: DocxFile, block: Chart, number: int) -> None:
    caption = _keep_with_next(out.add_paragraph(style="Caption"))
    caption.add_run(f"{figure_label(number)}. {block.title}")
    picture = _keep_with_next(out.add_paragraph())
    png = bar_chart_png(block.bars, title=block.title, subtitle=block.subtitle, source=block.source)
    shape = picture.add_run().add_picture(io.BytesIO(png), width=Cm(16))
    properties = shape._inline.docPr
    properties.set("descr", block.summary or block.title)  # the picture's alternative text
    properties.set("title", block.title)
    picture.paragraph_format.keep_with_next = False


def _key_figures(out: DocxFile, block: KeyFigures) -> None:
    table = out.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for figure, meaning in block.items:
        cells = table.add_row().cells
        run = cells[0].paragraphs[0].add_run(figure)
        run.bold = True
        run.font.size = Pt(13)
        cells[1].paragraphs[0].add_run(meaning)
    table.autofit = False
    for column, width in zip(table.columns, (Cm(4.5), Cm(12.5)), strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width
    out.add_paragraph()


def to_docx(doc: Document) -> bytes:
    out = DocxDocument()
    _languages_and_fonts(out, doc.language)
    _a4(out)
    _properties(out, doc)
    _title_page(out, doc)
    _contents(out, doc)
    _footer(out, doc)
    figures = doc.figures()
    for position, block in enumerate(doc.blocks):
        if isinstance(block, Heading):
            _keep_with_next(out.add_heading(block.text, level=min(block.level, 3)))
        elif isinstance(block, Paragraph):
            paragraph = out.add_paragraph()
            _runs(paragraph, block.runs)
            if block.note:
                for run in paragraph.runs:
                    run.font.size = Pt(9)
                    run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
        elif isinstance(block, Quote):
            paragraph = _keep_with_next(out.add_paragraph(style="Quote"))  # its attribution stays with it
            paragraph.paragraph_format.keep_together = True
            _quoted(paragraph.add_run(f"“{block.text}”"), block.language)
            attribution = out.add_paragraph()
            attribution.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            who = quote_attribution(block, doc.language)
            attribution.add_run(f"— {who} [{block.cite.number}]").italic = True
        elif isinstance(block, Chart):
            _chart(out, block, figures[position])
        elif isinstance(block, KeyFigures):
            _key_figures(out, block)
        elif isinstance(block, Table):
            caption = _keep_with_next(out.add_paragraph(style="Caption"))
            caption.add_run(block.caption)
            table = out.add_table(rows=1, cols=len(block.headers))
            table.style = "Table Grid"
            _repeat_header(table.rows[0])
            for cell, header in zip(table.rows[0].cells, block.headers, strict=True):
                cell.text = ""
                cell.paragraphs[0].add_run(header).bold = True
            for row in block.rows:
                cells = table.add_row().cells
                for index, (cell, runs) in enumerate(zip(cells, row, strict=True)):
                    _runs(cell.paragraphs[0], runs)
                    if index in block.numeric:
                        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _keep_with_next(out.add_heading(_("References"), level=1))
    for ref in doc.references:
        out.add_paragraph(f"[{ref.number}] {reference_text(ref)}")
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def to_html(doc: Document) -> str:
    template = templates.env.get_template("exports/report.html")
    figures = doc.figures()
    return template.render(
        doc=doc,
        reference_text=reference_text,
        is_cite=lambda r: isinstance(r, Cite),
        kinds=_kinds,
        lang=lambda code: HTML_LANG.get(code, code),
        attribution=lambda quote: quote_attribution(quote, doc.language),
        contents=doc.contents(),
        contents_title=contents_title(),
        figure=lambda position: figure_label(figures[position]),
        chart_svg=chart_svg,
        author=product_name(),
        publisher=publisher_name(),
    )


def _kinds(block: object) -> str:
    return {"KeyFigures": "figures"}.get(type(block).__name__, type(block).__name__.lower())


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
