"""API v1: the commitments (pledges) the token's user may read, filtered and paginated."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel

from app.api import queries
from app.api.dependencies import ApiUser, api_user
from app.commitments import service
from app.commitments.models import Commitment, CommitmentStatus
from app.db import SessionDep
from app.web.errors import ErrorResponse

router = APIRouter(
    prefix="/api/v1",
    tags=["commitments"],
    dependencies=[Depends(api_user)],
    responses={
        401: {"model": ErrorResponse, "description": "No valid API token"},
        422: {"model": ErrorResponse, "description": "Invalid parameters"},
    },
)


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


class CommitmentPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[CommitmentOut]


@router.get("/commitments", name="api:commitments", response_model=CommitmentPage)
def list_commitments(
    user: ApiUser,
    session: SessionDep,
    country: Annotated[str | None, Query(max_length=3, description="ISO3 code")] = None,
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
    "/commitments/{commitment_id}",
    name="api:commitment",
    response_model=CommitmentOut,
    responses={404: {"model": ErrorResponse, "description": "Unknown, or not readable by this user"}},
)
def get_commitment(
    commitment_id: Annotated[int, Path(ge=1, le=2**31 - 1)], user: ApiUser, session: SessionDep
) -> CommitmentOut:
    """One pledge; another State's (for a focal point) is 404, as on the pages."""
    commitment = service.get_readable(session, user=user, commitment_id=commitment_id)
    iso3 = queries.country_iso3(session, commitment.country_id)
    return CommitmentOut.of(commitment, iso3)
