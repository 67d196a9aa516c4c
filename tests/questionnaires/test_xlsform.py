"""The questionnaire as an XLSForm-style workbook: export then import gives back the same definition, translations
and custom questions included; a bad workbook is refused whole with its sheet and row, and nothing changes."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.orm import Session

from app.cycles.models import CycleStatus
from app.questionnaires import service, xlsform
from app.questionnaires.defaults import default_definition
from app.questionnaires.schemas import Definition, DefinitionInvalid, parse
from tests.factories import make_cycle
from tests.test_cli import cli_db, gcm  # noqa: F401


def _custom() -> Definition:
    data = default_definition().as_json()
    data["sections"][0]["label"]["fr"] = "Comment l'examen a été préparé"
    data["sections"][0]["questions"].append(
        {
            "key": "covid",
            "type": "yes_no",
            "label": {"en": "Did COVID-19 affect implementation?", "ru": "Повлиял ли COVID-19?"},
        }
    )
    data["sections"][0]["questions"].append(
        {"key": "covid_how", "type": "long_text", "label": {"en": "How?", "zh": "如何？"}, "max_length": 2000,
         "show_if": {"key": "covid", "equals": True}}
    )  # fmt: skip
    data["objective_questions"].append(
        {"key": "budget", "type": "number", "label": {"en": "Budget"}, "min": 0, "max": 1e9, "unit": "USD",
         "objectives": [1, 2, 23]}
    )  # fmt: skip
    data["objective_questions"].append(
        {"key": "level", "type": "multiple_choice", "label": {"en": "Level"},
         "choices": [{"value": "national", "label": {"en": "National", "fr": "National"}},
                     {"value": "local", "label": {"en": "Local"}}]}
    )  # fmt: skip
    return parse(data)


def test_a_workbook_round_trip_gives_back_the_same_definition() -> None:
    definition = _custom()
    workbook = xlsform.to_workbook(definition)
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    header = [c.value for c in book["survey"][1]]
    assert header[:3] == ["type", "name", "label::English (en)"] and "label::French (fr)" in header
    assert "relevant" in header and "required" in header
    types = [row[0] for row in book["survey"].iter_rows(min_row=2, values_only=True)]
    assert "begin_group" in types and "begin_repeat" in types and "select_multiple level_choices" in types
    assert parse(xlsform.from_workbook(workbook)).as_json() == definition.as_json()


def test_a_bad_workbook_is_refused_with_its_sheet_and_row(session: Session) -> None:
    cycle = make_cycle(session, status=CycleStatus.planned)
    before = service.definition_for(session, cycle).as_json()
    book = openpyxl.load_workbook(io.BytesIO(xlsform.to_workbook(_custom())))
    survey = book["survey"]
    survey.cell(row=3, column=1, value="select_one nowhere")  # a list that is not on the choices sheet
    relevant = [c.value for c in survey[1]].index("relevant") + 1
    survey.cell(row=4, column=relevant, value="covid is yes")  # a condition not written as XLSForm writes it
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(DefinitionInvalid) as caught:
        service.replace_definition(session, cycle=cycle, data=xlsform.from_workbook(out.getvalue()))
    where = {p.where for p in caught.value.problems}
    assert {"survey!3", "survey!4"} <= where
    assert service.definition_for(session, cycle).as_json() == before
    with pytest.raises(DefinitionInvalid, match="problems"):
        xlsform.from_workbook(b"not a workbook")


def test_the_definitions_own_rules_are_said_by_sheet_and_row(session: Session) -> None:
    """A workbook that reads well but breaks the definition's rules (a duplicate key, a condition on a missing
    question, a label without English): each problem names the survey or choices row it comes from."""
    cycle = make_cycle(session, status=CycleStatus.planned)
    before = service.definition_for(session, cycle).as_json()
    book = openpyxl.load_workbook(io.BytesIO(xlsform.to_workbook(_custom())))
    survey = book["survey"]
    header = [c.value for c in survey[1]]
    rows = {row[1].value: row[0].row for row in survey.iter_rows(min_row=2) if row[1].value}
    survey.cell(row=rows["covid"], column=2, value="preparation")  # the section's own question's key, again
    survey.cell(row=rows["covid_how"], column=header.index("relevant") + 1, value="${nothing} = 'yes'")
    survey.cell(row=rows["budget"], column=header.index("label::English (en)") + 1).value = None  # no English
    out = io.BytesIO()
    book.save(out)
    definition, where_in_book = xlsform.read(out.getvalue())
    with pytest.raises(DefinitionInvalid) as caught:
        service.replace_definition(session, cycle=cycle, data=definition)
    located = {p.where.split(" ")[0] for p in xlsform.locate(caught.value.problems, where_in_book)}
    assert {f"survey!{rows['covid']}", f"survey!{rows['covid_how']}", f"survey!{rows['budget']}"} <= located
    assert service.definition_for(session, cycle).as_json() == before


def test_the_cli_exports_and_imports_a_workbook(cli_db: str, tmp_path: Path) -> None:  # noqa: F811
    gcm("db", "upgrade")
    gcm("seed")
    gcm("cycle", "create", "--name", "Workbook cycle", "--opens", "2029-01-01", "--deadline", "2029-06-30",
        "--closes", "2029-12-31")  # fmt: skip
    file = tmp_path / "questionnaire.xlsx"
    file.write_bytes(xlsform.to_workbook(_custom()))
    assert "replaced" in gcm("questionnaire", "import", "Workbook cycle", str(file))
    again = tmp_path / "again.xlsx"
    gcm("questionnaire", "export", "Workbook cycle", str(again))
    assert parse(xlsform.from_workbook(again.read_bytes())).as_json() == _custom().as_json()


def test_a_zip_bomb_is_refused_before_it_is_opened() -> None:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * 10_000_000)  # 60 MB of nothing
    with pytest.raises(DefinitionInvalid) as caught:
        xlsform.from_workbook(out.getvalue())
    assert "was not opened" in caught.value.problems[0].message
