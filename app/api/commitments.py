"""API v1: the commitments (pledges) the token's user may read, filtered and paginated; a focal point records and
edits their own country's through the pages' service (same checks, same optimistic locking, same history)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from app.api import queries
from app.api.dependencies import ApiUser, api_user
from app.api.schemas import CONFLICT, FORBIDDEN, INVALID, NO_NUL, NOT_READABLE, UNAUTHORIZED, WRITE_ERRORS, Key, Text
from app.auth.models import User
from app.commitments import queries as commitment_queries
from app.commitments import service
from app.commitments.models import Commitment, CommitmentForm, CommitmentStatus, PledgeScope, PledgeType
from app.commitments.schemas import CommitmentInput
from app.db import SessionDep
from app.organisations.models import OrganisationType
from app.visibility import can_read_pledge_contact

router = APIRouter(
    prefix="/api/v1",
    tags=["commitments"],
    dependencies=[Depends(api_user)],
    responses={**UNAUTHORIZED, **INVALID},
)
CommitmentId = Annotated[int, Path(ge=1, le=2**31 - 1)]


EntityType = Literal[
    "state", "un_entity", "civil_society", "migrant_org", "trade_union", "private_sector", "local_authority", "nhri",
    "academia", "other",
]  # fmt: skip
assert set(EntityType.__args__) == {"state", *(t.value for t in OrganisationType)}  # type: ignore[attr-defined]
Iso3 = Annotated[str, Field(min_length=3, max_length=3, pattern=r"^[A-Za-z]{3}$")]
Name = Annotated[str, Field(max_length=200, pattern=NO_NUL)]


class CommitmentOut(BaseModel):
    id: int
    reference: str
    country: str | None = Field(description="ISO3 of the pledging State; null for an organisation's pledge")
    organisation: str | None = Field(description="Name of the pledging organisation; null for a State's pledge")
    entity_type: EntityType = Field(description="`state` or the pledging organisation's type")
    title: str
    description: str
    forms: list[CommitmentForm] = Field(description="One or more; several may apply")
    pledge_type: PledgeType
    status: CommitmentStatus
    timeframe_start: date | None
    timeframe_end: date | None
    version: int

    @classmethod
    def of(cls, commitment: Commitment) -> CommitmentOut:
        """From a pledge with its country, organisation and forms loaded."""
        country, organisation = commitment.country, commitment.organisation
        return cls(
            id=commitment.id, reference=commitment.reference, country=country.iso3 if country else None,
            organisation=organisation.name if organisation else None,
            entity_type=commitment.entity_type,
            title=commitment.title, description=commitment.description, forms=commitment.forms,
            pledge_type=commitment.pledge_type, status=commitment.status, timeframe_start=commitment.timeframe_start,
            timeframe_end=commitment.timeframe_end, version=commitment.version,
        )  # fmt: skip


class CommitmentDetail(CommitmentOut):
    partners: str
    partner_countries: list[str] = Field(description="ISO3 of partner States")
    partner_organisations: list[str] = Field(description="Names of partner organisations")
    matched_reference: str | None = Field(description="The pledge (in the product) a matching pledge matches")
    external_pledge_id: str | None = Field(description="The IMRF pledge ID a matching pledge matches")
    main_objectives: list[int] = Field(description="Numbers of the (at most three) main objectives")
    objectives: list[int] = Field(description="Numbers of every objective the pledge advances, the main ones included")
    principles: list[str] = Field(description="Codes (a to j) of the guiding principles it addresses")
    scope: PledgeScope | None = Field(description="national, regional or global (null: recorded before it was asked)")
    scope_description: str = Field(description="Where and for whom, in words")
    implementation_countries: list[str] = Field(description="ISO3 of the countries of implementation")
    champion: bool = Field(description="A GCM Champion country (States only)")
    attachment: str | None = Field(description="The name of the attached document, if any")
    contact_name: str | None = Field(None, description="Only for the pledging entity and the secretariat")
    contact_position: str | None = Field(None, description="Only for the pledging entity and the secretariat")
    contact_email: str | None = Field(None, description="Only for the pledging entity and the secretariat")

    @classmethod
    def of_loaded(cls, commitment: Commitment, user: User | None) -> CommitmentDetail:
        """From a pledge loaded by ``app.commitments.queries.get_commitment``; the contact person only for the
        pledging entity and the secretariat."""
        matched = commitment.matched_commitment
        contact = can_read_pledge_contact(user, commitment.country_id, commitment.organisation_id)
        return cls(
            **CommitmentOut.of(commitment).model_dump(),
            partners=commitment.partners,
            partner_countries=[c.iso3 for c in commitment.partner_countries],
            partner_organisations=[o.name for o in commitment.partner_organisations],
            matched_reference=matched.reference if matched else None,
            external_pledge_id=commitment.external_pledge_id,
            main_objectives=[o.number for o in commitment.main_objectives],
            objectives=[o.number for o in commitment.objectives],
            principles=[p.code for p in commitment.principles],
            scope=commitment.scope_level,
            scope_description=commitment.scope,
            implementation_countries=[c.iso3 for c in commitment.implementation_countries],
            champion=commitment.champion,
            attachment=commitment.attachment.name if commitment.attachment else None,
            contact_name=commitment.contact_name if contact else None,
            contact_position=commitment.contact_position if contact else None,
            contact_email=commitment.contact_email if contact else None,
        )


ObjectiveNumber = Annotated[int, Field(ge=1, le=1000)]


class CommitmentIn(BaseModel):
    """A pledge as the form records it; the service checks every rule and names each wrong field (422). The
    pledging entity is the token's user's: a focal point's State or a stakeholder's organisation."""

    title: Text
    description: Text = Field(description="300 to 3,000 characters")
    forms: list[CommitmentForm] = Field(min_length=1, max_length=4, description="One or more")
    pledge_type: PledgeType = PledgeType.individual
    partners: Text = Field("", description="Partners in words")
    partner_countries: list[Iso3] = Field([], max_length=100, description="ISO3 of partner States")
    partner_organisations: list[Name] = Field([], max_length=100, description="Names of partner organisations")
    matched_reference: Key = Field("", description="A matching pledge: the reference of the pledge it matches")
    external_pledge_id: Key = Field("", description="A matching pledge: or the IMRF pledge ID it matches")
    main_objectives: list[ObjectiveNumber] = Field([], max_length=100, description="At most three")
    objectives: list[ObjectiveNumber] = Field(
        [], max_length=100, description="Others addressed (at least one objective in all)"
    )
    principles: list[Key] = Field([], max_length=100)
    scope: PledgeScope = Field(description="national (name the implementation_countries), regional or global")
    implementation_countries: list[Iso3] = Field([], max_length=100, description="ISO3 codes")
    scope_description: Text = Field("", description="Where and for whom, in words")
    champion: bool = Field(False, description="A GCM Champion country: States only")
    timeframe_start: Key = Field(description="YYYY-MM-DD")
    timeframe_end: Key = Field(description="YYYY-MM-DD, not before the start")
    status: CommitmentStatus = CommitmentStatus.pledged
    contact_name: Name = ""
    contact_position: Name = ""
    contact_email: Annotated[str, Field(max_length=254, pattern=NO_NUL)] = ""

    def as_form(self) -> CommitmentInput:
        data = self.model_dump(mode="json", exclude={"scope", "scope_description", "champion"})
        return CommitmentInput(
            **{
                **data,
                "objectives": [str(n) for n in self.objectives],
                "main_objectives": [str(n) for n in self.main_objectives],
                "scope_level": self.scope.value,
                "scope": self.scope_description,
                "champion": "on" if self.champion else "",
            }
        )


class CommitmentEditIn(CommitmentIn):
    version: int = Field(ge=1, le=2**31 - 1, description="The version the client read: a later save is a 409")


class CommitmentPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[CommitmentOut]


@router.get("/commitments", name="api:commitments", response_model=CommitmentPage)
def list_commitments(
    user: ApiUser,
    session: SessionDep,
    country: Annotated[str | None, Query(max_length=3, pattern=NO_NUL, description="ISO3 code")] = None,
    status: Annotated[CommitmentStatus | None, Query()] = None,
    entity_type: Annotated[EntityType | None, Query(description="`state` or an organisation type")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> CommitmentPage:
    """The pledges the token's user may read, with the total before paging. ``country`` is the pledging State."""
    total, rows = queries.page_commitments(
        session, user=user, country=country, status=status.value if status else None, limit=limit, offset=offset,
        entity_type=entity_type,
    )  # fmt: skip
    return CommitmentPage(total=total, limit=limit, offset=offset, items=[CommitmentOut.of(c) for c in rows])


