"""Migration 4b8e1d2c6a10 moves every answer of the old columns into ``answer`` rows, without loss.

A database is built at the previous head (3a73cc7f9a70) with a value in every field the old schema had, upgraded,
and every value is looked for where the default questionnaire now keeps it. Downgrading past it is refused.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, Table, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.db import create_db_engine
from app.migrate import downgrade, upgrade
from app.questionnaires.service import definition_for
from app.seed import seed_reference_data
from app.submissions import queries, service
from app.submissions.models import AnswerChoice, ObjectiveReport, ReportingChoice
from tests.databases import throwaway_database

PREVIOUS = "3a73cc7f9a70"
TEXTS = ("narrative", "laws_and_policies", "good_practices", "challenges", "partners")
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _tables(engine: Engine) -> dict[str, Table]:
    meta = MetaData()
    meta.reflect(engine)
    return dict(meta.tables)


def _old_data(engine: Engine) -> dict[str, Any]:
    """Rows in every old answer column, written with the old schema's own tables."""
    with Session(engine) as session:
        seed_reference_data(
            session, texts=False, indicators=False
        )  # countries, objectives, principles: untouched by the migration
        session.commit()
    t = _tables(engine)
    with engine.begin() as conn:
        country = conn.scalar(select(t["country"].c.id).where(t["country"].c.iso3 == "PHL"))
        objectives = dict(conn.execute(select(t["objective"].c.number, t["objective"].c.id)).all())
        principles = dict(conn.execute(select(t["principle"].c.code, t["principle"].c.id)).all())
        user = conn.execute(
            insert(t["user_account"]).returning(t["user_account"].c.id),
            {"email": "fp@example.org", "name": "FP", "role": "focal_point", "country_id": country},
        ).scalar_one()
        cycle = conn.execute(
            insert(t["review_cycle"]).returning(t["review_cycle"].c.id),
            {"name": "2024-2025", "opens_on": date(2026, 1, 1), "deadline": date(2026, 6, 1),
             "closes_on": date(2026, 12, 31), "status": "open"},
        ).scalar_one()  # fmt: skip
        pledge = conn.execute(
            insert(t["commitment"]).returning(t["commitment"].c.id),
            {"reference": "PHL-2026-001", "country_id": country, "title": "Pledge", "description": "D",
             "form": "process", "pledge_type": "individual", "status": "pledged"},
        ).scalar_one()  # fmt: skip
        submission = conn.execute(
            insert(t["submission"]).returning(t["submission"].c.id),
            {"country_id": country, "review_cycle_id": cycle, "status": "submitted"},
        ).scalar_one()
        for key in ("preparation", "policy_environment", "means_of_implementation", "next_steps"):
            conn.execute(
                insert(t["submission_section"]),
                {"submission_id": submission, "key": key, "body": f"Text of {key}.", "updated_by_id": user,
                 "updated_at": NOW},
            )  # fmt: skip
        reported = {"reporting": "reported", "progress_rating": "advanced", "not_reported_reason": ""}
        reported |= {name: f"{name} of objective 1" for name in TEXTS}
        not_reported = {"reporting": "not_reported", "not_reported_reason": "Not a priority this cycle."}
        report_ids = {}
        for number, values in ((1, reported), (2, not_reported), (3, {"reporting": "reported"})):
            row = {"submission_id": submission, "objective_id": objectives[number], "updated_by_id": user} | values
            report_ids[number] = conn.execute(
                insert(t["objective_report"]).returning(t["objective_report"].c.id), row
            ).scalar_one()
        conn.execute(
            insert(t["objective_report_principle"]),
            [{"objective_report_id": report_ids[1], "principle_id": principles[c]} for c in ("c", "a")],
        )
        conn.execute(
            insert(t["objective_report_commitment"]), {"objective_report_id": report_ids[1], "commitment_id": pledge}
        )
        decision = conn.execute(
            insert(t["review_decision"]).returning(t["review_decision"].c.id),
            {"submission_id": submission, "kind": "request_changes", "parts": ["section:preparation", "objective:1"],
             "decided_at": NOW},
        ).scalar_one()  # fmt: skip
        conn.execute(
            insert(t["review_snapshot"]),
            [
                {"decision_id": decision, "part": "section:preparation", "texts": {"body": "Earlier text."}},
                {"decision_id": decision, "part": "objective:1", "texts": {"progress_rating": "initial",
                 "reporting": "reported", "narrative": "Earlier narrative."}},
            ],
        )  # fmt: skip
    return {"submission": submission, "cycle": cycle}


