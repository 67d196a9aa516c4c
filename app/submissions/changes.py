"""A submission's parts by key, and what changed in them since the secretariat last sent them back (the base of
"changed since your last review", kept by app.review.service as ReviewSnapshot rows)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.audit.diff import FieldChange
from app.submissions.models import ObjectiveReport, Submission, SubmissionSection, SubmissionStatus
from app.submissions.queries import latest_snapshots
from app.submissions.rules import REPORT_FIELDS

SNAPSHOT_REPORT_FIELDS = ("reporting", "not_reported_reason", "progress_rating", *(f.name for f in REPORT_FIELDS))


def part_keys(submission: Submission) -> list[str]:
    keys = [f"section:{s.key.value}" for s in submission.sections]
    return keys + [f"objective:{r.objective.number}" for r in submission.objective_reports]


def part_texts(part: SubmissionSection | ObjectiveReport) -> dict[str, str]:
    """The reviewable text of a part, as plain strings (what the reviewer read)."""
    if isinstance(part, SubmissionSection):
        return {"body": part.body}
    values = {name: getattr(part, name) for name in SNAPSHOT_REPORT_FIELDS}
    return {name: (v.value if hasattr(v, "value") else v) or "" for name, v in values.items()}


def parts_by_key(submission: Submission) -> dict[str, SubmissionSection | ObjectiveReport]:
    parts: dict[str, SubmissionSection | ObjectiveReport] = {f"section:{s.key.value}": s for s in submission.sections}
    parts.update({f"objective:{r.objective.number}": r for r in submission.objective_reports})
    return parts


def changes_since_review(session: Session, submission: Submission) -> dict[str, list[FieldChange]]:
    """For each part reopened by the latest request for changes (or reopening): what changed since, field by field.

    Empty unless the review is back with the secretariat or being changed.
    """
    if submission.status not in (SubmissionStatus.submitted, SubmissionStatus.changes_requested):
        return {}
    snapshots = latest_snapshots(session, submission.id)
    parts = parts_by_key(submission)
    result: dict[str, list[FieldChange]] = {}
    for snapshot in snapshots:
        part = parts.get(snapshot.part)
        if part is None:
            continue
        now = part_texts(part)
        result[snapshot.part] = [
            FieldChange(name, before, now.get(name, ""))
            for name, before in snapshot.texts.items()
            if (before or "") != (now.get(name) or "")
        ]
    return result
