"""Loaders that also authorise: a submission the user may not read is simply not found."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.auth.dependencies import CurrentUser
from app.db import SessionDep
from app.submissions import service
from app.submissions.models import Submission


def readable_submission(submission_id: int, user: CurrentUser, session: SessionDep) -> Submission:
    return service.get_readable(session, user=user, submission_id=submission_id)


ReadableSubmission = Annotated[Submission, Depends(readable_submission)]
