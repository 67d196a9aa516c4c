"""Test data as plain functions with keyword overrides, built through the services where one exists."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from app.auth import service as auth_service
from app.auth.models import Role, User

_counter = itertools.count(1)


def make_user(
    session: Session,
    *,
    role: Role = Role.admin,
    country: str | None = None,
    email: str | None = None,
    password: str | None = "correct horse battery",
) -> User:
    if role is Role.focal_point and country is None:
        country = "PHL"
    return auth_service.create_user(
        session,
        email=email or f"user{next(_counter)}@example.org",
        name="Test User",
        role=role,
        country_iso3=country,
        password=password,
    )


def make_token(session: Session, *, user: User | None = None) -> str:
    user = user or make_user(session)
    return auth_service.create_token(session, user=user).token
