"""``gcm worker``: jobs survive a dead worker (heartbeat, recovery), are claimed once, retried with backoff, given
back on stop; mail goes through the outbox and is retried when the SMTP server fails. Real databases, real
threads and a real subprocess; each test that commits has a database of its own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from app.auth.models import Role, User
from app.config import Environment, Settings
from app.db import READ_ONLY, create_db_engine, make_sessionmaker, utcnow
from app.exports import service
from app.exports.models import Job, JobKind, JobStatus
from app.exports.worker import Heartbeat, JobWorker
from app.main import create_app
from app.notifications import mail
from app.notifications.models import NotificationKind, OutboxMail, OutboxStatus
from app.notifications.service import notify
from tests.browser.conftest import ROOT, _prepare
from tests.databases import throwaway_database
from tests.factories import make_cycle, make_user, sign_in

pytestmark = pytest.mark.usefixtures("no_worker")

LONG_AGO = timedelta(minutes=5)  # older than STALE_AFTER


@pytest.fixture
def own_db(backend: str, tmp_path: Path) -> Iterator[tuple[str, Engine, sessionmaker[Session]]]:
    """A migrated, seeded database of this test's own: workers commit, so they never share the suite's."""
    with throwaway_database(backend, tmp_path) as url:
        _prepare(url)
        engine = create_db_engine(url)
        try:
            yield url, engine, make_sessionmaker(engine)
        finally:
            engine.dispose()


def _queued_job(session: Session, owner: User | None = None, **params: object) -> int:
    owner = owner or make_user(session, role=Role.preparer)
    job = Job(kind=JobKind.synthesis, params=params or {"format": "docx"}, created_by_id=owner.id)
    session.add(job)
    session.flush()
    return job.id


def _synthesis_job(session: Session) -> int:
    cycle = make_cycle(session)
    return _queued_job(session, cycle_id=cycle.id, format="docx")


def _job(session: Session, job_id: int) -> Job:
    session.expire_all()
    job = session.get(Job, job_id)
    assert job is not None
    return job


def _status(make_session: sessionmaker[Session], job_id: int) -> JobStatus:
    """Read in a transaction of its own (a session kept open would hold SQLite's write lock against the worker)."""
    with make_session() as session:
        session.connection(execution_options=READ_ONLY)
        return _job(session, job_id).status


def _make_stale(session: Session, job_id: int, *, attempts: int = 1) -> None:
    long_ago = utcnow() - LONG_AGO
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(status=JobStatus.running, attempts=attempts, heartbeat_at=long_ago, started_at=long_ago)
    )
    session.flush()
    session.expire_all()


# ---- recovery of a job whose worker died ------------------------------------------------------------------------


@pytest.fixture
def live(own_db: tuple[str, Engine, sessionmaker]) -> Iterator[tuple[TestClient, sessionmaker[Session]]]:
    """The app on its own database, with real transactions (a page view's recovery writes in one of its own)."""
    url, _engine, make_session = own_db
    with TestClient(create_app(Settings(env=Environment.test, database_url=url)), base_url="https://127.0.0.1") as c:
        yield c, make_session


def _viewed_job(live: tuple[TestClient, sessionmaker[Session]], *, attempts: int, stale: bool) -> tuple[int, str]:
    client, make_session = live
    with make_session() as session:
        owner = make_user(session, role=Role.preparer)
        job_id = _queued_job(session, owner)
        if stale:
            _make_stale(session, job_id, attempts=attempts)
        else:
            session.execute(update(Job).where(Job.id == job_id).values(status=JobStatus.running, heartbeat_at=utcnow()))
        session.commit()
        session.refresh(owner)
        session.expunge(owner)
        session.rollback()  # no transaction left open: on SQLite it would hold the write lock against the sign-in
    sign_in(client, owner)
    first = client.get(f"/exports/jobs/{job_id}")
    assert first.status_code == 200
    return job_id, client.get(f"/exports/jobs/{job_id}").text  # the next poll (SQLite: the first kept its snapshot)


def test_a_job_with_a_stale_heartbeat_is_recovered_when_viewed(live: tuple[TestClient, sessionmaker]) -> None:
    job_id, page = _viewed_job(live, attempts=1, stale=True)
    with live[1]() as session:
        recovered = _job(session, job_id)
        assert recovered.status is JobStatus.queued and recovered.heartbeat_at is None
        assert "interrupted" in recovered.message and "Generating" not in page


