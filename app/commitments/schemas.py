"""What the pledge forms send (kept as typed, so a refused form is shown back unchanged) and how values read."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field

from app.commitments.models import Commitment, CommitmentForm, CommitmentStatus, PledgeScope, PledgeType
from app.i18n import LazyLabels, _, lazy_gettext

# Generous caps against abuse only: the real limits are checked by the service, with messages beside the fields.
Typed = Annotated[str, Field(max_length=100_000)]
Ticked = Annotated[list[str], Field(max_length=100)]

FORM_LABELS: LazyLabels[CommitmentForm, str] = LazyLabels(
    {
        CommitmentForm.financial: lazy_gettext("Financial"),
        CommitmentForm.human_resources: lazy_gettext("Human resources"),
        CommitmentForm.process: lazy_gettext("Process"),
        CommitmentForm.policy: lazy_gettext("Policy"),
    }
)

PLEDGE_TYPE_LABELS: LazyLabels[PledgeType, str] = LazyLabels(
    {
        PledgeType.individual: lazy_gettext("Individual pledge"),
        PledgeType.common: lazy_gettext("Common pledge (made together with other entities)"),
        PledgeType.partnership: lazy_gettext("Pledge in partnership (with named partners)"),
        PledgeType.matching: lazy_gettext("Matching pledge (matches another pledge)"),
    }
)

SCOPE_LABELS: LazyLabels[PledgeScope, str] = LazyLabels(
    {
        PledgeScope.national: lazy_gettext("National: in the countries of implementation named"),
        PledgeScope.regional: lazy_gettext("Regional"),
        PledgeScope.global_: lazy_gettext("Global"),
    }
)

STATUS_LABELS: LazyLabels[CommitmentStatus, str] = LazyLabels(
    {
        CommitmentStatus.pledged: lazy_gettext("Pledged"),
        CommitmentStatus.in_progress: lazy_gettext("In progress"),
        CommitmentStatus.fulfilled: lazy_gettext("Fulfilled"),
        CommitmentStatus.withdrawn: lazy_gettext("Withdrawn"),
    }
)

# Field names (form and table columns) to labels: beside the fields, in conflicts and in the history.
FIELD_LABELS: LazyLabels[str, str] = LazyLabels(
    {
        "reference": lazy_gettext("Reference"),
        "title": lazy_gettext("Title"),
        "description": lazy_gettext("Description"),
        "forms": lazy_gettext("Forms of the pledge"),
        "external_pledge_id": lazy_gettext("IMRF pledge ID of the matched pledge"),
        "main_objectives": lazy_gettext("Main objectives (up to three)"),
        "implementation_countries": lazy_gettext("Countries of implementation"),
        "scope_level": lazy_gettext("Scope"),
        "champion": lazy_gettext("GCM Champion country"),
        "partner_countries": lazy_gettext("Partner States"),
        "partner_organisations": lazy_gettext("Partner organisations"),
        "contact_name": lazy_gettext("Contact person"),
        "contact_position": lazy_gettext("Position of the contact person"),
        "contact_email": lazy_gettext("E-mail of the contact person"),
        "organisation_id": lazy_gettext("Organisation"),
        "pledge_type": lazy_gettext("Type of pledge"),
        "partners": lazy_gettext("Partners"),
        "matched_reference": lazy_gettext("Matched pledge"),
        "matched_commitment_id": lazy_gettext("Matched pledge"),
        "objectives": lazy_gettext("Objectives addressed"),
        "principles": lazy_gettext("Guiding principles addressed"),
        "scope": lazy_gettext("Where and for whom"),
        "timeframe_start": lazy_gettext("Start of the timeframe"),
        "timeframe_end": lazy_gettext("End of the timeframe"),
        "status": lazy_gettext("Status"),
        "country_id": lazy_gettext("Country"),
        "reported_on": lazy_gettext("Date of the update"),
        "progress": lazy_gettext("Progress"),
    }
)


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


class CommitmentInput(BaseModel):
    """The pledge form: every value as the user typed or ticked it."""

    title: Typed = ""
    description: Typed = ""
    forms: Ticked = []
    pledge_type: Typed = PledgeType.individual.value
    partners: Typed = ""
    partner_countries: Ticked = []
    partner_organisations: Ticked = []
    matched_reference: Typed = ""
    external_pledge_id: Typed = ""
    main_objectives: Ticked = []
    objectives: Ticked = []
    principles: Ticked = []
    scope_level: Typed = ""
    implementation_countries: Ticked = []
    scope: Typed = ""
    champion: Typed = ""
    contact_name: Typed = ""
    contact_position: Typed = ""
    contact_email: Typed = ""
    timeframe_start: Typed = ""
    timeframe_end: Typed = ""
    status: Typed = CommitmentStatus.pledged.value

    @classmethod
    def from_commitment(cls, commitment: Commitment) -> CommitmentInput:
        """The saved values, as the form shows them (loaded by ``queries.get_commitment``). ``objectives`` are the
        others besides the main ones (the model's ``objectives`` holds every objective addressed)."""
        matched = commitment.matched_commitment
        main = [str(o.number) for o in commitment.main_objectives]
        return cls(
            title=commitment.title,
            description=commitment.description,
            forms=[f.value for f in commitment.forms],
            pledge_type=commitment.pledge_type.value,
            partners=commitment.partners,
            partner_countries=[c.iso3 for c in commitment.partner_countries],
            partner_organisations=[str(o.id) for o in commitment.partner_organisations],
            matched_reference=matched.reference if matched else "",
            external_pledge_id=commitment.external_pledge_id or "",
            main_objectives=main,
            objectives=[str(o.number) for o in commitment.objectives if str(o.number) not in main],
            principles=[p.code for p in commitment.principles],
            scope_level=commitment.scope_level.value if commitment.scope_level else "",
            implementation_countries=[c.iso3 for c in commitment.implementation_countries],
            scope=commitment.scope,
            champion="on" if commitment.champion else "",
            contact_name=commitment.contact_name,
            contact_position=commitment.contact_position,
            contact_email=commitment.contact_email,
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
        "forms": {k.value: v for k, v in FORM_LABELS.items()},
        "scope_level": {k.value: v for k, v in SCOPE_LABELS.items()},
        "pledge_type": {k.value: v for k, v in PLEDGE_TYPE_LABELS.items()},
        "status": {k.value: v for k, v in STATUS_LABELS.items()},
    }
    if isinstance(value, list) and field == "forms":
        return ", ".join(labels["forms"].get(str(v), str(v)) for v in value)
    if isinstance(value, bool) or field == "champion":
        return _("Yes") if value in (True, "on") else _("No")
    if isinstance(value, list):
        return ", ".join(sorted((str(v) for v in value), key=lambda v: (len(v), v)))
    text = str(value or "")
    return labels.get(field, {}).get(text, text)
