"""API authentication: every /api/v1 route needs a valid bearer token."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.auth.dependencies import API_TOKEN
from app.auth.models import User
from app.auth.service import authenticate_token
from app.db import SessionDep
from app.errors import Unauthorized
from app.i18n import _

bearer_scheme = HTTPBearer(auto_error=False, description="An API token created with `gcm token create`.")

LAST_USED_RESOLUTION = timedelta(minutes=5)


def api_user(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> User:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized(_("This API needs an 'Authorization: Bearer <token>' header."))
    user = authenticate_token(session, credentials.credentials)
    if user is None:
        raise Unauthorized(_("The API token is not valid: it is unknown, revoked or expired."))
    session.info["user_id"] = user.id
    request.state.user = user
    return user


api_user.__access__ = API_TOKEN  # type: ignore[attr-defined]

ApiUser = Annotated[User, Depends(api_user)]
