"""The review-cycle form as typed (strings: nothing is lost when it comes back with errors), and date parsing."""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from app.cycles.models import ReviewCycle

NAME_MAX = 200
DESCRIPTION_MAX = 5000
DATE_FORMAT = "%Y-%m-%d"  # what <input type="date"> sends
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


class CycleForm(BaseModel):
    """What the administrator typed; parsed and checked by app.cycles.service."""

    model_config = ConfigDict(frozen=True)

    # Generous limits against abuse; the real limits are checked by the service, with messages beside the fields.
    name: str = Field("", max_length=1000)
    description: str = Field("", max_length=50_000)
    opens_on: str = Field("", max_length=20)
    deadline: str = Field("", max_length=20)
    closes_on: str = Field("", max_length=20)

    @classmethod
    def of(cls, cycle: ReviewCycle) -> CycleForm:
        """The form filled with a cycle's saved values."""
        return cls(
            name=cycle.name,
            description=cycle.description,
            opens_on=cycle.opens_on.strftime(DATE_FORMAT),
            deadline=cycle.deadline.strftime(DATE_FORMAT),
            closes_on=cycle.closes_on.strftime(DATE_FORMAT),
        )


def parse_date(text: str) -> date | None:
    """A calendar date written YYYY-MM-DD, or None."""
    text = text.strip()
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:  # 2029-02-30
        return None
