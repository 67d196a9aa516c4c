"""Simple formatting for text that people type: Markdown without raw HTML, so typed markup is shown inert."""

from __future__ import annotations

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
    return Markup(_md.render(text))  # noqa: S704 - markdown-it escapes everything; raw HTML is disabled
