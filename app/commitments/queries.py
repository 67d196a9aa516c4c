"""Reads of commitments (pledges), limited to what the user may read where a user is given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload, undefer

from app.auth.models import User
from app.catalog.models import Country
from app.commitments.models import Commitment, CommitmentAttachment, CommitmentUpdate
from app.organisations.models import Organisation
from app.visibility import readable_pledge_filter


@dataclass(frozen=True)
class CommitmentRow:
    """A line of the commitments list: the pledge (country and objectives loaded) and its latest progress date."""

    commitment: Commitment
    last_reported_on: date | None


def _readable(stmt: Select, user: User | None) -> Select:
    where = readable_pledge_filter(user, Commitment.country_id, Commitment.organisation_id)
    return stmt if where is None else stmt.where(where)


def countries_by_iso3(session: Session, codes: set[str]) -> list[Country]:
    return list(session.scalars(select(Country).where(Country.iso3.in_(codes)).order_by(Country.iso3)))


def organisations_by_names(session: Session, names: set[str]) -> list[Organisation]:
    return list(session.scalars(select(Organisation).where(Organisation.name.in_(names)).order_by(Organisation.name)))


def list_all_countries(session: Session) -> list[Country]:
    return list(session.scalars(select(Country).order_by(Country.name)))


def list_all_organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(Organisation.name)))


def get_attachment(session: Session, commitment_id: int) -> CommitmentAttachment | None:
    """A pledge's attachment with its content."""
    stmt = (
        select(CommitmentAttachment)
        .where(CommitmentAttachment.commitment_id == commitment_id)
        .options(undefer(CommitmentAttachment.content))
    )
    return session.scalar(stmt)


def list_commitments(
    session: Session, *, user: User | None, country_iso3: str | None = None, entity_type: str | None = None
) -> list[CommitmentRow]:
    """The pledges the user may read, States' by country then organisations' by name, then by reference;
    optionally of one country only (as the pledging State) or of one entity type (``state`` or an organisation's)."""
    last = (
        select(CommitmentUpdate.commitment_id, func.max(CommitmentUpdate.reported_on).label("last_reported_on"))
        .group_by(CommitmentUpdate.commitment_id)
        .subquery()
    )
    stmt = (
        select(Commitment, last.c.last_reported_on)
        .outerjoin(Commitment.country)
        .outerjoin(Commitment.organisation)
        .outerjoin(last, last.c.commitment_id == Commitment.id)
        .options(
            contains_eager(Commitment.country),
            contains_eager(Commitment.organisation),
            selectinload(Commitment.objectives),
            selectinload(Commitment.form_rows),
        )
        .order_by(Commitment.organisation_id.is_not(None), Country.name, Organisation.name, Commitment.reference)
    )
    if country_iso3:
        stmt = stmt.where(Country.iso3 == country_iso3.strip().upper())
    if entity_type == "state":
        stmt = stmt.where(Commitment.country_id.is_not(None))
    elif entity_type:
        stmt = stmt.where(Organisation.type == entity_type)
    return [CommitmentRow(c, last_on) for c, last_on in session.execute(_readable(stmt, user))]


def list_commitment_countries(session: Session, *, user: User) -> list[Country]:
    """The countries with at least one pledge the user may read (for the country filter)."""
    ids = _readable(select(Commitment.country_id).where(Commitment.country_id.is_not(None)).distinct(), user)
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
            joinedload(Commitment.organisation),
            selectinload(Commitment.objectives),
            selectinload(Commitment.main_objectives),
            selectinload(Commitment.principles),
            selectinload(Commitment.updates),
            selectinload(Commitment.form_rows),
            selectinload(Commitment.implementation_countries),
            selectinload(Commitment.partner_countries),
            selectinload(Commitment.partner_organisations),
            selectinload(Commitment.attachment),
            selectinload(Commitment.matched_commitment).joinedload(Commitment.country),
            selectinload(Commitment.matched_commitment).joinedload(Commitment.organisation),
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


def list_matching_pledges(session: Session, *, commitment_id: int, user: User | None) -> list[Commitment]:
    """The pledges (that the user may read) citing this one as the pledge they match."""
    stmt = (
        select(Commitment)
        .where(Commitment.matched_commitment_id == commitment_id)
        .options(joinedload(Commitment.country), joinedload(Commitment.organisation))
        .order_by(Commitment.reference)
    )
    return list(session.scalars(_readable(stmt, user)))


def user_names(session: Session, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return {user_id: name for user_id, name in session.execute(select(User.id, User.name).where(User.id.in_(user_ids)))}
