"""The application factory."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app import models  # noqa: F401  (every table and the audit listeners)
from app.admin.routes import router as admin_router
from app.api.commitments import router as api_commitments_router
from app.api.contributions import router as api_contributions_router
from app.api.cycles import router as api_cycles_router
from app.api.indicators import router as api_indicators_router
from app.api.routes import router as api_router
from app.api.submissions import router as api_submissions_router
from app.audit.diff import changes
from app.auth.dependencies import session_user
from app.auth.routes import router as auth_router
from app.catalog.texts import ref_label, ref_text
from app.comments.routes import router as comments_router
from app.commitments.routes import router as commitments_router
from app.config import Settings, get_settings
from app.contributions.routes import router as contributions_router
from app.dashboards.routes import router as dashboards_router
from app.dashboards.timing import QueryCountMiddleware
from app.data_version import ResultCache
from app.db import create_db_engine, make_sessionmaker
from app.exports.routes import router as exports_router
from app.health import router as health_router
from app.imports.routes import router as imports_router
from app.indicators.routes import router as indicators_router
from app.notifications.queries import unread_count
from app.notifications.routes import router as notifications_router
from app.offline.routes import router as offline_router
from app.organisations.routes import router as organisations_router
from app.pages.routes import router as pages_router
from app.questionnaires.routes import router as questionnaires_router
from app.review.queue_routes import router as review_queue_router
from app.review.routes import router as review_router
from app.submissions.routes import router as submissions_router
from app.web.assets import STATIC_DIR, HashedStaticFiles, missing_assets
from app.web.compression import CompressionMiddleware
from app.web.csrf import csrf_protect
from app.web.errors import install_error_handlers
from app.web.inputs import MalformedRequestMiddleware, check_inputs
from app.web.limits import BodySizeLimitMiddleware
from app.web.locale import LocaleMiddleware
from app.web.security import SecurityHeadersMiddleware
from app.web.templating import add_template_global, count_unread_with

log = logging.getLogger("gcm")

# The core (app.web) imports no feature: the helpers its templates call are registered here.
add_template_global("changes_of", changes)  # an audit event's field changes (audit/_history.html)
add_template_global("ref_label", ref_label)  # a reference text in the page's language, or in English marked lang="en"
add_template_global("ref_text", ref_text)  # the same as plain text (attributes)
count_unread_with(unread_count)  # the navigation's unread notifications badge

API_DESCRIPTION = """
Data of the Asia-Pacific regional review of the Global Compact for Safe, Orderly and Regular Migration (GCM).

Every `/api/v1` route requires `Authorization: Bearer <token>`; create a token with `gcm token create --email E`.
Errors are JSON: `{"message": "...", "errors": [...]}`.
"""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    missing = missing_assets()
    if missing:
        log.warning("Front-end assets missing (%s): run scripts/setup or `npm ci && gcm assets`", ", ".join(missing))
    if app.state.settings.gc_freeze:  # see Settings.gc_freeze_override: shorter full collections, no 100 ms stalls
        gc.collect()
        gc.freeze()
    yield
    if getattr(app.state, "job_worker", None) is not None:  # app/exports/worker.py: let a running job stop cleanly
        app.state.job_worker.stop()
    app.state.engine.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        dependencies=[Depends(csrf_protect), Depends(check_inputs)],
        title="GCM regional review",
        summary="Voluntary GCM reviews, pledges and indicators of ESCAP members and associate members",
        description=API_DESCRIPTION,
        version="0.1.0",
        docs_url=None,  # served by app.pages.routes from the npm-installed Swagger UI, without a CDN
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = create_db_engine(settings.database_url)
    app.state.sessionmaker = make_sessionmaker(app.state.engine)
    # Dashboard figures and search results by data version (app/data_version.py); None: computed every time.
    app.state.result_cache = ResultCache() if settings.result_cache else None
    app.add_middleware(MalformedRequestMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_upload_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    if settings.compression:  # HTML, JSON, CSS, JS gzipped by the service itself (app/web/compression.py)
        app.add_middleware(CompressionMiddleware)
    app.add_middleware(LocaleMiddleware)  # outside the others: their messages (413, 400) are in the reader's language
    if settings.query_count_header:
        app.add_middleware(QueryCountMiddleware, engine=app.state.engine)
    if settings.trusted_proxy_list:  # outermost: every layer sees the client's address, not the proxy's
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list)
    app.mount("/static", HashedStaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(health_router)
    app.include_router(api_router)
    app.include_router(api_indicators_router)
    app.include_router(api_commitments_router)
    app.include_router(api_submissions_router)
    app.include_router(api_cycles_router)
    app.include_router(api_contributions_router)
    app.include_router(imports_router)
    app.include_router(pages_router)
    app.include_router(auth_router)
    app.include_router(submissions_router)
    app.include_router(offline_router)
    app.include_router(commitments_router)
    app.include_router(indicators_router)
    app.include_router(admin_router)
    app.include_router(organisations_router)
    app.include_router(contributions_router)
    app.include_router(questionnaires_router)
    app.include_router(review_router)
    app.include_router(review_queue_router)
    app.include_router(comments_router)
    app.include_router(notifications_router)
    app.include_router(exports_router)
    app.include_router(dashboards_router)
    install_error_handlers(app, session_user)
    return app
