from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app import seed
from app.catalog.models import Country, MembershipStatus, Objective, Principle, RoundTable, Subregion
from app.indicators.models import Aggregation, Indicator, IndicatorKind
from app.seed import seed_reference_data


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_reference_counts(session: Session) -> None:
    assert count(session, Objective) == 23
    assert count(session, Principle) == 10
    assert count(session, RoundTable) == 4
    assert count(session, Country) == 62
    assert session.scalar(select(func.count()).where(Country.in_region.is_(True))) == 58
    assert session.scalar(select(func.count()).where(Country.status == MembershipStatus.associate)) == 9


def test_subregion_sizes_add_up_to_the_region(session: Session) -> None:
    subregions = session.scalars(select(Subregion).options(selectinload(Subregion.countries))).all()
    sizes = {s.name: len(s.countries) for s in subregions}
    assert sizes == {
        "East and North-East Asia": 7,
        "South-East Asia": 11,
        "South and South-West Asia": 10,
        "North and Central Asia": 9,
        "Pacific": 21,
    }
    assert sum(sizes.values()) == 58


def test_members_outside_the_region_have_no_subregion(session: Session) -> None:
    outside = session.scalars(select(Country).where(Country.in_region.is_(False)).order_by(Country.iso3)).all()
    assert [c.iso3 for c in outside] == ["FRA", "GBR", "NLD", "USA"]
    assert all(c.subregion_id is None and c.status is MembershipStatus.member for c in outside)


def test_round_tables_hold_the_imrf_clusters(session: Session) -> None:
    tables = session.scalars(select(RoundTable).options(selectinload(RoundTable.objectives))).all()
    clusters = {rt.code: [o.number for o in rt.objectives] for rt in tables}
    assert clusters == {
        "RT1": [2, 5, 6, 12, 18],
        "RT2": [4, 8, 9, 10, 11, 13, 21],
        "RT3": [14, 15, 16, 19, 20, 22],
        "RT4": [1, 3, 7, 17, 23],
    }


def test_objective_paragraph_is_number_plus_16(session: Session) -> None:
    first, last = (session.scalar(select(Objective).where(Objective.number == n)) for n in (1, 23))
    assert (first.paragraph, last.paragraph) == (17, 39)


def test_country_names_as_escap_writes_them(session: Session) -> None:
    names = set(session.scalars(select(Country.name)))
    assert {"Türkiye", "Viet Nam", "Lao People's Democratic Republic", "Hong Kong, China", "Macao, China"} <= names


def test_sdg_indicators_are_seeded_with_aggregation_and_analytical_links(session: Session) -> None:
    indicators = {
        i.code: i for i in session.scalars(select(Indicator).options(selectinload(Indicator.objective_links)))
    }
    assert len([i for i in indicators.values() if i.kind is IndicatorKind.sdg]) == 16
    assert indicators["10.7.3"].aggregation is Aggregation.sum
    assert indicators["10.7.2"].aggregation is Aggregation.none
    assert indicators["10.c.1"].aggregation is Aggregation.mean
    assert indicators["UNDESA.MIGSTOCK"].kind is IndicatorKind.context
    links = indicators["10.7.2"].objective_links
    assert {link.objective_id for link in links}
    assert not any(link.is_official for i in indicators.values() for link in i.objective_links)


def _snapshot(session: Session) -> dict[str, list[tuple]]:
    return {
        "objective": session.execute(select(Objective.number, Objective.title, Objective.round_table_id)).all(),
        "country": session.execute(select(Country.iso3, Country.name, Country.subregion_id)).all(),
        "principle": session.execute(select(Principle.code, Principle.name)).all(),
        "indicator": session.execute(select(Indicator.code, Indicator.name, Indicator.aggregation)).all(),
    }


def test_seed_twice_changes_nothing(session: Session) -> None:
    before = _snapshot(session)
    report = seed_reference_data(session)
    assert not report.changed, report.summary()
    assert _snapshot(session) == before


def test_corrected_title_in_the_file_updates_the_row(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(seed.REFERENCE_DIR, tmp_path, dirs_exist_ok=True)
    objectives = tmp_path / "gcm_objectives.csv"
    objectives.write_text(objectives.read_text(encoding="utf-8").replace("1,Data,", "1,Data and evidence,"), "utf-8")
    monkeypatch.setattr(seed, "REFERENCE_DIR", tmp_path)

    report = seed_reference_data(session)

    assert report.updated == {"objective": 1, "reference_text": 1}  # the English short title's text too
    assert not report.created
    assert session.scalar(select(Objective.short_title).where(Objective.number == 1)) == "Data and evidence"
    assert count(session, Objective) == 23
