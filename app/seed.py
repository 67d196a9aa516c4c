"""Loads the reference data in ``app/reference/`` into the database. Idempotent: matched on natural keys."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import babel
from babel import Locale
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.catalog.models import (
    Country,
    MembershipStatus,
    Objective,
    Principle,
    ReferenceText,
    RoundTable,
    Subregion,
    TextKind,
    TextStatus,
)
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


def seed_reference_data(session: Session, *, texts: bool = True, indicators: bool = True) -> SeedReport:
    """Create or update every reference row from the files; rows already equal to the files are left alone.
    ``texts=False`` leaves out the reference texts in four languages, ``indicators=False`` the indicators (for a
    database at a revision before their tables took today's shape: the migration tests)."""
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
    if indicators:
        _seed_indicators(session, report, objectives)
    if texts:
        seed_reference_texts(session, report)
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
    targets = {r["code"]: (float(r["target"]), r["note"]) for r in read_csv("indicator_targets.csv")}
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
            "target": targets.get(r["code"], (None, ""))[0],
            "target_note": targets.get(r["code"], (None, ""))[1],
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


# Reference texts in four languages (app/reference/translations/README.md) ----------------------------------------

COMPACT = "A/RES/73/195"
ROUND_TABLES_SOURCE = "A/RES/73/326"
UN_NETWORK = "UN Network on Migration"
ESCAP = "ESCAP"


def cldr_source() -> str:
    return f"CLDR {babel.core.get_cldr_version()} (Babel {babel.__version__})"


def _field_sources(value: str) -> dict[str, str]:
    """``title: URL | short: URL`` -> {"title": URL, "short": URL}; a source without a label is both's."""
    found: dict[str, str] = {}
    for part in value.split(" | "):
        label, sep, rest = part.partition(": ")
        if sep and label.strip() in ("title", "short") and not label.startswith("http"):
            found[label.strip()] = rest.strip()
        elif part.strip():
            found.setdefault("title", part.strip())
            found.setdefault("short", part.strip())
    return found


def reference_text_rows() -> Iterator[dict[str, Any]]:
    """Every reference text the files and CLDR give: kind, key, language, text, source, status."""

    def row(kind: TextKind, key: object, language: str, text: str, source: str, status: str) -> dict[str, Any]:
        return {
            "kind": kind,
            "key": str(key),
            "language": language,
            "text": text,
            "source": source,
            "status": TextStatus(status),
        }

    for r in read_csv("gcm_objectives.csv"):
        yield row(TextKind.objective, r["number"], "en", r["full_title"], f"{COMPACT}, para. 16", "official")
        yield row(TextKind.objective_short, r["number"], "en", r["short_title"], UN_NETWORK, "un_network_label")
    for r in read_csv("translations/gcm_objectives.csv"):
        sources = _field_sources(r["source"])
        if r["title"]:
            yield row(TextKind.objective, r["number"], r["lang"], r["title"], sources["title"], r["title_status"])
        if r["short_title"]:
            short = sources["short"]
            yield row(
                TextKind.objective_short, r["number"], r["lang"], r["short_title"], short, r["short_title_status"]
            )
    for r in read_csv("gcm_guiding_principles.csv"):
        yield row(
            TextKind.guiding_principle, r["code"], "en", r["name"], f"{COMPACT}, para. {r['paragraph']}", "official"
        )
    for r in read_csv("translations/gcm_guiding_principles.csv"):
        yield row(TextKind.guiding_principle, r["code"], r["lang"], r["name"], r["source"], r["status"])
    codes = {r["name"]: r["code"] for r in read_csv("translations/subregion_codes.csv")}
    for r in read_csv("subregions.csv"):
        yield row(TextKind.subregion, codes[r["name"]], "en", r["name"], ESCAP, "escap")
    for r in read_csv("imrf_round_tables.csv"):
        yield row(TextKind.round_table, r["number"], "en", r["name"], ROUND_TABLES_SOURCE, "official")
    keys: dict[str, str] = {}
    for r in read_csv("translations/term_keys.csv"):
        keys[r["term_en"]] = r["key"]
        yield row(TextKind.term, r["key"], "en", r["text"], r["source"], r["status"])
    for r in read_csv("translations/terms.csv"):
        # terms.csv has no status column: a UN site's page is official, another site's a reproduction.
        status = "official" if urlsplit(r["source"]).netloc.endswith("un.org") else "reproduction"
        yield row(TextKind.term, keys[r["term_en"]], r["lang"], r["term"], r["source"], status)
    alpha2 = {r["iso3"].upper(): r["alpha2"].upper() for r in read_csv("translations/country_codes.csv")}
    cldr = cldr_source()
    locales = {lang: Locale.parse(lang) for lang in ("zh", "fr", "ru")}
    for r in read_csv("escap_members.csv"):
        iso3 = r["iso3"].upper()
        yield row(TextKind.country, iso3, "en", r["name"], ESCAP, "escap")  # ESCAP's names, never CLDR's
        for lang, locale in locales.items():
            yield row(TextKind.country, iso3, lang, locale.territories[alpha2[iso3]], cldr, "cldr")


def seed_reference_texts(session: Session, report: SeedReport | None = None) -> SeedReport:
    """Create or update the texts from the files and CLDR; a text an administrator set (``manual``) is kept."""
    report = report or SeedReport()
    existing = {(t.kind, t.key, t.language): t for t in session.scalars(select(ReferenceText))}
    for values in reference_text_rows():
        found = existing.get((values["kind"], values["key"], values["language"]))
        if found is None:
            found = ReferenceText(**values)
            session.add(found)
            existing[(values["kind"], values["key"], values["language"])] = found
            report.count("reference_text", created=True)
        elif not found.manual and _apply(found, values):
            report.count("reference_text", created=False)
    session.flush()
    return report
