from __future__ import annotations

from pydantic import BaseModel, Field

from app.catalog.models import Country, MembershipStatus, Objective, Principle
from app.catalog.texts import Texts, key_of

LANG = "The language of the label before it (en, zh, fr, ru): the request's (Accept-Language) or en, the fallback."


def _label(texts: Texts | None, obj: object, field: str | None = None) -> tuple[str, str]:
    kind, key, default = key_of(obj, field)
    return texts.get(kind, key, default=default) if texts is not None else (default, "en")


class ObjectiveOut(BaseModel):
    number: int
    short_title: str
    short_title_lang: str = Field("en", description=LANG)
    title: str
    title_lang: str = Field("en", description=LANG)
    cluster: str  # the IMRF round table reviewing it: "RT1" .. "RT4"
    paragraph: int  # the Compact paragraph with its commitment and actions

    @classmethod
    def from_model(cls, objective: Objective, texts: Texts | None = None) -> ObjectiveOut:
        short_title, short_title_lang = _label(texts, objective, "short_title")
        title, title_lang = _label(texts, objective, "title")
        return cls(
            number=objective.number,
            short_title=short_title,
            short_title_lang=short_title_lang,
            title=title,
            title_lang=title_lang,
            cluster=objective.round_table.code,
            paragraph=objective.paragraph,
        )


class PrincipleOut(BaseModel):
    code: str
    name: str
    name_lang: str = Field("en", description=LANG)
    description: str  # in English (the Compact's para 15, summarised)

    @classmethod
    def from_model(cls, principle: Principle, texts: Texts | None = None) -> PrincipleOut:
        name, name_lang = _label(texts, principle)
        return cls(code=principle.code, name=name, name_lang=name_lang, description=principle.description)


class CountryOut(BaseModel):
    iso3: str
    name: str
    name_lang: str = Field("en", description=LANG)
    status: MembershipStatus
    subregion: str | None  # the subregion's English name (the ``subregion`` filter's value)
    subregion_label: str | None = Field(None, description="The subregion's name in the request's language")
    subregion_label_lang: str | None = Field(None, description=LANG)
    in_region: bool

    @classmethod
    def from_model(cls, country: Country, texts: Texts | None = None) -> CountryOut:
        name, name_lang = _label(texts, country)
        label, label_lang = _label(texts, country.subregion) if country.subregion else (None, None)
        return cls(
            iso3=country.iso3,
            name=name,
            name_lang=name_lang,
            status=country.status,
            subregion=country.subregion.name if country.subregion else None,
            subregion_label=label,
            subregion_label_lang=label_lang,
            in_region=country.in_region,
        )
