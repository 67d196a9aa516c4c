"""``gcm import``: counts, dry run, refusal with line numbers, and a process killed half way writes nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from app import db
from app.indicators.models import IndicatorValue
from tests.imports.files import zip_bomb
from tests.test_cli import gcm

GOOD = "indicator,country,period,value,source,note\n10.7.3,THA,2020,120,IOM,\n10.7.3,VNM,2021,,IOM,not collected\n"


def _count() -> int:
    with db.get_sessionmaker()() as session:
        return session.scalar(select(func.count()).select_from(IndicatorValue)) or 0


def test_dry_run_counts_and_writes_nothing_then_import_is_idempotent(cli_db: str, tmp_path: Path) -> None:
    gcm("db", "upgrade")
    gcm("seed")
    file = tmp_path / "values.csv"
    file.write_text(GOOD, encoding="utf-8")
    assert "2 new, 0 changed, 0 unchanged" in gcm("import", "values", str(file), "--dry-run")
    assert _count() == 0
    assert "2 new" in gcm("import", "values", str(file))
    assert _count() == 2
    assert "0 new, 0 changed, 2 unchanged" in gcm("import", "values", str(file))


def test_a_refused_file_exits_non_zero_with_line_numbers(cli_db: str, tmp_path: Path) -> None:
    gcm("db", "upgrade")
    gcm("seed")
    file = tmp_path / "values.csv"
    file.write_text(GOOD + "10.7.3,THA,1800,1,IOM,\n", encoding="utf-8")
    output = gcm("import", "values", str(file), ok=False)
    assert "line 4" in output
    assert _count() == 0


def test_an_import_killed_half_way_writes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kill.sqlite3'}"
    env = os.environ | {"GCM_DATABASE_URL": url, "GCM_IMPORT_PAUSE_BEFORE_COMMIT": "30"}
    gcm_path = str(Path(sys.executable).parent / "gcm")
    for args in (["db", "upgrade"], ["seed"]):
        subprocess.run([gcm_path, *args], env=env, check=True, capture_output=True, timeout=120)
    file = tmp_path / "big.csv"
    lines = ["indicator,country,period,value,source"]
    lines += [f"10.7.3,{iso},{year}-{month:02d},{year + month},IOM" for iso in ("THA", "VNM", "IND", "CHN")
              for year in range(1960, 2020) for month in range(1, 13)]  # fmt: skip
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    process = subprocess.Popen([gcm_path, "import", "values", str(file)], env=env, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("committing"):
            break
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    engine = db.create_db_engine(url)
    try:
        with engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(IndicatorValue)) == 0
    finally:
        engine.dispose()


def test_a_zip_bomb_is_refused_by_the_command_with_the_pages_message(cli_db: str, tmp_path: Path) -> None:
    gcm("db", "upgrade")
    gcm("seed")
    file = tmp_path / "values.xlsx"
    file.write_bytes(zip_bomb(50))
    output = gcm("import", "values", str(file), ok=False)
    assert "file: The XLSX file is compressed" in output
    assert _count() == 0


def test_a_cell_over_128_kib_is_refused_by_the_command_with_its_line(cli_db: str, tmp_path: Path) -> None:
    gcm("db", "upgrade")
    gcm("seed")
    file = tmp_path / "values.csv"
    file.write_text(GOOD + "10.7.3,IND,2020,1," + "s" * 200_000 + ",\n", encoding="utf-8")
    output = gcm("import", "values", str(file), ok=False)
    assert "line 4: A cell is longer than 5,000 characters." in output
    assert _count() == 0
