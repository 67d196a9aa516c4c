"""Every benchmark in one command: dashboards, the API, the form save, exports and the import, per backend and scale.

    uv run python -m bench [--scales 1 10] [--backends sqlite postgresql] [--quick] [--concurrency 4] [--requests 100]
                           [--parts dashboards uncached api form exports import] [--import-rows 100000]
                           [--output latest]
    uv run python -m bench --report bench/results/latest.json    # only rewrite the Markdown from the JSON

For each backend and scale: one throwaway database (tests/databases.py: a SQLite file, or a PostgreSQL database
created on ``GCM_TEST_POSTGRES_URL`` and dropped afterwards) built once with migrations, reference data and
``gcm demo --scale N``, then reused by every part:

- dashboards: each dashboard page (and /healthz, /search) as the demo secretariat, ``--requests`` requests from
  ``--concurrency`` threads against uvicorn on 127.0.0.1 (bench/dashboards.py);
- uncached: the same pages from a second service started with ``GCM_RESULT_CACHE=false``, so that every request
  computes its figures (the dashboards part shows what users get: repeated views come from the result cache);
- api: /api/v1/commitments, /api/v1/indicators/{code}/values and /aggregate with a bearer token, same load;
- form: a demo focal point autosaving objective reports of their draft review, one report per thread (bench/forms.py);
- exports: each streamed export from a freshly started service: seconds, size and the service's peak RSS
  (bench/exports.py);
- slowlink: the first view of the overview, an objective form and the review queue in Chromium on an emulated
  400 kbit/s, 400 ms link, with the service's compression off (before) and on (bench/slowlink.py).

The page parts share one service; its peak RSS is reported with them. Per backend (not per scale, it needs an empty
database): import: a generated 100,000-row values CSV validated and written, then a zip bomb and million-row files
uploaded to a served instance and timed until refused (bench/imports.py).
Writes bench/results/latest.json and bench/results/latest.md (one table, rows = backend/scale/part/path, then
issue 5's dashboard goals checked). Never run by the tests.
``--quick``: a smoke run (scale 1, SQLite, 20 requests, one export, 10,000 import rows).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.harness import ROOT, as_dict, build_database, measure, peak_rss_kb, serve, sign_in

RESULTS = ROOT / "bench" / "results"
PARTS = ["dashboards", "uncached", "api", "form", "exports", "import", "slowlink"]
API = [
    "/api/v1/commitments?limit=100",
    "/api/v1/indicators/UNDESA.MIGSTOCK/values?limit=100",
    "/api/v1/indicators/UNDESA.MIGSTOCK/aggregate?period=2020",
]


def _counts(url: str) -> dict[str, int]:
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from app.db import create_db_engine
    from app.indicators.models import IndicatorValue
    from app.submissions.models import ObjectiveReport, Submission

    engine = create_db_engine(url)
    with Session(engine) as session:
        counts = {
            m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0
            for m in (Submission, ObjectiveReport, IndicatorValue)
        }
    engine.dispose()
    return counts


def run_database(url: str, parts: list[str], *, concurrency: int, requests: int, quick: bool) -> dict[str, object]:
    from bench import dashboards, exports, forms

    run: dict[str, object] = {"rows": _counts(url), "rows_out": []}
    rows: list[dict[str, object]] = run["rows_out"]  # type: ignore[assignment]
    if {"dashboards", "api", "form"} & set(parts):
        token = dashboards._token(url)
        with serve(url) as (base, process):
            cookie = sign_in(base, "secretariat@demo.gcm.example", dashboards.PASSWORD)
            load = {"concurrency": concurrency, "requests": requests}
            if "dashboards" in parts:
                pages = [p for p in dashboards.PAGES if not p.startswith("/api/")]
                for r in measure(base, pages, headers=cookie, **load):
                    rows.append({"part": "dashboards", **as_dict(r)})
            if "api" in parts:
                for r in measure(base, API, headers={"Authorization": f"Bearer {token}"}, **load):
                    rows.append({"part": "api", **as_dict(r)})
            if "form" in parts:
                result, conflicts = forms.measure_saves(base, url, **load)
                rows.append({"part": "form", **as_dict(result), "conflicts": conflicts})
            rss = peak_rss_kb(process.pid)
        for row in rows:
            row["peak_rss_mb"] = round(rss / 1024, 1)
    if "uncached" in parts:  # the same pages from a service without the result cache: every request computes
        with serve(url, GCM_RESULT_CACHE="false") as (base, process):
            cookie = sign_in(base, "secretariat@demo.gcm.example", dashboards.PASSWORD)
            pages = [p for p in dashboards.PAGES if not p.startswith("/api/")]
            measured = [
                {"part": "uncached", **as_dict(r)}
                for r in measure(base, pages, headers=cookie, concurrency=concurrency, requests=requests)
            ]
            rss = peak_rss_kb(process.pid)
        for row in measured:
            row["peak_rss_mb"] = round(rss / 1024, 1)
        rows.extend(measured)
    if "slowlink" in parts:  # Chromium on an emulated 400 kbit/s, 400 ms link: compression off, then on
        from bench import slowlink

        rows.extend(slowlink.run(url, repeat=1 if quick else 3))
    if "exports" in parts:
        chosen = exports.EXPORTS[:1] if quick else exports.EXPORTS
        for name, figures in exports.run_exports(url, chosen).items():
            rows.append({"part": "exports", "path": name, **figures})
    return run


def run_import(backend: str, rows: int) -> list[dict[str, object]]:
    """The import of ``rows`` rows, then the hostile uploads refused by a served instance (bench/imports.py)."""
    from bench import imports
    from tests.databases import throwaway_database

    data = imports.generate(rows)
    with tempfile.TemporaryDirectory(prefix="gcm-bench-") as tmp, throwaway_database(backend, Path(tmp)) as url:
        out = [{"part": "import", "path": f"{rows:,} values rows (CSV)", **imports.run(url, data)}]
    with tempfile.TemporaryDirectory(prefix="gcm-bench-") as tmp, throwaway_database(backend, Path(tmp)) as url:
        out.extend(imports.run_refusals(url))
    return out


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def markdown(result: dict[str, object]) -> str:
    head = "| backend | scale | part | path | p50 ms | p95 ms | req/s | queries/req | errors | peak RSS MiB | notes |"
    lines = [head, "| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for run in result["runs"]:  # type: ignore[attr-defined]
        for row in run["rows_out"]:
            notes = ""
            if row["part"] == "exports":
                p50, p95, rps, queries, errors = round(row["seconds"] * 1000), None, None, None, None
                notes = f"{row['megabytes']} MB, first byte {row['first_byte_seconds']} s"
                rss = row["peak_rss_mb"]
            elif row["part"] == "import" and "status" in row:  # a hostile upload: time to its refusal
                p50, p95, rps, queries, errors = round(row["seconds"] * 1000), None, None, None, None
                notes, rss = f"{row['status']}: {row['message']}", row["peak_rss_mb"]
            elif row["part"] == "slowlink":  # first view = first contentful paint; before = compression off
                p50, p95, rps, queries, errors, rss = (
                    round(float(row["first_paint_s"]) * 1000),
                    None,
                    None,
                    None,
                    None,
                    None,
                )
                notes = (
                    f"first view {row['first_paint_s']} s (before {row['before_first_paint_s']} s), loaded"
                    f" {row['first_view_s']} s (before {row['before_first_view_s']} s), {row['kb']} KB"
                    f" (before {row['before_kb']} KB), repeat view {row['repeat_view_s']} s"
                )
            elif row["part"] == "import":
                p50, p95, rps, queries, errors, rss = None, None, None, None, None, None
                notes = (
                    f"{row['total_s']} s ({row['rows_per_s']:,} rows/s: validate {row['validate_s']} s,"
                    f" write {row['write_s']} s; re-import check {row['reimport_validate_s']} s)"
                )
            else:
                p50, p95, rps = row["p50_ms"], row["p95_ms"], row["rps"]
                queries, errors, rss = row["queries_per_request"], row["errors"], row["peak_rss_mb"]
                if "conflicts" in row:
                    notes = f"{row['conflicts']} edit conflicts (409)"
            scale = "" if run["scale"] is None else run["scale"]
            cells = [run["backend"], scale, row["part"], f"`{row['path']}`", p50, p95, rps, queries, errors, rss, notes]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def goals(result: dict[str, object]) -> str:
    """Issue 5's dashboard goals per backend: p50 at the largest scale ≤ 1.5 × at the smallest, p95 < 20 × /healthz."""
    runs = [r for r in result["runs"] if r["scale"] is not None]  # type: ignore[attr-defined]
    lines = []
    for backend in dict.fromkeys(r["backend"] for r in runs):
        mine = sorted((r for r in runs if r["backend"] == backend), key=lambda r: r["scale"])
        small, large = mine[0], mine[-1]
        if small is large:
            continue
        for part, label in (("dashboards", "as served"), ("uncached", "without the result cache")):
            pages = {row["path"]: row for row in small["rows_out"] if row["part"] == part}
            big = {row["path"]: row for row in large["rows_out"] if row["part"] == part}
            healthz = big.get("/healthz")
            if not healthz:
                continue
            lines.append(f"\n{backend}, {label}: scale {large['scale']} against scale {small['scale']}\n")
            lines.append("| path | p50 ×large / ×small (goal ≤ 1.5) | p95 / /healthz p95 (goal < 20) |")
            lines.append("| --- | ---: | ---: |")
            for path, row in big.items():
                if path == "/healthz" or path not in pages:
                    continue
                ratio = row["p50_ms"] / pages[path]["p50_ms"]
                times = row["p95_ms"] / healthz["p95_ms"]
                ok_ratio, ok_times = "" if ratio <= 1.5 else " ✗", "" if times < 20 else " ✗"
                lines.append(f"| `{path}` | {ratio:.2f}{ok_ratio} | {times:.1f}{ok_times} |")
    return "\n".join(lines) + "\n" if lines else ""


