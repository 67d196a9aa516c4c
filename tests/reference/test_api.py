"""The API's reference data honours Accept-Language and says which language each label is in (*_lang fields,
added beside the existing ones)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from tests.factories import make_token


@pytest.fixture
def headers(session: Session) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(session)}"}


def _by(items: list[dict[str, object]], key: str) -> dict[object, dict[str, object]]:
    return {item[key]: item for item in items}


def test_objectives_in_french_with_their_languages(client: TestClient, headers: dict[str, str]) -> None:
    body = client.get("/api/v1/objectives", headers={**headers, "Accept-Language": "fr-FR,fr;q=0.9"}).json()
    objectives = _by(body, "number")
    assert objectives[2]["short_title"] == "Lutter contre les facteurs négatifs"
    assert objectives[2]["short_title_lang"] == "fr" and objectives[2]["title_lang"] == "fr"
    assert objectives[17]["title"].startswith("Eliminate all forms of discrimination")  # no French source on file
    assert objectives[17]["title_lang"] == "en" and objectives[17]["short_title_lang"] == "fr"
    assert objectives[1]["cluster"] == "RT4" and objectives[1]["paragraph"] == 17  # the existing fields stay


def test_without_accept_language_everything_is_english(client: TestClient, headers: dict[str, str]) -> None:
    objectives = _by(client.get("/api/v1/objectives", headers=headers).json(), "number")
    assert objectives[1]["short_title"] == "Data" and objectives[1]["short_title_lang"] == "en"
    countries = _by(client.get("/api/v1/countries", headers=headers).json(), "iso3")
    assert countries["VNM"]["name"] == "Viet Nam" and countries["VNM"]["name_lang"] == "en"


def test_countries_and_principles_in_chinese_and_russian(client: TestClient, headers: dict[str, str]) -> None:
    countries = _by(client.get("/api/v1/countries", headers={**headers, "Accept-Language": "zh-CN"}).json(), "iso3")
    assert countries["VNM"]["name"] == "越南" and countries["VNM"]["name_lang"] == "zh"
    assert countries["VNM"]["subregion"] == "South-East Asia"  # the filter's value stays English
    assert countries["VNM"]["subregion_label"] == "South-East Asia" and countries["VNM"]["subregion_label_lang"] == "en"
    assert countries["FRA"]["subregion_label"] is None
    principles = _by(client.get("/api/v1/principles", headers={**headers, "Accept-Language": "zh"}).json(), "code")
    assert principles["a"]["name"] == "以人为中心" and principles["a"]["name_lang"] == "zh"
    russian = _by(client.get("/api/v1/principles", headers={**headers, "Accept-Language": "ru"}).json(), "code")
    assert russian["a"]["name"] == "People-centred" and russian["a"]["name_lang"] == "en"
