"""JSON API v1. The router requires a bearer token for every route it holds."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from app.api.dependencies import api_user
from app.catalog import queries
from app.catalog.schemas import CountryOut, ObjectiveOut, PrincipleOut
from app.catalog.texts import Texts, app_cache, texts
from app.db import SessionDep
from app.errors import ValidationFailed
from app.i18n import _
from app.web.errors import ErrorResponse

router = APIRouter(
    prefix="/api/v1",
    tags=["reference data"],
    dependencies=[Depends(api_user)],
    responses={
        401: {"model": ErrorResponse, "description": "No valid API token"},
        422: {"model": ErrorResponse, "description": "Invalid parameters"},
    },
)


def _texts(request: Request, session: SessionDep) -> Texts:
    return texts(session, app_cache(request.app.state))


@router.get("/objectives", name="api:objectives", response_model=list[ObjectiveOut])
def list_objectives(request: Request, session: SessionDep) -> list[ObjectiveOut]:
    """The 23 objectives of the Compact, with the IMRF round table that reviews each. Titles are in the language of
    Accept-Language (en, zh, fr, ru) where a published source is on file, else in English; `*_lang` says which."""
    found = _texts(request, session)
    return [ObjectiveOut.from_model(o, found) for o in queries.list_objectives(session)]


@router.get("/principles", name="api:principles", response_model=list[PrincipleOut])
def list_principles(request: Request, session: SessionDep) -> list[PrincipleOut]:
    """The 10 guiding principles (para 15 a–j); names in the language of Accept-Language where a published source
    is on file, else in English (`name_lang` says which)."""
    found = _texts(request, session)
    return [PrincipleOut.from_model(p, found) for p in queries.list_principles(session)]


@router.get("/countries", name="api:countries", response_model=list[CountryOut])
def list_countries(
    request: Request,
    session: SessionDep,
    subregion: Annotated[str | None, Query(description="A subregion's name, e.g. 'Pacific'")] = None,
    in_region: Annotated[bool | None, Query(description="true: the 58 inside the ESCAP region")] = None,
) -> list[CountryOut]:
    """ESCAP members and associate members; regional figures use only those with in_region true. Names in the
    language of Accept-Language (CLDR's in zh, fr, ru unless an administrator set one; ESCAP's in English)."""
    if subregion is not None and subregion not in {s.name for s in queries.list_subregions(session)}:
        raise ValidationFailed(_("Unknown subregion: %(name)s.") % {"name": repr(subregion)}, field="subregion")
    countries = queries.list_countries(session, subregion=subregion, in_region=in_region)
    found = _texts(request, session)
    return [CountryOut.from_model(c, found) for c in countries]
