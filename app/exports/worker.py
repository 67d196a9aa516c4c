"""The job worker: ``gcm worker``, a process of its own that runs queued report jobs and delivers the mail outbox.

Run one or more beside the web service (``scripts/start`` does; docker-compose.yml has a ``worker`` service with two
replicas). Each job runs with sessions of its own while a heartbeat thread writes ``job.heartbeat_at``; a worker
that dies leaves a stale heartbeat, and its job is recovered (queued again, or failed after MAX_ATTEMPTS runs) by
the next worker to start or claim, or when someone views the job (``service.recover_stale``). SIGTERM/SIGINT stop
the worker cleanly: the current job is given back to the queue at its next progress step (or finishes, if it is
past its last one), mail being sent is finished.

The web process starts no worker. For development or a test, ``app.state.job_worker_autostart = True`` starts one
as a thread in the web process when a job is created or viewed (the former default).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings, get_settings
from app.db import READ_ONLY, utcnow
from app.exports import service
from app.exports.models import Job, JobStatus
from app.notifications import mail

log = logging.getLogger("gcm.jobs")

IDLE_SECONDS = 2.0  # how often an idle worker looks for jobs and mail
_lock = threading.Lock()


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Heartbeat:
    """While a job runs: every ``interval`` seconds, ``heartbeat_at = now`` on its row, from a thread and a session
    of its own (so a long PDF layout, which reports no progress, still shows the worker alive). If the row is no
    longer this run's (recovered meanwhile), ``lost`` is set and the job stops at its next step."""

    def __init__(self, make_session: sessionmaker[Session], claim: service.Claim, interval: float) -> None:
        self._make_session = make_session
        self._claim = claim
        self._interval = interval
        self._done = threading.Event()
        self.lost = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"gcm-job-{claim.job_id}-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._done.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._done.wait(self._interval):
            try:
                with self._make_session() as session:
                    result = session.execute(
                        update(Job)
                        .where(
                            Job.id == self._claim.job_id,
                            Job.status == JobStatus.running,
                            Job.attempts == self._claim.attempt,
                        )
                        .values(heartbeat_at=utcnow())
                        .execution_options(synchronize_session=False)
                    )
                    session.commit()
                if result.rowcount == 0:  # type: ignore[attr-defined]
                    self.lost.set()
                    return
            except Exception:  # the database is away for a moment: try again at the next beat
                log.warning("job %s: could not write its heartbeat", self._claim.job_id, exc_info=True)


class JobWorker:
    def __init__(
        self,
        make_session: sessionmaker[Session],
        *,
        name: str | None = None,
        poll_seconds: float = IDLE_SECONDS,
        heartbeat_seconds: float = service.HEARTBEAT_SECONDS,
        stale_after: timedelta = service.STALE_AFTER,
        settings: Settings | None = None,
    ) -> None:
        self._make_session = make_session
        self._settings = settings  # None: the process's (GCM_SMTP_URL, GCM_MAIL_FROM)
        self.name = name or worker_name()
        self.poll_seconds = poll_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.stale_after = stale_after
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ---- one step each ----------------------------------------------------------------------------------------

    def recover(self) -> int:
        """Recover the jobs of workers that died (stale heartbeat); how many."""
        with self._make_session() as session:
            count = service.recover_stale(session, stale_after=self.stale_after)
            session.commit()
        return count

    def run_once(self) -> int | None:
        """Claim and run one job with fresh sessions: the write session records, the read session reads."""
        with self._make_session() as write:
            taken = service.claim(write, worker=self.name, stale_after=self.stale_after)
            if taken is None:
                return None
            with Heartbeat(self._make_session, taken, self.heartbeat_seconds) as heartbeat:

                def checkpoint() -> None:
                    if heartbeat.lost.is_set():
                        raise service.JobLost(taken.job_id)
                    if self._stop.is_set():
                        raise service.JobReleased(taken.job_id)

                with self._make_session() as read:
                    read.connection(execution_options=READ_ONLY)  # SQLite: a reader never holds the write lock
                    service.run_job(read, write, taken.job_id, attempt=taken.attempt, checkpoint=checkpoint)
                    read.rollback()
        return taken.job_id

    def waiting(self) -> tuple[bool, bool]:
        """(mail due, jobs to claim or recover), read in a read-only transaction: idle polls never write."""
        with self._make_session() as session:
            session.connection(execution_options=READ_ONLY)
            return mail.mail_waiting(session), service.work_waiting(session, stale_after=self.stale_after)

    def deliver_mail(self) -> int:
        """Send the outbox's due mail; how many were sent."""
        settings = self._settings or get_settings()
        with self._make_session() as session:
            return mail.deliver_outbox(session, smtp_url=settings.smtp_url, mail_from=settings.mail_from).sent

    # ---- the loop -----------------------------------------------------------------------------------------------

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def request_stop(self) -> None:
        """Stop after the current step (a running job is given back at its next progress step)."""
        self._stop.set()
        self._wake.set()

    def wake(self) -> None:
        self._wake.set()

    def run(self) -> None:
        """Recover, then deliver mail and run jobs until ``request_stop()``."""
        try:
            self.recover()
        except Exception:
            log.exception("the job worker could not recover stale jobs at start")
        while not self._stop.is_set():
            ran = None
            try:
                mail_due, jobs_due = self.waiting()
                if mail_due:
                    self.deliver_mail()
                if jobs_due and not self._stop.is_set():
                    ran = self.run_once()
            except Exception:  # the database went away, a lock timed out...: log, wait, try again
                log.exception("the job worker failed to run a job")
            if ran is None:
                self._wake.wait(self.poll_seconds)
                self._wake.clear()

    # ---- as a thread (development and tests only) -------------------------------------------------------------

    def start(self) -> None:
        with _lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self.run, name="gcm-job-worker", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 30) -> None:
        self.request_stop()
        if self._thread is not None:
            self._thread.join(timeout)


def worker_for(app: FastAPI) -> JobWorker | None:
    """The app's in-process worker, started if asked for (``app.state.job_worker_autostart = True``); else None."""
    if not getattr(app.state, "job_worker_autostart", False):
        return None
    with _lock:
        worker: JobWorker | None = getattr(app.state, "job_worker", None)
        if worker is None:
            worker = JobWorker(app.state.sessionmaker)
            app.state.job_worker = worker
    worker.start()
    return worker
