"""`gcm remind`: deadline reminders to the focal points of countries that have not submitted, nudges to the
secretariat about long waits; each sent once, whatever how often it runs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app import config, db
from app.auth.models import Role, User
from app.cli import cli
from app.cycles.models import ReviewCycle
from app.i18n import format_date, use_locale
from app.migrate import upgrade
from app.notifications.mail import deliver_outbox
from app.notifications.models import Notification, NotificationKind, OutboxMail, OutboxStatus
from app.notifications.reminders import send_reminders
from app.seed import seed_reference_data
from app.submissions import service as submissions
from tests.databases import throwaway_database
from tests.factories import complete_submission, make_cycle, make_submission, make_user


def _remind(session: Session, cycle: ReviewCycle, days_before_deadline: int, waiting_days: int = 365) -> list[str]:
    today = cycle.deadline - timedelta(days=days_before_deadline)
    sent = send_reminders(session, today=today, waiting_days=waiting_days, cycle=cycle)
    return sorted(f"{s.kind} {s.email}" for s in sent)


def test_week_before_the_deadline_reminds_the_countries_that_have_not_submitted(session: Session) -> None:
    cycle = make_cycle(session, days_to_deadline=30)
    late = make_user(session, role=Role.focal_point, country="PHL")  # a draft
    late_colleague = make_user(session, role=Role.focal_point, country="PHL")
    not_started = make_user(session, role=Role.focal_point, country="NPL")  # no review yet
    done = make_user(session, role=Role.focal_point, country="MYS")  # submitted
    make_submission(session, focal_point=late, cycle=cycle)
    submitted = make_submission(session, focal_point=done, cycle=cycle)
    complete_submission(session, submitted)
    submissions.submit(session, user=done, submission=submitted)
    make_user(session, role=Role.secretariat)

    assert _remind(session, cycle, 10) == []  # nothing due yet
    sent = _remind(session, cycle, 7)
    assert sent == sorted(f"reminder (week) {u.email}" for u in (late, late_colleague, not_started))
    assert _remind(session, cycle, 7) == []  # the same day again: nothing twice
    assert _remind(session, cycle, 5) == []  # the week's reminder went already
    assert _remind(session, cycle, 1) == sorted(
        f"reminder (day) {u.email}" for u in (late, late_colleague, not_started)
    )
    notes = session.scalars(select(Notification).where(Notification.user_id == not_started.id)).all()
    assert [n.link for n in notes] == ["/my", "/my"] and "due in a week" in notes[0].message


def test_overdue_reminds_every_day_once(session: Session) -> None:
    cycle = make_cycle(session, days_to_deadline=30)
    late = make_user(session, role=Role.focal_point, country="PHL")
    sent = _remind(session, cycle, -3)
    assert sent == [f"reminder (overdue) {late.email}"]
    assert _remind(session, cycle, -3) == []
    assert _remind(session, cycle, -4) == [f"reminder (overdue) {late.email}"]
    message = session.scalars(select(Notification.message).where(Notification.user_id == late.id)).first()
    assert message is not None and "overdue" in message and "3 days ago" in message


def test_secretariat_is_nudged_about_long_waits_once_a_day(session: Session) -> None:
    cycle = make_cycle(session, days_to_deadline=30)
    focal = make_user(session, role=Role.focal_point, country="PHL")
    reviewers = [make_user(session, role=Role.secretariat) for _ in range(2)]
    admin = make_user(session, role=Role.admin)
    submission = make_submission(session, focal_point=focal, cycle=cycle)
    complete_submission(session, submission)
    submissions.submit(session, user=focal, submission=submission)
    assert submission.submitted_at is not None
    submitted_on = submission.submitted_at.date()
    waited = (cycle.deadline - submitted_on).days  # on the deadline day, the wait so far
    assert waited > 7
    sent = _remind(session, cycle, 0, waiting_days=waited - 1)
    assert sent == sorted(f"nudge {u.email}" for u in reviewers)
    assert _remind(session, cycle, 0, waiting_days=waited - 1) == []
    assert _remind(session, cycle, 0, waiting_days=waited) == []  # same day: already nudged
    assert admin.id not in {n.user_id for n in session.scalars(select(Notification))}
    stmt = select(Notification).where(
        Notification.user_id == reviewers[0].id, Notification.kind == NotificationKind.nudge
    )
    note = session.scalars(stmt).one()
    assert f"Philippines ({waited} days)" in note.message


# ---- the command, against a fresh database -----------------------------------------------------------------------


@pytest.fixture
def cli_db(backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    def clear() -> None:
        if db.get_sessionmaker.cache_info().currsize:
            db.get_engine().dispose()
        for cached in (config.get_settings, db.get_engine, db.get_sessionmaker):
            cached.cache_clear()

    with throwaway_database(backend, tmp_path) as url:
        monkeypatch.setenv("GCM_DATABASE_URL", url)
        monkeypatch.delenv("GCM_SMTP_URL", raising=False)
        clear()
        try:
            yield url
        finally:
            clear()


def test_gcm_remind_prints_what_it_sent_and_sends_nothing_twice(cli_db: str) -> None:
    runner = CliRunner()
    upgrade("head", database_url=cli_db)
    with db.get_sessionmaker()() as session:
        seed_reference_data(session)
        cycle = make_cycle(session, days_to_deadline=30)
        focal: User = make_user(session, role=Role.focal_point, country="PHL")
        deadline, email = cycle.deadline, focal.email
        session.commit()
    today = (deadline - timedelta(days=1)).isoformat()
    first = runner.invoke(cli, ["remind", "--today", today])
    assert first.exit_code == 0, first.output
    assert "reminder (day)" in first.output and email in first.output and "1 notification(s) sent." in first.output
    with db.get_sessionmaker()() as session:  # the mail waits in the outbox for gcm worker, committed with the rest
        outbox = session.scalars(select(OutboxMail)).all()
        assert [(m.recipient, m.status) for m in outbox] == [(email, OutboxStatus.pending)]
        # Our own handler: alembic.ini's logging configuration (run by the migrations) replaces caplog's.
        logged: list[str] = []
        handler = logging.Handler(logging.INFO)
        handler.emit = lambda record: logged.append(record.getMessage())  # type: ignore[method-assign]
        mail_log = logging.getLogger("gcm.mail")
        mail_log.addHandler(handler)
        mail_log.setLevel(logging.INFO)
        try:
            assert deliver_outbox(session, smtp_url="", mail_from="x@y").sent == 1
        finally:
            mail_log.removeHandler(handler)
            mail_log.setLevel(logging.NOTSET)
    assert any(f"Mail to {email}" in line for line in logged)  # no GCM_SMTP_URL: the mail goes to the log
    second = runner.invoke(cli, ["remind", "--today", today])
    assert second.exit_code == 0 and "0 notification(s) sent." in second.output
    with db.get_sessionmaker()() as session:
        assert session.scalar(select(func.count(Notification.id))) == 1
    assert runner.invoke(cli, ["remind", "--today", "tomorrow"]).exit_code != 0


def test_each_recipient_is_reminded_in_their_own_language(session: Session) -> None:
    cycle = make_cycle(session, days_to_deadline=30)
    french = make_user(session, role=Role.focal_point, country="PHL")
    english = make_user(session, role=Role.focal_point, country="PHL")  # no language chosen: English
    french.language = "fr"
    session.flush()
    with use_locale("fr"):  # whatever the language of the run, each recipient's own
        _remind(session, cycle, 7)
        in_french = format_date(cycle.deadline, format="long")
    in_english = format_date(cycle.deadline, format="long")
    notes = {
        n.user_id: n.message
        for n in session.scalars(select(Notification).where(Notification.user_id.in_((french.id, english.id))))
    }
    assert in_french in notes[french.id] and in_english not in notes[french.id]
    assert in_english in notes[english.id]
