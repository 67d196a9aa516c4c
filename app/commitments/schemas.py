"""What the pledge forms send (kept as typed, so a refused form is shown back unchanged) and how values read."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field

from app.commitments.models import Commitment, CommitmentForm, CommitmentStatus, PledgeType
from app.i18n import _

# Generous caps against abuse only: the real limits are checked by the service, with messages beside the fields.
Typed = Annotated[str, Field(max_length=100_000)]
Ticked = Annotated[list[str], Field(max_length=100)]

FORM_LABELS: dict[CommitmentForm, str] = {
    CommitmentForm.financial: _("Financial"),
    CommitmentForm.human_resources: _("Human resources"),
    CommitmentForm.process: _("Process"),
    CommitmentForm.policy: _("Policy"),
}

PLEDGE_TYPE_LABELS: dict[PledgeType, str] = {
    PledgeType.individual: _("Individual pledge"),
    PledgeType.common: _("Common pledge (made together with other entities)"),
    PledgeType.partnership: _("Pledge in partnership (with named partners)"),
    PledgeType.matching: _("Matching pledge (matches another pledge)"),
}

STATUS_LABELS: dict[CommitmentStatus, str] = {
    CommitmentStatus.pledged: _("Pledged"),
    CommitmentStatus.in_progress: _("In progress"),
    CommitmentStatus.fulfilled: _("Fulfilled"),
    CommitmentStatus.withdrawn: _("Withdrawn"),
}

# Field names (form and table columns) to labels: beside the fields, in conflicts and in the history.
FIELD_LABELS: dict[str, str] = {
    "reference": _("Reference"),
    "title": _("Title"),
    "description": _("Description"),
    "form": _("Form of the pledge"),
    "pledge_type": _("Type of pledge"),
    "partners": _("Partners"),
    "matched_reference": _("Matched pledge"),
    "matched_commitment_id": _("Matched pledge"),
    "objectives": _("Objectives addressed"),
    "principles": _("Guiding principles addressed"),
    "scope": _("Scope"),
    "timeframe_start": _("Start of the timeframe"),
    "timeframe_end": _("End of the timeframe"),
    "status": _("Status"),
    "country_id": _("Country"),
    "reported_on": _("Date of the update"),
    "progress": _("Progress"),
}


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


class CommitmentInput(BaseModel):
    """The pledge form: every value as the user typed or ticked it."""

    title: Typed = ""
    description: Typed = ""
    form: Typed = ""
    pledge_type: Typed = PledgeType.individual.value
    partners: Typed = ""
    matched_reference: Typed = ""
    objectives: Ticked = []
    principles: Ticked = []
    scope: Typed = ""
    timeframe_start: Typed = ""
    timeframe_end: Typed = ""
    status: Typed = CommitmentStatus.pledged.value

    @classmethod
    def from_commitment(cls, commitment: Commitment) -> CommitmentInput:
        """The saved values, as the form shows them (objectives, principles and the matched pledge loaded)."""
        matched = commitment.matched_commitment
        return cls(
            title=commitment.title,
            description=commitment.description,
            form=commitment.form.value,
            pledge_type=commitment.pledge_type.value,
            partners=commitment.partners,
            matched_reference=matched.reference if matched else "",
            objectives=[str(o.number) for o in commitment.objectives],
            principles=[p.code for p in commitment.principles],
            scope=commitment.scope,
            timeframe_start=_iso(commitment.timeframe_start),
            timeframe_end=_iso(commitment.timeframe_end),
            status=commitment.status.value,
        )


class CommitmentEdit(CommitmentInput):
    """The edit form also carries the version the user loaded (optimistic locking)."""

    version: Typed = ""


class ProgressInput(BaseModel):
    """A dated progress update, as typed."""

    reported_on: Typed = ""
    status: Typed = ""
    progress: Typed = ""


def display(field: str, value: object) -> str:
    """A typed or saved form value as a person reads it (enum labels, lists joined)."""
    labels: dict[str, dict[str, str]] = {
        "form": {k.value: v for k, v in FORM_LABELS.items()},
        "pledge_type": {k.value: v for k, v in PLEDGE_TYPE_LABELS.items()},
        "status": {k.value: v for k, v in STATUS_LABELS.items()},
    }
    if isinstance(value, list):
        return ", ".join(sorted((str(v) for v in value), key=lambda v: (len(v), v)))
    text = str(value or "")
    return labels.get(field, {}).get(text, text)
