"""API authentication: every /api/v1 route needs a valid bearer token."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from app.auth.dependencies import API_TOKEN
from app.auth.models import ApiToken, User
from app.auth.service import authenticate_token_record
from app.auth.sessions import write_aside
from app.db import SAFE_METHODS, SessionDep, utcnow
from app.errors import Unauthorized
from app.i18n import _

bearer_scheme = HTTPBearer(auto_error=False, description="An API token from /account/tokens or `gcm token create`.")

LAST_USED_RESOLUTION = timedelta(minutes=5)


def api_user(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> User:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized(_("This API needs an 'Authorization: Bearer <token>' header."))
    record = authenticate_token_record(session, credentials.credentials)
    if record is None:
        raise Unauthorized(_("The API token is not valid: it is unknown, revoked or expired."))
    user = record.user
    now = utcnow()
    if record.last_used_at is None or now - record.last_used_at >= LAST_USED_RESOLUTION:
        # When the token was last used (shown on the tokens pages), to the nearest few minutes. A read never
        # depends on this write: it has its own short transaction, best effort (app/auth/sessions.write_aside).
        if request.method in SAFE_METHODS:
            write_aside(
                request.app.state.engine, update(ApiToken).where(ApiToken.id == record.id).values(last_used_at=now)
            )
            set_committed_value(record, "last_used_at", now)  # tried: not again for this loaded record, nor flushed
        else:
            record.last_used_at = now
    session.info["user_id"] = user.id
    request.state.user = user
    return user


api_user.__access__ = API_TOKEN  # type: ignore[attr-defined]

ApiUser = Annotated[User, Depends(api_user)]
