"""Third-party front-end files and report fonts: installed from npm (package.json), copied into app/static/vendor by
setup (``gcm assets``)."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.config import PROJECT_DIR

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"

# node_modules path -> name under /static/vendor/
VENDOR_FILES = {
    "htmx.org/dist/htmx.min.js": "htmx.min.js",
    "swagger-ui-dist/swagger-ui-bundle.js": "swagger-ui/swagger-ui-bundle.js",
    "swagger-ui-dist/swagger-ui.css": "swagger-ui/swagger-ui.css",
}


# The fonts of the PDF reports (app/exports/report.css), so that every script they print has its glyphs whatever the
# machine has installed: Noto Sans (Latin, Cyrillic, Greek; regular, bold, italic) from Fontsource, one WOFF2 file per
# script, and Noto Sans SC (Simplified Chinese, GB 2312 and the whole URO block; regular only, bold is synthesised)
# as one OpenType file. Never fetched while a report is made: WeasyPrint reads these files. A WOFF2 file is
# decompressed to TrueType as it is copied (WeasyPrint would otherwise decompress every one for every PDF).
FONTS_DIR = VENDOR_DIR / "fonts"
_NOTO_SANS_SUBSETS = ("latin", "latin-ext", "cyrillic", "cyrillic-ext", "greek")
FONT_FILES = {
    **{
        f"@fontsource/noto-sans/files/noto-sans-{subset}-{style}.woff2": f"fonts/noto-sans-{subset}-{style}.ttf"
        for subset in _NOTO_SANS_SUBSETS
        for style in ("400-normal", "700-normal", "400-italic")
    },
    "@fontsource/noto-sans/LICENSE": "fonts/OFL-noto-sans.txt",
    "@embedpdf/fonts-sc/fonts/NotoSansHans-Regular.otf": "fonts/NotoSansSC-Regular.otf",
    "@embedpdf/fonts-sc/LICENSE": "fonts/OFL-noto-sans-sc.txt",
}


def missing_assets() -> list[str]:
    return [name for name in (*VENDOR_FILES.values(), *FONT_FILES.values()) if not (VENDOR_DIR / name).is_file()]


def missing_fonts() -> list[str]:
    """The report fonts not copied into app/static/vendor/fonts (``gcm assets``)."""
    return [name for name in FONT_FILES.values() if not (VENDOR_DIR / name).is_file()]


def copy_assets(node_modules: Path | None = None) -> list[Path]:
    """Copy the vendored files out of node_modules; raise FileNotFoundError naming what npm did not install (a font
    named as such, with its package), before copying anything."""
    source_root = node_modules or PROJECT_DIR / "node_modules"
    wanted = (*VENDOR_FILES.items(), *FONT_FILES.items())
    for source, _name in wanted:
        src = source_root / source
        if src.is_file():
            continue
        if source in FONT_FILES:
            package = "/".join(source.split("/")[:2])
            raise FileNotFoundError(
                f"The report font {src} is missing (npm package {package}): PDF reports need it to print "
                "Chinese, Cyrillic and Latin text; run `npm ci` first"
            )
        raise FileNotFoundError(f"{src} is missing: run `npm ci` first")
    copied = []
    for source, name in wanted:
        src = source_root / source
        dest = VENDOR_DIR / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        if src.suffix == ".woff2" and dest.suffix == ".ttf":
            from fontTools.ttLib import woff2  # type: ignore[import-untyped]  # WeasyPrint's dependency, untyped

            woff2.decompress(str(src), str(dest))
        else:
            shutil.copyfile(src, dest)
        copied.append(dest)
    return copied
