"""The home page and the API docs in a real browser: scripts load under the CSP, the keyboard works."""

from __future__ import annotations

from playwright.sync_api import ConsoleMessage, Page, expect


def collect_console_errors(page: Page) -> list[str]:
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def test_home_loads_htmx_without_console_errors(page: Page, live_server: str) -> None:
    errors = collect_console_errors(page)
    page.goto(live_server + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Regional review of the Global Compact for Migration")
    expect(page.get_by_role("heading", name="Round table 1 (RT1)")).to_be_visible()
    assert page.evaluate("typeof window.htmx") == "object"
    assert errors == []


def test_skip_link_moves_focus_to_main_content(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_api_docs_render_from_local_assets(page: Page, live_server: str) -> None:
    errors = collect_console_errors(page)
    page.goto(live_server + "/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=15_000)
    expect(page.get_by_text("/api/v1/countries").first).to_be_visible()
    assert errors == []
