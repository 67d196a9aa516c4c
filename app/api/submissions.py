"""API v1: the voluntary GCM reviews (submissions) and their objective reports that the token's user may read.

Who reads what is the pages' rule (``app.submissions.service.get_readable``, ``app.visibility``): a focal point their
own country's reviews, the secretariat and administrators every review, preparers approved or published ones only.
Anything else is 404, never 403.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from app.api import queries
from app.api.dependencies import ApiUser, api_user
from app.api.schemas import INVALID, NO_NUL, NOT_READABLE, UNAUTHORIZED, WRITE_ERRORS, error
from app.auth.models import Role
from app.catalog import queries as catalog_queries
from app.cycles import queries as cycle_queries
from app.db import SessionDep
from app.errors import Forbidden, NotFound, ValidationFailed
from app.i18n import _
from app.submissions import service
from app.submissions.models import ObjectiveReport, SectionKey, Submission, SubmissionStatus
from app.submissions.queries import get_report
from app.submissions.rules import SECTION_TITLES

router = APIRouter(
    prefix="/api/v1",
    tags=["submissions"],
    dependencies=[Depends(api_user)],
    responses={**UNAUTHORIZED, **INVALID},
)

SubmissionId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class SubmissionOut(BaseModel):
    id: int
    country: str = Field(description="ISO3 code")
    country_name: str
    subregion: str | None = Field(description="null for the members outside the region")
    cycle_id: int
    cycle: str = Field(description="The review cycle's name")
    status: SubmissionStatus
    submitted_at: datetime | None
    approved_at: datetime | None
    published_at: datetime | None
    updated_at: datetime
    version: int


class SubmissionPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[SubmissionOut]


class SectionOut(BaseModel):
    key: SectionKey
    title: str
    body: str
    version: int
    updated_at: datetime


class ObjectiveReportSummary(BaseModel):
    number: int = Field(description="The objective's number, 1 to 23")
    short_title: str
    reporting: str = Field(description="reported, or not_reported this cycle")
    progress_rating: str | None
    complete: bool = Field(description="Whether the report has what submitting needs")
    version: int
    updated_at: datetime


class SubmissionDetail(SubmissionOut):
    carried_forward_from_id: int | None
    sections: list[SectionOut]
    objective_reports: list[ObjectiveReportSummary]


class ObjectiveReportOut(BaseModel):
    submission_id: int
    country: str = Field(description="ISO3 code")
    number: int
    short_title: str
    title: str
    reporting: str
    not_reported_reason: str
    progress_rating: str | None
    narrative: str
    laws_and_policies: str
    good_practices: str
    challenges: str
    partners: str
    principles: list[str] = Field(description="Codes (a to j) of the guiding principles applied")
    commitments: list[str] = Field(description="References of the linked pledges")
    version: int
    updated_at: datetime


def _summary(s: Submission, iso3: str, name: str, subregion: str | None, cycle: str) -> SubmissionOut:
    return SubmissionOut(
        id=s.id, country=iso3, country_name=name, subregion=subregion, cycle_id=s.review_cycle_id, cycle=cycle,
        status=s.status, submitted_at=s.submitted_at, approved_at=s.approved_at, published_at=s.published_at,
        updated_at=s.updated_at, version=s.version,
    )  # fmt: skip


def _report_summary(report: ObjectiveReport) -> ObjectiveReportSummary:
    return ObjectiveReportSummary(
        number=report.objective.number,
        short_title=report.objective.short_title,
        reporting=report.reporting.value,
        progress_rating=report.progress_rating.value if report.progress_rating else None,
        complete=not service.report_missing(report),
        version=report.version,
        updated_at=report.updated_at,
    )


@router.get("/submissions", name="api:submissions", response_model=SubmissionPage)
def list_submissions(
    user: ApiUser,
    session: SessionDep,
    cycle: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="A review cycle's id")] = None,
    country: Annotated[str | None, Query(pattern="^[A-Za-z]{3}$", description="ISO3 code")] = None,
    status: Annotated[SubmissionStatus | None, Query()] = None,
    subregion: Annotated[
        str | None, Query(max_length=100, pattern=NO_NUL, description="A subregion's name, e.g. 'Pacific'")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> SubmissionPage:
    """The reviews the token's user may read, latest cycle first, with the total before paging."""
    if subregion is not None and subregion not in {s.name for s in catalog_queries.list_subregions(session)}:
        raise ValidationFailed(_("Unknown subregion: %(name)r.") % {"name": subregion}, field="subregion")
    total, rows = queries.page_submissions(
        session, user=user, cycle_id=cycle, country=country, status=status.value if status else None,
        subregion=subregion, limit=limit, offset=offset,
    )  # fmt: skip
    items = [_summary(r.submission, r.iso3, r.country, r.subregion, r.cycle) for r in rows]
    return SubmissionPage(total=total, limit=limit, offset=offset, items=items)


