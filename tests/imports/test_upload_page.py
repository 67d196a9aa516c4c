"""The upload page: preview, every error with its line, confirm writes, focal points limited, size and type."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.indicators.models import IndicatorValue
from tests.factories import make_user, post_form, sign_in

CSV = b"indicator,country,period,value,source,note\n10.7.3,THA,2020,120,IOM,\n10.7.3,VNM,2021,,IOM,not collected\n"


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(IndicatorValue)) or 0


def _preview(client: TestClient, data: bytes, name: str = "values.csv", kind: str = "values"):
    return post_form(client, "/imports/preview", {"kind": kind}, files={"upload": (name, data, "text/csv")})


def test_admin_previews_then_confirms_and_a_second_import_changes_nothing(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role=Role.admin))
    response = _preview(client, CSV)
    assert response.status_code == 200
    assert "2 new, 0 changed, 0 unchanged" in response.text
    assert _count(session) == 0
    fields = dict(re.findall(r'name="(payload|digest)" value="([^"]+)"', response.text))
    confirmed = post_form(client, "/imports/confirm", {"kind": "values", **fields})
    assert confirmed.status_code == 200 and "Imported: 2 new" in confirmed.text
    assert _count(session) == 2
    assert "0 new, 0 changed, 2 unchanged" in _preview(client, CSV).text


def test_a_tampered_confirmation_is_refused(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role=Role.secretariat))
    response = _preview(client, CSV)
    fields = dict(re.findall(r'name="(payload|digest)" value="([^"]+)"', response.text))
    fields["digest"] = "0" * 64
    assert post_form(client, "/imports/confirm", {"kind": "values", **fields}).status_code == 400
    assert _count(session) == 0


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


def test_an_upload_over_the_size_limit_is_refused_with_413(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role=Role.admin))
    big = CSV + b"x" * (client.app.state.settings.max_upload_bytes + 1)  # type: ignore[attr-defined]
    assert _preview(client, big).status_code == 413
    assert _count(session) == 0
