"""Regional and subregional aggregates of an indicator: the one computation behind the pages and the API.

- Only the 58 members and associate members inside the region count (``Country.in_region``); the four members
  outside it are never in a regional figure.
- ``sum`` adds the values of the reporting countries; ``mean`` is an unweighted mean over the reporting countries
  (labelled as such); ``none`` gives no aggregate, only the coverage.
- A NULL value is a recorded gap: it is not a zero and the country is not "reporting".
- One breakdown at a time: with no filter the totals ("total" in every disaggregation column), never the totals and
  their breakdowns added together.
- The region is computed from the subregions' sums and counts, so subregions add up to the region by construction.
- One SQL query (GROUP BY subregion, period), whatever the number of values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.auth.models import User
from app.catalog.models import Country
from app.dashboards import queries
from app.dashboards.queries import breakdown_filter
from app.indicators.models import Aggregation, Indicator, IndicatorValue
from app.indicators.schemas import Disaggregation
from app.visibility import readable_country_filter


@dataclass
class Figure:
    """An aggregate over a set of countries: the value (None when nothing to aggregate) and the coverage."""

    name: str
    value: float | None
    countries_reporting: int
    countries_expected: int
    provisional: int = 0  # how many of the values aggregated are provisional
    unreviewed: int = 0  # how many are not yet reviewed by the secretariat (entered by a focal point since)

    def adequate(self, threshold: float) -> bool:
        """Whether enough countries report for the figure to speak for its countries (``GCM_COVERAGE_THRESHOLD``)."""
        return self.countries_expected > 0 and self.countries_reporting >= threshold * self.countries_expected


@dataclass
class PeriodAggregate:
    period: str
    region: Figure
    subregions: list[Figure] = field(default_factory=list)


def _combine(method: Aggregation, total: float | None, count: int) -> float | None:
    if method is Aggregation.none or count == 0 or total is None:
        return None
    if method is Aggregation.sum:
        return total
    return total / count


def aggregate(
    session: Session,
    indicator: Indicator,
    *,
    user: User | None,
    disaggregation: Disaggregation | None = None,
    periods: list[str] | None = None,
) -> list[PeriodAggregate]:
    """Aggregates per period (all periods with a value, or ``periods``), latest first; one query + one for counts."""
    d = disaggregation or Disaggregation()
    method = Aggregation(indicator.aggregation)
    expected = _expected(session)
    conditions = [
        IndicatorValue.indicator_id == indicator.id,
        IndicatorValue.value.is_not(None),
        Country.in_region.is_(True),
        *breakdown_filter(d),
    ]
    readable = readable_country_filter(user, IndicatorValue.country_id)
    if readable is not None:
        conditions.append(readable)
    if periods is not None:
        conditions.append(IndicatorValue.period.in_(periods))
    groups: dict[str, dict[int, tuple[int, float | None, int, int]]] = {}
    for period, subregion_id, count, total, prov, unreviewed in queries.value_groups(session, conditions):
        groups.setdefault(period, {})[subregion_id] = (
            int(count),
            None if total is None else float(total),
            int(prov or 0),
            int(unreviewed or 0),
        )
    wanted = periods if periods is not None else sorted(groups, reverse=True)
    result = []
    for period in wanted:
        by_subregion = groups.get(period, {})
        figures = []
        for subregion_id, name, n_expected in expected:
            count, total, prov, unreviewed = by_subregion.get(subregion_id, (0, None, 0, 0))
            figures.append(Figure(name, _combine(method, total, count), count, n_expected, prov, unreviewed))
        count = sum(f.countries_reporting for f in figures)
        totals = [t for _c, t, _p, _u in by_subregion.values() if t is not None]
        region_total = sum(totals) if totals else None
        region = Figure(
            "region",
            _combine(method, region_total, count),
            count,
            sum(f.countries_expected for f in figures),
            sum(f.provisional for f in figures),
            sum(f.unreviewed for f in figures),
        )
        result.append(PeriodAggregate(period, region, figures))
    return result


def _expected(session: Session) -> list[tuple[int, str, int]]:
    """The subregions in their order, each with its number of countries (all inside the region)."""
    return [(sid, name, int(n)) for sid, name, n in queries.subregions_with_region_counts(session)]
