"""The upload page: preview, every error with its line, confirm writes, focal points limited, size and type."""

from __future__ import annotations

import re
import time
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.db import utcnow
from app.imports.models import PendingImport
from app.indicators.models import IndicatorValue
from tests.factories import make_user, post_form, sign_in
from tests.imports.files import million_row_xlsx, zip_bomb

CSV = b"indicator,country,period,value,source,note\n10.7.3,THA,2020,120,IOM,\n10.7.3,VNM,2021,,IOM,not collected\n"


def _count(session: Session, model: type = IndicatorValue) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _preview(client: TestClient, data: bytes, name: str = "values.csv", kind: str = "values"):
    return post_form(client, "/imports/preview", {"kind": kind}, files={"upload": (name, data, "text/csv")})


def _upload_id(response) -> str:
    found = re.findall(r'name="upload_id" value="(\d+)"', response.text)
    assert found, response.text
    return found[0]


def _confirm(client: TestClient, upload_id: str):
    return post_form(client, "/imports/confirm", {"upload_id": upload_id})


def test_admin_previews_then_confirms_and_a_second_import_changes_nothing(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role=Role.admin))
    response = _preview(client, CSV)
    assert response.status_code == 200
    assert "2 new, 0 changed, 0 unchanged" in response.text
    assert _count(session) == 0
    assert 'name="payload"' not in response.text  # the file stays on the server; the form carries its id only
    confirmed = _confirm(client, _upload_id(response))
    assert confirmed.status_code == 200 and "Imported: 2 new" in confirmed.text
    assert _count(session) == 2
    assert _count(session, PendingImport) == 0
    assert "0 new, 0 changed, 2 unchanged" in _preview(client, CSV).text


def test_a_valid_file_over_1_mb_is_confirmed(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role=Role.admin))
    source = "IOM Missing Migrants Project " + "x" * 460
    lines = [f"10.7.3,{iso},{year}-{month:02d},{year + month},{source}," for iso in ("THA", "VNM", "IND", "CHN")
             for year in range(1970, 2020) for month in range(1, 13)]  # fmt: skip
    data = ("indicator,country,period,value,source,note\n" + "\n".join(lines) + "\n").encode()
    assert len(data) > 1024 * 1024
    response = _preview(client, data)
    assert response.status_code == 200 and f"{len(lines)} new" in response.text
    confirmed = _confirm(client, _upload_id(response))
    assert confirmed.status_code == 200 and f"Imported: {len(lines)} new" in confirmed.text
    assert _count(session) == len(lines)


def test_only_the_uploader_may_confirm(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role=Role.secretariat))
    upload_id = _upload_id(_preview(client, CSV))
    sign_in(client, make_user(session, role=Role.admin))
    assert _confirm(client, upload_id).status_code == 400
    assert _confirm(client, "not-a-number").status_code == 400
    assert _count(session) == 0


def test_an_expired_upload_cannot_be_confirmed(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role=Role.admin))
    upload_id = _upload_id(_preview(client, CSV))
    session.execute(update(PendingImport).values(expires_at=utcnow() - timedelta(seconds=1)))
    response = _confirm(client, upload_id)
    assert response.status_code == 400 and "expired" in response.text
    assert _count(session) == 0


def test_a_row_edited_between_preview_and_confirm_is_a_conflict_and_nothing_is_written(
    client: TestClient, session: Session
) -> None:
    sign_in(client, make_user(session, role=Role.admin))
    _confirm(client, _upload_id(_preview(client, CSV)))
    changed = CSV.replace(b"2020,120", b"2020,130") + b"10.7.3,IND,2020,7,IOM,\n"
    upload_id = _upload_id(_preview(client, changed))
    session.execute(  # someone saves the THA 2020 value in the grid meanwhile
        update(IndicatorValue).where(IndicatorValue.value == 120).values(value=125, version=IndicatorValue.version + 1)
    )
    confirmed = _confirm(client, upload_id)
    assert confirmed.status_code == 409
    assert '<th scope="row">2</th><td>This row was changed by someone else since your preview.</td>' in confirmed.text
    assert "nothing was imported" in confirmed.text
    values = sorted(session.scalars(select(IndicatorValue.value).where(IndicatorValue.value.is_not(None))))
    assert values == [125.0]  # neither the 130 of the file nor its new IND row


