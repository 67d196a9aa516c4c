"""Third-party front-end files: installed from npm (package.json), copied into app/static/vendor by setup."""

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


def missing_assets() -> list[str]:
    return [name for name in VENDOR_FILES.values() if not (VENDOR_DIR / name).is_file()]


def copy_assets(node_modules: Path | None = None) -> list[Path]:
    """Copy the vendored files out of node_modules; raise FileNotFoundError naming what npm did not install."""
    source_root = node_modules or PROJECT_DIR / "node_modules"
    copied = []
    for source, name in VENDOR_FILES.items():
        src = source_root / source
        if not src.is_file():
            raise FileNotFoundError(f"{src} is missing: run `npm ci` first")
        dest = VENDOR_DIR / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        copied.append(dest)
    return copied
