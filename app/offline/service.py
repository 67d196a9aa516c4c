"""The review offline: download it as a Word document or an Excel workbook, upload the edited file, preview what it
changes question by question, and accept all of it or some.

The file carries its review's identifiers and, per question, the answer's version and a digest of its value at the
download (``document.py``). An upload is kept in ``offline_upload`` (its uploader's, for ``PENDING_SECONDS``) and
nothing is written to the answers until the person accepts. Each preview reads the file again against the answers
as they are then: per question *unchanged*, *changed* (a word diff), *conflict* (changed in the file and in the
product since the download: both shown, the person chooses) or *refused* (the reason: a choice not in the list, a
number out of range, a text over its limit, a part that is not editable now). Accepting saves each chosen answer
through ``app.submissions.service.save_answer``, the API's path: the same checks, the answer's version (a change made
meanwhile is refused, not overwritten), the part's version and the audit trail, whose event is noted as coming from
the upload (``source``, ``file``: the part's history shows it). A refused question never blocks the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session

from app import files
from app.audit.diff import word_diff
from app.auth.models import Role, User
from app.catalog import queries as catalog_queries
from app.contributions import queries as contribution_queries
from app.contributions import service as contributions
from app.contributions.models import Contribution
from app.db import utcnow
from app.errors import AppError, Conflict, NotFound
from app.i18n import _, get_locale, use_locale
from app.offline import excel, queries, word
from app.offline.document import (
    LIST_SEPARATOR,
    Entry,
    FileIds,
    PartBlock,
    ReadBack,
    ReviewFile,
    value_hash,
)
from app.offline.models import OfflineUpload
from app.questionnaires import answers
from app.questionnaires.models import QuestionnaireKind
from app.questionnaires.schemas import Definition, Question, QuestionType
from app.submissions import queries as submission_queries
from app.submissions import service as submissions
from app.submissions.changes import parts_by_key
from app.submissions.models import Submission
from app.visibility import (
    Aspect,
    ensure_can_read,
    ensure_can_write_contribution,
    ensure_can_write_country,
    reads_everything,
)

PENDING_SECONDS = 24 * 3600  # an upload waits a day for its acceptance (a long review is checked question by question)
MEDIA_TYPES = {"docx": files.FILE_TYPES[".docx"], "xlsx": files.FILE_TYPES[".xlsx"]}
UPLOAD_SOURCE = "offline_upload"  # the audit event's ``source`` of an answer accepted from an upload
OPTION_TYPES = frozenset({QuestionType.single_choice, QuestionType.yes_no, QuestionType.rating})


class UploadRefused(AppError):
    """The file as a whole is refused (what it is, whose review, tracked changes); the message says why."""

    status_code = 422


# ---- download ----------------------------------------------------------------------------------------------------


def _empty_choice() -> str:
    return "—"


def _options(question: Question, definition: Definition, lang: str) -> list[str]:
    if question.type is QuestionType.single_choice:
        return [question.choice_label(c.value, lang) for c in question.choices or []]
    if question.type is QuestionType.yes_no:
        return [str(_("Yes")), str(_("No"))]
    if question.type is QuestionType.rating:
        return [answers.display(question, s.value, definition, lang) for s in definition.rating_scale]
    return []


def _as_text(question: Question, value: Any, definition: Definition, lang: str) -> str:
    """An answer as the file shows it (what ``parse`` reads back to the same value)."""
    if value is None or value == [] or value == "":
        return ""
    if question.type is QuestionType.multiple_choice:
        return LIST_SEPARATOR.join(question.choice_label(str(v), lang) for v in value)
    if isinstance(value, list):
        return LIST_SEPARATOR.join(map(str, value))
    if question.type in (QuestionType.number,):
        return str(answers.form_value(question, value))
    return answers.display(question, value, definition, lang)


@dataclass
class Target:
    """What a file is of: a State's review or an organisation's contribution, as the engine needs it."""

    record: Submission | Contribution
    owner: str  # ISO3, or ORG<id>
    name: str  # the country's or the organisation's
    cycle_id: int
    cycle_name: str
    questionnaire_version: int
    definition: Definition
    ctx: answers.Context
    parts: list[tuple[str, str, bool]]  # (key, title, editable now by the record's status)
    answers: dict[tuple[str, str], tuple[Any, int]]  # (part, key) -> (value, version)

    @property
    def is_contribution(self) -> bool:
        return isinstance(self.record, Contribution)

    is_pledges = False  # ``pledges.PledgesTarget``: a country's pledges, the third kind


def _objective_title(number: str, title: str) -> str:
    return _("Objective %(n)s: %(title)s") % {"n": number, "title": title}


def _section_title(definition: Definition, ref: str, lang: str) -> str:
    section = definition.section(ref)
    return (section.label.get(lang) or section.label.get("en", ref)) if section else ref


def submission_target(session: Session, submission: Submission, lang: str) -> Target:
    definition = submissions.definition_of(session, submission)
    parts = []
    for key, part in parts_by_key(submission).items():
        kind, _sep, ref = key.partition(":")
        if kind == "section":
            title = _section_title(definition, ref, lang)
        else:
            report = next((r for r in submission.objective_reports if str(r.objective.number) == ref), None)
            title = _objective_title(ref, report.objective.short_title if report else "")
        parts.append((key, title, submissions.is_part_editable(submission, part)))
    return Target(
        record=submission,
        owner=submission.country.iso3,
        name=submission.country.name,
        cycle_id=submission.review_cycle_id,
        cycle_name=submission.review_cycle.name,
        questionnaire_version=queries.questionnaire_version(session, submission.review_cycle_id),
        definition=definition,
        ctx=submissions.form_context(session, submission),
        parts=parts,
        answers={(a.part, a.key): (a.value, a.version) for a in submission.answers},
    )


def contribution_target(session: Session, contribution: Contribution, lang: str) -> Target:
    definition = contributions.definition_of(session, contribution)
    editable = contribution.status in contributions.EDITABLE
    titles = {o.number: o.short_title for o in catalog_queries.objectives_in_order(session)}
    parts = []
    for key in contributions.parts_of(contribution, definition):
        kind, _sep, ref = key.partition(":")
        title = _section_title(definition, ref, lang) if kind == "section" else _objective_title(ref, titles[int(ref)])
        parts.append((key, title, editable))
    return Target(
        record=contribution,
        owner=f"ORG{contribution.organisation_id}",
        name=contribution.organisation.name,
        cycle_id=contribution.review_cycle_id,
        cycle_name=contribution.review_cycle.name,
        questionnaire_version=queries.questionnaire_version(
            session, contribution.review_cycle_id, QuestionnaireKind.stakeholders
        ),
        definition=definition,
        ctx=contributions.form_context(session, definition),
        parts=parts,
        answers={(a.part, a.key): (a.value, a.version) for a in contribution.answers},
    )


def review_file(target: Target, lang: str) -> ReviewFile:
    """Every part and question of the questionnaire with its current answer, in ``lang``."""
    definition = target.definition
    ids = FileIds(target.owner, target.cycle_id, target.questionnaire_version, target.record.id, lang)
    blocks = []
    for key, title, editable in target.parts:
        entries = []
        for q in definition.questions_for(key):
            value, version = target.answers.get((key, q.key), (None, 0))
            entries.append(
                Entry(
                    part=key,
                    key=q.key,
                    version=version,
                    digest=value_hash(value),
                    type=q.type,
                    label=q.label.get(lang) or q.label.get("en", q.key),
                    hint=q.hint.get(lang) or q.hint.get("en", ""),
                    text=_as_text(q, value, definition, lang),
                    editable=editable and q.type is not QuestionType.file,
                    options=_options(q, definition, lang),
                    multiline=q.type is QuestionType.long_text,
                )
            )
        blocks.append(PartBlock(key, title, editable, entries))
    if target.is_contribution:
        title = _("Contribution of %(name)s") % {"name": target.name}
    else:
        title = _("Voluntary GCM review of %(country)s") % {"country": target.name}
    return ReviewFile(
        ids=ids,
        title=title,
        subtitle=target.cycle_name,
        notice=_(
            "Write your answers in the boxes below each question and upload this file to the review's page. "
            "Keep the marks [Q1], [Q2]… and do not track changes."
        ),
        read_only_label=_("read-only"),
        parts=blocks,
        empty_choice=_empty_choice(),
    )


def ensure_can_download(user: User, target: Target) -> None:
    """A review: the country's focal points and the secretariat (whoever reads its history). A contribution: its
    organisation's people and the secretariat. Anyone else 404."""
    record = target.record
    if isinstance(record, Submission):
        ensure_can_read(user, record.country_id, record.status, Aspect.history)
    elif not (
        reads_everything(user) or (user.role is Role.stakeholder and user.organisation_id == record.organisation_id)
    ):
        raise NotFound(_("The page or record was not found."))


