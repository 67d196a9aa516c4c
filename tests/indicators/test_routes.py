"""The focal point's grid over HTTP: each row saved on its own (htmx, or a plain POST), errors, conflicts, removal."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.audit.models import AuditAction, AuditEvent
from app.auth.models import Role
from app.indicators.models import IndicatorValue
from tests.factories import make_user, post_form, sign_in
from tests.indicators.helpers import HTMX, make_value, row_form, values_of

GRID = "/my/indicators/10.7.3"
CREATE = "/my/indicators/10.7.3/values"


def signed_in_focal_point(client: TestClient, session: Session, country: str = "PHL"):
    user = make_user(session, role=Role.focal_point, country=country)
    sign_in(client, user)
    return user


def test_indicator_list_shows_unit_aggregation_and_unofficial_mapping(client: TestClient, session: Session) -> None:
    signed_in_focal_point(client, session)
    page = client.get("/indicators")
    assert page.status_code == 200
    assert "10.7.3" in page.text and "UNDESA.MIGSTOCK" in page.text
    assert "Number of persons (minimum documented count)" in page.text
    assert "Sum over countries" in page.text and "No regional aggregate" in page.text
    assert "analysis, not an official UN mapping" in page.text
    assert 'href="/my/indicators/10.7.3"' in page.text


def test_grid_shows_unit_existing_periods_and_a_row_to_add_one(client: TestClient, session: Session) -> None:
    older = make_value(session, period="2019", value=98)
    gap = make_value(session, period="2020", value=None, note="Not collected during the pandemic")
    signed_in_focal_point(client, session)
    page = client.get(GRID)
    assert page.status_code == 200
    assert "Values for Philippines" in page.text
    assert "(Number of persons (minimum documented count))" in page.text
    assert 'id="value-new"' in page.text
    assert page.text.index('id="value-new"') < page.text.index(f'id="value-{gap.id}"')  # the new row, then latest
    assert page.text.index(f'id="value-{gap.id}"') < page.text.index(f'id="value-{older.id}"')
    assert "Not collected during the pandemic" in page.text


def test_focal_point_saves_a_new_period_and_gets_the_row_back_saved(client: TestClient, session: Session) -> None:
    user = signed_in_focal_point(client, session)
    response = post_form(client, CREATE, row_form(value="1,250"), headers={**HTMX, "HX-Target": "value-new"})
    assert response.status_code == 200
    assert "Saved at" in response.text
    assert 'id="value-new"' in response.text  # a fresh row to add the next period
    [saved] = values_of(session, "10.7.3")
    assert (saved.period, saved.value, saved.updated_by_id) == ("2021", 1250.0, user.id)
    assert f'id="value-{saved.id}"' in response.text
    assert 'hx-swap-oob="innerHTML"' in response.text and "2021 saved at" in response.text


def test_saving_without_javascript_redirects_back_to_the_grid(client: TestClient, session: Session) -> None:
    signed_in_focal_point(client, session)
    response = post_form(client, CREATE, row_form(), follow_redirects=False)
    assert response.status_code == 303
    [saved] = values_of(session, "10.7.3")
    assert response.headers["location"] == f"{GRID}?saved={saved.id}#value-{saved.id}"
    page = client.get(response.headers["location"])
    assert "Saved at" in page.text


def test_focal_point_updates_a_value_and_its_version_moves_on(client: TestClient, session: Session) -> None:
    record = make_value(session, period="2020", value=120)
    signed_in_focal_point(client, session)
    url = f"/my/indicators/10.7.3/values/{record.id}"
    data = row_form(period="2020", value="130", status="provisional", note="Revised", version=record.version)
    response = post_form(client, url, data, headers=HTMX)
    assert response.status_code == 200 and "Saved at" in response.text
    [saved] = values_of(session, "10.7.3")
    assert (saved.value, saved.status.value, saved.note, saved.version) == (130.0, "provisional", "Revised", 2)
    assert 'name="version" value="2"' in response.text


def test_an_empty_value_records_a_gap_with_its_note(client: TestClient, session: Session) -> None:
    signed_in_focal_point(client, session)
    response = post_form(client, CREATE, row_form(value="", note="Survey not run this year"), headers=HTMX)
    assert response.status_code == 200
    [saved] = values_of(session, "10.7.3")
    assert saved.value is None and saved.note == "Survey not run this year"


def test_a_gap_without_a_note_is_refused(client: TestClient, session: Session) -> None:
    signed_in_focal_point(client, session)
    response = post_form(client, CREATE, row_form(value=""), headers=HTMX)
    assert response.status_code == 422
    assert "say why in the note" in response.text
    assert values_of(session, "10.7.3") == []


def test_a_bad_number_is_refused_beside_the_cell_with_the_input_kept(client: TestClient, session: Session) -> None:
    record = make_value(session, period="2020", value=120)
    signed_in_focal_point(client, session)
    url = f"/my/indicators/10.7.3/values/{record.id}"
    data = row_form(period="2020", value="1 234,5", note="my careful note", version=record.version)
    response = post_form(client, url, data, headers=HTMX)
    assert response.status_code == 422
    assert "Use a point for decimals" in response.text
    assert 'value="1 234,5"' in response.text and "my careful note" in response.text
    assert f'id="value-{record.id}-value-error"' in response.text and 'aria-invalid="true"' in response.text
    [unchanged] = values_of(session, "10.7.3")
    assert (unchanged.value, unchanged.note, unchanged.version) == (120.0, "", 1)


def test_a_bad_number_without_javascript_shows_the_page_with_the_row_as_typed(
    client: TestClient, session: Session
) -> None:
    signed_in_focal_point(client, session)
    response = post_form(client, CREATE, row_form(value="twelve", note="kept"), follow_redirects=False)
    assert response.status_code == 422
    assert "<h1>" in response.text and "error-summary" in response.text
    assert 'href="#value-new-value"' in response.text
    assert 'value="twelve"' in response.text and ">kept</textarea>" in response.text
    assert values_of(session, "10.7.3") == []


def test_a_percentage_above_100_is_refused(client: TestClient, session: Session) -> None:
    signed_in_focal_point(client, session)
    data = row_form(value="112.5", source="World Bank, Remittance Prices Worldwide")
    response = post_form(client, "/my/indicators/10.c.1/values", data, headers=HTMX)
    assert response.status_code == 422
    assert "percentage from 0 to 100" in response.text
    assert values_of(session, "10.c.1") == []


def test_a_count_of_persons_must_be_whole_and_not_negative(client: TestClient, session: Session) -> None:
    signed_in_focal_point(client, session)
    for typed in ("-3", "2.5"):
        response = post_form(client, CREATE, row_form(value=typed), headers=HTMX)
        assert response.status_code == 422
        assert "whole number, 0 or more" in response.text
    assert values_of(session, "10.7.3") == []


def test_the_policy_category_and_the_labour_rights_score_have_their_ranges(
    client: TestClient, session: Session
) -> None:
    signed_in_focal_point(client, session)
    category = post_form(client, "/my/indicators/10.7.2/values", row_form(value="5"), headers=HTMX)
    assert category.status_code == 422 and "whole number from 1 to 4" in category.text
    score = post_form(client, "/my/indicators/8.8.2/values", row_form(value="10.5"), headers=HTMX)
    assert score.status_code == 422 and "score from 0 to 10" in score.text


def test_a_value_without_a_source_is_refused(client: TestClient, session: Session) -> None:
    signed_in_focal_point(client, session)
    response = post_form(client, CREATE, row_form(source="  "), headers=HTMX)
    assert response.status_code == 422
    assert "Enter the source" in response.text
    assert values_of(session, "10.7.3") == []


def test_a_period_in_another_form_is_refused(client: TestClient, session: Session) -> None:
    signed_in_focal_point(client, session)
    response = post_form(client, CREATE, row_form(period="2020-2021"), headers=HTMX)
    assert response.status_code == 422
    assert "a quarter (2024-Q1)" in response.text and 'value="2020-2021"' in response.text
    assert values_of(session, "10.7.3") == []


def test_a_stale_version_is_a_conflict_showing_both_values(client: TestClient, session: Session) -> None:
    record = make_value(session, period="2020", value=120)
    loaded = record.version
    other = make_user(session, role=Role.focal_point, country="PHL")
    record.value, record.updated_by_id = 125.0, other.id  # a colleague saves the row meanwhile
    session.flush()
    signed_in_focal_point(client, session)
    url = f"/my/indicators/10.7.3/values/{record.id}"
    data = row_form(period="2020", value="140", version=loaded)
    response = post_form(client, url, data, headers=HTMX)
    assert response.status_code == 409
    assert "Someone else saved this row" in response.text
    assert "Saved now: 125" in response.text and 'value="140"' in response.text
    assert 'name="version" value="2"' in response.text  # saving again replaces theirs knowingly
    assert values_of(session, "10.7.3")[0].value == 125.0
    again = post_form(client, url, {**data, "version": 2}, headers=HTMX)
    assert again.status_code == 200
    assert values_of(session, "10.7.3")[0].value == 140.0


def test_adding_a_period_already_recorded_is_a_conflict(client: TestClient, session: Session) -> None:
    make_value(session, period="2021", value=120)
    signed_in_focal_point(client, session)
    response = post_form(client, CREATE, row_form(period="2021", value="99"), headers=HTMX)
    assert response.status_code == 409
    assert "already recorded" in response.text and "Saved now: 120" in response.text
    assert 'value="99"' in response.text
    assert [v.value for v in values_of(session, "10.7.3")] == [120.0]


def test_a_female_value_does_not_overwrite_the_total(client: TestClient, session: Session) -> None:
    make_value(session, period="2020", value=120)
    signed_in_focal_point(client, session)
    data = row_form(period="2020", value="45", sex="female")
    response = post_form(client, CREATE, data, headers=HTMX)
    assert response.status_code == 200
    rows = {(v.sex.value, v.period): v.value for v in values_of(session, "10.7.3")}
    assert rows == {("total", "2020"): 120.0, ("female", "2020"): 45.0}
    female = client.get(GRID + "?sex=female")
    assert "45" in female.text and ">120<" not in female.text
    assert "Female" in female.text


def test_a_bad_age_group_in_the_selector_is_shown_beside_it(client: TestClient, session: Session) -> None:
    signed_in_focal_point(client, session)
    page = client.get(GRID + "?age_group=young")
    assert page.status_code == 422
    assert 'id="age_group-error"' in page.text and 'value="young"' in page.text


def test_an_audit_event_records_who_saved_the_value(client: TestClient, session: Session) -> None:
    user = signed_in_focal_point(client, session)
    post_form(client, CREATE, row_form(), headers=HTMX)
    [saved] = values_of(session, "10.7.3")
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "indicator_value", AuditEvent.entity_id == str(saved.id))
    ).all()
    assert [(e.action, e.user_id) for e in events] == [(AuditAction.create, user.id)]
    assert events[0].after is not None and events[0].after["value"] == 135.0


def test_remove_asks_for_confirmation_without_javascript(client: TestClient, session: Session) -> None:
    record = make_value(session, period="2020", value=120)
    record_id = record.id
    signed_in_focal_point(client, session)
    url = f"/my/indicators/10.7.3/values/{record_id}/remove"
    ask = post_form(client, url, {"version": record.version})
    assert ask.status_code == 200 and "Remove the value for 2020?" in ask.text
    assert len(values_of(session, "10.7.3")) == 1
    done = post_form(client, url, {"version": record.version, "confirmed": "1"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"{GRID}?removed=2020"
    assert values_of(session, "10.7.3") == []
    assert "The value for 2020 was removed." in client.get(done.headers["location"]).text
    deleted = session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.delete)).all()
    assert [e.entity_id for e in deleted if e.entity_type == "indicator_value"] == [str(record_id)]


def test_remove_with_htmx_replaces_the_row_with_a_note(client: TestClient, session: Session) -> None:
    record = make_value(session, period="2020", value=120)
    signed_in_focal_point(client, session)
    url = f"/my/indicators/10.7.3/values/{record.id}/remove"
    response = post_form(client, url, {"version": record.version, "confirmed": "1"}, headers=HTMX)
    assert response.status_code == 200 and "The value for 2020 was removed." in response.text
    assert session.scalar(select(IndicatorValue).where(IndicatorValue.id == record.id)) is None


def test_removing_a_row_changed_meanwhile_is_a_conflict(client: TestClient, session: Session) -> None:
    record = make_value(session, period="2020", value=120)
    loaded = record.version
    record.value = 125.0
    session.flush()
    signed_in_focal_point(client, session)
    url = f"/my/indicators/10.7.3/values/{record.id}/remove"
    response = post_form(client, url, {"version": loaded, "confirmed": "1"}, headers=HTMX)
    assert response.status_code == 409 and "Someone else changed this row" in response.text
    assert len(values_of(session, "10.7.3")) == 1


def test_saving_a_row_removed_meanwhile_keeps_the_input_to_add_it_again(client: TestClient, session: Session) -> None:
    record = make_value(session, period="2020", value=120)
    value_id, loaded = record.id, record.version
    session.delete(record)
    session.flush()
    signed_in_focal_point(client, session)
    data = row_form(period="2020", value="140", version=loaded)
    response = post_form(client, f"/my/indicators/10.7.3/values/{value_id}", data, headers=HTMX)
    assert response.status_code == 409
    assert "Someone removed this value" in response.text and 'value="140"' in response.text
    assert f'action="{CREATE}"' in response.text and f'id="value-{value_id}"' in response.text