@router.get(
    "/commitments/{commitment_id}", name="api:commitment", response_model=CommitmentDetail, responses=NOT_READABLE
)
def get_commitment(commitment_id: CommitmentId, user: ApiUser, session: SessionDep) -> CommitmentDetail:
    """One pledge; another State's (for a focal point) is 404, as on the pages."""
    return CommitmentDetail.of_loaded(service.get_readable(session, user=user, commitment_id=commitment_id), user)


def _reloaded(session: SessionDep, commitment_id: int, user: User) -> CommitmentDetail:
    commitment = commitment_queries.get_commitment(session, commitment_id, fresh=True)
    assert commitment is not None
    return CommitmentDetail.of_loaded(commitment, user)


@router.post(
    "/commitments",
    name="api:commitment_create",
    response_model=CommitmentDetail,
    status_code=201,
    responses={**FORBIDDEN, **CONFLICT},
)
def create_commitment(data: CommitmentIn, user: ApiUser, session: SessionDep) -> CommitmentDetail:
    """Record a pledge of the token user's State (a focal point: reference "ISO3-year-nnn") or organisation (a
    stakeholder: "ORG<id>-year-nnn").

    Anyone else is refused (403). The checks are the pledge form's: 422 names every wrong field, nothing saved.
    """
    commitment = service.create_commitment(session, user=user, data=data.as_form())
    return _reloaded(session, commitment.id, user)


@router.put(
    "/commitments/{commitment_id}",
    name="api:commitment_update",
    response_model=CommitmentDetail,
    responses=WRITE_ERRORS,
)
def update_commitment(
    commitment_id: CommitmentId, data: CommitmentEditIn, user: ApiUser, session: SessionDep
) -> CommitmentDetail:
    """Replace a pledge of the token user's own State or organisation, if nobody saved it since the `version` the
    client read.

    A stale version is 409 and nothing changes: read the pledge again, merge, and send its new version. Another
    State's pledge is 404 (as on the pages); a user who may read but not write it gets 403.
    """
    commitment = service.get_readable(session, user=user, commitment_id=commitment_id)
    service.update_commitment(session, user=user, commitment=commitment, data=data.as_form(), version=data.version)
    return _reloaded(session, commitment.id, user)