def write(result: dict[str, object], name: str) -> None:
    settings = result["settings"]  # type: ignore[index]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / f"{name}.md").write_text(
        f"Run of {result['started']} ({result['wall_seconds']} s wall, {result['machine']['cpus']} CPUs,"  # type: ignore[index]
        f" {settings['concurrency']} concurrent clients, {settings['requests']} requests per path)\n\n"
        + markdown(result)
        + goals(result)
    )
    print((RESULTS / f"{name}.md").read_text())
    print(f"written: bench/results/{name}.json and .md")


def main() -> None:
    os.environ.setdefault("GCM_ENV", "test")
    from tests.databases import throwaway_database

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+")
    parser.add_argument("--backends", nargs="+", choices=["sqlite", "postgresql"])
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=PARTS)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--requests", type=int)
    parser.add_argument("--import-rows", type=int)
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--output", default="latest", help="result file name in bench/results (.json, .md)")
    parser.add_argument("--report", type=Path, metavar="JSON", help="only rewrite the Markdown of an earlier run")
    args = parser.parse_args()
    if args.report:
        write(json.loads(args.report.read_text()), args.report.stem)
        return
    scales = args.scales or ([1] if args.quick else [1, 10])
    backends = args.backends or (["sqlite"] if args.quick else ["sqlite", "postgresql"])
    requests = args.requests or (20 if args.quick else 100)
    import_rows = args.import_rows or (10_000 if args.quick else 100_000)
    started = time.perf_counter()
    result: dict[str, object] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count()},
        "settings": {"concurrency": args.concurrency, "requests": requests, "scales": scales, "backends": backends},
        "runs": [],
    }
    runs: list[dict[str, object]] = result["runs"]  # type: ignore[assignment]
    for backend in backends:
        for scale in scales:
            if not set(args.parts) - {"import"}:
                break
            with tempfile.TemporaryDirectory(prefix="gcm-bench-") as tmp, throwaway_database(backend, Path(tmp)) as url:
                print(f"{backend} scale {scale}: building the demo database ...", flush=True)
                build = round(build_database(url, scale), 1)
                run = run_database(url, args.parts, concurrency=args.concurrency, requests=requests, quick=args.quick)
            runs.append({"backend": backend, "scale": scale, "build_seconds": build, **run})
            for row in run["rows_out"]:  # type: ignore[attr-defined]
                figures = {k: row.get(k) for k in ("p50_ms", "p95_ms", "rps", "queries_per_request", "seconds")}
                print(f"  {row['part']:<10} {row['path']:<58} {figures}", flush=True)
        if "import" in args.parts:
            print(f"{backend}: importing {import_rows:,} rows ...", flush=True)
            import_out = run_import(backend, import_rows)
            runs.append({"backend": backend, "scale": None, "rows_out": import_out})
            print(f"  import {import_out[0]['total_s']} s", flush=True)
            for row in import_out[1:]:
                print(f"  {row['path']}: {row['status']} in {row['seconds']} s, peak RSS {row['peak_rss_mb']} MiB")
    result["wall_seconds"] = round(time.perf_counter() - started)
    write(result, args.output)


if __name__ == "__main__":
    main()
