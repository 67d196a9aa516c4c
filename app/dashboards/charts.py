"""Charts drawn on the server as SVG (no script, no CDN), fit to be pasted into a report.

- Each chart carries, inside the image, its title, a subtitle (the cycle and the coverage) and a source line, and is
  also labelled for screen readers by its title and a one-line summary; the page puts its data table beside it.
- Bars are sorted (largest first) where the builder asks, carry their value as text, and provisional values are
  hatched and labelled, so colour never carries meaning alone. When every value is the same the chart says so in
  words instead of drawing equal bars.
- Nothing is clipped: labels wrap onto as many lines as they need and the canvas grows to fit the longest value text
  (widths are estimated from the number of characters, generously; CJK characters count double).
- ``Chart`` keeps the drawing and its data: ``chart.csv()`` and ``chart.standalone_svg()`` are the downloads
  (``/dashboards/charts/{name}.svg|.csv``); ``charts.js`` draws the same SVG on a canvas for the PNG.
- Colours: dark blue on white (contrast above 7:1), text in near-black.
"""

from __future__ import annotations

import csv
import io
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import count

from markupsafe import Markup, escape

from app.i18n import _, babel_locale, format_number

BAR = "#1a4480"
INK = "#1b1b1b"
MUTED = "#454545"
TARGET = "#a3000b"
FONT = "Noto Sans, Arial, Helvetica, sans-serif"
WIDTH = 760
_ids = count(1)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: no data (drawn as "no data", never as zero)
    note: str = ""  # e.g. "provisional": hatched and written after the value
    hatched: bool = False


@dataclass
class Chart:
    """A drawn chart and its data. In a template ``{{ chart }}`` is its SVG; ``name`` is its download's name."""

    name: str
    title: str
    svg: Markup
    header: list[str]
    rows: Sequence[Sequence[object]]
    summary: str = ""
    query: dict[str, str] = field(default_factory=dict)  # the page's filters, for the download links

    def __html__(self) -> str:
        return str(self.svg)

    def __str__(self) -> str:
        return str(self.svg)

    def csv(self) -> str:
        """The chart's data as CSV (UTF-8 with a BOM, so spreadsheet programs read it as UTF-8)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.header)
        for row in self.rows:
            writer.writerow(["" if v is None else _csv_cell(v) for v in row])
        return "\ufeff" + out.getvalue()

    def standalone_svg(self) -> str:
        """The SVG as a file of its own."""
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + str(self.svg)


def _csv_cell(value: object) -> str:
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def number(value: float | None, missing: str = "—") -> str:
    """A figure for display: integers without decimals, others with at most two; thousands separated."""
    if value is None:
        return missing
    if float(value).is_integer():
        return format_number(int(value))
    return format_number(value, digits=2)


def short_number(value: float | None, missing: str = "—") -> str:
    """A figure in at most about six characters (a map's tile): 1.2M, 35K in the reader's language."""
    if value is None:
        return missing
    text = number(value)
    if len(text) <= 6:
        return text
    from babel.numbers import format_compact_decimal

    return str(format_compact_decimal(value, locale=babel_locale(), fraction_digits=1))


# ---- measuring and wrapping text ----------------------------------------------------------------------------------


def text_width(text: str, size: float) -> float:
    """An estimate of a text's width (a generous average glyph; wide characters count double)."""
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in ("W", "F"))
    return (len(text) - wide) * size * 0.6 + wide * size * 1.05


def wrap(text: str, width: float, size: float) -> list[str]:
    """Lines of ``text`` no wider than ``width`` (words kept whole unless one alone is wider)."""
    lines: list[str] = []
    current = ""
    for word in _words(text):
        candidate = word if not current else (current + word if _is_wide(word) else f"{current} {word}")
        if text_width(candidate, size) <= width or not current:
            current = candidate
            while text_width(current, size) > width and len(current) > 1:  # a word wider than the line
                cut = max(1, int(len(current) * width / text_width(current, size)))
                lines.append(current[:cut])
                current = current[cut:]
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines or [""]


