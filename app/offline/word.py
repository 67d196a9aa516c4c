"""A review as a Word document (python-docx) and back.

Each question is a small table: its first row names it (``[Q12]`` and the label, the hint below), its second row is
the answer area. The area holds a content control (``w:sdt``) for Word: a drop-down list (``w:dropDownList``) for a
choice, a text control otherwise, locked (``w:lock``) when the part is not editable now. The identifiers (the file's,
and each question's part, key, answer version and value digest) are custom document properties (``gcm.file``,
``gcm.q12``): LibreOffice keeps those, the tables and the drop-downs, but not content controls' tags or paragraphs
(tested), so an upload reads the text of the answer cell, whatever the editor did with the control in it.
Reading refuses tracked changes (``w:ins``/``w:del``) and ignores comments and images, with a note.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from docx import Document
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from app.i18n import _
from app.offline.document import Entry, FileIds, ReadBack, ReviewFile, decode_tag

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
TRACKED = ("ins", "del", "moveFrom", "moveTo")
IMAGES = ("drawing", "pict", "object")
MARK = re.compile(r"^\s*\[Q(\d{1,5})\]")


class TrackedChanges(ValueError):
    """The document holds tracked changes: accept or reject them first."""


def _run(text: str) -> Any:
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    t.text = text
    r.append(t)
    return r


def _control(paragraph: Any, entry: Entry, empty_choice: str, text: str) -> None:
    """A content control around ``text`` at the end of the paragraph: a drop-down for a list of options."""
    sdt = OxmlElement("w:sdt")
    pr = OxmlElement("w:sdtPr")
    alias = OxmlElement("w:alias")
    alias.set(qn("w:val"), entry.label[:250])
    pr.append(alias)
    tag = OxmlElement("w:tag")
    tag.set(qn("w:val"), entry.tag())
    pr.append(tag)
    if not entry.editable:
        lock = OxmlElement("w:lock")
        lock.set(qn("w:val"), "sdtContentLocked")
        pr.append(lock)
    if entry.options:
        drop = OxmlElement("w:dropDownList")
        for label in [empty_choice, *entry.options]:
            item = OxmlElement("w:listItem")
            item.set(qn("w:displayText"), label)
            item.set(qn("w:value"), label)
            drop.append(item)
        pr.append(drop)
    else:
        plain = OxmlElement("w:text")
        plain.set(qn("w:multiLine"), "1")
        pr.append(plain)
    sdt.append(pr)
    content = OxmlElement("w:sdtContent")
    content.append(_run(text))
    sdt.append(content)
    paragraph._p.append(sdt)


def _question(document: Any, number: int, entry: Entry, review: ReviewFile) -> None:
    table = document.add_table(rows=2, cols=1)
    table.style = "Table Grid"
    head = table.cell(0, 0)
    label = head.paragraphs[0].add_run(f"[Q{number}] {entry.label}")
    label.bold = True
    if not entry.editable:
        note = head.paragraphs[0].add_run(f" ({review.read_only_label})")
        note.italic = True
    if entry.hint:
        hint = head.add_paragraph().add_run(entry.hint)
        hint.italic = True
        hint.font.size = Pt(9)
        hint.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), "E8EEF4")
    head._tc.get_or_add_tcPr().append(shading)
    area = table.cell(1, 0)
    if entry.options:
        _control(area.paragraphs[0], entry, review.empty_choice, entry.text or review.empty_choice)
    else:
        lines = (entry.text or "").split("\n")
        _control(area.paragraphs[0], entry, review.empty_choice, lines[0])
        for line in lines[1:]:  # further paragraphs of a long text, in the same answer cell
            area.add_paragraph(line)
    document.add_paragraph()  # two tables side by side would become one in some editors


def write(review: ReviewFile) -> bytes:
    document = Document()
    document.core_properties.title = review.title
    document.add_heading(review.title, level=0)
    document.add_paragraph(review.subtitle)
    document.add_paragraph(review.notice).runs[0].italic = True
    properties = {"gcm.file": review.ids.encode()}
    number = 0
    for part in review.parts:
        heading = document.add_heading(part.title, level=1)
        if not part.editable:
            heading.add_run(f" ({review.read_only_label})").italic = True
        for entry in part.entries:
            number += 1
            properties[f"gcm.q{number}"] = entry.tag()
            _question(document, number, entry, review)
    out = io.BytesIO()
    document.save(out)
    return _with_properties(out.getvalue(), properties)


def _with_properties(data: bytes, properties: dict[str, str]) -> bytes:
    """The document with custom properties (python-docx writes none): docProps/custom.xml and its references."""
    items = "".join(
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" name={quoteattr(name)}>'
        f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(properties.items(), start=2)
    )
    custom = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="{CUSTOM}" '
              f'xmlns:vt="{VT}">{items}</Properties>')  # fmt: skip
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                content = content.replace(
                    b"</Types>",
                    b'<Override PartName="/docProps/custom.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>',
                )
            elif info.filename == "_rels/.rels":
                content = content.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdGcmCustom" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships/custom-properties" Target="docProps/custom.xml"/></Relationships>',
                )
            target.writestr(info, content)
        target.writestr("docProps/custom.xml", custom)
    return out.getvalue()


def _properties(archive: zipfile.ZipFile) -> dict[str, str]:
    if "docProps/custom.xml" not in archive.namelist():
        return {}
    root = parse_xml(archive.read("docProps/custom.xml"))
    found: dict[str, str] = {}
    for prop in root.findall(f"{{{CUSTOM}}}property"):
        value = prop.find(f"{{{VT}}}lpwstr")
        if value is not None:
            found[prop.get("name", "")] = value.text or ""
    return found


def _runs_text(element: Any) -> str:
    out: list[str] = []
    for node in element.iter(f"{{{W}}}t", f"{{{W}}}tab", f"{{{W}}}br", f"{{{W}}}cr"):
        name = node.tag.rsplit("}", 1)[-1]
        out.append((node.text or "") if name == "t" else ("\t" if name == "tab" else "\n"))
    return "".join(out)


def _cell_text(cell: Any) -> str:
    """The text of a cell, a paragraph per line; a content control showing its placeholder (Word's "Click or tap
    here to enter text." once its text is deleted) counts as empty."""
    cell = copy.deepcopy(cell)
    for sdt in cell.iter(f"{{{W}}}sdt"):
        if sdt.find(f"./{{{W}}}sdtPr/{{{W}}}showingPlcHdr") is not None:
            content = sdt.find(f"./{{{W}}}sdtContent")
            if content is not None:
                for child in list(content):
                    if child.tag == f"{{{W}}}p":
                        for grandchild in list(child):
                            if grandchild.tag != f"{{{W}}}pPr":
                                child.remove(grandchild)
                    else:
                        content.remove(child)
    return "\n".join(_runs_text(p) for p in cell.findall(f".//{{{W}}}p"))


def read(data: bytes) -> ReadBack:
    """The identifiers and answers of an uploaded document; TrackedChanges if it holds any."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        body = parse_xml(archive.read("word/document.xml"))
        properties = _properties(archive)
    for name in TRACKED:
        if body.find(f".//{{{W}}}{name}") is not None:
            raise TrackedChanges(_("The document has tracked changes: accept or reject the tracked changes, then "
                                   "upload again."))  # fmt: skip
    result = ReadBack(ids=FileIds.decode(properties.get("gcm.file", "")))
    if "word/comments.xml" in names or body.find(f".//{{{W}}}commentReference") is not None:
        result.notes.append(_("The document's comments were ignored."))
    if any(body.find(f".//{{{W}}}{name}") is not None for name in IMAGES):
        result.notes.append(_("The document's images were ignored."))
    for table in body.iter(f"{{{W}}}tbl"):
        rows = table.findall(f"./{{{W}}}tr")
        if len(rows) < 2:
            continue
        head, area = rows[0].find(f"./{{{W}}}tc"), rows[1].find(f"./{{{W}}}tc")
        if head is None or area is None:
            continue
        mark = MARK.match(_runs_text(head))
        decoded = decode_tag(properties.get(f"gcm.q{mark.group(1)}", "")) if mark else None
        if decoded is None:
            continue
        part, key, version, digest = decoded
        result.answers.setdefault((part, key), (version, digest, _cell_text(area)))
    return result
