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
from app.submissions.models import (
    DecisionKind,
    ObjectiveReport,
    ReviewDecision,
    Submission,
    SubmissionSection,
    SubmissionStatus,
)
from app.visibility import Aspect, reads_everything
from app.web.templating import render


def can_edit(user: User, submission: Submission, part: SubmissionSection | ObjectiveReport | None = None) -> bool:
    """May this user change the submission (or this part of it) now?"""
    mine = user.role is Role.focal_point and user.country_id == submission.country_id
    if part is None:
        return mine and submission.status in service.EDITABLE
    return mine and service.is_part_editable(submission, part)


def field_labels(session: SessionDep, submission: Submission) -> dict[str, str]:
    """The questions' keys as the pages show them (their labels in the cycle's questionnaire)."""
    definition = service.definition_of(session, submission)
    labels = {q.key: q.text() for q in definition.objective_questions}
    labels.update({q.key: q.text() for s in definition.sections for q in s.questions})
    return labels


def detail_response(
    request: Request, session: SessionDep, submission: Submission, *, status_code: int = 200, **extra: Any
) -> Response:
    """The submission's page: checklist, the decisions on record, and the forms the user may use."""
    user = request.state.user_session.user
    checklist = service.checklist(session, submission)
    decisions = (
        queries.list_decisions(session, submission.id) if service.can_read(user, submission, Aspect.decisions) else []
    )
    context = {
        "submission": submission,
        "checklist": checklist,
        "part_labels": {item.key: item.label for item in checklist},
        "can_edit": can_edit(user, submission),
        "reviews": reads_everything(user) and user.role in (Role.secretariat, Role.admin),
        "decisions": decisions,
        "decision_reasons": decision_reasons(session, decisions),
        "reopened": {k for k in part_keys(submission) if is_reopened(submission, k)},
        "missing": {},
        "decision_form": {"reason": "", "parts": [], "part_reasons": {}, "error": "", "field": None},
        "part_reasons": part_reasons_of(session, submission),
        "panels": comment_panels.all_panels(session, user, submission),
        "changes": changes_since_review(session, submission) if reads_everything(user) else {},
        "field_labels": field_labels(session, submission),
        "not_carried": not_carried(session, submission) if can_edit(user, submission) else [],
        **extra,
    }
    return render(request, "submissions/detail.html", context, status_code=status_code)


def latest_sent_back(session: SessionDep, submission: Submission) -> ReviewDecision | None:
    """The secretariat's latest request for changes (or reopening) while the review is being changed."""
    if submission.status is not SubmissionStatus.changes_requested:
        return None
    kinds = (DecisionKind.request_changes, DecisionKind.reopen)
    return next((d for d in queries.list_decisions(session, submission.id) if d.kind in kinds), None)


def part_reasons_of(session: SessionDep, submission: Submission) -> dict[str, str]:
    """What the secretariat asked of each part when it last sent the review back (parts without a reason of their
    own left out), while the review is being changed or back with the secretariat."""
    if submission.status not in (SubmissionStatus.changes_requested, SubmissionStatus.submitted):
        return {}
    return {s.part: s.reason for s in queries.latest_snapshots(session, submission.id) if s.reason}


def decision_reasons(session: SessionDep, decisions: list[Any]) -> dict[int, list[tuple[str, str]]]:
    """Per decision: the reasons it gave per part, (part key, reason), in the order of its parts."""
    found: dict[int, list[tuple[str, str]]] = {}
    for snapshot in queries.snapshots_of(session, [d.id for d in decisions if d.parts]):
        if snapshot.reason:
            found.setdefault(snapshot.decision_id, []).append((snapshot.part, snapshot.reason))
    return found


def next_to_complete(
    session: SessionDep, user: User, submission: Submission, after: str | None = None
) -> service.ChecklistItem | None:
    """The next part the focal point still has to complete (after ``after``, in the questionnaire's order, then
    from the start), among the parts they may edit; None when none is left or they edit nothing."""
    if not can_edit(user, submission):
        return None
    checklist = service.checklist(session, submission)
    items = [
        item
        for item in checklist
        if not item.complete and (submission.status is SubmissionStatus.draft or is_reopened(submission, item.key))
    ]
    keys = [item.key for item in checklist]
    if after in keys:
        position = keys.index(after)
        items = [i for i in items if keys.index(i.key) > position] + [i for i in items if keys.index(i.key) < position]
    return items[0] if items else None


def is_reopened(submission: Submission, key: str) -> bool:
    kind, ref = key.split(":")
    if submission.status is not SubmissionStatus.changes_requested:
        return False
    if kind == "section":
        return any(s.reopened for s in submission.sections if s.key == ref)
    return any(r.reopened for r in submission.objective_reports if str(r.objective.number) == ref)


def not_carried(session: SessionDep, submission: Submission) -> list[str]:
    """For a draft carried forward: the earlier review's answers this cycle's questionnaire could not take over."""
    if submission.carried_forward_from_id is None or submission.status is not SubmissionStatus.draft:
        return []
    source = queries.get_submission(session, submission.carried_forward_from_id)
    if source is None:
        return []
    definition = service.definition_of(session, submission)
    _carried, skipped = service.carry_plan(session, source, definition)
    old = service.definition_of(session, source)
    found = []
    for part, key in skipped:
        question = old.question(part, key)
        label = question.text() if question else key
        where = _("General sections") if part.startswith("section:") else _("Objective %(n)s") % {"n": part[10:]}
        found.append(f"{where}: {label}")
    return found
