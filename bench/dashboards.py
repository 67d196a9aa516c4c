"""Dashboard benchmark: each dashboard page and the aggregate API beside /healthz, at two data sizes.

    uv run python -m bench.dashboards [--scales 1 10] [--concurrency 4] [--requests 100] [--reuse DIR]

For each scale: a fresh SQLite database (migrations, reference data, ``gcm demo --scale N``; the build time is
reported), the service under uvicorn on 127.0.0.1, the demo secretariat signed in (who sees everything: the largest
pages), an API token for the aggregate. Prints p50/p95 latency, requests per second, SQL queries per request (from
the opt-in Server-Timing header) and the service's peak RSS; writes bench/results/dashboards.json.
Goals: at the largest scale each page's p50 ≤ 1.5 × its p50 at scale 1, and p95 < 20 × /healthz's p95.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from bench.harness import ROOT, as_dict, build_database, measure, peak_rss_kb, serve, sign_in

RESULTS = ROOT / "bench" / "results" / "dashboards.json"
PASSWORD = "gcm-demo-2026"  # noqa: S105 - the demo accounts' published password (app/demo.py)
PAGES = [
    "/healthz",
    "/dashboards",
    "/dashboards?subregion=5&round_table=2&principle=c",
    "/dashboards/indicators?indicator=UNDESA.MIGSTOCK",
    "/dashboards/indicators?indicator=10.7.1&sex=female",
    "/dashboards/objectives/5",
    "/dashboards/countries/THA",
    "/search?q=workers+training",
    "/api/v1/indicators/UNDESA.MIGSTOCK/aggregate?period=2020",
]


def _token(url: str) -> str:
    from sqlalchemy import select

    from app.auth import service as auth_service
    from app.auth.models import User
    from app.db import create_db_engine

    engine = create_db_engine(url)
    with Session(engine) as session:
        user = session.scalars(select(User).where(User.email == "secretariat@demo.gcm.example")).one()
        token = auth_service.create_token(session, user=user).token
        session.commit()
    engine.dispose()
    return token


def run_scale(scale: int, directory: Path, *, concurrency: int, requests: int, reuse: bool) -> dict[str, object]:
    path = directory / f"dashboards-scale{scale}.sqlite3"
    url = f"sqlite:///{path}"
    build_seconds = None
    if not (reuse and path.exists()):
        for leftover in directory.glob(f"dashboards-scale{scale}.sqlite3*"):
            leftover.unlink()
        build_seconds = round(build_database(url, scale), 1)
    token = _token(url)
    with serve(url) as (base, process):
        cookie = sign_in(base, "secretariat@demo.gcm.example", PASSWORD)
        headers = {**cookie, "Authorization": f"Bearer {token}"}
        results = measure(base, PAGES, concurrency=concurrency, requests=requests, headers=headers)
        rss = peak_rss_kb(process.pid)
    return {"scale": scale, "build_seconds": build_seconds, "peak_rss_kb": rss, "pages": [as_dict(r) for r in results]}


def report(runs: list[dict[str, object]]) -> list[str]:
    lines = []
    base = {p["path"]: p for p in runs[0]["pages"]}  # type: ignore[index]
    for run in runs:
        build = f", demo built in {run['build_seconds']} s" if run["build_seconds"] is not None else ""
        lines.append(f"\nscale {run['scale']} (peak RSS {int(run['peak_rss_kb']) // 1024} MiB{build})")  # type: ignore[call-overload]
        lines.append(f"{'path':<60} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>7} {'queries':>7} {'err':>4} {'p50/base':>8}")
        pages = run["pages"]  # type: ignore[index]
        healthz = next(p for p in pages if p["path"] == "/healthz")
        for p in pages:
            ratio = p["p50_ms"] / base[p["path"]]["p50_ms"] if base[p["path"]]["p50_ms"] else 0
            q = "" if p["queries_per_request"] is None else p["queries_per_request"]
            lines.append(
                f"{p['path']:<60} {p['p50_ms']:>8} {p['p95_ms']:>8} {p['rps']:>7} {q:>7} {p['errors']:>4} {ratio:>8.2f}"
            )
        worst = max(p["p95_ms"] / healthz["p95_ms"] for p in pages)
        lines.append(f"worst p95 / healthz p95: {worst:.1f}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--reuse", type=Path, help="a directory whose databases are reused if present")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gcm-bench-") as tmp:
        directory = args.reuse or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        runs = [
            run_scale(s, directory, concurrency=args.concurrency, requests=args.requests, reuse=args.reuse is not None)
            for s in args.scales
        ]
    print("\n".join(report(runs)))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    meta = {"machine": platform.platform(), "python": platform.python_version(), "cpus": __import__("os").cpu_count()}
    RESULTS.write_text(json.dumps({"meta": meta, "runs": runs}, indent=2) + "\n")
    print(f"\nwritten: {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
