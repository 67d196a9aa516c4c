"""Reference data: the Compact's objectives, guiding principles, IMRF round tables, and the ESCAP region."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base


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
