"""The rules of a value, a period and a breakdown (app/indicators/service.py), without HTTP."""

from __future__ import annotations

import pytest

from app.db import utcnow
from app.errors import ValidationFailed
from app.indicators.models import MigratoryStatus, Sex
from app.indicators.service import parse_age_group, parse_disaggregation, parse_number, parse_period, value_rule


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("1234.5", 1234.5),
        ("1,234.5", 1234.5),
        ("1 234 567", 1234567.0),
        ("1\u00a0234", 1234.0),
        ("-12", -12.0),
        ("0.25", 0.25),
        (".5", 0.5),
        ("  42  ", 42.0),
    ],
)
def test_plain_decimals_with_thousands_separators_are_read(typed: str, number: float) -> None:
    assert parse_number(typed) == number


def test_empty_value_is_a_gap_not_zero() -> None:
    assert parse_number("") is None
    assert parse_number("   ") is None


@pytest.mark.parametrize("typed", ["abc", "1.2.3", "12,34", "1,2345", "1,234 567", "1e5", "1 234,5", "--1", "12%"])
def test_anything_else_is_refused_with_a_message(typed: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_number(typed)
    assert caught.value.field == "value"
    assert caught.value.message


def test_decimal_comma_gets_a_specific_message() -> None:
    with pytest.raises(ValidationFailed, match="point for decimals"):
        parse_number("1 234,5")


@pytest.mark.parametrize(
    ("typed", "period"),
    [
        ("2020", "2020"),
        ("2020-Q3", "2020-Q3"),
        ("2020-q1", "2020-Q1"),
        ("2020-06", "2020-06"),
        ("2019/2020", "2019/2020"),
    ],
)
def test_periods_in_the_four_forms_are_accepted(typed: str, period: str) -> None:
    assert parse_period(typed) == period


@pytest.mark.parametrize("typed", ["", "20", "2020-13", "2020-Q5", "2020/2019", "2020-2021", "FY2020", "1800", "2020 "])
def test_other_periods_are_refused(typed: str) -> None:
    if typed == "2020 ":  # surrounding spaces are only trimmed
        assert parse_period(typed) == "2020"
        return
    with pytest.raises(ValidationFailed) as caught:
        parse_period(typed)
    assert caught.value.field == "period"


def test_full_width_digits_typed_with_an_ime_are_read_and_stored_as_ascii() -> None:
    assert parse_period("２０２０－Ｑ１") == "2020-Q1"
    assert parse_period("２０１９／２０２０") == "2019/2020"
    assert parse_age_group("１５－２４") == "15-24"


@pytest.mark.parametrize("typed", ["٢٠٢٠", "२०२०", "2\u00b2020"])
def test_periods_in_other_digits_are_refused_not_stored(typed: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_period(typed)
    assert caught.value.field == "period"


def test_a_year_far_in_the_future_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="Enter a year"):
        parse_period(str(utcnow().year + 5))


@pytest.mark.parametrize(
    ("code", "unit", "good", "bad"),
    [
        ("10.c.1", "Per cent of the amount sent", [0, 3.5, 100], [-1, 100.5]),
        ("17.3.2", "Per cent of GDP", [38.2], [150]),
        ("10.7.3", "Number of persons (minimum documented count)", [0, 1250], [-3, 2.5]),
        ("UNDESA.MIGSTOCK", "Number of persons", [226000], [-1, 0.5]),
        ("10.7.2", "Per country and per policy domain: 4-level category ...", [1, 4], [0, 5, 2.5]),
        ("8.8.2", "Score from 0 to 10 (0 = best, 10 = worst)", [0, 7.25, 10], [-0.1, 10.5]),
        ("10.7.1", "Ratio: recruitment costs paid by the worker divided by monthly earnings", [0, 1.7], [-0.2]),
        ("8.7.1", "Per cent and number of children aged 5–17", [12.5, 450000], [-1]),
        ("NAT.X.1", "Net migration, change over the year (persons)", [-5000, 5000], []),
    ],
)
def test_the_unit_sets_the_range_of_values(code: str, unit: str, good: list[float], bad: list[float]) -> None:
    rule = value_rule(code, unit)
    assert all(rule.check(float(n)) is None for n in good)
    assert all(rule.check(float(n)) for n in bad)


def test_breakdowns_accept_the_lists_and_age_ranges_only() -> None:
    chosen = parse_disaggregation("female", "migrant", "15–24")
    assert (chosen.sex, chosen.migratory_status, chosen.age_group) == (Sex.female, MigratoryStatus.migrant, "15-24")
    assert parse_disaggregation("", "", "").is_total
    assert parse_age_group("65+") == "65+"
    for bad in ("young", "24-15", "15-"):
        with pytest.raises(ValidationFailed):
            parse_age_group(bad)
    with pytest.raises(ValidationFailed):
        parse_disaggregation("other", "total", "")