def ensure_can_upload(user: User, target: Target) -> None:
    record = target.record
    if isinstance(record, Submission):
        ensure_can_write_country(user, record.country_id)
    else:
        ensure_can_write_contribution(user, record)


def export(session: Session, *, user: User | None, target: Target, fmt: str) -> tuple[str, bytes]:
    """The file in the current language: (file name, bytes). ``user`` None: the CLI."""
    if user is not None:
        ensure_can_download(user, target)
    if fmt not in MEDIA_TYPES:
        raise NotFound(_("The page or record was not found."))
    review = review_file(target, get_locale())
    data = word.write(review) if fmt == "docx" else excel.write(review)
    what = "contribution" if target.is_contribution else "review"
    return f"gcm-{what}-{target.owner}-{target.cycle_id}.{fmt}", data


# ---- upload ------------------------------------------------------------------------------------------------------


def check_file(name: str, data: bytes, *, limit: int) -> str:
    """The format of an uploaded file (docx or xlsx), or UploadRefused: size, extension and content must agree."""
    fmt = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if fmt not in MEDIA_TYPES:
        raise UploadRefused(_("Upload the review as a Word document (.docx) or an Excel workbook (.xlsx)."))
    try:
        files.check_document(name, data, limit=limit)
    except files.FileRefused as exc:
        raise UploadRefused(str(exc)) from None
    return fmt


