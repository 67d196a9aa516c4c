"""Organisations taking part in the review beside the States (whole-of-society approach, GCM guiding principle j),
and the public requests to take part that the secretariat accepts or declines."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.catalog.models import Country
from app.db import Base, TimestampMixin, VersionedMixin
from app.i18n import _


class OrganisationType(StrEnum):
    un_entity = "un_entity"
    civil_society = "civil_society"
    migrant_org = "migrant_org"
    trade_union = "trade_union"
    private_sector = "private_sector"
    local_authority = "local_authority"
    nhri = "nhri"
    academia = "academia"
    other = "other"


def type_labels() -> dict[OrganisationType, str]:
    """How each type is named on the pages (the IMRF's categories of stakeholders)."""
    t = OrganisationType
    return {
        t.un_entity: _("UN entity (Regional UN Network on Migration)"),
        t.civil_society: _("Civil society organisation"),
        t.migrant_org: _("Migrants' or diaspora organisation"),
        t.trade_union: _("Trade union"),
        t.private_sector: _("Employers' organisation or private sector"),
        t.local_authority: _("Local or regional authority"),
        t.nhri: _("National human rights institution"),
        t.academia: _("Academia or research"),
        t.other: _("Other"),
    }


class Organisation(TimestampMixin, VersionedMixin, Base):
    """An organisation whose users (role ``stakeholder``) take part in the review. Names are unique (also
    case-insensitively: the services compare lower-cased names)."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[OrganisationType]
    country_id: Mapped[int | None] = mapped_column(ForeignKey("country.id", ondelete="RESTRICT"), index=True)
    website: Mapped[str] = mapped_column(String(300), default="", server_default="")

    country: Mapped[Country | None] = relationship(lazy="raise")


class RequestStatus(StrEnum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"


class OrganisationRequest(TimestampMixin, VersionedMixin, Base):
    """A request to take part, sent through the public form; the secretariat or an administrator accepts it (an
    organisation and a stakeholder account) or declines it with a reason. Who decided, when and why stays here."""

    __tablename__ = "organisation_request"
    __table_args__ = (Index("ix_organisation_request_ip_created", "ip_address", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_name: Mapped[str] = mapped_column(String(200))
    organisation_type: Mapped[OrganisationType]
    country_id: Mapped[int | None] = mapped_column(ForeignKey("country.id", ondelete="RESTRICT"))
    website: Mapped[str] = mapped_column(String(300), default="", server_default="")
    contact_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), index=True)
    motivation: Mapped[str] = mapped_column(Text)
    ip_address: Mapped[str] = mapped_column(String(45), default="", server_default="")
    status: Mapped[RequestStatus] = mapped_column(default=RequestStatus.pending, index=True)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decision_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    country: Mapped[Country | None] = relationship(lazy="raise")
    organisation: Mapped[Organisation | None] = relationship(lazy="raise")
