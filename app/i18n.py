"""Every user-facing string goes through gettext. English only for now; catalogues go in app/locale/."""

from __future__ import annotations

import gettext as _gettext
from functools import lru_cache
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LOCALE = "en"
DOMAIN = "messages"


@lru_cache
def get_translations(locale: str = DEFAULT_LOCALE) -> _gettext.NullTranslations:
    return _gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[locale], fallback=True)


def gettext(message: str) -> str:
    return get_translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return get_translations().ngettext(singular, plural, n)


_ = gettext
