"""The ``gcm`` command: serve, the job worker, migrate, seed, demo data, users and tokens."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from app import models  # noqa: F401  (every table and the audit listeners)
from app.auth import queries as auth_queries
from app.auth import service as auth_service
from app.auth.models import Role
from app.errors import AppError
from app.organisations import queries as organisation_queries
from app.organisations import service as organisation_service
from app.organisations.models import OrganisationType, type_labels

cli = typer.Typer(help="GCM regional review service.", no_args_is_help=True, add_completion=False)
db_cli = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
user_cli = typer.Typer(help="Manage users.", no_args_is_help=True)
token_cli = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(user_cli, name="user")
cli.add_typer(token_cli, name="token")
i18n_cli = typer.Typer(help="Translation catalogues (Babel): extract, update, compile.", no_args_is_help=True)
cli.add_typer(i18n_cli, name="i18n")
organisation_cli = typer.Typer(help="Manage organisations (stakeholders belong to one).", no_args_is_help=True)
cli.add_typer(organisation_cli, name="organisation")

from app.imports.cli import import_cli  # noqa: E402

cli.add_typer(import_cli, name="import")

from app.catalog.cli import reference_cli  # noqa: E402

cli.add_typer(reference_cli, name="reference")

from app.questionnaires.cli import cycle_cli, questionnaire_cli  # noqa: E402

cli.add_typer(cycle_cli, name="cycle")
cli.add_typer(questionnaire_cli, name="questionnaire")

from app.offline.cli import review_cli  # noqa: E402

cli.add_typer(review_cli, name="review")


def fail(message: str) -> typer.Exit:
    typer.secho(f"Error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code=1)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session committed on success; on an AppError nothing is written and the message is printed."""
    from app.db import get_sessionmaker

    session = get_sessionmaker()()
    try:
        yield session
        session.commit()
    except AppError as exc:
        session.rollback()
        raise fail(exc.message) from None
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Run the web service with uvicorn."""
    import uvicorn

    from app.config import get_settings

    get_settings()  # refuse to start with a placeholder secret in production
    # Forwarded headers are read by the app itself, only from GCM_TRUSTED_PROXIES (app/main.py); uvicorn's own
    # reading (trusting 127.0.0.1 by default) is off, so there is one rule in one place.
    uvicorn.run(
        "app.main:create_app", factory=True, host=host, port=port, reload=reload, workers=workers, proxy_headers=False
    )


@db_cli.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    from app.migrate import upgrade

    upgrade(revision)


@db_cli.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="Target revision, e.g. -1 or base.")]) -> None:
    """Revert migrations down to REVISION (a migration that cannot be reverted refuses, saying why)."""
    from app.migrate import downgrade

    try:
        downgrade(revision)
    except RuntimeError as exc:  # a migration's own refusal (e.g. 4b8e1d2c6a10: answers per question)
        typer.echo(f"Nothing was downgraded: {exc}", err=True)
        raise typer.Exit(1) from None


@cli.command()
def seed() -> None:
    """Load the reference data (objectives, principles, round tables, members, SDG indicators). Idempotent."""
    from app.seed import seed_reference_data

    with session_scope() as session:
        report = seed_reference_data(session)
    typer.echo(report.summary())


@cli.command()
def demo(scale: Annotated[int, typer.Option(min=1, max=100, help="About N times as many rows.")] = 1) -> None:
    """Create plausible demo data for all 62 countries (reference data is loaded first). Not in production."""
    from app.config import get_settings

    try:
        production = get_settings().is_production
    except ValueError:  # production settings with a placeholder secret: refused all the same
        production = True
    if production:  # demo users have published passwords
        raise fail("gcm demo refuses to run when GCM_ENV=production: its users have published passwords.")
    from app.demo import create_demo_data
    from app.seed import seed_reference_data

    with session_scope() as session:
        seed_reference_data(session)
        report = create_demo_data(session, scale=scale)
    if report.already_present:
        typer.echo("Demo data is already present: nothing changed.")
    else:
        typer.echo("Demo data created: " + ", ".join(f"{n} {t}" for t, n in sorted(report.counts.items())))
    typer.echo("\nDemo users (for trying the service only):")
    shown = [u for u in report.users if u.role not in (Role.focal_point, Role.stakeholder)][:4]
    focal = [u for u in report.users if u.role is Role.focal_point]
    stakeholders = [u for u in report.users if u.role is Role.stakeholder]
    for u in shown + focal[:3] + stakeholders[:1]:
        where = f" ({u.country_iso3 or u.organisation})" if u.country_iso3 or u.organisation else ""
        typer.echo(f"  {u.role.value:<12} {u.email:<36} password: {u.password}{where}")
    if len(focal) > 3:
        typer.echo(f"  ... and {len(focal) - 3} more focal points: focal.<iso3>@demo.gcm.example, same password")
    if len(stakeholders) > 1:
        others = ", ".join(u.email for u in stakeholders[1:])
        typer.echo(f"  ... and {len(stakeholders) - 1} more stakeholders (same password): {others}")


@user_cli.command("create")
def user_create(
    email: Annotated[str, typer.Option(help="E-mail address (the sign-in name).")],
    name: Annotated[str, typer.Option(help="Full name.")],
    role: Annotated[Role, typer.Option(help="One role per user.")],
    country: Annotated[str | None, typer.Option(help="ISO3 code; required for focal_point.")] = None,
    organisation: Annotated[
        str | None, typer.Option(help="The organisation's name; required for stakeholder (gcm organisation list).")
    ] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    language: Annotated[
        str | None, typer.Option(help="The language they read in: en, zh, fr or ru (default: their browser's).")
    ] = None,
) -> None:
    """Create a user."""
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    with session_scope() as session:
        member = organisation_service.find_organisation(session, organisation) if organisation else None
        user = auth_service.create_user(
            session,
            email=email,
            name=name,
            role=role,
            country_iso3=country,
            password=password,
            organisation=member,
            language=language,
        )
        summary = f"Created {user.role.value} {user.email}" + (f" for {country.upper()}" if country else "")
        summary += f" of {member.name}" if member else ""
    typer.echo(summary + ("" if password else " (no password yet)"))


@token_cli.command("create")
def token_create(
    email: Annotated[str, typer.Option(help="The user the token acts as.")],
    name: Annotated[str, typer.Option(help="A label, e.g. what uses the token.")] = "",
    days: Annotated[
        int, typer.Option(help=f"Days until it expires (1 to {auth_service.TOKEN_MAX_DAYS}).")
    ] = auth_service.TOKEN_DEFAULT_DAYS,
) -> None:
    """Create an API token and print it once (only a digest is stored). It expires after --days (default 90)."""
    with session_scope() as session:
        user = auth_queries.get_user_by_email(session, email)
        if user is None:
            raise fail(f"No user has the e-mail address {email}.")
        issued = auth_service.create_token(session, user=user, name=name, days=days)
    typer.echo(issued.token)  # only the token, for scripts; `gcm token list` shows when it expires


@token_cli.command("list")
def token_list(email: Annotated[str, typer.Option(help="Whose tokens.")]) -> None:
    """List a user's tokens: id, prefix, state, created, expires, last used, name."""
    from app.db import utcnow

    with session_scope() as session:
        user = auth_queries.get_user_by_email(session, email)
        if user is None:
            raise fail(f"No user has the e-mail address {email}.")
        now = utcnow()
        for t in auth_queries.list_tokens(session, user.id):
            state = "revoked" if t.revoked_at else ("valid" if auth_service.token_is_live(t, now) else "expired")
            used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
            expires = f"{t.expires_at:%Y-%m-%d}" if t.expires_at else "never"
            typer.echo(
                f"{t.id:>6}  {t.prefix:<12} {state:<8} {t.created_at:%Y-%m-%d} {expires:<10} {used:<16} {t.name}"
            )


