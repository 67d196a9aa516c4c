"""Where accepted contributions appear beside the States' reviews, always as "Input from stakeholders": search, the
exports' contributions dataset and the regional synthesis' section of their own; drafts and submitted ones never."""

from __future__ import annotations

import csv
import io

import docx
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.contributions import service
from app.contributions.models import ContributionStatus
from app.exports import render
from app.exports.reports import build_synthesis
from tests.contributions.helpers import drafted, in_status, reload, stakeholder
from tests.factories import make_cycle, make_user, sign_in

S = ContributionStatus


def _accepted_with(session: Session, text: str, **kwargs: object) -> object:
    contribution, user = in_status(session, S.returned, **kwargs)  # type: ignore[arg-type]
    service.save_part(
        session,
        user=user,
        contribution=contribution,
        part="objective:7",
        form={"what_we_did": [text]},
        version=service.part_version(contribution, "objective:7"),
    )
    service.submit(session, user=user, contribution=contribution)
    staff = make_user(session, role=Role.secretariat)
    service.moderate(session, user=staff, contribution=contribution, action="accept", version=None)
    return reload(session, contribution)


def test_search_finds_accepted_contributions_only_labelled_as_stakeholders_input(
    client: TestClient, session: Session
) -> None:
    cycle = make_cycle(session)
    _accepted_with(session, "Ombudsperson hotlines for seafarers.", cycle=cycle)
    hidden, _u = drafted(session, cycle=cycle, objectives=(7,))
    service.save_part(
        session,
        user=_u,
        contribution=hidden,
        part="objective:7",
        form={"what_we_did": ["Ombudsperson drafts nobody may read."]},
        version=service.part_version(hidden, "objective:7"),
    )
    found = client.get("/search?q=ombudsperson")
    assert found.status_code == 200
    assert "Input from stakeholders" in found.text and "<mark>Ombudsperson</mark> hotlines" in found.text
    assert "drafts nobody may read" not in found.text
    only = client.get("/search?q=ombudsperson&kind=stakeholder")
    assert "hotlines" in only.text
    assert "hotlines" not in client.get("/search?q=ombudsperson&kind=report").text


def test_the_contributions_export_has_a_row_per_accepted_answer_cited_as_consented(
    client: TestClient, session: Session
) -> None:
    cycle = make_cycle(session)
    named = _accepted_with(session, "Named work.", cycle=cycle)
    quiet = _accepted_with(session, "Quiet work.", cycle=cycle, consent="type_only")
    in_status(session, S.submitted, cycle=cycle)
    sign_in(client, make_user(session, role=Role.focal_point, country="PHL"))
    response = client.get("/exports/download", params={"format": "csv", "dataset": "contributions"})
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {int(r["contribution_id"]) for r in rows} == {named.id, quiet.id}  # type: ignore[attr-defined]
    mine = [r for r in rows if r["value"] == "Named work."]
    assert mine and mine[0]["objective"] == "7" and mine[0]["question_label"] == "What we did"
    anonymous = {r["organisation"] for r in rows if int(r["contribution_id"]) == quiet.id}  # type: ignore[attr-defined]
    assert anonymous == {"Civil society organisation"}
    assert "contributions" not in {r.get("question_key") for r in rows}
    every = client.get("/exports/download", params={"format": "json"})
    assert every.status_code == 200


def test_the_synthesis_has_a_section_of_its_own_for_inputs_from_stakeholders(session: Session) -> None:
    cycle = make_cycle(session)
    user = stakeholder(session)
    _accepted_with(session, "Legal aid for detained migrants.", cycle=cycle, user=user)
    in_status(session, S.submitted, cycle=cycle, objectives=(9,))
    doc = build_synthesis(session, cycle)
    html = render.to_html(doc)
    assert "Inputs from stakeholders" in html and "Legal aid for detained migrants." in html
    section = html.split("Inputs from stakeholders</h", 1)[1]  # the section's heading, not its line in the contents
    assert "Objective 7" in section
    assert "Objective 9" not in section
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(render.to_docx(doc))).paragraphs)
    assert "Inputs from stakeholders" in text and "Legal aid for detained migrants." in text
