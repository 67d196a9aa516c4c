"""The translation catalogues: extract the messages, update each language's ``.po``, compile the ``.mo`` files.

Babel does the work (``pybabel`` with the project's ``babel.cfg``); these are the project's three steps with its
paths, for ``gcm i18n ...`` and the tests. Translators edit ``app/locale/<lang>/LC_MESSAGES/messages.po`` with any
PO editor (Poedit, Lokalize, Weblate); see CONTRIBUTING.md.
"""

from __future__ import annotations

from contextlib import chdir
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

from app.i18n import DEFAULT_LOCALE, DOMAIN, LOCALE_DIR, LOCALES

PROJECT_DIR = LOCALE_DIR.parent.parent
POT_FILE = LOCALE_DIR / f"{DOMAIN}.pot"
KEYWORDS = ["_", "gettext", "ngettext:1,2", "pgettext:1c,2", "npgettext:1c,2,3", "lazy_gettext", "lazy_pgettext:1c,2"]
TRANSLATED = tuple(code for code in LOCALES if code != DEFAULT_LOCALE)


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def po_file(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract(output: Path = POT_FILE) -> Path:
    """Every message of app/ (Python and templates) into the template catalogue."""
    keywords = [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
    with chdir(PROJECT_DIR):  # locations in the catalogue relative to the project (app/...), never this machine's
        _pybabel(
            "extract", "-F", "babel.cfg", "--no-default-keywords", *keywords, "--sort-by-file", "--no-wrap",
            "--project", "gcm-review", "--omit-header", "-o", str(output), ".",
        )  # fmt: skip
    return output


def update(locales: tuple[str, ...] = TRANSLATED) -> list[Path]:
    """Extract, then merge the new and changed messages into each language's catalogue (new ones empty)."""
    pot = extract(POT_FILE.with_name(f"{DOMAIN}-{'-'.join(locales)}.pot"))
    updated = []
    for locale in locales:
        po = po_file(locale)
        command = "update" if po.exists() else "init"
        extra = ["--no-wrap", "--ignore-obsolete"] if command == "update" else ["--no-wrap"]
        _pybabel(command, "-D", DOMAIN, "-i", str(pot), "-d", str(LOCALE_DIR), "-l", locale, *extra)
        updated.append(po)
    pot.unlink()
    return updated


def compile_all() -> list[Path]:
    """Write the ``.mo`` file of every language that has a catalogue (the setup scripts run this)."""
    compiled = []
    for locale in TRANSLATED:
        if po_file(locale).exists():
            # Without --use-fuzzy: a fuzzy guess (a changed source text) is never shown; English until checked.
            _pybabel("compile", "-D", DOMAIN, "-d", str(LOCALE_DIR), "-l", locale)
            compiled.append(po_file(locale).with_suffix(".mo"))
    return compiled
