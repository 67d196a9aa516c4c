"""Export requests and background jobs: checking what was asked, creating jobs, claiming and running them.

The job table is the queue (see CONTRIBUTING.md, "Exports and background jobs"). States: queued → running → done
or failed; a failed or interrupted run goes back to queued (after a backoff) until MAX_ATTEMPTS runs. Every change
of state is an ``UPDATE ... WHERE status = <expected> [AND attempts = <this run>]`` (``transition``): when it
matches no row, someone else moved the job first and nothing is written. A running job's worker writes
``heartbeat_at`` every few seconds; a heartbeat older than STALE_AFTER means the worker died, and the job is
recovered (``recover_stale``: by every worker as it starts and as it claims, and when someone views the job).
Progress is committed as the job goes, so any instance can answer a poll and serve the result.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, Update, and_, delete, func, or_, update
from sqlalchemy.orm import Session

from app.auth.models import Role, User
from app.auth.sessions import write_aside
from app.db import utcnow
from app.errors import AppError, FormInvalid, NotFound
from app.exports import queries, render
from app.exports.models import Job, JobKind, JobStatus
from app.exports.queries import DATASETS, Filters
from app.exports.reports import build_country_profile, build_synthesis
from app.i18n import DEFAULT_LOCALE, LOCALES, _, get_locale, lazy_gettext, use_locale
from app.submissions.models import SubmissionStatus
from app.visibility import can_read_country

log = logging.getLogger("gcm.jobs")

FORMATS = ("csv", "xlsx", "json")
REPORT_FORMATS = ("docx", "pdf")
HEARTBEAT_SECONDS = 5.0  # how often a running job's worker writes heartbeat_at
STALE_AFTER = timedelta(seconds=60)  # a running job without a heartbeat for this long lost its worker
MAX_ATTEMPTS = 3  # runs of a job (the first and the retries) before it is failed for good
RETRY_BASE = timedelta(seconds=30)  # backoff after a failed run: 30 s, 60 s, 120 s...
KEEP_RESULTS = timedelta(days=7)  # finished jobs (and their files) are removed after this
WAITING = lazy_gettext("Waiting to start")
INTERRUPTED_RETRY = lazy_gettext("The job was interrupted (its worker stopped); it will start again shortly.")
INTERRUPTED_FAILED = lazy_gettext("The job was interrupted several times. Start it again.")
RETRYING = lazy_gettext("Generating the document failed; it will be tried again in a moment.")
FAILED_MESSAGE = lazy_gettext(
    "The document could not be generated. Try again; if it fails again, tell the secretariat."
)


def _english(message: object) -> str:
    """A job's message as stored: in English (the worker has no reader); pages translate it (``|translated``)."""
    with use_locale(DEFAULT_LOCALE):
        return str(message)


@dataclass(frozen=True)
class ExportRequest:
    format: str
    dataset: str  # "" in JSON and XLSX: every dataset
    filters: Filters


