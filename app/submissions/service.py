"""Commands on a State's voluntary GCM review: start, save parts (with conflict detection), check, submit."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app import files
from app.auth.models import User
from app.catalog import queries as catalog_queries
from app.cycles.models import CycleStatus, ReviewCycle
from app.db import utcnow
from app.errors import AppError, Conflict, NotFound, ValidationFailed
from app.i18n import _, ngettext, pick
from app.notifications import service as notifications
from app.questionnaires import answers, languages
from app.questionnaires import service as questionnaires
from app.questionnaires.schemas import NOT_REPORTED, REPORTING_KEY, Definition, Question, QuestionType
from app.submissions import queries
from app.submissions.models import (
    Answer,
    AnswerFile,
    DecisionKind,
    ObjectiveReport,
    ReportingChoice,
    ReviewDecision,
    Submission,
    SubmissionSection,
    SubmissionStatus,
)
from app.visibility import ACCEPTED, Aspect, ensure_can_write_country, may_read

EDITABLE = (SubmissionStatus.draft, SubmissionStatus.changes_requested)


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


def definition_of(session: Session, submission: Submission) -> Definition:
    """The questionnaire of the submission's cycle (kept for the request in the session's info)."""
    cache: dict[int, Definition] = session.info.setdefault("questionnaires", {})
    cycle_id = submission.review_cycle_id
    if cycle_id not in cache:
        cache[cycle_id] = questionnaires.definition_for(session, submission.review_cycle)
    return cache[cycle_id]


def start_submission(
    session: Session, *, user: User, cycle: ReviewCycle, carry_forward: Submission | None = None
) -> Submission:
    """Open a draft for the focal point's country in an open cycle: every section of the cycle's questionnaire and
    every objective, each question with a default answered so.

    With ``carry_forward`` (the country's last accepted review), the draft starts with its answers copied by question
    key where the new questionnaire asks the same key with the same type (``not_carried`` says what could not be).
    """
    assert user.country_id is not None
    ensure_can_write_country(user, user.country_id)
    if cycle.status is not CycleStatus.open:
        raise Conflict(_("This review cycle is not open for submissions."))
    if queries.get_country_submission(session, country_id=user.country_id, cycle_id=cycle.id):
        raise Conflict(_("Your country's review for this cycle has already been started."))
    definition = questionnaires.definition_for(session, cycle)
    submission = Submission(country_id=user.country_id, review_cycle_id=cycle.id, status=SubmissionStatus.draft)
    submission.sections = [SubmissionSection(key=s.key, updated_by_id=user.id) for s in definition.sections]
    objectives = catalog_queries.objectives_in_order(session)
    submission.objective_reports = [ObjectiveReport(objective_id=o.id, updated_by_id=user.id) for o in objectives]
    values: dict[tuple[str, str], Any] = {}
    for part in [f"section:{s.key}" for s in definition.sections] + [f"objective:{o.number}" for o in objectives]:
        for asked in definition.questions_for(part):
            if asked.default is not None:
                values[part, asked.key] = asked.default
    if carry_forward is not None:
        if carry_forward.country_id != user.country_id or carry_forward.status not in ACCEPTED:
            raise Conflict(_("Only your country's last approved review can be carried forward."))
        submission.carried_forward_from_id = carry_forward.id
        carried, _skipped = carry_plan(session, carry_forward, definition)
        values.update(carried)
    submission.answers = [
        Answer(
            part=part,
            key=key,
            value=value,
            text=(text := answers.searchable(q, value)),
            language=languages.detect(text),
            language_set=False,
            updated_by_id=user.id,
        )
        for (part, key), value in values.items()
        if (q := definition.question(part, key)) is not None
    ]
    by_number = {o.id: o.number for o in objectives}
    for report in submission.objective_reports:
        _derive(
            report,
            definition,
            {k: v for (p, k), v in values.items() if p == f"objective:{by_number[report.objective_id]}"},
        )
    try:
        with session.begin_nested():
            session.add(submission)
            session.flush()
            for answer in submission.answers:
                question = definition.question(answer.part, answer.key)
                if question is not None:
                    queries.set_choices(session, answer, answers.choices_of(question, answer.value))
    except IntegrityError:  # a colleague started it at the same moment
        raise Conflict(_("Your country's review for this cycle has already been started.")) from None
    return submission


def carry_plan(
    session: Session, source: Submission, definition: Definition
) -> tuple[dict[tuple[str, str], Any], list[tuple[str, str]]]:
    """Which answers of ``source`` a review on ``definition`` takes over (same part, key and type, and a value that
    still fits), and which (part, key) it cannot."""
    old = definition_of(session, source)
    ctx = _context(session, definition, source.country_id)
    carried: dict[tuple[str, str], Any] = {}
    skipped: list[tuple[str, str]] = []
    for answer in source.answers:
        before = old.question(answer.part, answer.key)
        now = definition.question(answer.part, answer.key)
        if now is None or before is None or before.type is not now.type:
            skipped.append((answer.part, answer.key))
            continue
        try:
            value = answers.coerce(now, answer.value, ctx)
        except answers.AnswerInvalid:
            skipped.append((answer.part, answer.key))
            continue
        if value is not None:
            carried[answer.part, answer.key] = value
    return carried, skipped


def _context(session: Session, definition: Definition, country_id: int) -> answers.Context:
    pledges = {c.id: c.reference for c in queries.list_country_commitments(session, country_id)}
    codes = [p.code for p in catalog_queries.list_principles(session)]
    return answers.Context.of(definition, codes, pledges)


def form_context(session: Session, submission: Submission) -> answers.Context:
    return _context(session, definition_of(session, submission), submission.country_id)


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


def part_key(submission: Submission, part: SubmissionSection | ObjectiveReport) -> str:
    if isinstance(part, SubmissionSection):
        return f"section:{part.key}"
    return f"objective:{part.objective.number}"


def part_answers(submission: Submission, key: str) -> dict[str, Answer]:
    """The answers of one part by question key."""
    return {a.key: a for a in submission.answers if a.part == key}


def part_values(submission: Submission, key: str) -> dict[str, Any]:
    return {k: a.value for k, a in part_answers(submission, key).items()}


def _check_version(record: SubmissionSection | ObjectiveReport, version: int | None) -> None:
    if version is None or version != record.version:
        raise EditConflict(record)


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


def _derive(report: ObjectiveReport, definition: Definition, values: dict[str, Any]) -> None:
    """The objective report's figures for the dashboards, from its answers."""
    reporting = values.get(REPORTING_KEY)
    report.reporting = ReportingChoice.not_reported if reporting == NOT_REPORTED else ReportingChoice.reported
    rating = definition.rating_question()
    step = values.get(rating.key) if rating is not None else None
    report.rating = step if isinstance(step, int) else None


def _write(
    session: Session,
    submission: Submission,
    key: str,
    question: Question,
    value: Any,
    user: User,
    language: str | bool | None = False,
) -> Answer | None:
    """Set one answer (None: not answered) and its text's language (``languages.chosen``: a code the writer
    chose, None for detected, False to leave the choice as it is); returns the row when it changed."""
    current = part_answers(submission, key).get(question.key)
    if current is None and value is None:
        return None
    if current is not None and current.value == value:
        if language is not False and languages.apply(current, language, text_changed=False):
            current.updated_by_id = user.id
            return current
        return None
    if current is None:
        current = Answer(
            submission_id=submission.id, part=key, key=question.key, updated_by_id=user.id, language_set=False
        )
        submission.answers.append(current)
    current.value = value  # None: cleared, the row (and its history) kept
    current.text = answers.searchable(question, value)
    languages.apply(current, language, text_changed=True)
    current.updated_by_id = user.id
    queries.set_choices(session, current, answers.choices_of(question, value))
    return current


def _touch(session: Session, submission: Submission, part: SubmissionSection | ObjectiveReport, user: User) -> None:
    """A save of the part: who and when, its version up, and an objective's figures derived again."""
    part.updated_by_id = user.id
    part.updated_at = utcnow()  # bumps the version
    if isinstance(part, ObjectiveReport):
        _derive(part, definition_of(session, submission), part_values(submission, part_key(submission, part)))


def save_part(
    session: Session,
    *,
    user: User,
    submission: Submission,
    part: SubmissionSection | ObjectiveReport,
    form: dict[str, list[str]],
    version: int | None,
) -> bool:
    """Save a part's answers from its form (the strings posted under each question's key) if the user saw its
    latest version; every answer is checked first and nothing is saved if one does not fit. Returns whether
    anything changed. A question the form does not carry (a file) is left as it is."""
    ensure_editable(submission, user, part)
    key = part_key(submission, part)
    definition = definition_of(session, submission)
    ctx = form_context(session, submission)
    values = answers.from_part_form(definition.questions_for(key), form, ctx)
    _check_version(part, version)
    current = part_values(submission, key)
    chosen = {q.key: languages.chosen(form, q.key) for q in definition.questions_for(key)}
    rows = part_answers(submission, key)
    if all(current.get(k) == v for k, v in values.items()) and not any(
        languages.would_change(rows.get(k), c) for k, c in chosen.items()
    ):
        return False
    with _guarded(session, part):
        for q in definition.questions_for(key):
            if q.key in values:
                _write(session, submission, key, q, values[q.key], user, chosen[q.key])
        _touch(session, submission, part, user)
    return True


def form_of(session: Session, submission: Submission, key: str) -> dict[str, list[str]]:
    """A part's answers as its form posts them (what ``save_part`` takes): the demo and scripts edit through it."""
    definition = definition_of(session, submission)
    ids = form_context(session, submission).pledge_ids
    values = part_values(submission, key)
    form: dict[str, list[str]] = {}
    for q in definition.questions_for(key):
        shown = answers.form_value(q, values.get(q.key), ids)
        form[q.key] = [str(v) for v in shown] if isinstance(shown, list) else [shown]
    return form


class AnswerConflict(AppError):
    """The answer changed since the version the client had: nothing was saved; ``current`` is what it is now."""

    status_code = 409

    def __init__(self, current: Answer | None) -> None:
        super().__init__(_("Someone else saved this answer after you read it. Read it again before saving."))
        self.current = current


def find_part(submission: Submission, key: str) -> SubmissionSection | ObjectiveReport | None:
    kind, _sep, ref = key.partition(":")
    if kind == "section":
        return next((s for s in submission.sections if s.key == ref), None)
    if kind == "objective":
        return next((r for r in submission.objective_reports if str(r.objective.number) == ref), None)
    return None


def save_answer(
    session: Session,
    *,
    user: User,
    submission: Submission,
    part: str,
    key: str,
    value: Any,
    version: int,
    language: str | bool | None = False,
) -> Answer | None:
    """Save one answer if ``version`` is the one it has (0: never answered); ``language`` as ``_write`` takes it.

    Returns the answer (its value None when it was cleared; None when there was none and null was sent).
    AnswerInvalid (422) when the value does not fit the question, AnswerConflict (409) on another version, NotFound
    for a part or question the questionnaire does not have."""
    record = find_part(submission, part)
    definition = definition_of(session, submission)
    question = definition.question(part, key)
    if record is None or question is None:
        raise NotFound(_("The questionnaire has no question %(key)s in %(part)s.") % {"key": key, "part": part})
    ensure_editable(submission, user, record)
    if question.type is QuestionType.file:
        raise answers.AnswerInvalid(_("This question is answered by uploading a file."))
    value = answers.coerce(question, value, form_context(session, submission))
    current = part_answers(submission, part).get(key)
    if version != (current.version if current is not None else 0):
        raise AnswerConflict(current)
    if (current.value if current is not None else None) == value and not languages.would_change(current, language):
        return current
    try:
        with session.begin_nested():
            written = _write(session, submission, part, question, value, user, language)
            _touch(session, submission, record, user)
            session.flush()
    except StaleDataError:
        session.expire_all()
        raise AnswerConflict(None) from None
    return written or current


@dataclass(frozen=True)
class ChecklistItem:
    key: str  # "section:<key>" or "objective:<n>"
    label: str
    complete: bool
    missing: str  # what is missing, when not complete


def checklist(session: Session, submission: Submission) -> list[ChecklistItem]:
    """What is complete and what is missing, per the cycle's questionnaire: every general section, then every
    objective; a part is complete when every required question it asks is answered."""
    definition = definition_of(session, submission)
    items = []
    for section in definition.sections:
        key = f"section:{section.key}"
        missing = answers.missing(section.questions, part_values(submission, key))
        items.append(ChecklistItem(key, pick(section.label, section.key)[0], not missing, _missing_text(missing)))
    for report in sorted(submission.objective_reports, key=lambda r: r.objective.number):
        key = f"objective:{report.objective.number}"
        missing = answers.missing(definition.questions_for(key), part_values(submission, key))
        label = _("Objective %(n)s: %(title)s") % {"n": report.objective.number, "title": report.objective.short_title}
        items.append(ChecklistItem(key, label, not missing, _missing_text(missing)))
    return items


def _missing_text(missing: list[Question]) -> str:
    return _(" and ").join(q.text() for q in missing)


def submit(session: Session, *, user: User, submission: Submission) -> None:
    """Send the review to the secretariat: only when every part is complete and at least one objective reported."""
    queries.lock_submission(session, submission)
    ensure_editable(submission, user)
    if submission.review_cycle.status is not CycleStatus.open:
        raise Conflict(_("This review cycle is closed; the secretariat can no longer receive submissions."))
    incomplete = [item for item in checklist(session, submission) if not item.complete]
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
            ngettext(
                "The review cannot be submitted yet: %(count)d part is incomplete.",
                "The review cannot be submitted yet: %(count)d parts are incomplete.",
                len(items),
            )
            % {"count": len(items)}
        )
        self.items = items


