"""A stakeholder drafts their organisation's contribution (start from /my/organisation, objectives and consent, forms
with autosave and conflicts, answers checked as the States' are); who reads drafts and accepted contributions."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.contributions.models import ContributionStatus
from tests.contributions.helpers import drafted, in_status, reload, secretariat, stakeholder
from tests.factories import make_cycle, make_user, post_form, sign_in

S = ContributionStatus


def test_a_stakeholder_starts_from_their_organisation_page_and_drafts_two_objectives(
    client: TestClient, session: Session
) -> None:
    cycle = make_cycle(session)
    user = stakeholder(session)
    sign_in(client, user)
    mine = client.get("/my/organisation")
    assert "Start our contribution" in mine.text and cycle.name in mine.text
    started = post_form(client, "/my/contributions", follow_redirects=False)
    assert started.status_code == 303
    url = started.headers["location"]
    again = post_form(client, "/my/contributions", follow_redirects=False)
    assert again.headers["location"] == url  # one contribution per organisation and cycle
    page = client.get(url)
    assert page.status_code == 200 and 'name="objectives"' in page.text
    scope = post_form(client, url + "/scope", {"objectives": ["3", "7"], "consent": "type_only", "version": "1"})
    assert scope.status_code == 200
    contribution_id = int(url.rsplit("/", 1)[1])
    from app.contributions import queries

    found = queries.get_contribution(session, contribution_id)
    assert found is not None and found.objectives == [3, 7] and found.consent.value == "type_only"
    form = client.get(url + "/objectives/7")
    assert form.status_code == 200 and 'id="what_we_did"' in form.text and "data-autosave" in form.text
    autosaved = post_form(
        client,
        url + "/objectives/7",
        {"what_we_did": "Legal aid clinics.", "version": "0"},  # a part never saved
        headers={"X-Autosave": "1"},
    )
    assert autosaved.status_code == 200 and "Saved" in autosaved.text
    version = int(autosaved.headers["X-Version"])
    stale = post_form(
        client,
        url + "/objectives/7",
        {"what_we_did": "Something else.", "version": str(version - 1)},
        headers={"X-Autosave": "1"},
    )
    assert stale.status_code == 409 and "Legal aid clinics." in stale.text
    assert client.get(url + "/objectives/8").status_code == 404  # not chosen


def test_answers_are_checked_like_the_states_and_nothing_is_saved_when_one_does_not_fit(
    client: TestClient, session: Session
) -> None:
    contribution, user = drafted(session, complete=False)
    sign_in(client, user)
    too_long = post_form(
        client,
        f"/contributions/{contribution.id}/objectives/3",
        {"what_we_did": "Fine.", "observations": "x" * 8_001, "version": "0"},
    )
    assert too_long.status_code == 422 and "Shorten the text to 8,000 characters" in too_long.text
    assert "x" * 8_001 in too_long.text  # what was typed is kept
    assert reload(session, contribution).answers == []
    bad_scope = post_form(
        client, f"/contributions/{contribution.id}/scope", {"objectives": ["24"], "consent": "name", "version": "9"}
    )
    assert bad_scope.status_code == 422


@pytest.mark.parametrize(
    ("reader", "draft", "accepted"),
    [
        ("visitor", 404, 200),
        ("own_stakeholder", 200, 200),
        ("other_stakeholder", 404, 200),
        ("focal_point", 404, 200),
        ("preparer", 404, 200),
        ("secretariat", 200, 200),
        ("admin", 200, 200),
    ],
)
def test_who_reads_a_draft_and_an_accepted_contribution(
    client: TestClient, session: Session, reader: str, draft: int, accepted: int
) -> None:
    owner = stakeholder(session)
    cycle = make_cycle(session)
    mine, _u = drafted(session, user=owner, cycle=cycle)
    public, _o = in_status(session, S.accepted, cycle=cycle)
    users = {
        "own_stakeholder": owner,
        "other_stakeholder": stakeholder(session),
        "focal_point": make_user(session, role=Role.focal_point, country="PHL"),
        "preparer": make_user(session, role=Role.preparer),
        "secretariat": secretariat(session),
        "admin": make_user(session, role=Role.admin),
    }
    if reader != "visitor":
        sign_in(client, users[reader])
    assert client.get(f"/contributions/{mine.id}").status_code == draft
    assert (
        client.get(f"/contributions/{mine.id}/sections/about").status_code == (draft if reader != "visitor" else 303)
        or reader == "visitor"
    )
    shown = client.get(f"/contributions/{public.id}")
    assert shown.status_code == accepted
    reasons_shown = "Decisions on record" in shown.text
    assert reasons_shown == (reader in ("secretariat", "admin"))


def test_only_the_organisation_writes_and_the_secretariat_alone_moderates(client: TestClient, session: Session) -> None:
    contribution, _owner = drafted(session)
    sign_in(client, stakeholder(session))
    other = post_form(client, f"/contributions/{contribution.id}/sections/about", {"about": "Ours now", "version": "1"})
    assert other.status_code == 404
    assert post_form(client, f"/contributions/{contribution.id}/moderate", {"action": "accept"}).status_code == 403
    sign_in(client, secretariat(session))
    assert (
        post_form(
            client, f"/contributions/{contribution.id}/sections/about", {"about": "x", "version": "1"}
        ).status_code
        == 403
    )
    assert reload(session, contribution).status is S.draft


def test_accepted_contributions_appear_on_the_objective_and_country_pages_labelled_as_stakeholders_input(
    client: TestClient, session: Session
) -> None:
    from app.catalog.queries import get_country
    from app.organisations.models import Organisation

    country = get_country(session, "PHL")
    assert country is not None
    named = stakeholder(session)
    organisation = session.get(Organisation, named.organisation_id)
    assert organisation is not None
    organisation.country_id = country.id
    session.flush()
    cycle = make_cycle(session)
    accepted, _u = in_status(session, S.accepted, user=named, cycle=cycle)
    hidden, _h = in_status(session, S.submitted, cycle=cycle, objectives=(3,))
    anonymous, _a = in_status(session, S.accepted, cycle=cycle, objectives=(3,), consent="type_only")
    names = {c.id: session.get(Organisation, c.organisation_id).name for c in (accepted, hidden, anonymous)}  # type: ignore[union-attr]
    page = client.get("/dashboards/objectives/3")
    assert page.status_code == 200
    assert "Input from stakeholders" in page.text
    assert names[accepted.id] in page.text and "We trained recruiters on objective 3." in page.text
    assert names[hidden.id] not in page.text
    assert names[anonymous.id] not in page.text and "Civil society organisation" in page.text
    assert "Input from stakeholders" not in client.get("/dashboards/objectives/12").text
