"""Reads and small writes of the offline round trip: waiting uploads, the questionnaire's version, the audit note."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.audit.models import AuditEvent
from app.commitments.models import Commitment
from app.offline.models import OfflineUpload
from app.questionnaires.models import Questionnaire, QuestionnaireKind

KEEP_PER_USER = 5


def questionnaire_version(session: Session, cycle_id: int, kind: QuestionnaireKind = QuestionnaireKind.states) -> int:
    """The version of the cycle's questionnaire of that kind (0: the cycle reads the default one)."""
    stmt = select(Questionnaire.version).where(Questionnaire.review_cycle_id == cycle_id, Questionnaire.kind == kind)
    return session.scalar(stmt) or 0


def forget_old(session: Session, *, user_id: int, now: datetime) -> None:
    """Expired uploads go; a user keeps at most KEEP_PER_USER waiting (each up to GCM_MAX_UPLOAD_BYTES)."""
    session.execute(delete(OfflineUpload).where(OfflineUpload.expires_at < now))
    newest = select(OfflineUpload.id).where(OfflineUpload.user_id == user_id).order_by(OfflineUpload.id.desc())
    session.execute(
        delete(OfflineUpload).where(
            OfflineUpload.user_id == user_id,
            OfflineUpload.id.not_in(newest.limit(KEEP_PER_USER - 1).scalar_subquery()),
        ),
        execution_options={"synchronize_session": False},
    )


def get_upload(session: Session, upload_id: int) -> OfflineUpload | None:
    return session.get(OfflineUpload, upload_id)


def latest_event(session: Session, entity_type: str, entity_id: int) -> AuditEvent | None:
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id))
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def country_pledges(session: Session, country_id: int) -> list[Commitment]:
    """A State's pledges by reference, with what the pledge form shows loaded (``CommitmentInput.from_commitment``)."""
    stmt = (
        select(Commitment)
        .where(Commitment.country_id == country_id)
        .options(
            joinedload(Commitment.country),
            selectinload(Commitment.objectives),
            selectinload(Commitment.main_objectives),
            selectinload(Commitment.principles),
            selectinload(Commitment.form_rows),
            selectinload(Commitment.implementation_countries),
            selectinload(Commitment.partner_countries),
            selectinload(Commitment.partner_organisations),
            selectinload(Commitment.matched_commitment),
        )
        .order_by(Commitment.reference)
    )
    return list(session.scalars(stmt))
