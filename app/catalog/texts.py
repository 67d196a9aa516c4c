"""The one reader of reference texts (``reference_text``): a text in the reader's language, or the English one.

``reference_text(texts, kind, key, language)`` gives ``(text, language_of_text)``: the text in ``language`` when a
source for it is on file, else the English text (ESCAP's, the Compact's), else the caller's ``default`` (the model's
English column). Pages call ``ref_label(obj, field)`` (a template global): plain text when it is in the page's language,
``<span lang="en">…</span>`` when it falls back to English, so a reader and a screen reader know it is not a
translation of ours. ``ref_text`` is the plain string (attributes, e-mails, exports).

The table is small (a few hundred rows) and read on most pages, so each process keeps one snapshot per database
(``PROCESS_CACHE``): a transaction of this process that wrote reference texts invalidates it as it ends (committed
or rolled back: connection events), one of another instance is seen within ``TextCache.ttl`` seconds. A connection
holding uncommitted reference-text writes reads the table itself, never the snapshot. A session keeps what it read
until its transaction ends.
"""

from __future__ import annotations

import csv
import threading
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import pass_context
from markupsafe import Markup, escape
from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, object_session

from app.catalog import queries
from app.catalog.models import Country, Objective, Principle, ReferenceText, RoundTable, Subregion, TextKind, TextStatus
from app.i18n import DEFAULT_LOCALE, HTML_LANG, get_locale

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "reference" / "translations"
_SESSION_KEY = "reference_texts"
_DIRTY_KEY = "reference_texts_dirty"


@dataclass(frozen=True)
class Entry:
    text: str
    source: str
    status: TextStatus


class Texts:
    """A snapshot of every reference text: ``(kind, key, language) -> Entry``."""

    def __init__(self, entries: dict[tuple[str, str, str], Entry]) -> None:
        self.entries = entries

    @classmethod
    def load(cls, session: Session) -> Texts:
        return cls(
            {
                (row.kind.value, row.key, row.language): Entry(row.text, row.source, row.status)
                for row in queries.list_reference_texts(session)
            }
        )

    def get(
        self, kind: TextKind | str, key: object, language: str | None = None, default: str | None = None
    ) -> tuple[str, str]:
        """The text in ``language`` (the request's by default) and the language it is in: English when none is on
        file in that language; ``default`` (in English) when the table has none at all."""
        kind = TextKind(kind).value
        key = str(key)
        language = language or get_locale()
        found = self.entries.get((kind, key, language))
        if found is not None:
            return found.text, language
        english = self.entries.get((kind, key, DEFAULT_LOCALE))
        if english is not None:
            return english.text, DEFAULT_LOCALE
        return (default if default is not None else key), DEFAULT_LOCALE


class TextCache:
    """One process's snapshot of the texts, per database (tests run two), valid for ``ttl`` seconds at most."""

    ttl = 60.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshots: dict[str, tuple[int, float, Texts]] = {}

    def get(self, session: Session) -> Texts:
        url = session.get_bind().engine.url.render_as_string(hide_password=True)
        now = time.monotonic()
        with self._lock:
            found = self._snapshots.get(url)
            if found is not None and found[0] == _generation[0] and now - found[1] < self.ttl:
                return found[2]
        generation = _generation[0]
        texts = Texts.load(session)
        with self._lock:
            self._snapshots[url] = (generation, now, texts)
        return texts

    def latest(self) -> Texts | None:
        """The snapshot, when this process reads one database only and it is current (objects detached from their
        session: the dashboards' cached rows)."""
        with self._lock:
            current = [t for g, _at, t in self._snapshots.values() if g == _generation[0]]
        return current[0] if len(current) == 1 else None


#: Bumped whenever a transaction that wrote reference texts ends (committed or rolled back): caches then reload.
_generation = [0]


def invalidate() -> None:
    _generation[0] += 1


#: The process's snapshot (``app_cache`` hands it to the pages and the API; ``texts`` uses it by default).
PROCESS_CACHE = TextCache()


def texts(session: Session, cache: TextCache | None = None) -> Texts:
    """The texts as this session should see them: the process's snapshot, or its own read while its connection
    holds reference-text writes not yet committed (its own, or, in the tests, an earlier request's)."""
    memo = session.info.get(_SESSION_KEY)
    if memo is not None:
        return memo
    cache = cache or PROCESS_CACHE
    found = Texts.load(session) if session.connection().info.get(_DIRTY_KEY) else cache.get(session)
    session.info[_SESSION_KEY] = found
    return found