# ---- file attachments --------------------------------------------------------------------------------------------

DEFAULT_FILE_MAX = 10 * 1024 * 1024


def _file_kind(name: str, data: bytes) -> str:
    """The media type of an accepted document, or AnswerInvalid: the extension and the content must agree (and
    an archive must not expand to far more than its size: app/files.py)."""
    try:
        return files.file_kind(name, data)
    except files.FileRefused as exc:
        raise answers.AnswerInvalid(str(exc)) from None


def attach_file(
    session: Session,
    *,
    user: User,
    submission: Submission,
    part: str,
    key: str,
    name: str,
    data: bytes,
) -> Answer:
    """Attach a document in answer to a file question (replacing the one attached before), while the part is
    editable. AnswerInvalid names what is wrong (type, content, size); nothing is stored then."""
    record = find_part(submission, part)
    definition = definition_of(session, submission)
    question = definition.question(part, key)
    if record is None or question is None or question.type is not QuestionType.file:
        raise NotFound(_("The questionnaire has no such file question."))
    ensure_editable(submission, user, record)
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()[:200] or "document"
    limit = question.max_bytes or DEFAULT_FILE_MAX
    if not data:
        raise answers.AnswerInvalid(_("Choose a file to attach."))
    if len(data) > limit:
        raise answers.AnswerInvalid(
            _("The file is too large: at most %(size)s.") % {"size": f"{limit / (1024 * 1024):.1f} MB"}
        )
    media_type = _file_kind(name, data)
    for old in queries.files_of(session, submission.id, part, key):
        session.delete(old)
    stored = AnswerFile(
        submission_id=submission.id,
        part=part,
        key=key,
        name=name,
        media_type=media_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
        uploaded_by_id=user.id,
    )
    session.add(stored)
    session.flush()
    value = {"file_id": stored.id, "name": name, "size": len(data), "media_type": media_type}
    with _guarded(session, record):
        written = _write(session, submission, part, question, value, user)
        _touch(session, submission, record, user)
    assert written is not None
    return written


def detach_file(session: Session, *, user: User, submission: Submission, part: str, key: str) -> None:
    """Remove the document attached to a file question (its answer is cleared, its history kept)."""
    record = find_part(submission, part)
    question = definition_of(session, submission).question(part, key)
    if record is None or question is None or question.type is not QuestionType.file:
        raise NotFound(_("The questionnaire has no such file question."))
    ensure_editable(submission, user, record)
    for old in queries.files_of(session, submission.id, part, key):
        session.delete(old)
    with _guarded(session, record):
        if _write(session, submission, part, question, None, user) is not None:
            _touch(session, submission, record, user)


def readable_file(session: Session, *, user: User, submission: Submission, file_id: int) -> AnswerFile:
    """A document the user may read (as the review's answers); any other is simply not found."""
    stored = queries.get_file(session, submission.id, file_id, content=True)
    if stored is None or not can_read(user, submission):
        raise NotFound(_("The page or record was not found."))
    return stored
