"""Values a focal point enters are "not yet reviewed" until the secretariat accepts them or approves the review."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.review import service as review
from app.submissions.models import SubmissionStatus
from tests.dashboards.helpers import submission_with_status
from tests.factories import make_user, post_form, sign_in
from tests.indicators.helpers import make_value, row_form, values_of

COUNTRY = "KIR"  # no other test module of indicators uses it
GRID = "/my/indicators/10.7.3"
PAGE = f"/indicators/10.7.3/countries/{COUNTRY}"
ACCEPT = f"{PAGE}/accept"
EXPLORER = "/dashboards/indicators?indicator=10.7.3&period=2021"
UNREVIEWED_MARK = '<abbr class="unreviewed" title="not yet reviewed by the secretariat">R</abbr>'


def _seen(page: str) -> list[str]:
    return re.findall(r'name="seen" value="(\d+:\d+)"', page)


def test_a_focal_points_new_value_is_marked_until_the_secretariat_accepts_it(
    client: TestClient, session: Session
) -> None:
    make_value(session, country=COUNTRY, period="2019", value=40.0)  # loaded data: reviewed
    focal = make_user(session, role=Role.focal_point, country=COUNTRY)
    sign_in(client, focal)
    assert post_form(client, f"{GRID}/values", row_form(period="2021", value="135")).status_code in (200, 303)
    grid = client.get(GRID).text
    assert grid.count('class="tag tag--unreviewed"') == 1  # the new period only, not the loaded 2019
    new, old = values_of(session, "10.7.3", COUNTRY)[1], values_of(session, "10.7.3", COUNTRY)[0]
    assert new.reviewed_at is None and old.reviewed_at is not None

    secretariat = make_user(session, role=Role.secretariat)
    sign_in(client, secretariat)
    assert UNREVIEWED_MARK in client.get(EXPLORER).text
    listed = client.get("/indicators/10.7.3/countries").text  # where the secretariat finds them
    row = r'Kiribati</a></th>\s*<td>2</td>\s*<td>2021</td>\s*<td><span class="tag tag--unreviewed">1 value<'
    assert re.search(row, listed)
    page = client.get(PAGE).text
    assert "1 value of Kiribati is not yet reviewed" in page and "Accept these values as reviewed" in page
    seen = _seen(page)
    assert seen == [f"{new.id}:{new.version}"]

    # the focal point changes the value after the secretariat opened the page: nothing is accepted
    sign_in(client, focal)
    post_form(client, f"{GRID}/values/{new.id}", row_form(period="2021", value="140", version=str(new.version)))
    sign_in(client, secretariat)
    refused = post_form(client, ACCEPT, {"seen": seen}, follow_redirects=True)
    assert "0 values accepted as reviewed" in refused.text
    assert "1 values were entered or changed after you opened the page" in refused.text
    assert values_of(session, "10.7.3", COUNTRY)[1].reviewed_at is None

    accepted = post_form(client, ACCEPT, {"seen": _seen(refused.text)}, follow_redirects=True)
    assert accepted.status_code == 200 and "1 values accepted as reviewed" in accepted.text
    assert "tag--unreviewed" not in accepted.text and "Accept these values" not in accepted.text
    value = values_of(session, "10.7.3", COUNTRY)[1]
    assert value.reviewed_at is not None and value.reviewed_by_id == secretariat.id
    assert value.version == 2  # accepting gives no new version: the focal point's open grid stays current
    assert UNREVIEWED_MARK not in client.get(EXPLORER).text
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "indicator_value:review")).one()
    assert event.user_id == secretariat.id and event.after is not None and event.after["value_ids"] == [value.id]


def test_only_the_secretariat_accepts_values(client: TestClient, session: Session) -> None:
    value = make_value(session, country=COUNTRY, period="2021", value=7.0, reviewed=False)
    sign_in(client, make_user(session, role=Role.focal_point, country=COUNTRY))
    assert "Accept these values" not in client.get(GRID).text
    response = post_form(client, ACCEPT, {"seen": [f"{value.id}:{value.version}"]}, follow_redirects=False)
    assert response.status_code == 403
    assert values_of(session, "10.7.3", COUNTRY)[0].reviewed_at is None


def test_approving_the_review_marks_the_countrys_values_reviewed(client: TestClient, session: Session) -> None:
    mine = make_value(session, country=COUNTRY, period="2021", value=7.0, reviewed=False)
    other = make_value(session, code="10.c.1", country=COUNTRY, period="2021", value=6.5, reviewed=False)
    elsewhere = make_value(session, country="TUV", period="2021", value=1.0, reviewed=False)
    submission = submission_with_status(session, COUNTRY, SubmissionStatus.submitted)
    secretariat = make_user(session, role=Role.secretariat)
    review.approve(session, user=secretariat, submission=submission, version=submission.version)
    session.expire_all()
    assert mine.reviewed_at is not None and other.reviewed_at is not None and mine.reviewed_by_id == secretariat.id
    assert elsewhere.reviewed_at is None  # another State's values wait for their own review

    # a change after the approval is marked again
    focal = make_user(session, role=Role.focal_point, country=COUNTRY)
    sign_in(client, focal)
    post_form(client, f"{GRID}/values/{mine.id}", row_form(period="2021", value="9", version=str(mine.version)))
    session.expire_all()
    assert mine.reviewed_at is None and mine.value == 9
