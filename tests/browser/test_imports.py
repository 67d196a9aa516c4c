"""The import page in a real browser: a file with a bad line is refused with the line's number and writes nothing;
the corrected file previews its counts (new, changed, unchanged), and confirming writes the values. Every state of
the page passes axe (the preview and its errors are reached by POST only, so they are checked here)."""

from __future__ import annotations

from decimal import Decimal

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.auth.models import Role
from app.catalog.models import Country
from app.indicators.models import IndicatorValue
from tests.browser.conftest import LiveServer
from tests.browser.test_accessibility import blocking_violations, sign_in
from tests.factories import make_user
from tests.indicators.helpers import make_value

SOURCE = "IOM Missing Migrants Project"
HEADER = "indicator,country,period,value,source,note\n"
UNCHANGED = f"10.7.3,KAZ,2019,5,{SOURCE},\n"
CHANGED = f"10.7.3,KAZ,2020,12,{SOURCE},\n"
BAD = f"10.7.3,KAZ,2021,twelve,{SOURCE},\n"  # line 4
NEW = f"10.7.3,KAZ,2021,14,{SOURCE},\n"


def _values(live: LiveServer) -> dict[str, Decimal | float | None]:
    with live.db() as session:
        rows = session.execute(
            select(IndicatorValue.period, IndicatorValue.value)
            .join(Country, Country.id == IndicatorValue.country_id)
            .where(Country.iso3 == "KAZ")
        )
        return {period: (None if value is None else Decimal(str(value))) for period, value in rows}


def _upload(page: Page, content: str) -> None:
    page.get_by_label("Indicator values").check()
    page.get_by_label("File (.csv or .xlsx)").set_input_files(
        {"name": "values.csv", "mimeType": "text/csv", "buffer": content.encode()}
    )
    page.get_by_role("button", name="Preview").click()


def test_bad_line_is_refused_then_the_corrected_file_is_previewed_and_imported(page: Page, live: LiveServer) -> None:
    with live.db() as session:
        email = make_user(session, role=Role.focal_point, country="KAZ").email
        make_value(session, code="10.7.3", country="KAZ", period="2019", value=5.0, source=SOURCE)
        make_value(session, code="10.7.3", country="KAZ", period="2020", value=10.0, source=SOURCE)
    before = _values(live)
    assert before == {"2019": Decimal(5), "2020": Decimal(10)}

    sign_in(page, live.url, email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Import").click()
    expect(page.get_by_role("heading", name="Import from a file", level=1)).to_be_visible()
    assert blocking_violations(page) == []

    _upload(page, HEADER + UNCHANGED + CHANGED + BAD)
    errors = page.get_by_role("table").filter(has=page.get_by_role("columnheader", name="Line"))
    expect(page.get_by_role("heading", name="1 error: nothing will be imported")).to_be_visible()
    expect(page.get_by_role("region", name="1 error: nothing will be imported")).to_be_focused()  # read out first
    expect(errors.get_by_role("rowheader")).to_have_text(["4"])
    expect(errors.get_by_role("row").nth(1)).to_contain_text("value")
    expect(page.get_by_role("button", name="Confirm the import")).to_have_count(0)
    assert blocking_violations(page) == []
    assert _values(live) == before  # nothing written

    page.get_by_role("link", name="Upload another file").click()
    _upload(page, HEADER + UNCHANGED + CHANGED + NEW)
    expect(page.get_by_role("status")).to_have_text("1 new, 1 changed, 1 unchanged.")
    expect(page.get_by_role("heading", name="1 error: nothing will be imported")).to_have_count(0)
    assert blocking_violations(page) == []
    assert _values(live) == before  # a preview writes nothing either

    page.get_by_role("button", name="Confirm the import").click()
    expect(page.locator(".notice[role=status]")).to_have_text("Imported: 1 new, 1 changed, 1 unchanged.")
    assert blocking_violations(page) == []
    assert _values(live) == {"2019": Decimal(5), "2020": Decimal(12), "2021": Decimal(14)}
