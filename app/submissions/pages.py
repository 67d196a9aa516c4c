"""The submission's page and what its forms share (used by the submissions' and the review's routes)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.responses import Response

from app.auth.models import Role, User
from app.comments import panels as comment_panels
from app.db import SessionDep
from app.i18n import _
from app.submissions import queries, service
from app.submissions.changes import changes_since_review, part_keys
from app.submissions.models import ObjectiveReport, Submission, SubmissionSection, SubmissionStatus
from app.submissions.rules import REPORT_FIELDS
from app.visibility import Aspect, reads_everything
from app.web.templating import render


def can_edit(user: User, submission: Submission, part: SubmissionSection | ObjectiveReport | None = None) -> bool:
    """May this user change the submission (or this part of it) now?"""
    mine = user.role is Role.focal_point and user.country_id == submission.country_id
    if part is None:
        return mine and submission.status in service.EDITABLE
    return mine and service.is_part_editable(submission, part)


def field_labels() -> dict[str, str]:
    """The forms' field names as the pages show them."""
    return {
        "body": _("Text"),
        "reporting": _("Reported this cycle"),
        "not_reported_reason": _("Reason"),
        "progress_rating": _("Progress rating"),
        "principles": _("Guiding principles applied"),
        "commitments": _("Linked commitments"),
        **{spec.name: spec.label for spec in REPORT_FIELDS},
    }


def detail_response(
    request: Request, session: SessionDep, submission: Submission, *, status_code: int = 200, **extra: Any
) -> Response:
    """The submission's page: checklist, the decisions on record, and the forms the user may use."""
    user = request.state.user_session.user
    checklist = service.checklist(submission)
    context = {
        "submission": submission,
        "checklist": checklist,
        "part_labels": {item.key: item.label for item in checklist},
        "can_edit": can_edit(user, submission),
        "reviews": reads_everything(user) and user.role in (Role.secretariat, Role.admin),
        "decisions": queries.list_decisions(session, submission.id)
        if service.can_read(user, submission, Aspect.decisions)
        else [],
        "reopened": {k for k in part_keys(submission) if _is_reopened(submission, k)},
        "missing": {},
        "decision_form": {"reason": "", "parts": [], "error": "", "field": None},
        "panels": comment_panels.all_panels(session, user, submission),
        "changes": changes_since_review(session, submission) if reads_everything(user) else {},
        "field_labels": field_labels(),
        **extra,
    }
    return render(request, "submissions/detail.html", context, status_code=status_code)


def _is_reopened(submission: Submission, key: str) -> bool:
    kind, ref = key.split(":")
    if submission.status is not SubmissionStatus.changes_requested:
        return False
    if kind == "section":
        return any(s.reopened for s in submission.sections if s.key.value == ref)
    return any(r.reopened for r in submission.objective_reports if str(r.objective.number) == ref)
