"""The product in each of ESCAP's four working languages, in a real browser: sign in, see a validation message,
write a report, switch language, and find the choice remembered after signing out and in again (on another
browser: the cookies are cleared, so the language comes from the user's profile)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from app.auth.models import Role
from app.i18n import HTML_LANG, gettext, use_locale
from app.submissions import queries
from tests.browser.conftest import LiveServer
from tests.factories import PASSWORD, make_cycle, make_submission, make_user

# Each language its own country (no other browser module uses these) and a sentence in its script.
CASES = {
    "en": ("KGZ", "Labour migration agreements were signed with two States.", "fr"),
    "zh": ("TJK", "已与两个国家签署劳务移民协定。", "ru"),
    "fr": ("ARM", "Des accords sur la migration de main-d’œuvre ont été signés avec deux États.", "zh"),
    "ru": ("AZE", "Подписаны соглашения о трудовой миграции с двумя государствами.", "en"),
}


def t(code: str, message: str) -> str:
    """The message as the service shows it in that language (the same compiled catalogue)."""
    with use_locale(code):
        return gettext(message)


def submit_sign_in(page: Page, email: str, password: str) -> None:
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()


@pytest.mark.parametrize("code", list(CASES))
def test_a_focal_point_works_in_their_language(page: Page, live: LiveServer, code: str) -> None:
    country, sentence, switch_to = CASES[code]
    with live.db() as session:
        cycle = queries.get_open_cycle(session) or make_cycle(session)
        user = make_user(session, role=Role.focal_point, country=country)
        submission = make_submission(session, focal_point=user, cycle=cycle)
        email, submission_id = user.email, submission.id
    base = live.url
    if code != "en":  # the check below is a real one: the catalogue has these messages in that language
        assert t(code, "Sign out") != "Sign out" and t(code, "Enter your password.") != "Enter your password."

    page.goto(f"{base}/login?lang={code}")
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[code])
    expect(page.locator("h1")).to_have_text(t(code, "Sign in"))
    # A validation message in the page's language, beside the field, with what was typed kept.
    submit_sign_in(page, email, "")
    expect(page.locator("#password-error")).to_contain_text(t(code, "Enter your password."))
    expect(page.locator("#email")).to_have_value(email)
    submit_sign_in(page, email, PASSWORD)
    expect(page.locator("form[action='/logout'] button")).to_have_text(t(code, "Sign out"))
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[code])

    # Write a report: the autosave status speaks the language too.
    page.goto(f"{base}/submissions/{submission_id}/objectives/1")
    page.wait_for_load_state("networkidle")
    page.locator("input[name=progress_rating][value='3']").check()
    page.locator("#narrative").fill(sentence)
    expect(page.locator("#save-status")).to_contain_text(t(code, "Saved at"), timeout=10_000)
    page.reload()
    expect(page.locator("#narrative")).to_have_value(sentence)

    # Switch language with the switcher: the same page, now in the other language.
    page.locator(f"nav.languages a[hreflang='{HTML_LANG[switch_to]}']").click()
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[switch_to])
    expect(page.locator("#narrative")).to_have_value(sentence)
    expect(page.locator("form[action='/logout'] button")).to_have_text(t(switch_to, "Sign out"))

    # Sign out, forget this browser's cookies, sign in again: the choice comes back from the profile.
    page.locator("form[action='/logout'] button").click()
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    submit_sign_in(page, email, PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[switch_to])
    expect(page.locator("form[action='/logout'] button")).to_have_text(t(switch_to, "Sign out"))
