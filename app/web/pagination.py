"""Pages of a long list shown whole elsewhere (a part's history, an objective's reports): ``?page=N``, a fixed number
of items a page; anything that is not a page number is page 1, past the end is the last page. The links are made by
``components/pagination.html``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


def page_number(raw: str | None) -> int:
    """``?page=`` as a page number: 1 for anything that is not a positive number (never an error)."""
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and 0 < int(raw) < 1_000_000 else 1


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    pages: int
    total: int


def paginate(items: Sequence[T], raw_page: str | None, per_page: int) -> Page[T]:
    pages = max(1, -(-len(items) // per_page))
    page = min(page_number(raw_page), pages)
    return Page(list(items[(page - 1) * per_page : page * per_page]), page, pages, len(items))
