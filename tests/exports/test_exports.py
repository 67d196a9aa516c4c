"""Data exports: what each role may see, the filters, and the files read back (csv, openpyxl, json)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime

import openpyxl
from sqlalchemy import insert
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.exports.formats import stream_xlsx
from app.exports.queries import Column
from app.indicators.models import IndicatorValue
from app.submissions.models import SubmissionStatus
from tests.commitments.helpers import make_commitment
from tests.exports.helpers import review
from tests.factories import make_cycle, make_user, set_answers, sign_in
from tests.indicators.helpers import country_id, indicator, make_value

FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"]
# Answers are stored trimmed, so a leading tab or carriage return comes from other data (a pledge's, an indicator's).
BLANK_PREFIXED = ["\tTab", "\rReturn"]


def _csv(client: TestClient, **params: str) -> list[dict[str, str]]:
    response = client.get("/exports/download", params={"format": "csv", **params})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment;" in response.headers["content-disposition"]
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _signed_in(client: TestClient, session: Session, role: Role, country: str | None = None) -> None:
    sign_in(client, make_user(session, role=role, country=country))


def test_preparer_never_gets_drafts_or_submissions_under_review(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session)
    approved = review(session, cycle, "PHL", SubmissionStatus.approved)
    published = review(session, cycle, "FJI", SubmissionStatus.published)
    review(session, cycle, "BGD", SubmissionStatus.draft, practice="Secret draft practice")
    review(session, cycle, "NPL", SubmissionStatus.submitted)
    _signed_in(client, session, Role.preparer)
    rows = _csv(client, dataset="submissions", cycle=str(cycle.id))
    assert sorted(int(r["submission_id"]) for r in rows) == sorted([approved.id, published.id])
    assert {r["status"] for r in rows} == {"approved", "published"}
    reports = _csv(client, dataset="objective_reports", cycle=str(cycle.id))
    assert {r["country_iso3"] for r in reports} == {"PHL", "FJI"}
    assert "Secret draft practice" not in json.dumps(reports)
    # Asking for drafts explicitly gives nothing either.
    assert _csv(client, dataset="submissions", cycle=str(cycle.id), status="draft") == []


def test_focal_point_exports_their_own_country_and_what_is_published(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session)
    own = review(session, cycle, "PHL", SubmissionStatus.draft)
    public = review(session, cycle, "FJI", SubmissionStatus.published)
    review(session, cycle, "THA", SubmissionStatus.approved)  # accepted but not published: not for other States
    make_commitment(session, country="PHL")
    make_commitment(session, country="FJI", title="Fiji pledge")
    make_commitment(session, country="THA", title="Thai pledge")
    make_value(session, country="PHL", value=10)
    make_value(session, country="FJI", value=20)
    make_value(session, country="THA", value=30)
    _signed_in(client, session, Role.focal_point, "PHL")
    submissions = _csv(client, dataset="submissions")
    assert sorted(int(r["submission_id"]) for r in submissions) == sorted([own.id, public.id])  # their draft too
    assert {r["country_iso3"] for r in _csv(client, dataset="commitments")} == {"PHL", "FJI"}
    assert {r["country_iso3"] for r in _csv(client, dataset="indicator_values")} == {"PHL", "FJI"}


def test_secretariat_exports_every_status_filtered_by_subregion_and_status(
    client: TestClient, session: Session
) -> None:
    cycle = make_cycle(session)
    review(session, cycle, "PHL", SubmissionStatus.draft)  # South-East Asia
    review(session, cycle, "IDN", SubmissionStatus.submitted)  # South-East Asia
    review(session, cycle, "FJI", SubmissionStatus.draft)  # Pacific
    _signed_in(client, session, Role.secretariat)
    rows = _csv(client, dataset="submissions", cycle=str(cycle.id))
    assert {r["country_iso3"] for r in rows} == {"PHL", "IDN", "FJI"}
    page = client.get("/exports").text
    south_east = page.split(">South-East Asia<")[0].rsplit('value="', 1)[1].split('"')[0]
    rows = _csv(client, dataset="submissions", cycle=str(cycle.id), subregion=south_east, status="draft")
    assert [r["country_iso3"] for r in rows] == ["PHL"]
    assert rows[0]["subregion"] == "South-East Asia"


def test_objective_filter_applies_to_reports_commitments_and_indicators(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session)
    review(session, cycle, "PHL", SubmissionStatus.approved)
    make_commitment(session, country="PHL", objectives=["3"], title="On objective 3")
    make_commitment(session, country="PHL", objectives=["6"], title="On objective 6")
    _signed_in(client, session, Role.preparer)
    reports = _csv(client, dataset="objective_reports", cycle=str(cycle.id), objective="5")
    assert [r["objective"] for r in reports] == ["5"]
    assert [r["title"] for r in _csv(client, dataset="commitments", objective="3")] == ["On objective 3"]
    commitments = _csv(client, dataset="commitments")
    assert {r["objectives"].replace(" ", "") for r in commitments} == {"3", "6"}


def test_csv_neutralises_formulas_and_keeps_numbers(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session)
    submission = review(session, cycle, "PHL", SubmissionStatus.approved)
    for number, text in enumerate(FORMULAS, start=1):
        set_answers(session, submission, f"objective:{number}", {"narrative": text})
    make_value(session, country="PHL", value=-3.5, source="=cmd|' /C calc'!A0")
    for text in BLANK_PREFIXED:
        make_commitment(session, country="PHL").title = text  # the form would trim it
    session.flush()
    _signed_in(client, session, Role.secretariat)
    reports = _csv(client, dataset="objective_reports", cycle=str(cycle.id))
    narratives = [r["narrative"] for r in sorted(reports, key=lambda r: int(r["objective"]))][: len(FORMULAS)]
    assert narratives == ["'" + text for text in FORMULAS]
    answers = _csv(client, dataset="answers", cycle=str(cycle.id), objective="1")
    assert "'" + FORMULAS[0] in [a["value"] for a in answers if a["question_key"] == "narrative"]
    titles = {r["title"] for r in _csv(client, dataset="commitments")}
    assert titles == {"'" + text for text in BLANK_PREFIXED}
    (value,) = _csv(client, dataset="indicator_values")
    assert value["value"] == "-3.5"  # a number stays a number
    assert value["source"] == "'=cmd|' /C calc'!A0"
    assert value["sex"] == "total" and value["age_group"] == "total" and value["migratory_status"] == "total"


def test_xlsx_has_a_typed_sheet_per_dataset_with_a_frozen_header(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session)
    submission = review(session, cycle, "PHL", SubmissionStatus.approved)
    set_answers(session, submission, "objective:1", {"narrative": "=1+1"})
    make_commitment(session, country="PHL", title="@pledge")
    make_value(session, country="PHL", value=-12.25, period="2021")
    session.flush()
    _signed_in(client, session, Role.preparer)
    response = client.get("/exports/download", params={"format": "xlsx", "cycle": str(cycle.id)})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert ".xlsx" in response.headers["content-disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "About this export",  # what was exported: see test_every_export_describes_itself
        "Submissions",
        "Objective reports",
        "Answers",
        "Commitments",
        "Indicator values",
        "Input from stakeholders",
    ]
    for sheet in workbook.worksheets[1:]:
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].font.b
        assert sheet.column_dimensions["A"].width > 0
        # An autofilter over the header and every row written
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
    subs = workbook["Submissions"]
    header = [c.value for c in subs[1]]
    row = dict(zip(header, [c.value for c in subs[2]], strict=True))
    assert row["submission_id"] == submission.id and isinstance(row["submission_id"], int)
    assert row["in_region"] is True
    assert isinstance(row["updated_at (UTC)"], datetime)
    assert header[header.index("status") + 1] == "status_label" and row["status_label"] == "Approved"
    reports = workbook["Objective reports"]
    header = [c.value for c in reports[1]]
    narratives = [
        dict(zip(header, [c.value for c in r], strict=True))["narrative"] for r in reports.iter_rows(min_row=2)
    ]
    assert "'=1+1" in narratives
    assert all(c.data_type != "f" for r in reports.iter_rows() for c in r)  # no formula anywhere
    pledges = workbook["Commitments"]
    header = [c.value for c in pledges[1]]
    pledge = dict(zip(header, [c.value for c in pledges[2]], strict=True))
    assert pledge["title"] == "'@pledge"
    assert isinstance(pledge["timeframe_start"], date | datetime)
    assert pledge["timeframe_start"].year == 2025
    values = workbook["Indicator values"]
    header = [c.value for c in values[1]]
    value = dict(zip(header, [c.value for c in values[2]], strict=True))
    assert value["value"] == -12.25 and values.cell(2, header.index("value") + 1).data_type == "n"


def test_json_streams_every_dataset_or_the_one_chosen(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session)
    submission = review(session, cycle, "PHL", SubmissionStatus.published)
    make_value(session, country="PHL", value=7)
    _signed_in(client, session, Role.preparer)
    response = client.get("/exports/download", params={"format": "json", "cycle": str(cycle.id)})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    body = json.loads(response.content)
    assert set(body["datasets"]) == {
        "submissions",
        "objective_reports",
        "answers",
        "commitments",
        "indicator_values",
        "contributions",
    }
    assert body["filters"]["cycle_id"] == cycle.id
    assert [s["submission_id"] for s in body["datasets"]["submissions"]] == [submission.id]
    assert len(body["datasets"]["objective_reports"]) == len(submission.objective_reports)
    assert body["datasets"]["indicator_values"][0]["value"] == 7
    one = json.loads(client.get("/exports/download", params={"format": "json", "dataset": "commitments"}).content)
    assert list(one["datasets"]) == ["commitments"]


def test_bad_choices_re_render_the_form_with_messages(client: TestClient, session: Session) -> None:
    _signed_in(client, session, Role.preparer)
    response = client.get("/exports/download", params={"format": "csv", "objective": "99", "cycle": "abc"})
    assert response.status_code == 422
    assert 'id="objective-error"' in response.text and 'id="dataset-error"' in response.text
    assert 'id="cycle-error"' in response.text
    response = client.get("/exports/download", params={"format": "pdf"})
    assert response.status_code == 422 and 'id="format-error"' in response.text


def test_export_page_offers_filters_and_formats(client: TestClient, session: Session) -> None:
    review(session, make_cycle(session), "PHL", SubmissionStatus.published)
    _signed_in(client, session, Role.preparer)
    page = client.get("/exports")
    assert page.status_code == 200
    for name in ("dataset", "cycle", "subregion", "objective", "status", "report_cycle", "country"):
        assert f'<label for="{name}"' in page.text
    for value in ("xlsx", "csv", "json"):
        assert f'name="format" value="{value}"' in page.text
    assert 'href="/exports" aria-current="page"' in page.text  # the navigation link


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    response = client.get("/exports/download?format=csv&dataset=submissions", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_exports_stream_more_rows_than_one_batch(client: TestClient, session: Session) -> None:
    rows = [
        {
            "indicator_id": indicator(session, "10.7.3").id,
            "country_id": country_id(session, "PHL"),
            "period": str(1000 + n),
            "value": float(n),
            "source": "bench",
        }
        for n in range(2_345)
    ]
    session.execute(insert(IndicatorValue), rows)
    _signed_in(client, session, Role.secretariat)
    exported = _csv(client, dataset="indicator_values")
    assert len(exported) == len(rows)
    assert sorted(float(r["value"]) for r in exported) == [float(n) for n in range(len(rows))]
    body = json.loads(client.get("/exports/download", params={"format": "json", "dataset": "indicator_values"}).content)
    assert len(body["datasets"]["indicator_values"]) == len(rows)


def test_a_download_answers_with_the_token_of_the_page_that_asked(client: TestClient, session: Session) -> None:
    """The export page's script shows "preparing" until this cookie arrives with the file (app/static/app.js)."""
    _signed_in(client, session, Role.preparer)
    response = client.get(
        "/exports/download", params={"format": "csv", "dataset": "submissions", "download_token": "abc123XYZ"}
    )
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("gcm_download=abc123XYZ;") and "Path=/exports" in cookie and "SameSite=Strict" in cookie
    for token in ("", "short", "<script>", "a" * 41, "abc123XYZ; Path=/"):
        response = client.get(
            "/exports/download", params={"format": "csv", "dataset": "submissions", "download_token": token}
        )
        assert "gcm_download" not in response.headers.get("set-cookie", ""), token