def _is_wide(word: str) -> bool:
    return bool(word) and unicodedata.east_asian_width(word[0]) in ("W", "F")


def _words(text: str) -> list[str]:
    """Words, and each wide (CJK) character as a word of its own (they break anywhere)."""
    words: list[str] = []
    for part in text.split():
        buffer = ""
        for ch in part:
            if unicodedata.east_asian_width(ch) in ("W", "F"):
                if buffer:
                    words.append(buffer)
                    buffer = ""
                words.append(ch)
            else:
                buffer += ch
        if buffer:
            words.append(buffer)
    return words


def _text(x: float, y: float, text: str, *, size: float = 13, fill: str = INK, **attrs: str) -> str:
    extra = "".join(f' {k.rstrip("_").replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" fill="{fill}"{extra}>{escape(text)}</text>'


class _Frame:
    """The parts every chart shares: the header (title, subtitle) and the footer (the source line)."""

    def __init__(self, *, title: str, summary: str, subtitle: str, source: str, width: float) -> None:
        self.uid = next(_ids)
        self.width = width
        self.title_lines = wrap(title, width - 20, 16)
        self.subtitle_lines = wrap(subtitle, width - 20, 12) if subtitle else []
        self.source_lines = wrap(source, width - 20, 11) if source else []
        self.title, self.summary = title, summary

    @property
    def top(self) -> float:
        """Where the body starts."""
        return 10 + 21 * len(self.title_lines) + 17 * len(self.subtitle_lines) + 10

    def footer_height(self) -> float:
        return 14 * len(self.source_lines) + 14 if self.source_lines else 6

    def render(self, body: list[str], body_bottom: float, defs: str = "") -> Markup:
        height = body_bottom + self.footer_height()
        uid, w = self.uid, self.width
        parts = [
            f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:.0f} {height:.0f}" '
            f'width="{w:.0f}" height="{height:.0f}" role="img" aria-labelledby="chart{uid}-t chart{uid}-d" '
            f'preserveAspectRatio="xMinYMin meet" font-family="{FONT}">',
            f'<title id="chart{uid}-t">{escape(self.title)}</title>'
            f'<desc id="chart{uid}-d">{escape(self.summary)}</desc>',
            defs,
            f'<rect width="{w:.0f}" height="{height:.0f}" fill="#fff"/>',
        ]
        y = 10.0
        for line in self.title_lines:
            y += 21
            parts.append(_text(10, y - 4, line, size=16, font_weight="bold", class_="chart__title"))
        for line in self.subtitle_lines:
            y += 17
            parts.append(_text(10, y - 3, line, size=12, fill=MUTED, class_="chart__subtitle"))
        parts.extend(body)
        y = body_bottom + 6
        for line in self.source_lines:
            y += 14
            parts.append(_text(10, y, line, size=11, fill=MUTED, class_="chart__source"))
        parts.append("</svg>")
        return Markup("".join(parts))  # noqa: S704 - every text above is escaped


# ---- bars -----------------------------------------------------------------------------------------------------------


def sorted_bars(bars: list[Bar]) -> list[Bar]:
    """Largest first; equal values keep their order; no data last."""
    return sorted(bars, key=lambda b: (b.value is None, -(b.value or 0)))


def all_equal(bars: list[Bar]) -> bool:
    values = [b.value for b in bars if b.value is not None]
    return len(bars) > 1 and len(values) == len(bars) and len(set(values)) == 1


