"""The DOCX's charts as PNG pictures, drawn with Pillow from the same bars as the dashboards' SVG.

Word needs a raster picture (python-docx embeds PNG, JPEG, GIF...; an SVG would need a PNG fallback anyway).
Rasterising the SVG would take a renderer of its own (cairosvg and Cairo, or a browser); Pillow is already installed
with WeasyPrint, so the few shapes of a bar chart (title, subtitle, labels, bars, values, source) are drawn here,
at print resolution, with the report fonts (``gcm assets``: Noto Sans per script, Noto Sans SC for Chinese), each
text in the first font that has all its characters. The picture carries its title, subtitle and source like the
dashboards' SVG, so it still says what it shows when copied out of the document; the data are in the table beside it.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # fontTools ships no type information
from PIL import Image, ImageDraw, ImageFont

from app.dashboards.charts import Bar, number
from app.i18n import _
from app.web.assets import FONTS_DIR

BAR = (0x1A, 0x44, 0x80)
INK = (0x1B, 0x1B, 0x1B)
MUTED = (0x45, 0x45, 0x45)
WIDTH = 2000  # pixels: 16 cm at about 320 dpi
SCALE = 2.6  # pixels per point of the SVG's design
REGULAR = [
    "noto-sans-latin-400-normal.ttf",
    "noto-sans-latin-ext-400-normal.ttf",
    "noto-sans-cyrillic-400-normal.ttf",
    "noto-sans-cyrillic-ext-400-normal.ttf",
    "noto-sans-greek-400-normal.ttf",
    "NotoSansSC-Regular.otf",
]
BOLD = {"noto-sans-latin-400-normal.ttf": "noto-sans-latin-700-normal.ttf"}

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@cache
def _coverage(name: str) -> frozenset[int]:
    path = FONTS_DIR / name
    if not path.is_file():
        return frozenset()
    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


@cache
def _font(name: str, size: int) -> Font:
    path: Path = FONTS_DIR / name
    if path.is_file():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)  # the fonts are not installed: Pillow's own (Latin only)


def font_for(text: str, size: int, *, bold: bool = False) -> Font:
    """The first report font that has every character of ``text`` (Noto Sans SC last, for Chinese)."""
    wanted = {ord(c) for c in text if not c.isspace()}
    for name in REGULAR:
        if wanted <= _coverage(name):
            return _font(BOLD.get(name, name) if bold else name, size)
    return _font(REGULAR[-1] if _coverage(REGULAR[-1]) else REGULAR[0], size)


def _width(draw: ImageDraw.ImageDraw, text: str, font: Font) -> float:
    return draw.textlength(text, font=font)


def _wrap(draw: ImageDraw.ImageDraw, text: str, width: float, size: int, *, bold: bool = False) -> list[str]:
    """Lines of at most ``width`` pixels: by words, or by characters for text without spaces (Chinese)."""
    font = font_for(text, size, bold=bold)
    units = text.split(" ") if " " in text else list(text)
    joiner = " " if " " in text else ""
    lines: list[str] = []
    line = ""
    for unit in units:
        candidate = f"{line}{joiner}{unit}" if line else unit
        if line and _width(draw, candidate, font) > width:
            lines.append(line)
            line = unit
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines or [""]


def bar_chart_png(bars: list[Bar], *, title: str, subtitle: str, source: str, missing: str | None = None) -> bytes:
    """A horizontal bar chart like ``app.dashboards.charts.bar_chart``: title, subtitle, a row per bar (its label,
    the bar, its value and note), the source line. Values that are all equal are said in words, not drawn."""
    missing = _("no data") if missing is None else missing
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    size_title, size_text, size_small = round(16 * SCALE), round(13 * SCALE), round(11 * SCALE)
    margin = round(10 * SCALE)
    label_w = round(WIDTH * 0.36)
    texts = [number(b.value) + (f" ({b.note})" if b.note else "") if b.value is not None else missing for b in bars]
    value_w = max((_width(probe, t, font_for(t, size_text)) for t in texts), default=0) + margin * 2
    bar_w = max(WIDTH - label_w - value_w - margin * 2, WIDTH * 0.2)
    values = [b.value for b in bars if b.value is not None]
    equal = len(bars) > 1 and len(values) == len(bars) and len(set(values)) == 1
    title_lines = _wrap(probe, title, WIDTH - 2 * margin, size_title, bold=True)
    subtitle_lines = _wrap(probe, subtitle, WIDTH - 2 * margin, size_small) if subtitle else []
    source_lines = _wrap(probe, source, WIDTH - 2 * margin, size_small) if source else []
    line_h = round(size_text * 1.35)
    rows = [_wrap(probe, b.label, label_w - margin * 2, size_text) for b in bars]
    row_heights = [max(round(26 * SCALE), line_h * len(lines) + margin) for lines in rows]
    message = [_("Every item has the same value, %(value)s: no bars are drawn.") % {"value": texts[0]}] if equal else []
    height = (
        margin * 2
        + round(size_title * 1.35) * len(title_lines)
        + round(size_small * 1.4) * len(subtitle_lines)
        + margin
        + line_h * len(message)
        + sum(row_heights)
        + margin
        + round(size_small * 1.4) * len(source_lines)
        + margin
    )
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    y = float(margin)
    for line in title_lines:
        draw.text((margin, y), line, font=font_for(line, size_title, bold=True), fill=INK)
        y += round(size_title * 1.35)
    for line in subtitle_lines:
        draw.text((margin, y), line, font=font_for(line, size_small), fill=MUTED)
        y += round(size_small * 1.4)
    y += margin
    for line in message:
        draw.text((margin, y), line, font=font_for(line, size_text, bold=True), fill=INK)
        y += line_h
    top = max((v for v in values if v > 0), default=0.0)
    for bar, text, lines, row in zip(bars, texts, rows, row_heights, strict=True):
        first = y + (row - line_h * len(lines)) / 2
        for i, line in enumerate(lines):
            font = font_for(line, size_text)
            draw.text((label_w - margin - _width(draw, line, font), first + i * line_h), line, font=font, fill=INK)
        middle = y + row / 2
        value_font = font_for(text, size_text)
        if bar.value is None or equal:
            draw.text((label_w + margin / 2, middle - size_text * 0.6), text, font=value_font, fill=INK)
        else:
            w = 0.0 if top == 0 else max(bar_w * max(bar.value, 0) / top, 2.0)
            box = (label_w, middle - 9 * SCALE, label_w + w, middle + 9 * SCALE)
            if bar.hatched:
                draw.rectangle(box, outline=BAR, width=3)
                for x in range(int(box[0]), int(box[2]), 14):
                    draw.line((x, box[3], min(x + 20, box[2]), box[1]), fill=BAR, width=5)
            else:
                draw.rectangle(box, fill=BAR)
            draw.text((label_w + w + margin / 2, middle - size_text * 0.6), text, font=value_font, fill=INK)
        y += row
    y += margin
    for line in source_lines:
        draw.text((margin, y), line, font=font_for(line, size_small), fill=MUTED)
        y += round(size_small * 1.4)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True, dpi=(320, 320))
    return out.getvalue()
