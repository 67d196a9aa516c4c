"""Pledges from any entity (issue 16 item 3): a State's or an organisation's pledge with the IMRF form's fields, the
rules of the form, the one attachment, and who reads the contact person (pages, API, exports)."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role, User
from app.commitments import queries, service
from app.commitments.models import Commitment, CommitmentForm, PledgeScope
from app.commitments.schemas import CommitmentInput
from app.errors import FormInvalid, NotFound, ValidationFailed
from app.submissions.models import SubmissionStatus
from tests.api.helpers import auth_for
from tests.commitments.helpers import accept_review_of, api_body, focal_point, form_data, make_commitment
from tests.factories import make_organisation, make_user, post_form, sign_in


def _errors(session: Session, *, state: bool = True, **overrides: object) -> dict[str, str]:
    with pytest.raises(FormInvalid) as caught:
        service.validate(session, CommitmentInput(**form_data(**overrides)), user=None, state=state)
    return caught.value.errors


def _stakeholder(session: Session, name: str = "Migrant Forum (test)", type: str = "migrant_org") -> User:
    return make_user(session, role=Role.stakeholder, organisation=make_organisation(session, name=name, type=type))


def _org_pledge(session: Session, user: User, **overrides: Any) -> Commitment:
    created = service.create_commitment(session, user=user, data=CommitmentInput(**form_data(**overrides)))
    loaded = queries.get_commitment(session, created.id)
    assert loaded is not None
    return loaded


def docx(text: str = "Plan") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", f"<w:document><w:body>{text}</w:body></w:document>")
    return buffer.getvalue()


# ---- the rules of the form ------------------------------------------------------------------------------------


def test_at_most_three_main_objectives(session: Session) -> None:
    assert "at most three" in _errors(session, main_objectives=["1", "2", "3", "4"])["main_objectives"]
    values = service.validate(
        session, CommitmentInput(**form_data(main_objectives=["1", "2", "3"], objectives=["7", "9"])), user=None
    )
    assert [o.number for o in values.main_objectives] == [1, 2, 3]
    assert [o.number for o in values.objectives] == [1, 2, 3, 7, 9]  # every objective addressed


def test_several_forms_and_at_least_one(session: Session) -> None:
    values = service.validate(session, CommitmentInput(**form_data(forms=["policy", "financial"])), user=None)
    assert values.forms == [CommitmentForm.financial, CommitmentForm.policy]
    assert "forms" in _errors(session, forms=[])
    assert "forms" in _errors(session, forms=["money"])


def test_description_is_300_to_3000_characters(session: Session) -> None:
    assert "description" in _errors(session, description="x" * 299)
    assert "description" in _errors(session, description="x" * 3_001)


def test_matching_pledge_cites_an_existing_pledge_or_an_imrf_id(session: Session) -> None:
    assert (
        "No pledge has the reference"
        in _errors(session, pledge_type="matching", matched_reference="PHL-1999-001")["matched_reference"]
    )
    values = service.validate(
        session, CommitmentInput(**form_data(pledge_type="matching", external_pledge_id="IMRF-2022-0153")), user=None
    )
    assert values.external_pledge_id == "IMRF-2022-0153" and values.matched is None
    assert "external_pledge_id" in _errors(session, pledge_type="matching", external_pledge_id="not an id!")
    assert "external_pledge_id" in _errors(session, pledge_type="matching", external_pledge_id="x" * 41)
    both = _errors(session, pledge_type="matching", matched_reference="PHL-1999-001", external_pledge_id="IMRF-1")
    assert "not both" in both["external_pledge_id"]
    assert "external_pledge_id" in _errors(session, external_pledge_id="IMRF-1")  # an individual pledge cites none


def test_champion_only_for_a_state(session: Session) -> None:
    assert service.validate(session, CommitmentInput(**form_data(champion="on")), user=None, state=True).champion
    assert "Only a State" in _errors(session, state=False, champion="on")["champion"]


def test_scope_choice_and_countries_of_implementation(session: Session) -> None:
    assert "scope_level" in _errors(session, scope_level="")
    assert "scope_level" in _errors(session, scope_level="planetary")
    assert "implementation_countries" in _errors(session, scope_level="national", implementation_countries=[])
    assert "implementation_countries" in _errors(session, implementation_countries=["PHL", "ZZZ"])
    values = service.validate(
        session, CommitmentInput(**form_data(scope_level="global", implementation_countries=[])), user=None
    )
    assert values.scope_level is PledgeScope.global_


def test_contact_email_must_look_like_one(session: Session) -> None:
    assert "contact_email" in _errors(session, contact_email="nobody")


def test_exactly_one_pledging_entity_is_a_database_rule(session: Session) -> None:
    pledge = make_commitment(session)
    organisation = make_organisation(session, name="Both (test)")
    for values in ({"organisation_id": organisation.id}, {"country_id": None}):
        with pytest.raises(IntegrityError), session.begin_nested():
            session.execute(update(Commitment).where(Commitment.id == pledge.id).values(**values))


def test_champion_is_a_database_rule_for_states_only(session: Session) -> None:
    pledge = _org_pledge(session, _stakeholder(session))
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(update(Commitment).where(Commitment.id == pledge.id).values(champion=True))


def test_existing_short_description_reads_but_an_edit_must_meet_the_rule(session: Session) -> None:
    user = focal_point(session)
    pledge = make_commitment(session, user=user)
    session.execute(update(Commitment).where(Commitment.id == pledge.id).values(description="Old and short."))
    session.expire_all()
    loaded = queries.get_commitment(session, pledge.id)
    assert loaded is not None and loaded.description == "Old and short."
    data = CommitmentInput.from_commitment(loaded)
    with pytest.raises(FormInvalid) as caught:
        service.update_commitment(session, user=user, commitment=loaded, data=data, version=loaded.version)
    assert "description" in caught.value.errors


# ---- an organisation's pledge ---------------------------------------------------------------------------------


def test_a_stakeholder_records_and_edits_their_organisations_pledge(session: Session) -> None:
    user = _stakeholder(session)
    pledge = _org_pledge(session, user, partner_countries=["PHL"], partner_organisations=[], pledge_type="common")
    assert pledge.country_id is None and pledge.organisation_id == user.organisation_id
    assert pledge.entity_type == "migrant_org" and pledge.reference.startswith(f"ORG{user.organisation_id}-")
    assert [c.iso3 for c in pledge.partner_countries] == ["PHL"]
    data = CommitmentInput(**form_data(title="Renamed", forms=["policy", "process"]))
    assert service.update_commitment(session, user=user, commitment=pledge, data=data, version=pledge.version)
    assert pledge.title == "Renamed" and pledge.forms == [CommitmentForm.process, CommitmentForm.policy]
    other = _stakeholder(session, "Another organisation (test)", "academia")
    with pytest.raises(NotFound):
        service.update_commitment(session, user=other, commitment=pledge, data=data, version=pledge.version)
    with pytest.raises(NotFound):  # a focal point does not write an organisation's pledge either
        service.update_commitment(session, user=focal_point(session), commitment=pledge, data=data, version=2)


def test_other_roles_do_not_pledge(session: Session) -> None:
    for role in (Role.secretariat, Role.preparer, Role.admin):
        with pytest.raises(Exception, match="Only the pledging"):
            service.create_commitment(session, user=make_user(session, role=role), data=CommitmentInput(**form_data()))


# ---- the attachment -------------------------------------------------------------------------------------------


def test_attachment_is_stored_in_the_database_and_refused_when_wrong(session: Session) -> None:
    user = focal_point(session)
    pledge = make_commitment(session, user=user)
    stored = service.attach(session, user=user, commitment=pledge, name="C:\\docs\\plan.docx", data=docx())
    assert stored.name == "plan.docx" and stored.size == len(docx())
    session.expire_all()
    loaded = queries.get_attachment(session, pledge.id)
    assert loaded is not None and loaded.content == docx()
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"0" * (20 * 1024 * 1024))
    refused = {
        "plan.pdf": docx(),  # content of another kind
        "plan.exe": b"MZ",
        "plan.docx": bomb.getvalue(),
        "big.pdf": b"%PDF-" + b"0" * service.ATTACHMENT_MAX,
        "empty.pdf": b"",
    }
    for name, data in refused.items():
        with pytest.raises(ValidationFailed):
            service.attach(session, user=user, commitment=pledge, name=name, data=data)
    kept = queries.get_attachment(session, pledge.id)
    assert kept is not None and kept.name == "plan.docx"  # nothing replaced by a refused file


def test_attachment_is_a_download_for_readers_only(client: TestClient, session: Session) -> None:
    user = focal_point(session)
    pledge = make_commitment(session, user=user)
    sign_in(client, user)
    response = post_form(
        client, f"/commitments/{pledge.id}/attachment", files={"document": ("plan.pdf", b"%PDF-1.7 plan", "text/plain")}
    )
    assert response.status_code in (200, 303), response.text
    download = client.get(f"/commitments/{pledge.id}/attachment")
    assert download.status_code == 200 and download.content == b"%PDF-1.7 plan"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-type"] == "application/pdf"
    wrong = post_form(client, f"/commitments/{pledge.id}/attachment", files={"document": ("x.pdf", b"nope", "a/b")})
    assert wrong.status_code == 422 and "not a PDF file" in wrong.text
    client.cookies.clear()
    sign_in(client, make_user(session, role=Role.preparer))  # PHL's review is not accepted: its pledges unseen
    assert client.get(f"/commitments/{pledge.id}/attachment").status_code == 404


# ---- who reads the contact person -----------------------------------------------------------------------------

CONTACT = {"contact_name": "Ana Reyes", "contact_position": "Director", "contact_email": "ana.reyes@example.org"}


def test_contact_person_on_the_pages_for_the_entity_and_the_secretariat(client: TestClient, session: Session) -> None:
    accept_review_of(session, "PHL", SubmissionStatus.published)
    owner = focal_point(session)
    pledge = make_commitment(session, user=owner, **CONTACT)
    stakeholder = _stakeholder(session)
    org_pledge = _org_pledge(session, stakeholder, **CONTACT)
    readers = {
        "owner": (owner, {pledge.id: True, org_pledge.id: False}),
        "stakeholder": (stakeholder, {pledge.id: False, org_pledge.id: True}),
        "secretariat": (make_user(session, role=Role.secretariat), {pledge.id: True, org_pledge.id: True}),
        "other stakeholder": (_stakeholder(session, "Other (test)", "nhri"), {pledge.id: False, org_pledge.id: False}),
        "preparer": (make_user(session, role=Role.preparer), {pledge.id: False, org_pledge.id: False}),
        "other focal point": (focal_point(session, "THA"), {pledge.id: False, org_pledge.id: False}),
    }
    for who, (user, expected) in readers.items():
        client.cookies.clear()
        sign_in(client, user)
        for pledge_id, sees in expected.items():
            page = client.get(f"/commitments/{pledge_id}")
            assert page.status_code == 200, (who, pledge_id)
            assert ("ana.reyes@example.org" in page.text) is sees, (who, pledge_id)
            assert ("Ana Reyes" in page.text) is sees, (who, pledge_id)


def test_contact_person_in_the_api_for_the_entity_and_the_secretariat(client: TestClient, session: Session) -> None:
    accept_review_of(session, "PHL", SubmissionStatus.published)
    owner = focal_point(session)
    pledge = make_commitment(session, user=owner, **CONTACT)
    for user, sees in (
        (owner, True),
        (make_user(session, role=Role.secretariat), True),
        (_stakeholder(session), False),
        (focal_point(session, "THA"), False),
    ):
        body = client.get(f"/api/v1/commitments/{pledge.id}", headers=auth_for(session, user)).json()
        assert (body["contact_email"] == "ana.reyes@example.org") is sees
        assert sees or (body["contact_name"] is None and body["contact_position"] is None)
        assert body["entity_type"] == "state" and body["organisation"] is None and body["country"] == "PHL"


def test_contact_person_in_the_exports_for_the_secretariat_only(client: TestClient, session: Session) -> None:
    accept_review_of(session, "PHL", SubmissionStatus.published)
    make_commitment(session, **CONTACT)
    _org_pledge(session, _stakeholder(session), **CONTACT, champion="")

    def rows(user: User) -> list[dict[str, str]]:
        client.cookies.clear()
        sign_in(client, user)
        response = client.get("/exports/download", params={"format": "csv", "dataset": "commitments"})
        assert response.status_code == 200, response.text
        return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))

    secretariat = rows(make_user(session, role=Role.secretariat))
    assert {r["entity_type"] for r in secretariat} == {"state", "migrant_org"}
    assert {r["contact_email"] for r in secretariat} == {"ana.reyes@example.org"}
    assert {r["forms"] for r in secretariat} == {"process"} and {r["main_objectives"] for r in secretariat}
    for user in (focal_point(session), make_user(session, role=Role.preparer), _stakeholder(session, "O2", "other")):
        exported = rows(user)
        assert exported and all("contact_email" not in r and "contact_name" not in r for r in exported)
        assert not any("ana.reyes" in value for r in exported for value in r.values())


# ---- the API: a stakeholder's token ---------------------------------------------------------------------------


def test_a_stakeholders_token_records_and_lists_their_organisations_pledges(
    client: TestClient, session: Session
) -> None:
    user = _stakeholder(session)
    headers = auth_for(session, user)
    body = api_body(main_objectives=[5, 6], forms=["financial", "policy"], champion=False, **CONTACT)
    response = client.post("/api/v1/commitments", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["entity_type"] == "migrant_org" and created["organisation"] == "Migrant Forum (test)"
    assert created["country"] is None and created["forms"] == ["financial", "policy"]
    assert created["main_objectives"] == [5, 6] and created["scope"] == "national"
    assert created["implementation_countries"] == ["PHL"] and created["contact_email"] == CONTACT["contact_email"]
    listed = client.get("/api/v1/commitments?entity_type=migrant_org", headers=headers).json()
    assert [item["id"] for item in listed["items"]] == [created["id"]]
    champion = client.post("/api/v1/commitments", json={**body, "champion": True}, headers=headers)
    assert champion.status_code == 422 and "champion" in {e["field"] for e in champion.json()["errors"]}
    too_many = client.post("/api/v1/commitments", json={**body, "main_objectives": [1, 2, 3, 4]}, headers=headers)
    assert too_many.status_code == 422 and "main_objectives" in {e["field"] for e in too_many.json()["errors"]}
    other = auth_for(session, _stakeholder(session, "Other org (test)", "academia"))
    seen = client.get(f"/api/v1/commitments/{created['id']}", headers=other).json()
    assert seen["contact_email"] is None  # another organisation reads the pledge, never its contact person
    put = client.put(f"/api/v1/commitments/{created['id']}", json={**body, "version": 1}, headers=other)
    assert put.status_code == 404
