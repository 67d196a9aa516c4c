"""Test data as plain functions with keyword overrides, built through the services where one exists."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from httpx2 import Response
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, object_session
from starlette.testclient import TestClient

from app.auth import service as auth_service
from app.auth.dependencies import SESSION_COOKIE
from app.auth.models import Role, User
from app.cycles.models import CycleStatus, ReviewCycle
from app.db import utcnow
from app.organisations.models import Organisation
from app.submissions.models import Submission
from app.web.csrf import token_for

_counter = itertools.count(1)


def make_user(
    session: Session,
    *,
    role: Role = Role.admin,
    country: str | None = None,
    email: str | None = None,
    password: str | None = "correct horse battery",
    organisation: Organisation | None = None,
) -> User:
    if role is Role.focal_point and country is None:
        country = "PHL"
    if role is Role.stakeholder and organisation is None:
        organisation = make_organisation(session)
    return auth_service.create_user(
        session,
        email=email or f"user{next(_counter)}@example.org",
        name="Test User",
        role=role,
        country_iso3=country,
        password=password,
        organisation=organisation,
    )


def make_organisation(session: Session, *, name: str | None = None, type: str = "civil_society") -> Organisation:
    from app.organisations import service

    return service.create_organisation(session, name=name or f"Organisation {next(_counter)}", type=type)


def make_token(session: Session, *, user: User | None = None) -> str:
    """A token marked as used a moment ago, so API reads have no last-used write to make: in production that write
    commits in its own short transaction (app/auth/sessions.write_aside); here it would wait for the test's open
    transaction on every read (SQLite's write lock) and give up."""
    user = user or make_user(session)
    issued = auth_service.create_token(session, user=user)
    issued.record.last_used_at = utcnow()
    session.flush()
    return issued.token


PASSWORD = "correct horse battery"


def csrf_token(client: TestClient) -> str:
    """The CSRF token the pages give this browser now (bound to its session cookie: ask again after signing in)."""
    return token_for(client.app.state.settings.secret_key, client.cookies.get(SESSION_COOKIE))


def post_form(client: TestClient, url: str, data: dict[str, object] | None = None, **kwargs: object) -> Response:
    """POST a form as the browser does, with the CSRF token."""
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client)}, **kwargs)  # type: ignore[arg-type]


def sign_in(client: TestClient, user: User, password: str = PASSWORD) -> None:
    """Sign in as the user; the test's copy of the user is then refreshed (the sign-in wrote its last login and
    version in the request's own session)."""
    response = post_form(client, "/login", {"email": user.email, "password": password}, follow_redirects=False)
    assert response.status_code == 303, response.text
    session = object_session(user)
    if session is not None:
        session.refresh(user, [attribute.key for attribute in inspect(User).column_attrs])


def make_cycle(session: Session, *, status: CycleStatus = CycleStatus.open, days_to_deadline: int = 30) -> ReviewCycle:
    today = utcnow().date()
    cycle = ReviewCycle(
        name=f"Cycle {next(_counter)}",
        opens_on=today - timedelta(days=60),
        deadline=today + timedelta(days=days_to_deadline),
        closes_on=today + timedelta(days=max(days_to_deadline, 0) + 60),
        status=status,
    )
    session.add(cycle)
    session.flush()
    return cycle


def make_submission(
    session: Session, *, focal_point: User | None = None, cycle: ReviewCycle | None = None
) -> Submission:
    from app.submissions import queries
    from app.submissions.service import start_submission

    focal_point = focal_point or make_user(session, role=Role.focal_point, country="PHL")
    cycle = cycle or make_cycle(session)
    submission = start_submission(session, user=focal_point, cycle=cycle)
    loaded = queries.get_submission(session, submission.id)
    assert loaded is not None
    return loaded


def set_answers(
    session: Session, submission: Submission, part: str, values: dict[str, Any], *, user: User | None = None
) -> None:
    """Write answers of one part whatever the review's status (bypassing the forms and the workflow), as the service
    stores them: values checked against the questions, choices kept, the objective's figures derived."""
    from app.questionnaires import answers
    from app.submissions import service

    definition = service.definition_of(session, submission)
    ctx = service.form_context(session, submission)
    record = service.find_part(submission, part)
    assert record is not None, part
    writer = user or session.get(User, record.updated_by_id) or session.scalars(select(User).limit(1)).one()
    for key, value in values.items():
        question = definition.question(part, key)
        assert question is not None, (part, key)
        service._write(session, submission, part, question, answers.coerce(question, value, ctx), writer)
    service._touch(session, submission, record, writer)
    session.flush()


def edit_part(session: Session, user: User, submission: Submission, part: str, **values: Any) -> bool:
    """Save a part through the form's own path: its current answers as the form would post them, with ``values``
    (strings, or lists for the list types) typed over them. Returns whether anything changed."""
    from app.submissions import service

    record = service.find_part(submission, part)
    assert record is not None, part
    form = service.form_of(session, submission, part)
    form.update({k: [str(x) for x in v] if isinstance(v, list) else [str(v)] for k, v in values.items()})
    return service.save_part(session, user=user, submission=submission, part=record, form=form, version=record.version)


def complete_submission(session: Session, submission: Submission) -> None:
    """Fill every part so the review can be submitted (bypassing the forms)."""
    for section in submission.sections:
        set_answers(session, submission, f"section:{section.key}", {section.key: f"About {section.key}."})
    for report in submission.objective_reports:
        set_answers(
            session,
            submission,
            f"objective:{report.objective.number}",
            {"progress_rating": 3, "narrative": "Progress was made."},
        )
