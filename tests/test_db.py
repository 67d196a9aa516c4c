"""Database behaviour the rest relies on: SQLite settings, optimistic locking, UTC timestamps, audit trail."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.audit.models import AuditAction, AuditEvent
from app.cycles.models import CycleStatus, ReviewCycle
from app.db import create_db_engine, utcnow
from app.migrate import upgrade
from tests.factories import make_user


def make_cycle(session: Session, name: str = "Test cycle") -> ReviewCycle:
    today = utcnow().date()
    cycle = ReviewCycle(name=name, opens_on=today, deadline=today, closes_on=today, status=CycleStatus.open)
    session.add(cycle)
    session.flush()
    return cycle


def test_sqlite_uses_wal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_sqlite_concurrent_writers_wait_instead_of_failing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    upgrade("head", database_url=url)
    engine = create_db_engine(url)
    errors: list[BaseException] = []
    first_has_lock = threading.Event()

    def slow_writer() -> None:
        with Session(engine) as session:
            make_cycle(session, "slow")
            first_has_lock.set()
            time.sleep(0.5)  # hold the write lock
            session.commit()

    def second_writer() -> None:
        first_has_lock.wait(5)
        try:
            with Session(engine) as session:
                make_cycle(session, "second")
                session.commit()
        except BaseException as exc:  # pragma: no cover - the failure this test guards against
            errors.append(exc)

    threads = [threading.Thread(target=slow_writer), threading.Thread(target=second_writer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    with Session(engine) as session:
        names = set(session.scalars(select(ReviewCycle.name)))
    engine.dispose()
    assert errors == []
    assert names == {"slow", "second"}


def test_second_editor_with_a_stale_version_cannot_overwrite(engine, session: Session) -> None:
    cycle = make_cycle(session)
    session.commit()  # releases the savepoint; the row stays in the test transaction
    assert cycle.version == 1
    # Another editor saved in the meantime: the row's version moved on.
    bump = text("UPDATE review_cycle SET version = version + 1, name = 'Theirs' WHERE id = :id")
    session.execute(bump, {"id": cycle.id})
    cycle.name = "Mine"
    with pytest.raises(StaleDataError):
        session.flush()


def test_version_increments_on_each_update(session: Session) -> None:
    cycle = make_cycle(session)
    cycle.description = "first"
    session.flush()
    cycle.description = "second"
    session.flush()
    assert cycle.version == 3


def test_timestamps_are_timezone_aware_utc(session: Session) -> None:
    cycle = make_cycle(session)
    session.expire_all()
    loaded = session.get(ReviewCycle, cycle.id)
    assert loaded.created_at.tzinfo is not None
    assert loaded.created_at.utcoffset().total_seconds() == 0


def test_audit_trail_records_who_what_before_and_after(session: Session) -> None:
    actor = make_user(session)
    session.info["user_id"] = actor.id
    try:
        cycle = make_cycle(session, "Audited")
        cycle.description = "changed"
        session.flush()
        session.delete(cycle)
        session.flush()
    finally:
        session.info.pop("user_id")
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "review_cycle").order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == [AuditAction.create, AuditAction.update, AuditAction.delete]
    created, updated, deleted = events
    assert {e.user_id for e in events} == {actor.id}
    assert created.before is None and created.after["name"] == "Audited"
    assert updated.before["description"] == "" and updated.after["description"] == "changed"
    assert deleted.before["name"] == "Audited" and deleted.after is None
    assert created.entity_id == str(cycle.id)


def test_audit_trail_never_copies_password_hashes(session: Session) -> None:
    user = make_user(session)
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "user_account", AuditEvent.entity_id == str(user.id))
    ).one()
    assert event.after["password_hash"] == "(set)"
    assert user.password_hash and user.password_hash not in str(event.after)


def test_audit_trail_records_nothing_of_a_failed_flush_that_was_retried(session: Session) -> None:
    """A service that retries after an IntegrityError (a reference race) leaves no trace of the failed attempt."""
    from sqlalchemy.exc import IntegrityError

    taken = ReviewCycle(
        name="Taken name", opens_on=utcnow().date(), deadline=utcnow().date(), closes_on=utcnow().date()
    )
    session.add(taken)
    session.flush()
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(ReviewCycle(id=taken.id, name="Never existed", opens_on=taken.opens_on,
                                deadline=taken.deadline, closes_on=taken.closes_on))  # fmt: skip
        session.flush()
    retried = ReviewCycle(name="The retry", opens_on=taken.opens_on, deadline=taken.deadline, closes_on=taken.closes_on)
    session.add(retried)
    session.flush()
    created = session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "review_cycle", AuditEvent.action == AuditAction.create)
    ).all()
    names = sorted(str((e.after or {}).get("name")) for e in created)
    assert "Never existed" not in names
    assert {"Taken name", "The retry"} <= set(names)
