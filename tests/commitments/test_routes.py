"""The commitments pages over HTTP: list, record, detail, edit, progress updates; each role's access."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.audit.models import AuditAction, AuditEvent
from app.auth.models import Role
from app.catalog.texts import app_cache
from app.commitments import queries
from app.commitments.models import Commitment, CommitmentStatus
from app.db import utcnow
from app.submissions.models import SubmissionStatus
from tests.commitments.helpers import DESCRIPTION, accept_review_of, focal_point, form_data, make_commitment
from tests.factories import make_user, post_form, sign_in

HTMX = {"HX-Request": "true"}


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Commitment)) or 0


def _reload(session: Session, commitment: Commitment) -> Commitment:
    session.expire_all()
    loaded = queries.get_commitment(session, commitment.id)
    assert loaded is not None
    return loaded


def _edit_data(commitment: Commitment, **overrides: object) -> dict[str, object]:
    return {**form_data(), "version": commitment.version, **overrides}


# ---- list ------------------------------------------------------------------------------------------------------


def test_signed_out_visitor_is_sent_to_sign_in(client: TestClient, session: Session) -> None:
    pledge = make_commitment(session)
    for url in ("/commitments", f"/commitments/{pledge.id}", "/commitments/new", f"/commitments/{pledge.id}/edit"):
        response = client.get(url, follow_redirects=False)
        assert response.status_code == 303, url
        assert response.headers["location"].startswith("/login?next=")
    assert post_form(client, "/commitments", form_data(), follow_redirects=False).status_code == 303
    assert _count(session) == 1


def test_focal_point_lists_only_own_countrys_pledges(client: TestClient, session: Session) -> None:
    own = make_commitment(session, country="PHL", title="Own pledge")
    other = make_commitment(session, country="THA", title="Thai pledge")
    sign_in(client, focal_point(session, "PHL"))
    page = client.get("/commitments")
    assert page.status_code == 200
    assert own.reference in page.text and "Own pledge" in page.text
    assert other.reference not in page.text
    assert 'href="/commitments/new"' in page.text
    assert 'name="country"' not in page.text  # one country: no filter


def test_list_shows_the_columns(client: TestClient, session: Session) -> None:
    user = focal_point(session)
    pledge = make_commitment(session, user=user, objectives=["3", "17"], status="in_progress")
    sign_in(client, user)
    post_form(
        client,
        f"/commitments/{pledge.id}/updates",
        {"reported_on": "2025-03-04", "status": "in_progress", "progress": "Two centres open."},
    )
    text = client.get("/commitments").text
    row = re.search(rf'<tr>\s*<td><a href="/commitments/{pledge.id}">.*?</tr>', text, re.S)
    assert row is not None
    cells = row.group(0)
    assert "In progress" in cells and ">3</abbr>, <abbr" in cells and ">17</abbr>" in cells
    assert "Jan 1, 2025 – Dec 31, 2027" in cells and "Mar 4, 2025" in cells  # as the reader's language writes dates


def test_secretariat_lists_every_country_and_filters_by_country(client: TestClient, session: Session) -> None:
    phl = make_commitment(session, country="PHL")
    tha = make_commitment(session, country="THA")
    sign_in(client, make_user(session, role=Role.secretariat))
    everything = client.get("/commitments").text
    assert phl.reference in everything and tha.reference in everything
    assert '<option value="THA">Thailand</option>' in everything
    assert 'href="/commitments/new"' not in everything
    filtered = client.get("/commitments?country=THA").text
    assert tha.reference in filtered and phl.reference not in filtered


def test_country_filter_answers_htmx_with_the_results_only(client: TestClient, session: Session) -> None:
    tha = make_commitment(session, country="THA")
    sign_in(client, make_user(session, role=Role.admin))
    response = client.get("/commitments?country=THA", headers=HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="results">') and "<html" not in response.text
    assert tha.reference in response.text


def test_preparer_lists_only_pledges_of_accepted_reviews(client: TestClient, session: Session) -> None:
    accepted = make_commitment(session, country="THA")
    draft_only = make_commitment(session, country="PHL")
    accept_review_of(session, "THA")
    sign_in(client, make_user(session, role=Role.preparer))
    text = client.get("/commitments").text
    assert accepted.reference in text and draft_only.reference not in text


# ---- record ----------------------------------------------------------------------------------------------------


def test_new_form_shows_the_description_limits_before_they_are_hit(client: TestClient, session: Session) -> None:
    sign_in(client, focal_point(session))
    page = client.get("/commitments/new")
    assert page.status_code == 200
    assert 'maxlength="3000"' in page.text and 'data-min="300"' in page.text and 'data-max="3000"' in page.text
    assert "0 characters: 300 more needed (at least 300)." in page.text
    assert 'id="description-count"' in page.text and "description-count" in page.text.split('id="description"')[1]
    assert "/static/commitments." in page.text  # commitments.<content hash>.js
    assert page.text.count('id="objectives"') == 1 and page.text.count('name="objectives"') == 23
    assert page.text.count('name="principles"') == 10


def test_focal_point_records_a_pledge_for_own_country(client: TestClient, session: Session) -> None:
    sign_in(client, focal_point(session, "PHL"))
    data = form_data(country_id=999, country="THA")  # a country in the form is ignored
    response = post_form(client, "/commitments", data, follow_redirects=False)
    assert response.status_code == 303
    pledge = session.scalars(select(Commitment)).one()
    assert response.headers["location"] == f"/commitments/{pledge.id}?saved=1"
    pledge = _reload(session, pledge)
    assert pledge.country.iso3 == "PHL" and pledge.reference == f"PHL-{utcnow().year}-001"
    assert [o.number for o in pledge.objectives] == [3, 6] and [p.code for p in pledge.principles] == ["a", "d"]
    assert str(pledge.timeframe_end) == "2027-12-31"
    page = client.get(response.headers["location"])
    assert "The pledge was saved." in page.text and "data-draft-saved" in page.text


@pytest.mark.parametrize(("length", "status"), [(299, 422), (300, 303), (3_001, 422)])
def test_description_limits_over_http(client: TestClient, session: Session, length: int, status: int) -> None:
    sign_in(client, focal_point(session))
    response = post_form(client, "/commitments", form_data(description="d" * length), follow_redirects=False)
    assert response.status_code == status
    assert _count(session) == (1 if status == 303 else 0)
    if status == 422:
        assert 'id="description-error"' in response.text and "between 300 and 3,000" in response.text
        assert "d" * length in response.text  # the text is kept, even over the limit


def test_bad_input_is_refused_beside_the_fields_with_everything_kept(client: TestClient, session: Session) -> None:
    sign_in(client, focal_point(session))
    data = form_data(
        title="Kept title",
        description="Too short, but kept.",
        pledge_type="partnership",
        partners="",
        objectives=["4", "21"],
        principles=["c"],
        scope="Kept scope",
        timeframe_start="2026-06-01",
        timeframe_end="2026-01-01",
    )
    response = post_form(client, "/commitments", data)
    assert response.status_code == 422
    text = response.text
    for field in ("description", "partners", "timeframe_end"):
        assert f'id="{field}-error"' in text, field
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', text), field
    assert (
        'value="Kept title"' in text and "Too short, but kept.</textarea>" in text and "Kept scope</textarea>" in text
    )
    assert re.search(r'value="4" checked', text) and re.search(r'value="21" checked', text)
    assert not re.search(r'value="5" checked', text)
    assert re.search(r'value="c" checked', text) and re.search(r'<option value="partnership" selected', text)
    assert 'value="2026-06-01"' in text
    assert 'class="error-summary"' in text and 'href="#partners"' in text
    assert _count(session) == 0


def test_matching_pledge_over_http(client: TestClient, session: Session) -> None:
    cited = make_commitment(session, country="THA")
    hidden = make_commitment(session, country="VNM")  # Viet Nam has published nothing: its pledges are not public
    accept_review_of(session, "THA", SubmissionStatus.published)
    sign_in(client, focal_point(session, "PHL"))
    refused = post_form(client, "/commitments", form_data(pledge_type="matching", matched_reference="XXX-2020-001"))
    assert refused.status_code == 422 and 'id="matched_reference-error"' in refused.text
    assert 'value="XXX-2020-001"' in refused.text
    ok = post_form(
        client, "/commitments", form_data(pledge_type="matching", matched_reference=cited.reference),
        follow_redirects=False,
    )  # fmt: skip
    assert ok.status_code == 303
    page = client.get(ok.headers["location"]).text
    assert f'href="/commitments/{cited.id}"' in page and cited.title in page  # a published State's pledge
    before = _count(session)
    unseen = post_form(client, "/commitments", form_data(pledge_type="matching", matched_reference=hidden.reference))
    assert unseen.status_code == 422
    assert f"No pledge has the reference {hidden.reference}." in unseen.text  # as if it did not exist
    assert _count(session) == before


@pytest.mark.parametrize("role", [Role.secretariat, Role.admin, Role.preparer])
def test_only_focal_points_may_record_pledges(client: TestClient, session: Session, role: Role) -> None:
    sign_in(client, make_user(session, role=role))
    assert client.get("/commitments/new").status_code == 403
    assert post_form(client, "/commitments", form_data()).status_code == 403
    assert _count(session) == 0


# ---- detail ----------------------------------------------------------------------------------------------------


def test_detail_shows_every_field_and_renders_the_description_safely(client: TestClient, session: Session) -> None:
    user = focal_point(session)
    description = "**Centres** in five provinces. <script>alert(1)</script> " + DESCRIPTION
    pledge = make_commitment(
        session, user=user, description=description, pledge_type="partnership", partners="IOM and ILO"
    )
    sign_in(client, user)
    page = client.get(f"/commitments/{pledge.id}")
    assert page.status_code == 200
    text = page.text
    assert "<strong>Centres</strong>" in text and "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;" in text
    for expected in (pledge.reference, "Philippines", "Process", "Pledge in partnership", "IOM and ILO",
                     "Objective 3:", "Objective 6:", "(a) ", "(d) ", "National, starting in five provinces",
                     "2025-01-01", "2027-12-31", "Pledged"):  # fmt: skip
        assert expected in text, expected
    assert f'href="/commitments/{pledge.id}/edit"' in text
    assert f'action="/commitments/{pledge.id}/updates"' in text
    assert "History of this pledge" in text and "created" in text


def test_progress_updates_are_listed_newest_first(client: TestClient, session: Session) -> None:
    user = focal_point(session)
    pledge = make_commitment(session, user=user)
    sign_in(client, user)
    for day, text in (("2025-02-01", "First report."), ("2025-05-01", "Latest report."), ("2025-03-01", "Middle.")):
        response = post_form(
            client, f"/commitments/{pledge.id}/updates",
            {"reported_on": day, "status": "in_progress", "progress": text}, follow_redirects=False,
        )  # fmt: skip
        assert response.status_code == 303
        assert response.headers["location"] == f"/commitments/{pledge.id}?added=1#updates"
    page = client.get(f"/commitments/{pledge.id}").text
    assert page.index("Latest report.") < page.index("Middle.") < page.index("First report.")
    assert "Reported by Test User" in page
    assert _reload(session, pledge).status is CommitmentStatus.in_progress


def test_progress_update_form_defaults_to_today(client: TestClient, session: Session) -> None:
    user = focal_point(session)
    pledge = make_commitment(session, user=user)
    sign_in(client, user)
    page = client.get(f"/commitments/{pledge.id}").text
    assert f'id="reported_on" name="reported_on" type="date" value="{utcnow().date().isoformat()}"' in page


def test_invalid_progress_update_over_htmx_swaps_the_form_with_errors(client: TestClient, session: Session) -> None:
    user = focal_point(session)
    pledge = make_commitment(session, user=user)
    sign_in(client, user)
    tomorrow = (utcnow().date() + timedelta(days=1)).isoformat()
    data = {"reported_on": tomorrow, "status": "fulfilled", "progress": ""}
    response = post_form(client, f"/commitments/{pledge.id}/updates", data, headers=HTMX)
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<section id="updates"') and "<html" not in response.text
    assert 'id="reported_on-error"' in response.text and 'id="progress-error"' in response.text
    assert f'value="{tomorrow}"' in response.text and '<option value="fulfilled" selected' in response.text
    assert _reload(session, pledge).updates == []


def test_valid_progress_update_over_htmx_reloads_the_page(client: TestClient, session: Session) -> None:
    user = focal_point(session)
    pledge = make_commitment(session, user=user)
    sign_in(client, user)
    data = {"reported_on": "2025-04-01", "status": "fulfilled", "progress": "All five centres are open."}
    response = post_form(client, f"/commitments/{pledge.id}/updates", data, headers=HTMX)
    assert response.status_code == 200
    assert response.headers["hx-redirect"] == f"/commitments/{pledge.id}?added=1#updates"
    assert _reload(session, pledge).status is CommitmentStatus.fulfilled


# ---- edit ------------------------------------------------------------------------------------------------------


def test_edit_form_carries_the_saved_values_and_version(client: TestClient, session: Session) -> None:
    user = focal_point(session)
    pledge = make_commitment(session, user=user)
    sign_in(client, user)
    page = client.get(f"/commitments/{pledge.id}/edit").text
    assert '<input type="hidden" name="version" value="1">' in page
    assert 'value="Migrant resource centres in provinces of origin"' in page
    assert re.search(r'value="3" checked', page) and re.search(r'value="d" checked', page)


def test_focal_point_edits_and_the_change_is_audited(client: TestClient, session: Session) -> None:
    user = focal_point(session)
    pledge = make_commitment(session, user=user)
    sign_in(client, user)
    data = _edit_data(
        pledge, title="Resource centres in ten provinces", objectives=["3", "6", "7"], status="in_progress"
    )
    response = post_form(client, f"/commitments/{pledge.id}/edit", data, follow_redirects=False)
    assert response.status_code == 303
    pledge = _reload(session, pledge)
    assert pledge.title == "Resource centres in ten provinces" and pledge.version == 2
    assert [o.number for o in pledge.objectives] == [3, 6, 7]
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_type == "commitment",
            AuditEvent.entity_id == str(pledge.id),
            AuditEvent.action == AuditAction.update,
        )
    ).one()
    assert event.user_id == user.id
    page = client.get(f"/commitments/{pledge.id}").text
    history = page.split("History of this pledge")[1]
    assert "changed" in history and "ten" in history
    assert "Pledged → In progress" in history and "in_progress" not in history  # labels, not stored values


def test_edit_with_bad_input_keeps_it_and_changes_nothing(client: TestClient, session: Session) -> None:
    user = focal_point(session)
    pledge = make_commitment(session, user=user)
    sign_in(client, user)
    data = _edit_data(pledge, title="New title", main_objectives=[], description="x" * 3_001)
    response = post_form(client, f"/commitments/{pledge.id}/edit", data)
    assert response.status_code == 422
    assert 'id="main_objectives-error"' in response.text and 'value="New title"' in response.text
    assert '<input type="hidden" name="version" value="1">' in response.text
    assert _reload(session, pledge).title == form_data()["title"]


def test_pledge_cannot_be_edited_to_match_itself(client: TestClient, session: Session) -> None:
    user = focal_point(session)
    pledge = make_commitment(session, user=user)
    sign_in(client, user)
    data = _edit_data(pledge, pledge_type="matching", matched_reference=pledge.reference)
    response = post_form(client, f"/commitments/{pledge.id}/edit", data)
    assert response.status_code == 422 and "cannot match itself" in response.text


def test_edit_after_someone_else_saved_is_a_conflict(app: FastAPI, client: TestClient, session: Session) -> None:
    first, second = focal_point(session), focal_point(session)
    pledge = make_commitment(session, user=first)
    loaded_version = pledge.version
    other = TestClient(app, base_url="https://127.0.0.1")
    sign_in(client, first)
    sign_in(other, second)
    url = f"/commitments/{pledge.id}/edit"
    saved = post_form(other, url, _edit_data(pledge, title="Their title", scope="Their scope"), follow_redirects=False)
    assert saved.status_code == 303
    mine = _edit_data(pledge, title="My title", scope="Their scope", objectives=["3", "6", "9"], version=loaded_version)
    response = post_form(client, url, mine)
    assert response.status_code == 409
    text = response.text
    assert "Someone else saved this pledge while you were editing it" in text
    conflict = text.split('class="conflict"')[1].split("</section>")[0]
    assert "Their title" in conflict and "My title" in conflict and "3, 6, 9" in conflict
    assert "Their scope" not in conflict  # only the fields that differ
    assert "Test User saved a newer version" in conflict
    form = text.split('pledge-form"')[1]
    assert 'value="My title"' in form and re.search(r'value="9" checked', form)
    assert f'name="version" value="{loaded_version + 1}"' in form  # saving now is a knowing overwrite
    assert _reload(session, pledge).title == "Their title"
    again = post_form(client, url, {**mine, "version": loaded_version + 1}, follow_redirects=False)
    assert again.status_code == 303 and _reload(session, pledge).title == "My title"


# ---- who may do what -------------------------------------------------------------------------------------------


def test_other_countrys_focal_point_gets_not_found(client: TestClient, session: Session) -> None:
    pledge = make_commitment(session, country="PHL")
    sign_in(client, focal_point(session, "THA"))
    assert client.get(f"/commitments/{pledge.id}").status_code == 404
    assert client.get(f"/commitments/{pledge.id}/edit").status_code == 404
    assert post_form(client, f"/commitments/{pledge.id}/edit", _edit_data(pledge, title="Hijack")).status_code == 404
    update = {"reported_on": "2025-01-01", "status": "fulfilled", "progress": "Hijack"}
    assert post_form(client, f"/commitments/{pledge.id}/updates", update).status_code == 404
    pledge = _reload(session, pledge)
    assert pledge.title != "Hijack" and pledge.updates == []


def test_unknown_pledge_is_not_found(client: TestClient, session: Session) -> None:
    sign_in(client, focal_point(session))
    assert client.get("/commitments/999999").status_code == 404


@pytest.mark.parametrize("role", [Role.secretariat, Role.admin])
def test_secretariat_reads_but_cannot_change(client: TestClient, session: Session, role: Role) -> None:
    pledge = make_commitment(session, country="PHL")
    sign_in(client, make_user(session, role=role))
    page = client.get(f"/commitments/{pledge.id}")
    assert page.status_code == 200 and pledge.reference in page.text
    assert "/edit" not in page.text and "Add a progress update" not in page.text
    assert client.get(f"/commitments/{pledge.id}/edit").status_code == 403
    assert post_form(client, f"/commitments/{pledge.id}/edit", _edit_data(pledge, title="Changed")).status_code == 403
    update = {"reported_on": "2025-01-01", "status": "fulfilled", "progress": "Done"}
    assert post_form(client, f"/commitments/{pledge.id}/updates", update).status_code == 403
    assert _reload(session, pledge).title == form_data()["title"]


def test_preparer_reads_a_pledge_only_once_the_review_is_accepted(client: TestClient, session: Session) -> None:
    pledge = make_commitment(session, country="PHL")
    sign_in(client, make_user(session, role=Role.preparer))
    assert client.get(f"/commitments/{pledge.id}").status_code == 404
    accept_review_of(session, "PHL")
    page = client.get(f"/commitments/{pledge.id}")
    assert page.status_code == 200 and "Add a progress update" not in page.text
    assert client.get(f"/commitments/{pledge.id}/edit").status_code == 403


def test_list_page_queries_do_not_grow_with_the_number_of_pledges(
    client: TestClient, session: Session, engine: Engine
) -> None:
    user = make_user(session, role=Role.secretariat)
    sign_in(client, user)
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    def queries_for_list() -> int:
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get("/commitments").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    app_cache(client.app.state).get(session)  # type: ignore[attr-defined]  # the reference texts, read once a process
    make_commitment(session, country="PHL")
    few = queries_for_list()
    for iso3 in ("THA", "NPL", "VNM", "FJI"):
        make_commitment(session, country=iso3)
    assert queries_for_list() == few
    assert 0 < few <= 10
