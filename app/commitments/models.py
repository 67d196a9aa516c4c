"""Pledges / commitments: measurable, time-bound commitments to advance objectives and principles."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar

from sqlalchemy import CheckConstraint, Column, Enum, ForeignKey, LargeBinary, String, Table, Text, false
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.catalog.models import Country, Objective, Principle
from app.db import Base, TimestampMixin, VersionedMixin
from app.organisations.models import Organisation


class CommitmentForm(StrEnum):
    """The form of a pledge, as on the UN Network on Migration's pledge form."""

    financial = "financial"
    human_resources = "human_resources"
    process = "process"
    policy = "policy"


class PledgeType(StrEnum):
    individual = "individual"
    common = "common"  # made together with other entities
    partnership = "partnership"  # made in partnership with named partners
    matching = "matching"  # matches another pledge, cited by its reference


class PledgeScope(StrEnum):
    """Where a pledge is implemented: in named countries (national) or across a region or the world."""

    national = "national"
    regional = "regional"
    global_ = "global"


class CommitmentStatus(StrEnum):
    pledged = "pledged"
    in_progress = "in_progress"
    fulfilled = "fulfilled"
    withdrawn = "withdrawn"


def _values(kind: type[StrEnum]) -> list[str]:
    return [member.value for member in kind]  # stored as the values, as app.db stores every enum


commitment_objective = Table(
    "commitment_objective",
    Base.metadata,
    Column("commitment_id", ForeignKey("commitment.id", ondelete="CASCADE"), primary_key=True),
    Column("objective_id", ForeignKey("objective.id", ondelete="RESTRICT"), primary_key=True, index=True),
)

commitment_main_objective = Table(
    "commitment_main_objective",
    Base.metadata,
    Column("commitment_id", ForeignKey("commitment.id", ondelete="CASCADE"), primary_key=True),
    Column("objective_id", ForeignKey("objective.id", ondelete="RESTRICT"), primary_key=True, index=True),
)

