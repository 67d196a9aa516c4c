"""PostgreSQL stops under traffic: requests get a clear 503 quickly (a page, or JSON on /api), and the service
recovers on its own when the database is back. Uses a throwaway cluster of its own (never the shared server)."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.auth.models import Role
from app.db import create_db_engine
from tests.browser.conftest import ROOT, _free_port, _prepare, _wait_until_up
from tests.databases import BACKENDS

BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
pytestmark = [
    pytest.mark.skipif("postgresql" not in BACKENDS, reason="needs PostgreSQL (GCM_TEST_DATABASES)"),
    pytest.mark.skipif(not BINARIES, reason="no PostgreSQL server binaries (initdb, pg_ctl) installed"),
]


def _as_owner(command: list[str]) -> list[str]:
    """initdb refuses to run as root: run the cluster as the postgres user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


class Cluster:
    def __init__(self, directory: Path, port: int) -> None:
        self.bin = Path(BINARIES[-1])
        self.data = directory / "data"
        self.directory, self.port = directory, port

    def run(self, *args: str) -> None:
        subprocess.run(_as_owner([str(self.bin / args[0]), *args[1:]]), check=True, capture_output=True, timeout=60)

    def init(self) -> None:
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -h 127.0.0.1 -c fsync=off"
        self.run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.directory / "pg.log"), "-w", "start")

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")


def _get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=15) as response:  # noqa: S310 - our own 127.0.0.1
            return response.status, response.headers.get("content-type", ""), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("content-type", ""), error.read().decode()


@pytest.fixture(scope="module")
def service() -> Iterator[tuple[str, Cluster]]:
    directory = Path(tempfile.mkdtemp(prefix="gcm-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    cluster = Cluster(directory, _free_port())
    cluster.init()
    cluster.start()
    url = f"postgresql+psycopg://postgres@127.0.0.1:{cluster.port}/postgres"
    process = None
    try:
        _prepare(url)
        from sqlalchemy.orm import Session

        from tests.factories import make_user

        engine = create_db_engine(url)
        with Session(engine) as session:
            make_user(session, role=Role.admin)
            session.commit()
        engine.dispose()
        port = _free_port()
        env = {**os.environ, "GCM_DATABASE_URL": url, "GCM_ENV": "test"}
        log = (directory / "app.log").open("wb")
        command = [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--port", str(port)]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base, process)
        yield base, cluster
    finally:
        if process is not None:
            process.terminate()
            process.wait(10)
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)


def test_outage_gives_a_clear_503_and_the_service_recovers(service: tuple[str, Cluster]) -> None:
    base, cluster = service
    assert _get(base + "/login")[0] == 200
    assert _get(base + "/")[0] == 200  # the pool now holds connections that the restart will break

    cluster.stop()
    try:
        status, content_type, body = _get(base + "/")
        assert status == 503, (status, body[:300])
        assert content_type.startswith("text/html")
        assert "The database is unavailable" in body
        assert "Traceback" not in body and "psycopg" not in body and "sqlalchemy" not in body
        status, content_type, body = _get(base + "/api/v1/countries")
        assert (status, content_type.split(";")[0]) == (503, "application/json"), (status, body[:300])
        assert "The database is unavailable" in body
        status, _, body = _get(base + "/healthz")
        assert status == 503, (status, body[:300])
    finally:
        cluster.start()

    assert _get(base + "/")[0] == 200  # no restart of the service needed
    assert _get(base + "/login")[0] == 200
