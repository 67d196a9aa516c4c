"""The route-walking test: every registered route declares an access rule, and the server enforces it.

Each route is requested by a visitor who is signed out and by a user of every role. A route whose rule does not
admit the user must answer 303 to the sign-in page (signed out, pages), 401 (signed out, API) or 403 (wrong role);
a route that admits the user must not answer 401/403 and never 5xx. A new route without a rule fails here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth import sessions
from app.auth.dependencies import SESSION_COOKIE, Access, access_of
from app.auth.models import Role, User
from app.comments.service import open_thread
from app.main import create_app
from app.organisations import service as organisations
from tests.commitments.helpers import make_commitment
from tests.contributions.helpers import drafted
from tests.factories import csrf_token, make_organisation, make_submission, make_user

# Routes served by Starlette itself (no dependencies): the OpenAPI description and static files.
FRAMEWORK_ROUTES = {"/openapi.json", "/static"}


def _rules(dependant: Dependant) -> Iterator[Access]:
    for sub in dependant.dependencies:
        rule = access_of(sub.call) if sub.call else None
        if rule is not None:
            yield rule
        yield from _rules(sub)


def api_routes(app: FastAPI) -> list[Any]:
    """Every FastAPI route as registered (included routers flattened), with its effective dependencies."""
    return [ctx for ctx in iter_route_contexts(app.routes) if isinstance(ctx.original_route, APIRoute)]


def test_every_route_declares_an_access_rule() -> None:
    app = create_app()
    routes = api_routes(app)
    assert len(routes) > 10
    missing = [f"{sorted(r.methods)} {r.path}" for r in routes if not list(_rules(r.dependant))]
    assert missing == [], "routes without an access rule (use a guard from app.auth.dependencies):\n" + "\n".join(
        missing
    )
    others = {ctx.path for ctx in iter_route_contexts(app.routes) if not isinstance(ctx.original_route, APIRoute)}
    assert others <= FRAMEWORK_ROUTES, others


@pytest.fixture
def samples(session: Session) -> dict[str, Any]:
    """A value for every path parameter: records of the Philippines (the focal point's own country)."""
    submission = make_submission(session)
    values: dict[str, Any] = {
        "submission_id": submission.id,
        "commitment_id": make_commitment(session, country="PHL").id,
        "user_id": make_user(session, role=Role.preparer).id,
        "cycle_id": submission.review_cycle_id,
        "value_id": 1,
        "number": 1,
        "key": "preparation",
        "kind": "section",
        "token": "not-a-real-token",
        "code": "10.7.3",
        "iso3": "PHL",
        "job_id": 1,
        "thread_id": open_thread(
            session,
            user=make_user(session, role=Role.secretariat),
            submission=submission,
            part="objective:1",
            body="Which year?",
        ).id,
        "notification_id": 1,
        "contribution_id": drafted(session)[0].id,
        "organisation_id": make_organisation(session).id,
        "token_id": 1,
        "file_id": 1,
        "fmt": "docx",
        "chart": "overview-reported",
        "upload_id": 1,
        "request_id": organisations.request_to_join(
            session,
            organisation_name="Sample organisation",
            organisation_type="civil_society",
            country="",
            website="",
            contact_name="A person",
            email="sample.request@example.org",
            motivation="To take part.",
            ip_address="sample",
        ).id,
    }
    return values


def _fill(path: str, samples: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        if name not in samples:
            pytest.fail(f"tests/test_access.py needs a sample value for the path parameter {{{name}}} ({path})")
        return str(samples[name])

    return re.sub(r"{([^}]+)}", value, path)


def _client_for(app: FastAPI, session: Session, user: User | None) -> TestClient:
    client = TestClient(app, base_url="https://127.0.0.1")
    if user is not None:
        client.cookies.set(SESSION_COOKIE, sessions.start_session(session, user=user).token)
    return client


ROLES: list[Role | None] = [None, *Role]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "signed_out")
def test_routes_enforce_their_rule_for_each_role(
    app: FastAPI, session: Session, samples: dict[str, Any], role: Role | None
) -> None:
    user = None
    if role is not None:
        user = make_user(session, role=role, country="PHL" if role is Role.focal_point else None)
    failures = []
    for route in api_routes(app):
        rules = list(_rules(route.dependant))
        allowed = all(rule.allows(user) or rule.name == "API token" for rule in rules)
        api = route.path.startswith("/api/")
        for method in sorted(route.methods - {"HEAD"}):
            client = _client_for(app, session, user)
            url = _fill(route.path, samples)
            data = {"csrf_token": csrf_token(client)} if method != "GET" else None
            response = client.request(method, url, data=data, follow_redirects=False)
            status = response.status_code
            if api:
                expected_ok = status == 401  # no bearer token: always refused, whatever the cookie
            elif allowed:
                expected_ok = status not in (401, 403) and status < 500
            elif user is None:
                expected_ok = status == 303 and response.headers["location"].startswith("/login")
            else:
                expected_ok = status == 403
            if not expected_ok:
                failures.append(f"{method} {url}: {status} (rule {[r.name for r in rules]}, allowed={allowed})")
    assert failures == [], "\n".join(failures)
