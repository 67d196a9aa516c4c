"""Exports and the synthesis follow the cycle's questionnaire: custom questions become columns of the objective
reports, rows of the answers dataset, tables (choices) and quotes (texts) of the synthesis."""

from __future__ import annotations

import csv
import io
import json

import docx
import openpyxl
import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.cycles.models import ReviewCycle
from app.exports import render
from app.exports.columns import question_columns
from app.exports.content import Table, text_of
from app.exports.reports import build_synthesis
from app.questionnaires.defaults import default_definition
from app.questionnaires.service import add_question, definition_for
from app.submissions.models import Submission, SubmissionStatus
from tests.exports.helpers import review
from tests.factories import make_cycle, make_user, set_answers, sign_in

pytestmark = pytest.mark.usefixtures("no_worker")

CONSULTED = {
    "key": "civil_society_consulted",
    "type": "yes_no",
    "label": {"en": "Were civil society organisations consulted?"},
}
FUNDING = {
    "key": "funding",
    "type": "single_choice",
    "label": {"en": "Main source of funding"},
    "choices": [
        {"value": "national", "label": {"en": "National budget"}},
        {"value": "donor", "label": {"en": "Development partners"}},
    ],
}
LESSONS = {"key": "lessons", "type": "short_text", "label": {"en": "Lessons for other States"}}
PHL_LESSON = "Start the bilateral labour agreements with the destination's employers in the room."


def _cycle(session: Session) -> ReviewCycle:
    cycle = make_cycle(session)
    add_question(session, cycle=cycle, part="section:preparation", question=CONSULTED, version=None)
    add_question(session, cycle=cycle, part="objective", question=FUNDING, version=None)
    add_question(session, cycle=cycle, part="objective", question=LESSONS, version=None)
    return cycle


def _reviews(session: Session, cycle: ReviewCycle) -> dict[str, Submission]:
    made = {
        "PHL": review(session, cycle, "PHL", SubmissionStatus.approved),
        "FJI": review(session, cycle, "FJI", SubmissionStatus.published),
        "USA": review(session, cycle, "USA", SubmissionStatus.published),  # outside the region: quoted, not counted
        "BGD": review(session, cycle, "BGD", SubmissionStatus.draft),  # never in a report, nor a preparer's export
    }
    answers = {
        "PHL": (True, "donor", PHL_LESSON),
        "FJI": (False, "national", ""),
        "USA": (True, "donor", "A lesson of a member outside the region."),
        "BGD": (True, "donor", "A draft lesson."),
    }
    for iso3, (consulted, funding, lesson) in answers.items():
        submission = made[iso3]
        set_answers(session, submission, "section:preparation", {"civil_society_consulted": consulted})
        set_answers(session, submission, "objective:6", {"funding": funding, "lessons": lesson})
    return made


def _csv(client: TestClient, **params: str) -> list[dict[str, str]]:
    response = client.get("/exports/download", params={"format": "csv", **params})
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_objective_reports_have_a_column_per_question_of_the_questionnaire(
    client: TestClient, session: Session
) -> None:
    cycle = _cycle(session)
    made = _reviews(session, cycle)
    other = make_cycle(session)  # the default questionnaire: no custom question
    review(session, other, "THA", SubmissionStatus.published)
    sign_in(client, make_user(session, role=Role.secretariat))

    rows = _csv(client, dataset="objective_reports", cycle=str(cycle.id))
    header = list(rows[0])
    keys = [q.key for q in definition_for(session, cycle).objective_questions]
    assert header[header.index("round_table") + 1 : -1] == keys  # in the questionnaire's order, then updated_at
    assert keys[-2:] == ["funding", "lessons"] and header[-1] == "updated_at"
    by = {(r["country_iso3"], int(r["objective"])): r for r in rows}
    assert by["PHL", 6]["funding"] == "Development partners" and by["FJI", 6]["funding"] == "National budget"
    assert by["PHL", 6]["lessons"] == PHL_LESSON and by["PHL", 5]["funding"] == ""
    assert by["PHL", 6]["progress_rating"] == "3. Under way" and by["PHL", 6]["reporting"] == "Reported"
    assert by["PHL", 23]["reporting"] == "Not reported this cycle"
    assert by["PHL", 23]["not_reported_reason"] == "Not a priority this cycle."
    assert int(by["PHL", 6]["submission_id"]) == made["PHL"].id

    # Every cycle: the union of their questionnaires' questions; a cycle that does not ask one leaves it empty.
    everything = _csv(client, dataset="objective_reports")
    assert "funding" in everything[0]
    assert {r["funding"] for r in everything if r["country_iso3"] == "THA"} == {""}

    response = client.get("/exports/download", params={"format": "xlsx", "cycle": str(cycle.id)})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["Objective reports"]
    header = [c.value for c in sheet[1]]
    assert "funding" in header and "lessons" in header
    cells = [dict(zip(header, [c.value for c in r], strict=True)) for r in sheet.iter_rows(min_row=2)]
    assert {c["funding"] for c in cells if c["objective"] == 6} == {"Development partners", "National budget"}


