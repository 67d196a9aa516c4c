"""Reads of the reference data."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.auth.models import User
from app.catalog.models import Country, Objective, Principle, ReferenceText, RoundTable, Subregion


def get_country(session: Session, iso3: str) -> Country | None:
    return session.scalar(select(Country).where(Country.iso3 == iso3.strip().upper()))


def list_objectives(session: Session) -> list[Objective]:
    stmt = select(Objective).options(joinedload(Objective.round_table)).order_by(Objective.number)
    return list(session.scalars(stmt))


def objectives_in_order(session: Session) -> list[Objective]:
    """Every objective by number, nothing loaded with it (a new submission's reports)."""
    return list(session.scalars(select(Objective).order_by(Objective.number)))


def objectives_by_numbers(session: Session, numbers: Iterable[int]) -> list[Objective]:
    return list(session.scalars(select(Objective).where(Objective.number.in_(numbers)).order_by(Objective.number)))


def principles_by_codes(session: Session, codes: Iterable[str]) -> list[Principle]:
    return list(session.scalars(select(Principle).where(Principle.code.in_(codes)).order_by(Principle.code)))


def list_round_tables(session: Session) -> list[RoundTable]:
    stmt = select(RoundTable).options(selectinload(RoundTable.objectives)).order_by(RoundTable.number)
    return list(session.scalars(stmt))


def list_principles(session: Session) -> list[Principle]:
    return list(session.scalars(select(Principle).order_by(Principle.code)))


def list_subregions(session: Session, *, with_countries: bool = False) -> list[Subregion]:
    stmt = select(Subregion).order_by(Subregion.sort_order, Subregion.name)
    if with_countries:
        stmt = stmt.options(selectinload(Subregion.countries))
    return list(session.scalars(stmt))


def list_countries(session: Session, *, subregion: str | None = None, in_region: bool | None = None) -> list[Country]:
    stmt = select(Country).options(joinedload(Country.subregion)).order_by(Country.name)
    if subregion is not None:
        stmt = stmt.join(Country.subregion).where(Subregion.name == subregion)
    if in_region is not None:
        stmt = stmt.where(Country.in_region.is_(in_region))
    return list(session.scalars(stmt))


def list_reference_texts(session: Session) -> list[ReferenceText]:
    """Every reference text (a few hundred rows), for the snapshot of app.catalog.texts and the admin page."""
    stmt = select(ReferenceText).order_by(ReferenceText.kind, ReferenceText.key, ReferenceText.language)
    return list(session.scalars(stmt))


def get_reference_text(session: Session, kind: str, key: str, language: str) -> ReferenceText | None:
    stmt = select(ReferenceText).where(
        ReferenceText.kind == kind, ReferenceText.key == key, ReferenceText.language == language
    )
    return session.scalar(stmt)


def reference_text_editors(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """The names of the users who last set reference texts (the admin page), by user id."""
    wanted = set(ids)
    if not wanted:
        return {}
    return {user_id: name for user_id, name in session.execute(select(User.id, User.name).where(User.id.in_(wanted)))}
