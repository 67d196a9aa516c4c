"""``gcm review export|import``: the offline round trip for bulk work, through the pages' service.

``export`` writes a country's review of a cycle as DOCX or XLSX (in a chosen language). ``import FILE --dry-run``
prints the preview (counts, then a line per question that is not unchanged); without ``--dry-run`` it saves every
*changed* answer as ``--user`` (a focal point of the file's country), the way "accept" does on the page, and leaves
conflicts and refused answers alone (they need a person's choice on the page).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.offline.document import FORMATS

review_cli = typer.Typer(
    help="A State's review offline: export to DOCX/XLSX, import an edited file.", no_args_is_help=True
)


def _fail(message: str) -> typer.Exit:
    typer.secho(f"Error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code=1)


@review_cli.command("export")
def review_export(
    file: Annotated[Path, typer.Argument(dir_okay=False, help="Where to write the file (.docx or .xlsx).")],
    country: Annotated[str, typer.Option(help="The country's ISO3 code.")],
    cycle: Annotated[int, typer.Option(help="The review cycle's id (gcm cycle list).")],
    format: Annotated[str | None, typer.Option(help="docx or xlsx (default: from FILE's name).")] = None,
    language: Annotated[str, typer.Option(help="The file's language: en, fr, ru or zh.")] = "en",
) -> None:
    """Write a country's review of a cycle as an editable file."""
    from app.catalog import queries as catalog_queries
    from app.db import get_sessionmaker
    from app.i18n import use_locale
    from app.offline import service
    from app.submissions import queries

    fmt = (format or file.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise _fail("Give --format docx or xlsx (or a FILE ending in .docx or .xlsx).")
    with get_sessionmaker()() as session:
        found = catalog_queries.get_country(session, country.upper())
        review = queries.get_country_submission(session, country_id=found.id, cycle_id=cycle) if found else None
        submission = queries.get_submission(session, review.id) if review else None
        if submission is None:
            raise _fail(f"{country.upper()} has no review in cycle {cycle}.")
        with use_locale(language):
            target = service.submission_target(session, submission, language)
            _name, data = service.export(session, user=None, target=target, fmt=fmt)
        session.rollback()
    file.write_bytes(data)
    typer.echo(f"Wrote {file} ({len(data):,} bytes).")


@review_cli.command("import")
def review_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="An edited .docx or .xlsx.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the preview; write nothing.")] = False,
    user: Annotated[
        str | None, typer.Option(help="The focal point who accepts the changes (their e-mail); needed to write.")
    ] = None,
) -> None:
    """Print what an edited file changes; without --dry-run, save its changed answers (not the conflicts)."""
    from app.auth import queries as auth_queries
    from app.config import get_settings
    from app.db import get_sessionmaker
    from app.offline import service
    from app.offline.models import OfflineUpload
    from app.submissions import queries

    data = file.read_bytes()
    limit = get_settings().max_upload_bytes or len(data) + 1
    session = get_sessionmaker()()
    try:
        fmt = service.check_file(file.name, data, limit=limit)
        read = service.read_file(fmt, data)
        if read.ids is None:
            raise service.UploadRefused("This file was not downloaded from the review (its identifiers are missing).")
        submission = None if read.ids.is_contribution else queries.get_submission(session, read.ids.record_id)
        if submission is None:
            raise service.UploadRefused("The review this file was downloaded from no longer exists.")
        actor = None
        if not dry_run:
            actor = auth_queries.get_user_by_email(session, user or "")
            if actor is None or actor.country_id != submission.country_id:
                raise service.UploadRefused(f"Give --user, a focal point of {submission.country.iso3}, to write.")
            session.info["user_id"] = actor.id
        upload = OfflineUpload(format=fmt, filename=file.name, data=data)
        target = service.submission_target(session, submission, read.ids.language)
        plan = service.preview(session, user=actor, target=target, upload=upload)
        typer.echo(plan.summary())
        for note in plan.notes:
            typer.echo(f"note: {note}")
        for row in plan.rows:
            if row.status != service.UNCHANGED:
                why = f": {row.reason}" if row.reason else ""
                typer.echo(f"{row.status:<9} {row.part} {row.key}{why}")
        if dry_run or actor is None:
            session.rollback()
            typer.echo("Dry run: nothing written.")
            return
        changed = [row.id for row in plan.rows if row.status == service.CHANGED]
        result = service.accept(session, user=actor, target=target, upload=upload, chosen=changed)
        for row_id, why in result.failed:
            typer.echo(f"not saved {row_id}: {why}", err=True)
        session.commit()
        typer.echo(f"Saved {len(result.saved)} answer(s); conflicts and refused answers left for the page.")
    except service.UploadRefused as exc:
        session.rollback()
        raise _fail(exc.message) from None
    finally:
        session.close()
