"""Commands on contributions: start, choose objectives and consent, save a part, submit; the secretariat's
moderation.

The state machine (every move a ``ContributionDecision``; any other move is refused with 409, nothing changed):

    draft ──submit──▶ submitted ──accept──▶ accepted
    returned ──submit──▶ submitted ──return (reason)──▶ returned
                         submitted ──decline (reason)──▶ declined

The organisation's users write while it is a draft or returned; a submit needs every required question answered
(the general sections and, for each chosen objective, the objective questions). Answers are checked by
``app.questionnaires.answers`` (``from_form``/``coerce``) as the States' are, and saved all or nothing per part.

Locks: each part's form carries its ``ContributionPart`` version (0 before the part's first save), so saves of two
parts never conflict and a stale save of the same part is an ``EditConflict`` (409, both versions shown, nothing
saved). Every write to a part (a form, one answer, a document) takes the contribution's row lock first
(``queries.lock_contribution``), as submit and the moderation do, so a save never lands in a contribution submitted
meanwhile. The contribution's own version locks its scope and the moderation.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app import files
from app.auth.models import Role, User
from app.catalog import queries as catalog_queries
from app.contributions import queries
from app.contributions.models import (
    Consent,
    Contribution,
    ContributionAnswer,
    ContributionDecision,
    ContributionDecisionKind,
    ContributionFile,
    ContributionPart,
    ContributionStatus,
)
from app.cycles.models import CycleStatus, ReviewCycle
from app.db import utcnow
from app.errors import AppError, Conflict, Forbidden, FormInvalid, NotFound
from app.i18n import LazyLabels, _, format_number, lazy_gettext, pick
from app.questionnaires import answers, languages
from app.questionnaires import service as questionnaires
from app.questionnaires.models import QuestionnaireKind
from app.questionnaires.schemas import Definition, Question, QuestionType
from app.visibility import ensure_can_read_contribution, ensure_can_write_contribution

EDITABLE = (ContributionStatus.draft, ContributionStatus.returned)
REASON_MAX = 5_000
MAX_OBJECTIVES = 23
KIND = QuestionnaireKind.stakeholders


class EditConflict(AppError):
    """Someone saved the contribution (its scope) or the part after the user loaded it: nothing is saved; both
    versions are shown. ``part`` is the part's lock row as it is now (None for the scope, or a part never saved)."""

    status_code = 409

    def __init__(self, current: Contribution, part: ContributionPart | None = None, *, scope: bool = False) -> None:
        if scope:
            message = _("Someone else saved this contribution after you opened it. Compare and merge before saving.")
        else:
            message = _("Someone else saved this part after you opened it. Compare and merge before saving.")
        super().__init__(message)
        self.current = current
        self.part = part


class Incomplete(AppError):
    status_code = 422

    def __init__(self, missing: list[str]) -> None:
        super().__init__(_("Answer the required questions before submitting: %(list)s.") % {"list": "; ".join(missing)})
        self.missing = missing


def definition_of(session: Session, contribution: Contribution) -> Definition:
    """The stakeholder questionnaire of the contribution's cycle (kept for the request in the session's info)."""
    cache: dict[int, Definition] = session.info.setdefault("stakeholder_questionnaires", {})
    if contribution.review_cycle_id not in cache:
        cache[contribution.review_cycle_id] = questionnaires.definition_for(session, contribution.review_cycle, KIND)
    return cache[contribution.review_cycle_id]


def get_readable(session: Session, *, user: User | None, contribution_id: int) -> Contribution:
    contribution = queries.get_contribution(session, contribution_id)
    if contribution is None:
        raise NotFound(_("The page or record was not found."))
    ensure_can_read_contribution(user, contribution)
    return contribution


def can_edit(user: User | None, contribution: Contribution) -> bool:
    return (
        user is not None
        and user.role is Role.stakeholder
        and user.organisation_id == contribution.organisation_id
        and contribution.status in EDITABLE
    )


