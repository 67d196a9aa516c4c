"""Accessibility: axe-core (WCAG 2 A/AA rules) finds no serious or critical violation on the main pages, which log
no console error either (a script error, a Content-Security-Policy violation, a missing resource); a form
works with the keyboard alone; errors are linked to their fields and save messages are announced.

To check another page, add a (role, path) pair to PAGES: the path may use the keys of ``Fixtures.values``
({draft}, {submitted}, {commitment}, {code}, {cycle}, {past_cycle}, {user}, {iso3}, {word}, {join_request},
{organisation}, {contribution}, {submitted_contribution}, {accepted_contribution}).
The data uses the countries TKM and KIR only: other browser tests must not use them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from app.auth.models import Role
from app.comments import service as comments
from app.contributions.models import ContributionStatus
from app.cycles.models import CycleStatus
from app.indicators.models import Sex
from app.organisations import service as organisations
from app.submissions import queries
from app.submissions import service as submissions
from app.submissions.models import SubmissionStatus
from tests.browser.conftest import LiveServer, sign_in
from tests.browser.test_home import collect_console_errors
from tests.commitments.helpers import make_commitment
from tests.contributions.helpers import drafted, in_status
from tests.dashboards.helpers import submission_with_status
from tests.factories import complete_submission, make_cycle, make_submission, make_user
from tests.indicators.helpers import make_value

# (who is signed in, which page); None: signed out.
PAGES: list[tuple[str | None, str]] = [
    (None, "/"),
    (None, "/login"),
    ("focal_point", "/"),
    ("focal_point", "/my"),
    ("focal_point", "/submissions/{draft}"),
    ("focal_point", "/submissions/{draft}/sections/preparation"),
    ("focal_point", "/submissions/{draft}/objectives/1"),
    ("focal_point", "/commitments"),
    ("focal_point", "/commitments/new"),
    ("focal_point", "/commitments/{commitment}/edit"),
    ("focal_point", "/indicators"),
    ("focal_point", "/my/indicators/{code}"),
    ("focal_point", "/notifications"),
    ("focal_point", "/account/password"),
    ("focal_point", "/account/tokens"),
    ("focal_point", "/submissions/999999"),  # the 404 page of a signed-in user
    ("focal_point", "/commitments/{commitment}"),
    ("focal_point", "/imports"),
    ("focal_point", "/exports"),
    ("focal_point", "/dashboards"),
    # The submitted review, with comment threads (one open, one resolved), as the country's focal point sees it.
    ("other_focal_point", "/submissions/{submitted}"),
    ("other_focal_point", "/submissions/{submitted}/objectives/1"),
    ("other_focal_point", "/notifications"),
    ("secretariat", "/review"),
    ("secretariat", "/submissions/{submitted}"),
    ("secretariat", "/submissions/{submitted}/objectives/1"),
    ("secretariat", "/submissions/{submitted}/sections/preparation"),
    ("secretariat", "/submissions/{submitted}/whole"),  # the whole review, with its threads and marks for change
    ("secretariat", "/review/submissions/{submitted}/approve"),  # what approving does, before confirming
    ("focal_point", "/submissions/{draft}/check"),  # "Check your answers" before submitting
    ("secretariat", "/indicators/{code}/countries"),
    ("secretariat", "/indicators/{code}/countries/{iso3}"),
    ("secretariat", "/imports"),
    ("secretariat", "/exports"),
    ("secretariat", "/notifications"),
    ("secretariat", "/dashboards?cycle={past_cycle}"),
    ("secretariat", "/dashboards/indicators?indicator={code}"),
    ("secretariat", "/dashboards/countries/{iso3}"),
    ("secretariat", "/dashboards/objectives/1"),
    ("secretariat", "/search?q={word}"),
    ("preparer", "/exports"),
    ("preparer", "/dashboards"),
    ("admin", "/admin/users"),
    ("admin", "/admin/users/new"),
    ("admin", "/admin/users/{user}"),
    ("admin", "/admin/cycles"),
    ("admin", "/admin/cycles/new"),
    ("admin", "/admin/cycles/{cycle}"),
    ("admin", "/admin/reference-texts?language=fr&kind=objective"),
    ("admin", "/admin/reference-texts/edit?kind=country&key=VNM&language=zh"),
    ("admin", "/admin/audit"),
    ("secretariat", "/questionnaires/{cycle}"),
    ("secretariat", "/questionnaires/{cycle}/new?part=objective"),
    ("secretariat", "/questionnaires/{cycle}/preview"),
    ("secretariat", "/questionnaires/{cycle}/objective/narrative"),
    ("admin", "/imports"),
    ("admin", "/docs"),
    # The public dashboards, signed out.
    (None, "/dashboards"),
    (None, "/dashboards?cycle={past_cycle}"),
    (None, "/dashboards/indicators"),
    (None, "/dashboards/indicators?indicator={code}"),
    (None, "/dashboards/countries/{iso3}"),
    (None, "/dashboards/objectives/1"),
    (None, "/search"),
    (None, "/search?q={word}"),
    # Organisations: the public request to take part, the secretariat's requests, a stakeholder's organisation.
    (None, "/organisations/join"),
    ("secretariat", "/organisations/requests"),
    ("secretariat", "/organisations/requests/{join_request}"),
    ("admin", "/organisations/requests"),
    ("secretariat", "/organisations"),
    ("admin", "/organisations/{organisation}/edit"),
    ("stakeholder", "/my/organisation"),
    ("stakeholder", "/dashboards"),
    # Contributions: the organisation's drafting pages, the secretariat's list and moderation, the published input.
    ("stakeholder", "/contributions/{contribution}"),
    ("stakeholder", "/contributions/{contribution}/sections/about"),
    ("stakeholder", "/contributions/{contribution}/objectives/1"),
    ("secretariat", "/contributions"),
    ("secretariat", "/contributions/{submitted_contribution}"),
    ("secretariat", "/questionnaires/{cycle}?questionnaire=stakeholders"),
    (None, "/contributions/{accepted_contribution}"),
]

# Pages that must show their test data (so axe checks the threads, the results, the chart, not an empty page).
SHOWS = {
    "/submissions/{submitted}": "Which provinces?",
    "/submissions/{submitted}/objectives/1": "All of them.",
    "/search?q={word}": "saxophone",
    "/dashboards/countries/{iso3}": "Turkmenistan",
}

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
BLOCKING = {"serious", "critical"}
# Rules broken inside third-party widgets we serve unchanged (Swagger UI on /docs nests its buttons).
THIRD_PARTY_EXCEPTIONS = {"/docs": {"nested-interactive"}}


@dataclass
class Fixtures:
    emails: dict[str, str]
    values: dict[str, object]


@pytest.fixture(scope="module")
def data(live: LiveServer) -> Fixtures:
    with live.db() as session:
        cycle = queries.get_open_cycle(session) or make_cycle(session)
        focal = make_user(session, role=Role.focal_point, country="TKM")
        draft = make_submission(session, focal_point=focal, cycle=cycle)
        other = make_user(session, role=Role.focal_point, country="KIR")
        submitted = make_submission(session, focal_point=other, cycle=cycle)
        complete_submission(session, submitted)
        submissions.submit(session, user=other, submission=submitted)
        commitment = make_commitment(session, user=focal, country="TKM")
        secretariat = make_user(session, role=Role.secretariat)
        question = comments.open_thread(
            session, user=secretariat, submission=submitted, part="objective:1", body="Which **provinces**?"
        )
        comments.reply(session, user=other, submission=submitted, thread=question, body="All of them.")
        settled = comments.open_thread(
            session, user=secretariat, submission=submitted, part="section:preparation", body="Who took part?"
        )
        comments.resolve(session, user=secretariat, submission=submitted, thread=settled, version=settled.version)
        # Something for the dashboards and the search to show: a published review of a past cycle, and values.
        past_cycle = make_cycle(session)
        submission_with_status(session, "TKM", SubmissionStatus.published, cycle=past_cycle, text="saxophone")
        past_cycle.status = CycleStatus.closed
        make_value(session, code="10.7.2", country="TKM", period="2020", value=4.0)
        make_value(session, code="10.7.2", country="TKM", period="2020", value=1.5, sex=Sex.female, reviewed=False)
        admin = make_user(session, role=Role.admin)
        join_request = organisations.request_to_join(
            session,
            organisation_name="Accessible Migrants' Network",
            organisation_type="migrant_org",
            country="TKM",
            website="https://example.org",
            contact_name="A. Person",
            email="a11y.request@example.org",
            motivation="We would like to contribute.",
            ip_address="a11y",
        )
        stakeholder = make_user(session, role=Role.stakeholder)
        contribution, _owner = drafted(session, user=stakeholder, cycle=cycle, objectives=(1,), complete=False)
        waiting, _w = in_status(session, ContributionStatus.submitted, cycle=cycle, objectives=(1, 2))
        published, _p = in_status(session, ContributionStatus.accepted, cycle=cycle, objectives=(1,))
        return Fixtures(
            emails={
                "focal_point": focal.email,
                "other_focal_point": other.email,
                "secretariat": secretariat.email,
                "preparer": make_user(session, role=Role.preparer).email,
                "admin": admin.email,
                "stakeholder": stakeholder.email,
            },
            values={
                "draft": draft.id,
                "submitted": submitted.id,
                "commitment": commitment.id,
                "code": "10.7.2",
                "cycle": cycle.id,
                "past_cycle": past_cycle.id,
                "user": focal.id,
                "iso3": "TKM",
                "word": "saxophone",
                "join_request": join_request.id,
                "organisation": stakeholder.organisation_id,
                "contribution": contribution.id,
                "submitted_contribution": waiting.id,
                "accepted_contribution": published.id,
            },
        )


def blocking_violations(page: Page, path: str = "") -> list[str]:
    results = Axe().run(page, options=AXE_OPTIONS)
    found = []
    for violation in results.response["violations"]:
        if violation.get("impact") in BLOCKING and violation["id"] not in THIRD_PARTY_EXCEPTIONS.get(path, set()):
            targets = [node["target"] for node in violation["nodes"]][:5]
            found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return found


@pytest.mark.parametrize(("role", "path"), PAGES, ids=[f"{r or 'signed_out'}:{p}" for r, p in PAGES])
def test_page_has_no_serious_accessibility_violation(
    page: Page, live: LiveServer, data: Fixtures, role: str | None, path: str
) -> None:
    if role is not None:
        sign_in(page, live.url, data.emails[role])
    errors = collect_console_errors(page)
    response = page.goto(live.url + path.format(**data.values))
    expected = 404 if "999999" in path else 200
    assert response is not None and response.status == expected, (path, response and response.status)
    if path in SHOWS and role != "preparer":
        expect(page.locator("main")).to_contain_text(SHOWS[path])
    violations = blocking_violations(page, path)
    assert violations == [], f"{path} as {role}:\n" + "\n".join(violations)
    if expected == 404:  # the browser reports the page's own status
        errors = [e for e in errors if "404" not in e]
    assert errors == [], f"console errors on {path} as {role}: {errors}"


def _focused(page: Page) -> str:
    return str(
        page.evaluate(
            "() => { const e = document.activeElement;"
            " return (e.labels && e.labels[0] ? e.labels[0].innerText : e.innerText || e.name || e.id).trim(); }"
        )
    )


def test_objective_form_works_with_the_keyboard_alone(page: Page, live: LiveServer, data: Fixtures) -> None:
    sign_in(page, live.url, data.emails["focal_point"])
    page.goto(f"{live.url}/submissions/{data.values['draft']}/objectives/2")
    narrative = page.locator("#narrative")
    order: list[str] = []
    reached_rating = reached_narrative = reached_save = False
    for _ in range(80):
        page.keyboard.press("Tab")
        label = _focused(page)
        order.append(label)
        # Focus is visible: the focused element has an outline or a box shadow.
        style = page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineStyle, s.outlineWidth, s.boxShadow]; }"
        )
        assert (style[0] != "none" and style[1] != "0px") or style[2] != "none", (label, style)
        tag = page.evaluate("() => document.activeElement.type || document.activeElement.tagName")
        name = page.evaluate("() => document.activeElement.name || ''")
        if tag == "radio" and name == "progress_rating" and not reached_rating:
            reached_rating = True
            page.keyboard.press("ArrowDown")  # radio groups: arrows choose within the group
        if narrative.evaluate("e => e === document.activeElement"):
            assert reached_rating, f"the text came before the rating: {order}"
            reached_narrative = True
            page.keyboard.type("Reached with the keyboard only.")
        if tag == "submit" and reached_narrative:
            reached_save = True
            page.keyboard.press("Enter")
            break
    assert reached_rating and reached_narrative and reached_save, order
    expect(page.locator("#save-status")).to_contain_text("Saved", timeout=10_000)
    page.reload()
    expect(narrative).to_have_value("Reached with the keyboard only.")


def test_save_messages_are_announced(page: Page, live: LiveServer, data: Fixtures) -> None:
    sign_in(page, live.url, data.emails["focal_point"])
    page.goto(f"{live.url}/submissions/{data.values['draft']}/objectives/3")
    status = page.locator("#save-status")
    live_region = status.evaluate("e => e.closest('[aria-live], [role=status], [role=alert]') !== null")
    assert live_region, "the save message is not in an aria-live region"
    page.locator("#narrative").fill("Announced.")
    expect(status).to_contain_text("Saved", timeout=10_000)


def test_form_errors_are_linked_to_their_fields(page: Page, live: LiveServer, data: Fixtures) -> None:
    sign_in(page, live.url, data.emails["admin"])
    page.goto(live.url + "/admin/users/new")
    page.get_by_label("E-mail address").fill("not-an-address")
    page.get_by_role("button", name="Add the user").click()
    field = page.get_by_label("E-mail address")
    described_by = field.get_attribute("aria-describedby")
    assert described_by, "the field in error has no aria-describedby"
    messages = [page.locator(f"#{ident}").inner_text() for ident in described_by.split()]
    assert any(m.strip() for m in messages), messages
    assert field.get_attribute("aria-invalid") == "true"
    expect(field).to_have_value("not-an-address")
