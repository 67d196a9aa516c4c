"""Who may see and write which country's values: a focal point writes their own only; the secretariat reads all."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.indicators.models import Aggregation, Indicator, IndicatorKind
from app.submissions.models import SubmissionStatus
from tests.factories import make_submission, make_user, post_form, sign_in
from tests.indicators.helpers import HTMX, country_id, make_value, row_form, values_of


def test_focal_point_gets_404_for_another_countrys_values(client: TestClient, session: Session) -> None:
    make_value(session, country="THA", period="2020", value=40)
    sign_in(client, make_user(session, role=Role.focal_point, country="PHL"))
    assert client.get("/indicators/10.7.3/countries/THA").status_code == 404


def test_focal_point_cannot_change_or_remove_another_countrys_value(client: TestClient, session: Session) -> None:
    theirs = make_value(session, country="THA", period="2020", value=40)
    sign_in(client, make_user(session, role=Role.focal_point, country="PHL"))
    url = f"/my/indicators/10.7.3/values/{theirs.id}"
    update = post_form(client, url, row_form(period="2020", value="1", version=theirs.version), headers=HTMX)
    assert update.status_code == 404
    remove = post_form(client, url + "/remove", {"version": theirs.version, "confirmed": "1"})
    assert remove.status_code == 404
    assert [v.value for v in values_of(session, "10.7.3", "THA")] == [40.0]


def test_focal_point_writes_only_for_own_country(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role=Role.focal_point, country="THA"))
    assert post_form(client, "/my/indicators/10.7.3/values", row_form(), headers=HTMX).status_code == 200
    assert len(values_of(session, "10.7.3", "THA")) == 1
    assert values_of(session, "10.7.3", "PHL") == []


def test_focal_point_viewing_own_country_is_sent_to_the_editable_grid(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role=Role.focal_point, country="PHL"))
    response = client.get("/indicators/10.7.3/countries/PHL?sex=female", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/my/indicators/10.7.3?sex=female"


def test_another_states_national_indicator_is_not_found_for_a_focal_point(client: TestClient, session: Session) -> None:
    national = Indicator(
        code="NAT.THA.1",
        name="Migrant workers registered",
        unit="Number of persons",
        aggregation=Aggregation.sum,
        kind=IndicatorKind.national,
        country_id=country_id(session, "THA"),
    )
    session.add(national)
    session.flush()
    sign_in(client, make_user(session, role=Role.focal_point, country="PHL"))
    assert client.get("/my/indicators/NAT.THA.1").status_code == 404
    assert "NAT.THA.1" not in client.get("/indicators").text
    assert post_form(client, "/my/indicators/NAT.THA.1/values", row_form(), headers=HTMX).status_code == 404


def test_secretariat_reads_any_country_without_inputs(client: TestClient, session: Session) -> None:
    make_value(session, country="THA", period="2020", value=4000, note="Documented deaths")
    sign_in(client, make_user(session, role=Role.secretariat))
    page = client.get("/indicators/10.7.3/countries/THA")
    assert page.status_code == 200
    assert "4,000" in page.text and "Documented deaths" in page.text and "(read-only)" in page.text
    assert "<input" not in page.text.split("<table", 1)[1] and "hx-post" not in page.text
    countries = client.get("/indicators/10.7.3/countries")
    assert countries.status_code == 200 and "Thailand" in countries.text and "Viet Nam" in countries.text


def test_secretariat_gets_403_on_write(client: TestClient, session: Session) -> None:
    record = make_value(session, country="PHL", period="2020", value=120)
    sign_in(client, make_user(session, role=Role.secretariat))
    assert post_form(client, "/my/indicators/10.7.3/values", row_form()).status_code == 403
    url = f"/my/indicators/10.7.3/values/{record.id}"
    assert post_form(client, url, row_form(period="2020", version=record.version)).status_code == 403
    assert post_form(client, url + "/remove", {"version": record.version, "confirmed": "1"}).status_code == 403
    assert client.get("/my/indicators/10.7.3").status_code == 403
    assert [v.value for v in values_of(session, "10.7.3")] == [120.0]


def test_preparer_reads_only_countries_with_an_accepted_review(client: TestClient, session: Session) -> None:
    make_value(session, country="PHL", period="2020", value=120)
    make_value(session, country="THA", period="2020", value=40)
    submission = make_submission(session, focal_point=make_user(session, role=Role.focal_point, country="THA"))
    submission.status = SubmissionStatus.approved
    session.flush()
    sign_in(client, make_user(session, role=Role.preparer))
    assert client.get("/indicators/10.7.3/countries/THA").status_code == 200
    assert client.get("/indicators/10.7.3/countries/PHL").status_code == 404
    countries = client.get("/indicators/10.7.3/countries").text
    assert "Thailand" in countries and "Philippines" not in countries


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    for url in ("/indicators", "/my/indicators/10.7.3", "/indicators/10.7.3/countries/PHL"):
        response = client.get(url, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_an_unknown_indicator_or_country_is_not_found(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role=Role.secretariat))
    assert client.get("/indicators/99.9.9/countries/PHL").status_code == 404
    assert client.get("/indicators/10.7.3/countries/XYZ").status_code == 404
