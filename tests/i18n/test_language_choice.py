"""Choosing a language: ``?lang=`` (remembered in a cookie), the cookie, ``Accept-Language``; a signed-in user's
preference (profile, administrator, a choice made while signed in) follows them to every browser."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import Engine, delete, or_, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.audit.models import AuditEvent
from app.auth.models import LoginAttempt, Role, User, UserSession
from app.config import Environment, Settings
from app.i18n import negotiate, normalise
from app.main import create_app
from app.web.locale import LANG_COOKIE
from tests.factories import PASSWORD, make_user, post_form, sign_in


def html_lang(page: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', page)
    assert found, page[:200]
    return found.group(1)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-CA,fr;q=0.9,en;q=0.8", "fr"),
        ("de, zh-CN;q=0.5", "zh"),
        ("ru;q=0.2, en;q=0.9", "en"),
        ("zh-Hant-TW", "zh"),
        ("*", None),
        ("de;q=abc, ru", "ru"),
        ("", None),
        ("fr;q=0", None),
    ],
)
def test_negotiation_honours_quality(header: str, expected: str | None) -> None:
    assert negotiate(header) == expected


def test_normalise_accepts_tags_and_refuses_the_rest() -> None:
    assert normalise("RU") == "ru"
    assert normalise("zh_Hans_CN") == "zh"
    assert normalise("es") is None
    assert normalise("") is None


def test_first_visit_negotiates_and_a_deep_link_is_remembered(client: TestClient) -> None:
    assert html_lang(client.get("/").text) == "en"
    assert html_lang(client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).text) == "fr"
    assert client.cookies.get(LANG_COOKIE) is None  # negotiated, not chosen: nothing remembered

    page = client.get("/?lang=ru", headers={"Accept-Language": "zh"})
    assert html_lang(page.text) == "ru"
    assert page.headers["content-language"] == "ru"
    assert "Accept-Language" in page.headers["vary"]
    assert client.cookies.get(LANG_COOKIE) == "ru"
    # The cookie outranks the browser's header from now on.
    assert html_lang(client.get("/", headers={"Accept-Language": "zh"}).text) == "ru"
    assert html_lang(client.get("/?lang=zh").text) == "zh-Hans"
    # An unknown language is ignored (no cookie change, no error).
    page = client.get("/?lang=xx")
    assert page.status_code == 200
    assert html_lang(page.text) == "zh-Hans"


def test_every_page_has_a_switcher_naming_each_language_in_itself(client: TestClient) -> None:
    page = client.get("/?lang=fr").text
    for code, tag, name in [("en", "en", "English"), ("zh", "zh-Hans", "中文"), ("fr", "fr", "Français"),
                            ("ru", "ru", "Русский")]:  # fmt: skip
        assert f'lang="{tag}" hreflang="{tag}"' in page
        assert f">{name}</a>" in page
        assert f"lang={code}" in page
    assert re.search(r'lang="fr" hreflang="fr" aria-current="true">Français', page)


def test_the_switcher_keeps_the_page_and_its_query(client: TestClient) -> None:
    page = client.get("/search?q=workers&lang=en").text
    assert 'href="/search?q=workers&amp;lang=fr"' in page


def test_after_a_post_the_switcher_goes_back_to_the_form_page(client: TestClient) -> None:
    page = post_form(client, "/login", {"email": "", "password": ""}, headers={"Referer": "https://127.0.0.1/login"})
    assert page.status_code == 422
    assert 'href="/language?lang=fr&amp;next=%2Flogin"' in page.text
    back = client.get("/language?lang=fr&next=/login", follow_redirects=False)
    assert back.status_code == 303
    assert back.headers["location"] == "/login"
    assert client.cookies.get(LANG_COOKIE) == "fr"
    off_site = client.get("/language?lang=fr&next=//evil.example", follow_redirects=False)
    assert off_site.headers["location"] == "/"


def test_a_choice_made_while_signed_in_follows_the_user(db_url: str, engine: Engine) -> None:
    """Against committed data: a page view writes the preference in its own short transaction (app.auth.dependencies
    .remember_language), as in production, which the test's open transaction would block."""
    email = f"lang.{uuid.uuid4().hex[:8]}@example.org"
    with Session(engine) as session:
        session.info["audit_disabled"] = True
        user_id = make_user(session, role=Role.secretariat, email=email).id
        session.commit()
    app = create_app(Settings(env=Environment.test, database_url=db_url))
    app.state.job_worker_autostart = False
    try:
        with TestClient(app, base_url="https://127.0.0.1") as client:
            post_form(client, "/login", {"email": email, "password": PASSWORD})
            assert client.get("/?lang=fr").status_code == 200
            with Session(engine) as session:
                assert session.get(User, user_id).language == "fr"  # type: ignore[union-attr]
            post_form(client, "/logout")
        with TestClient(app, base_url="https://127.0.0.1") as other_browser:
            post_form(other_browser, "/login", {"email": email, "password": PASSWORD})
            assert other_browser.cookies.get(LANG_COOKIE) == "fr"
            assert html_lang(other_browser.get("/", headers={"Accept-Language": "ru"}).text) == "fr"
    finally:
        app.state.engine.dispose()
        with Session(engine) as session:
            # The sign-ins and the preference are in the audit trail: removed with the user (ids may be reused).
            session.execute(
                delete(AuditEvent).where(
                    or_(
                        AuditEvent.user_id == user_id,
                        (AuditEvent.entity_type == "user_account") & (AuditEvent.entity_id == str(user_id)),
                    )
                )
            )
            session.execute(delete(UserSession).where(UserSession.user_id == user_id))
            session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))
            session.execute(delete(User).where(User.id == user_id))
            session.commit()
            left = select(AuditEvent.id).where(
                AuditEvent.entity_type == "user_account", AuditEvent.entity_id == str(user_id)
            )
            assert session.scalars(left).first() is None