def test_a_job_that_keeps_losing_its_worker_fails_when_viewed(live: tuple[TestClient, sessionmaker]) -> None:
    job_id, page = _viewed_job(live, attempts=service.MAX_ATTEMPTS, stale=True)
    assert _status(live[1], job_id) is JobStatus.failed
    assert "interrupted several times" in page


def test_a_job_with_a_fresh_heartbeat_is_left_running(live: tuple[TestClient, sessionmaker]) -> None:
    job_id, page = _viewed_job(live, attempts=1, stale=False)
    assert _status(live[1], job_id) is JobStatus.running and "Generating" in page


def test_a_stale_job_is_recovered_and_run_when_a_worker_starts(own_db: tuple[str, Engine, sessionmaker]) -> None:
    _url, _engine, make_session = own_db
    with make_session() as session:
        job_id = _synthesis_job(session)
        _make_stale(session, job_id)
        session.commit()
    worker = JobWorker(make_session, poll_seconds=0.1)
    assert worker.recover() == 1  # what run() does first
    with make_session() as session:
        assert _job(session, job_id).status is JobStatus.queued
    worker.start()
    try:
        deadline = time.monotonic() + 60
        while _status(make_session, job_id) is not JobStatus.done and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        worker.stop()
    with make_session() as session:
        job = _job(session, job_id)
        assert (job.status, job.attempts, job.progress) == (JobStatus.done, 2, 100)


def test_the_heartbeat_advances_and_notices_a_job_taken_away(own_db: tuple[str, Engine, sessionmaker]) -> None:
    _url, _engine, make_session = own_db
    with make_session() as session:
        _synthesis_job(session)
        session.commit()
        taken = service.claim(session)
        assert taken is not None
        first = _job(session, taken.job_id).heartbeat_at
    with Heartbeat(make_session, taken, interval=0.05) as beat:
        time.sleep(0.4)
        with make_session() as session:
            assert _job(session, taken.job_id).heartbeat_at > first  # type: ignore[operator]
            assert not beat.lost.is_set()
            session.execute(update(Job).where(Job.id == taken.job_id).values(status=JobStatus.queued))
            session.commit()
        deadline = time.monotonic() + 5
        while not beat.lost.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert beat.lost.is_set()


def test_an_idle_worker_looks_for_work_without_taking_the_write_lock(
    own_db: tuple[str, Engine, sessionmaker],
) -> None:
    _url, engine, make_session = own_db
    worker = JobWorker(make_session)
    # Someone is saving (on SQLite: holds the write lock) while the worker polls.
    with engine.connect() as saving, saving.begin():
        saving.execute(update(Job).where(Job.id == -1).values(progress=0))
        started = time.monotonic()
        assert worker.waiting() == (False, False)
        assert time.monotonic() - started < 2


# ---- claiming -----------------------------------------------------------------------------------------------------


