"""Export pages: data exports streamed as CSV, XLSX or JSON, and report jobs (DOCX/PDF) with their progress.

Exports stream from the database (``yield_per``) with a session that stays open until the response is sent; a
report is a background job: the page polls its status with htmx and offers the download when it is ready.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, StreamingResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.auth.dependencies import CurrentUser
from app.auth.models import User
from app.db import SessionDep, get_session, utcnow
from app.errors import Conflict, FormInvalid
from app.exports import queries, service
from app.exports.formats import MEDIA_TYPES, stream_csv, stream_json, stream_xlsx
from app.exports.labels import describe, label_columns, with_labels
from app.exports.models import Job, JobStatus
from app.exports.queries import DATASETS, Column
from app.exports.worker import worker_for
from app.i18n import DEFAULT_LOCALE, LANGUAGE_NAMES, LazyLabels, _, get_locale, lazy_gettext, use_locale
from app.submissions.models import SubmissionStatus
from app.web.templating import render

router = APIRouter(include_in_schema=False)

# A session that stays open until the streamed response has been sent (request scope), read-only for GET.
StreamSession = Annotated[Session, Depends(get_session)]
Field = Annotated[str, Form(max_length=40)]

DATASET_LABELS = LazyLabels(
    {
        "submissions": lazy_gettext("Submissions (one row per voluntary GCM review)"),
        "objective_reports": lazy_gettext(
            "Objective reports (one row per objective of a review, a column per question)"
        ),
        "answers": lazy_gettext("Answers (one row per question answered in a review)"),
        "commitments": lazy_gettext("Commitments / pledges"),
        "indicator_values": lazy_gettext("Indicator values, with their disaggregation"),
        "contributions": lazy_gettext(
            "Input from stakeholders (accepted contributions, one row per question answered)"
        ),
    }
)
SHEET_TITLES = LazyLabels(
    {
        "submissions": lazy_gettext("Submissions"),
        "objective_reports": lazy_gettext("Objective reports"),
        "answers": lazy_gettext("Answers"),
        "commitments": lazy_gettext("Commitments"),
        "indicator_values": lazy_gettext("Indicator values"),
        "contributions": lazy_gettext("Input from stakeholders"),
    }
)
FILTER_FIELDS = ("cycle", "subregion", "objective", "status")
STATUS_LABELS = LazyLabels(
    {
        SubmissionStatus.draft: lazy_gettext("Draft"),
        SubmissionStatus.submitted: lazy_gettext("Submitted"),
        SubmissionStatus.changes_requested: lazy_gettext("Changes requested"),
        SubmissionStatus.approved: lazy_gettext("Approved"),
        SubmissionStatus.published: lazy_gettext("Published"),
    }
)
JOB_STATUS_LABELS = LazyLabels(
    {
        JobStatus.queued: lazy_gettext("Waiting to start"),
        JobStatus.running: lazy_gettext("Generating"),
        JobStatus.done: lazy_gettext("Ready"),
        JobStatus.failed: lazy_gettext("Failed"),
    }
)


def _disposition(filename: str) -> str:
    return f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"


def _index(
    request: Request,
    session: Session,
    user: User,
    *,
    params: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    message: str = "",
    status_code: int = 200,
) -> Response:
    params = params or {}
    cycles = queries.list_cycles(session)
    context: dict[str, Any] = {
        "params": params,
        "errors": errors or {},
        "message": message,
        "cycle_options": [("", _("All cycles"))] + [(str(c.id), c.name) for c in cycles],
        "report_cycle_options": [(str(c.id), c.name) for c in cycles],
        "subregion_options": [("", _("All subregions"))]
        + [(str(s.id), s.name) for s in queries.list_subregions(session)],
        "objective_options": [("", _("All objectives"))]
        + [(str(o.number), f"{o.number}. {o.short_title}") for o in queries.list_objectives(session)],
        "status_options": [("", _("Every status you may see"))]
        + [(s.value, STATUS_LABELS[s]) for s in SubmissionStatus],
        "dataset_options": [("", _("All datasets (XLSX and JSON)")), *list(DATASET_LABELS.items())],
        "country_options": [(c.iso3, c.name) for c in queries.list_readable_countries(session, user)],
        "jobs": queries.list_jobs_of(session, user),
        "job_status_labels": JOB_STATUS_LABELS,
        # "Language of the document": each language named in itself, the page's chosen unless another was
        "language_options": list(LANGUAGE_NAMES.items()),
        "page_language": get_locale(),
    }
    return render(request, "exports/index.html", context, status_code=status_code)


@router.get("/exports", name="exports:index")
def index(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    return _index(request, session, user)


# Set on a download's response with the token the page sent, so the page knows the file has started to arrive
# (app/static/app.js). Not HttpOnly: the page's script reads it; it carries nothing but that random token.
DOWNLOAD_COOKIE = "gcm_download"
DOWNLOAD_TOKEN = re.compile(r"[A-Za-z0-9]{8,40}")


@router.get("/exports/download", name="exports:download")
def download(request: Request, session: SessionDep, stream: StreamSession, user: CurrentUser) -> Response:
    params = {k: v[:40] for k, v in request.query_params.items() if k in ("format", "dataset", *FILTER_FIELDS)}
    metadata_only = request.query_params.get("part") == "metadata"  # the description of the export, as a CSV file
    if metadata_only and not params.get("format"):
        params["format"] = "csv"
    try:
        export = service.parse_export(session, params, need_dataset=not metadata_only)
    except FormInvalid as exc:
        return _index(request, session, user, params=params, errors=exc.errors, message=exc.message, status_code=422)
    now = utcnow()
    filename = service.export_filename(export, now.strftime("%Y-%m-%d"))
    if metadata_only:
        filename = filename.rsplit(".", 1)[0] + "-metadata.csv"
    headers = {"Content-Disposition": _disposition(filename), "Cache-Control": "no-store"}
    token = request.query_params.get("download_token", "")
    if DOWNLOAD_TOKEN.fullmatch(token):  # the page's script shows "preparing" until this cookie arrives with the file
        secure = "; Secure" if request.app.state.settings.cookie_secure else ""
        headers["Set-Cookie"] = f"{DOWNLOAD_COOKIE}={token}; Path=/exports; Max-Age=120; SameSite=Strict{secure}"
    keys = [export.dataset] if export.dataset else list(DATASETS)
    # Read now, in the request's language: the label columns' words and the export's description.
    datasets = [
        with_labels(DATASETS[key](stream, user, export.filters), label_columns(session, key, export.filters))
        for key in keys
    ]
    described_as: dict[str, Any] = {
        "user": user,
        "filters": export.filters,
        "datasets": [(key, DATASET_LABELS[key]) for key in keys],
        "fmt": export.format,
        "moment": now,
        "source": _source(request),
    }
    about = describe(session, **described_as)
    if metadata_only:
        columns = [Column(str(about[0][0]), "str"), Column(str(about[0][1]), "str")]
        return StreamingResponse(stream_csv(columns, about[1:]), media_type=MEDIA_TYPES["csv"], headers=headers)
    if export.format == "csv":
        dataset = datasets[0]
        body = stream_csv(dataset.columns, queries.stream_rows(stream, dataset))
        return StreamingResponse(body, media_type=MEDIA_TYPES["csv"], headers=headers)
    if export.format == "json":
        with use_locale(DEFAULT_LOCALE):  # the keys a program reads stay the same in every language
            keys = [str(field) for field, _value in describe(session, **described_as)]
        metadata = dict(zip(keys[1:], (value for _field, value in about[1:]), strict=True))
        header = {"exported_at": now.isoformat(), "filters": export.filters.as_dict(), "metadata": metadata}
        parts = ((d.key, d.columns, queries.stream_rows(stream, d)) for d in datasets)
        return StreamingResponse(stream_json(header, parts), media_type=MEDIA_TYPES["json"], headers=headers)
    rows_word = _("Rows in the sheet “%(sheet)s”")

    def described(counts: list[tuple[str, int]]) -> list[tuple[str, object]]:
        return [*about, *((rows_word % {"sheet": title}, count) for title, count in counts)]

    sheets = [(SHEET_TITLES[d.key], d.columns, queries.stream_rows(stream, d)) for d in datasets]
    body = stream_xlsx(sheets, described, about_title=_("About this export"), creator=_("GCM regional review"))
    return StreamingResponse(body, media_type=MEDIA_TYPES["xlsx"], headers=headers)


def _source(request: Request) -> str:
    """Where the data comes from: the product and its address."""
    address = request.app.state.settings.public_url or str(request.base_url)
    return _("GCM regional review (ESCAP), %(address)s, the database as it was at the time of the export") % {
        "address": address.rstrip("/")
    }


@router.post("/exports/jobs", name="exports:create_job")
def create_job(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    kind: Field = "",
    report_cycle: Field = "",
    report_format: Field = "",
    country: Field = "",
    profile_format: Field = "",
    report_language: Field = "",
    profile_language: Field = "",
) -> Response:
    synthesis = kind == "synthesis"
    fmt = report_format if synthesis else profile_format
    language = report_language if synthesis else profile_language  # "": the page's language
    params = {"kind": kind, "format": fmt, "cycle": report_cycle, "country": country, "language": language}
    try:
        job = service.create_job(session, user=user, params=params)
    except FormInvalid as exc:
        names = {
            "format": "report_format" if synthesis else "profile_format",
            "cycle": "report_cycle",
            "language": "report_language" if synthesis else "profile_language",
        }
        errors = {names.get(k, k): v for k, v in exc.errors.items()}
        shown = {"report_cycle": report_cycle, "report_format": report_format, "country": country}
        shown["profile_format"] = profile_format
        shown["report_language"], shown["profile_language"] = report_language, profile_language
        return _index(request, session, user, params=shown, errors=errors, message=exc.message, status_code=422)
    _wake_worker(request)  # it looks again within a second or two, once this request has committed
    return RedirectResponse(request.app.url_path_for("exports:job", job_id=str(job.id)), status_code=303)


def _job(session: Session, user: User, job_id: int) -> Job:
    return service.ensure_can_see_job(user, queries.get_job(session, job_id))


@router.get("/exports/jobs/{job_id}", name="exports:job")
def job_page(request: Request, session: SessionDep, user: CurrentUser, job_id: int) -> Response:
    job = _job(session, user, job_id)
    if service.recover_if_stale(request.app.state.engine, job):  # its worker died: not "Generating" forever
        session.expire(job)  # PostgreSQL shows the recovered state now; SQLite's snapshot at the next poll
    if job.status is JobStatus.queued:
        _wake_worker(request)  # an in-process worker, when one is asked for (development); else gcm worker polls
    context = {"job": job, "job_status_labels": JOB_STATUS_LABELS}
    return render(request, "exports/job.html", context, block="job_status")


@router.get("/exports/jobs/{job_id}/download", name="exports:job_download")
def job_download(session: SessionDep, user: CurrentUser, job_id: int) -> Response:
    job = _job(session, user, job_id)
    data = queries.job_result(session, job.id) if job.status is JobStatus.done else None
    if data is None:
        raise Conflict(_("The document is not ready yet."))
    headers = {"Content-Disposition": _disposition(job.filename), "Cache-Control": "private, no-store"}
    return Response(content=data, media_type=job.media_type, headers=headers)


def _wake_worker(request: Request) -> None:
    worker = worker_for(request.app)
    if worker is not None:
        worker.wake()
