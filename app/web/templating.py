"""The one Jinja environment, and ``render()``: the page, or one block of it for htmx requests."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import Request
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup, escape
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, object_session
from starlette.responses import Response

from app import i18n
from app.web.assets import hashed_path
from app.web.csrf import csrf_token
from app.web.markdown import render_markdown

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    undefined=StrictUndefined,
    extensions=["jinja2.ext.i18n"],
    autoescape=True,
)
# gettext of the request's language (app.i18n reads it from a context variable) each time a template calls _().
_env.install_gettext_callables(  # type: ignore[attr-defined]
    i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext, npgettext=i18n.npgettext
)


class _Locale:
    """``{{ locale }}``: the request's language code, read when the template uses it (also outside requests)."""

    def __str__(self) -> str:
        return i18n.get_locale()

    def __html__(self) -> str:
        return i18n.get_locale()

    def __eq__(self, other: object) -> bool:
        return str(self) == other

    def __hash__(self) -> int:
        return hash(str(self))


_env.globals["locale"] = _Locale()
_env.globals["html_lang"] = lambda code=None: i18n.HTML_LANG.get(code or i18n.get_locale(), code or "en")
_env.globals["LANGUAGES"] = i18n.LANGUAGE_NAMES
_env.filters["number"] = i18n.format_number
_env.filters["percent"] = i18n.format_percent
_env.filters["date"] = i18n.format_date
_env.filters["datetime"] = i18n.format_datetime
# A message stored in English (a job's progress, written by the worker) shown in the reader's language.
_env.filters["translated"] = i18n.gettext
_env.globals["language_name"] = i18n.language_name


def lang_attr(code: str | None) -> Markup:
    """`` lang="..."`` for content written in ``code`` (a text answer's language) where the page is in another
    language; nothing when it is the page's or unknown."""
    if not code or code == i18n.get_locale():
        return Markup("")
    return Markup(' lang="{}"').format(i18n.HTML_LANG.get(code, code))


_env.globals["lang_attr"] = lang_attr


def tr(texts: dict[str, str] | None, default: str = "") -> Markup:
    """``{{ tr(q.label, q.key) }}``: a text kept per language in the page's language, or its English text marked
    ``lang="en"`` where that language has none (never presented as the page's language). Not for attributes:
    ``tr_text`` gives the plain text."""
    text, language = i18n.pick(texts, default)
    if language == i18n.get_locale() or not text:
        return escape(text)
    return Markup('<span lang="{}">{}</span>').format(i18n.HTML_LANG.get(language, language), text)


_env.globals["tr"] = tr
_env.globals["tr_text"] = lambda texts, default="": i18n.pick(texts, default)[0]


def lang_url(request: Request, code: str) -> str:
    """This page in another language: the same path and query with ``lang=`` set (a deep link that is remembered).
    An htmx fragment's own URL is not a page: its switcher links to the page the browser shows."""
    if request.method != "GET":  # a form's answer to a post: back to the page the form was on (Referer)
        referer = urlsplit(request.headers.get("referer", ""))
        same_site = referer.netloc == request.url.netloc and referer.path.startswith("/")
        back = referer.path + (f"?{referer.query}" if referer.query else "") if same_site else "/"
        return "/language?" + urlencode({"lang": code, "next": back})
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return request.url.path + "?" + urlencode([*query, ("lang", code)])


_env.globals["lang_url"] = lang_url


@pass_context
def url_for(context: Any, name: str, /, **params: Any) -> str:
    """A site-relative URL for a named route (works behind any proxy or host name).

    Remembered per application: ``url_path_for`` walks every route, and a page builds about a hundred links."""
    app = context["request"].app
    if name == "static" and "path" in params:  # content-hashed, cached for a year (app/web/assets.py)
        prefix = getattr(app.state, "static_prefix", None)
        if prefix is None:
            prefix = app.state.static_prefix = str(app.url_path_for("static", path=""))
        return prefix + hashed_path(params["path"])
    paths = getattr(app.state, "url_paths", None)
    if paths is None:
        paths = app.state.url_paths = {}
    key = (name, *sorted(params.items()))
    try:
        return paths[key]
    except KeyError:
        path = str(app.url_path_for(name, **params))
        if len(paths) < 10_000:  # links with ids are many: keep the memory bounded
            paths[key] = path
        return path
    except TypeError:  # an unhashable parameter
        return str(app.url_path_for(name, **params))


_env.globals["url_for"] = url_for
_env.filters["markdown"] = render_markdown
templates = Jinja2Blocks(env=_env)

# The core imports no feature: features' helpers for templates are registered by app.main (add_template_global,
# count_unread_with), which imports both.
_unread_count: Callable[[Session, int], int] | None = None


def add_template_global(name: str, value: Any) -> None:
    """Make a feature's helper callable from every template (app.main registers them)."""
    _env.globals[name] = value


def count_unread_with(counter: Callable[[Session, int], int]) -> None:
    """How the navigation's badge counts a user's unread notifications (app.main gives the notifications' query)."""
    global _unread_count
    _unread_count = counter


def unread_notifications(record: Any) -> int:
    """The signed-in user's unread notifications (the navigation's badge), counted only when a page shows it,
    in the request's own session; 0 when there is none (error pages after a rollback)."""
    db = object_session(record) if record is not None else None
    if db is None or _unread_count is None:
        return 0
    try:
        return _unread_count(db, record.user_id)
    except SQLAlchemyError:
        return 0


def is_htmx(request: Request) -> bool:
    """An htmx request that wants a fragment (history restores want the whole page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
) -> Response:
    record = getattr(request.state, "user_session", None)
    ctx = {
        "request": request,
        # Plain values read with the session cookie (app.auth.dependencies.SignedInUser), never the ORM user: an
        # error page after a rollback still shows who is signed in.
        "current_user": getattr(request.state, "signed_in", None),
        "unread_notifications": partial(unread_notifications, record),
        "csrf_token": csrf_token(request),  # app/web/csrf.py: the same for every page of the browser's session
        **(context or {}),
    }
    if block is not None and is_htmx(request):
        response = templates.TemplateResponse(request, template, ctx, block_name=block, status_code=status_code)
    else:
        response = templates.TemplateResponse(request, template, ctx, status_code=status_code)
    response.headers["Vary"] = "HX-Request"
    return response
