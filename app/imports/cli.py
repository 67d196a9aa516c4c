"""``gcm import indicators|values FILE``: read the file within the import limits, validate it whole, then write it
in one transaction (or nothing)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

import typer

from app.imports import service
from app.web.limits import too_large_message

import_cli = typer.Typer(help="Bulk imports from CSV or XLSX (all or nothing).", no_args_is_help=True)


def _refuse(exc: service.ImportRefused) -> typer.Exit:
    for line, message in exc.errors:
        typer.echo(f"line {line}: {message}" if line else f"file: {message}", err=True)
    typer.secho(f"Error: {exc.message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code=1)


def _run(kind: str, file: Path, dry_run: bool) -> None:
    from app.config import get_settings
    from app.db import get_sessionmaker

    settings = get_settings()
    if settings.max_upload_bytes and file.stat().st_size > settings.max_upload_bytes:
        raise _refuse(service.ImportRefused([(0, too_large_message(settings.max_upload_bytes))]))
    try:
        # Read and check the whole file (the same limits as the upload page) before opening any transaction.
        table = service.read_table(file.read_bytes(), service.Limits.of(settings))
    except service.ImportRefused as exc:
        raise _refuse(exc) from None
    session = get_sessionmaker()()
    try:
        try:
            if kind == "values":
                plan = service.plan_values(session, table, filename=file.name)
            else:
                plan = service.plan_indicators(session, table, filename=file.name)
            if plan.errors:
                raise service.ImportRefused(plan.errors)
            typer.echo(plan.summary())
            if dry_run:
                session.rollback()
                typer.echo("Dry run: nothing written.")
                return
            typer.echo(f"writing {len(plan.new) + len(plan.changed)} row(s)...")
            if kind == "values":
                service.apply_values(session, plan, user_id=None)
            else:
                service.apply_indicators(session, plan, user_id=None)
        except service.ImportRefused as exc:
            session.rollback()
            raise _refuse(exc) from None
        typer.echo("committing...")
        if pause := os.environ.get("GCM_IMPORT_PAUSE_BEFORE_COMMIT"):  # the crash test kills the process here
            time.sleep(float(pause))
        session.commit()
        typer.echo("Done.")
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@import_cli.command("values")
def import_values(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or XLSX file.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and count; write nothing.")] = False,
) -> None:
    """Import indicator values: indicator,country,period,value [,sex,age_group,migratory_status,source,note,status]."""
    _run("values", file, dry_run)


@import_cli.command("indicators")
def import_indicators(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or XLSX file.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and count; write nothing.")] = False,
) -> None:
    """Import indicators (columns code,name,unit,aggregation [,objectives,sdg_code,description,source])."""
    _run("indicators", file, dry_run)