def _int(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdecimal() and len(value) < 10 else None


def parse_export(session: Session, params: dict[str, str], *, need_dataset: bool = True) -> ExportRequest:
    """The export asked for by the form's fields; FormInvalid names every field that is wrong. A CSV needs its
    dataset, except for the export's description (``need_dataset=False``)."""
    errors: dict[str, str] = {}
    fmt = params.get("format", "")
    if fmt not in FORMATS:
        errors["format"] = _("Choose CSV, Excel (XLSX) or JSON.")
    dataset = params.get("dataset", "")
    if dataset and dataset not in DATASETS:
        errors["dataset"] = _("Choose one of the datasets in the list.")
    elif fmt == "csv" and not dataset and need_dataset:
        errors["dataset"] = _("A CSV file holds one dataset: choose which.")
    cycle_id = _int(params.get("cycle", ""))
    if params.get("cycle") and (cycle_id is None or queries.get_cycle(session, cycle_id) is None):
        errors["cycle"] = _("Choose a review cycle in the list.")
    subregion_id = _int(params.get("subregion", ""))
    if params.get("subregion") and subregion_id not in {s.id for s in queries.list_subregions(session)}:
        errors["subregion"] = _("Choose a subregion in the list.")
    objective = _int(params.get("objective", ""))
    if params.get("objective") and (objective is None or not 1 <= objective <= 23):
        errors["objective"] = _("Choose an objective between 1 and 23.")
    status_text = params.get("status", "")
    status = None
    if status_text:
        try:
            status = SubmissionStatus(status_text)
        except ValueError:
            errors["status"] = _("Choose a status in the list.")
    if errors:
        raise FormInvalid(errors, _("The export could not be made; check the fields marked."))
    return ExportRequest(fmt, dataset, Filters(cycle_id, subregion_id, objective, status))


def export_filename(request: ExportRequest, today: str) -> str:
    name = request.dataset or "export"
    return f"gcm-{name.replace('_', '-')}-{today}.{request.format}"


# ---- jobs ------------------------------------------------------------------------------------------------------


def create_job(session: Session, *, user: User, params: dict[str, str]) -> Job:
    """A queued report job, after checking what it asks for (the same checks run again when it runs)."""
    errors: dict[str, str] = {}
    kind_text = params.get("kind", "")
    fmt = params.get("format", "")
    if fmt not in REPORT_FORMATS:
        errors["format"] = _("Choose Word (DOCX) or PDF.")
    job_params: dict[str, Any] = {"format": fmt}
    if kind_text == JobKind.synthesis.value:
        cycle_id = _int(params.get("cycle", ""))
        cycle = queries.get_cycle(session, cycle_id) if cycle_id else None
        if cycle is None:
            errors["cycle"] = _("Choose the review cycle the synthesis covers.")
        else:
            job_params["cycle_id"] = cycle.id
    elif kind_text == JobKind.country_profile.value:
        country = queries.get_country(session, params.get("country", "")[:3])
        if country is None or not can_read_country(session, user, country.id):
            errors["country"] = _("Choose a country in the list.")
        else:
            job_params["iso3"] = country.iso3
    else:
        errors["kind"] = _("Choose which report to generate.")
    language = params.get("language") or get_locale()  # the document's language: the page's unless chosen
    if language not in LOCALES:
        errors["language"] = _("Choose one of the languages in the list.")
    if errors:
        raise FormInvalid(errors, _("The report could not be started; check the fields marked."))
    job = Job(
        kind=JobKind(kind_text),
        params=job_params,
        language=language,
        created_by_id=user.id,
        message=_english(WAITING),
    )
    session.add(job)
    session.flush()
    return job


def ensure_can_see_job(user: User, job: Job | None) -> Job:
    """Only the job's creator (or an administrator) sees it; anyone else is told it does not exist."""
    if job is None or (job.created_by_id != user.id and user.role is not Role.admin):
        raise NotFound(_("The page or record was not found."))
    return job


@dataclass(frozen=True)
class Claim:
    job_id: int
    attempt: int  # the job's ``attempts`` once claimed: every later transition of this run is guarded by it


class JobLost(Exception):
    """The job is no longer this run's (its heartbeat went stale and it was recovered): drop it, write nothing."""


class JobReleased(Exception):
    """The worker is stopping: give the job back to the queue for another worker."""


def backoff(attempt: int) -> timedelta:
    """How long a job waits after its ``attempt``-th run failed: 30 s, 1 min, 2 min... at most an hour."""
    return min(RETRY_BASE * 2 ** max(attempt - 1, 0), timedelta(hours=1))


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(Job.next_attempt_at.is_(None), Job.next_attempt_at <= now)


def transition(write: Session, job_id: int, *, expected: JobStatus, attempt: int | None = None, **values: Any) -> bool:
    """``UPDATE job ... WHERE status = expected [AND attempts = attempt]``, committed; False (and no change) when the
    job has moved on meanwhile (another worker, a recovery, a stop): every change of state goes through here."""
    statement = update(Job).where(Job.id == job_id, Job.status == expected)
    if attempt is not None:
        statement = statement.where(Job.attempts == attempt)
    statement = statement.values(updated_at=utcnow(), version=Job.version + 1, **values)
    result = write.execute(statement.execution_options(synchronize_session=False))
    write.commit()
    return result.rowcount == 1  # type: ignore[attr-defined]


def recovery_statements(
    *, stale_after: timedelta = STALE_AFTER, job_id: int | None = None, now: datetime | None = None
) -> tuple[Update, Update]:
    """The two UPDATEs of a recovery: stale running jobs with runs left are queued again, the others failed. Each
    matches only a job still running with a stale heartbeat, so it is a no-op if the job moved on meanwhile."""
    now = now or utcnow()
    stale = and_(Job.status == JobStatus.running, func.coalesce(Job.heartbeat_at, Job.updated_at) < now - stale_after)
    if job_id is not None:
        stale = and_(stale, Job.id == job_id)
    common: dict[str, Any] = {"updated_at": now, "version": Job.version + 1, "heartbeat_at": None, "worker": ""}
    retry = (
        update(Job)
        .where(stale, Job.attempts < MAX_ATTEMPTS)
        .values(status=JobStatus.queued, progress=0, next_attempt_at=now, message=_english(INTERRUPTED_RETRY), **common)
        .execution_options(synchronize_session=False)
    )
    fail = (
        update(Job)
        .where(stale)
        .values(status=JobStatus.failed, message=_english(INTERRUPTED_FAILED), finished_at=now, **common)
        .execution_options(synchronize_session=False)
    )
    return retry, fail


def recover_stale(
    session: Session, *, stale_after: timedelta = STALE_AFTER, job_id: int | None = None, now: datetime | None = None
) -> int:
    """Running jobs whose heartbeat is older than ``stale_after`` lost their worker (it crashed or was killed): queue
    them again, or fail them after MAX_ATTEMPTS runs. Returns how many; the caller commits."""
    count = 0
    for statement in recovery_statements(stale_after=stale_after, job_id=job_id, now=now):
        count += session.execute(statement).rowcount  # type: ignore[attr-defined]
    if count:
        log.warning("recovered %s job(s) whose worker stopped answering", count)
    return count


def is_stale(job: Job, *, stale_after: timedelta = STALE_AFTER, now: datetime | None = None) -> bool:
    seen = job.heartbeat_at or job.updated_at
    return job.status is JobStatus.running and seen is not None and seen < (now or utcnow()) - stale_after


def recover_if_stale(engine: Engine, job: Job, *, stale_after: timedelta = STALE_AFTER) -> bool:
    """On viewing a job: if its worker stopped answering, recover it now. A page view never writes in its own
    transaction: this is a short one of its own, best effort (``write_aside``; if the database is busy, the
    workers' recovery does it a moment later). Returns whether it wrote (the next poll shows the new state)."""
    if not is_stale(job, stale_after=stale_after):
        return False
    written = False
    for statement in recovery_statements(stale_after=stale_after, job_id=job.id):
        written = write_aside(engine, statement) or written
    return written


def work_waiting(session: Session, *, stale_after: timedelta = STALE_AFTER, now: datetime | None = None) -> bool:
    """Whether ``claim`` has anything to do: a due queued job, a stale running one, or old results to remove. One
    read, so an idle worker polling on SQLite never takes the write lock (run it in a read-only transaction)."""
    now = now or utcnow()
    waiting = or_(
        and_(Job.status == JobStatus.queued, _due(now)),
        and_(Job.status == JobStatus.running, func.coalesce(Job.heartbeat_at, Job.updated_at) < now - stale_after),
        Job.finished_at < now - KEEP_RESULTS,
    )
    return queries.any_job_matching(session, waiting)


def claim(
    write: Session, *, worker: str = "", stale_after: timedelta = STALE_AFTER, now: datetime | None = None
) -> Claim | None:
    """Take the oldest due queued job. On PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets concurrent workers pass each
    other's candidate; on SQLite the write lock (BEGIN IMMEDIATE) serialises claims. Either way the UPDATE matches
    only while the job is still queued, so one worker wins it.

    Housekeeping first: stale running jobs are recovered, finished jobs older than a week are removed.
    """
    now = now or utcnow()
    recover_stale(write, stale_after=stale_after, now=now)
    write.execute(delete(Job).where(Job.finished_at < now - KEEP_RESULTS).execution_options(synchronize_session=False))
    write.commit()
    for _attempt in range(5):
        skip_locked = write.get_bind().dialect.name == "postgresql"
        candidate = queries.oldest_job_matching(
            write, Job.status == JobStatus.queued, _due(now), skip_locked=skip_locked
        )
        if candidate is None:
            write.commit()
            return None
        claimed = write.execute(
            update(Job)
            .where(Job.id == candidate, Job.status == JobStatus.queued)
            .values(
                status=JobStatus.running,
                attempts=Job.attempts + 1,
                progress=1,
                message=_("Started"),
                started_at=now,
                heartbeat_at=now,
                next_attempt_at=None,
                worker=worker[:100],
                updated_at=now,
                version=Job.version + 1,
            )
            .returning(Job.attempts)
            .execution_options(synchronize_session=False)
        )
        attempt = claimed.scalar()
        write.commit()
        if attempt is not None:
            return Claim(candidate, attempt)
    return None


def claim_next(write: Session, *, worker: str = "") -> int | None:
    """The id of the job ``claim`` took, or None."""
    taken = claim(write, worker=worker)
    return taken.job_id if taken else None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "cycle"


def run_job(
    read: Session,
    write: Session,
    job_id: int,
    *,
    attempt: int | None = None,
    checkpoint: Callable[[], None] | None = None,
) -> None:
    """Generate the job's document with ``read`` (its own transaction) and record progress and result with ``write``.

    Every write is guarded by the run's ``attempt``: if the job was recovered meanwhile, nothing more is written.
    ``checkpoint()`` runs at each progress step and may raise JobReleased (stop asked) or JobLost.
    """
    row = queries.job_run_details(write, job_id)
    kind, params, creator_id = JobKind(row.kind), dict(row.params), row.created_by_id
    language = row.language if row.language in LOCALES else DEFAULT_LOCALE
    suffix = "" if language == DEFAULT_LOCALE else f"-{language}"  # gcm-regional-synthesis-2026-fr.pdf
    attempt = attempt if attempt is not None else row.attempts

    fmt = params.get("format", "pdf")
    share = 50 if fmt == "pdf" else 100  # laying out a PDF takes about as long as reading the content

    def record(**values: Any) -> None:
        if not transition(write, job_id, expected=JobStatus.running, attempt=attempt, heartbeat_at=utcnow(), **values):
            raise JobLost(job_id)

    def progress(percent: int, message: str) -> None:
        if checkpoint is not None:
            checkpoint()
        # Stored in English (a lazy message; the page translates it), whatever language the document is built in.
        record(progress=max(1, min(percent * share // 100, 99)), message=_english(message))

    def give_back(**values: Any) -> None:
        transition(write, job_id, expected=JobStatus.running, attempt=attempt, heartbeat_at=None, **values)

    try:
        user = read.get(User, creator_id) if creator_id is not None else None
        if user is None or not user.is_active:
            raise NotFound(_("The account that asked for this report no longer exists."))
        if kind is JobKind.synthesis:
            cycle = queries.get_cycle(read, int(params.get("cycle_id", 0)))
            if cycle is None:
                raise NotFound(_("The review cycle no longer exists."))
            with use_locale(language):  # the document's own words in its language; quotes stay as written
                document = build_synthesis(read, cycle, progress)
            filename = f"gcm-regional-synthesis-{_slug(cycle.name)}{suffix}.{fmt}"
        else:
            country = queries.get_country(read, str(params.get("iso3", "")))
            if country is None or not can_read_country(read, user, country.id):
                raise NotFound(_("The country was not found."))
            with use_locale(language):
                document = build_country_profile(read, user, country, progress)
            filename = f"gcm-country-profile-{country.iso3.lower()}{suffix}.{fmt}"
        if fmt == "docx":
            with use_locale(language):
                data, media_type = render.to_docx(document), render.DOCX_MEDIA_TYPE
        else:
            progress(110, _("Laying out the PDF pages"))  # 55 %

            def laid_out(pages: int) -> None:
                record(progress=95, message=_("Writing the PDF (%(n)s pages)") % {"n": pages})

            with use_locale(language):
                data, media_type = render.to_pdf(document, laid_out), render.PDF_MEDIA_TYPE
    except JobLost:
        write.rollback()
        log.warning("job %s was recovered meanwhile (stale heartbeat); this run's work is dropped", job_id)
        return
    except JobReleased:  # the run does not count: attempts back to what it was before the claim
        write.rollback()
        give_back(status=JobStatus.queued, attempts=attempt - 1, progress=0, message=_("Waiting to start"), worker="")
        log.info("job %s released: the worker is stopping", job_id)
        return
    except AppError as exc:  # what was asked cannot be made (no such cycle...): trying again would not help
        write.rollback()
        give_back(status=JobStatus.failed, message=exc.message, finished_at=utcnow())
        return
    except Exception:
        log.exception("job %s failed (run %s of %s)", job_id, attempt, MAX_ATTEMPTS)
        write.rollback()
        if attempt < MAX_ATTEMPTS:
            give_back(
                status=JobStatus.queued,
                progress=0,
                message=_english(RETRYING),
                next_attempt_at=utcnow() + backoff(attempt),
            )
        else:
            give_back(status=JobStatus.failed, message=_english(FAILED_MESSAGE), finished_at=utcnow())
        return
    give_back(
        status=JobStatus.done,
        progress=100,
        message=_("Ready"),
        result=data,
        filename=filename,
        media_type=media_type,
        finished_at=utcnow(),
    )


def run_one(read: Session, write: Session) -> int | None:
    """Claim and run one queued job; its id, or None when there was none."""
    taken = claim(write)
    if taken is not None:
        run_job(read, write, taken.job_id, attempt=taken.attempt)
    return taken.job_id if taken else None
