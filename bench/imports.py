"""Import speed: a generated 100,000-row values CSV imported into fresh SQLite and PostgreSQL databases.

    uv run python -m bench.imports [--rows 100000] [--backends sqlite postgresql]

PostgreSQL uses ``GCM_TEST_POSTGRES_URL`` (a user that may create databases), like the tests. Prints seconds and
rows/s for validation (plan) and writing, and writes bench/results/imports.json. Never run in the tests.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "imports.json"


def generate(rows: int) -> bytes:
    from app.seed import seed_reference_data  # noqa: F401  (the reference countries exist after seeding)

    isos = ["AFG", "ARM", "AUS", "AZE", "BGD", "BTN", "BRN", "KHM", "CHN", "FJI", "GEO", "IND", "IDN", "IRN",
            "JPN", "KAZ", "KIR", "KGZ", "LAO", "MYS"]  # fmt: skip
    lines = ["indicator,country,period,value,sex,age_group,source,note"]
    n = 0
    for iso in isos:
        for year in range(1970, 2026):
            for month in range(1, 13):
                for sex, age in [(s, a) for s in ("total", "female", "male") for a in ("", "15-24", "25-64", "65+")]:
                    if n >= rows:
                        break
                    value = "" if n % 50 == 0 else str(n % 9000)
                    note = "not collected" if not value else ""
                    lines.append(f"10.7.3,{iso},{year}-{month:02d},{value},{sex},{age},IOM Missing Migrants,{note}")
                    n += 1
    if n < rows:
        raise SystemExit(f"generator tops out at {n} rows")
    return ("\n".join(lines) + "\n").encode()


def run(url: str, data: bytes) -> dict[str, float]:
    from app.db import create_db_engine
    from app.imports import service
    from app.indicators.models import IndicatorValue
    from app.migrate import upgrade
    from app.seed import seed_reference_data

    upgrade("head", database_url=url)
    engine = create_db_engine(url)
    with Session(engine) as session:
        seed_reference_data(session)
        session.commit()
    with Session(engine) as session:
        start = time.perf_counter()
        plan = service.plan_values(session, data)
        planned = time.perf_counter()
        service.apply_values(session, plan, user_id=None)
        session.commit()
        done = time.perf_counter()
        count = session.scalar(select(func.count()).select_from(IndicatorValue))
        again = time.perf_counter()
        second = service.plan_values(session, data)
        again_done = time.perf_counter()
    engine.dispose()
    assert second.unchanged == count
    return {"rows": count, "validate_s": round(planned - start, 2), "write_s": round(done - planned, 2),
            "total_s": round(done - start, 2), "rows_per_s": round(count / (done - start)),
            "reimport_validate_s": round(again_done - again, 2)}  # fmt: skip


def main() -> None:
    import os

    os.environ.setdefault("GCM_ENV", "test")
    from app import models  # noqa: F401
    from tests.databases import throwaway_database

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    data = generate(args.rows)
    results = {"rows": args.rows, "machine": platform.platform(), "cpus": os.cpu_count(), "backends": {}}
    for backend in args.backends:
        with tempfile.TemporaryDirectory() as tmp, throwaway_database(backend, Path(tmp)) as url:
            figures = run(url, data)
        results["backends"][backend] = figures
        print(f"{backend:<11} {figures['total_s']:>6} s  {figures['rows_per_s']:>8} rows/s  {figures}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