# The forms of a pledge (several may apply): one row each, so that the dashboards count them by SQL.
commitment_form = Table(
    "commitment_form",
    Base.metadata,
    Column("commitment_id", ForeignKey("commitment.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "form",
        Enum(
            CommitmentForm,
            native_enum=False,
            create_constraint=True,
            length=32,
            values_callable=_values,
            validate_strings=True,
            name="commitmentform",
        ),
        primary_key=True,
        index=True,
    ),
)

commitment_implementation_country = Table(
    "commitment_implementation_country",
    Base.metadata,
    Column("commitment_id", ForeignKey("commitment.id", ondelete="CASCADE"), primary_key=True),
    Column("country_id", ForeignKey("country.id", ondelete="RESTRICT"), primary_key=True, index=True),
)

commitment_partner_country = Table(
    "commitment_partner_country",
    Base.metadata,
    Column("commitment_id", ForeignKey("commitment.id", ondelete="CASCADE"), primary_key=True),
    Column("country_id", ForeignKey("country.id", ondelete="RESTRICT"), primary_key=True, index=True),
)

commitment_partner_organisation = Table(
    "commitment_partner_organisation",
    Base.metadata,
    Column("commitment_id", ForeignKey("commitment.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisation.id", ondelete="RESTRICT"), primary_key=True, index=True),
)

commitment_principle = Table(
    "commitment_principle",
    Base.metadata,
    Column("commitment_id", ForeignKey("commitment.id", ondelete="CASCADE"), primary_key=True),
    Column("principle_id", ForeignKey("principle.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class Commitment(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "commitment"
    __table_args__ = (
        CheckConstraint(
            "timeframe_end IS NULL OR timeframe_start IS NULL OR timeframe_start <= timeframe_end",
            name="timeframe_in_order",
        ),
        CheckConstraint(
            "pledge_type <> 'matching' OR matched_commitment_id IS NOT NULL OR external_pledge_id IS NOT NULL",
            name="matching_cites_pledge",
        ),
        CheckConstraint(
            "pledge_type = 'matching' OR (matched_commitment_id IS NULL AND external_pledge_id IS NULL)",
            name="only_matching_cites",
        ),
        CheckConstraint("(country_id IS NULL) <> (organisation_id IS NULL)", name="one_pledging_entity"),
        CheckConstraint("country_id IS NOT NULL OR NOT champion", name="champion_is_a_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A stable public identifier (e.g. "PHL-2022-003") that matching pledges cite.
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    # The pledging entity: a State (country_id) or an organisation (organisation_id), exactly one of them.
    country_id: Mapped[int | None] = mapped_column(ForeignKey("country.id", ondelete="RESTRICT"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    pledge_type: Mapped[PledgeType] = mapped_column(default=PledgeType.individual, server_default="individual")
    partners: Mapped[str] = mapped_column(Text, default="", server_default="")
    matched_commitment_id: Mapped[int | None] = mapped_column(
        ForeignKey("commitment.id", ondelete="RESTRICT"), index=True
    )
    external_pledge_id: Mapped[str | None] = mapped_column(String(40))
    # ``scope`` is the free-text description of where the pledge applies (kept from before); ``scope_level`` the
    # choice national (in ``implementation_countries``), regional or global (the API's ``scope``).
    scope: Mapped[str] = mapped_column(Text, default="", server_default="")
    scope_level: Mapped[PledgeScope | None]
    champion: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The contact person: never public (only the pledging entity and the secretariat read them).
    contact_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    contact_position: Mapped[str] = mapped_column(String(200), default="", server_default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    timeframe_start: Mapped[date | None]
    timeframe_end: Mapped[date | None]
    status: Mapped[CommitmentStatus] = mapped_column(default=CommitmentStatus.pledged, server_default="pledged")

    country: Mapped[Country | None] = relationship(lazy="raise", foreign_keys=[country_id])
    organisation: Mapped[Organisation | None] = relationship(lazy="raise")
    matched_commitment: Mapped[Commitment | None] = relationship(remote_side=[id], lazy="raise")
    objectives: Mapped[list[Objective]] = relationship(
        secondary=commitment_objective, lazy="raise", order_by="Objective.number"
    )
    main_objectives: Mapped[list[Objective]] = relationship(
        secondary=commitment_main_objective, lazy="raise", order_by="Objective.number"
    )
    principles: Mapped[list[Principle]] = relationship(
        secondary=commitment_principle, lazy="raise", order_by="Principle.code"
    )
    implementation_countries: Mapped[list[Country]] = relationship(
        secondary=commitment_implementation_country, lazy="raise", order_by="Country.iso3"
    )
    partner_countries: Mapped[list[Country]] = relationship(
        secondary=commitment_partner_country, lazy="raise", order_by="Country.iso3"
    )
    partner_organisations: Mapped[list[Organisation]] = relationship(
        secondary=commitment_partner_organisation, lazy="raise", order_by="Organisation.name"
    )
    form_rows: Mapped[list[CommitmentFormRow]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="CommitmentFormRow.form"
    )
    attachment: Mapped[CommitmentAttachment | None] = relationship(
        lazy="raise", cascade="all, delete-orphan", uselist=False
    )
    # Collections recorded in the audit trail (by their natural keys) beside the columns.
    __audit_collections__: ClassVar[dict[str, str]] = {
        "objectives": "number",
        "main_objectives": "number",
        "principles": "code",
        "implementation_countries": "iso3",
        "partner_countries": "iso3",
        "partner_organisations": "name",
    }

    @property
    def forms(self) -> list[CommitmentForm]:
        """The forms of the pledge (``form_rows`` loaded), in the form's order."""
        order = list(CommitmentForm)
        return sorted((row.form for row in self.form_rows), key=order.index)

    @property
    def entity_type(self) -> str:
        """``state`` or the organisation's type (``organisation`` loaded for an organisation's pledge)."""
        if self.organisation_id is None:
            return "state"
        assert self.organisation is not None
        return self.organisation.type.value

    @property
    def entity_name(self) -> str:
        """The pledging State's or organisation's name (``country``/``organisation`` loaded)."""
        entity = self.country if self.country_id is not None else self.organisation
        return entity.name if entity is not None else ""

    updates: Mapped[list[CommitmentUpdate]] = relationship(
        back_populates="commitment",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="CommitmentUpdate.reported_on",
    )


class CommitmentFormRow(Base):
    """One form of a pledge (the table ``commitment_form``)."""

    __table__ = commitment_form
    commitment_id: Mapped[int]
    form: Mapped[CommitmentForm]


class CommitmentAttachment(TimestampMixin, Base):
    """The one document attached to a pledge (PDF, DOCX or XLSX, up to 25 MB). Kept in the database like
    ``AnswerFile``, so that every instance serves it and ``gcm dump``/``restore`` carries it."""

    __tablename__ = "commitment_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitment.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class CommitmentUpdate(TimestampMixin, VersionedMixin, Base):
    """A dated report of progress on a commitment."""

    __tablename__ = "commitment_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitment.id", ondelete="CASCADE"), index=True)
    reported_on: Mapped[date]
    status: Mapped[CommitmentStatus]
    progress: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    commitment: Mapped[Commitment] = relationship(back_populates="updates", lazy="raise")
