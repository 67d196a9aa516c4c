"""Test data for exports and reports: reviews in given statuses, with texts that spreadsheets would evaluate."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from app.auth.models import Role, User
from app.cycles.models import ReviewCycle
from app.submissions.models import ProgressRating, ReportingChoice, Submission, SubmissionStatus
from app.submissions.rules import PROGRESS_STEP
from tests.factories import complete_submission, make_submission, make_user, set_answers


def review(
    session: Session,
    cycle: ReviewCycle,
    country: str,
    status: SubmissionStatus,
    *,
    practice: str = "",
    rating: ProgressRating = ProgressRating.under_way,
    objective: int = 1,
) -> Submission:
    """A complete review of ``country`` in ``status``; ``practice`` is its good practice on ``objective``; objective
    23 is not reported."""
    focal = make_user(session, role=Role.focal_point, country=country)
    submission = make_submission(session, focal_point=focal, cycle=cycle)
    complete_submission(session, submission)
    for report in submission.objective_reports:
        number = report.objective.number
        values: dict[str, object] = {"progress_rating": PROGRESS_STEP[rating]}
        if number == objective and practice:
            values["good_practices"] = practice
        if number == 23:
            values = {
                "reporting": ReportingChoice.not_reported.value,
                "progress_rating": None,
                "not_reported_reason": "Not a priority this cycle.",
            }
        set_answers(session, submission, f"objective:{number}", values)
    submission.status = status
    session.flush()
    return submission


@pytest.fixture
def no_worker(app: FastAPI) -> Iterator[None]:
    """Jobs are run by the test itself (run_one), never by a background thread on another connection."""
    app.state.job_worker_autostart = False
    yield


def pdf_page_count(data: bytes) -> int:
    """The page count of a PDF written by WeasyPrint (its objects may sit in compressed object streams)."""
    chunks = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    counts = [int(n) for chunk in chunks for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", chunk)]
    counts += [int(n) for chunk in chunks for n in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", chunk)]
    assert counts, "no page tree found in the PDF"
    return max(counts)


def user(session: Session, role: Role, country: str | None = None) -> User:
    return make_user(session, role=role, country=country)
