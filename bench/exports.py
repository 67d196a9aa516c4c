"""Export benchmark: time and the service's peak memory while each export format streams, at two data sizes.

    uv run python -m bench.exports [--scales 1 10] [--postgres ADMIN_URL] [--keep]

For each size it builds a database (a SQLite file, or with ``--postgres`` a throwaway PostgreSQL database on that
server: migrations, reference data, ``create_demo_data(scale=N)``), starts the service with uvicorn on 127.0.0.1,
signs in as the demo secretariat (who may export everything) and downloads every format, each from a freshly started
service, so the peak RSS (VmHWM in /proc/<pid>/status, also reset through /proc/<pid>/clear_refs before the download)
is that export's alone. Flat memory means the peak hardly grows while the rows grow twentyfold.
Figures are printed and written to bench/results/exports.json. Never run in the tests (no timed assertions).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "exports.json"
PASSWORD = "gcm-demo-2026"  # noqa: S105 - the demo accounts' published password (app/demo.py)
EXPORTS = [
    ("csv objective_reports", {"format": "csv", "dataset": "objective_reports"}),
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
    from app.submissions.models import ObjectiveReport, Submission

    upgrade("head", database_url=url)
    engine = create_db_engine(url)
    with Session(engine) as session:
        seed_reference_data(session)
        create_demo_data(session, scale=scale)
        session.commit()
        counts = {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Submission, ObjectiveReport, IndicatorValue)
        }
    engine.dispose()
    return counts


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


@contextmanager
def serve(database_url: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = _free_port()
    env = {
        **os.environ,
        "GCM_DATABASE_URL": database_url,
        "GCM_ENV": "test",
        "GCM_COOKIE_SECURE": "false",  # plain http on 127.0.0.1
    }
    process = subprocess.Popen(  # noqa: S603 - our own service
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2):  # noqa: S310 - 127.0.0.1
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the service did not start") from None
                time.sleep(0.3)
        yield url, process
    finally:
        process.terminate()
        process.wait(10)


@contextmanager
def database(postgres_admin_url: str | None, sqlite_path: Path) -> Iterator[str]:
    """A fresh database: the SQLite file, or a PostgreSQL database created on the server and dropped afterwards."""
    if postgres_admin_url is None:
        yield f"sqlite:///{sqlite_path}"
        return
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    name = f"gcm_bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def signed_in_opener(url: str, email: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(url + "/login").read()
    csrf = next(c.value for c in jar if c.name == "gcm_csrf")
    data = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": csrf}).encode()
    opener.open(url + "/login", data=data).read()
    if not any(c.name == "gcm_session" for c in jar):
        raise RuntimeError("sign-in failed")
    return opener


def measure(opener: urllib.request.OpenerDirector, url: str, pid: int, params: dict[str, str]) -> dict[str, float]:
    opener.open(url + "/exports").read()  # warm up: templates, imports
    reset = _reset_peak(pid)
    before = _status_kb(pid, "VmHWM")
    started = time.perf_counter()
    first_byte = None
    size = 0
    with opener.open(url + "/exports/download?" + urllib.parse.urlencode(params), timeout=600) as response:
        while chunk := response.read(64 * 1024):
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="a PostgreSQL server whose user may create databases")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite databases (printed)")
    args = parser.parse_args()
    backend = "postgresql" if args.postgres else "sqlite"
    workdir = Path(tempfile.mkdtemp(prefix="gcm-bench-exports-"))
    results: dict[str, object] = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "database": backend},
        "sizes": [],
    }
    try:
        for scale in args.scales:
            with database(args.postgres, workdir / f"scale{scale}.sqlite3") as database_url:
                print(f"building the demo database at scale {scale} ({backend}) ...", flush=True)
                counts = build_database(database_url, scale)
                print(f"  rows: {counts}", flush=True)
                size: dict[str, object] = {"scale": scale, "rows": counts, "exports": {}}
                for name, params in EXPORTS:
                    with serve(database_url) as (url, process):
                        opener = signed_in_opener(url, "secretariat@demo.gcm.example")
                        figures = measure(opener, url, process.pid, params)
                    size["exports"][name] = figures  # type: ignore[index]
                    print(
                        f"  {name:24} {figures['seconds']:7.2f} s  {figures['megabytes']:8.2f} MB"
                        f"  peak RSS {figures['peak_rss_mb']:7.1f} MB (idle {figures['rss_before_mb']:.1f} MB)",
                        flush=True,
                    )
                results["sizes"].append(size)  # type: ignore[attr-defined]
    finally:
        if args.keep:
            print(f"databases kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    target = RESULTS if backend == "sqlite" else RESULTS.with_name("exports-postgresql.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
