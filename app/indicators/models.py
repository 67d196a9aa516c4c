"""Indicators, their links to objectives, and values per country, period and disaggregation."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Float, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.catalog.models import Country, Objective
from app.db import Base, TimestampMixin, VersionedMixin

# Disaggregation columns hold this instead of NULL for "all" (the total), so that the uniqueness of
# (indicator, country, period, sex, age group, migratory status) holds on SQLite and PostgreSQL alike.
TOTAL = "total"


class Aggregation(StrEnum):
    """How values combine over countries: counts add up, rates do not."""

    sum = "sum"
    mean = "mean"  # an unweighted mean over reporting countries, labelled as such
    none = "none"


class IndicatorKind(StrEnum):
    sdg = "sdg"
    national = "national"  # a State's own indicator
    context = "context"  # a context series, e.g. UN DESA international migrant stock


class Sex(StrEnum):
    total = TOTAL
    female = "female"
    male = "male"


class MigratoryStatus(StrEnum):
    total = TOTAL
    migrant = "migrant"
    non_migrant = "non_migrant"


class ValueStatus(StrEnum):
    provisional = "provisional"
    final = "final"


class ObjectiveLink(StrEnum):
    primary = "primary"
    related = "related"


class Indicator(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(Text)
    aggregation: Mapped[Aggregation]
    kind: Mapped[IndicatorKind] = mapped_column(default=IndicatorKind.sdg, server_default="sdg")
    sdg_code: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(Text, default="", server_default="")
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The value the indicator should reach, in its unit (10.c.1: 3 per cent), drawn on its trend chart; None: no
    # target set. ``target_note`` says where it comes from (e.g. "SDG target 10.c, by 2030").
    target: Mapped[float | None] = mapped_column(Float)
    target_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # For a national indicator: the State that defined it.
    country_id: Mapped[int | None] = mapped_column(ForeignKey("country.id", ondelete="RESTRICT"), index=True)

    country: Mapped[Country | None] = relationship(lazy="raise")
    objective_links: Mapped[list[IndicatorObjective]] = relationship(
        back_populates="indicator", lazy="raise", cascade="all, delete-orphan"
    )


class IndicatorObjective(Base):
    """Links an indicator to an objective; ``is_official`` is false where the link is an analysis."""

    __tablename__ = "indicator_objective"

    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True)
    objective_id: Mapped[int] = mapped_column(
        ForeignKey("objective.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    relation: Mapped[ObjectiveLink] = mapped_column(default=ObjectiveLink.primary)
    is_official: Mapped[bool] = mapped_column(default=False, server_default=false())

    indicator: Mapped[Indicator] = relationship(back_populates="objective_links", lazy="raise")
    objective: Mapped[Objective] = relationship(lazy="raise")


class IndicatorValue(TimestampMixin, VersionedMixin, Base):
    """One observation. ``value`` NULL records a known gap (missing is not zero); absent rows are unknown."""

    __tablename__ = "indicator_value"
    __table_args__ = (
        UniqueConstraint("indicator_id", "country_id", "period", "sex", "age_group", "migratory_status"),
        CheckConstraint("length(period) >= 4", name="period_not_empty"),
        CheckConstraint("length(age_group) >= 1", name="age_group_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("country.id", ondelete="RESTRICT"), index=True)
    # A year ("2020"), a quarter ("2020-Q1"), a month ("2020-06") or a span ("2019/2020").
    period: Mapped[str] = mapped_column(String(16))
    value: Mapped[float | None] = mapped_column(Float)
    sex: Mapped[Sex] = mapped_column(default=Sex.total, server_default=TOTAL)
    age_group: Mapped[str] = mapped_column(String(20), default=TOTAL, server_default=TOTAL)
    migratory_status: Mapped[MigratoryStatus] = mapped_column(default=MigratoryStatus.total, server_default=TOTAL)
    source: Mapped[str] = mapped_column(Text, default="", server_default="")
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[ValueStatus] = mapped_column(default=ValueStatus.final, server_default="final")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # When the secretariat accepted this value (its country's values, or the country's review); NULL: entered or
    # changed by a focal point since, not yet reviewed. Values loaded by the secretariat count as reviewed.
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    indicator: Mapped[Indicator] = relationship(lazy="raise")
    country: Mapped[Country] = relationship(lazy="raise")

    @property
    def reviewed(self) -> bool:
        return self.reviewed_at is not None

    @property
    def is_total(self) -> bool:
        return self.sex == TOTAL and self.age_group == TOTAL and self.migratory_status == TOTAL
