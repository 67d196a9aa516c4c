"""Selects of the API's paginated lists (who may read what comes from app.visibility)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager, selectinload

from app.auth.models import User
from app.catalog.models import Country, Subregion
from app.commitments.models import Commitment
from app.cycles.models import ReviewCycle
from app.organisations.models import Organisation
from app.submissions.models import Submission
from app.visibility import readable_pledge_filter, readable_submission_filter


def page_commitments(
    session: Session,
    *,
    user: User,
    country: str | None,
    status: str | None,
    limit: int,
    offset: int,
    entity_type: str | None = None,
) -> tuple[int, list[Commitment]]:
    """(total, one page of pledges, country, organisation and forms loaded) the user may read: States' by ISO3,
    then organisations' by name, then by reference."""
    stmt = select(Commitment).outerjoin(Commitment.country).outerjoin(Commitment.organisation)
    where = readable_pledge_filter(user, Commitment.country_id, Commitment.organisation_id)
    if where is not None:
        stmt = stmt.where(where)
    if country:
        stmt = stmt.where(Country.iso3 == country.strip().upper())
    if status:
        stmt = stmt.where(Commitment.status == status)
    if entity_type == "state":
        stmt = stmt.where(Commitment.country_id.is_not(None))
    elif entity_type:
        stmt = stmt.where(Organisation.type == entity_type)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = (
        stmt.options(
            contains_eager(Commitment.country), contains_eager(Commitment.organisation),
            selectinload(Commitment.form_rows),
        )
        .order_by(Commitment.organisation_id.is_not(None), Country.iso3, Organisation.name, Commitment.reference)
        .limit(limit)
        .offset(offset)
    )  # fmt: skip
    return total, list(session.scalars(page))


def country_iso3(session: Session, country_id: int) -> str:
    return session.scalars(select(Country.iso3).where(Country.id == country_id)).one()


@dataclass(frozen=True)
class SubmissionRow:
    submission: Submission
    iso3: str
    country: str
    subregion: str | None
    cycle: str


def page_submissions(
    session: Session,
    *,
    user: User,
    cycle_id: int | None,
    country: str | None,
    status: str | None,
    subregion: str | None,
    limit: int,
    offset: int,
) -> tuple[int, list[SubmissionRow]]:
    """(total, one page of) the reviews the user may read, latest cycle first, then by country ISO3."""
    stmt = (
        select(Submission, Country.iso3, Country.name, Subregion.name, ReviewCycle.name)
        .join(Country, Country.id == Submission.country_id)
        .outerjoin(Subregion, Subregion.id == Country.subregion_id)
        .join(ReviewCycle, ReviewCycle.id == Submission.review_cycle_id)
    )
    where = readable_submission_filter(user)
    if where is not None:
        stmt = stmt.where(where)  # type: ignore[arg-type]
    if cycle_id is not None:
        stmt = stmt.where(Submission.review_cycle_id == cycle_id)
    if country:
        stmt = stmt.where(Country.iso3 == country.strip().upper())
    if status:
        stmt = stmt.where(Submission.status == status)
    if subregion:
        stmt = stmt.where(Subregion.name == subregion)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    ordered = stmt.order_by(ReviewCycle.opens_on.desc(), ReviewCycle.id.desc(), Country.iso3)
    rows = session.execute(ordered.limit(limit).offset(offset))
    return total, [SubmissionRow(s, iso3, name, sub, cycle) for s, iso3, name, sub, cycle in rows]


def subregion_name(session: Session, subregion_id: int | None) -> str | None:
    if subregion_id is None:
        return None
    return session.scalar(select(Subregion.name).where(Subregion.id == subregion_id))