def test_workers_in_threads_never_claim_the_same_job(backend: str, own_db: tuple[str, Engine, sessionmaker]) -> None:
    _url, _engine, make_session = own_db
    with make_session() as session:
        owner = make_user(session, role=Role.preparer)
        ids = {_queued_job(session, owner) for _ in range(30)}
        session.commit()
    claims: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def claimer() -> None:
        try:
            start.wait()
            with make_session() as session:
                while (taken := service.claim(session, worker=threading.current_thread().name)) is not None:
                    claims.append(taken.job_id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=claimer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert sorted(claims) == sorted(ids)  # each job exactly once, none left behind


def test_a_claim_skips_a_job_another_worker_is_claiming(backend: str, own_db: tuple[str, Engine, sessionmaker]) -> None:
    if backend != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL's; on SQLite the write lock serialises claims")
    _url, engine, make_session = own_db
    with make_session() as session:
        first, second = _queued_job(session), _queued_job(session)
        session.commit()
    with engine.connect() as other:  # another worker, in the middle of its claim: the oldest job's row is locked
        locked = other.scalar(text("SELECT id FROM job WHERE status = 'queued' ORDER BY id LIMIT 1 FOR UPDATE"))
        assert locked == first
        with make_session() as session:
            session.execute(text("SET LOCAL lock_timeout = '2s'"))  # waiting for the lock would be the bug
            taken = service.claim(session)
        assert taken is not None and taken.job_id == second
        other.rollback()


# ---- retries ------------------------------------------------------------------------------------------------------


def test_a_failing_job_is_retried_with_backoff_then_failed(session: Session) -> None:
    job_id = _queued_job(session, cycle_id="not a number", format="docx")  # int() raises: an unexpected error
    waits = []
    for attempt in range(1, service.MAX_ATTEMPTS + 1):
        assert service.run_one(session, session) == job_id
        job = _job(session, job_id)
        assert job.attempts == attempt
        if attempt < service.MAX_ATTEMPTS:
            assert job.status is JobStatus.queued and "tried again" in job.message
            assert job.next_attempt_at is not None
            waits.append(job.next_attempt_at - utcnow())
            assert service.claim(session) is None  # not due yet
            session.execute(update(Job).where(Job.id == job_id).values(next_attempt_at=utcnow() - timedelta(1)))
        else:
            assert job.status is JobStatus.failed and job.message == service.FAILED_MESSAGE
    assert waits[0] > timedelta(seconds=20) and waits[1] > waits[0] + timedelta(seconds=20)  # 30 s, then 60 s


def test_a_job_asking_for_something_impossible_fails_at_once(session: Session) -> None:
    job_id = _queued_job(session, cycle_id=987654, format="docx")
    service.run_one(session, session)
    job = _job(session, job_id)
    assert (job.status, job.attempts) == (JobStatus.failed, 1) and "no longer exists" in job.message


def test_a_stopping_worker_gives_its_job_back(session: Session) -> None:
    cycle = make_cycle(session)
    job_id = _queued_job(session, cycle_id=cycle.id, format="docx")
    taken = service.claim(session)
    assert taken is not None and taken.job_id == job_id

    def stop_asked() -> None:
        raise service.JobReleased(job_id)

    service.run_job(session, session, job_id, attempt=taken.attempt, checkpoint=stop_asked)
    job = _job(session, job_id)
    assert (job.status, job.attempts, job.worker) == (JobStatus.queued, 0, "")  # as if never started


def test_a_recovered_job_is_not_overwritten_by_its_old_run(session: Session) -> None:
    cycle = make_cycle(session)
    job_id = _queued_job(session, cycle_id=cycle.id, format="docx")
    taken = service.claim(session)
    assert taken is not None
    _make_stale(session, job_id)
    assert service.recover_stale(session) >= 1  # meanwhile: queued again
    service.run_job(session, session, job_id, attempt=taken.attempt)  # the old run wakes up and finishes
    job = _job(session, job_id)
    assert job.status is JobStatus.queued and job.progress == 0  # the guard refused every write of the old run


# ---- the process ------------------------------------------------------------------------------------------------


def test_gcm_worker_runs_a_job_delivers_mail_and_stops_on_sigterm(
    own_db: tuple[str, Engine, sessionmaker], smtp_sink: tuple[str, list[str]], tmp_path: Path
) -> None:
    url, _engine, make_session = own_db
    smtp_url, received = smtp_sink
    with make_session() as session:
        job_id = _synthesis_job(session)
        stale_id = _synthesis_job(session)
        _make_stale(session, stale_id)  # left running by a worker that was killed
        reader = make_user(session, role=Role.secretariat)
        notify(session, [reader], NotificationKind.submitted, "Fiji submitted its voluntary GCM review.")
        session.commit()
    env = {**os.environ, "GCM_DATABASE_URL": url, "GCM_ENV": "test", "GCM_SMTP_URL": smtp_url}
    gcm = Path(sys.executable).with_name("gcm")
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(gcm), "worker", "--poll", "0.2", "--heartbeat", "0.5"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and not (
                received and {_status(make_session, i) for i in (job_id, stale_id)} == {JobStatus.done}
            ):
                assert process.poll() is None, log_path.read_text()
                time.sleep(0.2)
            with make_session() as session:
                assert _job(session, job_id).status is JobStatus.done, log_path.read_text()
                assert _job(session, stale_id).status is JobStatus.done, log_path.read_text()
                assert _job(session, job_id).worker.endswith(f":{process.pid}")
            assert any(f"To: {reader.email}" in m and "Fiji submitted" in m for m in received)
            with make_session() as session:  # a PDF takes a moment: stop the worker while it runs
                cycle = make_cycle(session)
                pdf_id = _queued_job(session, cycle_id=cycle.id, format="pdf")
                session.commit()
            while _status(make_session, pdf_id) is JobStatus.queued and time.monotonic() < deadline:
                time.sleep(0.02)
            process.send_signal(signal.SIGTERM)
            assert process.wait(30) == 0, log_path.read_text()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert "stopped" in log_path.read_text()
    with make_session() as session:
        assert session.scalar(select(OutboxMail.status)) is OutboxStatus.sent
        pdf = _job(session, pdf_id)  # finished, or given back as if never started: never left "running"
        assert (pdf.status, pdf.attempts) in {(JobStatus.done, 1), (JobStatus.queued, 0)}, (pdf.status, pdf.message)


# ---- the mail outbox ----------------------------------------------------------------------------------------------


def test_mail_is_written_to_the_outbox_at_commit_not_sent(session: Session) -> None:
    reader = make_user(session, role=Role.secretariat)
    before = set(session.scalars(select(OutboxMail.id)))
    with session.begin_nested():
        notify(session, [reader], NotificationKind.submitted, "Samoa submitted its voluntary GCM review.")
    assert not set(session.scalars(select(OutboxMail.id))) - before  # a savepoint: not yet
    session.commit()  # the test's outer transaction is still rolled back at the end
    rows = session.scalars(select(OutboxMail).where(OutboxMail.id.not_in(before or {0}))).all()
    assert [(m.recipient, m.status, m.attempts) for m in rows] == [(reader.email, OutboxStatus.pending, 0)]
    assert "Samoa submitted" in rows[0].body


def test_the_worker_retries_mail_after_an_smtp_failure(
    own_db: tuple[str, Engine, sessionmaker], smtp_sink: tuple[str, list[str]]
) -> None:
    url, _engine, make_session = own_db
    smtp_url, received = smtp_sink
    with make_session() as session:
        reader = make_user(session, role=Role.secretariat)
        notify(session, [reader], NotificationKind.submitted, "Tonga submitted its voluntary GCM review.")
        session.commit()

    def worker(smtp: str) -> JobWorker:
        return JobWorker(make_session, settings=Settings(env=Environment.test, database_url=url, smtp_url=smtp))

    assert worker("smtp://127.0.0.1:1").deliver_mail() == 0  # nobody listens there
    with make_session() as session:
        row = session.scalars(select(OutboxMail)).one()
        assert (row.status, row.attempts) == (OutboxStatus.pending, 1) and row.last_error
        assert row.next_attempt_at > utcnow() + timedelta(seconds=30)  # backoff: not tried again at once
    assert worker(smtp_url).deliver_mail() == 0 and not received  # still waiting
    with make_session() as session:
        session.execute(update(OutboxMail).values(next_attempt_at=utcnow()))
        session.commit()
    assert worker(smtp_url).deliver_mail() == 1
    assert len(received) == 1 and f"To: {reader.email}" in received[0] and "Tonga submitted" in received[0]
    with make_session() as session:
        row = session.scalars(select(OutboxMail)).one()
        assert (row.status, row.attempts, row.last_error) == (OutboxStatus.sent, 2, "")
    assert worker(smtp_url).deliver_mail() == 0 and len(received) == 1  # sent once


def test_mail_is_given_up_after_its_last_attempt(own_db: tuple[str, Engine, sessionmaker]) -> None:
    _url, _engine, make_session = own_db
    with make_session() as session:
        reader = make_user(session, role=Role.secretariat)
        notify(session, [reader], NotificationKind.submitted, "Nauru submitted its voluntary GCM review.")
        session.commit()
        session.execute(update(OutboxMail).values(attempts=mail.MAX_ATTEMPTS - 1))
        session.commit()
        run = mail.deliver_outbox(session, smtp_url="smtp://127.0.0.1:1", mail_from="x@y")
        assert (run.sent, run.retried, run.failed) == (0, 0, 1)
        assert session.scalars(select(OutboxMail.status)).one() is OutboxStatus.failed


# ---- deployment -------------------------------------------------------------------------------------------------


def test_compose_and_scripts_start_run_workers_beside_the_server() -> None:
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    worker = compose["services"]["worker"]
    assert worker["command"] == ["gcm", "worker"] and worker["deploy"]["replicas"] == "${GCM_WORKER_REPLICAS:-2}"
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert worker["stop_grace_period"]
    start = (ROOT / "scripts" / "start").read_text(encoding="utf-8")
    assert "gcm worker &" in start and "trap " in start and "kill -TERM" in start