def parts_of(contribution: Contribution, definition: Definition) -> list[str]:
    """The parts the contribution answers: every general section, then each chosen objective."""
    return [f"section:{s.key}" for s in definition.sections] + [f"objective:{n}" for n in contribution.objectives]


def part_values(contribution: Contribution, part: str) -> dict[str, Any]:
    return {a.key: a.value for a in contribution.answers if a.part == part}


def part_record(contribution: Contribution, part: str) -> ContributionPart | None:
    """The part's lock row (None before its first save)."""
    return next((p for p in contribution.parts if p.part == part), None)


def part_version(contribution: Contribution, part: str) -> int:
    """The version a part's form carries: its lock row's, 0 before the part's first save."""
    record = part_record(contribution, part)
    return record.version if record is not None else 0


def form_context(session: Session, definition: Definition) -> answers.Context:
    principles = [p.code for p in catalog_queries.list_principles(session)]
    return answers.Context.of(definition, principles, {})


def start(session: Session, *, user: User, cycle: ReviewCycle) -> Contribution:
    """The organisation's contribution to an open cycle: the one already started, or a new draft."""
    if user.role is not Role.stakeholder or user.organisation_id is None:
        raise Forbidden(_("Only an organisation's people contribute."))
    if cycle.status is not CycleStatus.open:
        raise Conflict(_("This review cycle is not open for contributions."))
    existing = queries.get_for_organisation(session, organisation_id=user.organisation_id, cycle_id=cycle.id)
    if existing is not None:
        return existing
    questionnaires.start_for(session, cycle, KIND)
    contribution = Contribution(
        organisation_id=user.organisation_id,
        review_cycle_id=cycle.id,
        status=ContributionStatus.draft,
        objectives=[],
        consent=Consent.name,
        updated_by_id=user.id,
    )
    try:
        with session.begin_nested():
            session.add(contribution)
            session.flush()
    except IntegrityError:
        raise Conflict(_("Your organisation's contribution to this cycle has already been started.")) from None
    found = queries.get_contribution(session, contribution.id)
    assert found is not None
    return found


def _ensure_editable(user: User, contribution: Contribution) -> None:
    ensure_can_write_contribution(user, contribution)
    if contribution.status not in EDITABLE:
        raise Conflict(_("This contribution has been submitted: it can no longer be changed."))


def _check_version(contribution: Contribution, version: int | None) -> None:
    """The scope's lock: the contribution's own version."""
    if version is None or version != contribution.version:
        raise EditConflict(contribution, scope=True)


def _flush(session: Session, contribution: Contribution) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except StaleDataError:
        session.refresh(contribution)
        raise EditConflict(contribution, scope=True) from None


def set_scope(
    session: Session,
    *,
    user: User,
    contribution: Contribution,
    objectives: list[str],
    consent: str,
    version: int | None,
) -> None:
    """The objectives the organisation writes about (numbers 1-23) and how it is to be cited."""
    _ensure_editable(user, contribution)
    errors: dict[str, str] = {}
    numbers: list[int] = []
    for raw in objectives:
        if not raw.isdecimal() or len(raw) > 2 or not 1 <= int(raw) <= MAX_OBJECTIVES:
            errors["objectives"] = _("Choose objectives from the list.")
            break
        numbers.append(int(raw))
    if consent not in {c.value for c in Consent}:
        errors["consent"] = _("Choose how your organisation is to be cited.")
    if errors:
        raise FormInvalid(errors, answers.ANSWERS_INVALID)
    _check_version(contribution, version)
    chosen = sorted(set(numbers))
    if chosen == contribution.objectives and contribution.consent.value == consent:
        return
    contribution.objectives = chosen
    contribution.consent = Consent(consent)
    contribution.updated_by_id = user.id
    contribution.updated_at = utcnow()
    _flush(session, contribution)


def ensure_part(contribution: Contribution, definition: Definition, part: str) -> None:
    if part not in parts_of(contribution, definition):
        raise NotFound(_("The page or record was not found."))


