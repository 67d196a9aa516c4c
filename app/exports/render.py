"""One report content, two renderings: an editable DOCX (python-docx) and HTML printed to PDF (WeasyPrint)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from docx import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor

from app.exports.content import Cite, Document, Heading, Paragraph, Quote, Reference, Run, Table
from app.i18n import _
from app.web.templating import templates

STYLESHEET = Path(__file__).resolve().parent / "report.css"
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MEDIA_TYPE = "application/pdf"


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


def to_docx(doc: Document) -> bytes:
    out = DocxDocument()
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
            paragraph.add_run(f"“{block.text}”")
            attribution = out.add_paragraph()
            attribution.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            attribution.add_run(f"— {block.country} [{block.cite.number}]").italic = True
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
    return template.render(doc=doc, reference_text=reference_text, is_cite=lambda r: isinstance(r, Cite), kinds=_kinds)


def _kinds(block: object) -> str:
    return type(block).__name__.lower()


def to_pdf(doc: Document, laid_out: Callable[[int], None] | None = None) -> bytes:
    """The PDF; ``laid_out`` is told the page count once the layout (the slow part) is done."""
    from weasyprint import CSS, HTML  # imported when needed: it loads fonts and Pango

    rendered = HTML(string=to_html(doc)).render(stylesheets=[CSS(filename=str(STYLESHEET))])
    if laid_out is not None:
        laid_out(len(rendered.pages))
    return rendered.write_pdf()