def test_every_coded_column_has_its_label_beside_it(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session)
    review(session, cycle, "PHL", SubmissionStatus.published)
    make_commitment(session, country="PHL")
    make_value(session, country="PHL", value=7)
    _signed_in(client, session, Role.secretariat)

    def header(dataset: str) -> list[str]:
        response = client.get("/exports/download", params={"format": "csv", "dataset": dataset})
        return next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))

    coded = {
        "submissions": ["status"],
        "objective_reports": ["submission_status"],
        "answers": ["status", "part", "question_type"],
        "commitments": ["entity_type", "forms", "pledge_type", "scope", "status"],
        "indicator_values": ["sex", "age_group", "migratory_status", "status"],
        "contributions": ["organisation_type"],
    }
    for dataset, names in coded.items():
        columns = header(dataset)
        for name in names:
            assert columns[columns.index(name) + 1] == f"{name}_label", (dataset, name)
    (submission,) = _csv(client, dataset="submissions", cycle=str(cycle.id))
    assert (submission["status"], submission["status_label"]) == ("published", "Published")
    (pledge,) = _csv(client, dataset="commitments")
    assert pledge["entity_type_label"] == "State" and pledge["status_label"] and pledge["status_label"] != "—"
    (value,) = _csv(client, dataset="indicator_values")
    assert (value["sex_label"], value["migratory_status_label"]) == ("All sexes", "All migratory statuses")
    answers = _csv(client, dataset="answers", cycle=str(cycle.id))
    assert {a["part_label"] for a in answers if a["part"] == "objective:3"} == {"Objective 3"}
    assert {a["question_type_label"] for a in answers if a["question_type"] == "yes_no"} <= {"Yes or no"}
    assert {a["question_type_label"] for a in answers if a["question_type"] == "long_text"} == {"Long text"}
    # In the language of the export: the page's
    french = client.get("/exports/download", params={"format": "json", "dataset": "submissions", "lang": "fr"})
    body = json.loads(french.content)
    (row,) = body["datasets"]["submissions"]
    assert row["status"] == "published" and row["status_label"] not in ("", "Published")
    # The description's keys stay English for programs; its values are in the export's language
    assert {"Review cycle", "Aggregation", "Exported by"} <= set(body["metadata"])