@token_cli.command("revoke")
def token_revoke(
    token: Annotated[str | None, typer.Argument(help="The token's id or prefix (as `gcm token list` shows).")] = None,
    email: Annotated[str | None, typer.Option(help="Revoke every token of this user instead.")] = None,
) -> None:
    """Revoke a token (by id or prefix), or every token of a user (--email). Revoked tokens never work again."""
    if (token is None) == (email is None):
        raise fail("Give a token id or prefix, or --email for all of a user's tokens (not both).")
    with session_scope() as session:
        if email is not None:
            user = auth_queries.get_user_by_email(session, email)
            if user is None:
                raise fail(f"No user has the e-mail address {email}.")
            count = auth_service.revoke_all_tokens(session, user)
            message = f"Revoked {count} token(s) of {user.email}."
        else:
            record = auth_service.find_token(session, token or "")
            changed = auth_service.revoke_token(session, record)
            message = f"Revoked token {record.id} ({record.prefix})." if changed else "That token was revoked already."
    typer.echo(message)


@cli.command()
def prune() -> None:
    """Delete old sign-in attempts and sessions that can no longer be used (sign-ins also prune a few each)."""
    from app.auth.sessions import prune as prune_rows

    with session_scope() as session:
        attempts, dead = prune_rows(session, limit=None)
    typer.echo(f"Deleted {attempts} old sign-in attempt(s) and {dead} ended session(s).")


@cli.command()
def remind(
    today: Annotated[str, typer.Option(help="Act as if today were YYYY-MM-DD (testing).")] = "",
    waiting_days: Annotated[int, typer.Option(min=0, help="Nudge the secretariat about waits longer than this.")] = 7,
) -> None:
    """Send deadline reminders to focal points and nudges to the secretariat (each only once; run daily)."""
    from datetime import date

    from app.db import utcnow
    from app.notifications.reminders import send_reminders

    try:
        day = date.fromisoformat(today) if today else utcnow().date()
    except ValueError:
        raise fail("--today must be a date like 2026-11-28") from None
    with session_scope() as session:
        sent = send_reminders(session, today=day, waiting_days=waiting_days)
    for item in sent:
        typer.echo(f"{item.kind:<18} {item.email:<36} {item.message}")
    typer.echo(f"{len(sent)} notification(s) sent.")