def bar_chart(
    bars: list[Bar],
    *,
    title: str,
    summary: str,
    missing: str | None = None,
    subtitle: str = "",
    source: str = "",
    sort: bool = False,
) -> Markup:
    """A horizontal bar chart; the SVG is an image labelled by its title and summary, which it also shows."""
    missing = _("no data") if missing is None else missing
    bars = sorted_bars(bars) if sort else list(bars)
    label_w, label_size = 290.0, 13.0
    value_texts = [
        number(b.value) + (f" ({b.note})" if b.note else "") if b.value is not None else missing for b in bars
    ]
    value_w = max((text_width(t, label_size) for t in value_texts), default=40) + 16
    width = max(float(WIDTH), label_w + 200 + value_w)
    bar_w = width - label_w - value_w - 10
    frame = _Frame(title=title, summary=summary, subtitle=subtitle, source=source, width=width)
    uid = frame.uid
    defs = (
        f'<defs><pattern id="hatch{uid}" patternUnits="userSpaceOnUse" width="6" height="6" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{BAR}" stroke-width="3"/></pattern></defs>'
    )
    body: list[str] = []
    y = frame.top
    equal = all_equal(bars)
    if equal:
        message = _("Every item has the same value, %(value)s: no bars are drawn.") % {"value": value_texts[0]}
        for line in wrap(message, width - 20, 13):
            y += 18
            body.append(_text(10, y - 4, line, size=13, font_weight="bold", class_="chart__equal"))
        y += 6
    elif not bars:
        y += 18
        body.append(_text(10, y - 4, _("Nothing to draw for these filters."), size=13))
    top = max((b.value for b in bars if b.value is not None and b.value > 0), default=0.0)
    for b, value_text in zip(bars, value_texts, strict=True):
        lines = wrap(b.label, label_w - 12, label_size)
        row = max(26.0, 16 * len(lines) + 10)
        first = y + row / 2 - 8 * (len(lines) - 1) + 4.5
        for i, line in enumerate(lines):
            body.append(_text(label_w - 6, first + 16 * i, line, size=label_size, text_anchor="end"))
        middle = y + row / 2 + 4.5
        if b.value is None or equal:
            body.append(_text(label_w + 4, middle, value_text, size=label_size))
        else:
            w = 0.0 if top == 0 else max(bar_w * max(b.value, 0) / top, 1.0)
            fill = f"url(#hatch{uid})" if b.hatched else BAR
            body.append(
                f'<rect x="{label_w}" y="{y + row / 2 - 9:.1f}" width="{w:.1f}" height="18" fill="{fill}" '
                f'stroke="{BAR}"/>'
            )
            body.append(_text(label_w + w + 6, middle, value_text, size=label_size))
        y += row
    return frame.render(body, y + 4, defs)


def bar_figure(
    name: str,
    bars: list[Bar],
    *,
    title: str,
    summary: str,
    subtitle: str = "",
    source: str = "",
    label_header: str = "",
    value_header: str = "",
    sort: bool = True,
    missing: str | None = None,
) -> Chart:
    """A bar chart with its data, for a page (``{{ chart }}``) and its downloads."""
    shown = sorted_bars(bars) if sort else list(bars)
    svg = bar_chart(shown, title=title, summary=summary, missing=missing, subtitle=subtitle, source=source)
    header = [label_header or _("Item"), value_header or _("Value"), _("Note")]
    return Chart(name, title, svg, header, [[b.label, b.value, b.note] for b in shown], summary)


# ---- a trend over periods -------------------------------------------------------------------------------------------

SERIES_STYLES = [  # colour, dash pattern, marker: told apart without colour too
    ("#1a4480", "", "circle"),
    ("#b35900", "6 3", "square"),
    ("#2e7d32", "2 3", "triangle"),
    ("#6a1b9a", "8 3 2 3", "diamond"),
    ("#00695c", "4 4", "circle"),
    ("#5d4037", "1 2", "square"),
]


@dataclass
class Series:
    name: str
    points: dict[str, float | None]  # period -> value
    low: set[str] = field(default_factory=set)  # periods whose figure rests on too few countries: hollow markers


def _nice_step(span: float) -> float:
    raw = span / 5 if span > 0 else 1
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * power:
            return m * power
    return 10 * power


