"""What the country's focal points are told about the secretariat's decisions (through app.notifications).

Here rather than in app.notifications, so that review uses notifications and notifications know nothing of review."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.auth.models import User
from app.i18n import LazyLabels, lazy_gettext
from app.notifications import queries as notification_queries
from app.notifications.models import NotificationKind
from app.notifications.service import country_name, excerpt, notify
from app.review.models import DecisionKind, ReviewDecision
from app.submissions.models import Submission

DECISION_MESSAGES = LazyLabels(
    {
        DecisionKind.request_changes: lazy_gettext(
            "The ESCAP secretariat asked for changes to the voluntary GCM review of %(country)s: %(reason)s"
        ),
        DecisionKind.approve: lazy_gettext("The ESCAP secretariat approved the voluntary GCM review of %(country)s."),
        DecisionKind.publish: lazy_gettext("The ESCAP secretariat published the voluntary GCM review of %(country)s."),
        DecisionKind.reopen: lazy_gettext(
            "The ESCAP secretariat reopened the voluntary GCM review of %(country)s: %(reason)s"
        ),
    }
)


def decision_made(
    session: Session,
    submission: Submission,
    decision: ReviewDecision,
    reviewer: User,
    part_reasons: dict[str, str] | None = None,
) -> None:
    """Tell the country's focal points about the secretariat's decision (its reason, else the first part's)."""
    if decision.kind not in DECISION_MESSAGES:
        return
    reason = decision.reason or next(iter((part_reasons or {}).values()), "")
    values = {"country": country_name(session, submission), "reason": excerpt(reason)}

    def message() -> str:  # in each focal point's own language (app.notifications.service.notify)
        return DECISION_MESSAGES[decision.kind] % values

    users = notification_queries.focal_points(session, submission.country_id)
    notify(session, users, NotificationKind.decision, message, f"/submissions/{submission.id}", exclude=reviewer)
