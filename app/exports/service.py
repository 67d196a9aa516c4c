"""Export requests and background jobs: checking what was asked, creating jobs, claiming and running them.

A job is claimed with an UPDATE that only matches while it is still queued, so several service instances can share
the table; progress is committed as the job goes, so any instance can answer a poll and serve the result.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.auth.models import Role, User
from app.db import utcnow
from app.errors import AppError, FormInvalid, NotFound
from app.exports import queries, render
from app.exports.models import Job, JobKind, JobStatus
from app.exports.queries import DATASETS, Filters
from app.exports.reports import build_country_profile, build_synthesis
from app.i18n import _
from app.submissions.models import SubmissionStatus
from app.visibility import can_read_country

log = logging.getLogger("gcm.jobs")

FORMATS = ("csv", "xlsx", "json")
REPORT_FORMATS = ("docx", "pdf")
STALE_AFTER = timedelta(minutes=15)  # a running job not heard from for this long was interrupted
KEEP_RESULTS = timedelta(days=7)  # finished jobs (and their files) are removed after this
FAILED_MESSAGE = _("The document could not be generated. Try again; if it fails again, tell the secretariat.")


@dataclass(frozen=True)
class ExportRequest:
    format: str
    dataset: str  # "" in JSON and XLSX: every dataset
    filters: Filters


def _int(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdecimal() and len(value) < 10 else None


def parse_export(session: Session, params: dict[str, str]) -> ExportRequest:
    """The export asked for by the form's fields; FormInvalid names every field that is wrong."""
    errors: dict[str, str] = {}
    fmt = params.get("format", "")
    if fmt not in FORMATS:
        errors["format"] = _("Choose CSV, Excel (XLSX) or JSON.")
    dataset = params.get("dataset", "")
    if dataset and dataset not in DATASETS:
        errors["dataset"] = _("Choose one of the datasets in the list.")
    elif fmt == "csv" and not dataset:
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
    if errors:
        raise FormInvalid(errors, _("The report could not be started; check the fields marked."))
    job = Job(kind=JobKind(kind_text), params=job_params, created_by_id=user.id, message=_("Waiting to start"))
    session.add(job)
    session.flush()
    return job


def ensure_can_see_job(user: User, job: Job | None) -> Job:
    """Only the job's creator (or an administrator) sees it; anyone else is told it does not exist."""
    if job is None or (job.created_by_id != user.id and user.role is not Role.admin):
        raise NotFound(_("The page or record was not found."))
    return job


def claim_next(write: Session) -> int | None:
    """Take the oldest queued job: the UPDATE matches only while it is queued, so one instance wins it.

    Housekeeping first: a job running for too long without news was interrupted (failed), and finished jobs older
    than a week are removed with their files.
    """
    now = utcnow()
    write.execute(
        update(Job)
        .where(Job.status == JobStatus.running, Job.updated_at < now - STALE_AFTER)
        .values(
            status=JobStatus.failed,
            message=_("The job was interrupted (the service restarted). Start it again."),
            finished_at=now,
            updated_at=now,
            version=Job.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    write.execute(delete(Job).where(Job.finished_at < now - KEEP_RESULTS).execution_options(synchronize_session=False))
    for _attempt in range(5):
        candidate = write.scalar(select(Job.id).where(Job.status == JobStatus.queued).order_by(Job.id).limit(1))
        if candidate is None:
            write.commit()
            return None
        claimed = write.execute(
            update(Job)
            .where(Job.id == candidate, Job.status == JobStatus.queued)
            .values(
                status=JobStatus.running,
                progress=1,
                message=_("Started"),
                started_at=now,
                updated_at=now,
                version=Job.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
        write.commit()
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            return candidate
    return None


def _set(write: Session, job_id: int, **values: Any) -> None:
    write.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(updated_at=utcnow(), version=Job.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    write.commit()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "cycle"


def run_job(read: Session, write: Session, job_id: int) -> None:
    """Generate the job's document with ``read`` (its own transaction) and record progress and result with ``write``."""
    row = write.execute(select(Job.kind, Job.params, Job.created_by_id).where(Job.id == job_id)).one()
    kind, params, creator_id = JobKind(row.kind), dict(row.params), row.created_by_id

    fmt = params.get("format", "pdf")
    share = 50 if fmt == "pdf" else 100  # laying out a PDF takes about as long as reading the content

    def progress(percent: int, message: str) -> None:
        _set(write, job_id, progress=max(1, min(percent * share // 100, 99)), message=message)

    try:
        user = read.get(User, creator_id) if creator_id is not None else None
        if user is None or not user.is_active:
            raise NotFound(_("The account that asked for this report no longer exists."))
        if kind is JobKind.synthesis:
            cycle = queries.get_cycle(read, int(params.get("cycle_id", 0)))
            if cycle is None:
                raise NotFound(_("The review cycle no longer exists."))
            document = build_synthesis(read, cycle, progress)
            filename = f"gcm-regional-synthesis-{_slug(cycle.name)}.{fmt}"
        else:
            country = queries.get_country(read, str(params.get("iso3", "")))
            if country is None or not can_read_country(read, user, country.id):
                raise NotFound(_("The country was not found."))
            document = build_country_profile(read, user, country, progress)
            filename = f"gcm-country-profile-{country.iso3.lower()}.{fmt}"
        if fmt == "docx":
            data, media_type = render.to_docx(document), render.DOCX_MEDIA_TYPE
        else:
            _set(write, job_id, progress=55, message=_("Laying out the PDF pages"))

            def laid_out(pages: int) -> None:
                _set(write, job_id, progress=95, message=_("Writing the PDF (%(n)s pages)") % {"n": pages})

            data, media_type = render.to_pdf(document, laid_out), render.PDF_MEDIA_TYPE
    except AppError as exc:
        write.rollback()
        _set(write, job_id, status=JobStatus.failed, message=exc.message, finished_at=utcnow())
        return
    except Exception:
        log.exception("job %s failed", job_id)
        write.rollback()
        _set(write, job_id, status=JobStatus.failed, message=FAILED_MESSAGE, finished_at=utcnow())
        return
    _set(
        write,
        job_id,
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
    job_id = claim_next(write)
    if job_id is not None:
        run_job(read, write, job_id)
    return job_id