def read_file(fmt: str, data: bytes) -> ReadBack:
    try:
        if fmt == "docx":
            return word.read(data)
        return excel.read(data)
    except word.TrackedChanges as exc:
        raise UploadRefused(str(exc)) from None
    except Exception:  # a damaged file: whatever the parser met
        raise UploadRefused(_("The file cannot be read: download the review again.")) from None


def check_ids(target: Target, read: ReadBack) -> FileIds:
    """The file's identifiers if it is a download of this review (or contribution) for the current questionnaire,
    else UploadRefused saying which of them differs."""
    ids = read.ids
    if ids is None:
        raise UploadRefused(_("This file was not downloaded from the review (its identifiers are missing)."))
    if ids.owner != target.owner:
        if target.is_contribution or ids.is_contribution:
            raise UploadRefused(_("This file is another organisation's contribution, or a State's review."))
        raise UploadRefused(
            _("This file is the review of %(file)s, not of %(here)s.") % {"file": ids.owner, "here": target.owner}
        )
    if ids.cycle_id != target.cycle_id:
        raise UploadRefused(
            _("This file is for another review cycle (number %(file)s), not for %(here)s.")
            % {"file": ids.cycle_id, "here": target.cycle_name}
        )
    if ids.questionnaire_version != target.questionnaire_version:
        raise UploadRefused(
            _("This file was downloaded for version %(file)s of the questionnaire; it is now version %(now)s: "
              "download the review again and copy your text into it.")
            % {"file": ids.questionnaire_version, "now": target.questionnaire_version}
        )  # fmt: skip
    if ids.record_id != target.record.id:
        raise UploadRefused(_("This file belongs to another review of this country and cycle."))
    return ids


def keep_upload(session: Session, *, user: User, target: Target, name: str, data: bytes, limit: int) -> OfflineUpload:
    """Check the file (what it is, whose review) and keep it for its preview; nothing is written to the answers."""
    ensure_can_upload(user, target)
    fmt = check_file(name, data, limit=limit)
    check_ids(target, read_file(fmt, data))
    now = utcnow()
    queries.forget_old(session, user_id=user.id, now=now)
    upload = OfflineUpload(user_id=user.id, format=fmt, filename=files.clean_name(name), data=data, created_at=now,
                           expires_at=now + timedelta(seconds=PENDING_SECONDS))  # fmt: skip
    if target.is_contribution:
        upload.contribution_id = target.record.id
    else:
        upload.submission_id = target.record.id
    session.add(upload)
    session.flush()
    return upload


def get_upload(session: Session, *, user: User, target: Target, upload_id: int) -> OfflineUpload:
    """The user's waiting upload for this review; anyone else's, or an expired one, is not found."""
    upload = queries.get_upload(session, upload_id)
    record = (upload.contribution_id if target.is_contribution else upload.submission_id) if upload else None
    if upload is None or upload.user_id != user.id or record != target.record.id or upload.expires_at <= utcnow():
        raise NotFound(_("This upload is no longer waiting (it expired, or was not yours): upload the file again."))
    return upload


# ---- preview -----------------------------------------------------------------------------------------------------

UNCHANGED, CHANGED, CONFLICT, REFUSED = "unchanged", "changed", "conflict", "refused"


@dataclass
class Row:
    """One question of the preview."""

    part: str
    key: str
    part_title: str
    label: str
    status: str
    reason: str = ""
    file_text: str = ""  # what the file says, as a reader reads it
    product_text: str = ""  # the answer in the product now
    diff: Markup = field(default_factory=Markup)
    version: int = 0  # of the answer in the product now (accepting saves against it)
    value: Any = None  # the file's value, checked

    @property
    def id(self) -> str:
        return f"{self.part}|{self.key}"


