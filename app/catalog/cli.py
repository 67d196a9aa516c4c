"""``gcm reference set|list``: add or correct a reference text (as the admin page does), list them."""

from __future__ import annotations

from typing import Annotated

import typer

from app.catalog import queries, service
from app.catalog.models import TextKind, TextStatus
from app.errors import AppError, FormInvalid

reference_cli = typer.Typer(help="Reference texts in en, zh, fr, ru (with their sources).", no_args_is_help=True)


@reference_cli.command("set")
def reference_set(
    kind: Annotated[TextKind, typer.Argument(help="What the text names.")],
    key: Annotated[str, typer.Argument(help="Objective number, principle code, subregion code, ISO3, term key.")],
    language: Annotated[str, typer.Argument(help="en, zh, fr or ru.")],
    text: Annotated[str, typer.Option(help="The text, as the source writes it.")],
    source: Annotated[str, typer.Option(help="A web address, a UN document symbol or a known source (CLDR...).")],
    status: Annotated[TextStatus, typer.Option(help="Where it comes from.")] = TextStatus.administrator,
    by: Annotated[
        str | None, typer.Option(help="The administrator's e-mail address (the audit trail's actor).")
    ] = None,
) -> None:
    """Add or correct one reference text; later seeds keep it."""
    from app.auth import queries as auth_queries
    from app.auth.models import Role
    from app.db import get_sessionmaker

    session = get_sessionmaker()()
    try:
        user_id = None
        if by is not None:
            user = auth_queries.get_user_by_email(session, by)
            if user is None or user.role is not Role.admin:
                raise AppError(f"{by} is not an administrator.")
            user_id = session.info["user_id"] = user.id
        current = queries.get_reference_text(session, kind, key, language)
        row = service.set_text(
            session,
            kind=kind.value,
            key=key,
            language=language,
            text=text,
            source=source,
            status=status.value,
            version=current.version if current else None,
            user_id=user_id,
        )
        session.commit()
        typer.echo(f"{row.kind.value} {row.key} {row.language}: {row.text} ({row.source}; {row.status.value})")
    except FormInvalid as exc:
        session.rollback()
        for field, message in exc.errors.items():
            typer.echo(f"{field}: {message}", err=True)
        raise typer.Exit(code=1) from None
    except AppError as exc:
        session.rollback()
        typer.secho(f"Error: {exc.message}", err=True, fg=typer.colors.RED)
        raise typer.Exit(code=1) from None
    finally:
        session.close()


@reference_cli.command("list")
def reference_list(
    language: Annotated[str | None, typer.Option(help="Only this language.")] = None,
    kind: Annotated[TextKind | None, typer.Option(help="Only this kind.")] = None,
) -> None:
    """Every reference text on file: kind, key, language, status, source, text (tab-separated)."""
    from app.db import get_sessionmaker

    with get_sessionmaker()() as session:
        for row in queries.list_reference_texts(session):
            if (language and row.language != language) or (kind and row.kind is not kind):
                continue
            typer.echo("\t".join([row.kind.value, row.key, row.language, row.status.value, row.source, row.text]))
