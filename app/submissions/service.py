"""Commands on a State's voluntary GCM review: start, save parts (with conflict detection), check, submit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.auth.models import User
from app.catalog import queries as catalog_queries
from app.catalog.models import Principle
from app.commitments.models import Commitment
from app.cycles.models import CycleStatus, ReviewCycle
from app.db import utcnow
from app.errors import AppError, Conflict, FormInvalid, NotFound, ValidationFailed
from app.i18n import _
from app.notifications import service as notifications
from app.submissions import queries
from app.submissions.models import (
    DecisionKind,
    ObjectiveReport,
    ProgressRating,
    ReportingChoice,
    ReviewDecision,
    SectionKey,
    Submission,
    SubmissionSection,
    SubmissionStatus,
)
from app.submissions.rules import NOT_REPORTED_REASON_MAX, REPORT_FIELDS, SECTION_MAX, SECTION_TITLES
from app.visibility import ACCEPTED, Aspect, ensure_can_write_country, may_read

EDITABLE = (SubmissionStatus.draft, SubmissionStatus.changes_requested)
ANSWERS_INVALID = _("Some answers need correcting; nothing was saved.")


class EditConflict(AppError):
    """Someone saved this part after the user loaded it: nothing is saved; both versions are shown."""

    status_code = 409

    def __init__(self, current: SubmissionSection | ObjectiveReport) -> None:
        super().__init__(_("Someone else saved this part after you opened it. Compare and merge before saving."))
        self.current = current


def can_read(user: User, submission: Submission, aspect: Aspect = Aspect.answers) -> bool:
    """Whether the user may read this part of the review (the table in ``app/visibility.py``)."""
    return may_read(user, submission.country_id, submission.status, aspect)


def get_readable(session: Session, *, user: User, submission_id: int) -> Submission:
    """A review the user may read (everything its pages show loaded); any other is simply not found."""
    submission = queries.get_submission(session, submission_id)
    if submission is None or not can_read(user, submission):
        raise NotFound(_("The page or record was not found."))
    return submission


def start_submission(
    session: Session, *, user: User, cycle: ReviewCycle, carry_forward: Submission | None = None
) -> Submission:
    """Open a draft for the focal point's country in an open cycle, with every section and objective report.

    With ``carry_forward`` (the country's last accepted review), the draft starts as a copy of it, marked so.
    """
    assert user.country_id is not None
    ensure_can_write_country(user, user.country_id)
    if cycle.status is not CycleStatus.open:
        raise Conflict(_("This review cycle is not open for submissions."))
    if queries.get_country_submission(session, country_id=user.country_id, cycle_id=cycle.id):
        raise Conflict(_("Your country's review for this cycle has already been started."))
    submission = Submission(country_id=user.country_id, review_cycle_id=cycle.id, status=SubmissionStatus.draft)
    submission.sections = [SubmissionSection(key=key, body="", updated_by_id=user.id) for key in SectionKey]
    objectives = catalog_queries.objectives_in_order(session)
    submission.objective_reports = [ObjectiveReport(objective_id=o.id, updated_by_id=user.id) for o in objectives]
    if carry_forward is not None:
        _copy_from(submission, carry_forward, user)
    try:
        with session.begin_nested():
            session.add(submission)
            session.flush()
    except IntegrityError:  # a colleague started it at the same moment
        raise Conflict(_("Your country's review for this cycle has already been started.")) from None
    return submission


COPIED_REPORT_FIELDS = ("reporting", "not_reported_reason", "progress_rating", *(f.name for f in REPORT_FIELDS))


def _copy_from(submission: Submission, source: Submission, user: User) -> None:
    if source.country_id != user.country_id or source.status not in ACCEPTED:
        raise Conflict(_("Only your country's last approved review can be carried forward."))
    submission.carried_forward_from_id = source.id
    bodies = {s.key: s.body for s in source.sections}
    for section in submission.sections:
        section.body = bodies.get(section.key, "")
    reports = {r.objective_id: r for r in source.objective_reports}
    for report in submission.objective_reports:
        old = reports.get(report.objective_id)
        if old is None:
            continue
        for name in COPIED_REPORT_FIELDS:
            setattr(report, name, getattr(old, name))
        report.principles = list(old.principles)
        report.commitments = list(old.commitments)


def ensure_editable(
    submission: Submission, user: User, part: SubmissionSection | ObjectiveReport | None = None
) -> None:
    """A focal point of the country edits a draft, or the parts the secretariat reopened when sending it back."""
    ensure_can_write_country(user, submission.country_id)
    if submission.status not in EDITABLE:
        raise Conflict(
            _("This review has been submitted and is read-only until the secretariat sends it back for changes.")
        )
    if submission.status is SubmissionStatus.changes_requested and part is not None and not part.reopened:
        raise Conflict(_("The secretariat did not ask for changes to this part; it stays as submitted."))


def is_part_editable(submission: Submission, part: SubmissionSection | ObjectiveReport) -> bool:
    return submission.status is SubmissionStatus.draft or (
        submission.status is SubmissionStatus.changes_requested and part.reopened
    )


def _check_version(record: SubmissionSection | ObjectiveReport, version: int | None) -> None:
    if version is None or version != record.version:
        raise EditConflict(record)


def save_section(
    session: Session, *, user: User, submission: Submission, section: SubmissionSection, body: str, version: int | None
) -> bool:
    """Save a general section if the user saw its latest version; returns whether anything changed."""
    ensure_editable(submission, user, section)
    body = _clean(body)
    if len(body) > SECTION_MAX:
        message = _("Shorten the text to %(max)s characters.") % {"max": f"{SECTION_MAX:,}"}
        raise FormInvalid({"body": message}, ANSWERS_INVALID)
    _check_version(section, version)
    if section.body == body:
        return False
    with _guarded(session, section):
        section.body = body
        section.updated_by_id = user.id
    return True


@contextmanager
def _guarded(session: Session, record: SubmissionSection | ObjectiveReport) -> Iterator[None]:
    """Apply changes in a savepoint: if another save won the race meanwhile, undo ours and report a conflict."""
    try:
        with session.begin_nested():
            yield
            session.flush()
    except StaleDataError:
        session.refresh(record)
        raise EditConflict(record) from None


@dataclass
class ReportInput:
    reporting: str = ReportingChoice.reported.value
    not_reported_reason: str = ""
    progress_rating: str = ""
    texts: dict[str, str] = field(default_factory=dict)
    principle_codes: list[str] = field(default_factory=list)
    commitment_ids: list[int] = field(default_factory=list)


def _clean(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def _validate_report(data: ReportInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.reporting not in {c.value for c in ReportingChoice}:
        errors["reporting"] = _("Choose whether this objective is reported this cycle.")
    if data.progress_rating and data.progress_rating not in {r.value for r in ProgressRating}:
        errors["progress_rating"] = _("Choose a rating from the scale.")
    for spec in REPORT_FIELDS:
        if len(data.texts.get(spec.name, "")) > spec.max_length:
            errors[spec.name] = _("Shorten the text to %(max)s characters.") % {"max": f"{spec.max_length:,}"}
    if len(data.not_reported_reason) > NOT_REPORTED_REASON_MAX:
        errors["not_reported_reason"] = _("Shorten the reason to %(max)s characters.") % {
            "max": f"{NOT_REPORTED_REASON_MAX:,}"
        }
    return errors


def save_objective_report(
    session: Session,
    *,
    user: User,
    submission: Submission,
    report: ObjectiveReport,
    data: ReportInput,
    version: int | None,
) -> bool:
    """Save an objective report if the user saw its latest version; returns whether anything changed."""
    ensure_editable(submission, user, report)
    data.texts = {k: _clean(v) for k, v in data.texts.items()}
    data.not_reported_reason = _clean(data.not_reported_reason)
    errors = _validate_report(data)
    principles = _principles(session, data.principle_codes, errors)
    commitments = _commitments(session, submission.country_id, data.commitment_ids, errors)
    if errors:
        raise FormInvalid(errors, ANSWERS_INVALID)
    _check_version(report, version)
    values: dict[str, Any] = {
        "reporting": ReportingChoice(data.reporting),
        "not_reported_reason": data.not_reported_reason,
        "progress_rating": ProgressRating(data.progress_rating) if data.progress_rating else None,
        **{spec.name: data.texts.get(spec.name, "") for spec in REPORT_FIELDS},
    }
    same_links = [p.id for p in report.principles] == [p.id for p in principles] and sorted(
        c.id for c in report.commitments
    ) == sorted(c.id for c in commitments)
    if same_links and all(getattr(report, k) == v for k, v in values.items()):
        return False
    with _guarded(session, report):
        for key, value in values.items():
            setattr(report, key, value)
        report.principles = principles
        report.commitments = commitments
        report.updated_by_id = user.id
        report.updated_at = utcnow()  # bumps the version even when only the links changed
    return True


def _principles(session: Session, codes: list[str], errors: dict[str, str]) -> list[Principle]:
    wanted = sorted(set(codes))
    found = catalog_queries.principles_by_codes(session, wanted)
    if len(found) != len(wanted):
        errors["principles"] = _("Choose guiding principles from the list.")
    return found


def _commitments(session: Session, country_id: int, ids: list[int], errors: dict[str, str]) -> list[Commitment]:
    wanted = set(ids)
    if not wanted:
        return []
    found = queries.country_commitments_by_ids(session, country_id, wanted)
    if len(found) != len(wanted):
        errors["commitments"] = _("Choose commitments of your own country from the list.")
    return found


@dataclass(frozen=True)
class ChecklistItem:
    key: str  # "section:<key>" or "objective:<n>"
    label: str
    complete: bool
    missing: str  # what is missing, when not complete


def report_missing(report: ObjectiveReport) -> str:
    if report.reporting is ReportingChoice.not_reported:
        return "" if report.not_reported_reason else _("the reason it is not reported this cycle")
    missing = []
    if report.progress_rating is None:
        missing.append(_("a progress rating"))
    if not report.narrative:
        missing.append(_("a description of progress"))
    return _(" and ").join(missing)


def checklist(submission: Submission) -> list[ChecklistItem]:
    """What is complete and what is missing: every general section, then every objective."""
    items = [
        ChecklistItem(
            f"section:{s.key.value}", SECTION_TITLES[s.key], bool(s.body), "" if s.body else _("this section is empty")
        )
        for s in sorted(submission.sections, key=lambda s: list(SectionKey).index(s.key))
    ]
    for report in sorted(submission.objective_reports, key=lambda r: r.objective.number):
        missing = report_missing(report)
        label = _("Objective %(n)s: %(title)s") % {"n": report.objective.number, "title": report.objective.short_title}
        items.append(ChecklistItem(f"objective:{report.objective.number}", label, not missing, missing))
    return items


def submit(session: Session, *, user: User, submission: Submission) -> None:
    """Send the review to the secretariat: only when every part is complete and at least one objective reported."""
    queries.lock_submission(session, submission)
    ensure_editable(submission, user)
    if submission.review_cycle.status is not CycleStatus.open:
        raise Conflict(_("This review cycle is closed; the secretariat can no longer receive submissions."))
    incomplete = [item for item in checklist(submission) if not item.complete]
    if not any(r.reporting is ReportingChoice.reported for r in submission.objective_reports):
        raise ValidationFailed(_("Report on at least one objective before submitting."))
    if incomplete:
        raise IncompleteSubmission(incomplete)
    resubmitted = submission.status is SubmissionStatus.changes_requested
    submission.status = SubmissionStatus.submitted
    submission.submitted_at = utcnow()
    parts: list[SubmissionSection | ObjectiveReport] = [*submission.sections, *submission.objective_reports]
    for part in parts:
        part.reopened = False
    session.add(ReviewDecision(submission_id=submission.id, kind=DecisionKind.submit, decided_by_id=user.id))
    session.flush()
    notifications.submitted(session, submission, user, resubmitted=resubmitted)


class IncompleteSubmission(AppError):
    status_code = 422

    def __init__(self, items: list[ChecklistItem]) -> None:
        super().__init__(
            _("The review cannot be submitted yet: %(count)s parts are incomplete.") % {"count": len(items)}
        )
        self.items = items
