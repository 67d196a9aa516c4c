"""Reads of commitments (pledges), limited to what the user may read where a user is given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from app.auth.models import User
from app.catalog.models import Country
from app.commitments.models import Commitment, CommitmentUpdate
from app.visibility import readable_country_filter


@dataclass(frozen=True)
class CommitmentRow:
    """A line of the commitments list: the pledge (country and objectives loaded) and its latest progress date."""

    commitment: Commitment
    last_reported_on: date | None


def _readable(stmt: Select, user: User) -> Select:
    where = readable_country_filter(user, Commitment.country_id)
    return stmt if where is None else stmt.where(where)


def list_commitments(session: Session, *, user: User, country_iso3: str | None = None) -> list[CommitmentRow]:
    """The pledges the user may read, by country then reference, optionally of one country only."""
    last = (
        select(CommitmentUpdate.commitment_id, func.max(CommitmentUpdate.reported_on).label("last_reported_on"))
        .group_by(CommitmentUpdate.commitment_id)
        .subquery()
    )
    stmt = (
        select(Commitment, last.c.last_reported_on)
        .join(Commitment.country)
        .outerjoin(last, last.c.commitment_id == Commitment.id)
        .options(contains_eager(Commitment.country), selectinload(Commitment.objectives))
        .order_by(Country.name, Commitment.reference)
    )
    if country_iso3:
        stmt = stmt.where(Country.iso3 == country_iso3.strip().upper())
    return [CommitmentRow(c, last_on) for c, last_on in session.execute(_readable(stmt, user))]


def list_commitment_countries(session: Session, *, user: User) -> list[Country]:
    """The countries with at least one pledge the user may read (for the country filter)."""
    ids = _readable(select(Commitment.country_id).distinct(), user)
    return list(session.scalars(select(Country).where(Country.id.in_(ids)).order_by(Country.name)))


def get_commitment(session: Session, commitment_id: int, *, fresh: bool = False) -> Commitment | None:
    """A pledge with everything its pages show: country, objectives, principles, updates, the pledge it matches.

    ``fresh`` reloads a pledge already in the session (after a lost race, to show the other person's values).
    """
    stmt = (
        select(Commitment)
        .where(Commitment.id == commitment_id)
        .options(
            joinedload(Commitment.country),
            selectinload(Commitment.objectives),
            selectinload(Commitment.principles),
            selectinload(Commitment.updates),
            selectinload(Commitment.matched_commitment).joinedload(Commitment.country),
        )
    )
    if fresh:
        stmt = stmt.execution_options(populate_existing=True)
    return session.scalar(stmt)


def get_by_reference(session: Session, reference: str) -> Commitment | None:
    return session.scalar(select(Commitment).where(Commitment.reference == reference))


def list_references(session: Session, prefix: str) -> list[str]:
    """The references starting with ``prefix`` (e.g. every "PHL-2025-" pledge)."""
    stmt = select(Commitment.reference).where(Commitment.reference.startswith(prefix, autoescape=True))
    return list(session.scalars(stmt))


def list_matching_pledges(session: Session, *, commitment_id: int, user: User) -> list[Commitment]:
    """The pledges (that the user may read) citing this one as the pledge they match."""
    stmt = (
        select(Commitment)
        .where(Commitment.matched_commitment_id == commitment_id)
        .options(joinedload(Commitment.country))
        .order_by(Commitment.reference)
    )
    return list(session.scalars(_readable(stmt, user)))


def user_names(session: Session, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return {user_id: name for user_id, name in session.execute(select(User.id, User.name).where(User.id.in_(user_ids)))}
