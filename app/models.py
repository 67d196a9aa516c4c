"""The one place that imports every table: Alembic and the tests see the whole schema through it."""

from app.audit.models import AuditEvent
from app.auth.models import ApiToken, LoginAttempt, PasswordToken, User, UserSession
from app.catalog.models import Country, Objective, Principle, ReferenceText, RoundTable, Subregion
from app.comments.models import Comment, CommentThread
from app.commitments.models import Commitment, CommitmentUpdate
from app.contributions.models import (
    Contribution,
    ContributionAnswer,
    ContributionDecision,
    ContributionFile,
    ContributionPart,
)
from app.cycles.models import ReviewCycle
from app.db import Base
from app.exports.models import Job
from app.imports.models import PendingImport
from app.indicators.models import Indicator, IndicatorObjective, IndicatorValue
from app.notifications.models import Notification, OutboxMail
from app.offline.models import OfflineUpload
from app.organisations.models import Organisation, OrganisationRequest
from app.questionnaires.models import Questionnaire
from app.review.models import ReviewAssignment, ReviewDecision, ReviewSnapshot
from app.submissions.models import ObjectiveReport, Submission, SubmissionSection

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "Comment",
    "CommentThread",
    "Commitment",
    "CommitmentUpdate",
    "Contribution",
    "ContributionAnswer",
    "ContributionDecision",
    "ContributionFile",
    "ContributionPart",
    "Country",
    "Indicator",
    "IndicatorObjective",
    "IndicatorValue",
    "Job",
    "LoginAttempt",
    "Notification",
    "Objective",
    "ObjectiveReport",
    "OfflineUpload",
    "Organisation",
    "OrganisationRequest",
    "OutboxMail",
    "PasswordToken",
    "PendingImport",
    "Principle",
    "Questionnaire",
    "ReferenceText",
    "ReviewAssignment",
    "ReviewCycle",
    "ReviewDecision",
    "ReviewSnapshot",
    "RoundTable",
    "Submission",
    "SubmissionSection",
    "Subregion",
    "User",
    "UserSession",
]
import app.audit.service  # noqa: F401  (registers the audit listeners on every Session)
