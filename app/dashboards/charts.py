"""Charts drawn on the server as SVG (no script, no CDN). Each is described by a title and a one-line summary, and
the page puts its data table beside it. Bars carry their value as text; provisional values are hatched and labelled,
so colour never carries meaning alone. Colours: dark blue on white (contrast above 7:1), text in near-black.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count

from markupsafe import Markup, escape

from app.i18n import _, format_number

BAR = "#1a4480"
INK = "#1b1b1b"
_ids = count(1)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: no data (drawn as "no data", never as zero)
    note: str = ""  # e.g. "provisional": hatched and written after the value
    hatched: bool = False


def number(value: float | None, missing: str = "—") -> str:
    """A figure for display: integers without decimals, others with at most two; thousands separated."""
    if value is None:
        return missing
    if float(value).is_integer():
        return format_number(int(value))
    return format_number(value, digits=2)


def bar_chart(bars: list[Bar], *, title: str, summary: str, missing: str | None = None) -> Markup:
    """A horizontal bar chart; the SVG is an image labelled by its title and summary."""
    missing = _("no data") if missing is None else missing
    uid = next(_ids)
    row, label_w, bar_w, value_w = 26, 220, 360, 160
    width, height = label_w + bar_w + value_w, row * max(len(bars), 1) + 10
    top = max((b.value for b in bars if b.value is not None and b.value > 0), default=0.0)
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="chart{uid}-t chart{uid}-d" preserveAspectRatio="xMinYMin meet">',
        f'<title id="chart{uid}-t">{escape(title)}</title><desc id="chart{uid}-d">{escape(summary)}</desc>',
        f'<defs><pattern id="hatch{uid}" patternUnits="userSpaceOnUse" width="6" height="6" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{BAR}" stroke-width="3"/></pattern></defs>',
    ]
    for i, b in enumerate(bars):
        y = 5 + i * row
        label = b.label if len(b.label) <= 32 else b.label[:31] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 17}" text-anchor="end" font-size="13" fill="{INK}">{escape(label)}</text>'
        )
        if b.value is None:
            parts.append(f'<text x="{label_w + 4}" y="{y + 17}" font-size="13" fill="{INK}">{escape(missing)}</text>')
            continue
        w = 0.0 if top == 0 else max(bar_w * max(b.value, 0) / top, 1.0)
        fill = f"url(#hatch{uid})" if b.hatched else BAR
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" fill="{fill}" stroke="{BAR}"/>'
        )
        text = number(b.value) + (f" ({b.note})" if b.note else "")
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 17}" font-size="13" fill="{INK}">{escape(text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped
