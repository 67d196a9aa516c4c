"""Schemathesis against /openapi.json: no server error and no response outside the documented schema.

Bounded examples per operation; runs on both databases with the test's rolled-back transaction.
"""

from __future__ import annotations

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy.orm import Session

from app.auth.models import Role
from tests.factories import make_token, make_user


def test_api_conforms_to_its_schema(app: FastAPI, session: Session) -> None:
    # schemathesis' own pytest plugin does not work with this pytest version (no Function._nodeid), so each
    # operation's strategy is driven by Hypothesis here.
    token = make_token(session, user=make_user(session, role=Role.secretariat))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: schemathesis.Case) -> None:
            # A 422 for a well-formed but unknown value (a subregion, a country code) is a documented answer.
            case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"}, excluded_checks=[positive_data_acceptance]
            )

        check()
        checked.append(operation.label)
    assert any("/api/v1/commitments" in label for label in checked)
