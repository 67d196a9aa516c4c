"""The contribution's state machine: every allowed move and every refused one (409, nothing changed), the decisions
on record, and what a submit needs."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.contributions import service
from app.contributions.models import ContributionStatus
from app.errors import Conflict, FormInvalid
from tests.contributions.helpers import drafted, in_status, reload, secretariat
from tests.factories import post_form, sign_in

S = ContributionStatus
ALLOWED = {
    ("submit", S.draft): S.submitted,
    ("submit", S.returned): S.submitted,
    ("accept", S.submitted): S.accepted,
    ("return", S.submitted): S.returned,
    ("decline", S.submitted): S.declined,
}
MOVES = [(action, status) for action in ("submit", "accept", "return", "decline") for status in ContributionStatus]


def _do(session: Session, action: str, contribution: object, owner: object) -> None:
    if action == "submit":
        service.submit(session, user=owner, contribution=contribution)  # type: ignore[arg-type]
    else:
        service.moderate(
            session,
            user=secretariat(session),
            contribution=contribution,  # type: ignore[arg-type]
            action=action,
            reason="A reason.",
            version=None,
        )


@pytest.mark.parametrize(("action", "status"), MOVES, ids=[f"{a}-from-{s.value}" for a, s in MOVES])
def test_each_move_is_allowed_or_refused_with_nothing_changed(
    session: Session, action: str, status: ContributionStatus
) -> None:
    contribution, owner = in_status(session, status)
    before = (contribution.status, contribution.version, len(contribution.decisions))
    if (action, status) in ALLOWED:
        _do(session, action, contribution, owner)
        after = reload(session, contribution)
        assert after.status is ALLOWED[action, status]
        assert after.decisions[-1].kind.value == action
        assert after.decisions[-1].user_id is not None
        return
    with pytest.raises(Conflict) as refused:
        _do(session, action, contribution, owner)
    assert refused.value.status_code == 409
    after = reload(session, contribution)
    assert (after.status, after.version, len(after.decisions)) == before


@pytest.mark.parametrize("action", ["return", "decline"])
def test_return_and_decline_need_a_reason(session: Session, action: str) -> None:
    contribution, _owner = in_status(session, S.submitted)
    with pytest.raises(FormInvalid) as invalid:
        service.moderate(
            session, user=secretariat(session), contribution=contribution, action=action, reason="  ", version=None
        )
    assert "reason" in invalid.value.errors
    assert reload(session, contribution).status is S.submitted


def test_a_submit_needs_the_required_answers_of_each_chosen_objective(session: Session) -> None:
    contribution, owner = drafted(session, objectives=(2, 5), complete=False)
    with pytest.raises(service.Incomplete) as incomplete:
        service.submit(session, user=owner, contribution=contribution)
    assert any("about" in m for m in incomplete.value.missing)
    assert sum("Objective" in m for m in incomplete.value.missing) == 2
    assert reload(session, contribution).status is S.draft


def test_a_submit_needs_an_objective(session: Session) -> None:
    contribution, owner = drafted(session, objectives=(), complete=False)
    with pytest.raises(service.Incomplete):
        service.submit(session, user=owner, contribution=contribution)


def test_the_secretariat_returns_then_accepts_through_the_pages_and_every_decision_is_shown(
    client: TestClient, session: Session
) -> None:
    contribution, owner = in_status(session, S.submitted)
    staff = secretariat(session)
    sign_in(client, staff)
    listed = client.get("/contributions?status=submitted")
    assert listed.status_code == 200 and contribution.organisation.name in listed.text  # loaded by the helper
    no_reason = post_form(client, f"/contributions/{contribution.id}/moderate", {"action": "return"})
    assert no_reason.status_code == 422 and reload(session, contribution).status is S.submitted
    returned = post_form(
        client,
        f"/contributions/{contribution.id}/moderate",
        {"action": "return", "reason": "Please add sources for objective 3."},
        follow_redirects=False,
    )
    assert returned.status_code == 303
    again = post_form(client, f"/contributions/{contribution.id}/moderate", {"action": "accept"})
    assert again.status_code == 409 and reload(session, contribution).status is S.returned
    sign_in(client, owner)
    page = client.get(f"/contributions/{contribution.id}")
    assert "Please add sources for objective 3." in page.text and "The secretariat returned" in page.text
    saved = post_form(
        client,
        f"/contributions/{contribution.id}/objectives/3",
        {
            "what_we_did": "We trained recruiters (source: our 2026 report).",
            "version": str(service.part_version(reload(session, contribution), "objective:3")),
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert post_form(client, f"/contributions/{contribution.id}/submit", follow_redirects=False).status_code == 303
    sign_in(client, staff)
    accepted = post_form(
        client, f"/contributions/{contribution.id}/moderate", {"action": "accept"}, follow_redirects=False
    )
    assert accepted.status_code == 303
    final = reload(session, contribution)
    assert final.status is S.accepted
    assert [d.kind.value for d in final.decisions] == ["submit", "return", "submit", "accept"]
    shown = client.get(f"/contributions/{contribution.id}").text
    assert "Decisions on record" in shown and "Please add sources for objective 3." in shown
