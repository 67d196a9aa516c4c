"""Reports in any of the four languages, printing every script: a synthesis quoting a Chinese and a Russian answer is
read back from its PDF (pypdf), rendered to an image (pypdfium2), and every glyph it draws is checked against the
fonts it embeds (fontTools: no .notdef, no glyph the font does not have); the DOCX names its East Asian font and
languages; a synthesis asked for in French has French headings; the job records the language it was asked in."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
import pypdf
import pypdfium2
import pytest
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.catalog import queries as catalog_queries
from app.catalog.models import ReferenceText, TextKind, TextStatus
from app.cycles.models import ReviewCycle
from app.exports import queries, render, service
from app.exports.content import Document, Quote
from app.exports.models import Job
from app.exports.reports import build_country_profile, build_synthesis
from app.i18n import gettext, use_locale
from app.submissions.models import SubmissionStatus
from app.web.assets import FONT_FILES, VENDOR_DIR, VENDOR_FILES, copy_assets, missing_fonts
from tests.exports.helpers import review
from tests.factories import make_cycle, make_user, post_form, sign_in

pytestmark = pytest.mark.usefixtures("no_worker")

CHINESE = "我们在五个省份设立了一站式移民资源中心，为返乡移民提供咨询。"
RUSSIAN = "Мы открыли центры поддержки мигрантов в пяти областях и обучили консультантов."
FRENCH_HEADINGS = ("About this synthesis", "Countries reporting", "Overview by objective", "Indicator summary")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(autouse=True)
def _fonts_installed() -> None:
    assert not missing_fonts(), f"report fonts missing: {missing_fonts()}; run `npm ci && uv run gcm assets`"


def _cycle(session: Session) -> ReviewCycle:
    """Two accepted reviews whose good practice on objective 6 is written in Chinese and in Russian."""
    cycle = make_cycle(session)
    review(session, cycle, "CHN", SubmissionStatus.published, practice=CHINESE, objective=6)
    review(session, cycle, "KAZ", SubmissionStatus.approved, practice=RUSSIAN, objective=6)
    return cycle


def _generate(client: TestClient, session: Session, cycle: ReviewCycle, fmt: str, **data: str) -> tuple[Job, bytes]:
    response = post_form(
        client,
        "/exports/jobs",
        {"kind": "synthesis", "report_cycle": str(cycle.id), "report_format": fmt, **data},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    job_id = int(response.headers["location"].rsplit("/", 1)[1])
    assert service.run_one(session, session) == job_id
    session.expire_all()
    job = session.get(Job, job_id)
    assert job is not None and job.status.value == "done", job and job.message
    download = client.get(f"/exports/jobs/{job_id}/download")
    assert download.status_code == 200
    return job, download.content


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _drawn_glyphs(pdf: pypdf.PdfReader) -> Iterator[tuple[str, int, str, TTFont]]:
    """Every glyph the PDF draws, as (font name, glyph id, the text it stands for, the embedded font): WeasyPrint
    writes a ToUnicode entry for each glyph it draws, keyed by the glyph id of the font it embeds."""
    seen: set[str] = set()
    for page in pdf.pages:
        for font_ref in page["/Resources"]["/Font"].values():
            font = font_ref.get_object()
            name = str(font["/BaseFont"])
            if name in seen:
                continue
            seen.add(name)
            assert font["/Subtype"] == "/Type0", name
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            stream = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
            assert stream is not None, f"{name} is not embedded"
            embedded = TTFont(io.BytesIO(stream.get_object().get_data()))
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
                for gid, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
                    yield name, int(gid, 16), bytes.fromhex(text).decode("utf-16-be"), embedded
            for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
                for start, end, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
                    first = ord(bytes.fromhex(text).decode("utf-16-be"))
                    for offset, gid in enumerate(range(int(start, 16), int(end, 16) + 1)):
                        yield name, gid, chr(first + offset), embedded


def test_a_synthesis_pdf_prints_chinese_and_russian_answers_with_every_glyph(
    client: TestClient, session: Session
) -> None:
    cycle = _cycle(session)
    sign_in(client, make_user(session, role=Role.secretariat))
    job, data = _generate(client, session, cycle, "pdf", report_language="en")
    assert job.language == "en"

    pdf = pypdf.PdfReader(io.BytesIO(data))
    text = _squeezed("".join(page.extract_text() for page in pdf.pages))
    assert _squeezed(CHINESE) in text and _squeezed(RUSSIAN) in text
    assert "China(inChinese)" in text and "Kazakhstan(inRussian)" in text  # quotes kept as written, language named

    # Every glyph drawn is a real glyph of an embedded font of ours (no system fallback, no .notdef, none beyond
    # the font's glyphs, which is where WeasyPrint puts a character no font has), with an outline unless blank.
    fonts = {name for name, *_rest in _drawn_glyphs(pdf)}
    assert fonts and all(re.fullmatch(r"/[A-Z]{6}\+Noto-Sans-(SC|Latin|Cyrillic)[-\w]*", f) for f in fonts), fonts
    drawn: dict[str, str] = {}
    for name, gid, char, embedded in _drawn_glyphs(pdf):
        order = embedded.getGlyphOrder()
        assert 0 < gid < len(order), (name, gid, char)
        if not char.isspace():
            pen = BoundsPen(embedded.getGlyphSet())
            embedded.getGlyphSet()[order[gid]].draw(pen)
            assert pen.bounds is not None, f"{char!r} is drawn with an empty glyph of {name}"
        drawn.setdefault(char, name)
    for char in set(CHINESE + RUSSIAN) - {" "}:
        assert char in drawn, char
    assert "Noto-Sans-SC" in drawn["我"] and "Noto-Sans-Cyrillic" in drawn["М"] and "Noto-Sans-Latin" in drawn["K"]

    # A renderer (PDFium, as pdftoppm would) reads the same characters and paints the page that quotes them.
    document = pypdfium2.PdfDocument(data)
    pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    index = next(i for i, page_text in enumerate(pages) if CHINESE[:8] in page_text)
    assert _squeezed(RUSSIAN) in _squeezed("".join(pages))
    bitmap = document[index].render(scale=1)
    pixels = bytes(bitmap.buffer)
    dark = sum(1 for value in pixels[:: bitmap.n_channels] if value < 128)
    assert dark > 1000  # ink on the page, not a blank one


def test_the_fonts_we_ship_cover_every_character_of_the_four_languages() -> None:
    covered: set[int] = set()
    for name in FONT_FILES.values():
        if name.endswith((".ttf", ".otf")):
            covered |= set(TTFont(VENDOR_DIR / name).getBestCmap())
    french = "Œuvre à l’égard des migrants : déjà, où, ça, « très » — çà et là"
    unified = {chr(c) for c in range(0x4E00, 0x9FA6)}  # the whole URO block: GB 2312's hanzi and many more
    for char in set(CHINESE + RUSSIAN + french) | unified | set("ЁёЙйЪъЫыЭэЮюЯя，。、：；？！“”（）"):
        assert char.isspace() or ord(char) in covered, f"no font for {char!r} (U+{ord(char):04X})"


def test_the_docx_names_its_east_asian_font_and_languages(client: TestClient, session: Session) -> None:
    cycle = _cycle(session)
    sign_in(client, make_user(session, role=Role.secretariat))
    job, data = _generate(client, session, cycle, "docx", report_language="ru")
    assert job.language == "ru" and job.filename.endswith("-ru.docx")
    document = docx.Document(io.BytesIO(data))
    styles = document.styles.element
    fonts = list(styles.iter(f"{W}rFonts"))
    assert fonts and all(f.get(f"{W}eastAsia") == "Noto Sans SC" for f in fonts)
    assert not any(f.get(f"{W}eastAsiaTheme") for f in fonts)  # a theme font would win over w:eastAsia
    default_lang = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert default_lang is not None
    assert (default_lang.get(f"{W}val"), default_lang.get(f"{W}eastAsia")) == ("ru-RU", "zh-CN")
    assert document.core_properties.language == "ru-RU"
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        font_table = package.read("word/fontTable.xml").decode()
    assert re.search(r'<w:font w:name="Noto Sans SC"><w:altName w:val="Microsoft YaHei"/>', font_table)
    # The Chinese quote is marked Chinese, the Russian one Russian: each as written.
    quotes = {
        run.text: run._r.find(f"{W}rPr/{W}lang")
        for paragraph in document.paragraphs
        for run in paragraph.runs
        if CHINESE in run.text or RUSSIAN in run.text
    }
    langs = {("zh" if CHINESE in t else "ru"): (e.get(f"{W}val") if e is not None else None) for t, e in quotes.items()}
    assert langs == {"zh": "zh-CN", "ru": "ru-RU"}
    text = "\n".join(p.text for p in document.paragraphs)
    assert CHINESE in text and RUSSIAN in text


def test_a_chinese_document_is_chinese_in_its_html_and_docx() -> None:
    with use_locale("zh"):
        doc = Document(title="区域综述", subtitle="2026")
        cite = doc.cite(country="中国", cycle="2026", submission_id=1, objective=6, part="良好做法")
        doc.add(Quote(RUSSIAN, "哈萨克斯坦", cite, language="ru"))
        html = render.to_html(doc)
        data = render.to_docx(doc)
    assert doc.language == "zh" and '<html lang="zh-Hans">' in html
    assert f'<p lang="ru">“{RUSSIAN}”</p>' in html
    defaults = docx.Document(io.BytesIO(data)).styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert defaults is not None and defaults.get(f"{W}val") == "zh-CN"


def test_a_synthesis_asked_for_in_french_has_french_headings(client: TestClient, session: Session) -> None:
    cycle = _cycle(session)
    sign_in(client, make_user(session, role=Role.secretariat))
    job, data = _generate(client, session, cycle, "docx", report_language="fr")
    assert job.language == "fr"
    document = docx.Document(io.BytesIO(data))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    with use_locale("fr"):
        expected = [gettext(h) for h in FRENCH_HEADINGS]
        title = gettext("Regional synthesis of the voluntary GCM reviews")
        references = gettext("References")
    assert headings[0] == title
    for heading in [*expected, references]:
        assert heading in headings, (heading, headings)
    # The catalogue is compiled (`gcm i18n compile`) and translates these headings: French, not English.
    translated = [h for h, english in zip(expected, FRENCH_HEADINGS, strict=True) if h != english]
    assert translated, "the French catalogue is not compiled: run `uv run gcm i18n compile`"
    assert not set(translated) & set(FRENCH_HEADINGS)
    assert CHINESE in "\n".join(p.text for p in document.paragraphs)  # quotes stay as written


def test_the_document_language_defaults_to_the_page_language(client: TestClient, session: Session) -> None:
    cycle = _cycle(session)
    sign_in(client, make_user(session, role=Role.secretariat))
    page = client.get("/exports?lang=zh")
    assert re.search(r'<option value="zh" lang="zh-Hans" selected>中文</option>', page.text)
    assert 'name="report_language"' in page.text and 'name="profile_language"' in page.text
    job, _data = _generate(client, session, cycle, "docx")  # no choice: the page's language (the cookie's now)
    assert job.language == "zh" and job.filename.endswith("-zh.docx")
    bad = post_form(
        client, "/exports/jobs", {"kind": "synthesis", "report_cycle": str(cycle.id), "report_format": "pdf",
                                  "report_language": "de"}
    )  # fmt: skip
    assert bad.status_code == 422 and 'id="report_language-error"' in bad.text


def test_reference_names_are_in_the_report_language_where_a_source_gives_them(
    client: TestClient, session: Session
) -> None:
    cycle = _cycle(session)
    title = "Titre court de l’objectif 6 (test)"
    found = catalog_queries.get_reference_text(session, TextKind.objective_short.value, "6", "fr")
    if found is None:
        session.add(
            ReferenceText(
                kind=TextKind.objective_short,
                key="6",
                language="fr",
                text=title,
                source="https://undocs.org/fr/A/RES/73/195",
                status=TextStatus.official,
            )
        )
    else:
        found.text = title
    session.flush()
    sign_in(client, make_user(session, role=Role.secretariat))
    _job, data = _generate(client, session, cycle, "docx", report_language="fr")
    headings = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs if p.style.name.startswith("Heading")]
    with use_locale("fr"):
        assert gettext("Objective %(n)s: %(title)s") % {"n": 6, "title": title} in headings
        english_title = gettext("Objective %(n)s: %(title)s") % {"n": 7, "title": ""}
    # An objective with no French text on file keeps its English title (ESCAP's), never a translation of ours.
    seventh = next(h for h in headings if h.startswith(english_title))
    objective = next(o for o in catalog_queries.list_objectives(session) if o.number == 7)
    fr_seven = catalog_queries.get_reference_text(session, TextKind.objective_short.value, "7", "fr")
    assert seventh.endswith(fr_seven.text if fr_seven is not None else objective.short_title)


def test_a_country_profile_in_russian(session: Session) -> None:
    cycle = _cycle(session)
    country = queries.get_country(session, "KAZ")
    assert country is not None
    with use_locale("ru"):
        doc = build_country_profile(session, make_user(session, role=Role.secretariat), country)
        html = render.to_html(doc)
        history, pledges = gettext("Submission history"), gettext("Pledges")
    assert history != "Submission history" and pledges != "Pledges"  # the Russian catalogue translates them
    assert doc.language == "ru" and '<html lang="ru">' in html
    assert re.search(f'<h1 id="h-\\d+">{history}</h1>', html) and re.search(f'<h1 id="h-\\d+">{pledges}</h1>', html)
    assert RUSSIAN in html and cycle.name in html
    footers = re.findall(r"<footer>— ([^<]*) <a", html)
    assert footers and not any("(" in f for f in footers), footers  # a Russian answer in Russian: no language named


def test_gcm_assets_names_a_missing_font_and_its_package_before_copying_anything(tmp_path: Path) -> None:
    for source in VENDOR_FILES:  # htmx and Swagger UI are there, the fonts are not (npm ci not run since added)
        (tmp_path / source).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / source).write_text("not copied")
    before = {name: (VENDOR_DIR / name).stat().st_mtime_ns for name in VENDOR_FILES.values()}
    with pytest.raises(FileNotFoundError) as raised:
        copy_assets(tmp_path)
    message = str(raised.value)
    assert "report font" in message and "@fontsource/noto-sans" in message and "npm ci" in message
    assert {name: (VENDOR_DIR / name).stat().st_mtime_ns for name in VENDOR_FILES.values()} == before


def test_recent_reports_name_their_language(client: TestClient, session: Session) -> None:
    cycle = _cycle(session)
    sign_in(client, make_user(session, role=Role.secretariat))
    _generate(client, session, cycle, "docx", report_language="ru")
    page = client.get("/exports?lang=en")
    assert '<span class="hint" lang="ru">Русский</span>' in page.text


def test_progress_of_a_french_synthesis_is_kept_for_the_page_to_translate(session: Session) -> None:
    cycle = _cycle(session)
    messages: list[str] = []
    with use_locale("fr"):
        doc = build_synthesis(session, cycle, lambda _percent, message: messages.append(service._english(message)))
    assert doc.language == "fr"
    assert "Reading the accepted submissions" in messages and "Writing the document" in messages
