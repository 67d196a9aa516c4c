"""Simple formatting for text that people type: Markdown without raw HTML, so typed markup is shown inert."""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup

# "commonmark" with html disabled: a typed <script> or <img onerror=...> is escaped and shown as text.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable("image")


def _safe_link(url: str) -> bool:
    return url.startswith(("http://", "https://", "mailto:", "/", "#"))


_md.validateLink = _safe_link  # type: ignore[method-assign]


def render_markdown(text: str | None) -> Markup:
    if not text:
        return Markup("")
    html = _rendered(text) if len(text) <= CACHED_UP_TO else _md.render(text)
    return Markup(html)  # noqa: S704 - markdown-it escapes everything; raw HTML is disabled


# The same text always gives the same HTML, so pages that show many reports (the objective page, the review page)
# render each text once per process, not once per view. Bounded: at most 1,024 texts of up to 20,000 characters.
CACHED_UP_TO = 20_000


@lru_cache(maxsize=1024)
def _rendered(text: str) -> str:
    return _md.render(text)
