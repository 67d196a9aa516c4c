"""A whole review on one page, in the questionnaire's order: every answer, the pledges it links, the comment threads
and who changed what last. Three readings of it: the page (the reviewer reads, comments and marks parts for
change), "Check your answers" (the focal point, before submitting: a "Change" link per part) and the printed PDF."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.auth.models import Role, User
from app.comments import panels as comment_panels
from app.commitments.models import Commitment
from app.i18n import HTML_LANG, get_locale
from app.questionnaires import answers
from app.questionnaires.schemas import Question, QuestionType
from app.submissions import queries, service
from app.submissions.models import (
    DecisionKind,
    ObjectiveReport,
    ReviewDecision,
    Submission,
    SubmissionSection,
    SubmissionStatus,
)
from app.submissions.pages import can_edit, part_reasons_of
from app.visibility import Aspect, reads_everything
from app.web.templating import render, templates

PRINT_CSS = Path(__file__).resolve().parent / "whole_print.css"


@dataclass
class ShownAnswer:
    question: Question
    text: str  # as a reader reads it (labels for choices, the step's words)
    file_id: int | None = None
    pledges: list[Commitment] = field(default_factory=list)
    language: str | None = None
    changed_by: str | None = None  # who changed it last (for readers of the history only)
    changed_at: datetime | None = None


@dataclass
class WholePart:
    key: str  # "section:<key>" or "objective:<n>"
    label: str
    url: str  # its form
    history_url: str
    complete: bool
    missing: str
    answers: list[ShownAnswer]
    reopened: bool
    reason: str  # what the secretariat asked of this part when it last sent the review back
    changed_by: str | None
    changed_at: datetime | None
    panel: dict[str, Any] | None


def _url(submission: Submission, key: str) -> str:
    kind, _sep, ref = key.partition(":")
    return f"/submissions/{submission.id}/{'sections' if kind == 'section' else 'objectives'}/{ref}"


def whole_parts(session: Session, user: User, submission: Submission) -> list[WholePart]:
    """Every part of the review in the questionnaire's order (general sections, then objectives 1 to 23)."""
    definition = service.definition_of(session, submission)
    history = service.can_read(user, submission, Aspect.history)
    panels = comment_panels.all_panels(session, user, submission) or {}
    pledges = {c.reference: c for c in queries.list_country_commitments(session, submission.country_id)}
    records: dict[str, SubmissionSection | ObjectiveReport] = {f"section:{p.key}": p for p in submission.sections}
    records.update({f"objective:{r.objective.number}": r for r in submission.objective_reports})
    names = (
        queries.user_names(
            session, [a.updated_by_id for a in submission.answers] + [p.updated_by_id for p in records.values()]
        )
        if history
        else {}
    )
    reasons = part_reasons_of(session, submission)
    lang = get_locale()
    parts = []
    for item in service.checklist(session, submission):
        rows = service.part_answers(submission, item.key)
        values = {k: a.value for k, a in rows.items()}
        shown = []
        for q in definition.questions_for(item.key):
            if not answers.is_shown(q, values):
                continue
            value = values.get(q.key)
            row = rows.get(q.key)
            entry = ShownAnswer(q, answers.display(q, value, definition, lang))
            if q.type is QuestionType.file and isinstance(value, dict):
                entry.file_id = value.get("file_id")
            if q.type is QuestionType.commitments and isinstance(value, list):
                entry.pledges = [pledges[ref] for ref in value if ref in pledges]
            if row is not None:
                entry.language = row.language
                if history and value is not None:
                    entry.changed_by = names.get(row.updated_by_id or 0)
                    entry.changed_at = row.updated_at
            shown.append(entry)
        record = records.get(item.key)
        parts.append(
            WholePart(
                key=item.key,
                label=item.label,
                url=_url(submission, item.key),
                history_url=f"{_url(submission, item.key)}/history",
                complete=item.complete,
                missing=item.missing,
                answers=shown,
                reopened=bool(record and record.reopened and submission.status is SubmissionStatus.changes_requested),
                reason=reasons.get(item.key, ""),
                changed_by=names.get(record.updated_by_id or 0) if history and record else None,
                changed_at=record.updated_at if history and record else None,
                panel=panels.get(item.key),
            )
        )
    return parts


def whole_context(session: Session, user: User, submission: Submission, **extra: Any) -> dict[str, Any]:
    parts = whole_parts(session, user, submission)
    reviewer = reads_everything(user) and user.role in (Role.secretariat, Role.admin)
    decisions: list[ReviewDecision] = (
        queries.list_decisions(session, submission.id) if service.can_read(user, submission, Aspect.decisions) else []
    )
    open_threads = sum(1 for p in parts if p.panel for t in p.panel["threads"] if t.status.value == "open")
    context: dict[str, Any] = {
        "submission": submission,
        "parts": parts,
        "checklist": service.checklist(session, submission),
        "reviews": reviewer,
        "can_edit": can_edit(user, submission),
        "can_read_history": service.can_read(user, submission, Aspect.history),
        "decisions": decisions,
        "latest_sent_back": next(
            (d for d in decisions if d.kind in (DecisionKind.request_changes, DecisionKind.reopen)), None
        ),
        "open_threads": open_threads,
        "incomplete": [p for p in parts if not p.complete],
        "decision_form": {"reason": "", "parts": [], "part_reasons": {}, "error": "", "field": None},
        "mode": "whole",
    }
    context.update(extra)
    return context


def whole_response(
    request: Request,
    session: Session,
    submission: Submission,
    *,
    template: str = "submissions/whole.html",
    status_code: int = 200,
    **extra: Any,
) -> Response:
    user = request.state.user_session.user
    context = whole_context(session, user, submission, **extra)
    return render(request, template, context, status_code=status_code)


def whole_pdf(request: Request, session: Session, submission: Submission) -> bytes:
    """The whole review printed (WeasyPrint, with the report fonts ``gcm assets`` installs)."""
    from weasyprint import CSS, HTML  # imported when needed: it loads fonts and Pango
    from weasyprint.text.fonts import FontConfiguration

    user = request.state.user_session.user
    context = whole_context(session, user, submission, mode="print")
    context.update(request=request, current_user=getattr(request.state, "signed_in", None))
    context["html_lang"] = HTML_LANG.get(get_locale(), get_locale())
    html = templates.env.get_template("submissions/whole_print.html").render(context)
    fonts = FontConfiguration()
    stylesheet = CSS(filename=str(PRINT_CSS), font_config=fonts)
    document = HTML(string=html, base_url=str(PRINT_CSS.parent))
    return bytes(document.write_pdf(stylesheets=[stylesheet], font_config=fonts))