@dataclass
class Preview:
    ids: FileIds
    rows: list[Row]
    notes: list[str]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    def summary(self) -> str:
        return _("%(changed)s changed, %(conflict)s in conflict, %(refused)s refused, %(unchanged)s unchanged") % {
            "changed": self.count(CHANGED),
            "conflict": self.count(CONFLICT),
            "refused": self.count(REFUSED),
            "unchanged": self.count(UNCHANGED),
        }


def _lookup(options: dict[str, Any], text: str) -> Any:
    folded = {k.strip().casefold(): v for k, v in options.items()}
    return folded.get(text.strip().casefold(), KeyError)


def _choice_labels(question: Question, lang: str) -> dict[str, Any]:
    """A choice's label in English or the file's language, or its value, to the value."""
    labels: dict[str, Any] = {c.value: c.value for c in question.choices or []}
    for code in ("en", lang):
        labels |= {question.choice_label(c.value, code): c.value for c in question.choices or []}
    return labels


def parse(question: Question, text: str, definition: Definition, ctx: answers.Context, lang: str) -> Any:
    """The value of what the file says for a question, checked by ``answers.coerce``; AnswerInvalid with the reason."""
    text = text.replace("\r\n", "\n").strip()
    t = question.type
    if t in OPTION_TYPES and text in ("", _empty_choice()):
        return None
    if t is QuestionType.single_choice:
        labels = {
            question.choice_label(c.value, code): c.value for c in question.choices or [] for code in ("en", lang)
        }
        labels |= {c.value: c.value for c in question.choices or []}
        found = _lookup(labels, text)
        if found is KeyError:
            raise answers.AnswerInvalid(_("“%(text)s” is not one of the choices.") % {"text": text})
        return found
    if t is QuestionType.yes_no:
        found = _lookup({str(_("Yes")): True, str(_("No")): False, "true": True, "false": False}, text)
        if found is KeyError:
            raise answers.AnswerInvalid(_("“%(text)s” is not one of the choices.") % {"text": text})
        return found
    if t is QuestionType.rating:
        steps = {answers.display(question, s.value, definition, lang): s.value for s in definition.rating_scale}
        found = _lookup(steps, text)
        if found is KeyError:
            number = re.match(r"^\s*(\d+)", text)
            found = int(number.group(1)) if number else KeyError
        if found is KeyError:
            raise answers.AnswerInvalid(_("“%(text)s” is not one of the choices.") % {"text": text})
        return answers.coerce(question, found, ctx)
    if t is QuestionType.multiple_choice:
        labels = {
            question.choice_label(c.value, code): c.value for c in question.choices or [] for code in ("en", lang)
        }
        labels |= {c.value: c.value for c in question.choices or []}
        chosen = []
        for item in (i for i in text.split(";") if i.strip()):
            found = _lookup(labels, item)
            if found is KeyError:
                raise answers.AnswerInvalid(_("“%(text)s” is not one of the choices.") % {"text": item.strip()})
            chosen.append(found)
        return answers.coerce(question, chosen, ctx)
    if t in (QuestionType.principles, QuestionType.commitments):
        return answers.coerce(question, [i.strip() for i in re.split(r"[;,]", text) if i.strip()], ctx)
    if t in (QuestionType.number, QuestionType.date):
        return answers.from_form(question, [text], ctx)
    return answers.coerce(question, text, ctx)


def preview(session: Session, *, user: User | None, target: Target, upload: OfflineUpload) -> Preview:
    """What accepting the upload would change, question by question, against the answers as they are now.
    ``user`` None: as the writers would see it (the CLI's dry run)."""
    read = read_file(upload.format, upload.data)
    ids = check_ids(target, read)
    definition = target.definition
    lang = ids.language
    mine = True
    if user is not None:
        try:
            ensure_can_upload(user, target)
        except AppError:
            mine = False
    rows: list[Row] = []
    notes = list(read.notes)
    missing = 0
    with use_locale(lang):  # the file's words for yes and no, as it was written
        for key, title, editable in target.parts:
            for q in definition.questions_for(key):
                found = read.answers.get((key, q.key))
                if found is None:
                    missing += 1
                    continue
                current = target.answers.get((key, q.key), (None, 0))
                rows.append(_row(q, definition, target.ctx, lang, key, title, editable and mine, current, found))
    if missing:
        notes.append(_("%(n)s questions were not found in the file; their answers stay as they are.") % {"n": missing})
    return Preview(ids, rows, [str(n) for n in notes])


