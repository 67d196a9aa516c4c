"""The questionnaire is data, in a real browser: the secretariat adds a yes/no general question with a follow-up
asked only on "yes" to an open cycle; a focal point answers both (the follow-up appears when "Yes" is chosen); once
the review is accepted, the overview shows how States answered, as a table and a chart."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from app.auth.models import Role, User
from app.review import service as review
from app.submissions import queries
from app.submissions import service as submissions
from tests.browser.conftest import LiveServer, sign_in
from tests.factories import complete_submission, make_cycle, make_submission, make_user

QUESTION = "Did COVID-19 affect implementation?"


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_secretariat_adds_a_question_a_focal_point_answers_the_overview_counts(page: Page, live: LiveServer) -> None:
    with live.db() as session:
        cycle = queries.get_open_cycle(session) or make_cycle(session)
        secretariat = make_user(session, role=Role.secretariat)
        focal = make_user(session, role=Role.focal_point, country="BGD")
        submission = make_submission(session, focal_point=focal, cycle=cycle)
        complete_submission(session, submission)
        ids = {"cycle": cycle.id, "submission": submission.id, "focal": focal.id}
        emails = {"secretariat": secretariat.email, "focal": focal.email}
    base = live.url

    sign_in(page, base, emails["secretariat"])
    page.goto(f"{base}/questionnaires/{ids['cycle']}/new?part=section:preparation")
    page.get_by_label("Key").fill("covid")
    page.get_by_label("Type of answer").select_option("yes_no")
    page.get_by_label("Question in English").fill(QUESTION)
    page.get_by_role("button", name="Save the question").click()
    expect(page.get_by_role("main")).to_contain_text(QUESTION)
    page.goto(f"{base}/questionnaires/{ids['cycle']}/new?part=section:preparation")
    page.get_by_label("Key").fill("covid_how")
    page.get_by_label("Type of answer").select_option("long_text")
    page.get_by_label("Question in English").fill("How did it affect implementation?")
    page.get_by_label("Ask only when this earlier question…").fill("covid")
    page.get_by_label("…has this answer").fill("yes")
    page.get_by_role("button", name="Save the question").click()
    expect(page.get_by_role("main")).to_contain_text("How did it affect implementation?")
    sign_out(page)

    sign_in(page, base, emails["focal"])
    page.goto(f"{base}/submissions/{ids['submission']}/sections/preparation")
    follow_up = page.locator("#covid_how")
    expect(follow_up).to_be_hidden()  # asked only on "yes"
    page.locator("#covid").get_by_label("Yes").check()
    expect(follow_up).to_be_visible()
    follow_up.fill("Borders closed for two years; services moved online.")
    expect(page.locator("#save-status")).to_contain_text("Saved at", timeout=10_000)
    page.reload()
    expect(page.locator("#covid").get_by_label("Yes")).to_be_checked()
    expect(follow_up).to_have_value("Borders closed for two years; services moved online.")
    sign_out(page)

    with live.db() as session:  # submitted and approved through the services
        found = queries.get_submission(session, ids["submission"])
        assert found is not None
        assert submissions.part_values(found, "section:preparation")["covid"] is True
        author = session.get(User, ids["focal"])
        assert author is not None
        submissions.submit(session, user=author, submission=found)
        reviewer = make_user(session, role=Role.secretariat)
        review.approve(session, user=reviewer, submission=found, version=None)

    sign_in(page, base, emails["secretariat"])
    page.goto(f"{base}/dashboards?cycle={ids['cycle']}")
    distribution = page.locator("section", has_text=QUESTION).last
    expect(distribution).to_be_visible()
    expect(distribution.locator("table")).to_contain_text("Yes")
    expect(distribution.locator("svg")).to_have_count(1)
