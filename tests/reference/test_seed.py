"""Reference texts seeded from app/reference/translations and CLDR: counts per language match the files, country
names from CLDR in zh/fr/ru with ESCAP's English kept, idempotent, and an administrator's text kept by later seeds."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from babel import Locale
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.backup.service import dump
from app.catalog.models import ReferenceText, TextKind, TextStatus
from app.seed import reference_text_rows, seed_reference_data, seed_reference_texts

REFERENCE = Path(__file__).resolve().parents[2] / "app" / "reference"
TRANSLATIONS = REFERENCE / "translations"


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _counts(session: Session, kind: TextKind) -> Counter[str]:
    rows = session.execute(
        select(ReferenceText.language, func.count()).where(ReferenceText.kind == kind).group_by(ReferenceText.language)
    )
    return Counter({language: n for language, n in rows})


def test_objective_texts_per_language_match_the_files(session: Session) -> None:
    rows = _csv(TRANSLATIONS / "gcm_objectives.csv")
    titles = Counter(r["lang"] for r in rows if r["title"])
    shorts = Counter(r["lang"] for r in rows if r["short_title"])
    assert _counts(session, TextKind.objective) == {"en": 23, **titles}
    assert _counts(session, TextKind.objective_short) == {"en": 23, **shorts}
    assert titles == {"fr": 21, "ru": 1} and shorts == {"fr": 23, "ru": 11}  # the README's coverage


def test_principles_and_terms_per_language_match_the_files(session: Session) -> None:
    principles = Counter(r["lang"] for r in _csv(TRANSLATIONS / "gcm_guiding_principles.csv"))
    assert _counts(session, TextKind.guiding_principle) == {"en": 10, **principles}
    terms = Counter(r["lang"] for r in _csv(TRANSLATIONS / "terms.csv"))
    keys = _csv(TRANSLATIONS / "term_keys.csv")
    assert {r["term_en"] for r in _csv(TRANSLATIONS / "terms.csv")} <= {k["term_en"] for k in keys}
    assert _counts(session, TextKind.term) == {"en": len(keys), **terms}
    assert _counts(session, TextKind.subregion) == {"en": 5}
    assert _counts(session, TextKind.round_table) == {"en": 4}


def test_every_source_and_status_of_the_files_is_kept(session: Session) -> None:
    row = session.scalar(
        select(ReferenceText).where(
            ReferenceText.kind == TextKind.objective, ReferenceText.key == "3", ReferenceText.language == "fr"
        )
    )
    assert row is not None
    assert row.status is TextStatus.reproduction
    assert row.source == "https://noscommunes.ca/documentviewer/fr/42-1/CIMM/rapport-23/page-51"
    short = session.scalar(
        select(ReferenceText).where(
            ReferenceText.kind == TextKind.objective_short, ReferenceText.key == "3", ReferenceText.language == "fr"
        )
    )
    assert short is not None and short.status is TextStatus.un_network_label
    assert short.source == "https://migrationnetwork.un.org/fr/hub?gcm_objectives=279"


def test_country_names_come_from_cldr_and_escap_english_is_kept(session: Session) -> None:
    members = _csv(REFERENCE / "escap_members.csv")
    alpha2 = {r["iso3"]: r["alpha2"] for r in _csv(TRANSLATIONS / "country_codes.csv")}
    assert len(members) == 62 and set(alpha2) == {m["iso3"] for m in members}
    texts = {
        (t.key, t.language): t for t in session.scalars(select(ReferenceText).where(ReferenceText.kind == "country"))
    }
    for member in members:
        english = texts[(member["iso3"], "en")]
        assert english.text == member["name"] and english.status is TextStatus.escap
        for lang in ("zh", "fr", "ru"):
            text = texts[(member["iso3"], lang)]
            assert text.text == Locale.parse(lang).territories[alpha2[member["iso3"]]]
            assert text.status is TextStatus.cldr and text.source.startswith("CLDR ")
    assert texts[("VNM", "en")].text == "Viet Nam"  # not CLDR's "Vietnam"
    assert texts[("TUR", "en")].text == "Türkiye"
    assert texts[("VNM", "fr")].text == "Viêt Nam"
    assert texts[("CHN", "zh")].text == "中国"
    assert texts[("RUS", "ru")].text == "Россия"


def test_seeding_again_changes_nothing(session: Session) -> None:
    assert not seed_reference_data(session).changed


def test_a_text_an_administrator_set_is_kept_by_the_seed(session: Session) -> None:
    row = session.scalar(
        select(ReferenceText).where(
            ReferenceText.kind == TextKind.country, ReferenceText.key == "VNM", ReferenceText.language == "fr"
        )
    )
    assert row is not None
    row.text, row.source, row.status, row.manual = (
        "Viet Nam",
        "https://www.un.org/fr/about-us/member-states",
        "official",
        True,
    )
    other = session.scalar(
        select(ReferenceText).where(
            ReferenceText.kind == TextKind.country, ReferenceText.key == "LAO", ReferenceText.language == "fr"
        )
    )
    assert other is not None
    other.text = "Laos (edited, not manual)"
    session.flush()
    report = seed_reference_texts(session)
    assert report.updated == {"reference_text": 1}
    session.expire_all()
    assert row.text == "Viet Nam"
    assert other.text == Locale.parse("fr").territories["LA"]


def test_gcm_dump_carries_the_texts(engine: Engine, tmp_path: Path) -> None:
    with engine.connect() as connection:  # the seeded database, outside the test's transaction (dump wants its own)
        counts = dump(connection, tmp_path / "dump.jsonl.gz")
    assert counts["reference_text"] == len(list(reference_text_rows()))
