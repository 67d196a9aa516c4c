"""Which States' content a user may read or write. One place, used by every feature's loaders and queries.

- a focal point reads and writes only their own country's content (another country's record is "not found");
- the secretariat and administrators read everything and write no State's content;
- preparers (and the public) read only what the secretariat has approved or published.

Commitments and indicator values have no review of their own yet: preparers see them for the countries whose
voluntary GCM review has been approved or published in some cycle.
"""

from __future__ import annotations

from collections.abc import Hashable

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.auth.models import Role, User
from app.errors import Forbidden, NotFound
from app.i18n import _
from app.submissions.models import Submission, SubmissionStatus

ACCEPTED = (SubmissionStatus.approved, SubmissionStatus.published)


def reads_everything(user: User | None) -> bool:
    return user is not None and user.role in (Role.secretariat, Role.admin)


def visibility_key(user: User | None) -> Hashable:
    """What decides which rows a user may read (the filters below): users with the same key see the same figures."""
    if reads_everything(user):
        return "everything"
    if user is not None and user.role is Role.focal_point:
        return ("country", user.country_id)
    return "accepted"


def accepted_country_ids() -> Select[tuple[int]]:
    return select(Submission.country_id).where(Submission.status.in_(ACCEPTED)).distinct()


def readable_country_filter(user: User | None, country_column: object) -> object | None:
    """A WHERE clause limiting rows (by their country column) to what the user may read; None: no limit."""
    if reads_everything(user):
        return None
    if user is not None and user.role is Role.focal_point:
        return country_column == user.country_id  # type: ignore[operator]
    return country_column.in_(accepted_country_ids())  # type: ignore[attr-defined]


def readable_submission_filter(user: User | None) -> object | None:
    """A WHERE clause limiting submissions (and their parts) to those the user may read; None: no limit."""
    if reads_everything(user):
        return None
    if user is not None and user.role is Role.focal_point:
        return Submission.country_id == user.country_id
    return Submission.status.in_(ACCEPTED)


def can_read_country(session: Session, user: User | None, country_id: int) -> bool:
    if reads_everything(user):
        return True
    if user is not None and user.role is Role.focal_point:
        return user.country_id == country_id
    stmt = select(Submission.id).where(Submission.country_id == country_id, Submission.status.in_(ACCEPTED))
    return session.scalar(stmt.limit(1)) is not None


def ensure_can_write_country(user: User, country_id: int) -> None:
    """Only a focal point of the country writes its content; anyone else gets 404 (no enumeration) or 403."""
    if user.role is Role.focal_point:
        if user.country_id != country_id:
            raise NotFound(_("The page or record was not found."))
        return
    raise Forbidden(_("Only the country's focal points can change its content."))


def can_discuss(user: User | None, country_id: int) -> bool:
    """Comment threads on a State's review: the secretariat, administrators and that State's focal points only."""
    if reads_everything(user):
        return True
    return user is not None and user.role is Role.focal_point and user.country_id == country_id


def ensure_can_discuss(user: User, country_id: int) -> None:
    """Anyone else finds no thread at all (404): preparers and the public never see the discussion."""
    if not can_discuss(user, country_id):
        raise NotFound(_("The page or record was not found."))
