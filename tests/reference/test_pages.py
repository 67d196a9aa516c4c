"""Pages show reference texts in the reader's language where a source is on file, else the English text marked
lang="en" (never a translation of ours), through the one accessor (app/catalog/texts.py)."""

from __future__ import annotations

import html

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.catalog import texts
from app.catalog.models import Objective, ReferenceText, TextKind
from app.i18n import use_locale

FR_TITLE_1 = (
    "Collecter et utiliser des données précises et ventilées qui serviront à l’élaboration de politiques fondées"
    " sur la connaissance des faits"
)
EN_TITLE_2 = "Minimize the adverse drivers and structural factors that compel people to leave their country of origin"


def test_a_french_page_shows_an_objective_title_in_french_without_a_lang_attribute(client: TestClient) -> None:
    page = client.get("/?lang=fr").text
    assert f'<span class="muted">{html.escape(FR_TITLE_1, quote=False)}</span>' in page
    assert "<strong>Données</strong>" in page
    assert '<html lang="fr"' in page


def test_a_russian_page_shows_a_missing_title_in_english_marked_lang_en(client: TestClient) -> None:
    page = client.get("/?lang=ru").text
    assert f'<span class="muted"><span lang="en">{EN_TITLE_2}</span></span>' in page
    assert '<strong><span lang="en">Data</span></strong>' in page  # objective 1 has no Russian short title


def test_an_english_page_marks_nothing(client: TestClient) -> None:
    page = client.get("/?lang=en").text
    assert f'<span class="muted">{EN_TITLE_2}</span>' in page
    assert '<span lang="en">' not in page


def test_country_and_principle_names_follow_the_page(client: TestClient) -> None:
    chinese = client.get("/?lang=zh").text
    assert "<li>越南</li>" in chinese or ">越南<" in chinese  # CLDR's name of Viet Nam
    assert '<span lang="en">East and North-East Asia</span>' in chinese  # no source for subregions yet
    english = client.get("/?lang=en").text
    assert "Viet Nam" in english and "Vietnam" not in english  # ESCAP's English, never CLDR's


def test_the_accessor_falls_back_to_english_and_says_so(session: Session) -> None:
    snapshot = texts.Texts.load(session)
    assert snapshot.get(TextKind.objective, 1, "fr") == (FR_TITLE_1, "fr")
    assert snapshot.get(TextKind.objective, 2, "ru") == (EN_TITLE_2, "en")
    assert snapshot.get(TextKind.guiding_principle, "a", "zh") == ("以人为中心", "zh")
    assert snapshot.get(TextKind.term, "imrf", "ru") == ("International Migration Review Forum", "en")
    assert snapshot.get(TextKind.country, "NOPE", "fr", default="Nowhere") == ("Nowhere", "en")
    with use_locale("fr"):
        objective = session.scalar(select(Objective).where(Objective.number == 2))
        assert objective is not None
        text, language = texts.label(objective, "short_title")
        assert (text, language) == ("Lutter contre les facteurs négatifs", "fr")
        assert str(texts.marked("Data", "en")) == '<span lang="en">Data</span>'
        assert str(texts.marked("Données", "fr")) == "Données"
    with use_locale("zh"):
        assert str(texts.marked("<b>", "en")) == '<span lang="en">&lt;b&gt;</span>'


def test_a_change_is_seen_at_once_through_the_cache(client: TestClient, session: Session) -> None:
    assert "<strong>Données</strong>" in client.get("/?lang=fr").text  # now cached by the application
    row = session.scalar(
        select(ReferenceText).where(
            ReferenceText.kind == TextKind.objective_short, ReferenceText.key == "1", ReferenceText.language == "fr"
        )
    )
    assert row is not None
    row.text = "Données (corrigé)"
    session.commit()  # the test's savepoint: as another request's commit
    assert "<strong>Données (corrigé)</strong>" in client.get("/?lang=fr").text


def test_dashboards_name_countries_subregions_and_objectives_in_the_readers_language(client: TestClient) -> None:
    assert "越南" in client.get("/dashboards?lang=zh").text
    objective = client.get("/dashboards/objectives/2?lang=fr").text
    assert "Lutter contre les facteurs négatifs</h1>" in objective
    overview = client.get("/dashboards?lang=ru").text
    assert '<th scope="row"><span lang="en">Pacific</span></th>' in overview
    assert "Вьетнам" in overview
    assert '<th scope="row">Pacific</th>' in client.get("/dashboards?lang=en").text