def _marker(shape: str, x: float, y: float, colour: str, hollow: bool) -> str:
    fill = "#fff" if hollow else colour
    stroke = f'fill="{fill}" stroke="{colour}" stroke-width="2"'
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" {stroke}/>'
    if shape == "triangle":
        return f'<path d="M{x:.1f} {y - 5:.1f}L{x + 5:.1f} {y + 4:.1f}L{x - 5:.1f} {y + 4:.1f}Z" {stroke}/>'
    if shape == "diamond":
        return f'<path d="M{x:.1f} {y - 5:.1f}L{x + 5:.1f} {y:.1f}L{x:.1f} {y + 5:.1f}L{x - 5:.1f} {y:.1f}Z" {stroke}/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" {stroke}/>'


def trend_chart(
    name: str,
    periods: list[str],
    series: list[Series],
    *,
    title: str,
    summary: str,
    subtitle: str = "",
    source: str = "",
    target: float | None = None,
    target_label: str = "",
    target_note: str = "",
    low_label: str = "",
) -> Chart:
    """Lines over periods (oldest first): the first series is drawn heaviest; a target as a dashed line."""
    frame = _Frame(title=title, summary=summary, subtitle=subtitle, source=source, width=WIDTH)
    values = [v for s in series for v in s.points.values() if v is not None]
    if target is not None:
        values.append(target)
    low_v, high_v = min([0.0, *values]), max([0.0, *values])
    step = _nice_step(high_v - low_v)
    y_min = math.floor(low_v / step) * step
    y_max = math.ceil(high_v / step) * step if high_v > y_min else y_min + step
    if y_max - high_v < step * 0.15:
        y_max += step
    ticks = [y_min + i * step for i in range(round((y_max - y_min) / step) + 1)]
    edge = text_width(periods[0], 12) / 2 + 10 if periods else 0  # the first and last period labels stay inside
    left = max(max(text_width(number(t), 12) for t in ticks) + 18, edge)
    right = max(30.0, text_width(periods[-1], 12) / 2 + 10) if periods else 30.0
    plot_h = 240.0
    top = frame.top + 10
    bottom = top + plot_h
    plot_w = WIDTH - left - right

    def x_of(i: int) -> float:
        return left + (plot_w / 2 if len(periods) == 1 else plot_w * i / (len(periods) - 1))

    def y_of(v: float) -> float:
        return bottom - plot_h * (v - y_min) / (y_max - y_min)

    body: list[str] = []
    for t in ticks:
        y = y_of(t)
        body.append(f'<line x1="{left:.1f}" x2="{left + plot_w:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d0d0d0"/>')
        body.append(_text(left - 8, y + 4, number(t), size=12, text_anchor="end"))
    every = max(1, math.ceil(max((text_width(p, 12) for p in periods), default=0) * len(periods) / (plot_w * 0.9)))
    for i, p in enumerate(periods):
        if i % every == 0 or i == len(periods) - 1:
            body.append(_text(x_of(i), bottom + 18, p, size=12, text_anchor="middle"))
    if target is not None:
        y = y_of(target)
        body.append(
            f'<line x1="{left:.1f}" x2="{left + plot_w:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="{TARGET}" '
            f'stroke-width="2" stroke-dasharray="10 4" class="chart__target"/>'
        )
        body.append(_text(left + plot_w - 4, y - 6, target_label, size=12, fill=TARGET, text_anchor="end"))
    for index, s in enumerate(series):
        colour, dash, shape = SERIES_STYLES[index % len(SERIES_STYLES)]
        width = 3 if index == 0 else 1.75
        segment: list[str] = []
        for i, p in enumerate(periods):
            v = s.points.get(p)
            if v is None:
                if len(segment) > 1:
                    body.append(_polyline(segment, colour, width, dash))
                segment = []
                continue
            segment.append(f"{x_of(i):.1f},{y_of(v):.1f}")
        if len(segment) > 1:
            body.append(_polyline(segment, colour, width, dash))
        for i, p in enumerate(periods):
            v = s.points.get(p)
            if v is not None:
                body.append(_marker(shape, x_of(i), y_of(v), colour, p in s.low))
    body.append(
        f'<line x1="{left:.1f}" x2="{left:.1f}" y1="{top:.1f}" y2="{bottom:.1f}" stroke="{INK}"/>'
        f'<line x1="{left:.1f}" x2="{left + plot_w:.1f}" y1="{bottom:.1f}" y2="{bottom:.1f}" stroke="{INK}"/>'
    )
    # the legend: a line sample, its marker and the name, flowing over as many rows as needed
    y = bottom + 44
    x = left
    entries = [(s.name, SERIES_STYLES[i % len(SERIES_STYLES)]) for i, s in enumerate(series)]
    for label, (colour, dash, shape) in entries:
        w = 40 + text_width(label, 12) + 18
        if x + w > WIDTH - 10 and x > left:
            x, y = left, y + 20
        body.append(_polyline([f"{x:.1f},{y - 4:.1f}", f"{x + 28:.1f},{y - 4:.1f}"], colour, 2, dash))
        body.append(_marker(shape, x + 14, y - 4, colour, False))
        body.append(_text(x + 36, y, label, size=12))
        x += w
    if target is not None:
        w = 40 + text_width(target_label, 12) + 18
        if x + w > WIDTH - 10 and x > left:
            x, y = left, y + 20
        body.append(
            f'<line x1="{x:.1f}" x2="{x + 28:.1f}" y1="{y - 4:.1f}" y2="{y - 4:.1f}" stroke="{TARGET}" '
            f'stroke-width="2" stroke-dasharray="10 4"/>'
        )
        body.append(_text(x + 36, y, target_label, size=12))
    if target is not None and target_note:
        for line in wrap(target_note, WIDTH - left - 10, 12):
            y += 18
            body.append(_text(left, y, line, size=12, fill=MUTED))
    if low_label and any(s.low for s in series):
        for line in wrap(low_label, WIDTH - left - 10, 12):
            y += 18
            body.append(_text(left, y, line, size=12, fill=MUTED))
    svg = frame.render(body, y + 8)
    header = [_("Period"), *[s.name for s in series]] + ([target_label] if target is not None else [])
    rows = [[p, *[s.points.get(p) for s in series]] + ([target] if target is not None else []) for p in periods]
    return Chart(name, title, svg, header, rows, summary)


