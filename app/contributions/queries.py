"""Reads of contributions (what each reader may see is ``app.visibility.readable_contribution_filter``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload, undefer

from app.auth.models import Role, User
from app.contributions.models import (
    Contribution,
    ContributionAnswer,
    ContributionDecision,
    ContributionFile,
    ContributionPart,
    ContributionStatus,
)
from app.cycles.models import CycleStatus, ReviewCycle
from app.organisations.models import Organisation
from app.questionnaires.models import Questionnaire, QuestionnaireKind
from app.visibility import readable_contribution_filter


def _loaded() -> Any:
    return select(Contribution).options(
        joinedload(Contribution.organisation).joinedload(Organisation.country),
        joinedload(Contribution.review_cycle),
        selectinload(Contribution.answers),
        selectinload(Contribution.parts),
        selectinload(Contribution.decisions).joinedload(ContributionDecision.user),
    )


def get_contribution(session: Session, contribution_id: int, *, fresh: bool = False) -> Contribution | None:
    """A contribution with everything its pages show; ``fresh`` reloads one already in the session (after a lost
    race, to show what the other person saved)."""
    stmt = _loaded().where(Contribution.id == contribution_id)
    if fresh:
        stmt = stmt.execution_options(populate_existing=True)
    return session.scalars(stmt).unique().first()


def lock_contribution(session: Session, contribution: Contribution) -> None:
    """Take the contribution's row lock (PostgreSQL; SQLite's writing transactions are serialised already) and, if it
    changed since it was loaded (submitted, its objectives changed), load it again: a part saved while someone
    submits waits for the submit and then sees it."""
    stmt = select(Contribution.version).where(Contribution.id == contribution.id)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    if session.scalar(stmt) != contribution.version:
        get_contribution(session, contribution.id, fresh=True)


def get_part(session: Session, contribution_id: int, part: str) -> ContributionPart | None:
    """A part's lock row as committed now (after the row lock: never an older read)."""
    stmt = select(ContributionPart).where(
        ContributionPart.contribution_id == contribution_id, ContributionPart.part == part
    )
    return session.scalars(stmt.execution_options(populate_existing=True)).first()


def files_of(session: Session, contribution_id: int, part: str, key: str) -> Sequence[ContributionFile]:
    stmt = select(ContributionFile).where(
        ContributionFile.contribution_id == contribution_id, ContributionFile.part == part, ContributionFile.key == key
    )
    return session.scalars(stmt).all()


def get_file(session: Session, contribution_id: int, file_id: int) -> ContributionFile | None:
    """A contribution's document with its content."""
    stmt = (
        select(ContributionFile)
        .where(ContributionFile.id == file_id, ContributionFile.contribution_id == contribution_id)
        .options(undefer(ContributionFile.content))
    )
    return session.scalars(stmt).first()


def get_for_organisation(session: Session, *, organisation_id: int, cycle_id: int) -> Contribution | None:
    stmt = _loaded().where(Contribution.organisation_id == organisation_id, Contribution.review_cycle_id == cycle_id)
    return session.scalars(stmt).unique().first()


def list_for_organisation(session: Session, organisation_id: int) -> Sequence[Contribution]:
    stmt = select(Contribution).options(joinedload(Contribution.review_cycle))
    stmt = stmt.where(Contribution.organisation_id == organisation_id).order_by(Contribution.id.desc())
    return session.scalars(stmt).all()


def list_contributions(
    session: Session,
    user: User | None,
    *,
    cycle_id: int | None = None,
    status: ContributionStatus | None = None,
    with_answers: bool = False,
) -> Sequence[Contribution]:
    """The contributions the user may read (a cycle's, of a status), newest first."""
    stmt = select(Contribution).options(
        joinedload(Contribution.organisation).joinedload(Organisation.country),
        joinedload(Contribution.review_cycle),
    )
    if with_answers:
        stmt = stmt.options(selectinload(Contribution.answers))
    readable = readable_contribution_filter(user)
    if readable is not None:
        stmt = stmt.where(readable)
    if cycle_id is not None:
        stmt = stmt.where(Contribution.review_cycle_id == cycle_id)
    if status is not None:
        stmt = stmt.where(Contribution.status == status)
    return session.scalars(stmt.order_by(Contribution.submitted_at.desc(), Contribution.id.desc())).unique().all()


def get_open_cycle(session: Session) -> ReviewCycle | None:
    stmt = select(ReviewCycle).where(ReviewCycle.status == CycleStatus.open).order_by(ReviewCycle.opens_on.desc())
    return session.scalars(stmt.limit(1)).first()


def accepted_answers(
    session: Session, *, part: str | None = None, country_id: int | None = None, cycle_id: int | None = None
) -> list[tuple[ContributionAnswer, Contribution, Organisation]]:
    """The text answers of accepted contributions (of one part, of organisations of one country, of one cycle), in
    the organisations' order: what the dashboards and the synthesis quote, labelled "Input from stakeholders"."""
    stmt = (
        select(ContributionAnswer, Contribution, Organisation)
        .join(Contribution, Contribution.id == ContributionAnswer.contribution_id)
        .join(Organisation, Organisation.id == Contribution.organisation_id)
        .where(Contribution.status == ContributionStatus.accepted, ContributionAnswer.text != "")
    )
    if part is not None:
        stmt = stmt.where(ContributionAnswer.part == part)
    if country_id is not None:
        stmt = stmt.where(Organisation.country_id == country_id)
    if cycle_id is not None:
        stmt = stmt.where(Contribution.review_cycle_id == cycle_id)
    stmt = stmt.order_by(Organisation.name, Contribution.id, ContributionAnswer.part, ContributionAnswer.id)
    return [(a, c, o) for a, c, o in session.execute(stmt)]


def stakeholder_definitions(session: Session, cycle_ids: set[int]) -> dict[int, dict[str, Any]]:
    """The stored stakeholder questionnaires of these cycles (one select), by cycle."""
    if not cycle_ids:
        return {}
    stmt = select(Questionnaire.review_cycle_id, Questionnaire.definition).where(
        Questionnaire.kind == QuestionnaireKind.stakeholders, Questionnaire.review_cycle_id.in_(cycle_ids)
    )
    return {cycle_id: definition for cycle_id, definition in session.execute(stmt)}


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == email)).first()


def any_secretariat(session: Session) -> User | None:
    stmt = select(User).where(User.role == Role.secretariat, User.is_active.is_(True)).order_by(User.id)
    return session.scalars(stmt.limit(1)).first()
