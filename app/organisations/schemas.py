"""The forms as typed (strings: everything comes back as typed on an error)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class JoinForm(BaseModel):
    """A request to take part, as the visitor typed it; checked by service.request_to_join."""

    model_config = ConfigDict(frozen=True)

    organisation_name: str = Field("", max_length=1000)
    organisation_type: str = Field("", max_length=50)
    country: str = Field("", max_length=10)
    website: str = Field("", max_length=1000)
    contact_name: str = Field("", max_length=1000)
    email: str = Field("", max_length=1000)
    motivation: str = Field("", max_length=20000)


class DecisionForm(BaseModel):
    model_config = ConfigDict(frozen=True)

    reason: str = Field("", max_length=20000)
    version: int | None = Field(None, ge=0, le=2**31 - 1)
