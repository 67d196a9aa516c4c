"""The job worker: a thread in the web process that runs queued jobs, each with sessions of its own.

Started lazily (when a job is created or a queued job is looked at) so that importing or testing the app starts no
thread. Every instance of the service runs one; they share the job table (see ``service.claim_next``).
"""

from __future__ import annotations

import logging
import threading

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from app.db import READ_ONLY
from app.exports import service

log = logging.getLogger("gcm.jobs")

IDLE_SECONDS = 2.0  # how often an idle worker looks for jobs queued by other instances
_lock = threading.Lock()


class JobWorker:
    def __init__(self, make_session: sessionmaker[Session]) -> None:
        self._make_session = make_session
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with _lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="gcm-job-worker", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run_once(self) -> int | None:
        """Claim and run one job with fresh sessions: the write session records, the read session reads."""
        with self._make_session() as write:
            job_id = service.claim_next(write)
            if job_id is None:
                return None
            with self._make_session() as read:
                read.connection(execution_options=READ_ONLY)  # SQLite: a reader never holds the write lock
                service.run_job(read, write, job_id)
                read.rollback()
        return job_id

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                ran = self.run_once()
            except Exception:  # the database went away, a lock timed out...: log, wait, try again
                log.exception("the job worker failed to run a job")
                ran = None
            if ran is None:
                self._wake.wait(IDLE_SECONDS)
                self._wake.clear()


def worker_for(app: FastAPI) -> JobWorker | None:
    """The app's worker, started if needed (None when the app runs without one, e.g. in unit tests)."""
    if not getattr(app.state, "job_worker_autostart", True):
        return None
    with _lock:
        worker: JobWorker | None = getattr(app.state, "job_worker", None)
        if worker is None:
            worker = JobWorker(app.state.sessionmaker)
            app.state.job_worker = worker
    worker.start()
    return worker
