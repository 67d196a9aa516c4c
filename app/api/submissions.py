"""API v1: the voluntary GCM reviews (submissions) that the token's user may read, with their answers by part and
question; a focal point starts their own country's review and saves its answers one at a time.

Who reads what is the pages' rule (``app.submissions.service.get_readable``, ``app.visibility``): a focal point their
own country's reviews, the secretariat and administrators every review, preparers approved or published ones only.
Anything else is 404, never 403. Writing is the forms' rule (``service.save_answer``: the same checks of each value
against the cycle's questionnaire, the part editable, each answer's own version as the optimistic lock).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from app.api import queries
from app.api.dependencies import ApiUser, api_user
from app.api.schemas import (
    FORBIDDEN,
    INVALID,
    NO_NUL,
    NOT_READABLE,
    UNAUTHORIZED,
    WRITE_ERRORS,
    AnswerValue,
    Responses,
    error,
)
from app.auth.models import Role
from app.catalog import queries as catalog_queries
from app.cycles import queries as cycle_queries
from app.db import SessionDep
from app.errors import Forbidden, NotFound, ValidationFailed
from app.i18n import _, pick
from app.questionnaires import answers
from app.submissions import service
from app.submissions.models import Answer, ObjectiveReport, Submission, SubmissionStatus
from app.submissions.queries import get_report
from app.submissions.queries import get_submission as get_fresh_submission
from app.web.errors import ErrorResponse

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


class AttachedFile(BaseModel):
    """A document attached in answer to a file question (uploaded through the review's form)."""

    file_id: int
    name: str
    size: int = Field(description="In bytes")
    media_type: str


class AnswerOut(BaseModel):
    value: str | list[str] | bool | int | float | AttachedFile | None = Field(
        description="As `PUT /api/v1/submissions/{id}/answers` takes it (a file question's answer is the attached "
        "document, uploaded through the form); null: the answer was cleared (a question never answered has no "
        "entry: send version 0)"
    )
    version: int = Field(description="The answer's version: send it back with a change (a later save is a 409)")
    updated_at: datetime
    language: str | None = Field(
        default=None,
        description="A text answer's language (en, fr, ru, zh): detected when saved, unless its writer chose it "
        "(`language_set`); null: not a text, empty or undetermined",
    )
    language_set: bool = Field(default=False, description="Whether the writer chose the language")


PartAnswers = dict[str, AnswerOut]
"""One part's answers by question key."""


class SectionOut(BaseModel):
    key: str = Field(description="The section's key in the cycle's questionnaire; its answers are part section:KEY")
    title: str = Field(description="The section's title in the language asked for (Accept-Language), else English")
    title_lang: str = Field("en", description="The language the title is in (en, zh, fr or ru)")
    complete: bool = Field(description="Whether every required question the section asks is answered")
    missing: str = Field(description="What is missing, when not complete")
    version: int = Field(description="Goes up with every save of one of the part's answers")
    updated_at: datetime


class ObjectiveReportSummary(BaseModel):
    number: int = Field(description="The objective's number, 1 to 23; its answers are part objective:N")
    short_title: str
    reporting: str = Field(description="reported, or not_reported this cycle")
    rating: int | None = Field(description="The step of the cycle's progress scale given by the rating question")
    complete: bool = Field(description="Whether the report has what submitting needs")
    missing: str = Field(description="What is missing, when not complete")
    version: int = Field(description="Goes up with every save of one of the part's answers")
    updated_at: datetime


class SubmissionDetail(SubmissionOut):
    carried_forward_from_id: int | None
    sections: list[SectionOut]
    objective_reports: list[ObjectiveReportSummary]
    answers: dict[str, PartAnswers] = Field(
        description="Every part of the review (section:KEY, then objective:1 to objective:23), each with its "
        "answers by question key; the questions are the cycle's (`GET /api/v1/cycles/{id}/questionnaire`)"
    )


class ObjectiveReportOut(BaseModel):
    submission_id: int
    country: str = Field(description="ISO3 code")
    number: int
    short_title: str
    title: str
    reporting: str = Field(description="reported, or not_reported this cycle")
    rating: int | None = Field(description="The step of the cycle's progress scale given by the rating question")
    complete: bool = Field(description="Whether the report has what submitting needs")
    missing: str = Field(description="What is missing, when not complete")
    answers: PartAnswers = Field(description="The report's answers (part objective:N) by question key")
    version: int
    updated_at: datetime


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    part: str = Field(
        max_length=80,
        pattern=r"^(section|objective):[^\x00]+$",
        description="section:KEY (a general section's key) or objective:N (1 to 23)",
        examples=["section:preparation", "objective:6"],
    )
    key: str = Field(max_length=63, pattern=NO_NUL, description="The question's key in the cycle's questionnaire")
    value: AnswerValue
    version: int = Field(
        ge=0, le=2**31 - 1, description="The answer's version the client read; 0 when it was never answered"
    )
    language: Literal["en", "fr", "ru", "zh", ""] | None = Field(
        default=None,
        description="A text answer's language as its writer says it is; \"\": detected when saved (the writer's "
        "choice forgotten); absent or null: as it is (detected, unless the writer chose it before)",
    )


class AnswerSaved(BaseModel):
    part: str
    key: str
    value: str | list[str] | bool | int | float | AttachedFile | None = Field(
        description="As stored (texts trimmed, lists in the choices' order; an empty text or list is null); null: "
        "not answered (cleared, or never answered)"
    )
    version: int = Field(
        description="The answer's version now, to send with the next change; 0: never answered (a cleared answer "
        "keeps its row and its version)"
    )


class AnswerConflictResponse(ErrorResponse):
    current: AnswerSaved | None = Field(
        None,
        description="On a stale version: the answer as it is now (read it, merge, send its version). Absent when "
        "the review or the part is read-only.",
    )


def _summary(s: Submission, iso3: str, name: str, subregion: str | None, cycle: str) -> SubmissionOut:
    return SubmissionOut(
        id=s.id, country=iso3, country_name=name, subregion=subregion, cycle_id=s.review_cycle_id, cycle=cycle,
        status=s.status, submitted_at=s.submitted_at, approved_at=s.approved_at, published_at=s.published_at,
        updated_at=s.updated_at, version=s.version,
    )  # fmt: skip


def _answers(submission: Submission, part: str) -> PartAnswers:
    return {
        key: AnswerOut(
            value=a.value,
            version=a.version,
            updated_at=a.updated_at,
            language=a.language,
            language_set=a.language_set,
        )
        for key, a in service.part_answers(submission, part).items()
    }


def _report_summary(report: ObjectiveReport, item: service.ChecklistItem) -> ObjectiveReportSummary:
    return ObjectiveReportSummary(
        number=report.objective.number,
        short_title=report.objective.short_title,
        reporting=report.reporting.value,
        rating=report.rating,
        complete=item.complete,
        missing=item.missing,
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
    """One review: its general sections and objective reports (what is complete, what is missing), and every
    answer by part and question key, each with its version (what `PUT .../answers` needs)."""
    s = service.get_readable(session, user=user, submission_id=submission_id)
    subregion = queries.subregion_name(session, s.country.subregion_id)
    summary = _summary(s, s.country.iso3, s.country.name, subregion, s.review_cycle.name)
    definition = service.definition_of(session, s)
    checklist = {item.key: item for item in service.checklist(session, s)}
    order = [x.key for x in definition.sections]
    sections = []
    for x in sorted(s.sections, key=lambda x: order.index(x.key) if x.key in order else len(order)):
        item = checklist.get(f"section:{x.key}")
        defined = definition.section(x.key)
        title, title_lang = pick(defined.label, x.key) if defined else (x.key, "en")
        sections.append(
            SectionOut(
                key=x.key,
                title=title,
                title_lang=title_lang,
                complete=item.complete if item else True,
                missing=item.missing if item else "",
                version=x.version,
                updated_at=x.updated_at,
            )
        )
    reports = sorted(s.objective_reports, key=lambda r: r.objective.number)
    parts = [f"section:{x.key}" for x in sections] + [f"objective:{r.objective.number}" for r in reports]
    return SubmissionDetail(
        **summary.model_dump(),
        carried_forward_from_id=s.carried_forward_from_id,
        sections=sections,
        objective_reports=[_report_summary(r, checklist[f"objective:{r.objective.number}"]) for r in reports],
        answers={part: _answers(s, part) for part in parts},
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
    part = f"objective:{number}"
    item = next(i for i in service.checklist(session, submission) if i.key == part)
    return ObjectiveReportOut(
        submission_id=submission.id,
        country=submission.country.iso3,
        number=report.objective.number,
        short_title=report.objective.short_title,
        title=report.objective.title,
        reporting=report.reporting.value,
        rating=report.rating,
        complete=item.complete,
        missing=item.missing,
        answers=_answers(submission, part),
        version=report.version,
        updated_at=report.updated_at,
    )


ANSWER_ERRORS: Responses = {
    **FORBIDDEN,
    404: error("Unknown review, or another State's (it is not found to them)"),
    409: {
        "model": AnswerConflictResponse,
        "description": "The answer was saved by someone else after the version sent (`current` is the answer now: "
        "nothing saved), or the review or the part is read-only (submitted, or not reopened by the secretariat)",
    },
    422: error(
        "The value does not fit the question (type, choices, range, length limit), or the review has no such part "
        "or question: `errors` names the field with the reason; nothing saved"
    ),
}


@router.put(
    "/submissions/{submission_id}/answers",
    name="api:answer_save",
    response_model=AnswerSaved,
    responses=ANSWER_ERRORS,
)
def save_answer(
    submission_id: SubmissionId, body: AnswerIn, user: ApiUser, session: SessionDep
) -> AnswerSaved | JSONResponse:
    """Save one answer of the focal point's own country's review, if nobody saved it since the `version` read.

    The review must be a draft, or the part one the secretariat reopened when asking for changes (else 409). The
    value is checked against the question of the cycle's questionnaire (422 with the reason); null (or an empty
    text or list) clears the answer, which keeps its version (send 0 only for a question never answered). A stale
    version is 409 with the answer as it is now. Another State's review is 404; anyone but a focal point gets 403.
    A part or question the review does not have is 422 naming `part` or `key`.
    """
    submission = service.get_readable(session, user=user, submission_id=submission_id)
    service.ensure_editable(submission, user)
    if service.find_part(submission, body.part) is None:
        message = _("This review has no part %(part)s: use section:KEY or objective:1 to objective:23.")
        raise ValidationFailed(message % {"part": body.part}, field="part")
    if service.definition_of(session, submission).question(body.part, body.key) is None:
        message = _("The questionnaire of this cycle asks no question %(key)s in %(part)s.")
        raise ValidationFailed(message % {"key": body.key, "part": body.part}, field="key")
    try:
        saved = service.save_answer(
            session, user=user, submission=submission, part=body.part, key=body.key, value=body.value,
            version=body.version, language=False if body.language is None else (body.language or None),
        )  # fmt: skip
    except answers.AnswerInvalid as exc:
        raise ValidationFailed(exc.message, field="value") from None
    except service.AnswerConflict as exc:
        return _conflict(session, submission.id, body, exc)
    return _saved(body, saved)


def _saved(body: AnswerIn, answer: Answer | None) -> AnswerSaved:
    """The answer as it is (None: never answered, version 0)."""
    if answer is None:
        return AnswerSaved(part=body.part, key=body.key, value=None, version=0)
    return AnswerSaved(part=body.part, key=body.key, value=answer.value, version=answer.version)


def _conflict(session: SessionDep, submission_id: int, body: AnswerIn, exc: service.AnswerConflict) -> JSONResponse:
    """409 with the answer as it is now (read again when the save lost a race: the service does not know it)."""
    current = exc.current
    if current is None:
        submission = get_fresh_submission(session, submission_id)
        current = service.part_answers(submission, body.part).get(body.key) if submission is not None else None
    content = AnswerConflictResponse(message=exc.message, current=_saved(body, current))
    return JSONResponse(content.model_dump(mode="json"), status_code=409)
