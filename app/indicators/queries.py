"""Reads of indicators and their values, limited to what the user may see (app/visibility.py)."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import Select, and_, case, func, or_, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from app.auth.models import User
from app.catalog.models import Country
from app.indicators.models import Indicator, IndicatorKind, IndicatorObjective, IndicatorValue
from app.indicators.schemas import Disaggregation
from app.visibility import readable_country_filter

KIND_ORDER = {IndicatorKind.sdg: 0, IndicatorKind.context: 1, IndicatorKind.national: 2}


def code_sort_key(code: str) -> tuple[tuple[int, int | str], ...]:
    """Natural order of codes: 8.8.1 before 10.7.1, NAT.PHL.2 before NAT.PHL.10."""
    return tuple((0, int(p)) if p.isdecimal() else (1, p) for p in re.split(r"[.]", code))


def _readable_indicators(user: User) -> Select[Indicator]:
    """Every shared indicator, and the national indicators of the States the user may read."""
    stmt = select(Indicator)
    own = readable_country_filter(user, Indicator.country_id)
    if own is not None:
        stmt = stmt.where(or_(Indicator.country_id.is_(None), own))
    return stmt


def list_indicators(session: Session, *, user: User) -> list[Indicator]:
    stmt = _readable_indicators(user).options(
        selectinload(Indicator.objective_links).joinedload(IndicatorObjective.objective),
        joinedload(Indicator.country),
    )
    indicators = list(session.scalars(stmt).unique())
    for indicator in indicators:
        indicator.objective_links.sort(key=lambda link: (link.relation.value != "primary", link.objective.number))
    return sorted(indicators, key=lambda i: (KIND_ORDER.get(i.kind, 9), code_sort_key(i.code)))


def get_indicator(session: Session, code: str, *, user: User) -> Indicator | None:
    stmt = _readable_indicators(user).where(Indicator.code == code).options(joinedload(Indicator.country))
    return session.scalar(stmt)


def _breakdown_filter(d: Disaggregation) -> list[object]:
    return [
        IndicatorValue.sex == d.sex,
        IndicatorValue.migratory_status == d.migratory_status,
        IndicatorValue.age_group == d.age_group,
    ]


def list_values(
    session: Session, *, indicator_id: int, country_id: int, disaggregation: Disaggregation
) -> list[IndicatorValue]:
    """One breakdown of a country's series, latest period first (sorted here: collations differ by database)."""
    stmt = select(IndicatorValue).where(
        IndicatorValue.indicator_id == indicator_id,
        IndicatorValue.country_id == country_id,
        *_breakdown_filter(disaggregation),  # type: ignore[arg-type]
    )
    return sorted(session.scalars(stmt), key=lambda v: v.period, reverse=True)


def get_value(session: Session, value_id: int) -> IndicatorValue | None:
    return session.get(IndicatorValue, value_id)


def find_value(
    session: Session, *, indicator_id: int, country_id: int, period: str, disaggregation: Disaggregation
) -> IndicatorValue | None:
    stmt = select(IndicatorValue).where(
        IndicatorValue.indicator_id == indicator_id,
        IndicatorValue.country_id == country_id,
        IndicatorValue.period == period,
        *_breakdown_filter(disaggregation),  # type: ignore[arg-type]
    )
    return session.scalar(stmt)


def list_breakdowns(session: Session, *, indicator_id: int, country_id: int) -> list[tuple[Disaggregation, int]]:
    """The breakdowns a country has values for, with how many periods each: totals first."""
    stmt = (
        select(IndicatorValue.sex, IndicatorValue.migratory_status, IndicatorValue.age_group, func.count())
        .where(IndicatorValue.indicator_id == indicator_id, IndicatorValue.country_id == country_id)
        .group_by(IndicatorValue.sex, IndicatorValue.migratory_status, IndicatorValue.age_group)
    )
    rows = [(Disaggregation(sex, status, age), count) for sex, status, age, count in session.execute(stmt)]
    return sorted(rows, key=lambda r: (not r[0].is_total, r[0].sex.value, r[0].migratory_status.value, r[0].age_group))


def list_coverage(session: Session, *, indicator: Indicator, user: User) -> list[tuple[Country, int, str | None, int]]:
    """The countries the user may read, each with the number of values recorded for the indicator, the latest period
    and how many of its values are not yet reviewed."""
    joined = and_(IndicatorValue.country_id == Country.id, IndicatorValue.indicator_id == indicator.id)
    pending = and_(IndicatorValue.id.is_not(None), IndicatorValue.reviewed_at.is_(None))
    unreviewed = func.sum(case((pending, 1), else_=0))
    stmt = (
        select(Country, func.count(IndicatorValue.id), func.max(IndicatorValue.period), unreviewed)
        .outerjoin(IndicatorValue, joined)
        .group_by(Country.id)
        .order_by(Country.name)
    )
    readable = readable_country_filter(user, Country.id)
    if readable is not None:
        stmt = stmt.where(readable)
    if indicator.country_id is not None:
        stmt = stmt.where(Country.id == indicator.country_id)
    return [(country, count, latest, int(pending or 0)) for country, count, latest, pending in session.execute(stmt)]


def get_user_name(session: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    return session.scalar(select(User.name).where(User.id == user_id))


def unreviewed_values(session: Session, *, country_id: int, indicator_id: int | None = None) -> list[tuple[int, int]]:
    """(id, version) of the country's values not yet reviewed by the secretariat (of one indicator, or all)."""
    stmt = select(IndicatorValue.id, IndicatorValue.version).where(
        IndicatorValue.country_id == country_id, IndicatorValue.reviewed_at.is_(None)
    )
    if indicator_id is not None:
        stmt = stmt.where(IndicatorValue.indicator_id == indicator_id)
    return [(value_id, version) for value_id, version in session.execute(stmt.order_by(IndicatorValue.id))]


def mark_reviewed(session: Session, value_ids: list[int], *, user_id: int | None, at: datetime) -> int:
    """Mark values reviewed without a new version (a focal point's open grid stays current); returns the count."""
    total = 0
    for start in range(0, len(value_ids), 500):
        chunk = value_ids[start : start + 500]
        result = session.execute(
            update(IndicatorValue)
            .where(IndicatorValue.id.in_(chunk), IndicatorValue.reviewed_at.is_(None))
            .values(reviewed_at=at, reviewed_by_id=user_id)
        )
        total += result.rowcount  # type: ignore[attr-defined]  # an UPDATE's CursorResult
    return total
