"""Loaders that also authorise: a submission the user may not read is simply not found."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.auth.dependencies import CurrentUser
from app.auth.models import Role
from app.db import SessionDep
from app.errors import NotFound
from app.i18n import _
from app.submissions import queries
from app.submissions.models import Submission
from app.visibility import ACCEPTED, reads_everything


def readable_submission(submission_id: int, user: CurrentUser, session: SessionDep) -> Submission:
    submission = queries.get_submission(session, submission_id)
    visible = submission is not None and (
        reads_everything(user)
        or (user.role is Role.focal_point and submission.country_id == user.country_id)
        or (user.role is Role.preparer and submission.status in ACCEPTED)
    )
    if not visible or submission is None:
        raise NotFound(_("The page or record was not found."))
    return submission


ReadableSubmission = Annotated[Submission, Depends(readable_submission)]
