"""``gcm cycle ...`` and ``gcm questionnaire export|import CYCLE FILE`` (CYCLE: the id or the exact name)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from app.cycles.models import ReviewCycle
from app.errors import AppError, FormInvalid
from app.questionnaires.models import QuestionnaireKind

cycle_cli = typer.Typer(help="Review cycles: plan, open, close, list.", no_args_is_help=True)
questionnaire_cli = typer.Typer(help="A cycle's questionnaire as a JSON file, both ways.", no_args_is_help=True)


def _fail(message: str) -> typer.Exit:
    typer.secho(f"Error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code=1)


@contextmanager
def _session() -> Iterator[Session]:
    """Committed on success; on an AppError nothing is written and every message is printed."""
    from app.db import get_sessionmaker
    from app.questionnaires.schemas import DefinitionInvalid

    session = get_sessionmaker()()
    try:
        yield session
        session.commit()
    except DefinitionInvalid as exc:
        session.rollback()
        for problem in exc.problems:
            typer.echo(f"{problem.where}: {problem.message}", err=True)
        raise _fail(exc.message) from None
    except FormInvalid as exc:
        session.rollback()
        for field, message in exc.errors.items():
            typer.echo(f"--{field.replace('_', '-')}: {message}", err=True)
        raise _fail(exc.message) from None
    except AppError as exc:
        session.rollback()
        raise _fail(exc.message) from None
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _cycle(session: Session, ref: str) -> ReviewCycle:
    from app.cycles import queries

    found = queries.get_cycle(session, int(ref)) if ref.isdecimal() and len(ref) < 10 else None
    found = found or queries.get_cycle_by_name(session, ref)
    if found is None:
        raise _fail(f"No review cycle has the id or name {ref!r} (see `gcm cycle list`).")
    return found


@cycle_cli.command("list")
def cycle_list() -> None:
    """Every cycle, the latest first: id, status, dates, name."""
    from app.cycles import queries

    with _session() as session:
        for c in queries.list_cycles(session):
            typer.echo(f"{c.id:>4}  {c.status.value:<8} {c.opens_on} → {c.deadline} → {c.closes_on}  {c.name}")


@cycle_cli.command("create")
def cycle_create(
    name: Annotated[str, typer.Option(help="A name people tell apart, e.g. '2028–2029 review cycle'.")],
    opens: Annotated[str, typer.Option(help="Opening date, YYYY-MM-DD.")],
    deadline: Annotated[str, typer.Option(help="Deadline for submissions, YYYY-MM-DD.")],
    closes: Annotated[str, typer.Option(help="Closing date, YYYY-MM-DD.")],
    description: Annotated[str, typer.Option(help="What the cycle is for.")] = "",
    from_cycle: Annotated[
        str | None, typer.Option(help="Start from this cycle's questionnaire (default: the previous cycle's).")
    ] = None,
) -> None:
    """Plan a new cycle (status planned) with a copy of a questionnaire."""
    from app.cycles import service
    from app.cycles.schemas import CycleForm
    from app.questionnaires import service as questionnaires

    with _session() as session:
        source = _cycle(session, from_cycle) if from_cycle else None
        form = CycleForm(name=name, description=description, opens_on=opens, deadline=deadline, closes_on=closes)
        cycle = service.create_cycle(session, form=form)
        if source is not None:
            questionnaires.replace_definition(
                session, cycle=cycle, data=questionnaires.definition_for(session, source).as_json()
            )
        typer.echo(f"Created cycle {cycle.id}: {cycle.name} (planned)")


@cycle_cli.command("open")
def cycle_open(cycle: Annotated[str, typer.Argument(help="The cycle's id or exact name.")]) -> None:
    """Open a cycle for submissions (only one cycle is open at a time)."""
    from app.cycles import service

    with _session() as session:
        found = _cycle(session, cycle)
        service.open_cycle(session, cycle=found)
        typer.echo(f"Opened cycle {found.id}: {found.name}")


@cycle_cli.command("close")
def cycle_close(cycle: Annotated[str, typer.Argument(help="The cycle's id or exact name.")]) -> None:
    """Close an open cycle: States can no longer submit in it."""
    from app.cycles import service

    with _session() as session:
        found = _cycle(session, cycle)
        service.close_cycle(session, cycle=found)
        typer.echo(f"Closed cycle {found.id}: {found.name}")


def _kind(raw: str) -> QuestionnaireKind:
    if raw not in {k.value for k in QuestionnaireKind}:
        raise _fail(f"--kind is states or stakeholders, not {raw!r}")
    return QuestionnaireKind(raw)


@questionnaire_cli.command("export")
def questionnaire_export(
    cycle: Annotated[str, typer.Argument(help="The cycle's id or exact name.")],
    file: Annotated[Path, typer.Argument(help="The JSON file to write.", dir_okay=False)],
    kind: Annotated[str, typer.Option(help="states (the States' reviews) or stakeholders (contributions).")] = "states",
) -> None:
    """Write the cycle's questionnaire: JSON (app/questionnaires/schemas.py), or an XLSForm-style workbook when FILE
    ends in .xlsx (app/questionnaires/xlsform.py)."""
    from app.questionnaires import service, xlsform

    with _session() as session:
        definition = service.definition_for(session, _cycle(session, cycle), _kind(kind))
    if file.suffix.lower() == ".xlsx":
        file.write_bytes(xlsform.to_workbook(definition))
    else:
        file.write_text(json.dumps(definition.as_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    typer.echo(f"Wrote {file}")


@questionnaire_cli.command("import")
def questionnaire_import(
    cycle: Annotated[str, typer.Argument(help="The cycle's id or exact name.")],
    file: Annotated[Path, typer.Argument(help="A JSON file as `gcm questionnaire export` writes it.", exists=True)],
    kind: Annotated[str, typer.Option(help="states (the States' reviews) or stakeholders (contributions).")] = "states",
) -> None:
    """Replace the cycle's questionnaire with the file's (JSON, or .xlsx), whole or not at all (every problem is
    listed with where it is)."""
    from app.questionnaires import service, xlsform
    from app.questionnaires.schemas import DefinitionInvalid

    with _session() as session:
        rows: dict[str, str] = {}
        if file.suffix.lower() == ".xlsx":
            data: object
            data, rows = xlsform.read(file.read_bytes())
        else:
            try:
                data = json.loads(file.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise _fail(f"{file} is not a JSON file in UTF-8: {exc}") from None
        try:
            changed = service.replace_definition(session, cycle=_cycle(session, cycle), data=data, kind=_kind(kind))
        except DefinitionInvalid as exc:
            exc.problems = xlsform.locate(exc.problems, rows)
            raise
    typer.echo("The questionnaire was replaced." if changed else "The questionnaire is unchanged.")