@cli.command()
def worker(
    poll: Annotated[float, typer.Option(min=0.1, help="Seconds between looks for jobs and mail when idle.")] = 2.0,
    heartbeat: Annotated[float, typer.Option(min=0.1, help="Seconds between heartbeats of the running job.")] = 5.0,
    stale_after: Annotated[
        float, typer.Option(min=1, help="A running job without a heartbeat for this many seconds lost its worker.")
    ] = 60.0,
) -> None:
    """Run report jobs and deliver mail until SIGTERM/SIGINT (run one or more beside `gcm serve`)."""
    import logging
    import signal
    from datetime import timedelta

    from app.config import get_settings
    from app.db import get_sessionmaker
    from app.exports.worker import JobWorker

    get_settings()  # refuse to start with a placeholder secret in production
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    runner = JobWorker(
        get_sessionmaker(), poll_seconds=poll, heartbeat_seconds=heartbeat, stale_after=timedelta(seconds=stale_after)
    )

    def stop(signum: int, _frame: object) -> None:
        logging.getLogger("gcm.jobs").info("%s: stopping after the current step", signal.Signals(signum).name)
        runner.request_stop()
        signal.signal(signum, signal.SIG_DFL)  # a second signal stops at once (the job is recovered later)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    typer.echo(f"Worker {runner.name} started.", err=True)
    runner.run()
    typer.echo(f"Worker {runner.name} stopped.", err=True)


@i18n_cli.command("compile")
def i18n_compile() -> None:
    """Compile the committed .po catalogues into the .mo files the service reads (the setup does this)."""
    from app.catalogues import compile_all

    typer.echo(f"Compiled {len(compile_all())} catalogues.")


@i18n_cli.command("update")
def i18n_update(
    locale: Annotated[list[str] | None, typer.Option(help="Only this language (repeat for several).")] = None,
) -> None:
    """Extract every message of app/ and merge new and changed ones into each language's .po (for translators)."""
    from app.catalogues import TRANSLATED, update

    wanted = tuple(locale) if locale else TRANSLATED
    if unknown := [code for code in wanted if code not in TRANSLATED]:
        raise fail(f"Unknown language {', '.join(unknown)}: choose from {', '.join(TRANSLATED)}.")
    for po in update(wanted):
        typer.echo(f"Updated {po}")


@cli.command()
def assets() -> None:
    """Copy the npm-installed front-end files (htmx, Swagger UI) into app/static/vendor."""
    from app.web.assets import copy_assets

    try:
        copied = copy_assets()
    except FileNotFoundError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"Copied {len(copied)} front-end files.")


@cli.command()
def dump(file: Annotated[str, typer.Argument(help="Output file (gzip JSON lines).")]) -> None:
    """Write every table (users, submissions, audit trail, ...) to one portable file."""
    from pathlib import Path

    from app.backup.service import dump as dump_all
    from app.db import get_engine

    with get_engine().connect() as connection:
        counts = dump_all(connection, Path(file))
    typer.echo(f"Dumped {sum(counts.values())} rows of {len(counts)} tables to {file}.")


@cli.command()
def restore(file: Annotated[str, typer.Argument(help="A file written by gcm dump.")]) -> None:
    """Load a dump into an empty database at the same schema revision (`gcm db upgrade` first)."""
    from pathlib import Path

    from app.backup.service import restore as restore_all
    from app.db import get_engine

    try:
        with get_engine().begin() as connection:
            counts = restore_all(connection, Path(file))
    except AppError as exc:
        raise fail(exc.message) from None
    typer.echo(f"Restored {sum(counts.values())} rows of {len(counts)} tables.")


def main() -> None:
    cli()


@organisation_cli.command("create")
def organisation_create(
    name: Annotated[str, typer.Option(help="The organisation's name (unique).")],
    type: Annotated[OrganisationType, typer.Option("--type", help="What kind of organisation it is.")],
    country: Annotated[str | None, typer.Option(help="ISO3 code of the country it is based in.")] = None,
    website: Annotated[str | None, typer.Option(help="Its website, starting with https://.")] = None,
) -> None:
    """Create an organisation (then: gcm user create ... --role stakeholder --organisation NAME)."""
    with session_scope() as session:
        organisation = organisation_service.create_organisation(
            session, name=name, type=type.value, country=country or "", website=website or ""
        )
        summary = f"Created organisation {organisation.name} ({type_labels()[organisation.type]})"
    typer.echo(summary)


@organisation_cli.command("list")
def organisation_list() -> None:
    """List the organisations: name, type, country, users."""
    with session_scope() as session:
        for organisation in organisation_queries.list_organisations(session):
            country = organisation.country.iso3 if organisation.country else "-"
            members = len(organisation_queries.list_members(session, organisation.id))
            typer.echo(f"{organisation.name}\t{organisation.type.value}\t{country}\t{members} user(s)")
