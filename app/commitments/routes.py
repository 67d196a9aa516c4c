"""Pages of the commitments (pledges): the list, recording and editing a pledge, its detail with progress updates."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from app import files
from app.audit.queries import list_history
from app.auth.dependencies import CurrentUser, guard, roles
from app.auth.models import Role, User
from app.catalog import queries as catalog_queries
from app.catalog.models import Country
from app.commitments import queries, service
from app.commitments.models import Commitment, CommitmentForm, CommitmentStatus, PledgeScope, PledgeType
from app.commitments.schemas import (
    FIELD_LABELS,
    FORM_LABELS,
    PLEDGE_TYPE_LABELS,
    SCOPE_LABELS,
    STATUS_LABELS,
    CommitmentEdit,
    CommitmentInput,
    ProgressInput,
    display,
)
from app.db import SessionDep, utcnow
from app.errors import FormInvalid, ValidationFailed
from app.i18n import _
from app.organisations.models import Organisation, type_labels
from app.visibility import can_read_pledge, can_read_pledge_contact, ensure_can_write_pledge, reads_everything
from app.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)
# Who records pledges: a State's focal point (for the State), an organisation's stakeholder (for the organisation).
PledgerUser = Annotated[User, Depends(guard(roles(Role.focal_point, Role.stakeholder)))]


def readable_commitment(commitment_id: int, user: CurrentUser, session: SessionDep) -> Commitment:
    return service.get_readable(session, user=user, commitment_id=commitment_id)


def writable_commitment(commitment_id: int, user: PledgerUser, session: SessionDep) -> Commitment:
    commitment = service.get_readable(session, user=user, commitment_id=commitment_id)
    ensure_can_write_pledge(user, commitment.country_id, commitment.organisation_id)
    return commitment


ReadableCommitment = Annotated[Commitment, Depends(readable_commitment)]
WritableCommitment = Annotated[Commitment, Depends(writable_commitment)]


def _labels() -> dict[str, Any]:
    return {
        "fields": FIELD_LABELS,
        "forms": FORM_LABELS,
        "types": PLEDGE_TYPE_LABELS,
        "statuses": STATUS_LABELS,
        "scopes": SCOPE_LABELS,
        "entity_types": entity_type_labels(),
    }


def entity_type_labels() -> dict[str, str]:
    """``state`` and the organisation types, as the pages name them."""
    return {"state": _("State"), **{t.value: label for t, label in type_labels().items()}}


def _see_other(request: Request, url: str) -> Response:
    """After a successful POST: a full page load of ``url`` (HX-Redirect for htmx, 303 otherwise)."""
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _detail_url(request: Request, commitment: Commitment) -> str:
    return str(request.app.url_path_for("commitments:detail", commitment_id=commitment.id))


# ---- list ------------------------------------------------------------------------------------------------------


@router.get("/commitments", name="commitments:list")
def list_page(
    request: Request, session: SessionDep, user: CurrentUser, country: str = "", entity_type: str = ""
) -> Response:
    countries = [] if user.role is Role.focal_point else queries.list_commitment_countries(session, user=user)
    kind = entity_type if entity_type in entity_type_labels() else ""
    context = {
        "rows": queries.list_commitments(
            session, user=user, country_iso3=country[:3] or None, entity_type=kind or None
        ),
        "country_options": [("", _("All countries"))] + [(c.iso3, c.name) for c in countries],
        "country": country.upper()[:3],
        "entity_type_options": [("", _("Every entity")), *list(entity_type_labels().items())],
        "entity_type": kind,
        "can_create": service.can_pledge(user),
        "offline_iso3": _offline_country(session, user, country),
        "labels": _labels(),
    }
    return render(request, "commitments/list.html", context, block="results")


def _offline_country(session: Session, user: User, country: str) -> str:
    """The country whose pledges the page offers to download for offline work (``app/offline/pledges.py``): a focal
    point's own; for the secretariat, the country chosen in the filter. Empty: no link."""
    if user.role is Role.focal_point and user.country_id is not None:
        own = session.get(Country, user.country_id)
        return own.iso3 if own is not None else ""
    return country.upper()[:3] if reads_everything(user) and country else ""


# ---- record and edit -------------------------------------------------------------------------------------------


