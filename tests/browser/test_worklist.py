"""The review queue as a worklist in a real browser: a reviewer assigns a review to themselves from its row, finds it
under "Assigned to me", then opens the overdue view from its count (countries of this module: SGP and BRN)."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.auth.models import Role
from app.catalog.models import Country
from app.cycles.models import CycleStatus
from app.db import utcnow
from app.submissions.models import Submission, SubmissionStatus
from tests.browser.conftest import LiveServer, sign_in
from tests.browser.test_review import assert_accessible
from tests.factories import make_cycle, make_user


def test_assign_a_review_to_me_find_it_under_mine_and_open_the_overdue_view(page: Page, live: LiveServer) -> None:
    with live.db() as session:
        # A cycle of this module's own, its deadline passed (closed: the open cycle is other modules').
        cycle = make_cycle(session, status=CycleStatus.closed, days_to_deadline=-5)
        singapore = session.scalars(select(Country).where(Country.iso3 == "SGP")).one()
        session.add(
            Submission(
                country_id=singapore.id,
                review_cycle_id=cycle.id,
                status=SubmissionStatus.submitted,
                submitted_at=utcnow() - timedelta(days=6),
            )
        )
        reviewer = make_user(session, role=Role.secretariat)
        reviewer.name = "Wendy Worklist"
        email, cycle_id = reviewer.email, cycle.id
    base = live.url

    sign_in(page, base, email)
    page.goto(f"{base}/review?cycle={cycle_id}")
    row = page.locator('tr[data-country="SGP"]')
    row.get_by_label("Reviewer of Singapore").select_option(label="Wendy Worklist (you)")
    row.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("status")).to_have_text("The review of Singapore is assigned to Wendy Worklist.")
    expect(page.locator('tr[data-country="SGP"] option:checked')).to_have_text("Wendy Worklist (you)")

    mine = page.get_by_role("navigation", name="Views of the queue").get_by_role("link", name="Assigned to me")
    expect(mine).to_contain_text("1")
    mine.focus()
    page.keyboard.press("Enter")  # the views are plain links: the keyboard follows them
    expect(page).to_have_url(re.compile(rf"/review\?cycle={cycle_id}&view=mine(&|$)"))
    expect(page.locator("tr.queue-row")).to_have_count(1)
    expect(page.locator('tr[data-country="SGP"]')).to_be_visible()
    expect(page.locator("#view-mine")).to_have_attribute("aria-current", "page")

    overdue = page.locator("#view-overdue")
    expect(overdue).to_contain_text("Overdue")
    overdue.click()
    expect(page).to_have_url(re.compile(rf"/review\?cycle={cycle_id}&view=overdue(&|$)"))
    expect(page.locator("#view-overdue")).to_have_attribute("aria-current", "page")
    expect(page.locator('tr[data-country="BRN"]')).to_contain_text("overdue by 5 days")  # not started
    expect(page.locator('tr[data-country="SGP"]')).to_have_count(0)  # submitted: not owed by the State
    count = int(overdue.locator(".queue-views__count").inner_text())
    expect(page.locator("tr.queue-row")).to_have_count(count)
    assert_accessible(page)
