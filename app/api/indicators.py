"""JSON API v1: indicators, their values, and regional aggregates (the computation the dashboards use).

A focal point records and corrects their own country's values through the grid's service (the same checks of
numbers, periods, breakdowns and status; the same optimistic locking; the same history).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from app.api import queries as api_queries
from app.api.dependencies import ApiUser, api_user
from app.api.schemas import INVALID, NO_NUL, UNAUTHORIZED, WRITE_ERRORS, Key, Responses
from app.dashboards import queries as dashboard_queries
from app.dashboards.aggregates import aggregate
from app.dashboards.service import parse_disaggregation
from app.db import SessionDep
from app.errors import NotFound, ValidationFailed
from app.i18n import _
from app.indicators import queries as indicator_queries
from app.indicators import service as value_service
from app.indicators.models import Indicator, IndicatorValue, ValueStatus
from app.indicators.schemas import ValueForm, number_for_input
from app.web.errors import ErrorResponse

router = APIRouter(
    prefix="/api/v1",
    tags=["indicators"],
    dependencies=[Depends(api_user)],
    responses={**UNAUTHORIZED, **INVALID},
)
NOT_FOUND: Responses = {
    404: {"model": ErrorResponse, "description": "No such indicator (or not one the token's user may read)"}
}
Code = Annotated[str, Path(max_length=40, pattern=NO_NUL, description="The indicator's code, e.g. 10.7.3")]


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
    id: int
    country: str = Field(description="ISO3 code")
    period: str
    value: float | None = Field(description="null records a known gap: missing is not zero")
    sex: str
    age_group: str
    migratory_status: str
    status: str = Field(description="provisional or final")
    source: str
    note: str = Field(description="Why a value is missing, or how to read it")
    version: int = Field(description="Send it back to change the value (PUT)")

    @classmethod
    def of(cls, v: IndicatorValue, iso3: str) -> ValueOut:
        return cls(
            id=v.id, country=iso3, period=v.period, value=v.value, sex=str(v.sex), age_group=v.age_group,
            migratory_status=str(v.migratory_status), status=str(v.status), source=v.source, note=v.note,
            version=v.version,
        )  # fmt: skip


Cell = Annotated[str, Field(max_length=5000, pattern=NO_NUL)]
Number = Annotated[float | None, Field(allow_inf_nan=False, description="null records a gap (a note says why)")]


class ValueChange(BaseModel):
    """What a focal point may change in a recorded value; checked as the grid checks a row."""

    value: Number
    status: ValueStatus = ValueStatus.final
    source: Cell = Field(description="The survey, register or publication, and who produced it")
    note: Cell = ""

    def as_form(self, **extra: str) -> ValueForm:
        typed = number_for_input(self.value)
        return ValueForm(value=typed, status=self.status.value, source=self.source, note=self.note, **extra)


class ValueIn(ValueChange):
    """A new value of the focal point's own country: a period and breakdown not recorded yet."""

    period: Key = Field(description="A year (2024), a quarter (2024-Q1), a month (2024-06) or a span (2023/2024)")
    sex: Key = Field("total", description="total, female or male")
    migratory_status: Key = Field("total", description="total, migrant or non_migrant")
    age_group: Key = Field("total", description='total, a range such as "15-24", or "65+"')


class ValueUpdate(ValueChange):
    version: int = Field(ge=1, le=2**31 - 1, description="The version the client read: a later save is a 409")


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
            method=i.aggregation.value,
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
    code: Code,
    period: Annotated[str, Query(min_length=4, max_length=16, pattern=NO_NUL, description="e.g. 2020")],
    sex: Annotated[str, Query(max_length=20, pattern=NO_NUL, description="female, male (default: the total)")] = "",
    migratory_status: Annotated[str, Query(max_length=20, pattern=NO_NUL, description="migrant, non_migrant")] = "",
    age_group: Annotated[str, Query(max_length=20, pattern=NO_NUL, description="e.g. 15-24")] = "",
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
        method=indicator.aggregation.value,
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
    code: Code,
    country: Annotated[str | None, Query(min_length=3, max_length=3, pattern=NO_NUL, description="ISO3 code")] = None,
    period: Annotated[str | None, Query(max_length=16, pattern=NO_NUL)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ValuesPage:
    """The indicator's values (every breakdown) that the token's user may read, by country and period."""
    indicator = _indicator(session, user, code)
    total, rows = dashboard_queries.list_values_page(
        session, indicator, user=user, country_iso3=country, period=period, limit=limit, offset=offset
    )
    items = [ValueOut.of(v, iso3) for v, iso3 in rows]
    return ValuesPage(total=total, limit=limit, offset=offset, items=items)


@router.post(
    "/indicators/{code}/values",
    name="api:indicator_value_create",
    response_model=ValueOut,
    status_code=201,
    responses=WRITE_ERRORS,
)
def create_value(session: SessionDep, user: ApiUser, code: Code, data: ValueIn) -> ValueOut:
    """Record a value of the focal point's own country for a period and breakdown (the token's user's country).

    Anyone else is refused (403). A period already recorded for the breakdown is 409 (change it with PUT); wrong
    cells are 422 with a message per field. Nothing is saved when refused.
    """
    indicator = _indicator(session, user, code)
    disaggregation = value_service.parse_disaggregation(data.sex, data.migratory_status, data.age_group)
    form = data.as_form(period=data.period)
    value = value_service.add_value(session, user=user, indicator=indicator, disaggregation=disaggregation, form=form)
    return ValueOut.of(value, api_queries.country_iso3(session, value.country_id))


def _recorded_value(session: SessionDep, user: ApiUser, code: str, value_id: int) -> tuple[Indicator, IndicatorValue]:
    """The indicator and one of its recorded values (404 if either is unknown); the writes check whose it is."""
    indicator = _indicator(session, user, code)
    value = indicator_queries.get_value(session, value_id)
    if value is None:
        raise NotFound(_("The page or record was not found."))
    return indicator, value


@router.put(
    "/indicators/{code}/values/{value_id}",
    name="api:indicator_value_update",
    response_model=ValueOut,
    responses=WRITE_ERRORS,
)
def update_value(
    session: SessionDep,
    user: ApiUser,
    code: Code,
    value_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    data: ValueUpdate,
) -> ValueOut:
    """Change a recorded value of the focal point's own country if nobody saved it since the `version` read.

    Its period and breakdown stay. A stale version is 409 and nothing changes; another State's value is 404.
    """
    indicator, value = _recorded_value(session, user, code, value_id)
    value_service.ensure_own_value(user, indicator, value)
    value_service.update_value(
        session, user=user, indicator=indicator, value=value, form=data.as_form(version=str(data.version))
    )
    return ValueOut.of(value, api_queries.country_iso3(session, value.country_id))


@router.delete(
    "/indicators/{code}/values/{value_id}",
    name="api:indicator_value_delete",
    status_code=204,
    response_class=Response,
    responses=WRITE_ERRORS,
)
def delete_value(
    session: SessionDep,
    user: ApiUser,
    code: Code,
    value_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    version: Annotated[int, Query(ge=1, le=2**31 - 1, description="The version the client read")],
) -> Response:
    """Remove a recorded period of the focal point's own country, if nobody saved it since the `version` read.

    As in the grid: a stale version is 409 and nothing changes; another State's value is 404; the audit trail keeps
    the removed row. A value already removed is 404.
    """
    indicator, value = _recorded_value(session, user, code, value_id)
    value_service.remove_value(session, user=user, indicator=indicator, value=value, version=version)
    return Response(status_code=204)
