"""The administrators' list of users: search by name or e-mail address, filter by role and country, 50 a page with
the filters kept from page to page."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from tests.factories import make_user, sign_in


def _emails(html: str) -> list[str]:
    return re.findall(r'<td><a href="/admin/users/\d+">([^<]+)</a></td>', html)


def test_users_are_found_by_name_email_role_and_country(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role=Role.admin))
    amina = make_user(session, role=Role.focal_point, country="MHL", email="amina.list@example.org")
    amina.name = "Amina Kabua"
    make_user(session, role=Role.focal_point, country="FSM", email="jon.list@example.org")
    make_user(session, role=Role.secretariat, email="kabua.list@example.org")
    make_user(session, role=Role.secretariat, email="percent_list%@example.org")
    session.flush()

    by_name = client.get("/admin/users", params={"q": "KABUA"})  # a name, any case: the name and the e-mail match
    assert by_name.status_code == 200
    assert sorted(_emails(by_name.text)) == ["amina.list@example.org", "kabua.list@example.org"]
    assert "2 users match." in by_name.text
    assert 'value="KABUA"' in by_name.text  # the search is kept in the form
    assert _emails(client.get("/admin/users", params={"q": "kabua", "role": "secretariat"}).text) == [
        "kabua.list@example.org"
    ]
    by_country = client.get("/admin/users", params={"role": "focal_point", "country": "fsm"})
    assert _emails(by_country.text) == ["jon.list@example.org"]
    assert '<option value="FSM" selected>' in by_country.text
    # % and _ are plain characters, not wildcards.
    assert _emails(client.get("/admin/users", params={"q": "_list%"}).text) == ["percent_list%@example.org"]
    nothing = client.get("/admin/users", params={"q": "nobody-at-all"})
    assert _emails(nothing.text) == [] and "No user matches" in nothing.text
    # Unknown filters filter nothing, never an error.
    assert client.get("/admin/users", params={"role": "emperor", "country": "XXX", "page": "-3"}).status_code == 200


def test_a_long_list_is_paginated_keeping_its_filters(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, role=Role.admin))
    for n in range(55):
        make_user(session, role=Role.preparer, email=f"pager{n:02d}@example.org")
    session.flush()
    first = client.get("/admin/users", params={"q": "pager", "role": "preparer"})
    assert len(_emails(first.text)) == 50 and "Page 1 of 2" in first.text
    assert "55 users match." in first.text
    next_link = re.search(r'<a href="\?([^"]+)" rel="next">', first.text)
    assert next_link is not None and "q=pager" in next_link[1] and "role=preparer" in next_link[1]
    second = client.get("/admin/users?" + next_link[1].replace("&amp;", "&"))
    assert _emails(second.text) == [f"pager{n}@example.org" for n in range(50, 55)]
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text
    # Past the end: the last page.
    assert _emails(client.get("/admin/users", params={"q": "pager", "page": "9"}).text) == _emails(second.text)
