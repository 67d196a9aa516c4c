"""Browser tests: the real service (uvicorn in a subprocess) on a fresh database, driven by headless Chromium.

Chromium comes from the system (Debian's package: /usr/bin/chromium, or GCM_TEST_CHROMIUM); Playwright never
downloads a browser. Without one the browser tests are skipped with a reason, unless GCM_TEST_REQUIRE_BROWSER=1
(set by CI), which makes a missing browser an error.

The live service and its database are shared by the whole session: each test module makes its own users and uses
countries no other module uses (test_accessibility.py: TKM and KIR; test_imports.py: KAZ; test_sign_in.py: UZB).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from app.db import create_db_engine
from app.migrate import upgrade
from app.seed import seed_reference_data
from tests.databases import throwaway_database
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("GCM_TEST_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if CHROMIUM is None and os.environ.get("GCM_TEST_REQUIRE_BROWSER") != "1":
                item.add_marker(pytest.mark.skip(reason="no Chromium found (install Debian's chromium package)"))


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, object]:
    if CHROMIUM is None:
        pytest.fail("GCM_TEST_REQUIRE_BROWSER=1 but no Chromium was found: apt-get install chromium")
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the service exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:  # noqa: S310 - our own 127.0.0.1
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the service did not answer at {url} within {timeout}s")


def _prepare(url: str) -> None:
    upgrade("head", database_url=url)
    engine = create_db_engine(url)
    with Session(engine) as session:
        seed_reference_data(session)
        session.commit()
    engine.dispose()


@dataclass
class LiveServer:
    url: str
    database_url: str

    @contextmanager
    def db(self) -> Iterator[Session]:
        """A session on the live server's database, committed on success (to set up what a test needs)."""
        engine = create_db_engine(self.database_url)
        try:
            with Session(engine, expire_on_commit=False) as session:
                yield session
                session.commit()
        finally:
            engine.dispose()


@pytest.fixture(scope="session")
def live(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The service on 127.0.0.1 with the reference data, on a database of its own."""
    with throwaway_database(backend, tmp_path_factory.mktemp(f"live-{backend}")) as url:
        _prepare(url)
        port = _free_port()
        env = {**os.environ, "GCM_DATABASE_URL": url, "GCM_ENV": "test"}
        log = (tmp_path_factory.getbasetemp() / f"live-{backend}.log").open("wb")
        process = subprocess.Popen(
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
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        # The job worker runs beside the server, as scripts/start and docker-compose.yml run it.
        worker = subprocess.Popen(
            [str(Path(sys.executable).with_name("gcm")), "worker", "--poll", "0.3", "--heartbeat", "1"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base_url, process)
            yield LiveServer(base_url, url)
        finally:
            for child in (process, worker):
                child.terminate()
            for child in (process, worker):
                try:
                    child.wait(10)
                except subprocess.TimeoutExpired:
                    child.kill()
            log.close()


@pytest.fixture(scope="session")
def live_server(live: LiveServer) -> str:
    return live.url


def sign_in(page: Page, base: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the form, as a person does, and wait for the signed-in page."""
    page.goto(base + "/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
