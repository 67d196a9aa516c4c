"""The language a text answer is written in: detected when it is saved, or set by its writer.

A State or an organisation may answer in any of the product's languages (``app.i18n.LOCALES``: en, zh, fr, ru).
Each text answer keeps its language (``answer.language``, ``contribution_answer.language``: a code, or None when
empty or undetermined) and whether its writer chose it (``language_set``); a writer's choice is kept until they go
back to "detected", and a saved text is detected again only while the writer has chosen nothing.

Detection is deliberately light and deterministic, and needs no download: among these four languages the script
settles two (Han characters: zh; Cyrillic: ru), and for Latin text English and French are told apart by counting
their most frequent function words (and French's accented letters). A statistical library (langdetect, lingua,
fastText) would bring megabytes of profiles or a model for 50+ languages and answers that vary with the sample,
to decide between two languages that a dozen stop words separate reliably on anything longer than a phrase. Too
little evidence (a number, a name, "OK") is undetermined (None): the page's language then applies.

``fold`` is the accent folding search and highlighting share (é -> e, ç -> c), one character for one, so that a
match found in the folded text is at the same place in the original; PostgreSQL's stored vectors apply the same
mapping with ``translate()`` (``ACCENTED``/``PLAIN``; see migration ae4b5a6c7d83, which holds a frozen copy).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from app.i18n import LOCALES

CONTENT_LANGUAGES: tuple[str, ...] = LOCALES
FORM_SUFFIX = ".language"  # the form field beside a text question: "<key>.language", "" for detected

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_FRENCH_LETTERS = re.compile(r"[éèêëàâùûüçôîïœÉÈÊÀÇ]")
# The most frequent words of each language that the other does not use as a word (so not "a", "on", "plus").
# fmt: off
_ENGLISH = frozenset({
    "the", "and", "of", "to", "in", "is", "are", "was", "were", "be", "been", "for", "with", "that", "this", "these",
    "those", "by", "from", "at", "it", "its", "as", "an", "have", "has", "had", "which", "who", "not", "or", "their",
    "they", "we", "our", "will", "would", "can", "also", "such", "other", "more", "than", "into", "all", "any",
})
_FRENCH = frozenset({
    "le", "la", "les", "des", "du", "de", "et", "est", "sont", "un", "une", "pour", "dans", "sur", "par", "avec",
    "que", "qui", "au", "aux", "ne", "pas", "cette", "ces", "nous", "leur", "leurs", "été", "ont", "être", "aussi",
    "ainsi", "entre", "selon", "dont", "où", "très", "tous", "toutes", "notre", "nos", "se", "ses", "sa", "son", "ou",
    "lors", "afin", "d", "l", "qu",
})
# fmt: on


def has_han(text: str) -> bool:
    return _HAN.search(text) is not None


def is_cyrillic(text: str) -> bool:
    return _CYRILLIC.search(text) is not None


def detect(text: str | None) -> str | None:
    """The language of a text among en, fr, ru and zh, or None when there is too little to tell."""
    if not text:
        return None
    han = len(_HAN.findall(text))
    cyrillic = len(_CYRILLIC.findall(text))
    latin = len(_LATIN.findall(text))
    # A Han character is about a word, a Latin or Cyrillic word about six letters.
    scores = {"zh": han * 3, "ru": cyrillic, "latin": latin}
    best = max(scores, key=lambda k: scores[k])
    if scores[best] == 0:
        return None
    if best != "latin":
        return best
    words = [w.lower() for w in _WORD.findall(text.replace("’", "'"))]
    english = sum(w in _ENGLISH for w in words)
    french = sum(w in _FRENCH for w in words) + len(_FRENCH_LETTERS.findall(text)) / 2
    if english == french == 0:
        return None
    return "fr" if french > english else "en"


def chosen(form: Mapping[str, list[str]], key: str) -> str | bool | None:
    """What a form says of a question's language: a code the writer chose, None for "detected", False when the
    form has no such field (a client that does not send it: the answer's choice is left as it is)."""
    raw = form.get(key + FORM_SUFFIX)
    if raw is None:
        return False
    code = (raw[0] if raw else "").strip()
    return code if code in CONTENT_LANGUAGES else None


class Languaged(Protocol):
    """What ``apply`` needs of an answer row (Answer, ContributionAnswer)."""

    text: str
    language: str | None
    language_set: bool


def apply(row: Languaged, choice: str | bool | None, *, text_changed: bool) -> bool:
    """Set a row's language from the writer's choice (see ``chosen``) or by detection; whether it changed."""
    before = (row.language, row.language_set)
    if isinstance(choice, str):
        row.language, row.language_set = choice, True
    elif choice is None or (not row.language_set and text_changed):
        row.language, row.language_set = detect(row.text), False
    if not row.text and not row.language_set:
        row.language = None
    return (row.language, row.language_set) != before


def would_change(row: Languaged | None, choice: str | bool | None) -> bool:
    """Whether a choice posted for a row's language (see ``chosen``) differs from what the row has."""
    if row is None or not row.text or choice is False:
        return False
    if isinstance(choice, str):
        return row.language != choice or not row.language_set
    return bool(row.language_set)


def _plain(char: str) -> str:
    base = unicodedata.normalize("NFD", char)[0]
    return base if base.isascii() and base.isalpha() else char


# The Latin letters with a diacritic (Latin-1 Supplement, Extended-A and -B) and their base letters.
_ACCENTED_LETTERS = [chr(c) for c in range(0xC0, 0x250) if chr(c).isalpha() and _plain(chr(c)) != chr(c)]
ACCENTED = "".join(_ACCENTED_LETTERS)
PLAIN = "".join(_plain(c) for c in _ACCENTED_LETTERS)
_FOLD = str.maketrans(ACCENTED, PLAIN)


def fold(text: str) -> str:
    """The text with the accents of Latin letters removed, one character for one (so positions stay)."""
    return text.translate(_FOLD)


def states(rows: Iterable[Any], form: Mapping[str, list[str]] | None = None) -> dict[str, dict[str, Any]]:
    """Each answer's language as the form's select shows it (``code``, and ``set`` when the writer chose it), by
    question key; with a posted form, the choices it carries (shown back when nothing was saved)."""
    shown = {row.key: {"code": row.language, "set": bool(row.language_set)} for row in rows}
    for name in form or {}:
        if name.endswith(FORM_SUFFIX):
            key = name.removesuffix(FORM_SUFFIX)
            choice = chosen(form or {}, key)
            if isinstance(choice, str):
                shown[key] = {"code": choice, "set": True}
            elif key in shown:
                shown[key] = {**shown[key], "set": False}
    return shown