def _polyline(points: list[str], colour: str, width: float, dash: str) -> str:
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="{width:g}"'
        f'{dashed} stroke-linejoin="round"/>'
    )


# ---- a tile-grid map of the region ----------------------------------------------------------------------------------

# Every member inside the region as one equal tile, placed roughly as on a map (column, row): the small Pacific
# States are as visible as the large ones. A member without a place here is put in a last row, never left out.
TILES: dict[str, tuple[int, int]] = {
    "RUS": (7, 0),
    "GEO": (1, 1), "KAZ": (5, 1), "MNG": (8, 1), "PRK": (10, 1), "JPN": (12, 1),
    "TUR": (0, 2), "ARM": (1, 2), "AZE": (2, 2), "TKM": (4, 2), "UZB": (5, 2), "KGZ": (6, 2), "CHN": (8, 2),
    "KOR": (10, 2),
    "IRN": (3, 3), "AFG": (4, 3), "TJK": (5, 3), "NPL": (6, 3), "BTN": (7, 3), "HKG": (9, 3), "MAC": (10, 3),
    "PAK": (4, 4), "IND": (5, 4), "BGD": (6, 4), "MMR": (7, 4), "LAO": (8, 4), "VNM": (9, 4), "PHL": (11, 4),
    "MNP": (13, 4),
    "MDV": (4, 5), "LKA": (5, 5), "THA": (7, 5), "KHM": (8, 5), "BRN": (10, 5), "GUM": (13, 5),
    "MYS": (7, 6), "SGP": (8, 6), "IDN": (9, 6), "TLS": (10, 6), "PLW": (11, 6), "FSM": (12, 6), "MHL": (13, 6),
    "PNG": (10, 7), "SLB": (11, 7), "NRU": (12, 7), "KIR": (13, 7),
    "AUS": (8, 8), "VUT": (11, 8), "TUV": (12, 8), "WSM": (13, 8), "ASM": (14, 8),
    "NCL": (10, 9), "FJI": (11, 9), "TON": (12, 9), "NIU": (13, 9), "COK": (14, 9), "PYF": (15, 9),
    "NZL": (11, 10),
}  # fmt: skip
TILE, GAP = 52.0, 4.0


