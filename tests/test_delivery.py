"""Light on slow links: text responses gzipped by the service itself when the client accepts it (and only then),
binary downloads never recompressed, static files under content-hashed names cached for a year, and the regional
overview within 40 KB on the wire on the demo data (a visitor's and the secretariat's)."""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth import sessions
from app.auth.dependencies import SESSION_COOKIE
from app.auth.models import Role, User
from app.config import Environment, Settings
from app.db import create_db_engine
from app.demo import DEMO_DOMAIN, create_demo_data
from app.main import create_app
from app.migrate import upgrade
from app.seed import seed_reference_data
from app.web.compression import accepts_gzip
from tests.databases import throwaway_database
from tests.factories import make_cycle, make_user, sign_in

OVERVIEW_BUDGET = 40 * 1024
GZIP = {"Accept-Encoding": "gzip, deflate"}
IDENTITY = {"Accept-Encoding": "identity"}


def _wire_size(client: TestClient, path: str) -> int:
    """The bytes of the body as sent (httpx decodes gzip: read the raw stream)."""
    with client.stream("GET", path, headers=GZIP) as response:
        assert response.status_code == 200, path
        assert response.headers["content-encoding"] == "gzip", path
        raw = b"".join(response.iter_raw())
    assert gzip.decompress(raw)  # a valid gzip body
    return len(raw)


@pytest.fixture(scope="module")
def demo(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, Engine]]:
    with throwaway_database(backend, tmp_path_factory.mktemp(f"delivery-{backend}")) as url:
        upgrade("head", database_url=url)
        engine = create_db_engine(url)
        with Session(engine) as session:
            seed_reference_data(session)
            create_demo_data(session, today=datetime.now(UTC).date())
            session.commit()
        yield create_app(Settings(env=Environment.test, database_url=url)), engine
        engine.dispose()


def test_the_overview_is_at_most_40_kb_compressed_for_a_visitor_and_the_secretariat(
    demo: tuple[FastAPI, Engine],
) -> None:
    app, engine = demo
    with TestClient(app) as client:
        visitor = _wire_size(client, "/dashboards")
        with Session(engine) as session:
            user = session.scalars(select(User).where(User.email == f"secretariat@{DEMO_DOMAIN}")).one()
            token = sessions.start_session(session, user=user).token
            session.commit()
        client.cookies.set(SESSION_COOKIE, token)
        secretariat = _wire_size(client, "/dashboards")
    assert visitor <= OVERVIEW_BUDGET, f"the overview weighs {visitor} bytes compressed for a visitor"
    assert secretariat <= OVERVIEW_BUDGET, f"the overview weighs {secretariat} bytes compressed for the secretariat"


def test_html_json_css_and_js_are_gzipped_only_when_the_client_accepts_it(client: TestClient) -> None:
    page = client.get("/")
    paths = {
        "text/html": "/",
        "application/json": "/openapi.json",
        "text/css": re.search(r'href="(/static/app\.[0-9a-f]+\.css)"', page.text)[1],  # type: ignore[index]
        "text/javascript": re.search(r'src="(/static/vendor/htmx\.min\.[0-9a-f]+\.js)"', page.text)[1],  # type: ignore[index]
    }
    for media_type, path in paths.items():
        compressed = client.get(path, headers=GZIP)
        assert compressed.status_code == 200, path
        assert compressed.headers["content-type"].startswith(media_type), path
        assert compressed.headers["content-encoding"] == "gzip", path
        assert "accept-encoding" in compressed.headers["vary"].lower(), path
        plain = client.get(path, headers=IDENTITY)
        assert "content-encoding" not in plain.headers, path
        assert plain.content == compressed.content, path  # the same page, decoded
        assert int(plain.headers["content-length"]) == len(plain.content)


