"""Bulk imports of indicator values and indicators, on SQLite and PostgreSQL."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.catalog.models import Country
from app.imports import service
from app.indicators.models import Indicator, IndicatorObjective, IndicatorValue
from tests.factories import make_user

HEADER = "indicator,country,period,value,source,note\n"
GOOD = HEADER + "10.7.3,THA,2020,120,IOM,\n10.7.3,THA,2021,,IOM,not collected\n10.7.3,VNM,2020,5,IOM,\n"


def _values(session: Session) -> list[tuple[str, str, float | None]]:
    rows = session.execute(
        select(Country.iso3, IndicatorValue.period, IndicatorValue.value)
        .join(Country, Country.id == IndicatorValue.country_id)
        .order_by(Country.iso3, IndicatorValue.period)
    )
    return [tuple(r) for r in rows]


def _import(session: Session, data: bytes, **kwargs: object) -> service.Plan:
    plan = service.plan_values(session, data, **kwargs)  # type: ignore[arg-type]
    service.apply_values(session, plan, user_id=None)
    return plan


def test_import_writes_rows_and_missing_value_is_null(session: Session) -> None:
    plan = _import(session, GOOD.encode())
    assert (len(plan.new), len(plan.changed), plan.unchanged) == (3, 0, 0)
    assert _values(session) == [("THA", "2020", 120.0), ("THA", "2021", None), ("VNM", "2020", 5.0)]
    assert session.scalar(select(func.count()).where(AuditEvent.entity_type == "import:indicator_value")) == 1


def test_importing_the_same_file_twice_changes_nothing(session: Session) -> None:
    _import(session, GOOD.encode())
    again = service.plan_values(session, GOOD.encode())
    assert (len(again.new), len(again.changed), again.unchanged) == (0, 0, 3)


def test_a_changed_value_is_updated_and_counted(session: Session) -> None:
    _import(session, GOOD.encode())
    plan = _import(session, GOOD.replace("2020,120", "2020,130").encode())
    assert (len(plan.new), len(plan.changed), plan.unchanged) == (0, 1, 2)
    assert ("THA", "2020", 130.0) in _values(session)
    version = session.scalar(select(IndicatorValue.version).where(IndicatorValue.value == 130.0))
    assert version == 2


def test_utf8_bom_is_accepted(session: Session) -> None:
    plan = _import(session, b"\xef\xbb\xbf" + GOOD.encode())
    assert len(plan.new) == 3


def test_xlsx_is_read(session: Session) -> None:
    workbook = Workbook()
    sheet = workbook.active
    for line in GOOD.splitlines():
        sheet.append([None if c == "" else (float(c) if c.isdigit() and len(c) < 4 else c) for c in line.split(",")])
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = _import(session, buffer.getvalue(), filename="values.xlsx")
    assert len(plan.new) == 3
    assert ("THA", "2021", None) in _values(session)


def test_errors_carry_line_numbers_and_nothing_is_written(session: Session) -> None:
    bad = GOOD + "10.7.3,XXX,2020,1,IOM,\n10.7.3,THA,20,1,IOM,\n10.7.3,THA,2019,-4,IOM,\n"
    plan = service.plan_values(session, bad.encode())
    lines = sorted({line for line, _message in plan.errors})
    assert lines == [5, 6, 7]
    with pytest.raises(service.ImportRefused):
        service.apply_values(session, plan, user_id=None)
    assert _values(session) == []


def test_a_gap_without_a_note_is_refused_as_in_the_grid(session: Session) -> None:
    plan = service.plan_values(session, (HEADER + "10.7.3,THA,2020,,IOM,\n").encode())
    assert plan.errors and plan.errors[0][0] == 2


def test_focal_point_imports_only_their_own_country(session: Session) -> None:
    focal = make_user(session, role=Role.focal_point, country="THA")
    plan = service.plan_values(session, GOOD.encode(), user=focal)
    assert [line for line, _m in plan.errors] == [4]


def test_a_file_that_is_not_csv_or_xlsx_is_refused(session: Session) -> None:
    with pytest.raises(service.ImportRefused):
        service.plan_values(session, b"\x89PNG\r\n\x1a\n\x00\x00\x00binary")


def test_missing_columns_are_refused(session: Session) -> None:
    with pytest.raises(service.ImportRefused) as refused:
        service.plan_values(session, b"indicator,country\n10.7.3,THA\n")
    assert refused.value.errors[0][0] == 1


def test_indicators_import_is_idempotent_and_links_objectives(session: Session) -> None:
    data = b"code,name,unit,aggregation,objectives\nNAT.X1,Test indicator,Number of persons,sum,1;2\n"
    plan = service.plan_indicators(session, data)
    service.apply_indicators(session, plan, user_id=None)
    indicator = session.scalars(select(Indicator).where(Indicator.code == "NAT.X1")).one()
    links = session.scalar(select(func.count()).where(IndicatorObjective.indicator_id == indicator.id))
    assert links == 2
    again = service.plan_indicators(session, data)
    assert (len(again.new), len(again.changed), again.unchanged) == (0, 0, 1)


def test_indicator_with_bad_aggregation_is_refused_with_its_line(session: Session) -> None:
    plan = service.plan_indicators(session, b"code,name,unit,aggregation\nA,B,C,median\n")
    assert plan.errors[0][0] == 2
