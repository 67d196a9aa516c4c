"""``gcm remind``: deadline reminders to focal points and nudges to the secretariat, each sent once.

For the open cycle, the focal points of every country that has not submitted (no review yet, a draft, or one
sent back for changes) are reminded once when the deadline is a week away (2 to 7 days), once when it is a day
away (0 or 1 day; a missed daily run still catches up) and, once the deadline has passed, every day it is
overdue. Secretariat reviewers get one daily nudge listing the submissions that have waited for a decision
longer than ``waiting_days``. Every notification carries a dedupe key unique per user, so a second run on the
same day sends nothing again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from app.catalog.models import Country
from app.cycles.models import ReviewCycle
from app.i18n import _, format_date, ngettext
from app.notifications import queries
from app.notifications.models import NotificationKind
from app.notifications.service import notify
from app.submissions.models import Submission, SubmissionStatus
from app.submissions.queries import get_open_cycle

NOT_SUBMITTED = (SubmissionStatus.draft, SubmissionStatus.changes_requested)


@dataclass(frozen=True)
class Sent:
    email: str
    kind: str
    message: str


def reminder_kind(cycle: ReviewCycle, today: date) -> str | None:
    days_left = (cycle.deadline - today).days
    if days_left < 0:
        return "overdue"
    if days_left <= 1:
        return "day"
    if days_left <= 7:
        return "week"
    return None


def _dedupe_key(cycle: ReviewCycle, country: Country, kind: str, today: date) -> str:
    # "week" and "day" once per cycle; "overdue" once per day.
    suffix = f":{today.isoformat()}" if kind == "overdue" else ""
    return f"remind:{cycle.id}:{country.iso3}:{kind}{suffix}"


def _message(kind: str, cycle: ReviewCycle, country: Country, today: date) -> str:
    values: dict[str, object] = {
        "cycle": cycle.name,
        "country": country.name,
        "date": format_date(cycle.deadline, format="long"),
    }
    if kind == "overdue":
        values["days"] = days = (today - cycle.deadline).days
        return (
            ngettext(
                "The voluntary GCM review of %(country)s for %(cycle)s is overdue: the deadline was %(date)s "
                "(%(days)d day ago). Please submit it as soon as you can.",
                "The voluntary GCM review of %(country)s for %(cycle)s is overdue: the deadline was %(date)s "
                "(%(days)d days ago). Please submit it as soon as you can.",
                days,
            )
            % values
        )
    if kind == "day":
        return _("Reminder: the voluntary GCM review of %(country)s for %(cycle)s is due on %(date)s.") % values
    return _("Reminder: the voluntary GCM review of %(country)s for %(cycle)s is due in a week, on %(date)s.") % values


def _not_submitted(session: Session, cycle: ReviewCycle) -> list[tuple[Country, Submission | None]]:
    submissions = {s.country_id: s for s in queries.cycle_submissions(session, cycle.id)}
    countries = queries.countries_by_name(session)
    return [
        (c, submissions.get(c.id))
        for c in countries
        if c.id not in submissions or submissions[c.id].status in NOT_SUBMITTED
    ]


def remind_focal_points(session: Session, cycle: ReviewCycle, today: date) -> list[Sent]:
    kind = reminder_kind(cycle, today)
    if kind is None:
        return []
    sent: list[Sent] = []
    for country, submission in _not_submitted(session, cycle):
        users = queries.focal_points(session, country.id)
        if not users:
            continue
        link = f"/submissions/{submission.id}" if submission else "/my"
        key = _dedupe_key(cycle, country, kind, today)
        by_id = {u.id: u for u in users}

        def message(kind: str = kind, country: Country = country) -> str:  # in each recipient's language
            return _message(kind, cycle, country, today)

        for note in notify(session, users, NotificationKind.reminder, message, link, dedupe_key=key):
            sent.append(Sent(by_id[note.user_id].email, f"reminder ({kind})", note.message))
    return sent


def nudge_secretariat(session: Session, cycle: ReviewCycle, today: date, waiting_days: int) -> list[Sent]:
    waiting = [
        (s, (today - s.submitted_at.date()).days)
        for s in queries.submitted_in_cycle(session, cycle.id)
        if s.submitted_at is not None and (today - s.submitted_at.date()).days > waiting_days
    ]
    if not waiting:
        return []

    def message() -> str:  # in each recipient's language (app.notifications.service.notify)
        listed = ", ".join(
            ngettext("%(country)s (%(days)d day)", "%(country)s (%(days)d days)", days)
            % {"country": s.country.name, "days": days}
            for s, days in waiting
        )
        return ngettext(
            "%(count)d submission has waited more than %(n)d days for a decision: %(list)s.",
            "%(count)d submissions have waited more than %(n)d days for a decision: %(list)s.",
            len(waiting),
        ) % {"count": len(waiting), "n": waiting_days, "list": listed}

    users = queries.secretariat(session)
    by_id = {u.id: u for u in users}
    key = f"nudge:{cycle.id}:{today.isoformat()}"
    return [
        Sent(by_id[note.user_id].email, "nudge", note.message)
        for note in notify(session, users, NotificationKind.nudge, message, "/review?status=submitted", dedupe_key=key)
    ]


def send_reminders(
    session: Session, *, today: date, waiting_days: int = 7, cycle: ReviewCycle | None = None
) -> list[Sent]:
    """Everything due today for the open cycle (or ``cycle``), skipping what was already sent."""
    cycle = cycle or get_open_cycle(session)
    if cycle is None:
        return []
    return [*remind_focal_points(session, cycle, today), *nudge_secretariat(session, cycle, today, waiting_days)]
