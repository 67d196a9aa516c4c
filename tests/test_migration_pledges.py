"""Migration 5e2c9a7b1d40 turns every existing commitment into a State's pledge, with nothing lost.

A database is built at the previous head (47162e69f1ce) with a value in every field the old schema had (objectives,
principles, progress updates, a matched pledge, the form, the scope's text, the partners), upgraded, and every value
is looked for where the new schema keeps it (the single form becomes the pledge's one form). The search index still
follows edits (SQLite's batch rebuild of the table keeps its triggers). Downgrading keeps a State's pledge's first
form and refuses while organisations' pledges exist.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, Table, insert, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.commitments import queries
from app.commitments.models import CommitmentForm, CommitmentStatus, PledgeType
from app.db import create_db_engine
from app.migrate import downgrade, upgrade
from app.seed import seed_reference_data
from tests.databases import throwaway_database

PREVIOUS = "47162e69f1ce"
REVISION = "5e2c9a7b1d40"


def _tables(engine: Engine) -> dict[str, Table]:
    meta = MetaData()
    meta.reflect(engine)
    return dict(meta.tables)


def _old_data(engine: Engine) -> dict[str, Any]:
    """Two commitments (one matching the other) with every old column filled, and their links."""
    with Session(engine) as session:
        seed_reference_data(session, texts=False, indicators=False)
        session.commit()
    t = _tables(engine)
    with engine.begin() as conn:
        country = conn.scalar(select(t["country"].c.id).where(t["country"].c.iso3 == "PHL"))
        other = conn.scalar(select(t["country"].c.id).where(t["country"].c.iso3 == "THA"))
        objectives = dict(conn.execute(select(t["objective"].c.number, t["objective"].c.id)).all())
        principles = dict(conn.execute(select(t["principle"].c.code, t["principle"].c.id)).all())
        user = conn.execute(
            insert(t["user_account"]).returning(t["user_account"].c.id),
            {"email": "fp@example.org", "name": "FP", "role": "focal_point", "country_id": country},
        ).scalar_one()
        common = {"timeframe_start": date(2025, 1, 1), "timeframe_end": date(2027, 12, 31)}
        first = conn.execute(
            insert(t["commitment"]).returning(t["commitment"].c.id),
            {"reference": "THA-2024-001", "country_id": other, "title": "Matched", "description": "M" * 320,
             "form": "financial", "pledge_type": "partnership", "partners": "IOM and ILO", "scope": "Regional",
             "status": "in_progress", **common},
        ).scalar_one()  # fmt: skip
        pledge = conn.execute(
            insert(t["commitment"]).returning(t["commitment"].c.id),
            {"reference": "PHL-2025-001", "country_id": country, "title": "Old pledge", "description": "Short.",
             "form": "process", "pledge_type": "matching", "partners": "", "matched_commitment_id": first,
             "scope": "National, starting in five provinces", "status": "fulfilled", **common},
        ).scalar_one()  # fmt: skip
        for number in (3, 6):
            conn.execute(
                insert(t["commitment_objective"]), {"commitment_id": pledge, "objective_id": objectives[number]}
            )
        for code in ("a", "d"):
            conn.execute(insert(t["commitment_principle"]), {"commitment_id": pledge, "principle_id": principles[code]})
        conn.execute(
            insert(t["commitment_update"]),
            [
                {"commitment_id": pledge, "reported_on": date(2025, 6, 1), "status": "in_progress",
                 "progress": "Two centres open.", "author_id": user},
                {"commitment_id": pledge, "reported_on": date(2026, 1, 15), "status": "fulfilled",
                 "progress": "Five centres open.", "author_id": user},
            ],
        )  # fmt: skip
    return {"pledge": pledge, "first": first, "country": country, "other": other}


def test_every_old_value_is_found_in_the_state_pledge(backend: str, tmp_path: Path) -> None:
    with throwaway_database(backend, tmp_path) as url:
        upgrade(PREVIOUS, database_url=url)
        engine = create_db_engine(url)
        try:
            ids = _old_data(engine)
            upgrade(REVISION, database_url=url)
            with Session(engine) as session:
                pledge = queries.get_commitment(session, ids["pledge"])
                assert pledge is not None
                assert pledge.country_id == ids["country"] and pledge.organisation_id is None
                assert pledge.entity_type == "state"
                assert (pledge.reference, pledge.title, pledge.description) == ("PHL-2025-001", "Old pledge", "Short.")
                assert pledge.forms == [CommitmentForm.process]
                assert pledge.pledge_type is PledgeType.matching and pledge.status is CommitmentStatus.fulfilled
                assert pledge.matched_commitment is not None and pledge.matched_commitment.reference == "THA-2024-001"
                assert pledge.external_pledge_id is None
                assert pledge.scope == "National, starting in five provinces" and pledge.scope_level is None
                assert (pledge.timeframe_start, pledge.timeframe_end) == (date(2025, 1, 1), date(2027, 12, 31))
                assert [o.number for o in pledge.objectives] == [3, 6] and pledge.main_objectives == []
                assert [p.code for p in pledge.principles] == ["a", "d"]
                assert [(u.reported_on, u.progress) for u in pledge.updates] == [
                    (date(2025, 6, 1), "Two centres open."),
                    (date(2026, 1, 15), "Five centres open."),
                ]
                assert pledge.champion is False and pledge.contact_email == "" and pledge.attachment is None
                first = queries.get_commitment(session, ids["first"])
                assert first is not None and first.forms == [CommitmentForm.financial]
                assert first.partners == "IOM and ILO" and first.scope == "Regional"
                assert pledge.implementation_countries == [] and first.partner_countries == []
            with engine.begin() as conn:  # the search index still follows the table
                conn.execute(text("UPDATE commitment SET title = 'Quokkas' WHERE id = :id"), {"id": ids["pledge"]})
                if backend == "sqlite":
                    hits = conn.scalar(text("SELECT count(*) FROM search_index WHERE search_index MATCH 'quokkas'"))
                else:
                    hits = conn.scalar(
                        text(
                            "SELECT count(*) FROM commitment WHERE fts_pledge @@ plainto_tsquery('english', 'quokkas')"
                        )
                    )
                assert hits == 1
            downgrade(PREVIOUS, database_url=url)
            t = _tables(engine)
            with engine.begin() as conn:
                forms = dict(conn.execute(select(t["commitment"].c.id, t["commitment"].c.form)).all())
            assert forms == {ids["pledge"]: "process", ids["first"]: "financial"}
        finally:
            engine.dispose()


def test_downgrade_is_refused_while_organisations_have_pledges(backend: str, tmp_path: Path) -> None:
    with throwaway_database(backend, tmp_path) as url:
        upgrade(REVISION, database_url=url)
        engine = create_db_engine(url)
        try:
            with Session(engine) as session:
                seed_reference_data(session, texts=False, indicators=False)
                session.commit()
            t = _tables(engine)
            with engine.begin() as conn:
                organisation = conn.execute(
                    insert(t["organisation"]).returning(t["organisation"].c.id), {"name": "Org", "type": "academia"}
                ).scalar_one()
                conn.execute(
                    insert(t["commitment"]),
                    {"reference": f"ORG{organisation}-2026-001", "organisation_id": organisation, "title": "T",
                     "description": "D", "pledge_type": "individual", "status": "pledged"},
                )  # fmt: skip
            with pytest.raises(RuntimeError, match="Organisations' pledges exist"):
                downgrade(PREVIOUS, database_url=url)
        finally:
            engine.dispose()
