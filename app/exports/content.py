"""The intermediate content of a report: blocks of text with numbered references, rendered to DOCX and to PDF.

A ``Cite`` in a run of text points to a ``Reference``: the State, cycle, objective and question a figure or quote
came from (the submission's id only keys it; a reader never sees an internal number). A document is a publication:
a title page (its title, the cycle, the date, ESCAP), a table of contents made from its headings (levels 1 and 2),
then its blocks, among them key figures and charts (the dashboards' SVG bars; ``render`` draws the DOCX's as PNG).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.dashboards.charts import Bar
from app.i18n import _, get_locale, language_name

PUBLISHER = "ESCAP"  # the United Nations Economic and Social Commission for Asia and the Pacific


def publisher_name() -> str:
    return _("United Nations Economic and Social Commission for Asia and the Pacific (ESCAP)")


def product_name() -> str:
    """Who made the document (its author in the DOCX and PDF properties): the product, not the library."""
    return _("GCM regional review") + " · " + PUBLISHER


@dataclass(frozen=True)
class Reference:
    number: int
    country: str
    cycle: str
    submission_id: int  # what the reference is keyed by; never printed
    objective: int | None
    part: str  # the question (or what else is cited: an indicator and period, the whole review)
    objective_title: str = ""  # the objective's short title, in the document's language
    section: str = ""  # the general section's title, for a question of a section


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


@dataclass
class Chart:
    """A bar chart of the dashboards' kind (``app.dashboards.charts.bar_chart``), numbered as a figure: its title,
    a subtitle (the cycle, the coverage), the bars in the order shown and a source line."""

    title: str
    subtitle: str
    bars: list[Bar]
    source: str
    summary: str = ""  # one sentence for readers who cannot see it (the SVG's description, the picture's alt text)


@dataclass
class KeyFigures:
    """The executive summary's figures: (figure, what it counts) pairs."""

    items: list[tuple[str, str]]


Block = Heading | Paragraph | Quote | Table | Chart | KeyFigures


@dataclass
class Document:
    title: str
    subtitle: str
    blocks: list[Block] = field(default_factory=list)
    cycle: str = ""  # the cycle it covers (the title page)
    date: str = ""  # the day it was made, in the document's language (the title page)
    references: list[Reference] = field(default_factory=list)
    # The language the document is written in (app.i18n.LOCALES): the one it was built in (``use_locale``).
    language: str = field(default_factory=get_locale)
    _keys: dict[tuple[int, int | None, str], int] = field(default_factory=dict)

    def cite(
        self,
        *,
        country: str,
        cycle: str,
        submission_id: int,
        objective: int | None,
        part: str,
        objective_title: str = "",
        section: str = "",
    ) -> Cite:
        """The citation of a part of a submission, numbered in order of first use (reused when cited again)."""
        key = (submission_id, objective, section + "\x00" + part)
        number = self._keys.get(key)
        if number is None:
            number = len(self.references) + 1
            self._keys[key] = number
            self.references.append(
                Reference(number, country, cycle, submission_id, objective, part, objective_title, section)
            )
        return Cite(number)

    def contents(self) -> list[tuple[int, Heading]]:
        """The table of contents: the headings of levels 1 and 2, with their position among the blocks."""
        return [(i, b) for i, b in enumerate(self.blocks) if isinstance(b, Heading) and b.level <= 2]

    def figures(self) -> dict[int, int]:
        """Each chart's figure number, by its position among the blocks."""
        charts = [i for i, b in enumerate(self.blocks) if isinstance(b, Chart)]
        return {position: number for number, position in enumerate(charts, start=1)}

    def add(self, block: Block) -> None:
        self.blocks.append(block)


def attributed(source: str, language: str | None, document_language: str) -> str:
    """Who wrote a quoted text, and in which language where that is not the document's: "Kazakhstan (in Russian)"."""
    if language and language != document_language:
        return _("%(source)s (in %(language)s)") % {"source": source, "language": language_name(language)}
    return source


def reference_text(ref: Reference) -> str:
    """A reference as a reader reads it: "Philippines, 2026 review, objective 6 (Recruitment and decent work),
    Good practices"; never an internal number."""
    parts = [ref.country, ref.cycle]
    if ref.objective is not None:
        title = f" ({ref.objective_title})" if ref.objective_title else ""
        parts.append(_("objective %(n)s") % {"n": ref.objective} + title)
    elif ref.section:
        parts.append(ref.section)
    parts.append(ref.part)
    return ", ".join(p for p in parts if p)


def text_of(runs: list[Run]) -> str:
    return "".join(r if isinstance(r, str) else f"[{r.number}]" for r in runs)
