"""The questionnaire's choice questions on the overview and the objective page: States counted per answer (from
answer_choice), inside the region only, within what the reader may read; and the figures that moved to answers
(the rating scale's words, the principles, the good practices)."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.cycles.models import ReviewCycle
from app.questionnaires import service as questionnaires
from app.submissions.models import SubmissionStatus
from tests.dashboards.helpers import CONSULTED, FUNDING, submission_with_status
from tests.factories import make_cycle, make_user, set_answers, sign_in


def _with_questions(session: Session) -> ReviewCycle:
    """A cycle whose questionnaire adds a yes/no question to a section and a single choice to every objective."""
    cycle = make_cycle(session)
    assert questionnaires.add_question(
        session, cycle=cycle, part="section:preparation", question=CONSULTED, version=None
    )
    assert questionnaires.add_question(session, cycle=cycle, part="objective", question=FUNDING, version=None)
    return cycle


def _table(html: str, key: str) -> dict[str, str]:
    """The rows (answer → States) of a distribution's data table, and its "States answering" total."""
    match = re.search(rf'<table class="data distribution-table" data-question="{key}">(.*?)</table>', html, re.S)
    assert match is not None, key
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">(\d+)</td></tr>', match.group(1))
    return dict(rows)


def test_overview_and_objective_page_count_states_per_answer(client: TestClient, session: Session) -> None:
    cycle = _with_questions(session)
    answers = {  # country → (consulted, funding of objective 3, funding of objective 5)
        "THA": (True, "budget", "donors"),
        "VNM": (True, "budget", None),
        "PHL": (False, "donors", "donors"),
        "USA": (True, "budget", "budget"),  # outside the region: never in these figures
    }
    for iso3, (consulted, funding3, funding5) in answers.items():
        sub = submission_with_status(session, iso3, SubmissionStatus.published, cycle=cycle)
        set_answers(session, sub, "section:preparation", {"consulted_migrants": consulted})
        set_answers(session, sub, "objective:3", {"funding": funding3})
        if funding5:
            set_answers(session, sub, "objective:5", {"funding": funding5})
    draft = submission_with_status(session, "KHM", SubmissionStatus.draft, cycle=cycle)
    set_answers(session, draft, "section:preparation", {"consulted_migrants": False})
    set_answers(session, draft, "objective:3", {"funding": "none"})

    overview = client.get(f"/dashboards?cycle={cycle.id}").text  # the public: published reviews only
    assert _table(overview, "consulted_migrants") == {"Yes": "2", "No": "1", "States answering": "3"}
    # Objective questions: a State counts once per answer it gave for any objective shown.
    assert _table(overview, "funding") == {
        "National budget": "2",
        "Development partners": "2",
        "No dedicated funding": "0",
        "States answering": "3",
    }
    assert "Were migrants&#39; organisations consulted?" in overview and "<svg" in overview
    assert "3 States inside the region answered; the answer chosen most: Yes (2)." in overview
    assert 'data-question="reporting"' not in overview  # already shown as the States reporting each objective
    only_five = client.get(f"/dashboards?cycle={cycle.id}&objective=5").text
    assert _table(only_five, "funding")["Development partners"] == "2"
    assert _table(only_five, "funding")["National budget"] == "0"

    sign_in(client, make_user(session, role=Role.secretariat))  # every status: the draft counts on the overview
    everything = client.get(f"/dashboards?cycle={cycle.id}").text
    assert _table(everything, "consulted_migrants") == {"Yes": "2", "No": "2", "States answering": "4"}
    assert _table(everything, "funding")["No dedicated funding"] == "1"
    # The objective page counts that objective's accepted reports only, as it quotes them.
    objective = client.get(f"/dashboards/objectives/3?cycle={cycle.id}").text
    assert _table(objective, "funding") == {
        "National budget": "2",
        "Development partners": "1",
        "No dedicated funding": "0",
        "States answering": "3",
    }
    assert 'data-question="consulted_migrants"' not in objective  # section questions are the overview's
    five = client.get(f"/dashboards/objectives/5?cycle={cycle.id}").text
    assert _table(five, "funding")["Development partners"] == "2" and _table(five, "funding")["States answering"] == "2"


def test_distributions_follow_the_reader(client: TestClient, session: Session) -> None:
    cycle = _with_questions(session)
    approved = submission_with_status(session, "THA", SubmissionStatus.approved, cycle=cycle)
    set_answers(session, approved, "section:preparation", {"consulted_migrants": True})
    published = submission_with_status(session, "VNM", SubmissionStatus.published, cycle=cycle)
    set_answers(session, published, "section:preparation", {"consulted_migrants": False})
    assert _table(client.get(f"/dashboards?cycle={cycle.id}").text, "consulted_migrants")["Yes"] == "0"
    sign_in(client, make_user(session, role=Role.preparer))  # preparers read approved reviews too
    counts = _table(client.get(f"/dashboards?cycle={cycle.id}").text, "consulted_migrants")
    assert counts == {"Yes": "1", "No": "1", "States answering": "2"}