def test_the_profile_sets_the_language_and_refuses_others(client: TestClient, session: Session) -> None:
    user = make_user(session, role=Role.focal_point)
    sign_in(client, user)
    page = client.get("/account")
    assert page.status_code == 200
    assert 'name="language"' in page.text

    bad = post_form(client, "/account", {"language": "de"})
    assert bad.status_code == 422
    assert "Choose one of the languages listed." in bad.text
    assert '<option value="de"' not in bad.text
    session.refresh(user)
    assert user.language is None

    saved = post_form(client, "/account", {"language": "zh"}, follow_redirects=False)
    assert saved.status_code == 303
    done = client.get(saved.headers["location"])
    assert html_lang(done.text) == "zh-Hans"
    session.refresh(user)
    assert user.language == "zh"

    post_form(client, "/account", {"language": ""})
    session.refresh(user)
    assert user.language is None


def test_an_administrator_sets_a_new_users_language(client: TestClient, session: Session) -> None:
    admin = make_user(session, role=Role.admin)
    sign_in(client, admin)
    form = {"email": "new.person@example.org", "name": "New Person", "role": "secretariat", "country": "",
            "organisation": ""}  # fmt: skip
    bad = post_form(client, "/admin/users", {**form, "language": "xx"})
    assert bad.status_code == 422
    assert "Choose one of the languages listed." in bad.text
    assert "new.person@example.org" in bad.text  # what was typed is kept
    assert session.query(User).filter_by(email="new.person@example.org").one_or_none() is None

    created = post_form(client, "/admin/users", {**form, "language": "ru"})
    assert created.status_code == 200
    person = session.query(User).filter_by(email="new.person@example.org").one()
    assert person.language == "ru"


def test_the_signed_in_users_country_is_named_in_the_page_language(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role=Role.focal_point, country="PHL"))
    russian = client.get("/my?lang=ru").text
    assert "Филиппины" in russian and "Philippines" not in russian
    assert "菲律宾" in client.get("/my?lang=zh").text
