from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from app.catalog.models import Country, MembershipStatus, Objective


class ObjectiveOut(BaseModel):
    number: int
    short_title: str
    title: str
    cluster: str  # the IMRF round table reviewing it: "RT1" .. "RT4"
    paragraph: int  # the Compact paragraph with its commitment and actions

    @classmethod
    def from_model(cls, objective: Objective) -> ObjectiveOut:
        return cls(
            number=objective.number,
            short_title=objective.short_title,
            title=objective.title,
            cluster=objective.round_table.code,
            paragraph=objective.paragraph,
        )


class PrincipleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    description: str


class CountryOut(BaseModel):
    iso3: str
    name: str
    status: MembershipStatus
    subregion: str | None
    in_region: bool

    @classmethod
    def from_model(cls, country: Country) -> CountryOut:
        return cls(
            iso3=country.iso3,
            name=country.name,
            status=country.status,
            subregion=country.subregion.name if country.subregion else None,
            in_region=country.in_region,
        )
