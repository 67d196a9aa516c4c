"""Malformed input gets a 4xx, never a 5xx: every registered route is fed ids beyond the database's integers, NUL
bytes, broken UTF-8 and over-long values in its path, its query string and its form fields, signed out and as the
roles that reach the most routes (app/web/inputs.py; PostgreSQL is where NUL and out-of-range ids used to fail)."""

from __future__ import annotations

import re
import threading
from typing import Any
from urllib.parse import unquote

import anyio
import pytest
from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth import sessions
from app.auth.dependencies import SESSION_COOKIE
from app.auth.models import Role
from tests.factories import csrf_token, make_user
from tests.test_access import _fill, api_routes, samples  # noqa: F401 - the shared sample values fixture

# As they appear in a URL (percent-encoded): out of the 32-bit and 64-bit ranges, NUL, not UTF-8, truncated UTF-8.
BAD_IN_URL = ["2147483648", "-2147483649", "-1", "99999999999999999999999", "J%00N", "%00", "%FF", "caf%C3", "a%00"]
BAD_IN_FORM = ["2147483648", "-99999999999999999999999", "J\x00N", "\x00", "caf\xe9\x00", "x" * 100_000]
LONG = "x" * 100_000  # beyond what httpx sends: requested through _raw_request
MEDIUM = "x" * 5_000  # under the URL limit (app/web/inputs.py): reaches the route
# Query parameters read by hand from request.query_params (dashboards, exports, notices), besides declared ones.
EXTRA_QUERY = [
    "cycle", "cycle_id", "subregion", "objective", "principle", "round_table", "indicator", "country", "status",
    "period", "sex", "age_group", "migratory_status", "format", "dataset", "kind", "report_cycle", "download_token",
    "decided", "submitted", "saved", "added", "q", "next", "page", "limit", "offset",
]  # fmt: skip
EXTRA_FORM = ["version", "body", "email", "password", "next", "reason", "parts", "kind", "part", "name", "value"]
# The administrator reaches every route except the focal points' own (their country's review, pledges, values).
ROLES: list[Role | None] = [None, Role.admin, Role.focal_point]


def _raw_request(app: FastAPI, method: str, target: str, headers: list[tuple[bytes, bytes]]) -> int:
    """The status of a request sent straight to the ASGI app (httpx refuses URLs over 64 KB); 500 if it raised."""
    path, _, query = target.encode().partition(b"?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "https",
        "path": unquote(path.decode()),
        "raw_path": path,
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 443),
    }
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    failed: list[BaseException] = []

    def run() -> None:
        try:
            anyio.run(app, scope, receive, send)
        except Exception as exc:
            failed.append(exc)

    # In a thread of its own: a browser test earlier in this worker leaves Playwright's event loop running in the
    # main thread, where anyio.run() would refuse to start (that was a 500 of the test, not of the app).
    worker = threading.Thread(target=run)
    worker.start()
    worker.join(60)
    return 500 if failed or status == 0 else status


def _flat(dependant: Any) -> Any:
    yield dependant
    for sub in dependant.dependencies:
        yield from _flat(sub)


def _names(route: Any) -> tuple[list[str], list[str]]:
    """The route's query parameters and form fields (a Form model's fields included), with the usual extras."""
    query, form = set(EXTRA_QUERY), set(EXTRA_FORM)
    for dep in _flat(route.dependant):
        query.update(p.alias for p in dep.query_params)
        for p in dep.body_params:
            annotation = p.field_info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                form.update(f.alias or name for name, f in annotation.model_fields.items())
            else:
                form.add(p.alias)
    return sorted(query), sorted(form)


def _path_variants(path: str, samples: dict[str, Any]) -> list[str]:  # noqa: F811
    params = re.findall(r"{([^}:]+)[^}]*}", path)
    urls = []
    for param in params:
        for bad in [*BAD_IN_URL, MEDIUM, "x" * 10_000]:
            urls.append(_fill(path, {**samples, param: bad}))
    return urls


