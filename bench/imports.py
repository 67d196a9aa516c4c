"""Import speed: a generated 100,000-row values CSV imported into fresh SQLite and PostgreSQL databases; and files
that once sank the service (a zip bomb, a million rows) uploaded to a running service's /imports page, each timed
until its refusal, with the service's peak memory.

    uv run python -m bench.imports [--rows 100000] [--backends sqlite postgresql]

PostgreSQL uses ``GCM_TEST_POSTGRES_URL`` (a user that may create databases), like the tests. Prints seconds and
rows/s for validation (plan) and writing, and writes bench/results/imports.json. Never run in the tests.
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import tempfile
import time
import zipfile
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "imports.json"
PASSWORD = "bench password 123"  # noqa: S105 - a throwaway account of the benchmark's own database


def generate(rows: int) -> bytes:
    from app.seed import seed_reference_data  # noqa: F401  (the reference countries exist after seeding)

    isos = ["AFG", "ARM", "AUS", "AZE", "BGD", "BTN", "BRN", "KHM", "CHN", "FJI", "GEO", "IND", "IDN", "IRN",
            "JPN", "KAZ", "KIR", "KGZ", "LAO", "MYS"]  # fmt: skip
    lines = ["indicator,country,period,value,sex,age_group,source,note"]
    n = 0
    for iso in isos:
        for year in range(1970, 2026):
            for month in range(1, 13):
                for sex, age in [(s, a) for s in ("total", "female", "male") for a in ("", "15-24", "25-64", "65+")]:
                    if n >= rows:
                        break
                    value = "" if n % 50 == 0 else str(n % 9000)
                    note = "not collected" if not value else ""
                    lines.append(f"10.7.3,{iso},{year}-{month:02d},{value},{sex},{age},IOM Missing Migrants,{note}")
                    n += 1
    if n < rows:
        raise SystemExit(f"generator tops out at {n} rows")
    return ("\n".join(lines) + "\n").encode()


def run(url: str, data: bytes) -> dict[str, float]:
    from app.db import create_db_engine
    from app.imports import service
    from app.indicators.models import IndicatorValue
    from app.migrate import upgrade
    from app.seed import seed_reference_data

    upgrade("head", database_url=url)
    engine = create_db_engine(url)
    with Session(engine) as session:
        seed_reference_data(session)
        session.commit()
    with Session(engine) as session:
        start = time.perf_counter()
        plan = service.plan_values(session, data)
        planned = time.perf_counter()
        service.apply_values(session, plan, user_id=None)
        session.commit()
        done = time.perf_counter()
        count = session.scalar(select(func.count()).select_from(IndicatorValue))
        again = time.perf_counter()
        second = service.plan_values(session, data)
        again_done = time.perf_counter()
    engine.dispose()
    assert second.unchanged == count
    return {"rows": count, "validate_s": round(planned - start, 2), "write_s": round(done - planned, 2),
            "total_s": round(done - start, 2), "rows_per_s": round(count / (done - start)),
            "reimport_validate_s": round(again_done - again, 2)}  # fmt: skip


BOMB_HEAD = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'


def zip_bomb(unpacked_mb: int) -> bytes:
    """An XLSX whose sheet is ``unpacked_mb`` MB of empty rows (packs about a thousand times smaller)."""
    from tests.imports.files import SHEET, xlsx_with_sheet

    base = zipfile.ZipFile(io.BytesIO(xlsx_with_sheet(b"")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for entry in base.infolist():
            if entry.filename != SHEET:
                target.writestr(entry.filename, base.read(entry))
        with target.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(BOMB_HEAD)
            chunk = b'<row r="1"/>' * (1024 * 1024 // 12)
            for _ in range(unpacked_mb):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def hostile_files() -> list[tuple[str, str, bytes]]:
    """(label, file name, bytes) of each file the service must refuse quickly."""
    from tests.imports.files import sheet_xml, xlsx_with_sheet

    bomb = zip_bomb(1024)
    small_bomb = zip_bomb(90)  # under the unpacked size limit: its compression ratio refuses it
    million = xlsx_with_sheet(sheet_xml(1_048_575))
    million_csv = b"indicator,country,period,value\n" + b"1,2,3,4\n" * 1_048_575
    return [
        (f"zip bomb XLSX ({len(bomb) / 1e6:.1f} MB packed, 1 GiB of empty rows)", "bomb.xlsx", bomb),
        (f"zip bomb XLSX ({len(small_bomb) / 1e6:.2f} MB packed, 90 MiB of empty rows)", "bomb2.xlsx", small_bomb),
        (f"1,048,576-row XLSX ({len(million) / 1e6:.1f} MB)", "million.xlsx", million),
        (f"1,048,576-row CSV ({len(million_csv) / 1e6:.1f} MB)", "million.csv", million_csv),
    ]


def _multipart(fields: dict[str, str], name: str, data: bytes) -> tuple[bytes, str]:
    boundary = "gcm-bench-boundary-7f3a"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]  # fmt: skip
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="upload"; filename="{name}"\r\n'
                 "Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")  # fmt: skip
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def run_refusals(url: str) -> list[dict[str, object]]:
    """Upload each hostile file as a focal point to a served instance; seconds to the refusal and peak RSS."""
    import re
    import urllib.error
    import urllib.request

    from app.auth import service as auth_service
    from app.auth.models import Role
    from app.db import create_db_engine
    from app.migrate import upgrade
    from app.seed import seed_reference_data
    from bench.harness import peak_rss_kb, serve, sign_in

    upgrade("head", database_url=url)
    engine = create_db_engine(url)
    with Session(engine) as session:
        seed_reference_data(session)
        auth_service.create_user(session, email="focal@bench.invalid", name="Bench", role=Role.focal_point,
                                 country_iso3="THA", password=PASSWORD)  # fmt: skip
        session.commit()
    engine.dispose()
    files = hostile_files()
    rows: list[dict[str, object]] = []
    with serve(url) as (base, process):
        headers = sign_in(base, "focal@bench.invalid", PASSWORD)
        page = urllib.request.urlopen(urllib.request.Request(base + "/imports", headers=headers)).read().decode()  # noqa: S310
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        for label, name, data in files:
            body, content_type = _multipart({"csrf_token": csrf, "kind": "values"}, name, data)
            request = urllib.request.Request(base + "/imports/preview", data=body,  # noqa: S310
                                             headers={**headers, "Content-Type": content_type})  # fmt: skip
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310
                    status, text = response.status, response.read().decode()
            except urllib.error.HTTPError as exc:
                status, text = exc.code, exc.read().decode()
            seconds = time.perf_counter() - started
            found = re.search(r'<th scope="row">[^<]*</th><td>([^<]+)</td>', text)
            rows.append({"part": "import", "path": f"refuse {label}", "seconds": round(seconds, 2),
                         "status": status, "message": found.group(1) if found else "",
                         "peak_rss_mb": round(peak_rss_kb(process.pid) / 1024, 1)})  # fmt: skip
    return rows


def main() -> None:
    import os

    os.environ.setdefault("GCM_ENV", "test")
    from app import models  # noqa: F401
    from tests.databases import throwaway_database

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    data = generate(args.rows)
    results = {"rows": args.rows, "machine": platform.platform(), "cpus": os.cpu_count(), "backends": {}}
    for backend in args.backends:
        with tempfile.TemporaryDirectory() as tmp, throwaway_database(backend, Path(tmp)) as url:
            figures = run(url, data)
        with tempfile.TemporaryDirectory() as tmp, throwaway_database(backend, Path(tmp)) as url:
            figures["refusals"] = run_refusals(url)
        results["backends"][backend] = figures
        print(f"{backend:<11} {figures['total_s']:>6} s  {figures['rows_per_s']:>8} rows/s  {figures}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