def _form_context(session: Session, values: CommitmentInput, **extra: Any) -> dict[str, Any]:
    countries = queries.list_all_countries(session)
    return {
        "values": values,
        "errors": {},
        "pledger": None,
        "state": True,
        "conflict": None,
        "commitment": None,
        "version": None,
        "objective_options": [
            (str(o.number), f"{o.number}. {o.short_title}") for o in catalog_queries.list_objectives(session)
        ],
        "principle_options": [(p.code, f"({p.code}) {p.name}") for p in catalog_queries.list_principles(session)],
        "year": utcnow().year,
        "form_options": [(f.value, FORM_LABELS[f]) for f in CommitmentForm],
        "scope_options": [("", _("Choose the scope"))] + [(s.value, SCOPE_LABELS[s]) for s in PledgeScope],
        "country_options": [(c.iso3, c.name) for c in countries],
        "organisation_options": [(o.name, o.name) for o in queries.list_all_organisations(session)],
        "type_options": [(t.value, PLEDGE_TYPE_LABELS[t]) for t in PledgeType],
        "status_options": [(s.value, STATUS_LABELS[s]) for s in CommitmentStatus],
        "limits": {
            "description_min": service.DESCRIPTION_MIN,
            "description_max": service.DESCRIPTION_MAX,
            "title_max": service.TITLE_MAX,
            "partners_max": service.PARTNERS_MAX,
            "scope_max": service.SCOPE_MAX,
            "contact_max": service.CONTACT_MAX,
            "main_objectives_max": service.MAIN_OBJECTIVES_MAX,
            "attachment_mb": service.ATTACHMENT_MAX // (1024 * 1024),
        },
        "labels": _labels(),
        **extra,
    }


@router.get("/commitments/new", name="commitments:new")
def new_form(request: Request, session: SessionDep, user: PledgerUser) -> Response:
    context = _form_context(session, CommitmentInput(), pledger=_pledger(session, user))
    return render(request, "commitments/form.html", context)


def _pledger(session: Session, user: User) -> dict[str, Any]:
    """The name and kind of the entity the user pledges for (shown above a new pledge's form)."""
    if user.role is Role.stakeholder and user.organisation_id is not None:
        organisation = session.get(Organisation, user.organisation_id)
        name = organisation.name if organisation else ""
        return {"state": False, "name": name, "prefix": f"ORG{user.organisation_id}"}
    country = session.get(Country, user.country_id) if user.country_id else None
    return {"state": True, "name": country.name if country else "", "prefix": country.iso3 if country else ""}


@router.post("/commitments", name="commitments:create")
def create(
    request: Request, session: SessionDep, user: PledgerUser, data: Annotated[CommitmentInput, Form()]
) -> Response:
    try:
        commitment = service.create_commitment(session, user=user, data=data)
    except FormInvalid as exc:
        context = _form_context(session, data, errors=exc.errors, pledger=_pledger(session, user))
        return render(request, "commitments/form.html", context, status_code=exc.status_code)
    return _see_other(request, _detail_url(request, commitment) + "?saved=1")


@router.get("/commitments/{commitment_id}/edit", name="commitments:edit")
def edit_form(request: Request, session: SessionDep, commitment: WritableCommitment) -> Response:
    values = CommitmentInput.from_commitment(commitment)
    context = _form_context(
        session, values, commitment=commitment, version=commitment.version, state=commitment.country_id is not None
    )
    return render(request, "commitments/form.html", context)


@router.post("/commitments/{commitment_id}/edit", name="commitments:save")
def save(
    request: Request,
    session: SessionDep,
    user: PledgerUser,
    commitment: WritableCommitment,
    data: Annotated[CommitmentEdit, Form()],
) -> Response:
    typed = CommitmentInput.model_validate(data.model_dump(exclude={"version"}))
    version = int(data.version) if data.version.strip().isdecimal() else None
    try:
        service.update_commitment(session, user=user, commitment=commitment, data=typed, version=version)
    except FormInvalid as exc:
        context = _form_context(
            session, typed, errors=exc.errors, commitment=commitment, version=data.version,
            state=commitment.country_id is not None,
        )  # fmt: skip
        return render(request, "commitments/form.html", context, status_code=exc.status_code)
    except service.EditConflict as exc:
        return _conflict_page(request, session, commitment, typed, exc)
    return _see_other(request, _detail_url(request, commitment) + "?saved=1")


