"""Selects of the API's paginated lists (who may read what comes from app.visibility)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.catalog.models import Country
from app.commitments.models import Commitment
from app.visibility import readable_country_filter


def page_commitments(
    session: Session, *, user: User, country: str | None, status: str | None, limit: int, offset: int
) -> tuple[int, list[tuple[Commitment, str]]]:
    """(total, one page of (commitment, country ISO3)) the user may read, by country ISO3 then reference."""
    stmt = select(Commitment, Country.iso3).join(Country, Country.id == Commitment.country_id)
    where = readable_country_filter(user, Commitment.country_id)
    if where is not None:
        stmt = stmt.where(where)  # type: ignore[arg-type]
    if country:
        stmt = stmt.where(Country.iso3 == country.strip().upper())
    if status:
        stmt = stmt.where(Commitment.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(stmt.order_by(Country.iso3, Commitment.reference).limit(limit).offset(offset))
    return total, [(c, iso3) for c, iso3 in rows]


def country_iso3(session: Session, country_id: int) -> str:
    return session.scalars(select(Country.iso3).where(Country.id == country_id)).one()
