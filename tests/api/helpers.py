"""Test data of the API tests: a bearer token header for a user of a role."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.auth.models import Role, User
from tests.factories import make_token, make_user


def auth_for(session: Session, user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(session, user=user)}"}


def auth(session: Session, role: Role, country: str | None = None) -> dict[str, str]:
    return auth_for(session, make_user(session, role=role, country=country))
