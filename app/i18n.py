"""Every user-facing string goes through gettext, in the language of the request.

The four languages are ESCAP's working languages. The request's language lives in a context variable, set by
``app.web.locale.LocaleMiddleware`` (``?lang=``, the ``lang`` cookie, then ``Accept-Language``); work done outside a
request (e-mails, reports, the CLI) chooses one with ``use_locale``. ``_`` translates when it is called: a string
made at import (a module's constant, a class attribute) uses ``lazy_gettext``, which translates each time it is read.

Catalogues are the committed ``app/locale/<lang>/LC_MESSAGES/messages.po``; ``gcm i18n compile`` (run by the setup
scripts) writes the ``.mo`` files read here. Locale formatting (numbers, dates, percentages, plurals) is Babel's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.support import LazyProxy, NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
DEFAULT_LOCALE = "en"
#: ESCAP's working languages, in the order the switcher lists them.
LOCALES: tuple[str, ...] = ("en", "zh", "fr", "ru")
#: Each language named in itself (the switcher, the profile, the administrator's user form).
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "zh": "中文", "fr": "Français", "ru": "Русский"}
#: The BCP 47 tag a page carries in ``<html lang>`` (Chinese is written in simplified characters here).
HTML_LANG: dict[str, str] = {"en": "en", "zh": "zh-Hans", "fr": "fr", "ru": "ru"}

_current: ContextVar[str] = ContextVar("locale", default=DEFAULT_LOCALE)


def normalise(value: str | None) -> str | None:
    """One of LOCALES for a tag such as ``fr``, ``fr-CA``, ``zh_Hans_CN`` or ``RU``; None for anything else."""
    if not value:
        return None
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LOCALES else None


def negotiate(accept_language: str | None) -> str | None:
    """The best of LOCALES for an ``Accept-Language`` header (q-values honoured; ``*`` and junk ignored)."""
    if not accept_language:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept_language.split(",")[:32]):
        tag, _sep, params = item.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                continue
        locale = normalise(tag)
        if locale is not None and quality > 0:
            ranked.append((-quality, position, locale))
    return min(ranked)[2] if ranked else None


def get_locale() -> str:
    """The language of the current request (or of ``use_locale``)."""
    return _current.get()


def set_locale(locale: str) -> None:
    """Set the language for the rest of this context (the middleware, once per request)."""
    _current.set(normalise(locale) or DEFAULT_LOCALE)


@contextmanager
def use_locale(locale: str | None) -> Iterator[str]:
    """Work in another language for a while (an e-mail to a user, a report in a chosen language)."""
    token = _current.set(normalise(locale) or DEFAULT_LOCALE)
    try:
        yield _current.get()
    finally:
        _current.reset(token)


@lru_cache(maxsize=len(LOCALES))
def get_translations(locale: str = DEFAULT_LOCALE) -> NullTranslations:
    """The compiled catalogue of one language (English is the source: no catalogue needed)."""
    if locale == DEFAULT_LOCALE:
        return NullTranslations()
    translations = Translations.load(str(LOCALE_DIR), [locale], DOMAIN)
    return translations


def gettext(message: str) -> str:
    return get_translations(_current.get()).ugettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return get_translations(_current.get()).ungettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return get_translations(_current.get()).upgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return get_translations(_current.get()).unpgettext(context, singular, plural, n)


def lazy_gettext(message: str) -> Any:
    """A string translated each time it is used: for constants made at import. ``str()`` it before JSON."""
    return LazyProxy(gettext, message, enable_cache=False)


def lazy_pgettext(context: str, message: str) -> Any:
    return LazyProxy(pgettext, context, message, enable_cache=False)


K = TypeVar("K")
V = TypeVar("V")


class LazyLabels(Mapping[K, V]):
    """A module's table of labels (``{Status.draft: lazy_gettext("Draft")}``) read in the reader's language.

    Every read (``labels[key]``, ``.get``, ``.items()``, ``.values()``) gives plain ``str`` (tuples of them for a
    value that is a tuple), so a label goes into JSON, a database, a spreadsheet cell or ``", ".join`` as it is.
    """

    def __init__(self, labels: Mapping[K, V]) -> None:
        self._labels = dict(labels)

    def __getitem__(self, key: K) -> V:
        return _plain(self._labels[key])

    def __iter__(self) -> Iterator[K]:
        return iter(self._labels)

    def __len__(self) -> int:
        return len(self._labels)

    def __repr__(self) -> str:
        return f"LazyLabels({dict(self.items())!r})"


def _plain(value: Any) -> Any:
    if isinstance(value, LazyProxy):
        return str(value)
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return value


_ = gettext


def pick(texts: Mapping[str, str] | None, default: str = "", locale: str | None = None) -> tuple[str, str]:
    """A text kept per language (a questionnaire's labels): the reader's language, else English, else ``default``;
    with the language it is in (so a page can mark an English fallback ``lang="en"``)."""
    locale = locale or _current.get()
    if texts:
        if text := texts.get(locale):
            return text, locale
        if text := texts.get(DEFAULT_LOCALE):
            return text, DEFAULT_LOCALE
    return default, locale


def babel_locale(locale: str | None = None) -> Locale:
    try:
        return Locale.parse(locale or _current.get())
    except (ValueError, UnknownLocaleError):
        return Locale.parse(DEFAULT_LOCALE)


def _formatted(value: int | float | Decimal, kind: str, digits: int | None) -> str:
    """A number by the locale's own pattern (its separators, its spacing before %), with ``digits`` decimals."""
    locale = babel_locale()
    formats = locale.percent_formats if kind == "percent" else locale.decimal_formats
    pattern = babel_numbers.parse_pattern(formats[None].pattern)
    if digits is not None:
        pattern.frac_prec = (digits, digits)
    return pattern.apply(value, locale, decimal_quantization=digits is not None)


def format_number(value: int | float | Decimal | None, *, digits: int | None = None) -> str:
    """A number as the reader writes it (1,234.5 in English, 1 234,5 in French and Russian); "" for None."""
    if value is None:
        return ""
    return _formatted(value, "decimal", digits)


def format_percent(value: float | Decimal | None, *, digits: int = 0) -> str:
    """A share (0.25) as a percentage in the reader's way ("25%", "25 %"); "" for None."""
    if value is None:
        return ""
    return _formatted(value, "percent", digits)


def format_date(value: dt.date | dt.datetime | None, *, format: str = "medium") -> str:
    """A date in the reader's language ("1 Dec 2026", "1 déc. 2026", "2026年12月1日"); "" for None."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return babel_dates.format_date(value, format=format, locale=babel_locale())


def format_datetime(value: dt.datetime | None, *, format: str = "medium") -> str:
    """A moment in the reader's language, in UTC as stored; "" for None."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return babel_dates.format_datetime(value, format=format, tzinfo=dt.UTC, locale=babel_locale())


def language_name(code: str | None, *, in_locale: str | None = None) -> str:
    """A language's name in the reader's language ("Russian", "russe", "俄语"), for labelling quoted texts."""
    if not code:
        return ""
    try:
        name = Locale.parse(code).get_display_name(babel_locale(in_locale))
    except (ValueError, UnknownLocaleError):
        return code
    return name or code
