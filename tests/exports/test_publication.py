"""The synthesis and the country profile as publications, read back from the files a preparer gets: the DOCX with
python-docx (title page, contents, A4, page numbers in the footer, an embedded chart, the author, headings kept
with what follows) and the PDF with pypdf (its text page by page, its page size, its metadata)."""

from __future__ import annotations

import io
import os
import re

import docx
import pypdf
from docx.document import Document as DocxFile
from sqlalchemy.orm import Session

from app.auth.models import Role
from app.cycles.models import ReviewCycle
from app.exports import queries, render
from app.exports.content import Chart, Document, product_name
from app.exports.reports import build_country_profile, build_synthesis
from app.submissions.models import ProgressRating, SubmissionStatus
from tests.commitments.helpers import make_commitment
from tests.exports.helpers import review
from tests.factories import make_cycle, make_user
from tests.indicators.helpers import make_value

PRACTICE = "Recruitment agencies are licensed and rated every year by the labour ministry."
A4_POINTS = (595.28, 841.89)
# An internal number in a citation: "submission 12", "#12", "id 12"
INTERNAL_ID = re.compile(r"submission \d+|#\d+|\bid \d+", re.I)


def _synthesis(session: Session) -> tuple[ReviewCycle, Document]:
    cycle = make_cycle(session)
    review(session, cycle, "PHL", SubmissionStatus.published, practice=PRACTICE, objective=6)
    review(session, cycle, "THA", SubmissionStatus.approved, rating=ProgressRating.advanced)
    review(session, cycle, "NZL", SubmissionStatus.draft)  # never in the synthesis
    make_commitment(session, country="PHL")
    make_value(session, code="10.7.3", country="PHL", period="2022", value=40)
    return cycle, build_synthesis(session, cycle)


def _docx(doc: Document) -> DocxFile:
    data = render.to_docx(doc)
    if os.environ.get("GCM_KEEP_REPORTS"):
        with open(os.path.join(os.environ["GCM_KEEP_REPORTS"], f"{doc.title[:20]}.docx"), "wb") as out:
            out.write(data)
    return docx.Document(io.BytesIO(data))


def _pdf(doc: Document) -> pypdf.PdfReader:
    data = render.to_pdf(doc)
    if os.environ.get("GCM_KEEP_REPORTS"):  # to look at them while working on the layout
        with open(os.path.join(os.environ["GCM_KEEP_REPORTS"], f"{doc.title[:20]}.pdf"), "wb") as out:
            out.write(data)
    return pypdf.PdfReader(io.BytesIO(data))


def test_the_synthesis_docx_is_a_publication(session: Session) -> None:
    cycle, doc = _synthesis(session)
    document = _docx(doc)
    paragraphs = [p.text for p in document.paragraphs]
    # The title page: title, cycle, date, ESCAP; then the contents
    contents = paragraphs.index("Contents")
    title_page = "\n".join(paragraphs[:contents])
    assert doc.title in title_page and f"Review cycle: {cycle.name}" in title_page
    assert re.search(r"Date: \w+ \d{1,2}, \d{4}", title_page)
    assert "Economic and Social Commission for Asia and the Pacific (ESCAP)" in title_page
    # The contents list: every heading of levels 1 and 2, in a Word TOC field (page numbers once Word updates it)
    body = document.element.body.xml
    assert 'TOC \\o "1-2"' in body and "w:updateFields" in document.settings.element.xml
    listed = paragraphs[contents + 1 : contents + 1 + len(doc.contents()) + 1]
    assert listed[:2] == ["Executive summary", "About this synthesis"] and listed[-1] == "References"
    assert any(entry.startswith("Round table 1: Minimize adverse drivers;") for entry in listed)
    # Round tables are named by their theme (their objectives), not "RT1"
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert not any(h.startswith("RT") for h in headings)
    # A4, page numbers in the footer (none on the title page)
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert section.different_first_page_header_footer
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer and "Page " in section.footer.paragraphs[0].text
    # The executive summary's key figures
    figures = {r.cells[1].text: r.cells[0].text for r in document.tables[0].rows}
    assert figures["members and associate members in the region reported (3%)"] == "2 of 58"
    assert figures["pledge recorded by 1 reporting State"] == "1"
    assert any(meaning.startswith("indicators with values") for meaning in figures)
    # Embedded charts: PNG pictures with alternative text, after their caption
    pictures = document.inline_shapes
    charts = [b for b in doc.blocks if isinstance(b, Chart)]
    assert len(pictures) == len(charts) >= 3
    assert "Figure 1. Countries reporting, by subregion" in paragraphs
    blip = document.part.related_parts[pictures[0]._inline.graphic.graphicData.pic.blipFill.blip.embed]
    assert blip.content_type == "image/png" and blip.blob.startswith(b"\x89PNG")
    assert pictures[0]._inline.docPr.get("descr")
    # Headings are kept with what follows, and a quote with its attribution
    assert all(p.paragraph_format.keep_with_next for p in document.paragraphs if p.style.name.startswith("Heading"))
    quote = next(p for p in document.paragraphs if PRACTICE in p.text)
    assert quote.paragraph_format.keep_with_next
    # Citations people can read: State, cycle, objective (its short title), question; no internal number
    references = paragraphs[paragraphs.index("References", contents + 5) + 1 :]
    assert f"Philippines, {cycle.name}, objective 6 (Recruitment and decent work), Good practices" in "\n".join(
        references
    )
    assert not any(INTERNAL_ID.search(r) for r in references), [r for r in references if INTERNAL_ID.search(r)]
    # The product is the author, not python-docx
    props = document.core_properties
    assert props.author == product_name() and props.last_modified_by == product_name()
    assert "python-docx" not in f"{props.author}{props.comments}{props.last_modified_by}"
    assert props.title == doc.title


