"""The secretariat and administrators edit an organisation (name, type, country, website) from the organisations
list: every field checked at once, messages beside the fields and what was typed kept, a unique name, a stale
version refused with nothing saved, every change in the audit trail; stakeholders and others may not."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.organisations import queries
from app.organisations import service as organisations
from tests.factories import make_organisation, make_user, post_form, sign_in


def _form(organisation_id: int, version: int, **changes: str) -> dict[str, str]:
    data = {"name": "Asia Pacific Migrants Forum", "type": "migrant_org", "country": "NPL",
            "website": "https://apmf.example.org", "version": str(version)}  # fmt: skip
    return {**data, **changes}


@pytest.mark.parametrize("role", [Role.secretariat, Role.admin])
def test_the_secretariat_edits_an_organisation_from_the_list_and_the_change_is_audited(
    client: TestClient, session: Session, role: Role
) -> None:
    organisation = make_organisation(session, name="Migrants Forum")
    editor = make_user(session, role=role)
    sign_in(client, editor)
    listed = client.get("/organisations")
    assert listed.status_code == 200 and f'href="/organisations/{organisation.id}/edit"' in listed.text
    assert 'href="/organisations"' in client.get("/organisations/requests").text
    page = client.get(f"/organisations/{organisation.id}/edit")
    assert page.status_code == 200 and 'value="Migrants Forum"' in page.text and 'name="csrf_token"' in page.text
    saved = post_form(
        client, f"/organisations/{organisation.id}/edit", _form(organisation.id, organisation.version),
        follow_redirects=False,
    )  # fmt: skip
    assert saved.status_code == 303 and saved.headers["location"] == f"/organisations?saved={organisation.id}"
    assert "Asia Pacific Migrants Forum" in client.get(saved.headers["location"]).text
    session.expire_all()
    found = queries.get_organisation(session, organisation.id)
    assert found is not None and found.name == "Asia Pacific Migrants Forum" and found.type.value == "migrant_org"
    assert found.country is not None and found.country.iso3 == "NPL" and found.website == "https://apmf.example.org"
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_type == "organisation",
            AuditEvent.entity_id == str(organisation.id),
            AuditEvent.action == "update",
        )
    ).one()
    assert event.user_id == editor.id
    assert event.before is not None and event.before["name"] == "Migrants Forum"
    assert event.after is not None and event.after["name"] == "Asia Pacific Migrants Forum"


def test_wrong_fields_are_shown_beside_them_with_what_was_typed_and_nothing_is_saved(
    client: TestClient, session: Session
) -> None:
    taken = make_organisation(session, name="Taken Name")
    organisation = make_organisation(session, name="Ours")
    sign_in(client, make_user(session, role=Role.secretariat))
    bad = post_form(
        client,
        f"/organisations/{organisation.id}/edit",
        _form(organisation.id, organisation.version, name="taken name", type="nonsense", country="XXX",
              website="not a website"),
    )  # fmt: skip
    assert bad.status_code == 422
    for field in ("name", "type", "country", "website"):
        assert f'id="{field}-error"' in bad.text, field  # the message beside the field
    assert bad.text.count('aria-invalid="true"') == 4
    assert "An organisation named taken name already exists." in bad.text
    assert 'value="taken name"' in bad.text and 'value="not a website"' in bad.text  # what was typed is kept
    empty = post_form(client, f"/organisations/{organisation.id}/edit", _form(organisation.id, 1, name="  "))
    assert empty.status_code == 422 and "Enter the organisation&#39;s name." in empty.text
    session.expire_all()
    assert queries.get_organisation(session, organisation.id).name == "Ours"  # type: ignore[union-attr]
    assert taken.name == "Taken Name"
    same = post_form(
        client, f"/organisations/{organisation.id}/edit", _form(organisation.id, 1, name="OURS"),
        follow_redirects=False,
    )  # fmt: skip
    assert same.status_code == 303  # its own name, in another case, is not "taken"


def test_a_stale_version_is_refused_with_nothing_saved_and_the_typed_values_kept(
    client: TestClient, session: Session
) -> None:
    organisation = make_organisation(session, name="Before")
    staff = make_user(session, role=Role.secretariat)
    organisations.update_organisation(
        session, organisation=organisation, actor=staff, name="Changed by a colleague", type="civil_society",
        country="", website="", version=organisation.version,
    )  # fmt: skip
    sign_in(client, staff)
    stale = post_form(client, f"/organisations/{organisation.id}/edit", _form(organisation.id, 1, name="Mine"))
    assert stale.status_code == 409 and "Someone else changed this organisation" in stale.text
    assert 'value="Mine"' in stale.text and "Changed by a colleague" in stale.text
    assert f'name="version" value="{organisation.version}"' in stale.text  # saving now is knowingly
    session.expire_all()
    assert queries.get_organisation(session, organisation.id).name == "Changed by a colleague"  # type: ignore[union-attr]


@pytest.mark.parametrize("role", [Role.stakeholder, Role.focal_point, Role.preparer])
def test_others_may_not_edit_organisations(client: TestClient, session: Session, role: Role) -> None:
    organisation = make_organisation(session, name="Unchanged")
    user = make_user(
        session,
        role=role,
        country="PHL" if role is Role.focal_point else None,
        organisation=organisation if role is Role.stakeholder else None,
    )
    sign_in(client, user)
    assert client.get("/organisations").status_code == 403
    assert client.get(f"/organisations/{organisation.id}/edit").status_code == 403
    posted = post_form(client, f"/organisations/{organisation.id}/edit", _form(organisation.id, 1))
    assert posted.status_code == 403
    session.expire_all()
    assert queries.get_organisation(session, organisation.id).name == "Unchanged"  # type: ignore[union-attr]


def test_an_unknown_organisation_is_not_found(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role=Role.admin))
    assert client.get("/organisations/999999/edit").status_code == 404
