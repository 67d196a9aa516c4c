"""The first view on a slow link: Chromium (Playwright, the system's browser as the browser tests use it) with its
network emulated through a CDP session (``Network.emulateNetworkConditions``: 400 ms latency, 400 kbit/s down and
up), against uvicorn on 127.0.0.1 serving the demo data.

    uv run python -m bench.slowlink [--scale 1] [--repeat 3] [--reuse-url URL]

For each page, as the role that uses it (the regional overview as a visitor and as the demo secretariat, a demo focal
point's objective form of their draft review, the secretariat's review queue): a fresh browser context (empty cache),
the time to the first contentful paint (the first view: the page on screen, readable, its links working without
scripts) and to the load event (the deferred scripts run), the bytes transferred (every resource, headers
included: ``transferSize``), then the repeat view in the same context (the static files come from the cache:
content-hashed names, immutable). Each figure is the median of ``--repeat`` runs, first with the service's
compression off (``GCM_COMPRESSION=false``: today's figures before this change) and then on. Goal: each first view
under 1.5 s. Also run by ``python -m bench --parts slowlink``; never by the tests.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench.harness import build_database, serve, sign_in

PASSWORD = "gcm-demo-2026"  # noqa: S105 - the demo accounts' published password (app/demo.py)
SECRETARIAT = "secretariat@demo.gcm.example"
LATENCY_MS = 400
KBIT_PER_S = 400
GOAL_SECONDS = 1.5
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic"]
TIMING = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  const resources = performance.getEntriesByType("resource");
  return {
    load: nav.loadEventEnd, fcp: paint ? paint.startTime : null,
    bytes: nav.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
    html: nav.transferSize, requests: 1 + resources.length,
    fetched: resources.filter((r) => r.transferSize > 0).length,
  };
}"""


def _draft_form(url: str) -> tuple[str, str]:
    """A demo focal point with a draft review, and their objective form's path."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from app.auth.models import Role, User
    from app.db import create_db_engine
    from app.submissions.models import Submission, SubmissionStatus

    engine = create_db_engine(url)
    with Session(engine) as session:
        submission_id, email = session.execute(
            select(Submission.id, User.email)
            .join(User, (User.country_id == Submission.country_id) & (User.role == Role.focal_point))
            .where(Submission.status == SubmissionStatus.draft, User.email.like("focal.%"))
            .order_by(Submission.id)
            .limit(1)
        ).one()
    engine.dispose()
    return email, f"/submissions/{submission_id}/objectives/1"


def _views(url: str) -> list[tuple[str, str, str | None]]:
    focal, form = _draft_form(url)
    return [
        ("regional overview", "/dashboards", None),
        ("regional overview", "/dashboards", SECRETARIAT),
        ("objective form", form, focal),
        ("review queue", "/review", SECRETARIAT),
    ]


def _emulated(context: Any, page: Any) -> None:
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": LATENCY_MS,
            "downloadThroughput": KBIT_PER_S * 1000 / 8,  # bytes per second
            "uploadThroughput": KBIT_PER_S * 1000 / 8,
        },
    )


def _one(browser: Any, base: str, path: str, cookie: dict[str, str] | None) -> dict[str, float]:
    context = browser.new_context()
    if cookie:
        name, _, value = cookie["Cookie"].partition("; ")[0].partition("=")
        context.add_cookies([{"name": name, "value": value, "url": base}])
    page = context.new_page()
    _emulated(context, page)
    page.goto(base + path, wait_until="load")
    first = page.evaluate(TIMING)
    page.goto(base + path, wait_until="load")  # the repeat view: what the cache keeps is not fetched again
    repeat = page.evaluate(TIMING)
    context.close()
    return {
        "first_view_s": first["load"] / 1000,  # (the load event; first_paint_s is the table's "first view")
        "first_paint_s": (first["fcp"] or first["load"]) / 1000,
        "kb": first["bytes"] / 1024,
        "html_kb": first["html"] / 1024,
        "requests": first["requests"],
        "repeat_view_s": repeat["load"] / 1000,
        "repeat_fetched": repeat["fetched"],
    }


def measure(url: str, *, compression: bool, repeat: int = 3) -> list[dict[str, object]]:
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("GCM_TEST_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise RuntimeError("no Chromium found (install Debian's chromium package, or set GCM_TEST_CHROMIUM)")
    rows: list[dict[str, object]] = []
    env = {"GCM_COMPRESSION": "true" if compression else "false", "GCM_QUERY_COUNT_HEADER": "false"}
    with serve(url, **env) as (base, _process), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        cookies: dict[str, dict[str, str]] = {}
        for label, path, who in _views(url):
            if who and who not in cookies:
                cookies[who] = sign_in(base, who, PASSWORD)
            _one(browser, base, path, cookies.get(who) if who else None)  # warm the service's caches
            runs = [_one(browser, base, path, cookies.get(who) if who else None) for _ in range(repeat)]
            figures = {k: round(statistics.median(float(r[k]) for r in runs), 2) for k in runs[0]}
            rows.append({"view": label, "path": path, "as": who.split("@")[0] if who else "visitor", **figures})
        browser.close()
    return rows


def run(url: str, *, repeat: int = 3) -> list[dict[str, object]]:
    """Compression off (before), then on (after): one row per view with both figures."""
    before = measure(url, compression=False, repeat=repeat)
    after = measure(url, compression=True, repeat=repeat)
    rows: list[dict[str, object]] = []
    for old, new in zip(before, after, strict=True):
        rows.append(
            {
                "part": "slowlink",
                "path": f"{new['view']}: {new['path']} ({new['as']})",
                **{k: new[k] for k in new if k not in ("view", "path", "as")},
                **{f"before_{k}": old[k] for k in old if k not in ("view", "path", "as")},
            }
        )
    return rows


def table(rows: list[dict[str, object]]) -> str:
    """First view = the first contentful paint (the page is on screen and readable: every page works without its
    scripts); loaded = the load event (the deferred scripts, htmx the largest, have run)."""
    lines = [
        f"| view | first view s (goal < {GOAL_SECONDS}) | before | loaded s | before | KB transferred | before"
        " | repeat view loaded s | before |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        mark = "" if float(r["first_paint_s"]) < GOAL_SECONDS else " ✗"  # type: ignore[arg-type]
        lines.append(
            f"| {r['path']} | {r['first_paint_s']}{mark} | {r['before_first_paint_s']} | {r['first_view_s']} |"
            f" {r['before_first_view_s']} | {r['kb']} | {r['before_kb']} | {r['repeat_view_s']} |"
            f" {r['before_repeat_view_s']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    os.environ.setdefault("GCM_ENV", "test")
    from tests.databases import throwaway_database

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reuse-url", help="a database already holding the demo data (not rebuilt)")
    args = parser.parse_args()
    if args.reuse_url:
        print(table(run(args.reuse_url, repeat=args.repeat)))
        return
    with tempfile.TemporaryDirectory(prefix="gcm-bench-") as tmp, throwaway_database("sqlite", Path(tmp)) as url:
        print(f"building the demo database (scale {args.scale}) ...", flush=True)
        build_database(url, args.scale)
        print(table(run(url, repeat=args.repeat)))


if __name__ == "__main__":
    main()