def test_the_synthesis_pdf_is_a_publication(session: Session) -> None:
    cycle, doc = _synthesis(session)
    pdf = _pdf(doc)
    pages = [page.extract_text() for page in pdf.pages]
    assert all((round(float(p.mediabox.width), 2), round(float(p.mediabox.height), 2)) == A4_POINTS for p in pdf.pages)
    # The title page, without a page number
    assert doc.title.split()[0] in pages[0] and cycle.name in pages[0] and "ESCAP" in pages[0]
    assert re.search(r"Date: \w+ \d{1,2}, \d{4}", pages[0]) and f"1 / {len(pages)}" not in pages[0]
    # The contents, each heading with the page it is on
    assert pages[1].lstrip().startswith("Contents")
    entry = re.search(r"Executive summary\s*\.*\s*(\d+)", pages[1])
    assert entry, pages[1]
    summary_page = int(entry.group(1))
    assert "Executive summary" in pages[summary_page - 1]
    indicator_entry = re.search(r"Indicator summary\s*\.*\s*(\d+)", pages[1])
    assert indicator_entry and "Indicator summary" in pages[int(indicator_entry.group(1)) - 1]
    # Page numbers on every page after the title page
    assert all(f"{n} / {len(pages)}" in text for n, text in enumerate(pages, start=1) if n > 1)
    text = "\n".join(pages)
    # The executive summary, the charts drawn in the page (their caption, and the bars' labels as text)
    assert "2 of 58" in text and "members and associate members in the region reported" in text
    assert "Figure 1. Countries reporting, by subregion" in text
    assert "Figure 2. Countries reporting on each objective" in text and "6. Recruitment and decent work" in text
    assert "Round table 1: Minimize adverse drivers;" in text
    # Readable citations, never an internal number
    references = text[text.rindex("References") :]
    assert "objective 6 (Recruitment and decent work), Good" in references
    assert not INTERNAL_ID.search(references)
    assert PRACTICE.split()[0] in text and "New Zealand" not in text
    # The product is the author (WeasyPrint only says it produced the file)
    assert pdf.metadata is not None and pdf.metadata.author == product_name()
    assert pdf.metadata.creator == product_name() and pdf.metadata.title == doc.title


def test_the_country_profile_compares_with_the_region_and_the_previous_review(session: Session) -> None:
    earlier = make_cycle(session)
    review(session, earlier, "PHL", SubmissionStatus.published, rating=ProgressRating.initial)
    cycle = make_cycle(session)
    review(session, cycle, "PHL", SubmissionStatus.published, practice=PRACTICE, objective=6)
    review(session, cycle, "THA", SubmissionStatus.published, rating=ProgressRating.advanced)
    review(session, cycle, "FJI", SubmissionStatus.draft, rating=ProgressRating.advanced)  # not in the region's
    # The later cycle opens later
    earlier.opens_on = cycle.opens_on.replace(year=cycle.opens_on.year - 4)
    session.flush()
    country = queries.get_country(session, "PHL")
    assert country is not None
    doc = build_country_profile(session, make_user(session, role=Role.preparer), country)
    document = _docx(doc)
    table = next(t for t in document.tables if [c.text for c in t.rows[0].cells][:2] == ["Objective", cycle.name])
    header = [c.text for c in table.rows[0].cells]
    assert header == [
        "Objective",
        cycle.name,
        earlier.name,
        "Change",
        "Region: countries reporting",
        "Region: median rating",
    ]
    rows = {r.cells[0].text.split(".")[0]: [c.text for c in r.cells] for r in table.rows[1:]}
    assert rows["6"][0] == "6. Recruitment and decent work"
    assert rows["6"][1] == "Under way" and rows["6"][2] == "Initial steps" and rows["6"][3] == "up 1 step"
    assert rows["6"][4] == "2 of 2"  # PHL and THA; the draft of Fiji is not counted
    assert rows["23"][1] == "Not reported this cycle" and rows["23"][3] == "—"
    charts = [b for b in doc.blocks if isinstance(b, Chart)]
    assert [c.title for c in charts] == [
        "Philippines: progress per objective",
        "The region: median progress per objective",
    ]
    assert len(document.inline_shapes) == 2
    history = next(t for t in document.tables if t.rows[0].cells[0].text == "Cycle")
    assert "Submission" not in [c.text for c in history.rows[0].cells]  # no internal number
    pdf = _pdf(doc)
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert "Compared with the region and with the previous review" in text and "up 1 step" in text
    assert "Philippines: progress per objective" in text