@dataclass(frozen=True)
class Tile:
    iso3: str
    name: str
    fill: str
    text: str  # the second line: a value or a status mark
    tooltip: str  # the country's name and what the tile says, in words
    ink: str = INK
    dashed: bool = False  # no data: a dashed outline


def tile_map(
    name: str,
    tiles: list[Tile],
    legend: list[tuple[str, str, str]],
    *,
    title: str,
    summary: str,
    subtitle: str = "",
    source: str = "",
    header: list[str],
    rows: Sequence[Sequence[object]],
) -> Chart:
    """Equal tiles, one per member, with the ISO code and a short text; ``legend`` is (fill, mark, label)."""
    placed = {t.iso3: TILES[t.iso3] for t in tiles if t.iso3 in TILES}
    last_row = max((r for _c, r in placed.values()), default=-1) + 1
    extra = [t for t in tiles if t.iso3 not in TILES]
    for i, t in enumerate(extra):
        placed[t.iso3] = (i % 16, last_row + i // 16)
    cols = max((c for c, _r in placed.values()), default=0) + 1
    width = max(float(WIDTH), 20 + cols * (TILE + GAP))
    frame = _Frame(title=title, summary=summary, subtitle=subtitle, source=source, width=width)
    top = frame.top + 4
    body: list[str] = []
    for t in tiles:
        col, row = placed[t.iso3]
        x, y = 10 + col * (TILE + GAP), top + row * (TILE + GAP)
        dash = ' stroke-dasharray="3 2"' if t.dashed else ""
        body.append(
            f'<g class="tile" data-iso3="{escape(t.iso3)}"><title>{escape(t.tooltip)}</title>'
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{TILE:g}" height="{TILE:g}" rx="3" fill="{t.fill}" '
            f'stroke="{INK}" stroke-width="1"{dash}/>'
            + _text(x + TILE / 2, y + 21, t.iso3, size=13, fill=t.ink, font_weight="bold", text_anchor="middle")
            + _text(x + TILE / 2, y + 40, t.text, size=11, fill=t.ink, text_anchor="middle")
            + "</g>"
        )
    rows_used = max((r for _c, r in placed.values()), default=0) + 1
    y = top + rows_used * (TILE + GAP) + 18
    x = 10.0
    for fill, mark, label in legend:
        w = 30 + text_width(f"{mark} {label}", 12) + 20
        if x + w > width - 10 and x > 10:
            x, y = 10.0, y + 24
        body.append(f'<rect x="{x:.1f}" y="{y - 14:.1f}" width="22" height="18" fill="{fill}" stroke="{INK}"/>')
        ink = "#fff" if fill in DARK_FILLS else INK
        body.append(_text(x + 11, y, mark, size=12, fill=ink, text_anchor="middle"))
        body.append(_text(x + 30, y, label, size=12))
        x += w
    svg = frame.render(body, y + 10)
    return Chart(name, title, svg, header, rows, summary)


# Shades for values (light to dark) and which fills take white text.
SHADES = ["#deebf7", "#9ecae1", "#6baed6", "#2b6cb0", "#1a4480"]
DARK_FILLS = {"#2b6cb0", "#1a4480"}
