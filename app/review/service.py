"""The review state machine: what the secretariat may decide, from which status, and what it changes.

    draft ──submit──▶ submitted ──approve──▶ approved ──publish──▶ published
                          │  ▲                   │                    │
          request_changes │  │ submit            └──────reopen────────┘
                          ▼  │                          │
                    changes_requested ◀─────────────────┘

An impossible transition raises Conflict (409) and changes nothing. Two reviewers deciding at once: the
submission's version column lets the first win; the second gets a Conflict saying so.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.auth.models import Role, User
from app.comments.service import open_threads_message
from app.db import utcnow
from app.errors import Conflict, Forbidden, ValidationFailed
from app.i18n import _, format_number
from app.indicators.service import mark_country_reviewed
from app.review import notices
from app.review.models import DecisionKind, ReviewDecision, ReviewSnapshot
from app.submissions.changes import changes_since_review as changes_since_review  # named here too (tests, pages)
from app.submissions.changes import part_keys, part_texts
from app.submissions.models import ObjectiveReport, Submission, SubmissionSection, SubmissionStatus
from app.submissions.queries import lock_submission
from app.submissions.rules import STATUS_LABELS

REASON_MAX = 5_000

ALLOWED: dict[DecisionKind, tuple[SubmissionStatus, ...]] = {
    DecisionKind.request_changes: (SubmissionStatus.submitted,),
    DecisionKind.approve: (SubmissionStatus.submitted,),
    DecisionKind.publish: (SubmissionStatus.approved,),
    DecisionKind.reopen: (SubmissionStatus.approved, SubmissionStatus.published),
}
RESULT = {
    DecisionKind.request_changes: SubmissionStatus.changes_requested,
    DecisionKind.approve: SubmissionStatus.approved,
    DecisionKind.publish: SubmissionStatus.published,
    DecisionKind.reopen: SubmissionStatus.changes_requested,
}


def _ensure_reviewer(user: User) -> None:
    if user.role not in (Role.secretariat, Role.admin):
        raise Forbidden(_("Only the ESCAP secretariat decides on submissions."))


def _ensure_allowed(submission: Submission, kind: DecisionKind, version: int | None) -> None:
    if version is not None and version != submission.version:
        raise Conflict(_("Someone else has acted on this submission since you opened it. Reload to see its state."))
    if submission.status not in ALLOWED[kind]:
        raise Conflict(
            _("This cannot be done while the submission's status is “%(status)s”.")
            % {"status": STATUS_LABELS[submission.status]}
        )


@contextmanager
def _deciding(
    session: Session, submission: Submission, kind: DecisionKind, user: User, reason: str = ""
) -> Iterator[ReviewDecision]:
    """Change the submission and record the decision atomically, in a savepoint.

    If another reviewer's decision landed first (the version moved on), everything is undone and the
    reviewer is told; the in-memory submission is reloaded so nothing stale is written later.
    """
    decision = ReviewDecision(submission_id=submission.id, kind=kind, reason=reason, decided_by_id=user.id, parts=[])
    try:
        with session.begin_nested():
            yield decision
            session.add(decision)
            session.flush()
    except StaleDataError:
        # Reload from the database: the winner's state, nothing of ours left to write.
        for obj in list(session.identity_map.values()):
            if isinstance(obj, Submission | SubmissionSection | ObjectiveReport):
                session.expire(obj)
        raise Conflict(_("Another reviewer decided on this submission at the same moment; theirs counts.")) from None


def _reopen_parts(submission: Submission, parts: Iterable[str]) -> list[str]:
    wanted = set(parts)
    unknown = wanted - set(part_keys(submission))
    if unknown:
        raise ValidationFailed(_("Choose parts of this submission."), field="parts")
    for section in submission.sections:
        section.reopened = f"section:{section.key}" in wanted
    for report in submission.objective_reports:
        report.reopened = f"objective:{report.objective.number}" in wanted
    return sorted(wanted, key=part_keys(submission).index)


def _clean_reason(reason: str, *, required: bool, field: str = "reason") -> str:
    reason = reason.strip()
    if required and not reason:
        raise ValidationFailed(_("Give the reason: the focal points will read it."), field=field)
    if len(reason) > REASON_MAX:
        raise ValidationFailed(
            _("Shorten the reason to %(max)s characters.") % {"max": format_number(REASON_MAX)}, field=field
        )
    return reason


def _clean_part_reasons(
    submission: Submission, reason: str, part_reasons: dict[str, str] | None, parts: list[str]
) -> tuple[str, dict[str, str]]:
    """The decision's reason and the reasons given per part (``reason:<part>`` fields): every reopened part needs a
    reason, its own or the one for all; a reason for a part that is not reopened is refused (so none is lost)."""
    given = {key: text.strip() for key, text in (part_reasons or {}).items() if text.strip()}
    known = set(part_keys(submission))
    for key, text in given.items():
        if key not in known:
            raise ValidationFailed(_("Choose parts of this submission."), field="parts")
        if key not in parts:
            raise ValidationFailed(
                _("Mark this part to reopen it, or clear the reason you gave for it."), field=f"reason:{key}"
            )
        _clean_reason(text, required=False, field=f"reason:{key}")
    every_part_has_one = bool(parts) and all(key in given for key in parts)
    return _clean_reason(reason, required=not every_part_has_one), given


def request_changes(
    session: Session,
    *,
    user: User,
    submission: Submission,
    reason: str,
    parts: list[str],
    version: int | None,
    part_reasons: dict[str, str] | None = None,
) -> ReviewDecision:
    """Send a submitted review back: a reason is required (one for all, or one per marked part: ``part_reasons``,
    by part key), and only the marked parts reopen for editing."""
    _ensure_reviewer(user)
    lock_submission(session, submission)
    _ensure_allowed(submission, DecisionKind.request_changes, version)
    if not parts:
        _clean_reason(reason, required=not part_reasons)
        raise ValidationFailed(_("Mark at least one part to reopen for changes."), field="parts")
    reason, given = _clean_part_reasons(submission, reason, part_reasons, parts)
    with _deciding(session, submission, DecisionKind.request_changes, user, reason) as decision:
        decision.parts = _reopen_parts(submission, parts)
        submission.status = SubmissionStatus.changes_requested
        _snapshot(session, submission, decision, given)
    notices.decision_made(session, submission, decision, user, given)
    return decision


def approve(session: Session, *, user: User, submission: Submission, version: int | None) -> ReviewDecision:
    """Accept a submitted review."""
    _ensure_reviewer(user)
    lock_submission(session, submission)
    _ensure_allowed(submission, DecisionKind.approve, version)
    still_open = open_threads_message(session, submission)
    if still_open:
        raise Conflict(still_open)
    with _deciding(session, submission, DecisionKind.approve, user) as decision:
        submission.status = SubmissionStatus.approved
        submission.approved_at = utcnow()
    mark_country_reviewed(session, user=user, country_id=submission.country_id)  # its indicator values too
    notices.decision_made(session, submission, decision, user)
    return decision


def publish(session: Session, *, user: User, submission: Submission, version: int | None) -> ReviewDecision:
    """Make an approved review visible to preparers and the public dashboards."""
    _ensure_reviewer(user)
    lock_submission(session, submission)
    _ensure_allowed(submission, DecisionKind.publish, version)
    with _deciding(session, submission, DecisionKind.publish, user) as decision:
        submission.status = SubmissionStatus.published
        submission.published_at = utcnow()
    notices.decision_made(session, submission, decision, user)
    return decision


def reopen(
    session: Session,
    *,
    user: User,
    submission: Submission,
    reason: str,
    parts: list[str],
    version: int | None,
    part_reasons: dict[str, str] | None = None,
) -> ReviewDecision:
    """Reopen an approved or published review for changes, with a reason (for all, or per part as for
    ``request_changes``; all parts unless some are marked)."""
    _ensure_reviewer(user)
    lock_submission(session, submission)
    _ensure_allowed(submission, DecisionKind.reopen, version)
    reason, given = _clean_part_reasons(submission, reason, part_reasons, parts or part_keys(submission))
    with _deciding(session, submission, DecisionKind.reopen, user, reason) as decision:
        decision.parts = _reopen_parts(submission, parts or part_keys(submission))
        submission.status = SubmissionStatus.changes_requested
        submission.published_at = None
        _snapshot(session, submission, decision, given)
    notices.decision_made(session, submission, decision, user, given)
    return decision


# ---- "changed since my last review" ------------------------------------------------------------------------------


def _snapshot(
    session: Session, submission: Submission, decision: ReviewDecision, reasons: dict[str, str] | None = None
) -> None:
    """Keep the text of each reopened part as the reviewer saw it when sending it back, and its own reason."""
    session.add(decision)
    session.flush()
    for key in decision.parts:
        texts = part_texts(session, submission, key)
        session.add(ReviewSnapshot(decision_id=decision.id, part=key, texts=texts, reason=(reasons or {}).get(key, "")))
