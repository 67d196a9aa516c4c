"""Request bodies above GCM_MAX_UPLOAD_BYTES are refused with 413 and a clear message (page or JSON)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.factories import csrf_token

LIMIT = 2048


@pytest.fixture
def small_client(settings: Settings) -> Iterator[TestClient]:
    limited: FastAPI = create_app(settings.model_copy(update={"max_upload_bytes": LIMIT}))
    with TestClient(limited, base_url="https://127.0.0.1") as client:
        yield client


def test_default_limit_is_ten_megabytes() -> None:
    assert Settings().max_upload_bytes == 10 * 1024 * 1024


def test_a_large_form_gets_a_413_page(small_client: TestClient) -> None:
    token = csrf_token(small_client)
    response = small_client.post("/login", data={"csrf_token": token, "email": "a@b.c", "password": "x" * (LIMIT * 2)})
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "too large: at most 2 KB" in response.text
    assert "content-security-policy" in response.headers


def test_a_large_upload_to_the_api_gets_json(small_client: TestClient) -> None:
    response = small_client.post("/api/v1/countries", files={"file": ("big.csv", b"a," * LIMIT, "text/csv")})
    assert response.status_code == 413
    assert "too large" in response.json()["message"]


def test_a_streamed_body_without_length_is_cut_off(small_client: TestClient) -> None:
    token = csrf_token(small_client)

    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b"x" * 1024

    response = small_client.post(
        "/login",
        content=chunks(),
        headers={"content-type": "application/x-www-form-urlencoded", "X-CSRF-Token": token},
    )
    assert response.status_code == 413
    assert "too large" in response.text


def test_a_small_form_passes(small_client: TestClient) -> None:
    token = csrf_token(small_client)
    response = small_client.post(
        "/login", data={"csrf_token": token, "email": "a@b.c", "password": "x"}, follow_redirects=False
    )
    assert response.status_code != 413
