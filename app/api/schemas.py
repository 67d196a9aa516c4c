"""Shapes shared by the API's routers: the documented error answers and the text a request body may carry."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from app.web.errors import ErrorResponse

# PostgreSQL text cannot hold NUL characters: refused here (422 naming the field), never a server error.
NO_NUL = r"^[^\x00]*$"


# Request-body strings: a generous cap against abuse (the services check the real limits, with their messages).
Text = Annotated[str, Field(max_length=100_000, pattern=NO_NUL)]
Key = Annotated[str, Field(max_length=40, pattern=NO_NUL)]


# FastAPI's `responses=`: keyed by status code (int | str), so the dicts below merge and pass without a cast.
Responses = dict[int | str, dict[str, Any]]


def error(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


UNAUTHORIZED: Responses = {401: error("No valid API token")}
INVALID: Responses = {422: error("Invalid parameters or values: `errors` names each field with its message")}
NOT_READABLE: Responses = {404: error("Unknown, or not readable by this user")}
FORBIDDEN: Responses = {403: error("Only a focal point writes, and only their own country's content")}
CONFLICT: Responses = {
    409: error("Someone saved the record after the version the client read (or it exists); nothing saved")
}
WRITE_ERRORS: Responses = {**FORBIDDEN, **NOT_READABLE, **CONFLICT}
