"""Regional review dashboards: the overview and the indicator explorer (public when ``public_view`` is on).

Filters live in the URL (htmx swaps the results block and pushes the URL, so views can be shared and the back
button works); every page runs a fixed number of queries whatever the data size.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.auth.dependencies import MaybeUser, SignInRequired
from app.auth.models import User
from app.dashboards import service
from app.db import SessionDep
from app.errors import NotFound
from app.i18n import _
from app.web.pagination import paginate
from app.web.templating import render

router = APIRouter(include_in_schema=False)


def ensure_may_view(request: Request, user: User | None) -> None:
    """Visitors who are not signed in see published content only if the ``public_view`` setting allows it."""
    if user is None and not request.app.state.settings.public_view:
        raise SignInRequired(request.url.path + (f"?{request.url.query}" if request.url.query else ""))


def _params(request: Request) -> dict[str, str]:
    return {k: v[:100] for k, v in request.query_params.items()}


@router.get("/dashboards", name="dashboards:overview")
def overview(request: Request, session: SessionDep, user: MaybeUser) -> Response:
    ensure_may_view(request, user)
    context = service.overview(session, user=user, params=_params(request), cache=request.app.state.result_cache)
    return render(request, "dashboards/overview.html", context, block="results")


@router.get("/dashboards/indicators", name="dashboards:indicators")
def indicators(request: Request, session: SessionDep, user: MaybeUser) -> Response:
    ensure_may_view(request, user)
    context = service.explorer(
        session,
        user=user,
        params=_params(request),
        cache=request.app.state.result_cache,
        coverage_threshold=request.app.state.settings.coverage_threshold,
    )
    return render(request, "dashboards/indicators.html", context, block="results")


@router.get("/dashboards/countries/{iso3}", name="dashboards:country")
def country_profile(request: Request, session: SessionDep, user: MaybeUser, iso3: str) -> Response:
    ensure_may_view(request, user)
    context = service.country_profile(session, user=user, iso3=iso3, cache=request.app.state.result_cache)
    return render(request, "dashboards/country.html", context)


REPORTS_PER_PAGE = 20


@router.get("/dashboards/objectives/{number}", name="dashboards:objective")
def objective_page(request: Request, session: SessionDep, user: MaybeUser, number: int) -> Response:
    ensure_may_view(request, user)
    context = service.objective_page(
        session, user=user, number=number, params=_params(request), cache=request.app.state.result_cache
    )
    # The approved reports, one per State (62 at most, each with its summary): 20 a page, the filters kept.
    shown = paginate(context["reports"], request.query_params.get("page"), REPORTS_PER_PAGE)
    context |= {
        "reports": shown.items,
        "reports_page": shown,
        "reports_query": {k: v for k, v in request.query_params.items() if k != "page"},
    }
    return render(request, "dashboards/objective.html", context, block="results")


@router.get("/search", name="dashboards:search")
def search_page(request: Request, session: SessionDep, user: MaybeUser, q: str = "") -> Response:
    ensure_may_view(request, user)
    context = service.search_page(
        session, user=user, query=q[:200], params=_params(request), cache=request.app.state.result_cache
    )
    return render(request, "dashboards/search.html", context, block="results")


CHART_TYPES = {"svg": "image/svg+xml", "csv": "text/csv; charset=utf-8"}


@router.get("/dashboards/charts/{chart}.{fmt}", name="dashboards:chart")
def chart_download(request: Request, session: SessionDep, user: MaybeUser, chart: str, fmt: str) -> Response:
    """A dashboard chart as a file (SVG or CSV), drawn with the page's filters (the query string)."""
    ensure_may_view(request, user)
    if fmt not in CHART_TYPES or len(chart) > 60:
        raise NotFound(_("The page or record was not found."))
    found = service.chart(
        session,
        user=user,
        name=chart,
        params=_params(request),
        cache=request.app.state.result_cache,
        coverage_threshold=request.app.state.settings.coverage_threshold,
    )
    body = found.standalone_svg() if fmt == "svg" else found.csv()
    disposition = "inline" if request.query_params.get("inline") == "1" else "attachment"
    return Response(
        body,
        media_type=CHART_TYPES[fmt],
        headers={"Content-Disposition": f'{disposition}; filename="{chart}.{fmt}"'},
    )