def _row(
    q: Question,
    definition: Definition,
    ctx: answers.Context,
    lang: str,
    part: str,
    title: str,
    editable: bool,
    current: tuple[Any, int],
    found: tuple[int, str, str],
) -> Row:
    downloaded_version, digest, text = found
    now_value, now_version = current
    row = Row(part, q.key, title, q.label.get(lang) or q.label.get("en", q.key), UNCHANGED, version=now_version)
    row.product_text = answers.display(q, now_value, definition, lang)
    if q.type is QuestionType.file:
        return row
    try:
        value = parse(q, text, definition, ctx, lang)
    except answers.AnswerInvalid as exc:
        row.status, row.reason, row.file_text = REFUSED, exc.message, text.strip()
        return row
    row.value = value
    row.file_text = answers.display(q, value, definition, lang)
    if value_hash(value) == digest or value == now_value:
        return row  # not changed in the file, or already what the product has
    if not editable:
        row.status = REFUSED
        row.reason = _("This part is not editable now (the review was submitted, or the part was not reopened).")
        return row
    if q.type in (QuestionType.long_text, QuestionType.short_text):
        row.diff = word_diff(row.product_text, row.file_text)
    row.status = CONFLICT if now_version != downloaded_version else CHANGED
    return row


# ---- accept ------------------------------------------------------------------------------------------------------


@dataclass
class Accepted:
    saved: list[str] = field(default_factory=list)  # row ids
    failed: list[tuple[str, str]] = field(default_factory=list)  # (row id, why)


def accept(
    session: Session,
    *,
    user: User,
    target: Target,
    upload: OfflineUpload,
    chosen: list[str],
    keep_product: set[str] | None = None,
    seen: dict[str, int] | None = None,
) -> Accepted:
    """Save the file's answers of the ``chosen`` rows (ids ``part|key``) that are changes, or conflicts resolved for
    the file; a conflict in ``keep_product`` keeps the product's answer. ``seen``: the answer versions the preview
    showed (a row changed since is not saved). Each answer goes through its feature's ``save_answer``; one refused
    does not stop the others. Returns what was saved and what was not, with why."""
    ensure_can_upload(user, target)
    result = Accepted()
    wanted = set(chosen) - (keep_product or set())
    plan = preview(session, user=user, target=target, upload=upload)
    for row in plan.rows:
        if row.id not in wanted or row.status not in (CHANGED, CONFLICT):
            continue
        version = (seen or {}).get(row.id, row.version)
        try:
            _save(session, user, target, row, version, upload.filename)
        except (submissions.AnswerConflict, contributions.EditConflict, answers.AnswerInvalid, Conflict,
                NotFound) as exc:  # fmt: skip
            result.failed.append((row.id, exc.message))
            target = _reloaded(session, target)
            continue
        result.saved.append(row.id)
    return result


def _reloaded(session: Session, target: Target) -> Target:
    record = target.record
    if isinstance(record, Submission):
        fresh = submission_queries.get_submission(session, record.id)
        assert fresh is not None
        return submission_target(session, fresh, get_locale())
    again = contribution_queries.get_contribution(session, record.id, fresh=True)
    assert again is not None
    return contribution_target(session, again, get_locale())


def _save(session: Session, user: User, target: Target, row: Row, version: int, filename: str) -> None:
    record = target.record
    if isinstance(record, Submission):
        written = submissions.save_answer(session, user=user, submission=record, part=row.part, key=row.key,
                                          value=row.value, version=version)  # fmt: skip
        if written is not None:
            _note_upload(session, "answer", written.id, filename)
        return
    current = next((a for a in record.answers if a.part == row.part and a.key == row.key), None)
    if version != (current.version if current is not None else 0):
        raise submissions.AnswerConflict(None)
    contributions.save_answer(session, user=user, contribution=record, part=row.part, key=row.key, value=row.value,
                              version=contributions.part_version(record, row.part))  # fmt: skip
    saved = next((a for a in record.answers if a.part == row.part and a.key == row.key), None)
    if saved is not None:
        _note_upload(session, "contribution_answer", saved.id, filename)


def _note_upload(session: Session, entity_type: str, entity_id: int, filename: str) -> None:
    """Mark the answer's newest audit event as coming from the uploaded file (its part's history shows it)."""
    event = queries.latest_event(session, entity_type, entity_id)
    if event is not None and event.after is not None:
        event.after = {**event.after, "source": UPLOAD_SOURCE, "file": filename}
        session.flush()
