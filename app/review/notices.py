"""What the country's focal points are told about the secretariat's decisions (through app.notifications).

Here rather than in app.notifications, so that review uses notifications and notifications know nothing of review."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.auth.models import User
from app.i18n import _
from app.notifications import queries as notification_queries
from app.notifications.models import NotificationKind
from app.notifications.service import country_name, excerpt, notify
from app.review.models import DecisionKind, ReviewDecision
from app.submissions.models import Submission

DECISION_MESSAGES = {
    DecisionKind.request_changes: _(
        "The ESCAP secretariat asked for changes to the voluntary GCM review of %(country)s: %(reason)s"
    ),
    DecisionKind.approve: _("The ESCAP secretariat approved the voluntary GCM review of %(country)s."),
    DecisionKind.publish: _("The ESCAP secretariat published the voluntary GCM review of %(country)s."),
    DecisionKind.reopen: _("The ESCAP secretariat reopened the voluntary GCM review of %(country)s: %(reason)s"),
}


def decision_made(session: Session, submission: Submission, decision: ReviewDecision, reviewer: User) -> None:
    """Tell the country's focal points about the secretariat's decision."""
    template = DECISION_MESSAGES.get(decision.kind)
    if template is None:
        return
    message = template % {"country": country_name(session, submission), "reason": excerpt(decision.reason)}
    users = notification_queries.focal_points(session, submission.country_id)
    notify(session, users, NotificationKind.decision, message, f"/submissions/{submission.id}", exclude=reviewer)
