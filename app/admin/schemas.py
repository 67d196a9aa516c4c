"""The user forms as typed (strings, so everything comes back as typed on an error), and how roles are named."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from app.auth.models import Role, User
from app.cycles.schemas import CycleForm
from app.i18n import _


class UserForm(BaseModel):
    """A new user as the administrator typed it; checked by app.auth.service.register_user."""

    model_config = ConfigDict(frozen=True)

    email: str = Field("", max_length=1000)
    name: str = Field("", max_length=1000)
    role: str = Field(Role.focal_point.value, max_length=50)
    country: str = Field("", max_length=10)  # ISO3; absent when the browser disabled the field (not a focal point)
    organisation: str = Field("", max_length=12)  # an organisation's id; stakeholders only
    language: str = Field("", max_length=20)  # one of app.i18n.LOCALES; empty: the browser's


class UserEditForm(BaseModel):
    """Changes to a user; ``version`` is the one the administrator loaded (optimistic locking)."""

    model_config = ConfigDict(frozen=True)

    name: str = Field("", max_length=1000)
    role: str = Field("", max_length=50)
    country: str = Field("", max_length=10)
    organisation: str = Field("", max_length=12)
    language: str = Field("", max_length=20)
    version: int | None = None

    @classmethod
    def of(cls, user: User) -> UserEditForm:
        return cls(
            name=user.name,
            role=user.role.value,
            country=user.country.iso3 if user.country else "",
            organisation=str(user.organisation_id) if user.organisation_id else "",
            language=user.language or "",
            version=user.version,
        )


class CycleEditForm(CycleForm):
    """Changes to a review cycle, with the version the administrator loaded."""

    version: int | None = None


def role_labels() -> dict[str, str]:
    return {
        Role.focal_point.value: _("National focal point"),
        Role.secretariat.value: _("Secretariat reviewer"),
        Role.preparer.value: _("Review-forum preparer"),
        Role.stakeholder.value: _("Stakeholder (an organisation's user)"),
        Role.admin.value: _("Administrator"),
    }
