"""An organisation's contribution offline, on the States' engine: its people download it (Word or Excel), edit and
upload it, preview and accept; a conflict with an answer saved online after the download; another organisation's
contribution is 404; the secretariat downloads but uploads nothing; a submitted contribution's changes are
refused."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.contributions import service
from app.contributions.models import ContributionStatus
from tests.contributions.helpers import drafted, in_status, reload, stakeholder
from tests.factories import csrf_token, make_user, sign_in
from tests.offline.files import edit_docx, edit_xlsx

ABOUT = ("section:about", "about")
DID = ("objective:3", "what_we_did")


def _download(client: TestClient, contribution_id: int, fmt: str = "docx") -> bytes:
    response = client.get(f"/contributions/{contribution_id}/offline/contribution.{fmt}")
    assert response.status_code == 200, response.text
    return response.content


def _upload(client: TestClient, contribution_id: int, data: bytes, name: str) -> object:
    return client.post(
        f"/contributions/{contribution_id}/offline/uploads",
        data={"csrf_token": csrf_token(client)},
        files={"file": (name, data, "application/octet-stream")},
        follow_redirects=False,
    )


def _accept_url(page: str) -> str:
    found = re.search(r'action="([^"]*/accept)"', page)
    assert found
    return found.group(1)


def test_a_contribution_round_trips_with_a_conflict_in_both_formats(client: TestClient, session: Session) -> None:
    contribution, user = drafted(session)
    sign_in(client, user)
    docx, xlsx = _download(client, contribution.id), _download(client, contribution.id, "xlsx")
    service.save_part(session, user=user, contribution=contribution, part=ABOUT[0], form={"about": ["Online."]},
                      version=service.part_version(contribution, ABOUT[0]))  # fmt: skip
    session.flush()
    edited = edit_docx(docx, {ABOUT: "From Word.", DID: "Trained recruiters in three provinces."})
    location = _upload(client, contribution.id, edited, "contribution.docx").headers["location"]  # type: ignore[attr-defined]
    preview = client.get(location)
    assert "1 changed, 1 in conflict, 0 refused" in preview.text
    about, did = f"{ABOUT[0]}|{ABOUT[1]}", f"{DID[0]}|{DID[1]}"
    client.post(_accept_url(preview.text), data={"csrf_token": csrf_token(client), "accept": [about, did],
                                                 f"use:{about}": "product"})  # fmt: skip
    found = reload(session, contribution)
    assert service.part_values(found, DID[0])[DID[1]] == "Trained recruiters in three provinces."
    assert service.part_values(found, ABOUT[0])[ABOUT[1]] == "Online."
    edited = edit_xlsx(xlsx, {ABOUT: "From Excel."})  # downloaded before both saves: a conflict now
    location = _upload(client, contribution.id, edited, "contribution.xlsx").headers["location"]  # type: ignore[attr-defined]
    preview = client.get(location)
    assert "0 changed, 1 in conflict" in preview.text
    client.post(_accept_url(preview.text), data={"csrf_token": csrf_token(client), "only": about,
                                                 f"use:{about}": "file"})  # fmt: skip
    assert service.part_values(reload(session, contribution), ABOUT[0])[ABOUT[1]] == "From Excel."


def test_who_may_download_and_upload_a_contribution(client: TestClient, session: Session) -> None:
    contribution, _user = drafted(session)
    sign_in(client, stakeholder(session))  # another organisation's person
    assert client.get(f"/contributions/{contribution.id}/offline/contribution.docx").status_code == 404
    sign_in(client, make_user(session, role=Role.secretariat))
    data = _download(client, contribution.id)
    assert _upload(client, contribution.id, data, "c.docx").status_code == 403  # type: ignore[attr-defined]
    submitted, owner = in_status(session, ContributionStatus.submitted)
    sign_in(client, owner)
    edited = edit_docx(_download(client, submitted.id), {ABOUT: "Too late."})
    location = _upload(client, submitted.id, edited, "c.docx").headers["location"]  # type: ignore[attr-defined]
    assert "0 changed, 0 in conflict, 1 refused" in client.get(location).text


def test_the_contribution_page_links_to_the_offline_page(client: TestClient, session: Session) -> None:
    contribution, user = drafted(session)
    sign_in(client, user)
    page = client.get(f"/contributions/{contribution.id}")
    assert f'href="/contributions/{contribution.id}/offline"' in page.text
    offline = client.get(f"/contributions/{contribution.id}/offline")
    assert offline.status_code == 200 and "contribution.xlsx" in offline.text
