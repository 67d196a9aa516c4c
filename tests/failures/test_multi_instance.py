"""Two instances of the service on one PostgreSQL database (as behind a load balancer): a session started on one
works on the other, and sign-in throttling counts failures on either."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from http.cookies import SimpleCookie

import pytest
from sqlalchemy.orm import Session

from app.auth.models import Role
from app.db import create_db_engine
from tests.browser.conftest import ROOT, _free_port, _prepare, _wait_until_up
from tests.databases import BACKENDS, postgres_database
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.skipif("postgresql" not in BACKENDS, reason="needs PostgreSQL (GCM_TEST_DATABASES)")


class Browser:
    """A minimal cookie-keeping HTTP client that does not follow redirects."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{port}"  # as a browser's form sends it (app/web/csrf.py)
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        for value in response.headers.get_all("set-cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(value)
            self.cookies.update({k: m.value for k, m in jar.items()})
        text = response.read().decode()
        conn.close()
        return response.status, text

    def sign_in(self, port: int, email: str, password: str) -> int:
        return self.request(port, "POST", "/login", {"email": email, "password": password})[0]


@pytest.fixture(scope="module")
def instances(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, int, str]]:
    with postgres_database() as url:
        _prepare(url)
        engine = create_db_engine(url)
        with Session(engine) as session:
            email = make_user(session, role=Role.secretariat).email
            session.commit()
        engine.dispose()
        env = {**os.environ, "GCM_DATABASE_URL": url, "GCM_ENV": "test", "GCM_COOKIE_SECURE": "false"}
        ports, processes = [_free_port(), _free_port()], []
        log = (tmp_path_factory.mktemp("multi") / "instances.log").open("wb")
        try:
            for port in ports:
                command = [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--port", str(port)]
                processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
            for port, process in zip(ports, processes, strict=True):
                _wait_until_up(f"http://127.0.0.1:{port}", process)
            yield ports[0], ports[1], email
        finally:
            for process in processes:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
            log.close()


def test_a_session_started_on_one_instance_works_on_the_other(instances: tuple[int, int, str]) -> None:
    first, second, email = instances
    browser = Browser()
    assert browser.sign_in(first, email, PASSWORD) == 303
    status, text = browser.request(second, "GET", "/review")
    assert status == 200
    assert "Sign out" in text
    # A form posted to the other instance passes the CSRF check (the token is the browser's, not the server's).
    status, _ = browser.request(second, "POST", "/logout", {})
    assert status == 303
    assert browser.request(first, "GET", "/review")[0] == 303  # signed out everywhere


def test_throttling_counts_failures_on_every_instance(instances: tuple[int, int, str]) -> None:
    first, second, email = instances
    browser = Browser()
    statuses = [browser.sign_in(first, email, "wrong password") for _ in range(5)]
    assert 429 not in statuses
    assert browser.sign_in(second, email, PASSWORD) == 429
    assert browser.sign_in(first, email, PASSWORD) == 429