def _lock_part(
    session: Session, user: User, contribution: Contribution, part: str, version: int | None, *, check: bool = True
) -> ContributionPart | None:
    """Take the contribution's row lock, check again that it may be written, then (``check``) that ``version`` is
    the part's (else EditConflict); returns the part's lock row as committed (None before its first save)."""
    queries.lock_contribution(session, contribution)
    _ensure_editable(user, contribution)
    ensure_part(contribution, definition_of(session, contribution), part)
    record = queries.get_part(session, contribution.id, part)
    if check and (version is None or version != (record.version if record is not None else 0)):
        raise EditConflict(contribution, record)
    return record


def _touch(contribution: Contribution, part: str, record: ContributionPart | None, user: User) -> None:
    """A save of the part: its lock row made (first save) or its version up; who saved it."""
    if record is None:
        contribution.parts.append(ContributionPart(contribution_id=contribution.id, part=part, updated_by_id=user.id))
        return
    record.updated_by_id = user.id
    record.updated_at = utcnow()  # bumps the part's version


def _flush_part(session: Session, contribution: Contribution, part: str) -> None:
    """Flush in a savepoint: a save of the same part that won the race meanwhile (a newer version, or its first
    save made the lock row first) undoes ours and is a conflict."""
    try:
        with session.begin_nested():
            session.flush()
    except (StaleDataError, IntegrityError):
        raise EditConflict(contribution, queries.get_part(session, contribution.id, part)) from None


def save_part(
    session: Session,
    *,
    user: User,
    contribution: Contribution,
    part: str,
    form: dict[str, list[str]],
    version: int | None,
) -> bool:
    """Save a part's answers from its form if the user saw the part's latest version (``part_version``); every
    answer is checked first and nothing is saved if one does not fit. Returns whether anything changed. A question
    the form does not carry (a file) is left as it is."""
    _ensure_editable(user, contribution)
    definition = definition_of(session, contribution)
    ensure_part(contribution, definition, part)
    ctx = form_context(session, definition)
    values = answers.from_part_form(definition.questions_for(part), form, ctx)
    record = _lock_part(session, user, contribution, part, version)
    current = part_values(contribution, part)
    chosen = {q.key: languages.chosen(form, q.key) for q in definition.questions_for(part)}
    rows = {a.key: a for a in contribution.answers if a.part == part}
    if all(current.get(k) == v for k, v in values.items()) and not any(
        languages.would_change(rows.get(k), c) for k, c in chosen.items()
    ):
        return False
    for q in definition.questions_for(part):
        if q.key in values:
            _write(contribution, part, q, values[q.key], user, chosen[q.key])
    _touch(contribution, part, record, user)
    _flush_part(session, contribution, part)
    return True


def save_answer(
    session: Session, *, user: User, contribution: Contribution, part: str, key: str, value: Any, version: int | None
) -> None:
    """Set one answer from an API-style value (checked by ``answers.coerce``); ``version`` is the part's."""
    _ensure_editable(user, contribution)
    definition = definition_of(session, contribution)
    ensure_part(contribution, definition, part)
    question = definition.question(part, key)
    if question is None or question.type is QuestionType.file:
        raise NotFound(_("This questionnaire has no such question."))
    stored = answers.coerce(question, value, form_context(session, definition))
    record = _lock_part(session, user, contribution, part, version)
    if part_values(contribution, part).get(key) == stored:
        return
    _write(contribution, part, question, stored, user)
    _touch(contribution, part, record, user)
    _flush_part(session, contribution, part)


def _write(
    contribution: Contribution,
    part: str,
    question: Question,
    value: Any,
    user: User,
    language: str | bool | None = False,
) -> None:
    """Set one answer and its text's language (as ``app.submissions.service._write``)."""
    current = next((a for a in contribution.answers if a.part == part and a.key == question.key), None)
    if current is None and value is None:
        return
    if current is not None and current.value == value:
        if language is not False and languages.apply(current, language, text_changed=False):
            current.updated_by_id = user.id
        return
    if current is None:
        current = ContributionAnswer(contribution_id=contribution.id, part=part, key=question.key, language_set=False)
        contribution.answers.append(current)
    current.value = value
    current.text = answers.searchable(question, value)
    languages.apply(current, language, text_changed=True)
    current.updated_by_id = user.id


