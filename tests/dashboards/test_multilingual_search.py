"""Search in the four languages on both databases: Chinese without spaces (words of 1 to 4 characters), Russian's
inflected forms, French with or without accents, English still stemmed; results marked with their language."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.submissions.models import Submission, SubmissionStatus
from tests.commitments.helpers import accept_review_of, make_commitment
from tests.dashboards.helpers import submission_with_status
from tests.factories import set_answers

CHINESE = "我国的国家移民政策保护移民工人及其家庭成员的权利。"
RUSSIAN = "Мы защищаем права трудящихся-мигрантов и их семей в области миграции."
FRENCH = "L'éducation des enfants migrants est une priorité nationale."
ENGLISH = "Seasonal migrants benefit from portable social protection policies."


def published(session: Session, iso3: str, narrative: str) -> Submission:
    submission = submission_with_status(session, iso3, SubmissionStatus.published)
    number = submission.objective_reports[0].objective.number
    set_answers(session, submission, f"objective:{number}", {"narrative": narrative})
    return submission


def results(client: TestClient, q: str, kind: str = "report") -> str:
    """The results part of the search page (after the form, which repeats the query)."""
    page = client.get("/search", params={"q": q, "kind": kind})
    assert page.status_code == 200
    return page.text.split("</form>", 1)[1]


def count(page: str) -> int:
    return page.count('class="search-result ')


def test_chinese_is_found_by_words_of_two_and_four_characters_inside_a_sentence(
    client: TestClient, session: Session
) -> None:
    published(session, "CHN", CHINESE)
    published(session, "THA", "Thailand's narrative, in English only.")
    two = results(client, "移民")
    assert count(two) == 1 and "China" in two and "<mark>移民</mark>" in two
    four = results(client, "移民政策")
    assert count(four) == 1 and "<mark>移民政策</mark>" in four
    assert count(results(client, "权")) == 1  # a single character
    assert count(results(client, "家庭成员")) == 1  # another word, not at the sentence's start
    assert count(results(client, "政策移民")) == 0  # the characters, not in that order
    assert count(results(client, "移民 权利")) == 1  # two words: both


def test_chinese_pledges_are_found_too(client: TestClient, session: Session) -> None:
    accept_review_of(session, "PHL", SubmissionStatus.published)
    make_commitment(session, country="PHL", title="移民子女教育中心")
    assert "<mark>教育</mark>" in results(client, "教育", "pledge")
    assert "<mark>子女教育</mark>" in results(client, "子女教育", "pledge")


def test_russian_is_found_by_another_inflected_form(client: TestClient, session: Session) -> None:
    published(session, "RUS", RUSSIAN)
    page = results(client, "мигранты")  # the text says "мигрантов"
    assert count(page) == 1 and "<mark>мигрантов</mark>" in page
    assert count(results(client, "миграция")) == 1  # the text says "миграции"
    assert count(results(client, "права семья")) == 1
    assert count(results(client, "эмиграция")) == 0


def test_french_is_found_with_or_without_accents(client: TestClient, session: Session) -> None:
    published(session, "FRA", FRENCH)
    for q in ("éducation", "education", "EDUCATION", "priorite", "priorité nationale"):
        page = results(client, q)
        assert count(page) == 1, q
    assert "<mark>éducation</mark>" in results(client, "education")  # the text as written, marked


def test_english_is_still_stemmed_and_highlighted(client: TestClient, session: Session) -> None:
    published(session, "PHL", ENGLISH)
    page = results(client, "migrant protection")
    assert count(page) == 1 and "<mark>migrants</mark>" in page and "<mark>protection</mark>" in page
    assert count(results(client, "season")) == 1  # a prefix (SQLite) or the same stem (PostgreSQL)
    if session.get_bind().dialect.name == "postgresql":  # stems; SQLite matches prefixes ("polic" would)
        assert count(results(client, "policy")) == 1
        assert count(results(client, "the portable")) == 1  # an English stop word does not hide the result


def test_results_in_another_language_than_the_page_are_marked(client: TestClient, session: Session) -> None:
    published(session, "CHN", CHINESE)
    published(session, "PHL", "Migrants " + ENGLISH)
    chinese = results(client, "移民")
    assert re.search(r'class="search-result__snippet" lang="zh-Hans">', chinese)
    english = results(client, "migrants")
    assert 'class="search-result__snippet">' in english  # English, as the page: no lang attribute


def test_stakeholders_input_in_chinese_and_russian_is_found_and_keeps_its_language(
    client: TestClient, session: Session
) -> None:
    from app.contributions import service
    from app.contributions.models import ContributionStatus
    from tests.contributions.helpers import in_status, reload, secretariat

    contribution, user = in_status(session, ContributionStatus.returned)
    text = CHINESE + " " + RUSSIAN
    form = {"what_we_did": [text], "what_we_did.language": ["zh"]}
    version = service.part_version(contribution, "objective:7")
    service.save_part(session, user=user, contribution=contribution, part="objective:7", form=form, version=version)
    service.submit(session, user=user, contribution=contribution)
    service.moderate(session, user=secretariat(session), contribution=contribution, action="accept", version=None)
    saved = next(a for a in reload(session, contribution).answers if (a.part, a.key) == ("objective:7", "what_we_did"))
    assert (saved.language, saved.language_set) == ("zh", True)  # the writer's choice, over the detected one
    for q in ("移民", "家庭成员", "мигранты"):
        page = results(client, q, "stakeholder")
        assert count(page) == 1, q
    assert 'class="search-result__snippet" lang="zh-Hans">' in results(client, "移民", "stakeholder")


def test_a_contributions_page_marks_its_answers_in_another_language(client: TestClient, session: Session) -> None:
    from app.contributions import service
    from app.contributions.models import ContributionStatus
    from tests.contributions.helpers import in_status, secretariat

    contribution, user = in_status(session, ContributionStatus.returned)
    form = {"what_we_did": [RUSSIAN]}
    version = service.part_version(contribution, "objective:7")
    service.save_part(session, user=user, contribution=contribution, part="objective:7", form=form, version=version)
    service.submit(session, user=user, contribution=contribution)
    service.moderate(session, user=secretariat(session), contribution=contribution, action="accept", version=None)
    page = client.get(f"/contributions/{contribution.id}").text
    assert '<dd lang="ru"><p>Мы защищаем' in page
    assert "<dd><p>We trained recruiters on objective 3.</p>" in page  # English, as the page
