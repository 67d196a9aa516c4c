from __future__ import annotations

import re

from starlette.testclient import TestClient


def test_home_lists_objectives_by_round_table_and_countries_by_subregion(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    for code in ("RT1", "RT2", "RT3", "RT4"):
        assert f"({code})" in html
    assert "Minimize adverse drivers" in html
    assert 'Pacific <span class="muted">(21)</span>' in html
    assert "Members outside the region" in html and "France" in html
    assert "62 members and associate members" in html and "the 58 inside" in html


def test_base_layout_has_skip_link_navigation_and_local_htmx(client: TestClient) -> None:
    html = client.get("/").text
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert '<nav aria-label="Main">' in html
    assert re.search(r'src="/static/vendor/htmx\.min\.[0-9a-f]{12}\.js"', html)  # ours, content-hashed
    assert "<script>" not in html  # no inline script: the CSP forbids it
    assert 'lang="en"' in html


def test_responses_carry_security_headers(client: TestClient) -> None:
    response = client.get("/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["vary"] == "HX-Request, Accept-Encoding, Accept-Language, Cookie"


def test_unknown_page_is_an_html_404(client: TestClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Not found" in response.text


def test_static_assets_are_served(client: TestClient) -> None:
    assert client.get("/static/app.css").status_code == 200