def test_a_row_added_between_preview_and_confirm_is_a_conflict(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role=Role.admin))
    upload_id = _upload_id(_preview(client, CSV))
    _confirm(client, _upload_id(_preview(client, CSV)))  # the same rows imported meanwhile (another tab)
    confirmed = _confirm(client, upload_id)
    assert confirmed.status_code == 409 and "added by someone else since your preview" in confirmed.text
    assert _count(session) == 2


def test_a_confirmed_upload_cannot_be_confirmed_twice(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role=Role.admin))
    upload_id = _upload_id(_preview(client, CSV))
    assert _confirm(client, upload_id).status_code == 200
    assert _confirm(client, upload_id).status_code == 400


def test_a_zip_bomb_is_refused_with_a_message_within_seconds_and_changes_nothing(
    client: TestClient, session: Session
) -> None:
    sign_in(client, make_user(session, role=Role.focal_point, country="THA"))
    events = _count(session, AuditEvent)
    bomb = zip_bomb(50)
    start = time.perf_counter()
    response = _preview(client, bomb, name="values.xlsx")
    assert time.perf_counter() - start < 5  # about 0.02 s (BENCHMARKS.md); loose for busy test machines
    assert response.status_code == 422
    assert "compressed" in response.text and "Confirm the import" not in response.text
    assert (_count(session), _count(session, PendingImport), _count(session, AuditEvent)) == (0, 0, events)


def test_a_million_row_file_is_refused_with_a_message_within_seconds(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role=Role.admin))
    data = million_row_xlsx()
    start = time.perf_counter()
    response = _preview(client, data, name="values.xlsx")
    assert time.perf_counter() - start < 5  # about 0.1-0.4 s (BENCHMARKS.md); loose for busy test machines
    assert response.status_code == 422 and "more than 200,000 rows" in response.text
    assert (_count(session), _count(session, PendingImport)) == (0, 0)


def test_a_cell_too_long_is_an_error_with_its_line_at_preview(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role=Role.admin))
    response = _preview(client, CSV + b"10.7.3,THA,2022,1," + b"s" * 6000 + b",\n")
    assert response.status_code == 422
    assert '<th scope="row">4</th><td>Column 5: A cell is longer than 5,000 characters.</td>' in response.text
    assert "Confirm the import" not in response.text and _count(session, PendingImport) == 0


def test_focal_point_rows_of_another_country_are_errors_with_line(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role=Role.focal_point, country="THA"))
    response = _preview(client, CSV)
    assert response.status_code == 422
    assert '<th scope="row">3</th>' in response.text
    assert "Confirm the import" not in response.text


def test_focal_point_cannot_import_indicators(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role=Role.focal_point, country="THA"))
    data = b"code,name,unit,aggregation\nNAT.Y,Name,Number of persons,sum\n"
    response = _preview(client, data, kind="indicators")
    assert "indicators" not in re.findall(r'name="kind" value="(\w+)"', response.text)


def test_a_file_whose_content_is_not_csv_or_xlsx_is_refused(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role=Role.admin))
    assert _preview(client, b"PK\x03\x04 not really", name="values.csv").status_code == 415
    assert _preview(client, CSV, name="values.pdf").status_code == 415
    response = _preview(client, b"PK\x03\x04 not really", name="values.xlsx")
    assert response.status_code == 422 and "cannot be read" in response.text


def test_an_upload_over_the_size_limit_is_refused_with_413(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role=Role.admin))
    big = CSV + b"x" * (client.app.state.settings.max_upload_bytes + 1)  # type: ignore[attr-defined]
    assert _preview(client, big).status_code == 413
    assert _count(session) == 0


def test_a_user_keeps_at_most_five_uploads_waiting(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role=Role.admin))
    ids = [_upload_id(_preview(client, CSV)) for _ in range(7)]
    assert _count(session, PendingImport) == 5
    assert _confirm(client, ids[0]).status_code == 400  # the oldest were forgotten
    assert _confirm(client, ids[-1]).status_code == 200
