"""Schemathesis against /openapi.json: no server error and no response outside the documented schema.

Every operation is generated twice: with any path parameters as the secretariat (reads everything, writes nothing),
and with the path parameters of real records of a focal point's own country as that focal point, so that reads
answer 200 and writes reach the services' checks. Then one valid write per write operation, validated the same
way. Bounded examples per operation; runs on both databases in the test's rolled-back transaction.
"""

from __future__ import annotations

import re
from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy.orm import Session

from app.auth.models import Role
from tests.commitments.helpers import api_body, make_commitment
from tests.factories import make_submission, make_token, make_user
from tests.indicators.helpers import make_value


def _run(operation: Any, token: str, examples: int, **fixed: Any) -> None:
    @given(case=operation.as_strategy(**fixed))
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case: schemathesis.Case) -> None:
        # A 422 for a well-formed but unknown value (a subregion, a country code) is a documented answer.
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=[positive_data_acceptance])

    check()


def test_api_conforms_to_its_schema(app: FastAPI, session: Session) -> None:
    # schemathesis' own pytest plugin does not work with this pytest version (no Function._nodeid), so each
    # operation's strategy is driven by Hypothesis here.
    secretariat = make_token(session, user=make_user(session, role=Role.secretariat))
    focal_point = make_user(session, role=Role.focal_point, country="PHL")
    own = make_token(session, user=focal_point)
    submission = make_submission(session, focal_point=focal_point)
    records = {
        "submission_id": submission.id,
        "cycle_id": submission.review_cycle_id,
        "number": 5,
        "commitment_id": make_commitment(session, user=focal_point).id,
        "code": "10.7.3",
        "value_id": make_value(session, country="PHL", period="2019").id,
    }
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()
        _run(operation, secretariat, 15)
        names = re.findall(r"{(\w+)}", operation.path)
        _run(operation, own, 10, path_parameters={n: records[n] for n in names} if names else None)
        checked.append(operation.label)
    for label in (
        "GET /api/v1/submissions/{submission_id}/objectives/{number}",
        "GET /api/v1/cycles/{cycle_id}/questionnaire",
        "GET /api/v1/contributions",
        "PUT /api/v1/submissions/{submission_id}/answers",
        "POST /api/v1/commitments",
        "PUT /api/v1/commitments/{commitment_id}",
        "POST /api/v1/indicators/{code}/values",
        "PUT /api/v1/indicators/{code}/values/{value_id}",
    ):
        assert label in checked


def test_valid_writes_conform_to_their_schema(app: FastAPI, session: Session) -> None:
    focal_point = make_user(session, role=Role.focal_point, country="PHL")
    headers = {"Authorization": f"Bearer {make_token(session, user=focal_point)}"}
    commitment = make_commitment(session, user=focal_point)
    value = make_value(session, country="PHL", period="2019")
    submission = make_submission(session, focal_point=focal_point)
    pledge = api_body()
    answer = {"part": "objective:5", "key": "narrative", "value": "Progress.", "version": 0}
    writes: list[tuple[str, dict[str, Any], dict[str, Any], int]] = [
        ("POST /api/v1/commitments", {}, pledge, 201),
        ("PUT /api/v1/commitments/{commitment_id}", {"commitment_id": commitment.id},
         {**pledge, "title": "Changed", "version": commitment.version}, 200),
        ("POST /api/v1/indicators/{code}/values", {"code": "10.7.3"},
         {"period": "2021", "value": 3, "source": "A survey"}, 201),
        ("PUT /api/v1/indicators/{code}/values/{value_id}", {"code": "10.7.3", "value_id": value.id},
         {"value": 4, "status": "final", "source": "A register", "version": value.version}, 200),
        ("PUT /api/v1/submissions/{submission_id}/answers", {"submission_id": submission.id}, answer, 200),
        ("PUT /api/v1/submissions/{submission_id}/answers", {"submission_id": submission.id}, answer, 409),  # stale
    ]  # fmt: skip
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    for label, path_parameters, body, status in writes:
        operation = schema.find_operation_by_label(label)
        assert operation is not None, label
        case = operation.Case(path_parameters=path_parameters, body=body, media_type="application/json")
        response = case.call_and_validate(headers=headers)
        assert response.status_code == status, (label, response.text)