def missing(session: Session, contribution: Contribution) -> list[str]:
    """The required questions not answered (with where), for the chosen objectives."""
    definition = definition_of(session, contribution)
    found: list[str] = []
    if not contribution.objectives:
        found.append(str(_("Choose at least one objective")))
    for part in parts_of(contribution, definition):
        values = part_values(contribution, part)
        for q in answers.missing(definition.questions_for(part), values):
            kind, _sep, ref = part.partition(":")
            where = _("Objective %(n)s") % {"n": ref} if kind == "objective" else ref
            found.append(f"{where}: {pick(q.label, q.key)[0]}")
    return found


def _decide(
    session: Session,
    contribution: Contribution,
    *,
    user: User,
    kind: ContributionDecisionKind,
    allowed_from: tuple[ContributionStatus, ...],
    to: ContributionStatus,
    reason: str = "",
    version: int | None = None,
) -> None:
    if contribution.status not in allowed_from:
        _refuse(contribution, kind)
    if version is not None and version != contribution.version:
        raise Conflict(_("Someone else changed this contribution after you opened it. Nothing was saved."))
    now = utcnow()
    contribution.status = to
    contribution.updated_at = now
    if kind is ContributionDecisionKind.submit:
        contribution.submitted_at = now
    else:
        contribution.decided_at = now
    contribution.decisions.append(ContributionDecision(kind=kind, reason=reason, user_id=user.id, created_at=now))
    try:
        with session.begin_nested():
            session.flush()
    except StaleDataError:
        raise Conflict(_("Someone else changed this contribution at the same moment. Nothing was saved.")) from None


def _refuse(contribution: Contribution, kind: ContributionDecisionKind) -> None:
    message = _("A contribution that is %(status)s cannot be %(action)s.")
    raise Conflict(message % {"status": contribution.status.value, "action": _ACTIONS[kind]})


_ACTIONS = LazyLabels(
    {
        ContributionDecisionKind.submit: lazy_gettext("submitted"),
        ContributionDecisionKind.return_: lazy_gettext("returned"),
        ContributionDecisionKind.accept: lazy_gettext("accepted"),
        ContributionDecisionKind.decline: lazy_gettext("declined"),
    }
)


def submit(session: Session, *, user: User, contribution: Contribution) -> None:
    ensure_can_write_contribution(user, contribution)
    queries.lock_contribution(session, contribution)  # a part being saved is saved first, then read here
    queries.get_contribution(session, contribution.id, fresh=True)
    if contribution.status not in EDITABLE:
        _refuse(contribution, ContributionDecisionKind.submit)
    gaps = missing(session, contribution)
    if gaps:
        raise Incomplete(gaps)
    _decide(
        session,
        contribution,
        user=user,
        kind=ContributionDecisionKind.submit,
        allowed_from=EDITABLE,
        to=ContributionStatus.submitted,
    )


def _reason(reason: str) -> str:
    text = reason.replace("\r\n", "\n").strip()
    if not text:
        raise FormInvalid({"reason": _("Say why: the organisation reads it.")}, _("Nothing was saved."))
    if len(text) > REASON_MAX:
        raise FormInvalid(
            {"reason": _("Shorten the reason to %(max)s characters.") % {"max": format_number(REASON_MAX)}}
        )
    return text


