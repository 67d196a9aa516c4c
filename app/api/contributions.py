"""API v1: organisations' contributions to a cycle, as the token's user may read them (``app/visibility.py``):
accepted ones for everyone, a stakeholder's own organisation's too (drafts included), every one for the secretariat.

An organisation that asked to be cited by its type only is named by its type (``organisation`` null) to anyone but
itself and the secretariat."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from app.api.dependencies import api_user
from app.api.schemas import INVALID, UNAUTHORIZED
from app.auth.models import User
from app.contributions import queries
from app.contributions.models import Consent, ContributionStatus
from app.db import SessionDep
from app.organisations.models import OrganisationType, type_labels
from app.visibility import may_read_contribution_decisions

router = APIRouter(
    prefix="/api/v1",
    tags=["contributions"],
    dependencies=[Depends(api_user)],
    responses={**UNAUTHORIZED, **INVALID},
)


class ContributionAnswerOut(BaseModel):
    part: str
    key: str
    value: Any = None
    version: int


class ContributionOut(BaseModel):
    id: int
    cycle_id: int
    organisation: str | None  # null when the organisation is cited by its type only
    organisation_type: OrganisationType
    cited_as: str
    status: ContributionStatus
    objectives: list[int]
    consent: Consent
    submitted_at: datetime | None
    decided_at: datetime | None
    answers: list[ContributionAnswerOut]


@router.get("/contributions", name="api:contributions", response_model=list[ContributionOut])
def list_contributions(
    session: SessionDep,
    user: Annotated[User, Depends(api_user)],
    cycle: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> list[ContributionOut]:
    """The contributions (of a cycle) the token's user may read, with their answers."""
    labels = type_labels()
    found = []
    for c in queries.list_contributions(session, user, cycle_id=cycle, with_answers=True):
        named = c.consent is Consent.name or may_read_contribution_decisions(user, c)
        found.append(
            ContributionOut(
                id=c.id,
                cycle_id=c.review_cycle_id,
                organisation=c.organisation.name if named else None,
                organisation_type=c.organisation.type,
                cited_as=c.organisation.name if c.consent is Consent.name else labels[c.organisation.type],
                status=c.status,
                objectives=list(c.objectives),
                consent=c.consent,
                submitted_at=c.submitted_at,
                decided_at=c.decided_at,
                answers=[
                    ContributionAnswerOut(part=a.part, key=a.key, value=a.value, version=a.version)
                    for a in c.answers
                    if a.value is not None
                ],
            )
        )
    return found
