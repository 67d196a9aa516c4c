"""Regional aggregates: the 58 inside the region only, subregions adding up, gaps not zeros, one breakdown at a time."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from app.auth.models import Role
from app.dashboards.aggregates import aggregate
from app.indicators.models import MigratoryStatus, Sex, ValueStatus
from app.indicators.schemas import Disaggregation
from app.submissions.models import SubmissionStatus
from tests.dashboards.helpers import submission_with_status
from tests.factories import make_user
from tests.indicators.helpers import indicator, make_value

# Countries in two subregions, and two members outside the region with large values.
EAST = {"CHN": 1000.0, "JPN": 200.0}
SOUTH_EAST = {"THA": 30.0, "PHL": 4.0}
OUTSIDE = {"USA": 50_000_000.0, "FRA": 7_000_000.0}


@pytest.fixture
def secretariat(session: Session):  # type: ignore[no-untyped-def]
    return make_user(session, role=Role.secretariat)


def _load(session: Session, code: str = "10.7.3", period: str = "2020") -> None:
    for iso3, value in {**EAST, **SOUTH_EAST, **OUTSIDE}.items():
        make_value(session, code=code, country=iso3, period=period, value=value)


def _by_name(result):  # type: ignore[no-untyped-def]
    return {s.name: s for s in result.subregions}


def test_sum_excludes_members_outside_the_region(session: Session, secretariat) -> None:  # type: ignore[no-untyped-def]
    _load(session)
    [result] = aggregate(session, indicator(session, "10.7.3"), user=secretariat, periods=["2020"])
    assert result.region.value == 1234.0  # not 57 million
    assert result.region.countries_reporting == 4
    assert result.region.countries_expected == 58


def test_subregions_add_up_to_the_region_for_sum(session: Session, secretariat) -> None:  # type: ignore[no-untyped-def]
    _load(session)
    [result] = aggregate(session, indicator(session, "10.7.3"), user=secretariat, periods=["2020"])
    subs = _by_name(result)
    assert subs["East and North-East Asia"].value == 1200.0
    assert subs["South-East Asia"].value == 34.0
    assert sum(s.value or 0 for s in result.subregions) == result.region.value
    assert sum(s.countries_reporting for s in result.subregions) == result.region.countries_reporting
    assert sum(s.countries_expected for s in result.subregions) == 58
    assert [s.countries_expected for s in result.subregions] == [7, 11, 10, 9, 21]


def test_missing_values_are_not_zeros(session: Session, secretariat) -> None:  # type: ignore[no-untyped-def]
    make_value(session, code="10.7.1", country="THA", period="2020", value=2.0)
    make_value(session, code="10.7.1", country="PHL", period="2020", value=None)  # a recorded gap
    make_value(session, code="10.7.1", country="CHN", period="2020", value=None)
    [result] = aggregate(session, indicator(session, "10.7.1"), user=secretariat, periods=["2020"])
    subs = _by_name(result)
    assert subs["South-East Asia"].value == 2.0  # a mean of 2 and a gap is 2, not 1
    assert subs["South-East Asia"].countries_reporting == 1
    assert subs["East and North-East Asia"].value is None  # only a gap: no figure, not 0
    assert subs["Pacific"].value is None
    assert result.region.countries_reporting == 1
    [empty] = aggregate(session, indicator(session, "10.7.3"), user=secretariat, periods=["1999"])
    assert empty.region.value is None and empty.region.countries_reporting == 0


def test_totals_and_their_breakdowns_are_never_added_together(session: Session, secretariat) -> None:  # type: ignore[no-untyped-def]
    make_value(session, code="UNDESA.MIGSTOCK", country="THA", period="2020", value=100.0)
    make_value(session, code="UNDESA.MIGSTOCK", country="THA", period="2020", value=45.0, sex=Sex.female)
    make_value(session, code="UNDESA.MIGSTOCK", country="THA", period="2020", value=55.0, sex=Sex.male)
    make_value(session, code="UNDESA.MIGSTOCK", country="PHL", period="2020", value=10.0, sex=Sex.female)
    stock = indicator(session, "UNDESA.MIGSTOCK")
    [total] = aggregate(session, stock, user=secretariat, periods=["2020"])
    assert total.region.value == 100.0
    assert total.region.countries_reporting == 1
    [female] = aggregate(session, stock, user=secretariat, periods=["2020"], disaggregation=Disaggregation(Sex.female))
    assert female.region.value == 55.0
    assert female.region.countries_reporting == 2
    migrants = Disaggregation(migratory_status=MigratoryStatus.migrant)
    [none] = aggregate(session, stock, user=secretariat, periods=["2020"], disaggregation=migrants)
    assert none.region.value is None


def test_mean_is_unweighted_over_reporting_countries(session: Session, secretariat) -> None:  # type: ignore[no-untyped-def]
    for iso3, value in {"THA": 1.0, "PHL": 2.0, "CHN": 6.0, "USA": 100.0}.items():
        make_value(session, code="10.7.1", country=iso3, period="2021", value=value)
    [result] = aggregate(session, indicator(session, "10.7.1"), user=secretariat, periods=["2021"])
    assert result.region.value == pytest.approx(3.0)
    assert _by_name(result)["South-East Asia"].value == pytest.approx(1.5)


def test_method_none_gives_coverage_but_no_value(session: Session, secretariat) -> None:  # type: ignore[no-untyped-def]
    _load(session, code="10.7.2")
    [result] = aggregate(session, indicator(session, "10.7.2"), user=secretariat, periods=["2020"])
    assert result.region.value is None
    assert result.region.countries_reporting == 4
    assert all(s.value is None for s in result.subregions)


def test_provisional_values_are_counted_for_marking(session: Session, secretariat) -> None:  # type: ignore[no-untyped-def]
    _load(session)
    make_value(session, code="10.7.3", country="KOR", period="2020", value=6.0).status = ValueStatus.provisional
    session.flush()
    [result] = aggregate(session, indicator(session, "10.7.3"), user=secretariat, periods=["2020"])
    assert result.region.provisional == 1
    assert _by_name(result)["East and North-East Asia"].provisional == 1


def test_preparers_aggregate_only_countries_with_an_accepted_review(session: Session) -> None:
    _load(session)
    submission_with_status(session, "THA", SubmissionStatus.approved)
    submission_with_status(session, "CHN", SubmissionStatus.submitted)
    preparer = make_user(session, role=Role.preparer)
    [result] = aggregate(session, indicator(session, "10.7.3"), user=preparer, periods=["2020"])
    assert result.region.value == 30.0
    assert result.region.countries_reporting == 1
    [public] = aggregate(session, indicator(session, "10.7.3"), user=None, periods=["2020"])
    assert public.region.value is None and public.region.countries_reporting == 0  # approved is not published
    submission_with_status(session, "JPN", SubmissionStatus.published)
    [public] = aggregate(session, indicator(session, "10.7.3"), user=None, periods=["2020"])
    assert public.region.countries_reporting == 1