def test_every_export_describes_itself(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session)
    review(session, cycle, "PHL", SubmissionStatus.published)
    user = make_user(session, role=Role.preparer)
    sign_in(client, user)
    params = {"cycle": str(cycle.id), "status": "published"}
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get("/exports/download", params={"format": "xlsx", **params}).content)
    )
    about = {r[0].value: r[1].value for r in workbook["About this export"].iter_rows()}
    assert about["Review cycle"] == cycle.name and about["Submission status"] == "Published"
    assert about["Subregion"] == "all" and about["Objective"] == "all"
    assert user.email in about["Exported by"] and "preparer" in about["Exported by"]
    assert datetime.strptime(about["Exported at (UTC)"] + "+0000", "%Y-%m-%d %H:%M:%S%z")
    assert "GCM regional review" in about["Source"]
    assert "in_region" in about["Aggregation"] and "zero" in about["Aggregation"]
    assert about["Rows in the sheet “Submissions”"] == 1
    assert about["Dataset: indicator_values"]
    # JSON carries the same description; a CSV its companion file
    body = json.loads(client.get("/exports/download", params={"format": "json", **params}).content)
    assert body["metadata"]["Review cycle"] == cycle.name
    response = client.get(
        "/exports/download", params={"format": "csv", "dataset": "answers", "part": "metadata", **params}
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "-metadata.csv" in response.headers["content-disposition"]
    described = {r["Field"]: r["Value"] for r in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert described["Review cycle"] == cycle.name and "Dataset: answers" in described
    assert "Dataset: submissions" not in described


def test_the_xlsx_is_sent_as_it_is_written() -> None:
    """The first bytes leave before any row is read, and rows are read as the chunks go: no whole workbook first."""
    read: list[int] = []

    def rows() -> Iterator[tuple[int, str]]:
        for n in range(3000):
            read.append(n)
            yield (n, f"row {n}")

    columns = [Column("n", "int"), Column("text", "str")]
    chunks = stream_xlsx([("Data", columns, rows())], lambda counts: [("Field", "Value"), *counts])
    first = next(chunks)
    assert first.startswith(b"PK") and read == []
    received = [first]
    while_reading = 0
    for chunk in chunks:
        received.append(chunk)
        if chunk and 0 < len(read) < 3000:
            while_reading += 1
    assert while_reading > 0  # chunks were sent while the rows were still being read
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(received)))
    assert workbook.sheetnames == ["About", "Data"]
    assert workbook["Data"].max_row == 3001 and workbook["Data"]["B3001"].value == "row 2999"
    assert workbook["Data"].auto_filter.ref == "A1:B3001"
    assert [tuple(r) for r in workbook["About"].values][-1] == ("Data", 3000)
