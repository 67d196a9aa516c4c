"""Organisations' pledges in the site search and in the subregion filter of the dashboards and the search.

The rule (``app.dashboards.queries.pledge_subregion_condition``): a State's pledge is in its State's subregion; an
organisation's pledge is in the subregion of the organisation's country and in those of its countries of
implementation (so one pledge may count in several subregions)."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.catalog import queries as catalog_queries
from app.commitments.models import Commitment
from app.dashboards import queries
from app.organisations import service as organisations
from app.submissions.models import SubmissionStatus
from tests.commitments.helpers import accept_review_of, make_commitment
from tests.factories import make_user


def _subregion(session: Session, name: str) -> int:
    return next(s.id for s in catalog_queries.list_subregions(session) if s.name == name)


def _pledges(session: Session) -> dict[str, Commitment]:
    placed = organisations.create_organisation(session, name="Manila Migrants Forum", type="migrant_org", country="PHL")
    nowhere = organisations.create_organisation(session, name="Regional Union Network", type="trade_union")
    by_placed = make_user(session, role=Role.stakeholder, organisation=placed)
    by_nowhere = make_user(session, role=Role.stakeholder, organisation=nowhere)
    return {
        "placed": make_commitment(
            session, user=by_placed, title="Seafarers welfare kiosks", implementation_countries=["FJI"]
        ),
        "nowhere": make_commitment(
            session, user=by_nowhere, title="Recruitment hotline kiosks", implementation_countries=["NPL"]
        ),
        "state": _published_state_pledge(session),
    }


def _published_state_pledge(session: Session) -> Commitment:
    pledge = make_commitment(session, country="THA", title="Border kiosks for returnees")
    accept_review_of(session, "THA", SubmissionStatus.published)  # a visitor reads Thailand's pledges
    return pledge


def _ids(session: Session, subregion: str | None) -> set[str]:
    f = queries.Filters(subregion_id=_subregion(session, subregion) if subregion else None)
    tallies = queries.pledge_tallies(session, user=None, f=f)
    return {entity for entity, n in tallies.by_entity.items() if n}


def test_the_search_finds_organisations_pledges_named_by_the_organisation(client: TestClient, session: Session) -> None:
    pledges = _pledges(session)
    found = client.get("/search", params={"q": "kiosks", "kind": "pledge"})
    assert found.status_code == 200
    for key in ("placed", "nowhere", "state"):
        assert f'href="/commitments/{pledges[key].id}"' in found.text, key
    assert "Manila Migrants Forum" in found.text and "Regional Union Network" in found.text


def test_the_subregion_filter_keeps_an_organisations_pledge_by_its_country_or_its_places(
    client: TestClient, session: Session
) -> None:
    pledges = _pledges(session)
    expected = {
        "South-East Asia": {"placed", "state"},  # the forum sits in the Philippines; Thailand's own pledge
        "Pacific": {"placed"},  # implemented in Fiji
        "South and South-West Asia": {"nowhere"},  # no country of its own, implemented in Nepal
        "North and Central Asia": set(),
    }
    for subregion, keys in expected.items():
        found = client.get("/search", params={"q": "kiosks", "subregion": _subregion(session, subregion)})
        shown = {k for k, c in pledges.items() if f'href="/commitments/{c.id}"' in found.text}
        assert shown == keys, subregion
    assert _ids(session, "South-East Asia") == {"state", "migrant_org"}
    assert _ids(session, "Pacific") == {"migrant_org"}
    assert _ids(session, "South and South-West Asia") == {"trade_union"}
    assert _ids(session, None) == {"state", "migrant_org", "trade_union"}
    page = client.get("/dashboards", params={"subregion": _subregion(session, "South and South-West Asia")})
    assert page.status_code == 200
