"""Loads the reference data in ``app/reference/`` into the database. Idempotent: matched on natural keys."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.catalog.models import Country, MembershipStatus, Objective, Principle, RoundTable, Subregion
from app.indicators.models import Aggregation, Indicator, IndicatorKind, IndicatorObjective, ObjectiveLink

REFERENCE_DIR = Path(__file__).parent / "reference"


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, table: str, *, created: bool) -> None:
        target = self.created if created else self.updated
        target[table] = target.get(table, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        if not self.changed:
            return "Reference data is up to date: nothing changed."
        parts = [f"{n} {t} created" for t, n in sorted(self.created.items())]
        parts += [f"{n} {t} updated" for t, n in sorted(self.updated.items())]
        return "Reference data loaded: " + ", ".join(parts) + "."


def read_csv(name: str) -> Iterator[dict[str, str]]:
    with (REFERENCE_DIR / name).open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            yield {k: (v or "").strip() for k, v in row.items()}


def _numbers(value: str) -> list[int]:
    return [int(part) for part in value.split(";") if part.strip()]


def _apply(obj: Any, values: dict[str, Any]) -> bool:
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def _upsert(
    session: Session, report: SeedReport, model: type[Any], key: str, rows: Iterable[dict[str, Any]]
) -> dict[Any, Any]:
    existing = {getattr(o, key): o for o in session.scalars(select(model))}
    for values in rows:
        obj = existing.get(values[key])
        if obj is None:
            obj = model(**values)
            session.add(obj)
            existing[values[key]] = obj
            report.count(model.__tablename__, created=True)
        elif _apply(obj, values):
            report.count(model.__tablename__, created=False)
    session.flush()
    return existing


def seed_reference_data(session: Session) -> SeedReport:
    """Create or update every reference row from the files; rows already equal to the files are left alone."""
    report = SeedReport()
    rt_rows = list(read_csv("imrf_round_tables.csv"))
    round_tables = _upsert(
        session, report, RoundTable, "number", ({"number": int(r["number"]), "name": r["name"]} for r in rt_rows)
    )
    cluster_of = {n: round_tables[int(r["number"])].id for r in rt_rows for n in _numbers(r["objectives"])}
    objectives = _upsert(
        session,
        report,
        Objective,
        "number",
        (
            {
                "number": int(r["number"]),
                "short_title": r["short_title"],
                "title": r["full_title"],
                "round_table_id": cluster_of[int(r["number"])],
            }
            for r in read_csv("gcm_objectives.csv")
        ),
    )
    _upsert(
        session,
        report,
        Principle,
        "code",
        (
            {"code": r["code"], "name": r["name"], "paragraph": r["paragraph"], "description": r["description"]}
            for r in read_csv("gcm_guiding_principles.csv")
        ),
    )
    subregions = _upsert(
        session,
        report,
        Subregion,
        "name",
        ({"name": r["name"], "sort_order": int(r["sort_order"])} for r in read_csv("subregions.csv")),
    )
    _upsert(session, report, Country, "iso3", _country_rows(subregions))
    _seed_indicators(session, report, objectives)
    return report


def _country_rows(subregions: dict[str, Subregion]) -> Iterator[dict[str, Any]]:
    for r in read_csv("escap_members.csv"):
        in_region = r["in_escap_geographic_region"].lower() == "true"
        yield {
            "iso3": r["iso3"].upper(),
            "name": r["name"],
            "status": MembershipStatus(r["status"]),
            "subregion_id": subregions[r["subregion"]].id if in_region else None,
            "in_region": in_region,
            "note": r["note"],
        }


def _indicator_rows() -> Iterator[tuple[dict[str, Any], list[tuple[int, ObjectiveLink]]]]:
    methods = {r["code"]: Aggregation(r["aggregation"]) for r in read_csv("indicator_aggregation.csv")}
    for r in read_csv("sdg_migration_indicators.csv"):
        links = [(n, ObjectiveLink.primary) for n in _numbers(r["gcm_objectives_primary"])]
        links += [(n, ObjectiveLink.related) for n in _numbers(r["gcm_objectives_related"])]
        description = r["notes"]
        values: dict[str, object] = {
            "code": r["code"],
            "name": r["name"],
            "unit": r["unit"],
            "aggregation": methods.get(r["code"], Aggregation.none),
            "kind": IndicatorKind.sdg,
            "sdg_code": r["code"],
            "source": r["custodian_agency"],
            "description": description,
        }
        yield values, links
    for r in read_csv("context_indicators.csv"):
        values = {
            "code": r["code"],
            "name": r["name"],
            "unit": r["unit"],
            "aggregation": Aggregation(r["aggregation"]),
            "kind": IndicatorKind.context,
            "sdg_code": None,
            "source": r["source"],
            "description": r["description"],
        }
        yield values, [(n, ObjectiveLink.related) for n in _numbers(r["objectives"])]


def _seed_indicators(session: Session, report: SeedReport, objectives: dict[int, Objective]) -> None:
    existing = {i.code: i for i in session.scalars(select(Indicator).options(selectinload(Indicator.objective_links)))}
    for values, links in _indicator_rows():
        indicator = existing.get(values["code"])
        if indicator is None:
            indicator = Indicator(**values)
            indicator.objective_links = []
            session.add(indicator)
            report.count("indicator", created=True)
        elif _apply(indicator, values):
            report.count("indicator", created=False)
        _sync_links(indicator, links, objectives, report)
    session.flush()


def _sync_links(
    indicator: Indicator,
    links: list[tuple[int, ObjectiveLink]],
    objectives: dict[int, Objective],
    report: SeedReport,
) -> None:
    # The reference mapping is an analysis, not an official UN mapping: is_official stays false.
    wanted = {objectives[n].id: relation for n, relation in links}
    current = {link.objective_id: link for link in indicator.objective_links}
    for objective_id, link in current.items():
        if objective_id not in wanted:
            indicator.objective_links.remove(link)
            report.count("indicator_objective", created=False)
    for objective_id, relation in wanted.items():
        found = current.get(objective_id)
        if found is None:
            indicator.objective_links.append(
                IndicatorObjective(objective_id=objective_id, relation=relation, is_official=False)
            )
            report.count("indicator_objective", created=True)
        elif found.relation != relation:
            found.relation = relation
            report.count("indicator_objective", created=False)
