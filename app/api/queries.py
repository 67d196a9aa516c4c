"""Selects of the API's paginated lists (who may read what comes from app.visibility)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.catalog.models import Country, Subregion
from app.commitments.models import Commitment
from app.cycles.models import ReviewCycle
from app.submissions.models import Submission
from app.visibility import readable_country_filter, readable_submission_filter


def page_commitments(
    session: Session, *, user: User, country: str | None, status: str | None, limit: int, offset: int
) -> tuple[int, list[tuple[Commitment, str]]]:
    """(total, one page of (commitment, country ISO3)) the user may read, by country ISO3 then reference."""
    stmt = select(Commitment, Country.iso3).join(Country, Country.id == Commitment.country_id)
    where = readable_country_filter(user, Commitment.country_id)
    if where is not None:
        stmt = stmt.where(where)
    if country:
        stmt = stmt.where(Country.iso3 == country.strip().upper())
    if status:
        stmt = stmt.where(Commitment.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(stmt.order_by(Country.iso3, Commitment.reference).limit(limit).offset(offset))
    return total, [(c, iso3) for c, iso3 in rows]


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
