"""API v1: review cycles and the questionnaire of each (the same JSON as `gcm questionnaire export`).

Every signed-in token may read them: what States are asked is not confidential."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel

from app.api.dependencies import api_user
from app.api.schemas import INVALID, NOT_READABLE, UNAUTHORIZED
from app.cycles import queries
from app.cycles.models import CycleStatus
from app.db import SessionDep
from app.errors import NotFound
from app.i18n import _
from app.questionnaires import service
from app.questionnaires.schemas import Definition

router = APIRouter(
    prefix="/api/v1",
    tags=["review cycles"],
    dependencies=[Depends(api_user)],
    responses={**UNAUTHORIZED, **INVALID},
)

CycleId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class CycleOut(BaseModel):
    id: int
    name: str
    description: str
    status: CycleStatus
    opens_on: date
    deadline: date
    closes_on: date


@router.get("/cycles", name="api:cycles", response_model=list[CycleOut])
def list_cycles(session: SessionDep) -> list[CycleOut]:
    """Every review cycle, the latest first."""
    return [CycleOut.model_validate(c, from_attributes=True) for c in queries.list_cycles(session)]


@router.get(
    "/cycles/{cycle_id}/questionnaire",
    name="api:cycle_questionnaire",
    response_model=Definition,
    response_model_exclude_none=True,
    responses=NOT_READABLE,
)
def cycle_questionnaire(session: SessionDep, cycle_id: CycleId) -> Definition:
    """What the cycle asks: its progress scale, its general sections and the questions asked per objective."""
    cycle = queries.get_cycle(session, cycle_id)
    if cycle is None:
        raise NotFound(_("The page or record was not found."))
    return service.definition_for(session, cycle)
