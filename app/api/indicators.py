"""JSON API v1: indicators, their values, and regional aggregates (the computation the dashboards use)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from app.api.dependencies import ApiUser, api_user
from app.dashboards import queries as dashboard_queries
from app.dashboards.aggregates import aggregate
from app.dashboards.service import parse_disaggregation
from app.db import SessionDep
from app.errors import NotFound, ValidationFailed
from app.i18n import _
from app.indicators import queries as indicator_queries
from app.indicators.models import Indicator
from app.web.errors import ErrorResponse

router = APIRouter(
    prefix="/api/v1",
    tags=["indicators"],
    dependencies=[Depends(api_user)],
    responses={
        401: {"model": ErrorResponse, "description": "No valid API token"},
        422: {"model": ErrorResponse, "description": "Invalid parameters"},
    },
)
NOT_FOUND = {404: {"model": ErrorResponse, "description": "No such indicator (or not one the token's user may read)"}}


class IndicatorOut(BaseModel):
    code: str
    name: str
    unit: str
    method: Literal["sum", "mean", "none"] = Field(description="How values aggregate over countries")
    kind: str
    sdg_code: str | None
    objectives: list[int] = Field(description="Objectives the indicator is linked to (an analysis unless official)")


class RegionFigure(BaseModel):
    value: float | None = Field(description="null when no country reports (missing is not zero) or method none")
    countries_reporting: int
    countries_expected: int = Field(description="58: the members and associate members inside the region")


class SubregionFigure(RegionFigure):
    name: str


class AggregateOut(BaseModel):
    indicator: str
    period: str
    unit: str
    method: Literal["sum", "mean", "none"] = Field(description="mean is an unweighted mean over reporting countries")
    breakdown: dict[str, str] = Field(description="sex, migratory_status, age_group ('total' when not filtered)")
    region: RegionFigure
    subregions: list[SubregionFigure]


class ValueOut(BaseModel):
    country: str = Field(description="ISO3 code")
    period: str
    value: float | None = Field(description="null records a known gap: missing is not zero")
    sex: str
    age_group: str
    migratory_status: str
    status: str = Field(description="provisional or final")
    source: str


class ValuesPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[ValueOut]


def _indicator(session: SessionDep, user: ApiUser, code: str) -> Indicator:
    indicator = indicator_queries.get_indicator(session, code, user=user)
    if indicator is None:
        raise NotFound(_("No indicator with the code %(code)s.") % {"code": code})
    return indicator


@router.get("/indicators", name="api:indicators", response_model=list[IndicatorOut])
def list_indicators(session: SessionDep, user: ApiUser) -> list[IndicatorOut]:
    """The indicators the token's user may read (shared ones, and national ones of readable States)."""
    return [
        IndicatorOut(
            code=i.code,
            name=i.name,
            unit=i.unit,
            method=i.aggregation.value,  # type: ignore[arg-type]
            kind=i.kind.value,
            sdg_code=i.sdg_code,
            objectives=[link.objective.number for link in i.objective_links],
        )
        for i in indicator_queries.list_indicators(session, user=user)
    ]


@router.get(
    "/indicators/{code}/aggregate", name="api:indicator_aggregate", response_model=AggregateOut, responses=NOT_FOUND
)
def indicator_aggregate(
    session: SessionDep,
    user: ApiUser,
    code: str,
    period: Annotated[str, Query(min_length=4, max_length=16, description="e.g. 2020")],
    sex: Annotated[str, Query(max_length=20, description="female, male (default: the total)")] = "",
    migratory_status: Annotated[str, Query(max_length=20, description="migrant, non_migrant")] = "",
    age_group: Annotated[str, Query(max_length=20, description="e.g. 15-24")] = "",
) -> AggregateOut:
    """Regional and subregional aggregate for one period, over the 58 countries inside the region only.

    With no breakdown given, the totals are used (never the totals and their breakdowns added together).
    """
    indicator = _indicator(session, user, code)
    d = parse_disaggregation({"sex": sex, "migratory_status": migratory_status, "age_group": age_group})
    if (sex and d.sex.value != sex) or (migratory_status and d.migratory_status.value != migratory_status):
        raise ValidationFailed(
            _("Unknown breakdown."), field="sex" if sex and d.sex.value != sex else "migratory_status"
        )
    [result] = aggregate(session, indicator, user=user, disaggregation=d, periods=[period])
    return AggregateOut(
        indicator=indicator.code,
        period=period,
        unit=indicator.unit,
        method=indicator.aggregation.value,  # type: ignore[arg-type]
        breakdown={"sex": d.sex.value, "migratory_status": d.migratory_status.value, "age_group": d.age_group},
        region=RegionFigure(
            value=result.region.value,
            countries_reporting=result.region.countries_reporting,
            countries_expected=result.region.countries_expected,
        ),
        subregions=[
            SubregionFigure(
                name=s.name,
                value=s.value,
                countries_reporting=s.countries_reporting,
                countries_expected=s.countries_expected,
            )
            for s in result.subregions
        ],
    )


@router.get("/indicators/{code}/values", name="api:indicator_values", response_model=ValuesPage, responses=NOT_FOUND)
def indicator_values(
    session: SessionDep,
    user: ApiUser,
    code: str,
    country: Annotated[str | None, Query(min_length=3, max_length=3, description="ISO3 code")] = None,
    period: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ValuesPage:
    """The indicator's values (every breakdown) that the token's user may read, by country and period."""
    indicator = _indicator(session, user, code)
    total, rows = dashboard_queries.list_values_page(
        session, indicator, user=user, country_iso3=country, period=period, limit=limit, offset=offset
    )
    items = [
        ValueOut(
            country=iso3,
            period=v.period,
            value=v.value,
            sex=str(v.sex),
            age_group=v.age_group,
            migratory_status=str(v.migratory_status),
            status=str(v.status),
            source=v.source,
        )
        for v, iso3 in rows
    ]
    return ValuesPage(total=total, limit=limit, offset=offset, items=items)
