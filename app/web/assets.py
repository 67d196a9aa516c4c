"""Third-party front-end files and report fonts: installed from npm (package.json), copied into app/static/vendor by
setup (``gcm assets``)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
from pathlib import Path

import anyio.to_thread
from starlette.responses import RedirectResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

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


# ---- content-hashed static URLs ----
# Templates call ``url_for('static', path='app.css')`` and get ``/static/app.<hash>.css`` (app/web/templating.py):
# the hash is of the file's bytes, so a changed file has a new URL and every URL can be cached for a year.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"  # the plain names (and redirects): kept a while by browsers, checked by ETag each time
HASH_LENGTH = 12
_HASHED = re.compile(rf"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{{{HASH_LENGTH}}})(?P<ext>\.[A-Za-z0-9]+)$")
_hashes: dict[str, tuple[int, int, str]] = {}  # full path -> (mtime_ns, size, hash): recomputed when the file changes


def _file_hash(full_path: str, stat_result: os.stat_result) -> str:
    known = _hashes.get(full_path)
    if known is not None and known[:2] == (stat_result.st_mtime_ns, stat_result.st_size):
        return known[2]
    with open(full_path, "rb") as file:
        digest = hashlib.sha256(file.read()).hexdigest()[:HASH_LENGTH]
    _hashes[full_path] = (stat_result.st_mtime_ns, stat_result.st_size, digest)
    return digest


def hashed_path(path: str) -> str:
    """``app.css`` -> ``app.<hash of its bytes>.css``; the path as it is when the file is missing or has no
    extension (a template names only our own files, never a user's input)."""
    stem, dot, ext = path.rpartition(".")
    full_path = str(STATIC_DIR / path)
    try:
        stat_result = os.stat(full_path)
    except OSError:
        return path
    if not dot or not stem or "/" in ext or not stat.S_ISREG(stat_result.st_mode):
        return path
    return f"{stem}.{_file_hash(full_path, stat_result)}.{ext}"


class HashedStaticFiles(StaticFiles):
    """The static files under their plain names (``no-cache``: revalidated) and under content-hashed names
    (``immutable`` for a year). A hashed name whose hash is not the file's (a page cached from before a deploy)
    redirects to the file's current hashed name, never cached; a file that does not exist is 404."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        match = _HASHED.match(path.replace(os.sep, "/"))
        if match is not None:
            original = match["stem"] + match["ext"]
            full_path, stat_result = await anyio.to_thread.run_sync(self.lookup_path, original)
            if stat_result is not None and stat.S_ISREG(stat_result.st_mode):
                current = await anyio.to_thread.run_sync(_file_hash, full_path, stat_result)
                if current != match["hash"]:
                    name = f"{os.path.basename(match['stem'])}.{current}{match['ext']}"
                    return RedirectResponse(name, status_code=302, headers={"Cache-Control": REVALIDATE})
                response = await super().get_response(original, scope)
                response.headers["Cache-Control"] = IMMUTABLE
                return response
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = REVALIDATE
        return response
