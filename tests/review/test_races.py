"""Decisions that race, with real threads and connections on a database of this module's own (committed data):
two submits at once, and an approval while a focal point reopens a thread. Each ends in one winner and a 409."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, Select, select
from sqlalchemy.orm import Session, selectinload

from app.auth.models import Role, User
from app.comments import service as comments
from app.comments.models import CommentThread, ThreadStatus
from app.db import create_db_engine
from app.errors import Conflict
from app.migrate import upgrade
from app.review import service as review
from app.seed import seed_reference_data
from app.submissions import queries
from app.submissions import service as submissions
from app.submissions.models import Submission, SubmissionStatus
from tests.databases import throwaway_database
from tests.factories import complete_submission, make_cycle, make_submission, make_user


@pytest.fixture(scope="module")
def own_engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with throwaway_database(backend, tmp_path_factory.mktemp(f"races-{backend}")) as url:
        upgrade("head", database_url=url)
        engine = create_db_engine(url)
        with Session(engine) as session:
            seed_reference_data(session)
            session.commit()
        yield engine
        engine.dispose()


def _review(engine: Engine, country: str, *, submitted: bool) -> tuple[int, int, int]:
    """A complete review of ``country`` (submitted, with a resolved thread, if asked): its id, focal point, reviewer."""
    with Session(engine, expire_on_commit=False) as session:
        session.info["audit_disabled"] = True
        focal = make_user(session, role=Role.focal_point, country=country)
        reviewer = make_user(session, role=Role.secretariat)
        submission = make_submission(session, focal_point=focal, cycle=make_cycle(session))
        complete_submission(session, submission)
        if submitted:
            submissions.submit(session, user=focal, submission=submission)
            thread = comments.open_thread(
                session, user=reviewer, submission=submission, part="objective:1", body="Which year?"
            )
            comments.reply(session, user=focal, submission=submission, thread=thread, body="2024.")
            comments.resolve(session, user=reviewer, submission=submission, thread=thread, version=None)
        session.commit()
        return submission.id, focal.id, reviewer.id


def _thread(submission_id: int) -> Select[tuple[CommentThread]]:
    """The review's thread with its comments, as the pages load it."""
    stmt = select(CommentThread).where(CommentThread.submission_id == submission_id)
    return stmt.options(selectinload(CommentThread.comments))


def _outcome(work: Callable[[], Any]) -> str:
    try:
        work()
    except Conflict:
        return "conflict"
    except Exception as exc:  # a 500 in the service
        return f"error: {exc!r}"
    return "ok"


def test_two_submits_at_once_give_one_submission_and_a_conflict(own_engine: Engine, backend: str) -> None:
    submission_id, focal_id, _reviewer = _review(own_engine, "PHL", submitted=False)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit() -> None:
        with Session(own_engine) as session:
            if backend == "sqlite":  # a writer holds SQLite's lock from its first read: load after the start
                barrier.wait()
            submission = queries.get_submission(session, submission_id)
            user = session.get(User, focal_id)
            assert submission is not None and user is not None
            if backend != "sqlite":  # both have read the draft before either submits
                barrier.wait()

            def work() -> None:
                submissions.submit(session, user=user, submission=submission)
                session.commit()

            outcomes.append(_outcome(work))

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["conflict", "ok"]


def test_an_approval_waits_for_a_thread_being_reopened_and_is_refused(own_engine: Engine) -> None:
    submission_id, focal_id, reviewer_id = _review(own_engine, "THA", submitted=True)
    focal_session = Session(own_engine)
    outcome: list[str] = []
    try:
        submission = queries.get_submission(focal_session, submission_id)
        focal = focal_session.get(User, focal_id)
        thread = focal_session.scalars(_thread(submission_id)).one()
        assert submission is not None and focal is not None
        # The focal point answers the resolved thread, which reopens it, and has not committed yet...
        comments.reply(focal_session, user=focal, submission=submission, thread=thread, body="One more figure.")
    except BaseException:
        focal_session.close()
        raise

    def approve() -> None:  # ...while a reviewer approves.
        with Session(own_engine) as session:

            def work() -> None:
                loaded = queries.get_submission(session, submission_id)
                reviewer = session.get(User, reviewer_id)
                assert loaded is not None and reviewer is not None
                review.approve(session, user=reviewer, submission=loaded, version=None)
                session.commit()

            outcome.append(_outcome(work))

    approving = threading.Thread(target=approve)
    approving.start()
    approving.join(1.0)  # the approval is waiting for the review's lock (SQLite: for the write lock)
    focal_session.commit()
    focal_session.close()
    approving.join(60)
    assert outcome == ["conflict"]
    with Session(own_engine) as session:
        assert session.get(Submission, submission_id).status is SubmissionStatus.submitted  # type: ignore[union-attr]
        threads = session.scalars(select(CommentThread.status).where(CommentThread.submission_id == submission_id))
        assert list(threads) == [ThreadStatus.open]


def test_a_reply_after_an_approval_is_refused_and_reopens_nothing(own_engine: Engine) -> None:
    submission_id, focal_id, reviewer_id = _review(own_engine, "VNM", submitted=True)
    with Session(own_engine) as session:
        submission = queries.get_submission(session, submission_id)
        reviewer = session.get(User, reviewer_id)
        assert submission is not None and reviewer is not None
        review.approve(session, user=reviewer, submission=submission, version=None)
        session.commit()
    with Session(own_engine) as session:
        submission = queries.get_submission(session, submission_id)
        focal = session.get(User, focal_id)
        thread = session.scalars(_thread(submission_id)).one()
        assert submission is not None and focal is not None
        with pytest.raises(Conflict, match="accepted"):
            comments.reply(session, user=focal, submission=submission, thread=thread, body="Late answer.")
        session.rollback()
        assert session.get(CommentThread, thread.id).status is ThreadStatus.resolved  # type: ignore[union-attr]
