"""API v1 answer writes (PUT /api/v1/submissions/{id}/answers): one answer at a time, by a focal point of the
country while the part is editable; the value checked against the cycle's questionnaire (422 with the reason, nothing
saved); each answer's version as the optimistic lock (409 with the answer as it is now, nothing saved)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.questionnaires import service as questionnaires
from app.submissions.models import Answer, AnswerChoice, ObjectiveReport, Submission, SubmissionStatus
from tests.api.helpers import auth, auth_for, review
from tests.factories import make_cycle, set_answers

CUSTOM = [
    {"key": "helpline", "type": "yes_no", "label": {"en": "Is there a helpline for migrants?"}},
    {
        "key": "channels",
        "type": "multiple_choice",
        "label": {"en": "How migrants are informed"},
        "choices": [
            {"value": "radio", "label": {"en": "Radio"}},
            {"value": "online", "label": {"en": "Online"}},
            {"value": "posters", "label": {"en": "Posters"}},
        ],
    },
    {"key": "centres", "type": "number", "label": {"en": "Resource centres"}, "min": 0, "max": 100},
    {"key": "motto", "type": "short_text", "label": {"en": "The campaign's motto"}, "max_length": 20},
]


def _answers(session: Session, submission: Submission) -> list[tuple[Any, ...]]:
    """The review's answers as the database has them now (what the requests committed)."""
    stmt = select(Answer.part, Answer.key, Answer.value, Answer.version).where(Answer.submission_id == submission.id)
    return sorted(tuple(row) for row in session.execute(stmt).all())


def _put(client: TestClient, submission: Submission, headers: dict[str, str], **body: Any) -> Any:
    return client.put(f"/api/v1/submissions/{submission.id}/answers", json=body, headers=headers)


def _with_custom_questions(session: Session, iso3: str = "THA") -> tuple[Submission, dict[str, str]]:
    """A draft of a cycle whose questionnaire asks the CUSTOM questions in its first section, and its focal point."""
    cycle = make_cycle(session)
    for question in CUSTOM:
        questionnaires.add_question(session, cycle=cycle, part="section:preparation", question=question, version=None)
    submission, focal = review(session, iso3, cycle=cycle)
    return submission, auth_for(session, focal)


def test_a_focal_point_saves_a_text_with_the_version_read(client: TestClient, session: Session) -> None:
    submission, focal = review(session, "THA")
    headers = auth_for(session, focal)
    part = "section:preparation"
    response = _put(client, submission, headers, part=part, key="preparation", value="  Ministries met. ", version=0)
    assert response.status_code == 200, response.text
    assert response.json() == {"part": part, "key": "preparation", "value": "Ministries met.", "version": 1}
    again = _put(client, submission, headers, part=part, key="preparation", value="Ministries met twice.", version=1)
    assert again.status_code == 200 and again.json()["version"] == 2
    read = client.get(f"/api/v1/submissions/{submission.id}", headers=headers).json()
    assert read["answers"][part]["preparation"]["value"] == "Ministries met twice."
    assert read["answers"][part]["preparation"]["version"] == 2
    assert read["sections"][0]["complete"]
    # Cleared (null, or an empty text): the answer keeps its row and its version, for the next save to send.
    cleared = _put(client, submission, headers, part=part, key="preparation", value=None, version=2)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json() == {"part": part, "key": "preparation", "value": None, "version": 3}
    after = client.get(f"/api/v1/submissions/{submission.id}", headers=headers).json()
    assert after["answers"][part]["preparation"]["value"] is None and not after["sections"][0]["complete"]
    assert after["answers"][part]["preparation"]["version"] == 3
    assert _put(client, submission, headers, part=part, key="preparation", value="Again.", version=0).status_code == 409
    again = _put(client, submission, headers, part=part, key="preparation", value="Again.", version=3)
    assert again.status_code == 200 and again.json()["version"] == 4
    emptied = _put(client, submission, headers, part=part, key="preparation", value="  ", version=4)
    assert emptied.json() == {"part": part, "key": "preparation", "value": None, "version": 5}
    never = _put(client, submission, headers, part=part, key="unused", value=None, version=0)
    assert never.status_code == 422  # not a question of the section
    untouched = _put(client, submission, headers, part="section:next_steps", key="next_steps", value=None, version=0)
    assert untouched.json() == {"part": "section:next_steps", "key": "next_steps", "value": None, "version": 0}