def moderate(
    session: Session, *, user: User, contribution: Contribution, action: str, reason: str = "", version: int | None
) -> None:
    """The secretariat's decision on a submitted contribution: ``accept``, ``return`` or ``decline`` (these two
    with a reason)."""
    if user.role not in (Role.secretariat, Role.admin):
        raise Forbidden(_("Only the secretariat moderates contributions."))
    submitted = (ContributionStatus.submitted,)
    if action == "accept":
        _decide(
            session,
            contribution,
            user=user,
            kind=ContributionDecisionKind.accept,
            allowed_from=submitted,
            to=ContributionStatus.accepted,
            reason=reason.strip()[:REASON_MAX],
            version=version,
        )
    elif action in ("return", "decline"):
        kind = ContributionDecisionKind.return_ if action == "return" else ContributionDecisionKind.decline
        to = ContributionStatus.returned if action == "return" else ContributionStatus.declined
        if contribution.status not in submitted:
            _refuse(contribution, kind)
        _decide(
            session,
            contribution,
            user=user,
            kind=kind,
            allowed_from=submitted,
            to=to,
            reason=_reason(reason),
            version=version,
        )
    else:
        raise NotFound(_("There is no such decision."))


# ---- documents answering file questions (as a State's review: app/submissions/service.py) ------------------------

DEFAULT_FILE_MAX = 10 * 1024 * 1024


def _file_question(session: Session, contribution: Contribution, part: str, key: str) -> Question:
    definition = definition_of(session, contribution)
    question = definition.question(part, key)
    if part not in parts_of(contribution, definition) or question is None or question.type is not QuestionType.file:
        raise NotFound(_("The questionnaire has no such file question."))
    return question


def attach_file(
    session: Session,
    *,
    user: User,
    contribution: Contribution,
    part: str,
    key: str,
    name: str,
    data: bytes,
) -> ContributionAnswer:
    """Attach a document in answer to a file question (replacing the one attached before) while the contribution
    may be written: one question's own action, as for a State's review, so not checked against the form's version
    (it moves the part's version on, as a save does). AnswerInvalid names what is wrong (type, content,
    size: ``app.files``); nothing is stored then."""
    _ensure_editable(user, contribution)
    question = _file_question(session, contribution, part, key)
    name = files.clean_name(name)
    try:
        media_type = files.check_document(name, data, limit=question.max_bytes or DEFAULT_FILE_MAX)
    except files.FileRefused as exc:
        raise answers.AnswerInvalid(str(exc)) from None
    record = _lock_part(session, user, contribution, part, None, check=False)
    for old in queries.files_of(session, contribution.id, part, key):
        session.delete(old)
    stored = ContributionFile(
        contribution_id=contribution.id,
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
    _write(contribution, part, question, value, user)
    _touch(contribution, part, record, user)
    _flush_part(session, contribution, part)
    written = next(a for a in contribution.answers if a.part == part and a.key == key)
    return written


def detach_file(session: Session, *, user: User, contribution: Contribution, part: str, key: str) -> None:
    """Remove the document attached to a file question (its answer cleared, its history kept)."""
    _ensure_editable(user, contribution)
    question = _file_question(session, contribution, part, key)
    record = _lock_part(session, user, contribution, part, None, check=False)
    for old in queries.files_of(session, contribution.id, part, key):
        session.delete(old)
    if part_values(contribution, part).get(key) is None:
        session.flush()
        return
    _write(contribution, part, question, None, user)
    _touch(contribution, part, record, user)
    _flush_part(session, contribution, part)


def readable_file(session: Session, *, user: User | None, contribution: Contribution, file_id: int) -> ContributionFile:
    """A document of a contribution the user may read (``get_readable`` checked the contribution against
    ``CONTRIBUTION_READS``: its answers, the documents among them); any other is simply not found."""
    ensure_can_read_contribution(user, contribution)
    stored = queries.get_file(session, contribution.id, file_id)
    if stored is None:
        raise NotFound(_("The page or record was not found."))
    return stored


def cited_as(contribution: Contribution, type_labels: dict[Any, str]) -> str:
    """How a reader sees the organisation named: its name, or its type only (its consent)."""
    organisation = contribution.organisation
    if contribution.consent is Consent.type_only:
        return type_labels.get(organisation.type, organisation.type.value)
    return organisation.name
