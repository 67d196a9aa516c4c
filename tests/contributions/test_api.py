"""GET /api/v1/contributions: what the token's user may read (accepted ones; a stakeholder's own too; every one for
the secretariat), with answers; an organisation cited by type only is not named to others."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.contributions.models import ContributionStatus
from app.organisations.models import Organisation
from tests.api.helpers import auth, auth_for
from tests.contributions.helpers import drafted, in_status, stakeholder
from tests.factories import make_cycle

S = ContributionStatus


def test_the_api_lists_what_each_token_may_read(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session)
    other_cycle = make_cycle(session)
    owner = stakeholder(session)
    draft, _u = drafted(session, user=owner, cycle=cycle)
    accepted, _a = in_status(session, S.accepted, cycle=cycle)
    quiet, _q = in_status(session, S.accepted, cycle=cycle, consent="type_only")
    declined, _d = in_status(session, S.declined, cycle=cycle)
    elsewhere, _e = in_status(session, S.accepted, cycle=other_cycle)

    def ids(headers: dict[str, str], query: str = f"?cycle={cycle.id}") -> set[int]:
        response = client.get("/api/v1/contributions" + query, headers=headers)
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()}

    assert ids(auth(session, Role.focal_point, "PHL")) == {accepted.id, quiet.id}
    assert ids(auth_for(session, owner)) == {accepted.id, quiet.id, draft.id}
    assert ids(auth(session, Role.secretariat)) == {draft.id, accepted.id, quiet.id, declined.id}
    assert elsewhere.id in ids(auth(session, Role.preparer), "")
    listed = client.get(f"/api/v1/contributions?cycle={cycle.id}", headers=auth(session, Role.preparer)).json()
    by_id = {item["id"]: item for item in listed}
    assert by_id[accepted.id]["organisation"] == session.get(Organisation, accepted.organisation_id).name  # type: ignore[union-attr]
    assert by_id[quiet.id]["organisation"] is None and by_id[quiet.id]["cited_as"] == "Civil society organisation"
    answers = {(a["part"], a["key"]): a["value"] for a in by_id[accepted.id]["answers"]}
    assert answers["objective:3", "what_we_did"] == "We trained recruiters on objective 3."
    assert client.get("/api/v1/contributions").status_code == 401
    assert client.get("/api/v1/contributions?cycle=0", headers=auth(session, Role.admin)).status_code == 422
    assert "/api/v1/contributions" in client.get("/openapi.json").json()["paths"]