def test_a_rating_and_principles_are_saved_and_the_report_derived(client: TestClient, session: Session) -> None:
    submission, focal = review(session, "THA")
    headers = auth_for(session, focal)
    rating = _put(client, submission, headers, part="objective:6", key="progress_rating", value=4, version=0)
    assert rating.status_code == 200, rating.text
    assert rating.json() == {"part": "objective:6", "key": "progress_rating", "value": 4, "version": 1}
    principles = _put(client, submission, headers, part="objective:6", key="principles", value=["d", "a"], version=0)
    assert principles.status_code == 200 and principles.json()["value"] == ["a", "d"]
    report = client.get(f"/api/v1/submissions/{submission.id}/objectives/6", headers=headers).json()
    assert report["rating"] == 4 and report["answers"]["principles"]["value"] == ["a", "d"]
    assert session.scalar(select(ObjectiveReport.rating).where(ObjectiveReport.id == _report_id(submission, 6))) == 4
    not_reported = _put(client, submission, headers, part="objective:7", key="reporting", value="not_reported",
                        version=_version(client, submission, headers, "objective:7", "reporting"))  # fmt: skip
    assert not_reported.status_code == 200, not_reported.text
    summary = client.get(f"/api/v1/submissions/{submission.id}", headers=headers).json()["objective_reports"]
    assert summary[6]["reporting"] == "not_reported" and not summary[6]["complete"]


def _report_id(submission: Submission, number: int) -> int:
    return next(r.id for r in submission.objective_reports if r.objective.number == number)


def _version(client: TestClient, submission: Submission, headers: dict[str, str], part: str, key: str) -> int:
    answers = client.get(f"/api/v1/submissions/{submission.id}", headers=headers).json()["answers"][part]
    return int(answers[key]["version"]) if key in answers else 0


def test_custom_questions_take_a_choice_list_a_yes_no_and_a_number(client: TestClient, session: Session) -> None:
    submission, headers = _with_custom_questions(session)
    part = "section:preparation"
    channels = _put(client, submission, headers, part=part, key="channels", value=["posters", "radio"], version=0)
    assert channels.status_code == 200, channels.text
    assert channels.json() == {"part": part, "key": "channels", "value": ["radio", "posters"], "version": 1}
    helpline = _put(client, submission, headers, part=part, key="helpline", value=False, version=0)
    assert helpline.status_code == 200 and helpline.json()["value"] is False
    centres = _put(client, submission, headers, part=part, key="centres", value=12.0, version=0)
    assert centres.status_code == 200 and centres.json()["value"] == 12
    chosen = select(AnswerChoice.value).join(Answer, Answer.id == AnswerChoice.answer_id)
    chosen = chosen.where(Answer.submission_id == submission.id, Answer.key.in_(["channels", "helpline"]))
    assert sorted(session.scalars(chosen)) == ["false", "posters", "radio"]
    read = client.get(f"/api/v1/submissions/{submission.id}", headers=headers).json()["answers"][part]
    assert read["channels"]["value"] == ["radio", "posters"] and read["helpline"]["value"] is False
    assert read["centres"] == {**read["centres"], "value": 12, "version": 1}


def test_a_stale_version_is_409_with_the_answer_as_it_is_now(client: TestClient, session: Session) -> None:
    submission, focal = review(session, "THA")
    headers = auth_for(session, focal)
    part = "objective:3"
    assert _put(client, submission, headers, part=part, key="narrative", value="First.", version=0).status_code == 200
    before = _answers(session, submission)
    stale = _put(client, submission, headers, part=part, key="narrative", value="Second.", version=0)
    assert stale.status_code == 409
    assert stale.json()["message"] and stale.json()["current"] == {
        "part": part, "key": "narrative", "value": "First.", "version": 1,
    }  # fmt: skip
    never = _put(client, submission, headers, part=part, key="challenges", value="Funding.", version=3)
    assert never.status_code == 409
    assert never.json()["current"] == {"part": part, "key": "challenges", "value": None, "version": 0}
    assert _answers(session, submission) == before


@pytest.mark.parametrize(
    ("part", "key", "value", "reason"),
    [
        ("section:preparation", "preparation", 3, "Give a text"),  # wrong type
        ("section:preparation", "helpline", "yes", "yes (true) or no (false)"),  # wrong type
        ("section:preparation", "channels", ["radio", "television"], "Choose among the choices"),  # unknown choice
        ("objective:2", "reporting", "maybe", "Choose one of the choices"),  # unknown choice
        ("objective:2", "principles", ["z"], "guiding principles"),  # unknown code
        ("objective:2", "commitments", ["XYZ-2020-001"], "pledges"),  # not a pledge of the country
        ("section:preparation", "motto", "Safe, orderly and regular migration", "20 characters"),  # over the limit
        ("objective:2", "not_reported_reason", "x" * 1_001, "1,000 characters"),  # over the limit
        ("objective:2", "progress_rating", 9, "step of the progress scale"),  # out of range
        ("section:preparation", "centres", 101, "at most 100"),  # out of range
        ("section:preparation", "centres", -1, "at least 0"),  # out of range
    ],
)
def test_a_value_that_does_not_fit_is_422_with_the_reason_and_saves_nothing(
    client: TestClient, session: Session, part: str, key: str, value: Any, reason: str
) -> None:
    submission, headers = _with_custom_questions(session)
    before = _answers(session, submission)
    response = _put(client, submission, headers, part=part, key=key, value=value, version=0)
    assert response.status_code == 422, response.text
    assert reason in response.json()["message"]
    assert response.json()["errors"] == [{"field": "value", "message": response.json()["message"]}]
    assert _answers(session, submission) == before