def test_heatmap_and_profile_use_the_cycles_rating_scale(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session)
    data = questionnaires.definition_for(session, cycle).as_json()
    data["rating_scale"][2]["label"] = {"en": "Moving ahead"}  # wording may change once a cycle is open
    assert questionnaires.replace_definition(session, cycle=cycle, data=data)
    sub = submission_with_status(session, "THA", SubmissionStatus.published, cycle=cycle)
    set_answers(session, sub, "objective:4", {"progress_rating": 5})
    overview = client.get(f"/dashboards?cycle={cycle.id}").text
    assert '<td class="heat heat--3" title="Moving ahead">3<span class="visually-hidden"> Moving ahead</span></td>' in (
        overview
    )
    assert '<td class="heat heat--5" title="Achieved">5' in overview
    assert "3 = Moving ahead" in overview  # the key
    profile = client.get("/dashboards/countries/THA").text
    assert "Moving ahead" in profile and "Achieved" in profile
    objective = client.get(f"/dashboards/objectives/4?cycle={cycle.id}").text
    assert "· Achieved" in objective


def test_principles_are_counted_and_filtered_from_answers(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session)
    tha = submission_with_status(session, "THA", SubmissionStatus.published, cycle=cycle)
    set_answers(session, tha, "objective:3", {"principles": ["c", "f"]})
    set_answers(session, tha, "objective:4", {"principles": ["c"]})
    chn = submission_with_status(session, "CHN", SubmissionStatus.published, cycle=cycle)
    set_answers(session, chn, "objective:3", {"principles": ["c"]})
    set_answers(session, chn, "objective:6", {"reporting": "not_reported", "principles": ["f"]})  # not reported
    usa = submission_with_status(session, "USA", SubmissionStatus.published, cycle=cycle)  # outside the region
    set_answers(session, usa, "objective:3", {"principles": ["f"]})
    overview = client.get(f"/dashboards?cycle={cycle.id}").text
    rows = dict(re.findall(r'<tr><th scope="row">([a-j])\. [^<]+</th><td class="num">(\d+)</td></tr>', overview))
    assert rows["c"] == "2" and rows["f"] == "1" and rows["a"] == "0"
    filtered = client.get(f"/dashboards?cycle={cycle.id}&principle=f").text
    heat = filtered.split('<table class="data heatmap">', 1)[1].split("</table>", 1)[0]
    assert ">THA<" in heat and ">USA<" in heat  # the USA's report applies it (shown, never counted)
    tha_row = heat.split(">THA<", 1)[1].split("</tr>", 1)[0]
    assert tha_row.count('class="heat ') == 1  # objective 3 only
    chn_row = heat.split(">CHN<", 1)[1].split("</tr>", 1)[0]
    assert chn_row.count('class="heat ') == 1 and "not reported" in chn_row  # objective 6, not reported
    found = client.get("/search?q=objective&principle=f&kind=report").text
    assert "Thailand" in found and "China" not in found


def test_objective_page_quotes_good_practices_from_answers(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session)
    sub = submission_with_status(session, "THA", SubmissionStatus.published, cycle=cycle)
    set_answers(session, sub, "objective:7", {"good_practices": "One-stop **centres** for returning migrants."})
    other = submission_with_status(session, "VNM", SubmissionStatus.published, cycle=cycle)
    set_answers(session, other, "objective:7", {"good_practices": None})  # no longer answered
    report = next(r for r in sub.objective_reports if r.objective.number == 7)
    page = client.get(f"/dashboards/objectives/7?cycle={cycle.id}").text
    practices = page.split('id="practices-h"', 1)[1].split("</section>", 1)[0]
    assert f'id="practice-{report.id}"' in practices and "<strong>centres</strong>" in practices
    assert "Thailand" in practices and "Viet Nam" not in practices


def test_search_covers_every_text_answer_and_names_its_question(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session)
    sub = submission_with_status(session, "THA", SubmissionStatus.published, cycle=cycle)
    set_answers(session, sub, "objective:2", {"challenges": "Flooding displaced the kangaroo count."})
    set_answers(session, sub, "section:preparation", {"preparation": "A kangaroo court of national consultations."})
    found = client.get("/search?q=kangaroo&kind=report").text
    assert found.count('class="search-result ') == 2
    assert "Challenges" in found  # the objective question's label
    assert "Review section" in found and 'href="/dashboards/countries/THA"' in found  # a visitor: the profile
    assert client.get("/search?q=kangaroo&objective=2").text.count('class="search-result ') == 1
