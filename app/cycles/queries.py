"""Reads of review cycles."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.cycles.models import CycleStatus, ReviewCycle


def get_cycle(session: Session, cycle_id: int) -> ReviewCycle | None:
    return session.get(ReviewCycle, cycle_id)


def list_cycles(session: Session) -> list[ReviewCycle]:
    """Every cycle, the latest first."""
    stmt = select(ReviewCycle).order_by(ReviewCycle.opens_on.desc(), ReviewCycle.id.desc())
    return list(session.scalars(stmt))


def get_cycle_by_name(session: Session, name: str) -> ReviewCycle | None:
    """The cycle with this name, ignoring case (names must be told apart by people, not by capitals)."""
    stmt = select(ReviewCycle).where(func.lower(ReviewCycle.name) == name.strip().lower())
    return session.scalars(stmt).first()


def list_open_cycles(session: Session) -> list[ReviewCycle]:
    stmt = select(ReviewCycle).where(ReviewCycle.status == CycleStatus.open).order_by(ReviewCycle.id)
    return list(session.scalars(stmt))


def lock_cycles(session: Session) -> list[ReviewCycle]:
    """Every cycle, locked for this transaction and refreshed, so two admins opening cycles take turns.

    PostgreSQL waits on the row locks; SQLite ignores FOR UPDATE, but its writers already queue (BEGIN IMMEDIATE).
    """
    stmt = select(ReviewCycle).order_by(ReviewCycle.id).with_for_update().execution_options(populate_existing=True)
    return list(session.scalars(stmt))
