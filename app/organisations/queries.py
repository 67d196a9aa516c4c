"""Every read of organisations and requests to take part."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from app.auth.models import User
from app.organisations.models import Organisation, OrganisationRequest, RequestStatus


def get_organisation(session: Session, organisation_id: int) -> Organisation | None:
    return session.scalar(
        select(Organisation).where(Organisation.id == organisation_id).options(joinedload(Organisation.country))
    )


def organisation_named(session: Session, name: str) -> Organisation | None:
    """The organisation of that name, compared case-insensitively (spaces trimmed)."""
    key = " ".join(name.split()).lower()
    return session.scalar(
        select(Organisation).where(func.lower(Organisation.name) == key).options(joinedload(Organisation.country))
    )


def list_organisations(session: Session) -> list[Organisation]:
    return list(
        session.scalars(select(Organisation).options(joinedload(Organisation.country)).order_by(Organisation.name))
    )


def list_requests(
    session: Session, *, status: RequestStatus | None = RequestStatus.pending
) -> list[OrganisationRequest]:
    """Requests to take part, oldest first (None: every status, newest first)."""
    stmt = select(OrganisationRequest).options(joinedload(OrganisationRequest.country))
    if status is None:
        return list(session.scalars(stmt.order_by(OrganisationRequest.id.desc())))
    return list(session.scalars(stmt.where(OrganisationRequest.status == status).order_by(OrganisationRequest.id)))


def get_request(session: Session, request_id: int) -> OrganisationRequest | None:
    return session.scalar(
        select(OrganisationRequest)
        .where(OrganisationRequest.id == request_id)
        .options(joinedload(OrganisationRequest.country), joinedload(OrganisationRequest.organisation))
    )


def pending_duplicate(session: Session, *, email: str, organisation_name: str) -> OrganisationRequest | None:
    """A pending request from the same e-mail address or for the same organisation (case-insensitive)."""
    return session.scalar(
        select(OrganisationRequest)
        .where(
            OrganisationRequest.status == RequestStatus.pending,
            or_(
                func.lower(OrganisationRequest.email) == email.lower(),
                func.lower(OrganisationRequest.organisation_name) == organisation_name.lower(),
            ),
        )
        .limit(1)
    )


def requests_from_address(session: Session, ip_address: str, *, since: datetime) -> int:
    """How many requests this address sent after ``since`` (whatever became of them)."""
    stmt = select(func.count(OrganisationRequest.id)).where(
        OrganisationRequest.ip_address == ip_address, OrganisationRequest.created_at > since
    )
    return int(session.scalar(stmt) or 0)


def list_members(session: Session, organisation_id: int) -> list[User]:
    """The organisation's active users, by name."""
    return list(
        session.scalars(
            select(User)
            .where(User.organisation_id == organisation_id, User.is_active.is_(True))
            .order_by(User.name, User.email)
        )
    )
