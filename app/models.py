"""The one place that imports every table: Alembic and the tests see the whole schema through it."""

from app.audit.models import AuditEvent
from app.auth.models import ApiToken, LoginAttempt, PasswordToken, User, UserSession
from app.catalog.models import Country, Objective, Principle, RoundTable, Subregion
from app.commitments.models import Commitment, CommitmentUpdate
from app.cycles.models import ReviewCycle
from app.db import Base
from app.indicators.models import Indicator, IndicatorObjective, IndicatorValue
from app.review.models import ReviewDecision
from app.submissions.models import ObjectiveReport, Submission, SubmissionSection

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "Commitment",
    "CommitmentUpdate",
    "Country",
    "Indicator",
    "IndicatorObjective",
    "IndicatorValue",
    "LoginAttempt",
    "Objective",
    "ObjectiveReport",
    "PasswordToken",
    "Principle",
    "ReviewCycle",
    "ReviewDecision",
    "RoundTable",
    "Submission",
    "SubmissionSection",
    "Subregion",
    "User",
    "UserSession",
]
import app.audit.service  # noqa: F401  (registers the audit listeners on every Session)
