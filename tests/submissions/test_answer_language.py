"""Each text answer's language: detected when saved, corrected by its writer and kept, shown to readers with lang."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.questionnaires import languages
from app.submissions import queries, service
from app.submissions.models import Answer, Submission, SubmissionStatus
from tests.dashboards.helpers import submission_with_status
from tests.factories import edit_part, make_submission, make_user, post_form, set_answers, sign_in

ENGLISH = "Our national policy protects the rights of migrant workers and their families."
FRENCH = "Notre politique nationale protège les droits des travailleurs migrants et de leurs familles."
RUSSIAN = "Наша национальная политика защищает права трудящихся-мигрантов и членов их семей."
CHINESE = "我国的国家移民政策保护移民工人及其家庭成员的权利。"
MIGRATION = Path(__file__).parents[2] / "migrations" / "versions" / "2026-12-02-0130_content_languages.py"


def answer(session: Session, submission: Submission, part: str, key: str) -> Answer:
    session.expire_all()
    fresh = queries.get_submission(session, submission.id)
    assert fresh is not None
    return service.part_answers(fresh, part)[key]


@pytest.mark.parametrize(
    ("text", "code"),
    [(ENGLISH, "en"), (FRENCH, "fr"), (RUSSIAN, "ru"), (CHINESE, "zh"), ("2024", None), ("OK", None), ("", None)],
)
def test_detection_tells_the_four_languages_apart(text: str, code: str | None) -> None:
    assert languages.detect(text) == code


def test_the_migration_detects_as_the_app_does() -> None:
    """The migration holds a frozen copy of the detection (a migration never imports the app): the same answers."""
    spec = importlib.util.spec_from_file_location("content_languages", MIGRATION)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    samples = [ENGLISH, FRENCH, RUSSIAN, CHINESE, "L'éducation des enfants", "The café", "42", "Migration policy"]
    assert [migration._detect(s) for s in samples] == [languages.detect(s) for s in samples]
    assert (migration.ACCENTED, migration.PLAIN) == (languages.ACCENTED, languages.PLAIN)


def test_a_saved_text_answer_records_its_detected_language(session: Session) -> None:
    submission = make_submission(session)
    for number, text, code in [(1, ENGLISH, "en"), (2, FRENCH, "fr"), (3, RUSSIAN, "ru"), (4, CHINESE, "zh")]:
        set_answers(session, submission, f"objective:{number}", {"narrative": text})
        saved = answer(session, submission, f"objective:{number}", "narrative")
        assert (saved.language, saved.language_set) == (code, False)


def test_the_writers_choice_is_kept_over_later_saves_until_they_go_back_to_detected(session: Session) -> None:
    submission = make_submission(session)
    fp = make_user(session, role=Role.focal_point, country="PHL")
    part = "objective:1"
    assert edit_part(session, fp, submission, part, narrative=FRENCH)
    assert answer(session, submission, part, "narrative").language == "fr"
    # The writer says it is English (a quotation, say): saved although the text did not change.
    assert edit_part(session, fp, submission, part, **{"narrative.language": "en"})
    corrected = answer(session, submission, part, "narrative")
    assert (corrected.language, corrected.language_set) == ("en", True)
    # A later edit of the text (the form's select still says English, or a client that sends no select) keeps it.
    assert edit_part(session, fp, submission, part, narrative=FRENCH + " Encore.", **{"narrative.language": "en"})
    assert edit_part(session, fp, submission, part, narrative=FRENCH + " Toujours.")
    kept = answer(session, submission, part, "narrative")
    assert (kept.language, kept.language_set) == ("en", True)
    assert not edit_part(session, fp, submission, part, **{"narrative.language": "en"})  # nothing changed
    # Back to "detected": detected again.
    assert edit_part(session, fp, submission, part, **{"narrative.language": ""})
    detected = answer(session, submission, part, "narrative")
    assert (detected.language, detected.language_set) == ("fr", False)


def test_the_form_offers_a_labelled_language_select_that_saves(client: TestClient, session: Session) -> None:
    submission = make_submission(session)
    fp = make_user(session, role=Role.focal_point, country="PHL")
    set_answers(session, submission, "objective:1", {"narrative": RUSSIAN})
    sign_in(client, fp)
    url = f"/submissions/{submission.id}/objectives/1"
    page = client.get(url).text
    assert '<label for="narrative-language">Language of this answer</label>' in page
    assert '<select id="narrative-language" name="narrative.language">' in page
    assert "Detected: Russian</option>" in page
    report = next(r for r in submission.objective_reports if r.objective.number == 1)
    form = {"version": report.version, "reporting": "reported", "progress_rating": "3", "narrative": RUSSIAN}
    response = post_form(client, url, {**form, "narrative.language": "zh"}, follow_redirects=False)
    assert response.status_code == 303
    assert answer(session, submission, "objective:1", "narrative").language == "zh"
    assert '<option value="zh" selected>' in client.get(url).text


def test_the_review_page_marks_an_answer_in_another_language(client: TestClient, session: Session) -> None:
    submission = submission_with_status(session, "THA", SubmissionStatus.submitted)
    set_answers(session, submission, "objective:2", {"narrative": RUSSIAN, "challenges": ENGLISH})
    sign_in(client, make_user(session, role=Role.secretariat))
    page = client.get(f"/submissions/{submission.id}/objectives/2").text
    assert '<div class="readonly-text" id="narrative" lang="ru">' in page
    assert '<div class="readonly-text" id="challenges">' in page  # English, as the page
    set_answers(session, submission, "objective:2", {"narrative": FRENCH})
    in_french = client.get(f"/submissions/{submission.id}/objectives/2?lang=fr").text
    assert '<html lang="fr">' in in_french
    assert '<div class="readonly-text" id="narrative">' in in_french  # French, as the page now
    assert '<div class="readonly-text" id="challenges" lang="en">' in in_french


def test_the_objective_page_marks_answers_in_another_language(client: TestClient, session: Session) -> None:
    submission = submission_with_status(session, "THA", SubmissionStatus.published)
    report = submission.objective_reports[0]
    number = report.objective.number
    set_answers(session, submission, f"objective:{number}", {"narrative": FRENCH, "good_practices": CHINESE})
    page = client.get(f"/dashboards/objectives/{number}?cycle={submission.review_cycle_id}").text
    assert '<div class="readonly-text" lang="fr">' in page
    assert f'id="practice-{report.id}"><div lang="zh-Hans">' in page


def test_the_api_reads_each_answers_language_and_takes_the_writers(client: TestClient, session: Session) -> None:
    from tests.api.helpers import auth_for, review

    submission, focal = review(session, "THA")
    headers = auth_for(session, focal)
    url = f"/api/v1/submissions/{submission.id}/answers"
    body = {"part": "section:preparation", "key": "preparation", "value": CHINESE, "version": 0}
    assert client.put(url, json=body, headers=headers).status_code == 200
    read = client.get(f"/api/v1/submissions/{submission.id}", headers=headers).json()
    assert read["answers"]["section:preparation"]["preparation"] | {"version": 0, "updated_at": ""} == {
        "value": CHINESE, "version": 0, "updated_at": "", "language": "zh", "language_set": False,
    }  # fmt: skip
    # The writer says it is English, the text unchanged: saved, with a new version; then back to detected.
    assert client.put(url, json=body | {"version": 1, "language": "en"}, headers=headers).json()["version"] == 2
    saved = answer(session, submission, "section:preparation", "preparation")
    assert (saved.language, saved.language_set) == ("en", True)
    assert client.put(url, json=body | {"version": 2, "value": CHINESE + "。"}, headers=headers).status_code == 200
    assert answer(session, submission, "section:preparation", "preparation").language == "en"  # kept
    assert client.put(url, json=body | {"version": 3, "language": ""}, headers=headers).status_code == 200
    back = answer(session, submission, "section:preparation", "preparation")
    assert (back.language, back.language_set) == ("zh", False)
    assert client.put(url, json=body | {"version": 4, "language": "de"}, headers=headers).status_code == 422
