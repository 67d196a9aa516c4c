"""API v1: the commitments (pledges) the token's user may read, filtered and paginated; a focal point records and
edits their own country's through the pages' service (same checks, same optimistic locking, same history)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from app.api import queries
from app.api.dependencies import ApiUser, api_user
from app.api.schemas import CONFLICT, FORBIDDEN, INVALID, NO_NUL, NOT_READABLE, UNAUTHORIZED, WRITE_ERRORS, Key, Text
from app.commitments import queries as commitment_queries
from app.commitments import service
from app.commitments.models import Commitment, CommitmentForm, CommitmentStatus, PledgeType
from app.commitments.schemas import CommitmentInput
from app.db import SessionDep

router = APIRouter(
    prefix="/api/v1",
    tags=["commitments"],
    dependencies=[Depends(api_user)],
    responses={**UNAUTHORIZED, **INVALID},
)
CommitmentId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class CommitmentOut(BaseModel):
    id: int
    reference: str
    country: str
    title: str
    description: str
    form: str
    pledge_type: str
    status: str
    timeframe_start: date | None
    timeframe_end: date | None
    version: int

    @classmethod
    def of(cls, commitment: Commitment, iso3: str) -> CommitmentOut:
        return cls(
            id=commitment.id, reference=commitment.reference, country=iso3, title=commitment.title,
            description=commitment.description, form=commitment.form, pledge_type=commitment.pledge_type,
            status=commitment.status, timeframe_start=commitment.timeframe_start,
            timeframe_end=commitment.timeframe_end, version=commitment.version,
        )  # fmt: skip


class CommitmentDetail(CommitmentOut):
    partners: str
    matched_reference: str | None = Field(description="The pledge a matching pledge matches")
    objectives: list[int] = Field(description="Numbers of the objectives the pledge advances")
    principles: list[str] = Field(description="Codes (a to j) of the guiding principles it addresses")
    scope: str

    @classmethod
    def of_loaded(cls, commitment: Commitment) -> CommitmentDetail:
        """From a pledge loaded by ``app.commitments.queries.get_commitment`` (country and links loaded)."""
        matched = commitment.matched_commitment
        return cls(
            **CommitmentOut.of(commitment, commitment.country.iso3).model_dump(),
            partners=commitment.partners,
            matched_reference=matched.reference if matched else None,
            objectives=[o.number for o in commitment.objectives],
            principles=[p.code for p in commitment.principles],
            scope=commitment.scope,
        )


class CommitmentIn(BaseModel):
    """A pledge as the form records it; the service checks every rule and names each wrong field (422)."""

    title: Text
    description: Text = Field(description="300 to 3,000 characters")
    form: CommitmentForm
    pledge_type: PledgeType = PledgeType.individual
    partners: Text = Field("", description="Required for a common pledge or a pledge in partnership")
    matched_reference: Key = Field("", description="A matching pledge: the reference of the pledge it matches")
    objectives: list[Annotated[int, Field(ge=1, le=1000)]] = Field(max_length=100, description="At least one")
    principles: list[Key] = Field([], max_length=100)
    scope: Text = ""
    timeframe_start: Key = Field(description="YYYY-MM-DD")
    timeframe_end: Key = Field(description="YYYY-MM-DD, not before the start")
    status: CommitmentStatus = CommitmentStatus.pledged

    def as_form(self) -> CommitmentInput:
        data = self.model_dump(mode="json")
        return CommitmentInput(**{**data, "objectives": [str(n) for n in self.objectives]})


class CommitmentEditIn(CommitmentIn):
    version: int = Field(ge=1, le=2**31 - 1, description="The version the client read: a later save is a 409")


class CommitmentPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[CommitmentOut]


@router.get("/commitments", name="api:commitments", response_model=CommitmentPage)
def list_commitments(
    user: ApiUser,
    session: SessionDep,
    country: Annotated[str | None, Query(max_length=3, pattern=NO_NUL, description="ISO3 code")] = None,
    status: Annotated[CommitmentStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> CommitmentPage:
    """The pledges the token's user may read (a focal point: their own country's), with the total before paging."""
    total, rows = queries.page_commitments(
        session, user=user, country=country, status=status.value if status else None, limit=limit, offset=offset
    )
    return CommitmentPage(total=total, limit=limit, offset=offset, items=[CommitmentOut.of(c, i) for c, i in rows])


@router.get(
    "/commitments/{commitment_id}", name="api:commitment", response_model=CommitmentDetail, responses=NOT_READABLE
)
def get_commitment(commitment_id: CommitmentId, user: ApiUser, session: SessionDep) -> CommitmentDetail:
    """One pledge; another State's (for a focal point) is 404, as on the pages."""
    return CommitmentDetail.of_loaded(service.get_readable(session, user=user, commitment_id=commitment_id))


def _reloaded(session: SessionDep, commitment_id: int) -> CommitmentDetail:
    commitment = commitment_queries.get_commitment(session, commitment_id, fresh=True)
    assert commitment is not None
    return CommitmentDetail.of_loaded(commitment)


@router.post(
    "/commitments",
    name="api:commitment_create",
    response_model=CommitmentDetail,
    status_code=201,
    responses={**FORBIDDEN, **CONFLICT},
)
def create_commitment(data: CommitmentIn, user: ApiUser, session: SessionDep) -> CommitmentDetail:
    """Record a pledge of the focal point's own country (it gets the next reference "ISO3-year-nnn").

    Anyone else is refused (403). The checks are the pledge form's: 422 names every wrong field, nothing saved.
    """
    commitment = service.create_commitment(session, user=user, data=data.as_form())
    return _reloaded(session, commitment.id)


@router.put(
    "/commitments/{commitment_id}",
    name="api:commitment_update",
    response_model=CommitmentDetail,
    responses=WRITE_ERRORS,
)
def update_commitment(
    commitment_id: CommitmentId, data: CommitmentEditIn, user: ApiUser, session: SessionDep
) -> CommitmentDetail:
    """Replace a pledge of the focal point's own country, if nobody saved it since the `version` the client read.

    A stale version is 409 and nothing changes: read the pledge again, merge, and send its new version. Another
    State's pledge is 404 (as on the pages); a user who may read but not write it gets 403.
    """
    commitment = service.get_readable(session, user=user, commitment_id=commitment_id)
    service.update_commitment(session, user=user, commitment=commitment, data=data.as_form(), version=data.version)
    return _reloaded(session, commitment.id)
