"""The committed catalogues translate every message of the code, in each of the four languages, with nothing fuzzy
or broken (placeholders kept, Russian's three plural forms, Chinese's one), and they compile."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from app import catalogues
from app.i18n import LOCALES, ngettext, use_locale

BRACES = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    pot = catalogues.extract(tmp_path_factory.mktemp("pot") / "messages.pot")
    with pot.open(encoding="utf-8") as f:
        return read_po(f)


def _catalog(locale: str) -> Catalog:
    with catalogues.po_file(locale).open(encoding="utf-8") as f:
        return read_po(f, locale=locale)


@pytest.mark.parametrize("locale", catalogues.TRANSLATED)
def test_every_message_is_translated(template: Catalog, locale: str) -> None:
    catalog = _catalog(locale)
    missing, fuzzy = [], []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id, message.context)
        strings = found.string if found is not None else None
        forms = list(strings) if isinstance(strings, (list, tuple)) else [strings]
        if found is None or not all(forms):
            missing.append(message.id)
        elif found.fuzzy:
            fuzzy.append(message.id)
    assert not missing, f"{len(missing)} messages untranslated in {locale} (run gcm i18n update): {missing[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy messages in {locale}: {fuzzy[:10]}"


@pytest.mark.parametrize("locale", catalogues.TRANSLATED)
def test_translations_keep_placeholders_and_plural_forms(locale: str) -> None:
    catalog = _catalog(locale)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        problems += [f"{message.id!r}: {error}" for error in message.check(catalog)]  # %(name)s, plural count
        ids = message.id if isinstance(message.id, (list, tuple)) else [message.id]
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        expected = set(BRACES.findall(ids[0]))
        for string in strings:
            if string and set(BRACES.findall(string)) != expected:
                problems.append(f"{message.id!r}: {{placeholders}} differ in {string!r}")
    assert not problems, "\n".join(problems[:20])


def test_plural_forms_per_language() -> None:
    assert _catalog("ru").num_plurals == 3
    assert _catalog("fr").num_plurals >= 2  # CLDR's French also has a form for millions ("1 000 000 de ...")
    assert _catalog("zh").num_plurals == 1


def test_the_catalogues_compile(tmp_path: Path) -> None:
    compiled = catalogues.compile_all()
    assert {p.parent.parent.name for p in compiled} == set(LOCALES) - {"en"}
    assert all(p.stat().st_size > 1000 for p in compiled)


def test_russian_counts_take_three_forms() -> None:
    catalog = _catalog("ru")
    plural = next((m for m in catalog if isinstance(m.id, (list, tuple)) and m.string and all(m.string)), None)
    assert plural is not None, "the Russian catalogue has no translated plural message"
    singular, many = plural.id
    catalogues.compile_all()
    with use_locale("ru"):
        forms = {ngettext(singular, many, n) for n in (1, 2, 5)}
    assert len(forms) == len(set(plural.string)) and len(forms) >= 2
