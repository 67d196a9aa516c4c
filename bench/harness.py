"""A reusable benchmark harness: build a database, start the service, drive pages with concurrent requests.

    build_database(url, scale)          migrations, reference data, ``create_demo_data(scale)``; returns seconds
    serve(database_url, **env)           uvicorn on 127.0.0.1 in a subprocess (context manager: base URL, process)
    sign_in(base_url, email, password)   a session cookie header for a demo account
    measure_calls(label, call, concurrency, requests)  the same for any request (e.g. a form POST)
    measure(base_url, paths, concurrency, requests, headers)  p50/p95 latency (ms), requests per second, and SQL
                                         queries per request when the service sends ``Server-Timing: db;desc="N
                                         queries"`` (setting GCM_QUERY_COUNT_HEADER=true, which serve() turns on)
    peak_rss_kb(pid)                     the service's peak resident memory (VmHWM in /proc/<pid>/status)

Standard library only (threads + urllib), so it runs wherever the app runs. Never used by the tests.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERIES = re.compile(r'db;desc="(\d+) queries"')
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def build_database(url: str, scale: int) -> float:
    """A fresh database with the demo data at ``scale``; returns how long it took (seconds)."""
    from sqlalchemy.orm import Session

    from app.db import create_db_engine
    from app.demo import create_demo_data
    from app.migrate import upgrade
    from app.seed import seed_reference_data

    started = time.perf_counter()
    upgrade("head", database_url=url)
    engine = create_db_engine(url)
    with Session(engine) as session:
        seed_reference_data(session)
        create_demo_data(session, scale=scale)
        session.commit()
    engine.dispose()
    return time.perf_counter() - started


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(database_url: str, **env: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = _free_port()
    environment = {
        **os.environ,
        "GCM_DATABASE_URL": database_url,
        "GCM_ENV": "test",
        "GCM_COOKIE_SECURE": "false",  # plain http on 127.0.0.1
        "GCM_QUERY_COUNT_HEADER": "true",
        "GCM_GC_FREEZE": "true",  # as outside the test environment (app/config.py)
        **env,
    }
    command = [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--host", "127.0.0.1"]
    process = subprocess.Popen(  # noqa: S603 - our own service
        [*command, "--port", str(port), "--no-access-log"],
        cwd=ROOT,
        env=environment,
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


def sign_in(base_url: str, email: str, password: str) -> dict[str, str]:
    """Headers carrying a signed-in session cookie (CSRF token fetched from the sign-in page)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base_url + "/login", timeout=10).read().decode()
    csrf = CSRF_FIELD.search(page).group(1)  # type: ignore[union-attr]
    data = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": csrf}).encode()
    opener.open(base_url + "/login", data=data, timeout=10)
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    if "gcm_session" not in cookies:
        raise RuntimeError(f"could not sign in as {email}")
    return {"Cookie": cookies}


@dataclass
class Result:
    path: str
    requests: int
    concurrency: int
    p50_ms: float
    p95_ms: float
    rps: float
    errors: int
    queries_per_request: int | None
    bytes: int


def _get(url: str, headers: dict[str, str]) -> tuple[float, int, int | None, int]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - 127.0.0.1
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            body = response.read()
            status, timing = response.status, response.headers.get("Server-Timing", "")
    except urllib.error.HTTPError as exc:
        body, status, timing = b"", exc.code, ""
    elapsed = time.perf_counter() - started
    match = QUERIES.search(timing)
    return elapsed, status, int(match.group(1)) if match else None, len(body)


def measure_calls(
    label: str, call: Callable[[int], tuple[float, int, int | None, int]], *, concurrency: int, requests: int
) -> Result:
    """Run ``call(worker)`` ``requests`` times from ``concurrency`` threads (worker = 0..concurrency-1, each worker's
    calls sequential) after 3 warm-up calls; ``call`` returns (seconds, HTTP status, queries or None, bytes)."""
    for _ in range(3):  # warm up
        call(0)
    shares = [requests // concurrency + (1 if w < requests % concurrency else 0) for w in range(concurrency)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        batches = list(pool.map(lambda w: [call(w) for _ in range(shares[w])], range(concurrency)))
    wall = time.perf_counter() - started
    outcomes = [o for batch in batches for o in batch]
    latencies = sorted(o[0] * 1000 for o in outcomes)
    quantiles = statistics.quantiles(latencies, n=100, method="inclusive")
    queries = {o[2] for o in outcomes if o[2] is not None}
    return Result(
        path=label,
        requests=requests,
        concurrency=concurrency,
        p50_ms=round(statistics.median(latencies), 2),
        p95_ms=round(quantiles[94], 2),
        rps=round(requests / wall, 1),
        errors=sum(1 for o in outcomes if o[1] != 200),
        queries_per_request=max(queries) if queries else None,
        bytes=outcomes[-1][3],
    )


def measure_one(base_url: str, path: str, *, concurrency: int, requests: int, headers: dict[str, str]) -> Result:
    url = base_url + path
    return measure_calls(path, lambda _w: _get(url, headers), concurrency=concurrency, requests=requests)


def measure(
    base_url: str, paths: list[str], *, concurrency: int = 4, requests: int = 100, headers: dict[str, str] | None = None
) -> list[Result]:
    return [measure_one(base_url, p, concurrency=concurrency, requests=requests, headers=headers or {}) for p in paths]


def peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"VmHWM not in /proc/{pid}/status")


def as_dict(result: Result) -> dict[str, object]:
    return asdict(result)
