"""Test data of the indicators feature: values written straight to the database, forms as the grid sends them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog.models import Country
from app.db import utcnow
from app.indicators.models import TOTAL, Indicator, IndicatorValue, MigratoryStatus, Sex, ValueStatus

HTMX = {"HX-Request": "true"}


def indicator(session: Session, code: str) -> Indicator:
    return session.scalars(select(Indicator).where(Indicator.code == code)).one()


def country_id(session: Session, iso3: str) -> int:
    return session.scalars(select(Country.id).where(Country.iso3 == iso3)).one()


def make_value(
    session: Session,
    *,
    code: str = "10.7.3",
    country: str = "PHL",
    period: str = "2020",
    value: float | None = 120.0,
    sex: Sex = Sex.total,
    migratory_status: MigratoryStatus = MigratoryStatus.total,
    age_group: str = TOTAL,
    source: str = "IOM Missing Migrants Project",
    note: str = "",
    updated_by_id: int | None = None,
    reviewed: bool = True,
) -> IndicatorValue:
    """A value as loaded data (reviewed), or ``reviewed=False``: as a focal point just entered it."""
    record = IndicatorValue(
        indicator_id=indicator(session, code).id,
        country_id=country_id(session, country),
        period=period,
        value=value,
        sex=sex,
        migratory_status=migratory_status,
        age_group=age_group,
        source=source,
        note=note,
        status=ValueStatus.final,
        updated_by_id=updated_by_id,
        reviewed_at=utcnow() if reviewed else None,
    )
    session.add(record)
    session.flush()
    return record


def row_form(**overrides: Any) -> dict[str, Any]:
    """A row as the grid posts it (the totals breakdown)."""
    data: dict[str, Any] = {
        "period": "2021",
        "value": "135",
        "status": "final",
        "source": "IOM Missing Migrants Project",
        "note": "",
        "sex": "total",
        "migratory_status": "total",
        "age_group": "total",
    }
    return {**data, **overrides}


def values_of(session: Session, code: str, iso3: str = "PHL") -> list[IndicatorValue]:
    session.expire_all()
    stmt = select(IndicatorValue).where(
        IndicatorValue.indicator_id == indicator(session, code).id,
        IndicatorValue.country_id == country_id(session, iso3),
    )
    return sorted(session.scalars(stmt), key=lambda v: (v.period, v.sex, v.migratory_status, v.age_group))