@router.get(
    "/submissions/{submission_id}", name="api:submission", response_model=SubmissionDetail, responses=NOT_READABLE
)
def get_submission(submission_id: SubmissionId, user: ApiUser, session: SessionDep) -> SubmissionDetail:
    """One review with its general sections and a summary of its 23 objective reports."""
    s = service.get_readable(session, user=user, submission_id=submission_id)
    subregion = queries.subregion_name(session, s.country.subregion_id)
    summary = _summary(s, s.country.iso3, s.country.name, subregion, s.review_cycle.name)
    order = list(SectionKey)
    sections = [
        SectionOut(key=x.key, title=SECTION_TITLES[x.key], body=x.body, version=x.version, updated_at=x.updated_at)
        for x in sorted(s.sections, key=lambda x: order.index(x.key))
    ]
    reports = [_report_summary(r) for r in sorted(s.objective_reports, key=lambda r: r.objective.number)]
    return SubmissionDetail(
        **summary.model_dump(),
        carried_forward_from_id=s.carried_forward_from_id,
        sections=sections,
        objective_reports=reports,
    )


class SubmissionStart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cycle_id: int = Field(ge=1, le=2**31 - 1, description="The open review cycle to start the review in")


@router.post(
    "/submissions",
    name="api:submission_start",
    status_code=201,
    response_model=SubmissionDetail,
    responses={**WRITE_ERRORS, 404: error("No such review cycle")},
)
def start_submission(body: SubmissionStart, user: ApiUser, session: SessionDep) -> SubmissionDetail:
    """A focal point starts their own country's voluntary GCM review in an open cycle (409 if it exists)."""
    if user.role is not Role.focal_point:
        raise Forbidden(_("Only a country's focal points start its review."))
    cycle = cycle_queries.get_cycle(session, body.cycle_id)
    if cycle is None:
        raise NotFound(_("No review cycle has this id."))
    started = service.start_submission(session, user=user, cycle=cycle)
    session.flush()
    session.expire_all()  # read it back as the GET does, with everything its answer shows
    return get_submission(started.id, user, session)


@router.get(
    "/submissions/{submission_id}/objectives/{number}",
    name="api:objective_report",
    response_model=ObjectiveReportOut,
    responses=NOT_READABLE,
)
def get_objective_report(
    submission_id: SubmissionId,
    number: Annotated[int, Path(ge=1, le=23, description="The objective's number")],
    user: ApiUser,
    session: SessionDep,
) -> ObjectiveReportOut:
    """One objective report of a review, with its texts, the principles applied and the linked pledges."""
    submission = service.get_readable(session, user=user, submission_id=submission_id)
    report = get_report(submission, number)
    if report is None:
        raise NotFound(_("The page or record was not found."))
    return ObjectiveReportOut(
        submission_id=submission.id,
        country=submission.country.iso3,
        number=report.objective.number,
        short_title=report.objective.short_title,
        title=report.objective.title,
        reporting=report.reporting.value,
        not_reported_reason=report.not_reported_reason,
        progress_rating=report.progress_rating.value if report.progress_rating else None,
        narrative=report.narrative,
        laws_and_policies=report.laws_and_policies,
        good_practices=report.good_practices,
        challenges=report.challenges,
        partners=report.partners,
        principles=[p.code for p in report.principles],
        commitments=[c.reference for c in report.commitments],
        version=report.version,
        updated_at=report.updated_at,
    )