def reference_text(
    source: Session | Texts,
    kind: TextKind | str,
    key: object,
    language: str | None = None,
    *,
    default: str | None = None,
    cache: TextCache | None = None,
) -> tuple[str, str]:
    """``(text, language_of_text)`` of one reference text in ``language`` (the request's), English as a fallback."""
    snapshot = source if isinstance(source, Texts) else texts(source, cache)
    return snapshot.get(kind, key, language, default)


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _ctx: Any) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, ReferenceText) for obj in changed):
        session.connection().info[_DIRTY_KEY] = True
        session.info.pop(_SESSION_KEY, None)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, _transaction: Any) -> None:
    session.info.pop(_SESSION_KEY, None)  # the next transaction reads the texts again (from the snapshot)


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _ended(connection: Connection) -> None:
    if connection.info.pop(_DIRTY_KEY, False):
        invalidate()


@cache
def subregion_codes() -> dict[str, str]:
    """Each subregion's English name (``subregion.name``) -> its key (``subregion_codes.csv``)."""
    with (TRANSLATIONS_DIR / "subregion_codes.csv").open(newline="", encoding="utf-8") as handle:
        return {row["name"].strip(): row["code"].strip() for row in csv.DictReader(handle)}


def key_of(obj: Any, field: str | None = None) -> tuple[TextKind, str, str]:
    """The kind, key and English default of an ORM object's label (``field``: an objective's title or short title)."""
    if isinstance(obj, Objective):
        if field in (None, "title"):
            return TextKind.objective, str(obj.number), obj.title
        if field == "short_title":
            return TextKind.objective_short, str(obj.number), obj.short_title
    elif isinstance(obj, Principle):
        return TextKind.guiding_principle, obj.code, obj.name
    elif isinstance(obj, Country):
        return TextKind.country, obj.iso3, obj.name
    elif isinstance(obj, Subregion):
        return TextKind.subregion, subregion_codes().get(obj.name, obj.name), obj.name
    elif isinstance(obj, RoundTable):
        return TextKind.round_table, str(obj.number), obj.name
    raise TypeError(f"no reference text for {type(obj).__name__}.{field}")


def label(
    obj: Any, field: str | None = None, *, language: str | None = None, cache: TextCache | None = None
) -> tuple[str, str]:
    """``(text, language_of_text)`` of an object's label, read in the object's own session (an object no session
    holds any more: the cache's snapshot when it has one, else its English column)."""
    kind, key, default = key_of(obj, field)
    session = object_session(obj)
    if session is not None:
        try:
            return reference_text(session, kind, key, language, default=default, cache=cache)
        except SQLAlchemyError:  # an error page after a failed transaction: no read, the snapshot if any
            pass
    snapshot = (cache or PROCESS_CACHE).latest()
    if snapshot is not None:
        return snapshot.get(kind, key, language, default)
    return default, DEFAULT_LOCALE


def marked(text: str, language: str, page_language: str | None = None) -> Markup:
    """The text, escaped, inside ``<span lang="…">`` when it is not in the page's language."""
    page_language = page_language or get_locale()
    if language == page_language:
        return escape(text)
    return Markup('<span lang="{}">{}</span>').format(HTML_LANG.get(language, language), text)


def _cache_of(_context: Any) -> TextCache:
    return PROCESS_CACHE


def app_cache(_state: Any = None) -> TextCache:
    """The cache the pages and the API read (one per process, shared by its applications)."""
    return PROCESS_CACHE


@pass_context
def ref_label(context: Any, obj: Any, field: str | None = None) -> Markup:
    """``{{ ref_label(objective, "short_title") }}``: the label in the page's language, or in English marked as such."""
    if obj is None:
        return Markup("")
    try:
        text, language = label(obj, field, cache=_cache_of(context))
    except TypeError:  # not a reference record: shown as it is
        return escape(getattr(obj, field or "name", obj))
    return marked(text, language)


@pass_context
def ref_text(context: Any, obj: Any, field: str | None = None) -> str:
    """``{{ ref_text(objective, "short_title") }}``: the label as plain text (attributes)."""
    if obj is None:
        return ""
    try:
        return label(obj, field, cache=_cache_of(context))[0]
    except TypeError:  # not a reference record: shown as it is
        return str(getattr(obj, field or "name", obj))