def test_already_compressed_downloads_and_partial_content_are_not_recompressed(
    client: TestClient, session: Session
) -> None:
    # A real download: the questionnaire as an XLSX workbook (a zip) is sent as it is; as JSON it is gzipped.
    cycle = make_cycle(session)
    sign_in(client, make_user(session, role=Role.secretariat))
    url = f"/questionnaires/{cycle.id}/download"
    with client.stream("GET", url, params={"format": "xlsx"}, headers=GZIP) as workbook:
        raw = b"".join(workbook.iter_raw())
    assert workbook.status_code == 200 and "content-encoding" not in workbook.headers
    assert raw[:2] == b"PK" and int(workbook.headers["content-length"]) == len(raw)
    as_json = client.get(url, headers=GZIP)
    assert as_json.headers["content-encoding"] == "gzip" and as_json.json()
    # A PNG-like binary under /static is not text: no gzip; a range request of a text file stays a plain 206.
    icon = client.get("/static/favicon.svg", headers=GZIP)
    assert icon.status_code == 200  # small: below the minimum size, sent as it is
    ranged = client.get("/static/app.css", headers={**GZIP, "Range": "bytes=0-99"})
    assert ranged.status_code == 206 and "content-encoding" not in ranged.headers and len(ranged.content) == 100
    # The export formats that are zip files already (XLSX, DOCX) and PDF are left alone.
    from app.web.compression import is_compressible

    for media_type in (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/pdf",
        "image/png",
        "application/octet-stream",
    ):
        assert not is_compressible(media_type), media_type
    assert is_compressible("text/csv; charset=utf-8") and is_compressible("image/svg+xml")


def test_accept_encoding_is_read_with_its_weights() -> None:
    assert accepts_gzip("gzip, deflate, br")
    assert accepts_gzip("br;q=1.0, gzip;q=0.8")
    assert accepts_gzip("*")
    assert not accepts_gzip("")
    assert not accepts_gzip("identity")
    assert not accepts_gzip("gzip;q=0, *")
    assert not accepts_gzip("br")


def test_a_streamed_response_is_compressed_chunk_by_chunk() -> None:
    """A streaming response (the exports) gets gzip with a flush per chunk: each chunk decodes on its own arrival."""
    from starlette.applications import Starlette
    from starlette.responses import StreamingResponse
    from starlette.routing import Route

    from app.web.compression import CompressionMiddleware

    def rows() -> Iterator[bytes]:
        for n in range(50):
            yield f"{n},{'x' * 200}\n".encode()

    async def endpoint(request: object) -> StreamingResponse:
        return StreamingResponse(rows(), media_type="text/csv")

    app = Starlette(routes=[Route("/csv", endpoint)])
    app.add_middleware(CompressionMiddleware)
    with TestClient(app) as client, client.stream("GET", "/csv", headers=GZIP) as response:
        assert response.headers["content-encoding"] == "gzip" and "content-length" not in response.headers
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        chunks = response.iter_raw()
        first = decoder.decompress(next(chunks))
        assert first.startswith(b"0,xxx")  # the first chunk is readable before the rest arrives
        whole = first + b"".join(decoder.decompress(chunk) for chunk in chunks)
    assert whole == b"".join(rows())


def test_static_files_have_content_hashed_names_cached_for_a_year(client: TestClient) -> None:
    page = client.get("/").text
    css = re.search(r'href="(/static/app\.([0-9a-f]{12})\.css)"', page)
    assert css is not None, "the stylesheet's URL carries its content hash"
    hashed = client.get(css[1])
    assert hashed.status_code == 200
    assert hashed.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert hashed.content == client.get("/static/app.css").content
    # The plain name still works, revalidated each time.
    assert client.get("/static/app.css").headers["cache-control"] == "no-cache"
    # A stale hash (a page cached before a deploy) is sent to the current file, the redirect itself not cached.
    stale = client.get("/static/app.000000000000.css", follow_redirects=False)
    assert stale.status_code == 302 and stale.headers["cache-control"] == "no-cache"
    assert stale.headers["location"] == f"app.{css[2]}.css"  # relative: beside the stale URL
    assert client.get(f"/static/{stale.headers['location']}").headers["cache-control"].endswith("immutable")
    # A file that does not exist, hashed or not, is 404 (never a 5xx).
    assert client.get("/static/nothing.0123456789ab.css").status_code == 404
    assert client.get("/static/nothing.css").status_code == 404
    assert client.get("/static/app.0123456789ab").status_code == 404
