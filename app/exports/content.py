"""The intermediate content of a report: blocks of text with numbered references, rendered to DOCX and to PDF.

A ``Cite`` in a run of text points to a ``Reference``: the State and the submission a figure or quote came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.i18n import _, get_locale, language_name


@dataclass(frozen=True)
class Reference:
    number: int
    country: str
    cycle: str
    submission_id: int
    objective: int | None
    part: str


@dataclass(frozen=True)
class Cite:
    number: int


Run = str | Cite


@dataclass
class Heading:
    text: str
    level: int = 1


@dataclass
class Paragraph:
    runs: list[Run]
    note: bool = False  # a methodological note (smaller, muted)


@dataclass
class Quote:
    """A text answer quoted as written (never translated); ``language``: the language it is written in, when known
    (``answer.language``), so the renderings mark it and name it where it is not the document's."""

    text: str
    country: str
    cite: Cite
    language: str | None = None


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[list[Run]]]  # rows of cells, each cell a run of text and citations
    numeric: set[int] = field(default_factory=set)  # indexes of columns aligned as numbers


Block = Heading | Paragraph | Quote | Table


@dataclass
class Document:
    title: str
    subtitle: str
    blocks: list[Block] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    # The language the document is written in (app.i18n.LOCALES): the one it was built in (``use_locale``).
    language: str = field(default_factory=get_locale)
    _keys: dict[tuple[int, int | None, str], int] = field(default_factory=dict)

    def cite(self, *, country: str, cycle: str, submission_id: int, objective: int | None, part: str) -> Cite:
        """The citation of a part of a submission, numbered in order of first use (reused when cited again)."""
        key = (submission_id, objective, part)
        number = self._keys.get(key)
        if number is None:
            number = len(self.references) + 1
            self._keys[key] = number
            self.references.append(Reference(number, country, cycle, submission_id, objective, part))
        return Cite(number)

    def add(self, block: Block) -> None:
        self.blocks.append(block)


def attributed(source: str, language: str | None, document_language: str) -> str:
    """Who wrote a quoted text, and in which language where that is not the document's: "Kazakhstan (in Russian)"."""
    if language and language != document_language:
        return _("%(source)s (in %(language)s)") % {"source": source, "language": language_name(language)}
    return source


def text_of(runs: list[Run]) -> str:
    return "".join(r if isinstance(r, str) else f"[{r.number}]" for r in runs)