def test_an_unknown_part_or_question_is_422_naming_it(client: TestClient, session: Session) -> None:
    submission, focal = review(session, "THA")
    headers = auth_for(session, focal)
    before = _answers(session, submission)
    for part, key, field in (
        ("section:budget", "budget", "part"),
        ("objective:24", "narrative", "part"),
        ("section:preparation", "narrative", "key"),  # an objective question, not a section's
        ("objective:4", "unknown", "key"),
    ):
        response = _put(client, submission, headers, part=part, key=key, value="Text.", version=0)
        assert response.status_code == 422, (part, key)
        assert [e["field"] for e in response.json()["errors"]] == [field] and part in response.json()["message"]
    malformed = _put(client, submission, headers, part="preparation", key="preparation", value="Text.", version=0)
    assert malformed.status_code == 422 and malformed.json()["errors"][0]["field"] == "part"
    not_a_value = _put(client, submission, headers, part="objective:4", key="narrative", value={"a": 1}, version=0)
    assert not_a_value.status_code == 422
    assert _answers(session, submission) == before


def test_another_states_review_is_not_found(client: TestClient, session: Session) -> None:
    draft, _focal = review(session, "VNM")
    published, _other = review(session, "LAO", SubmissionStatus.published)
    headers = auth(session, Role.focal_point, "THA")
    for submission in (draft, published):
        before = _answers(session, submission)
        response = _put(client, submission, headers, part="objective:1", key="narrative", value="Ours.", version=0)
        assert response.status_code == 404 and response.json()["message"]
        assert _answers(session, submission) == before
    assert _put(client, draft, headers, part="x", key="y", value=None, version=0).status_code == 422  # body first
    unknown = client.put("/api/v1/submissions/999999/answers", headers=headers,
                         json={"part": "objective:1", "key": "narrative", "value": "Ours.", "version": 0})  # fmt: skip
    assert unknown.status_code == 404


def test_a_submitted_review_and_parts_not_reopened_are_read_only(client: TestClient, session: Session) -> None:
    submission, focal = review(session, "THA", SubmissionStatus.submitted)
    headers = auth_for(session, focal)
    before = _answers(session, submission)
    refused = _put(client, submission, headers, part="objective:1", key="narrative", value="Late.", version=0)
    assert refused.status_code == 409 and "read-only" in refused.json()["message"]
    assert "current" not in refused.json()
    submission.status = SubmissionStatus.changes_requested
    next(r for r in submission.objective_reports if r.objective.number == 2).reopened = True
    session.flush()
    kept = _put(client, submission, headers, part="objective:1", key="narrative", value="Late.", version=0)
    assert kept.status_code == 409 and "did not ask for changes" in kept.json()["message"]
    assert _answers(session, submission) == before
    reopened = _put(client, submission, headers, part="objective:2", key="narrative", value="Revised.", version=0)
    assert reopened.status_code == 200, reopened.text


def test_only_the_countrys_focal_points_write_answers(client: TestClient, session: Session) -> None:
    submission, _focal = review(session, "THA")
    set_answers(session, submission, "objective:1", {"narrative": "As the State wrote it."})
    before = _answers(session, submission)
    body = {"part": "objective:1", "key": "narrative", "value": "Changed.", "version": 1}
    for role in (Role.secretariat, Role.admin):
        response = _put(client, submission, auth(session, role), **body)
        assert response.status_code == 403, role
        assert response.json()["message"]
    submission.status = SubmissionStatus.approved
    session.flush()
    assert _put(client, submission, auth(session, Role.preparer), **body).status_code == 403
    no_token = client.put(f"/api/v1/submissions/{submission.id}/answers", json=body)
    assert no_token.status_code == 401 and no_token.json()["message"]
    bad_token = _put(client, submission, {"Authorization": "Bearer nope"}, **body)
    assert bad_token.status_code == 401
    assert _answers(session, submission) == before


def test_the_answer_write_is_documented(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/api/v1/submissions/{submission_id}/answers"]["put"]
    assert {"200", "401", "403", "404", "409", "422"} <= set(operation["responses"])
    conflict = operation["responses"]["409"]["content"]["application/json"]["schema"]["$ref"]
    assert conflict.endswith("/AnswerConflictResponse")