def test_the_answers_dataset_has_a_row_per_question_answered(client: TestClient, session: Session) -> None:
    cycle = _cycle(session)
    made = _reviews(session, cycle)
    sign_in(client, make_user(session, role=Role.preparer))

    rows = _csv(client, dataset="answers", cycle=str(cycle.id))
    assert {r["country_iso3"] for r in rows} == {"PHL", "FJI", "USA"}  # the draft is never a preparer's
    assert "A draft lesson." not in json.dumps(rows)
    phl = [r for r in rows if r["country_iso3"] == "PHL"]
    assert {r["submission_id"] for r in phl} == {str(made["PHL"].id)}
    consulted = next(r for r in phl if r["question_key"] == "civil_society_consulted")
    assert consulted["part"] == "section:preparation" and consulted["objective"] == ""
    assert consulted["question_label"] == "Were civil society organisations consulted?"
    assert (consulted["question_type"], consulted["value"], consulted["raw_value"]) == ("yes_no", "Yes", "true")
    assert consulted["cycle"] == cycle.name and consulted["country"] == "Philippines"
    assert consulted["status"] == "approved"
    funding = next(r for r in phl if r["question_key"] == "funding")
    assert (funding["part"], funding["objective"], funding["question_label"]) == (
        "objective:6",
        "6",
        "Main source of funding",
    )
    assert (funding["question_type"], funding["value"], funding["raw_value"]) == (
        "single_choice",
        "Development partners",
        '"donor"',
    )
    rating = next(r for r in phl if r["question_key"] == "progress_rating" and r["objective"] == "6")
    assert (rating["value"], rating["raw_value"]) == ("3. Under way", "3")
    # A review's answers come in the questionnaire's order: the general sections, then objective 1 to 23.
    parts = [r["part"] for r in phl]
    assert parts.index("section:preparation") < parts.index("objective:1") < parts.index("objective:23")
    six = [r["question_key"] for r in phl if r["part"] == "objective:6"]
    assert six == ["reporting", "progress_rating", "narrative", "funding", "lessons"]
    fji = [r["question_key"] for r in rows if r["country_iso3"] == "FJI" and r["part"] == "objective:6"]
    assert fji == ["reporting", "progress_rating", "narrative", "funding"]  # an empty text is not an answer
    assert all(r["raw_value"] != "null" for r in rows)

    only_six = _csv(client, dataset="answers", cycle=str(cycle.id), objective="6")
    assert {r["part"] for r in only_six} == {"objective:6"}
    body = json.loads(client.get("/exports/download", params={"format": "json", "dataset": "answers"}).content)
    item = next(a for a in body["datasets"]["answers"] if a["question_key"] == "funding" and a["country_iso3"] == "FJI")
    assert item["value"] == "National budget" and json.loads(item["raw_value"]) == "national" and item["objective"] == 6
    page = client.get("/exports").text
    assert 'value="answers"' in page


def _table(doc_tables: list[Table], caption_start: str) -> list[list[str]]:
    table = next(t for t in doc_tables if t.caption.startswith(caption_start))
    return [[text_of(cell) for cell in row] for row in table.rows]


def test_the_synthesis_tabulates_choice_questions_and_quotes_text_questions(session: Session) -> None:
    cycle = _cycle(session)
    _reviews(session, cycle)
    doc = build_synthesis(session, cycle)
    tables = [b for b in doc.blocks if isinstance(b, Table)]

    consulted = _table(tables, "Were civil society organisations consulted?, How the review was prepared")
    assert [row[:2] for row in consulted] == [["Yes", "1"], ["No", "1"]]  # the USA is not counted, BGD is a draft
    assert consulted[0][2].startswith("Philippines [") and consulted[1][2].startswith("Fiji [")
    funding = _table(tables, "Main source of funding, objective 6")
    assert [row[:2] for row in funding] == [["National budget", "1"], ["Development partners", "1"]]
    assert funding[1][2].startswith("Philippines [")
    assert [row[:2] for row in _table(tables, "Main source of funding, objective 5")] == [
        ["National budget", "0"],
        ["Development partners", "0"],
        ["No answer", "2"],
    ]
    ratings = _table(tables, "Progress ratings, objective 6")
    assert ratings[2][:2] == ["Under way", "2"]  # ObjectiveReport.rating, on the questionnaire's scale

    data = render.to_docx(doc)
    paragraphs = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    text = "\n".join(paragraphs)
    assert PHL_LESSON in text and "A lesson of a member outside the region." in text and "A draft lesson." not in text
    quote = paragraphs.index(next(p for p in paragraphs if PHL_LESSON in p))
    number = paragraphs[quote + 1].split("[")[1].split("]")[0]
    reference = next(p for p in paragraphs if p.startswith(f"[{number}] "))
    assert reference == (
        f"[{number}] Philippines, {cycle.name}, objective 6 (Recruitment and decent work), Lessons for other States"
    )
    assert "About preparation." in text  # a section's text is quoted too


def test_a_question_named_like_an_identifying_column_gets_a_prefix() -> None:
    definition = default_definition()
    definition.objective_questions[-1].key = "country"
    columns = question_columns([definition], ["country", "objective"])
    assert columns[-1].key == "country" and columns[-1].name == "answer_country"
    assert [c.kind for c in columns if c.key in ("narrative", "progress_rating")] == ["str", "text"]
