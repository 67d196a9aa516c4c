"""A link check on the demo data (built once, committed, in a database of the module's own): from each role's
start page (and a visitor's), follow every same-origin link.

Fails on any server error, and on any link that leads to a page that does not exist (404): a page must not offer
what the reader cannot open. Links of one route are many (a review has 23 objective pages, the overview lists 62
countries): up to ``PER_ROUTE`` of each are followed, the first ones found, so every kind of link is followed.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from starlette.routing import Match
from starlette.testclient import TestClient

from app.auth import sessions
from app.auth.dependencies import SESSION_COOKIE
from app.auth.models import User
from app.config import Environment, Settings
from app.db import create_db_engine
from app.demo import ADMIN_EMAIL, DEMO_DOMAIN, create_demo_data
from app.main import create_app
from app.migrate import upgrade
from app.seed import seed_reference_data
from tests.databases import throwaway_database

HREF = re.compile(r"""<a\s[^>]*href="([^"]+)\"""")
PER_ROUTE = 12
MAX_PAGES = 400
# Start pages and demo accounts: a visitor, then each role as the README introduces them.
ACCOUNTS = {
    "visitor": None,
    "admin": ADMIN_EMAIL,
    "secretariat": f"secretariat@{DEMO_DOMAIN}",
    "preparer": f"preparer@{DEMO_DOMAIN}",
    "focal_point_philippines": f"focal.phl@{DEMO_DOMAIN}",
    "stakeholder": f"stakeholder.iom@{DEMO_DOMAIN}",
    "stakeholder_returned_contribution": f"stakeholder.bwi@{DEMO_DOMAIN}",  # its contribution came back with a reason
    "focal_point_returned_review": None,  # chosen below: a focal point whose review was sent back
}
SKIP = ("/logout", "/exports/download")  # not pages: sign-out is a form; downloads are tested in tests/exports
PRINTED = (".pdf",)  # a review printed (seconds each): tests/submissions/test_whole.py reads one back


@pytest.fixture(scope="module")
def demo(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, Engine]]:
    """The demo data, built once for this module in a database of its own and committed, as ``gcm demo`` does."""
    with throwaway_database(backend, tmp_path_factory.mktemp(f"links-{backend}")) as url:
        upgrade("head", database_url=url)
        engine = create_db_engine(url)
        with Session(engine) as session:
            seed_reference_data(session)
            create_demo_data(session, today=datetime.now(UTC).date())
            session.commit()
        app = create_app(Settings(env=Environment.test, database_url=url))
        yield app, engine
        engine.dispose()


def _signed_in(client: TestClient, engine: Engine, email: str | None) -> None:
    if email is None:
        return
    with Session(engine) as session:
        user = session.scalars(select(User).where(User.email == email)).one()
        token = sessions.start_session(session, user=user).token
        session.commit()
    client.cookies.set(SESSION_COOKIE, token)


def _route_key(app: FastAPI, path: str) -> str:
    scope = {"type": "http", "path": path, "method": "GET", "root_path": ""}
    for route in app.router.routes:
        match, _child = route.matches(scope)
        if match is Match.FULL:
            return getattr(route, "path", path)
    return path


def _links(base: str, html: str) -> list[str]:
    found = []
    for href in HREF.findall(html):
        url = urljoin(base, unescape(href))
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc != "127.0.0.1":
            continue  # another site (the Compact's text, the UN's pages): not ours to check
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _returned_focal_point(engine: Engine) -> str:
    from app.submissions.models import Submission, SubmissionStatus

    with Session(engine) as session:
        country = session.scalar(
            select(Submission.country_id).where(Submission.status == SubmissionStatus.changes_requested).limit(1)
        )
        email = session.scalar(select(User.email).where(User.country_id == country).order_by(User.id).limit(1))
    assert email is not None
    return email


def crawl(app: FastAPI, client: TestClient, start: str) -> tuple[int, list[tuple[str, str, int]]]:
    """Follow links breadth-first; returns the pages visited and the (page, link, status) of every bad one."""
    seen: set[str] = {start}
    per_route: dict[str, int] = {}
    queue: deque[tuple[str, str]] = deque([("(start)", start)])
    bad: list[tuple[str, str, int]] = []
    visited = 0
    while queue and visited < MAX_PAGES:
        source, url = queue.popleft()
        response = client.get(url)
        visited += 1
        if response.status_code >= 500 or response.status_code == 404:
            bad.append((source, url, response.status_code))
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        page = str(response.url)
        for link in _links(page, response.text):
            path = link.split("?", 1)[0].split("#", 1)[0]
            if link in seen or path.startswith(SKIP) or path.endswith(PRINTED):
                continue
            seen.add(link)
            key = _route_key(app, path)
            if per_route.get(key, 0) >= PER_ROUTE:
                continue
            per_route[key] = per_route.get(key, 0) + 1
            queue.append((url, link.split("#", 1)[0]))
    return visited, bad


@pytest.mark.parametrize("account", list(ACCOUNTS))
def test_every_link_each_role_sees_leads_to_a_page(demo: tuple[FastAPI, Engine], account: str) -> None:
    app, engine = demo
    email = ACCOUNTS[account] or (_returned_focal_point(engine) if account != "visitor" else None)
    with TestClient(app, base_url="https://127.0.0.1") as client:
        start = "/"
        _signed_in(client, engine, email)
        visited, bad = crawl(app, client, start)
    assert visited > 20, f"only {visited} pages reached from {start}"
    assert not bad, bad


@pytest.mark.parametrize("account", ["visitor", "focal_point_philippines", "preparer"])
def test_the_overview_links_only_countries_whose_profile_opens(demo: tuple[FastAPI, Engine], account: str) -> None:
    app, engine = demo
    with TestClient(app, base_url="https://127.0.0.1") as client:
        _signed_in(client, engine, ACCOUNTS[account])
        overview = client.get("/dashboards")
        countries = sorted({link for link in _links(str(overview.url), overview.text) if "/countries/" in link})
        assert countries
        assert [c for c in countries if client.get(c).status_code != 200] == []
