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

# An answer's value as a client sends it (``app/questionnaires/answers.py`` says which type each question takes; the
# service checks it against the question and answers 422 with the reason). Numbers are bounded so that none is too
# large to check; infinities and NaN are refused.
AnswerValue = Annotated[
    Annotated[str, Field(max_length=100_000, pattern=NO_NUL)]
    | Annotated[list[Annotated[str, Field(max_length=1_000, pattern=NO_NUL)]], Field(max_length=1_000)]
    | bool
    | Annotated[int, Field(ge=-(10**15), le=10**15)]
    | Annotated[float, Field(allow_inf_nan=False)]
    | None,
    Field(
        description="A string (texts, a date as YYYY-MM-DD, a single choice's value), a list of strings (a multiple "
        "choice's values, guiding principles' codes a to j, the references of the country's pledges), true/false "
        "(yes/no), a number (a number question; a rating: the step's value on the cycle's progress scale), or null "
        "to clear the answer."
    ),
]


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