def test_every_old_value_is_found_in_its_answer(backend: str, tmp_path: Path) -> None:
    with throwaway_database(backend, tmp_path) as url:
        upgrade(PREVIOUS, database_url=url)
        engine = create_db_engine(url)
        try:
            ids = _old_data(engine)
            upgrade("head", database_url=url)
            with Session(engine) as session:
                submission = queries.get_submission(session, ids["submission"])
                assert submission is not None
                for key in ("preparation", "policy_environment", "means_of_implementation", "next_steps"):
                    assert service.part_values(submission, f"section:{key}") == {key: f"Text of {key}."}
                first = service.part_values(submission, "objective:1")
                assert first == {
                    "reporting": "reported",
                    "progress_rating": 4,  # "advanced", the 4th step of the scale
                    **{name: f"{name} of objective 1" for name in TEXTS},
                    "principles": ["a", "c"],
                    "commitments": ["PHL-2026-001"],
                }
                assert service.part_values(submission, "objective:2") == {
                    "reporting": "not_reported",
                    "not_reported_reason": "Not a priority this cycle.",
                }
                assert service.part_values(submission, "objective:3") == {"reporting": "reported"}
                assert service.part_values(submission, "objective:4") == {}  # never reported: no row, no answer
                reports = {r.objective.number: r for r in submission.objective_reports}
                assert reports[1].rating == 4 and reports[1].reporting is ReportingChoice.reported
                assert reports[2].reporting is ReportingChoice.not_reported and reports[2].rating is None
                assert all(r.updated_by_id is not None for r in submission.objective_reports)
                chosen = set(session.scalars(select(AnswerChoice.value)))
                assert {"a", "c", "4", "PHL-2026-001", "reported", "not_reported"} <= chosen
                # The questionnaire the answers are read with says the same as the old forms did.
                definition = definition_for(session, submission.review_cycle)
                reporting = definition.question("objective:1", "reporting")
                rating = definition.question("objective:1", "progress_rating")
                assert reporting is not None and reporting.default == "reported"
                assert rating is not None and rating.required
                # "Changed since my last review" compares with the texts the reviewer saw, keyed as answers now.
                changes = {k: {c.field: (c.before, c.after) for c in v} for k, v in _changes(session, submission)}
                assert changes["section:preparation"] == {"preparation": ("Earlier text.", "Text of preparation.")}
                assert changes["objective:1"]["progress_rating"] == ("2. Initial steps", "4. Advanced")
                assert changes["objective:1"]["narrative"] == ("Earlier narrative.", "narrative of objective 1")
                assert "reporting" not in changes["objective:1"]
                assert session.scalar(select(ObjectiveReport.id).where(ObjectiveReport.rating == 4)) == reports[1].id
        finally:
            engine.dispose()


def _changes(session: Session, submission: Any) -> list[tuple[str, Any]]:
    from app.submissions.changes import changes_since_review

    return list(changes_since_review(session, submission).items())


def test_downgrade_past_it_is_refused_with_a_clear_message(backend: str, tmp_path: Path) -> None:
    with throwaway_database(backend, tmp_path) as url:
        upgrade("head", database_url=url)
        with pytest.raises(RuntimeError, match="Restore the backup taken before the upgrade"):
            downgrade(PREVIOUS, database_url=url)
