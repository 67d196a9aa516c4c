"""Loaders for the admin pages: the record named in the path, after the admin check (so strangers never learn ids)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.auth import queries as auth_queries
from app.auth.dependencies import AdminUser
from app.auth.models import User
from app.cycles import queries as cycle_queries
from app.cycles.models import ReviewCycle
from app.db import SessionDep
from app.errors import NotFound
from app.i18n import _


def load_user(session: SessionDep, _admin: AdminUser, user_id: int) -> User:
    user = auth_queries.get_user(session, user_id)
    if user is None:
        raise NotFound(_("There is no such user."))
    return user


def load_cycle(session: SessionDep, _admin: AdminUser, cycle_id: int) -> ReviewCycle:
    cycle = cycle_queries.get_cycle(session, cycle_id)
    if cycle is None:
        raise NotFound(_("There is no such review cycle."))
    return cycle


ManagedUser = Annotated[User, Depends(load_user)]
ManagedCycle = Annotated[ReviewCycle, Depends(load_cycle)]
