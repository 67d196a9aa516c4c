"""Export benchmark: time and the service's peak memory while each export format streams, at two data sizes.

    uv run python -m bench.exports [--scales 1 10] [--backends sqlite postgresql]

Part of ``python -m bench`` (which builds one database per backend and scale and reuses it for every part); this
command runs the exports alone. For each size it builds a throwaway database (tests/databases.py: a SQLite file, or a
PostgreSQL database created on ``GCM_TEST_POSTGRES_URL`` and dropped afterwards: migrations, reference data,
``create_demo_data(scale=N)``), starts the service with uvicorn on 127.0.0.1 (bench/harness.py), signs in as the demo
secretariat (who may export everything) and downloads every format, each from a freshly started service, so the peak
RSS (VmHWM in /proc/<pid>/status, also reset through /proc/<pid>/clear_refs before the download) is that export's
alone. Flat memory means the peak hardly grows while the rows grow twentyfold.
Figures are printed and written to bench/results/exports.json. Never run in the tests (no timed assertions).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import platform
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.harness import CSRF_FIELD, ROOT, serve

RESULTS = ROOT / "bench" / "results" / "exports.json"
PASSWORD = "gcm-demo-2026"  # noqa: S105 - the demo accounts' published password (app/demo.py)
EXPORTS = [
    ("csv objective_reports", {"format": "csv", "dataset": "objective_reports"}),  # a subquery per question
    ("csv answers", {"format": "csv", "dataset": "answers"}),  # one row per answer, in questionnaire order
    ("csv indicator_values", {"format": "csv", "dataset": "indicator_values"}),
    ("json all datasets", {"format": "json"}),
    ("xlsx all datasets", {"format": "xlsx"}),
]


def build_database(url: str, scale: int) -> dict[str, int]:
    from app.db import create_db_engine
    from app.demo import create_demo_data
    from app.indicators.models import IndicatorValue
    from app.migrate import upgrade
    from app.seed import seed_reference_data
    from app.submissions.models import Answer, ObjectiveReport, Submission

    upgrade("head", database_url=url)
    engine = create_db_engine(url)
    with Session(engine) as session:
        seed_reference_data(session)
        create_demo_data(session, scale=scale)
        session.commit()
        counts = {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Submission, ObjectiveReport, Answer, IndicatorValue)
        }
    engine.dispose()
    return counts


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def _reset_peak(pid: int) -> bool:
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def signed_in_opener(url: str, email: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(url + "/login").read().decode()
    csrf = CSRF_FIELD.search(page).group(1)  # type: ignore[union-attr]
    data = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": csrf}).encode()
    opener.open(url + "/login", data=data).read()
    if not any(c.name == "gcm_session" for c in jar):
        raise RuntimeError("sign-in failed")
    return opener


def measure(opener: urllib.request.OpenerDirector, url: str, pid: int, params: dict[str, str]) -> dict[str, object]:
    opener.open(url + "/exports").read()  # warm up: templates, imports
    reset = _reset_peak(pid)
    before = _status_kb(pid, "VmHWM")
    started = time.perf_counter()
    first_byte = None
    size = 0
    with opener.open(url + "/exports/download?" + urllib.parse.urlencode(params), timeout=600) as response:
        while chunk := response.read1(64 * 1024):  # whatever has arrived: the first byte is the first chunk
            if first_byte is None:
                first_byte = time.perf_counter() - started
            size += len(chunk)
    elapsed = time.perf_counter() - started
    return {
        "seconds": round(elapsed, 2),
        "first_byte_seconds": round(first_byte or elapsed, 2),
        "megabytes": round(size / 1e6, 2),
        "peak_rss_mb": round(_status_kb(pid, "VmHWM") / 1024, 1),
        "rss_before_mb": round(before / 1024, 1),
        "peak_reset": reset,
    }


def run_exports(database_url: str, exports: list[tuple[str, dict[str, str]]] = EXPORTS) -> dict[str, dict[str, object]]:
    """Download each export from a freshly started service (so the peak RSS is that export's alone)."""
    figures: dict[str, dict[str, object]] = {}
    for name, params in exports:
        with serve(database_url) as (url, process):
            opener = signed_in_opener(url, "secretariat@demo.gcm.example")
            figures[name] = measure(opener, url, process.pid, params)
    return figures


def main() -> None:
    os.environ.setdefault("GCM_ENV", "test")
    from tests.databases import throwaway_database

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--backends", nargs="+", default=["sqlite"], choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    results: dict[str, object] = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count()}, "runs": []}
    for backend in args.backends:
        for scale in args.scales:
            with tempfile.TemporaryDirectory(prefix="gcm-bench-") as tmp, throwaway_database(backend, Path(tmp)) as url:
                print(f"building the demo database at scale {scale} ({backend}) ...", flush=True)
                counts = build_database(url, scale)
                print(f"  rows: {counts}", flush=True)
                figures = run_exports(url)
            for name, f in figures.items():
                print(
                    f"  {name:24} {f['seconds']:7.2f} s  {f['megabytes']:8.2f} MB"
                    f"  peak RSS {f['peak_rss_mb']:7.1f} MB (idle {f['rss_before_mb']:.1f} MB)",
                    flush=True,
                )
            results["runs"].append({"backend": backend, "scale": scale, "rows": counts, "exports": figures})  # type: ignore[attr-defined]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
