"""Liveness and readiness: is the service up, and does the database answer?"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.auth.dependencies import PUBLIC
from app.db import READ_ONLY

router = APIRouter(tags=["health"])


def _public_probe() -> None:
    """Load balancers and monitors call this without credentials."""


_public_probe.__access__ = PUBLIC  # type: ignore[attr-defined]


class Health(BaseModel):
    status: str
    database: str


@router.get(
    "/healthz",
    dependencies=[Depends(_public_probe)],
    name="health:check",
    response_model=Health,
    responses={503: {"model": Health, "description": "The database is unreachable"}},
)
def healthz(request: Request) -> JSONResponse:
    try:
        with request.app.state.engine.connect().execution_options(**READ_ONLY) as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})
