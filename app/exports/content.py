"""The intermediate content of a report: blocks of text with numbered references, rendered to DOCX and to PDF.

A ``Cite`` in a run of text points to a ``Reference``: the State and the submission a figure or quote came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
    text: str
    country: str
    cite: Cite


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


def text_of(runs: list[Run]) -> str:
    return "".join(r if isinstance(r, str) else f"[{r.number}]" for r in runs)
