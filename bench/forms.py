"""Form save benchmark: a demo focal point saves objective reports of their country's draft review, as autosave does.

Used by ``python -m bench``. The focal point signs in (CSRF token from the sign-in page), opens each report form
once to read the CSRF token and the report's ``version`` the page carries, then each client thread saves its own
objective again and again: an autosave POST (``X-Autosave: 1``, the CSRF token in ``X-CSRF-Token`` as htmx sends it)
with the version the previous save answered in ``X-Version``, so the saves are real (200, the row written, its version
bumped) and do not conflict with each other. A 409 (edit conflict) is counted apart from other errors; after one the
thread carries on with the version the 409 answered.
"""

from __future__ import annotations

import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.harness import QUERIES, Result, measure_calls, sign_in

PASSWORD = "gcm-demo-2026"  # noqa: S105 - the demo accounts' published password (app/demo.py)
VERSION = re.compile(r'name="version" value="(\d+)"')
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def draft_target(url: str) -> tuple[int, str]:
    """A draft submission with its objective reports, and the email of its country's demo focal point."""
    from app.catalog.models import Country
    from app.db import create_db_engine
    from app.submissions.models import ObjectiveReport, Submission, SubmissionStatus

    engine = create_db_engine(url)
    with Session(engine) as session:
        row = session.execute(
            select(Submission.id, Country.iso3)
            .join(Country, Country.id == Submission.country_id)
            .where(Submission.status == SubmissionStatus.draft)
            .where(Submission.id.in_(select(ObjectiveReport.submission_id)))
            .order_by(Submission.id.desc())
            .limit(1)
        ).one()
    engine.dispose()
    return row[0], f"focal.{row[1].lower()}@demo.gcm.example"


def _request(url: str, headers: dict[str, str], data: bytes | None = None) -> tuple[float, int, int | None, str, dict]:
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 - 127.0.0.1
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            body = response.read().decode()
            status, answer = response.status, {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as exc:
        body, status = exc.read().decode(errors="replace"), exc.code
        answer = {k.lower(): v for k, v in exc.headers.items()}
    elapsed = time.perf_counter() - started
    match = QUERIES.search(answer.get("server-timing", ""))
    return elapsed, status, int(match.group(1)) if match else None, body, answer


def measure_saves(base_url: str, database_url: str, *, concurrency: int, requests: int) -> tuple[Result, int]:
    """Concurrent autosaves of objective reports; returns the figures and the number of edit conflicts (409)."""
    submission_id, email = draft_target(database_url)
    headers = sign_in(base_url, email, PASSWORD)
    forms = [f"{base_url}/submissions/{submission_id}/objectives/{n}" for n in range(1, concurrency + 1)]
    versions: list[int] = []
    csrf = ""
    for form in forms:
        _e, status, _q, page, _h = _request(form, headers)
        if status != 200 or not (found := VERSION.search(page)) or not (token := CSRF.search(page)):
            raise RuntimeError(f"cannot open the report form {form} as {email} ({status})")
        versions.append(int(found.group(1)))
        csrf = token.group(1)
    post_headers = {
        **headers,
        "X-Autosave": "1",
        "X-CSRF-Token": csrf,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    conflicts = 0
    counter = iter(range(10**9))
    lock = threading.Lock()

    def save(worker: int) -> tuple[float, int, int | None, int]:
        nonlocal conflicts
        with lock:
            n = next(counter)
        fields = {
            "reporting": "reported",
            "progress_rating": "under_way",
            "narrative": f"Benchmark save {n}: the national action plan moved forward this quarter.",
            "version": str(versions[worker]),
        }
        elapsed, status, queries, body, answer = _request(
            forms[worker], post_headers, urllib.parse.urlencode(fields).encode()
        )
        if status in (200, 409) and "x-version" in answer:
            versions[worker] = int(answer["x-version"])
        if status == 409:
            with lock:
                conflicts += 1
        return elapsed, status, queries, len(body)

    result = measure_calls(
        f"POST /submissions/{{id}}/objectives/{{n}} (autosave, {concurrency} reports)",
        save,
        concurrency=concurrency,
        requests=requests,
    )
    # The saves really happened: the last version the service answered is the row's version now.
    for worker, form in enumerate(forms):
        _e, _s, _q, page, _h = _request(form, headers)
        found = VERSION.search(page)
        if not found or int(found.group(1)) != versions[worker]:
            raise RuntimeError(f"report {form}: version {found and found.group(1)}, expected {versions[worker]}")
    return result, conflicts
