"""Each part of a contribution is locked on its own (``contribution_part``): two people of an organisation editing
two parts at once both save; two editing the same part get the conflict view (both versions, nothing lost, the
current version in the form) whether through the form or autosave; the scope (objectives, consent) keeps the
contribution's own version and does not conflict with the parts."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.contributions import service
from tests.contributions.helpers import drafted, reload, stakeholder
from tests.factories import post_form, sign_in


def _colleagues(session: Session) -> tuple[int, object, object]:
    contribution, first = drafted(session, objectives=(3, 7))
    second = stakeholder(session, reload(session, contribution).organisation)
    return contribution.id, first, second


def test_two_people_editing_two_parts_at_once_both_save(client: TestClient, session: Session) -> None:
    contribution_id, first, second = _colleagues(session)
    url = f"/contributions/{contribution_id}"
    contribution = reload(session, service.get_readable(session, user=first, contribution_id=contribution_id))  # type: ignore[arg-type]
    about, seven = (
        service.part_version(contribution, "section:about"),
        service.part_version(contribution, "objective:7"),
    )
    sign_in(client, first)  # type: ignore[arg-type]
    assert f'value="{about}" data-version' in client.get(url + "/sections/about").text
    saved = post_form(client, url + "/sections/about", {"about": "Ours, by the first.", "version": str(about)})
    assert saved.status_code == 200  # followed to the form, saved
    sign_in(client, second)  # type: ignore[arg-type]
    # The second person opened objective 7 before the first saved "about": their version is still good.
    other = post_form(
        client,
        url + "/objectives/7",
        {"what_we_did": "Objective 7, by the second.", "version": str(seven)},
        headers={"X-Autosave": "1"},
    )
    assert other.status_code == 200 and "Saved" in other.text
    assert int(other.headers["X-Version"]) == seven + 1
    fresh = reload(session, contribution)
    assert service.part_values(fresh, "section:about")["about"] == "Ours, by the first."
    assert service.part_values(fresh, "objective:7")["what_we_did"] == "Objective 7, by the second."
    # ...and the scope, locked by the contribution's own version, was not moved by either save.
    scope = post_form(
        client,
        url + "/scope",
        {"objectives": ["3", "7", "9"], "consent": "name", "version": str(contribution.version)},
        follow_redirects=False,
    )
    assert scope.status_code == 303 and reload(session, contribution).objectives == [3, 7, 9]


def test_two_edits_of_the_same_part_show_the_conflict_with_nothing_lost(client: TestClient, session: Session) -> None:
    contribution_id, first, second = _colleagues(session)
    url = f"/contributions/{contribution_id}/objectives/3"
    contribution = reload(session, service.get_readable(session, user=first, contribution_id=contribution_id))  # type: ignore[arg-type]
    seen = service.part_version(contribution, "objective:3")
    sign_in(client, first)  # type: ignore[arg-type]
    assert post_form(client, url, {"what_we_did": "The first's text.", "version": str(seen)}).status_code == 200
    sign_in(client, second)  # type: ignore[arg-type]
    stale = post_form(client, url, {"what_we_did": "The second's text.", "version": str(seen)})
    assert stale.status_code == 409
    assert "The first&#39;s text." in stale.text and "The second&#39;s text." in stale.text  # both versions
    assert f'value="{seen + 1}" data-version' in stale.text  # saving now keeps what they see, knowingly
    assert service.part_values(reload(session, contribution), "objective:3")["what_we_did"] == "The first's text."
    autosaved = post_form(
        client, url, {"what_we_did": "The second's text.", "version": str(seen)}, headers={"X-Autosave": "1"}
    )
    assert autosaved.status_code == 409 and "The first&#39;s text." in autosaved.text
    assert autosaved.headers["X-Version"] == str(seen + 1)
    merged = post_form(client, url, {"what_we_did": "Both texts.", "version": str(seen + 1)}, follow_redirects=False)
    assert merged.status_code == 303
    assert service.part_values(reload(session, contribution), "objective:3")["what_we_did"] == "Both texts."


def test_two_first_saves_of_a_part_never_saved_conflict(client: TestClient, session: Session) -> None:
    contribution, first = drafted(session, objectives=(5,), complete=False)
    second = stakeholder(session, reload(session, contribution).organisation)
    url = f"/contributions/{contribution.id}/objectives/5"
    sign_in(client, first)
    assert 'value="0" data-version' in client.get(url).text
    assert post_form(client, url, {"what_we_did": "First.", "version": "0"}, follow_redirects=False).status_code == 303
    sign_in(client, second)
    again = post_form(client, url, {"what_we_did": "Second.", "version": "0"}, headers={"X-Autosave": "1"})
    assert again.status_code == 409 and again.headers["X-Version"] == "1"
    fresh = reload(session, contribution)
    assert service.part_values(fresh, "objective:5")["what_we_did"] == "First."
    record = service.part_record(fresh, "objective:5")
    assert record is not None and record.updated_by_id == first.id and record.version == 1


def test_a_save_after_the_contribution_was_submitted_is_refused(session: Session) -> None:
    import pytest

    from app.errors import Conflict

    contribution, user = drafted(session)
    version = service.part_version(contribution, "objective:3")
    service.submit(session, user=user, contribution=contribution)
    with pytest.raises(Conflict):
        service.save_part(
            session,
            user=user,
            contribution=reload(session, contribution),
            part="objective:3",
            form={"what_we_did": ["Too late."]},
            version=version,
        )
