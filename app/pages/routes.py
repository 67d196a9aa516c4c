"""Public pages: the home page and the API documentation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.auth.dependencies import MaybeUser
from app.catalog import queries
from app.db import SessionDep
from app.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/", name="pages:home")
def home(request: Request, session: SessionDep, _user: MaybeUser) -> Response:
    round_tables = queries.list_round_tables(session)
    subregions = queries.list_subregions(session, with_countries=True)
    outside = queries.list_countries(session, in_region=False)
    in_region = sum(len(s.countries) for s in subregions)
    context = {
        "round_tables": round_tables,
        "subregions": subregions,
        "outside": outside,
        "in_region_count": in_region,
        "country_count": in_region + len(outside),
    }
    return render(request, "pages/home.html", context)


@router.get("/docs", name="pages:api_docs")
def api_docs(request: Request, _user: MaybeUser) -> Response:
    return render(request, "pages/api_docs.html")
