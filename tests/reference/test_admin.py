"""The reference texts page (/admin/reference-texts): administrators only; every text by kind and language with
its source and status, the missing ones with their English fallback; add or correct one, bad input answered beside
the field with what was typed kept and nothing changed, a stale form 409; every change in the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.audit.models import AuditAction, AuditEvent
from app.auth.models import Role
from app.catalog.models import ReferenceText, TextKind, TextStatus
from tests.factories import make_user, post_form, sign_in

LIST = "/admin/reference-texts"
EDIT = "/admin/reference-texts/edit"


def _text(session: Session, kind: str, key: str, language: str) -> ReferenceText | None:
    session.expire_all()
    return session.scalar(
        select(ReferenceText).where(
            ReferenceText.kind == kind, ReferenceText.key == key, ReferenceText.language == language
        )
    )


@pytest.fixture
def admin_client(client: TestClient, session: Session) -> TestClient:
    sign_in(client, make_user(session, role=Role.admin))
    return client


def _form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "objective",
        "key": "17",
        "language": "fr",
        "text": "Éliminer toutes les formes de discrimination et encourager un débat public fondé sur l’analyse",
        "source": "https://undocs.org/fr/A/RES/73/195",
        "status": "official",
        "version": "0",
    }
    return {**data, **overrides}


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.admin])
def test_only_administrators_reach_the_page(client: TestClient, session: Session, role: Role) -> None:
    sign_in(client, make_user(session, role=role, country="PHL" if role is Role.focal_point else None))
    assert client.get(LIST).status_code == 403
    assert client.get(EDIT, params={"kind": "objective", "key": "1", "language": "fr"}).status_code == 403
    assert post_form(client, EDIT, _form(), follow_redirects=False).status_code == 403
    assert _text(session, "objective", "17", "fr") is None


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    response = client.get(LIST, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_the_list_shows_texts_with_sources_and_the_missing_ones_in_english(admin_client: TestClient) -> None:
    page = admin_client.get(LIST, params={"language": "fr", "kind": "objective"}).text
    assert "https://noscommunes.ca/documentviewer/fr/42-1/CIMM/rapport-23/page-51" in page
    assert 'id="objective-17-fr" class="is-missing"' in page
    assert '<span lang="en">Eliminate all forms of discrimination' in page
    assert "objective-3-ru" not in page  # filtered by language
    every = admin_client.get(LIST).text
    assert "country-VNM-zh" in every and "term-imrf-ru" in every and "guiding_principle-a-ru" in every
    assert admin_client.get(LIST, params={"language": "xx", "kind": "nope"}).status_code == 200  # filters ignored


def test_an_administrator_adds_a_missing_text_and_it_is_audited(admin_client: TestClient, session: Session) -> None:
    form = admin_client.get(EDIT, params={"kind": "objective", "key": "17", "language": "fr"})
    assert form.status_code == 200 and 'name="csrf_token"' in form.text
    response = post_form(admin_client, EDIT, _form(), follow_redirects=False)
    assert response.status_code == 303, response.text
    row = _text(session, "objective", "17", "fr")
    assert row is not None and row.manual and row.status is TextStatus.official
    assert row.source == "https://undocs.org/fr/A/RES/73/195"
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.entity_type == "reference_text", AuditEvent.entity_id == str(row.id))
    )
    assert event is not None and event.action is AuditAction.create and event.user_id == row.updated_by_id
    page = admin_client.get("/?lang=fr").text
    assert "Éliminer toutes les formes de discrimination" in page


def test_an_administrator_corrects_a_country_name_with_its_source(admin_client: TestClient, session: Session) -> None:
    row = _text(session, "country", "VNM", "fr")
    assert row is not None and row.status is TextStatus.cldr
    data = _form(kind="country", key="VNM", text="Viet Nam", source="UN Terminology Database (UNTERM)")
    data.update(status="administrator", version=str(row.version))
    assert post_form(admin_client, EDIT, data, follow_redirects=False).status_code == 303
    changed = _text(session, "country", "VNM", "fr")
    assert changed is not None and changed.text == "Viet Nam" and changed.status is TextStatus.administrator
    history = admin_client.get(EDIT, params={"kind": "country", "key": "VNM", "language": "fr"}).text
    assert "Viêt Nam" in history  # the value before, in the history
    stale = post_form(admin_client, EDIT, {**data, "text": "Vietnam"}, follow_redirects=False)
    assert stale.status_code == 409 and 'value="Vietnam"' in stale.text
    assert _text(session, "country", "VNM", "fr").text == "Viet Nam"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("text", "   ", "Enter the text."),
        ("text", "x" * 501, "At most 500 characters"),
        ("source", "", "Say where the text comes from"),
        ("source", "my own translation", "Give a web address"),
        ("source", "ftp://example.org/x", "Give a web address"),
        ("status", "invented", "Choose one of the statuses listed."),
    ],
)
def test_bad_input_is_answered_beside_the_field_and_nothing_changes(
    admin_client: TestClient, session: Session, field: str, value: str, message: str
) -> None:
    response = post_form(
        admin_client, EDIT, _form(**{field: value, "text": _form()["text"] if field != "text" else value})
    )
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text and message in response.text
    assert 'aria-invalid="true"' in response.text
    if field == "source" and value:
        assert f'value="{value}"' in response.text  # what was typed is kept
    assert _text(session, "objective", "17", "fr") is None


def test_an_unknown_kind_key_or_language_is_404(admin_client: TestClient) -> None:
    for params in (
        {"kind": "planet", "key": "1", "language": "fr"},
        {"kind": "objective", "key": "99", "language": "fr"},
        {"kind": "objective", "key": "1", "language": "de"},
        {},
    ):
        assert admin_client.get(EDIT, params=params).status_code == 404
    assert post_form(admin_client, EDIT, _form(key="99"), follow_redirects=False).status_code == 404


def test_the_admin_navigation_links_the_page(admin_client: TestClient) -> None:
    assert f'href="{LIST}"' in admin_client.get("/admin/users").text


def test_kinds_cover_every_kind(admin_client: TestClient) -> None:
    page = admin_client.get(LIST).text
    for kind in TextKind:
        assert f'id="{kind.value}-' in page