def _client(app: FastAPI, session: Session, role: Role | None) -> TestClient:
    client = TestClient(app, base_url="https://127.0.0.1", raise_server_exceptions=False)
    if role is not None:
        user = make_user(session, role=role, country="PHL" if role is Role.focal_point else None)
        client.cookies.set(SESSION_COOKIE, sessions.start_session(session, user=user).token)
    return client


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "signed_out")
def test_no_route_answers_5xx_to_malformed_input(
    app: FastAPI,
    session: Session,
    samples: dict[str, Any],  # noqa: F811
    role: Role | None,
) -> None:
    client = _client(app, session, role)
    headers = {"X-CSRF-Token": csrf_token(client)}  # past the CSRF check, to the values themselves
    failures: list[str] = []
    checked = 0

    def check(method: str, url: str, label: str, **kwargs: Any) -> None:
        nonlocal checked
        if len(url) > 60_000:
            raw = [(b"cookie", "; ".join(f"{k}={v}" for k, v in client.cookies.items()).encode())]
            status = _raw_request(app, method, url, [*raw, (b"x-csrf-token", headers["X-CSRF-Token"].encode())])
        else:
            status = client.request(method, url, headers=headers, follow_redirects=False, **kwargs).status_code
        checked += 1
        if status >= 500:
            failures.append(f"{method} {url[:120]} ({label}): {status}")

    for route in api_routes(app):
        query_names, form_names = _names(route)
        for method in sorted(route.methods - {"HEAD"}):
            good = _fill(route.path, samples)
            for url in _path_variants(route.path, samples):
                check(method, url, "path")
            for bad in [*BAD_IN_URL, MEDIUM, LONG]:
                check(method, good + "?" + "&".join(f"{name}={bad}" for name in query_names), f"query {bad[:12]}")
            check(method, f"{good}?{LONG}=1", "long query name")
            if method == "GET":
                continue
            for bad in BAD_IN_FORM:
                fields = {name: bad for name in form_names}
                check(method, good, f"form {bad[:12]!r}", data=fields)
                check(
                    method,
                    good,
                    f"multipart {bad[:12]!r}",
                    data=fields,
                    files={"upload": ("values.csv", b"indicator,country\n\x00\xff", "text/csv")},
                )
            check(method, good, "json", json={name: "J\x00N" for name in form_names})
    assert checked > 1000
    assert failures == [], f"{len(failures)} requests answered 5xx:\n" + "\n".join(failures[:200])


@pytest.mark.parametrize(
    "path",
    ["/dashboards/countries/J%00N", "/search?q=J%00N", "/search?q=%FF", "/submissions/2147483648", "/static/a%00.css"],
)
def test_nul_and_broken_utf8_in_the_address_are_400_or_404_signed_out(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code in (400, 404), response.status_code
    assert response.headers["content-type"].startswith("text/html")
    assert "content-security-policy" in response.headers


def test_the_api_answers_nul_in_the_address_with_json_422(client: TestClient) -> None:
    for path in ("/api/v1/countries?subregion=a%00b", "/api/v1/indicators/10.7%00/values", "/api/v1/countries?x=%FF"):
        response = client.get(path)
        assert response.status_code == 422, path
        assert "not allowed" in response.json()["message"]


def test_an_id_beyond_the_database_integers_is_404(client: TestClient, session: Session) -> None:
    client.cookies.set(SESSION_COOKIE, sessions.start_session(session, user=make_user(session)).token)
    for url in ("/submissions/2147483648", "/submissions/-2147483649", "/admin/users/99999999999999999999999"):
        assert client.get(url).status_code == 404, url
    assert client.get("/api/v1/submissions/2147483648").status_code in (401, 404)  # no record, and no token


def test_an_out_of_range_integer_filter_is_422(client: TestClient) -> None:
    response = client.get("/api/v1/submissions?cycle=2147483648")
    assert response.status_code in (401, 422)


def test_sign_in_with_nul_in_the_email_is_400(client: TestClient) -> None:
    response = client.post(
        "/login", data={"csrf_token": csrf_token(client), "email": "a\x00@example.org", "password": "x"}
    )
    assert response.status_code == 400
    assert "not allowed" in response.text


def test_an_over_long_email_is_refused_not_stored(client: TestClient) -> None:
    response = client.post("/login", data={"csrf_token": csrf_token(client), "email": "a" * 100_000, "password": "x"})
    assert 400 <= response.status_code < 500


def test_a_file_may_contain_nul_bytes(client: TestClient, session: Session) -> None:
    user = make_user(session, role=Role.secretariat)
    client.cookies.set(SESSION_COOKIE, sessions.start_session(session, user=user).token)
    response = client.post(
        "/imports/preview",
        data={"csrf_token": csrf_token(client), "kind": "values"},
        files={"upload": ("values.csv", b"indicator,country,period,value\n\x00,PHL,2020,1\n", "text/csv")},
    )
    assert response.status_code < 500
    assert "The form contains characters that are not allowed" not in response.text


@pytest.mark.parametrize(
    ("name", "value", "status"),
    [("X-Long", LONG, 431), ("Cookie", f"other={LONG}", 431), ("Referer", "https://e.example/" + LONG, 431)],
)
def test_over_long_headers_are_431(client: TestClient, name: str, value: str, status: int) -> None:
    for method, path in (("GET", "/"), ("POST", "/login"), ("GET", "/api/v1/countries"), ("GET", "/static/app.css")):
        assert client.request(method, path, headers={name: value}).status_code == status, (method, path)


def test_an_over_long_address_is_414(app: FastAPI, client: TestClient) -> None:
    assert client.get("/search?q=" + "x" * 9_000).status_code == 414
    assert client.get("/" + "x" * 9_000).status_code == 414
    api = client.get("/api/v1/countries?subregion=" + "x" * 9_000)
    assert api.status_code == 414 and api.headers["content-type"].startswith("application/json")
    assert _raw_request(app, "GET", "/search?q=" + LONG, []) == 414
    assert _raw_request(app, "POST", "/login?next=" + LONG, []) == 414
