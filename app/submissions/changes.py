"""A submission's parts by key, and what changed in them since the secretariat last sent them back (the base of
"changed since your last review", kept by app.review.service as ReviewSnapshot rows)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.audit.diff import FieldChange
from app.questionnaires.answers import display
from app.submissions import service
from app.submissions.models import ObjectiveReport, Submission, SubmissionSection, SubmissionStatus
from app.submissions.queries import latest_snapshots


def part_keys(submission: Submission) -> list[str]:
    keys = [f"section:{s.key}" for s in submission.sections]
    return keys + [f"objective:{r.objective.number}" for r in submission.objective_reports]


def part_texts(session: Session, submission: Submission, key: str) -> dict[str, str]:
    """The answers of a part as the reviewer reads them (question key → text; every question the part asks)."""
    definition = service.definition_of(session, submission)
    values = service.part_values(submission, key)
    return {q.key: display(q, values.get(q.key), definition) for q in definition.questions_for(key)}


def parts_by_key(submission: Submission) -> dict[str, SubmissionSection | ObjectiveReport]:
    parts: dict[str, SubmissionSection | ObjectiveReport] = {f"section:{s.key}": s for s in submission.sections}
    parts.update({f"objective:{r.objective.number}": r for r in submission.objective_reports})
    return parts


def changes_since_review(session: Session, submission: Submission) -> dict[str, list[FieldChange]]:
    """For each part reopened by the latest request for changes (or reopening): what changed since, question by
    question.

    Empty unless the review is back with the secretariat or being changed.
    """
    if submission.status not in (SubmissionStatus.submitted, SubmissionStatus.changes_requested):
        return {}
    snapshots = latest_snapshots(session, submission.id)
    parts = parts_by_key(submission)
    result: dict[str, list[FieldChange]] = {}
    for snapshot in snapshots:
        if snapshot.part not in parts:
            continue
        now = part_texts(session, submission, snapshot.part)
        names = list(dict.fromkeys([*now, *snapshot.texts]))
        result[snapshot.part] = [
            FieldChange(name, snapshot.texts.get(name) or "", now.get(name) or "")
            for name in names
            if (snapshot.texts.get(name) or "") != (now.get(name) or "")
        ]
    return result