def _conflict_page(
    request: Request, session: Session, commitment: Commitment, typed: CommitmentInput, exc: service.EditConflict
) -> Response:
    """Nothing saved: the other person's values beside the user's, the user's input kept in the form."""
    current = queries.get_commitment(session, commitment.id, fresh=True) or commitment
    theirs = CommitmentInput.from_commitment(current).model_dump()
    mine = service.cleaned(typed).model_dump()
    fields = [
        (name, display(name, theirs[name]), display(name, mine[name]))
        for name in theirs
        if display(name, theirs[name]) != display(name, mine[name])
    ]
    last = list_history(session, entity_type="commitment", entity_id=current.id, limit=1)
    editor = last[0][1] if last else None
    conflict = {"message": exc.message, "fields": fields, "editor": editor, "at": current.updated_at}
    # The form now carries the current version: saving again stores what the user sees, knowingly.
    context = _form_context(
        session, typed, conflict=conflict, commitment=current, version=current.version,
        state=current.country_id is not None,
    )  # fmt: skip
    return render(request, "commitments/form.html", context, status_code=exc.status_code)


# ---- detail and progress updates -------------------------------------------------------------------------------


def _detail_context(session: Session, user: User, commitment: Commitment, **extra: Any) -> dict[str, Any]:
    updates = sorted(commitment.updates, key=lambda u: (u.reported_on, u.id), reverse=True)
    matched = commitment.matched_commitment
    return {
        "commitment": commitment,
        "updates": updates,
        "authors": queries.user_names(session, {u.author_id for u in updates if u.author_id}),
        "matched_readable": matched is not None
        and can_read_pledge(session, user, matched.country_id, matched.organisation_id),
        "show_contact": can_read_pledge_contact(user, commitment.country_id, commitment.organisation_id),
        "attachment_errors": {},
        "attachment_mb": service.ATTACHMENT_MAX // (1024 * 1024),
        "matched_by": queries.list_matching_pledges(session, commitment_id=commitment.id, user=user),
        "can_write": service.can_write(user, commitment),
        "progress": ProgressInput(reported_on=utcnow().date().isoformat(), status=commitment.status.value),
        "progress_errors": {},
        "status_options": [(s.value, STATUS_LABELS[s]) for s in CommitmentStatus],
        "progress_max": service.PROGRESS_MAX,
        "history_entries": list_history(session, entity_type="commitment", entity_id=commitment.id),
        "labels": _labels(),
        **extra,
    }


@router.get("/commitments/{commitment_id}", name="commitments:detail")
def detail(request: Request, session: SessionDep, user: CurrentUser, commitment: ReadableCommitment) -> Response:
    return render(request, "commitments/detail.html", _detail_context(session, user, commitment))


@router.post("/commitments/{commitment_id}/updates", name="commitments:add_update")
def add_update(
    request: Request,
    session: SessionDep,
    user: PledgerUser,
    commitment: WritableCommitment,
    data: Annotated[ProgressInput, Form()],
) -> Response:
    try:
        service.add_progress_update(session, user=user, commitment=commitment, data=data)
    except FormInvalid as exc:
        context = _detail_context(session, user, commitment, progress=data, progress_errors=exc.errors)
        return render(request, "commitments/detail.html", context, block="updates", status_code=exc.status_code)
    return _see_other(request, _detail_url(request, commitment) + "?added=1#updates")


# ---- the attachment --------------------------------------------------------------------------------------------


@router.post("/commitments/{commitment_id}/attachment", name="commitments:attach")
async def attach(
    request: Request,
    session: SessionDep,
    user: PledgerUser,
    commitment: WritableCommitment,
    document: Annotated[UploadFile, File()],
) -> Response:
    """Attach (or replace) the pledge's document; a refused one is named beside the field, nothing stored."""
    data = await document.read(service.ATTACHMENT_MAX + 1)
    try:
        service.attach(session, user=user, commitment=commitment, name=document.filename or "", data=data)
    except ValidationFailed as exc:
        context = _detail_context(session, user, commitment, attachment_errors={"document": exc.message})
        return render(request, "commitments/detail.html", context, status_code=422)
    return _see_other(request, _detail_url(request, commitment) + "?attached=1#attachment")


@router.post("/commitments/{commitment_id}/attachment/remove", name="commitments:detach")
def detach(request: Request, session: SessionDep, user: PledgerUser, commitment: WritableCommitment) -> Response:
    service.detach(session, user=user, commitment=commitment)
    return _see_other(request, _detail_url(request, commitment) + "#attachment")


@router.get("/commitments/{commitment_id}/attachment", name="commitments:attachment")
def attachment(session: SessionDep, user: CurrentUser, commitment_id: int) -> Response:
    """The pledge's document, always as a download."""
    stored = service.readable_attachment(session, user=user, commitment_id=commitment_id)
    return files.download(stored.name, stored.media_type, stored.content)
