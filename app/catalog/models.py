"""Reference data: the Compact's objectives, guiding principles, IMRF round tables, and the ESCAP region; their texts
in ESCAP's four working languages, each with where it comes from (``ReferenceText``)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, TimestampMixin, VersionedMixin


class MembershipStatus(StrEnum):
    member = "member"
    associate = "associate"


class RoundTable(Base):
    """An IMRF round table: the cluster of objectives it reviews (RT1..RT4)."""

    __tablename__ = "round_table"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(200))

    objectives: Mapped[list[Objective]] = relationship(
        back_populates="round_table", lazy="raise", order_by="Objective.number"
    )

    @property
    def code(self) -> str:
        return f"RT{self.number}"


class Objective(Base):
    __tablename__ = "objective"
    __table_args__ = (CheckConstraint("number BETWEEN 1 AND 23", name="number_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    short_title: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    round_table_id: Mapped[int] = mapped_column(ForeignKey("round_table.id", ondelete="RESTRICT"), index=True)

    round_table: Mapped[RoundTable] = relationship(back_populates="objectives", lazy="raise")

    @property
    def paragraph(self) -> int:
        """The Compact paragraph holding this objective's commitment and actions (objective n = para n + 16)."""
        return self.number + 16


class Principle(Base):
    """A guiding principle of the Compact (para 15 a-j)."""

    __tablename__ = "principle"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(1), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    paragraph: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(Text)


class Subregion(Base):
    __tablename__ = "subregion"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    sort_order: Mapped[int] = mapped_column(default=0)

    countries: Mapped[list[Country]] = relationship(back_populates="subregion", lazy="raise", order_by="Country.name")


class Country(Base):
    """An ESCAP member State or associate member. Four members lie outside the region (in_region false)."""

    __tablename__ = "country"
    __table_args__ = (
        CheckConstraint("length(iso3) = 3", name="iso3_length"),
        # Only the members outside the geographic region have no subregion.
        CheckConstraint("in_region = (subregion_id IS NOT NULL)", name="region_has_subregion"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    iso3: Mapped[str] = mapped_column(String(3), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    status: Mapped[MembershipStatus]
    subregion_id: Mapped[int | None] = mapped_column(ForeignKey("subregion.id", ondelete="RESTRICT"), index=True)
    in_region: Mapped[bool]
    note: Mapped[str] = mapped_column(Text, default="", server_default="")

    subregion: Mapped[Subregion | None] = relationship(back_populates="countries", lazy="raise")


class TextKind(StrEnum):
    """What a reference text names; its key is the objective's number, the principle's code, the subregion's code
    (app/reference/translations/subregion_codes.csv), the round table's number, the term's key or the ISO3 code."""

    objective = "objective"  # the objective's title (para 16 list)
    objective_short = "objective_short"  # its short title
    guiding_principle = "guiding_principle"
    subregion = "subregion"
    round_table = "round_table"
    term = "term"
    country = "country"


class TextStatus(StrEnum):
    """Where a text comes from (app/reference/translations/README.md)."""

    official = "official"  # a UN page or document in that language
    reproduction = "reproduction"  # the official text as reproduced by a parliament or a public broadcaster
    un_network_label = "un_network_label"  # the UN Network on Migration's own short label
    iom_label = "iom_label"  # IOM's short form
    escap = "escap"  # ESCAP's own name (the English country names)
    cldr = "cldr"  # the Unicode CLDR's name, through Babel (country names in zh, fr, ru)
    administrator = "administrator"  # set by an administrator, with its source


class ReferenceText(TimestampMixin, VersionedMixin, Base):
    """A reference text in one language, with its source and status. The English ones come from the reference
    files (ESCAP's names are kept); the others only from a public source (the translations files, CLDR) or an
    administrator. A missing one is shown in English, marked as such, never translated by us.

    ``manual``: set by an administrator, so ``gcm seed`` leaves it alone. Every change is in the audit trail."""

    __tablename__ = "reference_text"
    __table_args__ = (
        UniqueConstraint("kind", "key", "language"),
        CheckConstraint("language IN ('en', 'zh', 'fr', 'ru')", name="language_known"),
        CheckConstraint("length(text) > 0", name="text_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TextKind]
    key: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(500))
    status: Mapped[TextStatus]
    manual: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
