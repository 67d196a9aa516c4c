from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth import service as auth_service
from app.auth.models import ApiToken
from app.config import Environment, Settings
from app.db import utcnow
from app.main import create_app
from tests.factories import make_token, make_user


@pytest.fixture
def token(session: Session) -> str:
    return make_token(session)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_healthz_reports_database_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable() -> None:
    # A port nothing listens on: the connection is refused at once.
    settings = Settings(env=Environment.test, database_url="postgresql+psycopg://nobody@127.0.0.1:9/none")
    with TestClient(create_app(settings)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}


@pytest.mark.parametrize("path", ["/api/v1/countries", "/api/v1/objectives", "/api/v1/principles"])
def test_api_without_token_is_401_json(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "Bearer" in response.json()["message"]


@pytest.mark.parametrize("header", ["Bearer gcm_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer "])
def test_api_with_invalid_credentials_is_401(client: TestClient, header: str) -> None:
    response = client.get("/api/v1/countries", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["message"]


def test_revoked_token_is_refused(client: TestClient, session: Session) -> None:
    user = make_user(session)
    issued = auth_service.create_token(session, user=user)
    assert client.get("/api/v1/objectives", headers=auth(issued.token)).status_code == 200
    issued.record.revoked_at = utcnow()
    session.flush()
    assert client.get("/api/v1/objectives", headers=auth(issued.token)).status_code == 401


def test_expired_token_and_deactivated_user_are_refused(client: TestClient, session: Session) -> None:
    user = make_user(session)
    expired = auth_service.create_token(session, user=user, expires_at=utcnow() - timedelta(seconds=1))
    assert client.get("/api/v1/objectives", headers=auth(expired.token)).status_code == 401
    valid = auth_service.create_token(session, user=user)
    user.is_active = False
    session.flush()
    assert client.get("/api/v1/objectives", headers=auth(valid.token)).status_code == 401


def test_tokens_are_stored_as_digests_only(session: Session) -> None:
    issued = auth_service.create_token(session, user=make_user(session))
    record = session.get(ApiToken, issued.record.id)
    assert issued.token not in (record.token_hash, record.prefix)
    assert record.token_hash == auth_service.digest_token(issued.token)


def test_objectives(client: TestClient, token: str) -> None:
    body = client.get("/api/v1/objectives", headers=auth(token)).json()
    assert len(body) == 23
    assert body[0] == {
        "number": 1,
        "short_title": "Data",
        "short_title_lang": "en",
        "title": "Collect and utilize accurate and disaggregated data as a basis for evidence-based policies",
        "title_lang": "en",
        "cluster": "RT4",
        "paragraph": 17,
    }
    assert {o["cluster"] for o in body} == {"RT1", "RT2", "RT3", "RT4"}


def test_principles(client: TestClient, token: str) -> None:
    body = client.get("/api/v1/principles", headers=auth(token)).json()
    assert len(body) == 10
    assert set(body[0]) == {"code", "name", "name_lang", "description"}
    assert [p["code"] for p in body] == list("abcdefghij")


def test_countries(client: TestClient, token: str) -> None:
    body = client.get("/api/v1/countries", headers=auth(token)).json()
    assert len(body) == 62
    assert set(body[0]) == {
        "iso3",
        "name",
        "name_lang",
        "status",
        "subregion",
        "subregion_label",
        "subregion_label_lang",
        "in_region",
    }
    france = next(c for c in body if c["iso3"] == "FRA")
    assert france == {
        "iso3": "FRA",
        "name": "France",
        "name_lang": "en",
        "status": "member",
        "subregion": None,
        "subregion_label": None,
        "subregion_label_lang": None,
        "in_region": False,
    }


def test_countries_in_region(client: TestClient, token: str) -> None:
    body = client.get("/api/v1/countries", params={"in_region": "true"}, headers=auth(token)).json()
    assert len(body) == 58
    assert all(c["in_region"] for c in body)


def test_countries_by_subregion(client: TestClient, token: str) -> None:
    body = client.get("/api/v1/countries", params={"subregion": "Pacific"}, headers=auth(token)).json()
    assert len(body) == 21
    assert {c["subregion"] for c in body} == {"Pacific"}


def test_unknown_subregion_is_422_with_a_message(client: TestClient, token: str) -> None:
    response = client.get("/api/v1/countries", params={"subregion": "Atlantis"}, headers=auth(token))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "subregion"


def test_invalid_boolean_is_422_json(client: TestClient, token: str) -> None:
    response = client.get("/api/v1/countries", params={"in_region": "perhaps"}, headers=auth(token))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "in_region"


def test_openapi_documents_bearer_auth_and_errors(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/api/v1/countries"]["get"]
    assert operation["security"] == [{"HTTPBearer": []}]
    assert {"200", "401", "422"} <= set(operation["responses"])
    assert client.get("/docs").status_code == 200
