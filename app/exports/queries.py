"""Reads for exports and reports, limited to what the user may see (app/visibility.py).

The export statements select plain columns (no ORM objects) and are executed with ``yield_per``, which streams
rows from a server-side cursor on PostgreSQL and in batches on SQLite: memory stays flat however many rows there are.
Answers are columns of the objective reports (a correlated scalar subquery per question key on ``answer``, through
the unique index on submission, part and key) and rows of the answers dataset; ``app/exports/columns.py`` shapes
them as a reader sees them, per the questionnaire of each row's cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from sqlalchemy import ColumnElement, Row, Select, String, case, cast, exists, func, literal, select
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from app.auth.models import User
from app.catalog.models import Country, Objective, RoundTable, Subregion
from app.commitments.models import (
    Commitment,
    commitment_form,
    commitment_implementation_country,
    commitment_main_objective,
    commitment_objective,
    commitment_partner_country,
    commitment_partner_organisation,
)
from app.cycles.models import ReviewCycle
from app.exports.columns import AnswerRows, ObjectiveReportRows, question_columns
from app.exports.models import Job, JobKind
from app.indicators.models import TOTAL, Indicator, IndicatorKind, IndicatorObjective, IndicatorValue
from app.organisations.models import Organisation
from app.questionnaires.schemas import Definition
from app.questionnaires.service import definition_for
from app.submissions.models import Answer, ObjectiveReport, ReportingChoice, Submission, SubmissionStatus
from app.visibility import (
    ACCEPTED,
    readable_country_filter,
    readable_pledge_filter,
    readable_submission_filter,
    reads_everything,
)

BATCH = 1000


@dataclass(frozen=True)
class Filters:
    """What the user chose on the export form (None: all)."""

    cycle_id: int | None = None
    subregion_id: int | None = None
    objective_number: int | None = None
    status: SubmissionStatus | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "cycle_id": self.cycle_id,
            "subregion_id": self.subregion_id,
            "objective": self.objective_number,
            "status": self.status.value if self.status else None,
        }


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "int", "float", "str", "text", "date", "datetime", "bool"


# A statement of any columns (SQLAlchemy 2.1 types Select by the tuple of its columns).
AnySelect: TypeAlias = "Select[*tuple[Any, ...]]"


# Turns the statement's rows into the dataset's (e.g. answers as a reader sees them), lazily, row by row.
Shape: TypeAlias = Callable[[Iterable[Sequence[Any]]], Iterable[Sequence[Any]]]


@dataclass(frozen=True)
class Dataset:
    key: str
    columns: tuple[Column, ...]
    statement: AnySelect
    shape: Shape | None = None


def _cols(*spec: str) -> tuple[Column, ...]:
    return tuple(Column(*item.split(":")) for item in spec)


def _where(stmt: AnySelect, *clauses: object | None) -> AnySelect:
    for clause in clauses:
        if clause is not None:
            stmt = stmt.where(clause)  # type: ignore[arg-type]
    return stmt


def _joined_numbers(session: Session, column: Any) -> Any:
    """The numbers of a group joined with "; " (string_agg on PostgreSQL, group_concat on SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.string_agg(cast(column, String), literal("; "))
    return func.group_concat(column, "; ")


def _submission_filters(stmt: AnySelect, user: User | None, filters: Filters) -> AnySelect:
    return _where(
        stmt,
        readable_submission_filter(user),
        Submission.review_cycle_id == filters.cycle_id if filters.cycle_id else None,
        Country.subregion_id == filters.subregion_id if filters.subregion_id else None,
        Submission.status == filters.status if filters.status else None,
    )


def submissions(session: Session, user: User | None, filters: Filters) -> Dataset:
    stmt: AnySelect = (
        select(
            Submission.id,
            Country.iso3,
            Country.name,
            Subregion.name,
            Country.in_region,
            ReviewCycle.name,
            Submission.status,
            Submission.submitted_at,
            Submission.approved_at,
            Submission.published_at,
            Submission.updated_at,
        )
        .join(Country, Submission.country_id == Country.id)
        .outerjoin(Subregion, Country.subregion_id == Subregion.id)
        .join(ReviewCycle, Submission.review_cycle_id == ReviewCycle.id)
        .order_by(ReviewCycle.opens_on, Country.name, Submission.id)
    )
    stmt = _submission_filters(stmt, user, filters)
    if filters.objective_number:
        reported = (
            select(ObjectiveReport.id)
            .join(Objective, ObjectiveReport.objective_id == Objective.id)
            .where(
                ObjectiveReport.submission_id == Submission.id,
                Objective.number == filters.objective_number,
                ObjectiveReport.reporting == ReportingChoice.reported,
            )
        )
        stmt = stmt.where(exists(reported))
    columns = _cols(
        "submission_id:int",
        "country_iso3:str",
        "country:str",
        "subregion:str",
        "in_region:bool",
        "cycle:str",
        "status:str",
        "submitted_at:datetime",
        "approved_at:datetime",
        "published_at:datetime",
        "updated_at:datetime",
    )
    return Dataset("submissions", columns, stmt)


def covered_definitions(session: Session, filters: Filters) -> dict[int, Definition]:
    """The questionnaires of the cycles an export covers (the one chosen, or every cycle), newest cycle first."""
    stmt = select(ReviewCycle).order_by(ReviewCycle.opens_on.desc(), ReviewCycle.id.desc())
    if filters.cycle_id:
        stmt = stmt.where(ReviewCycle.id == filters.cycle_id)
    return {cycle.id: definition_for(session, cycle) for cycle in session.scalars(stmt)}


def _objective_part() -> ColumnElement[str]:
    """``objective:<n>``, the part of the objective report's answers."""
    return literal("objective:", String) + cast(Objective.number, String)


OBJECTIVE_REPORT_COLUMNS = _cols(
    "report_id:int",
    "submission_id:int",
    "country_iso3:str",
    "country:str",
    "subregion:str",
    "cycle:str",
    "submission_status:str",
    "objective:int",
    "objective_title:str",
    "round_table:int",
)


def objective_reports(session: Session, user: User | None, filters: Filters) -> Dataset:
    """One row per objective of a review: who and which, then a column per objective question of the questionnaires
    of the cycles covered (``columns.question_columns``), then when the report was last saved."""
    definitions = covered_definitions(session, filters)
    questions = question_columns(
        list(definitions.values()), [c.name for c in OBJECTIVE_REPORT_COLUMNS] + ["updated_at"]
    )
    part = _objective_part()
    answers = [
        select(Answer.value)
        .where(Answer.submission_id == ObjectiveReport.submission_id, Answer.part == part, Answer.key == q.key)
        .scalar_subquery()
        .label(f"answer_{index}")
        for index, q in enumerate(questions)
    ]
    stmt: AnySelect = (
        select(
            ObjectiveReport.id,
            Submission.id,
            Country.iso3,
            Country.name,
            Subregion.name,
            ReviewCycle.name,
            Submission.status,
            Objective.number,
            Objective.short_title,
            RoundTable.number,
            ObjectiveReport.updated_at,
            ReviewCycle.id,
            Objective.number.label("answers_objective"),
            *answers,
        )
        .join(Submission, ObjectiveReport.submission_id == Submission.id)
        .join(Objective, ObjectiveReport.objective_id == Objective.id)
        .join(RoundTable, Objective.round_table_id == RoundTable.id)
        .join(Country, Submission.country_id == Country.id)
        .outerjoin(Subregion, Country.subregion_id == Subregion.id)
        .join(ReviewCycle, Submission.review_cycle_id == ReviewCycle.id)
        .order_by(ReviewCycle.opens_on, Country.name, Objective.number, ObjectiveReport.id)
    )
    stmt = _submission_filters(stmt, user, filters)
    if filters.objective_number:
        stmt = stmt.where(Objective.number == filters.objective_number)
    columns = (
        *OBJECTIVE_REPORT_COLUMNS,
        *(Column(q.name, q.kind) for q in questions),
        Column("updated_at", "datetime"),
    )
    shape = ObjectiveReportRows(definitions, questions, identifying=len(OBJECTIVE_REPORT_COLUMNS))
    return Dataset("objective_reports", columns, stmt, shape)


ANSWER_COLUMNS = _cols(
    "answer_id:int",
    "submission_id:int",
    "cycle:str",
    "country_iso3:str",
    "country:str",
    "subregion:str",
    "status:str",
    "part:str",
    "objective:int",
    "question_key:str",
    "question_label:str",
    "question_type:str",
    "value:text",
    "raw_value:text",
    "updated_at:datetime",
)


def answers(session: Session, user: User | None, filters: Filters) -> Dataset:
    """One row per question answered in a review (a general section's or an objective's), in questionnaire order:
    the value as a reader sees it and as stored (JSON)."""
    stmt: AnySelect = (
        select(
            Answer.id,
            Submission.id,
            ReviewCycle.name,
            Country.iso3,
            Country.name,
            Subregion.name,
            Submission.status,
            Answer.part,
            Answer.key,
            Answer.value,
            Answer.updated_at,
            ReviewCycle.id,
        )
        .join(Submission, Answer.submission_id == Submission.id)
        .join(Country, Submission.country_id == Country.id)
        .outerjoin(Subregion, Country.subregion_id == Subregion.id)
        .join(ReviewCycle, Submission.review_cycle_id == ReviewCycle.id)
        .order_by(ReviewCycle.opens_on, Country.name, Submission.id, Answer.id)
    )
    stmt = _submission_filters(stmt, user, filters)
    if filters.objective_number:
        stmt = stmt.where(Answer.part == f"objective:{filters.objective_number}")
    return Dataset("answers", ANSWER_COLUMNS, stmt, AnswerRows(covered_definitions(session, filters)))


def _joined_of(session: Session, table: Any, column: Any, target: Any, key: Any) -> Any:
    """The ``key`` values (joined with "; ") of the rows of ``target`` a pledge links to through ``table``."""
    return (
        select(_joined_numbers(session, key))
        .select_from(table)
        .join(target, column == target.id)
        .where(table.c.commitment_id == Commitment.id)
        .scalar_subquery()
    )


def commitments(session: Session, user: User | None, filters: Filters) -> Dataset:
    """The pledges the user may read, States' and organisations'; the contact person only for the secretariat."""
    objectives = _joined_of(
        session, commitment_objective, commitment_objective.c.objective_id, Objective, Objective.number
    )
    main = _joined_of(
        session, commitment_main_objective, commitment_main_objective.c.objective_id, Objective, Objective.number
    )
    places = aliased(Country)
    implementation = _joined_of(
        session, commitment_implementation_country, commitment_implementation_country.c.country_id, places, places.iso3
    )
    partner_states = aliased(Country)
    partner_countries = _joined_of(
        session, commitment_partner_country, commitment_partner_country.c.country_id, partner_states,
        partner_states.iso3,
    )  # fmt: skip
    partner_organisations = _joined_of(
        session, commitment_partner_organisation, commitment_partner_organisation.c.organisation_id, Organisation,
        Organisation.name,
    )  # fmt: skip
    forms = (
        select(_joined_numbers(session, commitment_form.c.form))
        .where(commitment_form.c.commitment_id == Commitment.id)
        .scalar_subquery()
    )
    matched = aliased(Commitment)
    pledging = aliased(Organisation)
    entity_type = case((Commitment.organisation_id.is_(None), literal("state")), else_=pledging.type)
    contact = reads_everything(user)
    stmt: AnySelect = (
        select(
            Commitment.id,
            Commitment.reference,
            entity_type,
            Country.iso3,
            Country.name,
            pledging.name,
            Subregion.name,
            Commitment.title,
            Commitment.description,
            forms,
            Commitment.pledge_type,
            Commitment.partners,
            partner_countries,
            partner_organisations,
            select(matched.reference).where(matched.id == Commitment.matched_commitment_id).scalar_subquery(),
            Commitment.external_pledge_id,
            Commitment.scope_level,
            implementation,
            Commitment.scope,
            Commitment.champion,
            Commitment.timeframe_start,
            Commitment.timeframe_end,
            Commitment.status,
            main,
            objectives,
            *((Commitment.contact_name, Commitment.contact_position, Commitment.contact_email) if contact else ()),
            Commitment.updated_at,
        )
        .outerjoin(Country, Commitment.country_id == Country.id)
        .outerjoin(pledging, Commitment.organisation_id == pledging.id)
        .outerjoin(Subregion, Country.subregion_id == Subregion.id)
        .order_by(Commitment.organisation_id.is_not(None), Country.name, pledging.name, Commitment.reference)
    )
    stmt = _where(
        stmt,
        readable_pledge_filter(user, Commitment.country_id, Commitment.organisation_id),
        Country.subregion_id == filters.subregion_id if filters.subregion_id else None,
    )
    if filters.objective_number:
        linked = (
            select(commitment_objective.c.commitment_id)
            .join(Objective, commitment_objective.c.objective_id == Objective.id)
            .where(commitment_objective.c.commitment_id == Commitment.id, Objective.number == filters.objective_number)
        )
        stmt = stmt.where(exists(linked))
    columns = _cols(
        "commitment_id:int",
        "reference:str",
        "entity_type:str",
        "country_iso3:str",
        "country:str",
        "organisation:str",
        "subregion:str",
        "title:str",
        "description:text",
        "forms:str",
        "pledge_type:str",
        "partners:text",
        "partner_countries:str",
        "partner_organisations:text",
        "matched_reference:str",
        "external_pledge_id:str",
        "scope:str",
        "implementation_countries:str",
        "scope_description:text",
        "champion:bool",
        "timeframe_start:date",
        "timeframe_end:date",
        "status:str",
        "main_objectives:str",
        "objectives:str",
        *(("contact_name:str", "contact_position:str", "contact_email:str") if contact else ()),
        "updated_at:datetime",
    )
    return Dataset("commitments", columns, stmt)


def indicator_values(session: Session, user: User | None, filters: Filters) -> Dataset:
    stmt: AnySelect = (
        select(
            IndicatorValue.id,
            Indicator.code,
            Indicator.name,
            Indicator.unit,
            Country.iso3,
            Country.name,
            Subregion.name,
            IndicatorValue.period,
            IndicatorValue.value,
            IndicatorValue.sex,
            IndicatorValue.age_group,
            IndicatorValue.migratory_status,
            IndicatorValue.status,
            IndicatorValue.source,
            IndicatorValue.note,
            IndicatorValue.updated_at,
        )
        .join(Indicator, IndicatorValue.indicator_id == Indicator.id)
        .join(Country, IndicatorValue.country_id == Country.id)
        .outerjoin(Subregion, Country.subregion_id == Subregion.id)
        .order_by(Indicator.code, Country.name, IndicatorValue.period, IndicatorValue.id)
    )
    stmt = _where(
        stmt,
        readable_country_filter(user, IndicatorValue.country_id),
        Country.subregion_id == filters.subregion_id if filters.subregion_id else None,
    )
    if filters.objective_number:
        linked = (
            select(IndicatorObjective.indicator_id)
            .join(Objective, IndicatorObjective.objective_id == Objective.id)
            .where(IndicatorObjective.indicator_id == Indicator.id, Objective.number == filters.objective_number)
        )
        stmt = stmt.where(exists(linked))
    columns = _cols(
        "value_id:int",
        "indicator:str",
        "indicator_name:str",
        "unit:str",
        "country_iso3:str",
        "country:str",
        "subregion:str",
        "period:str",
        "value:float",
        "sex:str",
        "age_group:str",
        "migratory_status:str",
        "status:str",
        "source:str",
        "note:text",
        "updated_at:datetime",
    )
    return Dataset("indicator_values", columns, stmt)


CONTRIBUTION_COLUMNS = _cols(
    "contribution_id:int",
    "cycle:str",
    "organisation:str",
    "organisation_type:str",
    "organisation_country_iso3:str",
    "part:str",
    "objective:int",
    "question_key:str",
    "question_label:str",
    "value:text",
    "updated_at:datetime",
)


def contributions(session: Session, user: User | None, filters: Filters) -> Dataset:
    """Input from stakeholders: one row per accepted contribution × part × question answered (never in the States'
    datasets); the organisation named, or by its type only, as its consent says."""
    from app.contributions.citations import ContributionRows, stakeholder_definitions
    from app.contributions.models import Contribution, ContributionAnswer, ContributionStatus
    from app.organisations.models import Organisation

    country = aliased(Country)
    stmt: AnySelect = (
        select(
            Contribution.id,
            ReviewCycle.name,
            Organisation.name,
            Organisation.type,
            Contribution.consent,
            country.iso3,
            ContributionAnswer.part,
            ContributionAnswer.key,
            ContributionAnswer.value,
            ContributionAnswer.updated_at,
            ReviewCycle.id,
        )
        .join(Contribution, Contribution.id == ContributionAnswer.contribution_id)
        .join(Organisation, Organisation.id == Contribution.organisation_id)
        .outerjoin(country, country.id == Organisation.country_id)
        .join(ReviewCycle, ReviewCycle.id == Contribution.review_cycle_id)
        .where(Contribution.status == ContributionStatus.accepted)
        .order_by(ReviewCycle.opens_on, Organisation.name, Contribution.id, ContributionAnswer.id)
    )
    if filters.cycle_id is not None:
        stmt = stmt.where(Contribution.review_cycle_id == filters.cycle_id)
    if filters.objective_number:
        stmt = stmt.where(ContributionAnswer.part == f"objective:{filters.objective_number}")
    cycles = {c.id for c in session.scalars(select(ReviewCycle))}
    return Dataset(
        "contributions", CONTRIBUTION_COLUMNS, stmt, ContributionRows(stakeholder_definitions(session, cycles))
    )


DATASETS = {
    "submissions": submissions,
    "objective_reports": objective_reports,
    "answers": answers,
    "commitments": commitments,
    "indicator_values": indicator_values,
    "contributions": contributions,
}


def stream_rows(session: Session, dataset: Dataset) -> Iterator[Sequence[Any]]:
    """The dataset's rows, fetched BATCH at a time (a server-side cursor on PostgreSQL)."""
    result = session.execute(dataset.statement.execution_options(yield_per=BATCH))
    try:
        yield from dataset.shape(result) if dataset.shape is not None else result
    finally:
        result.close()


# ---- form choices ----------------------------------------------------------------------------------------------


def list_cycles(session: Session) -> list[ReviewCycle]:
    return list(session.scalars(select(ReviewCycle).order_by(ReviewCycle.opens_on.desc())))


def get_cycle(session: Session, cycle_id: int) -> ReviewCycle | None:
    return session.get(ReviewCycle, cycle_id)


def list_subregions(session: Session) -> list[Subregion]:
    return list(session.scalars(select(Subregion).order_by(Subregion.sort_order, Subregion.name)))


def list_objectives(session: Session) -> list[Objective]:
    return list(session.scalars(select(Objective).order_by(Objective.number)))


def list_readable_countries(session: Session, user: User | None) -> list[Country]:
    stmt = _where(select(Country).order_by(Country.name), readable_country_filter(user, Country.id))
    return list(session.scalars(stmt))


def get_country(session: Session, iso3: str) -> Country | None:
    stmt = select(Country).where(Country.iso3 == iso3.upper()).options(joinedload(Country.subregion))
    return session.scalar(stmt)


# ---- report content --------------------------------------------------------------------------------------------


def count_regional_countries(session: Session) -> int:
    return session.scalar(select(func.count(Country.id)).where(Country.in_region.is_(True))) or 0


def list_subregions_with_counts(session: Session) -> list[tuple[Subregion, int]]:
    stmt = (
        select(Subregion, func.count(Country.id))
        .join(Country, Country.subregion_id == Subregion.id)
        .group_by(Subregion.id)
        .order_by(Subregion.sort_order, Subregion.name)
    )
    return [(s, n) for s, n in session.execute(stmt)]


def list_round_tables(session: Session) -> list[RoundTable]:
    stmt = select(RoundTable).order_by(RoundTable.number).options(selectinload(RoundTable.objectives))
    return list(session.scalars(stmt))


def accepted_submissions(session: Session, cycle_id: int) -> list[Submission]:
    """The cycle's approved and published submissions (never drafts), with country and subregion."""
    stmt = (
        select(Submission)
        .join(Country, Submission.country_id == Country.id)
        .where(Submission.review_cycle_id == cycle_id, Submission.status.in_(ACCEPTED))
        .options(joinedload(Submission.country).joinedload(Country.subregion), joinedload(Submission.review_cycle))
        .order_by(Country.name)
    )
    return list(session.scalars(stmt))


def reports_for(session: Session, submission_ids: list[int], objective_id: int | None = None) -> list[ObjectiveReport]:
    if not submission_ids:
        return []
    stmt = (
        select(ObjectiveReport)
        .where(ObjectiveReport.submission_id.in_(submission_ids))
        .options(joinedload(ObjectiveReport.objective))
        .order_by(ObjectiveReport.submission_id, ObjectiveReport.objective_id)
    )
    if objective_id is not None:
        stmt = stmt.where(ObjectiveReport.objective_id == objective_id)
    return list(session.scalars(stmt))


def answers_for(
    session: Session, submission_ids: list[int], part: str | None = None
) -> dict[tuple[int, str], dict[str, Any]]:
    """The answers of the given submissions (of one part, or of all), as ``{(submission_id, part): {key: value}}``;
    a cleared answer (null) is left out."""
    found: dict[tuple[int, str], dict[str, Any]] = {}
    if not submission_ids:
        return found
    stmt = select(Answer.submission_id, Answer.part, Answer.key, Answer.value).where(
        Answer.submission_id.in_(submission_ids)
    )
    if part is not None:
        stmt = stmt.where(Answer.part == part)
    for submission_id, answer_part, key, value in session.execute(stmt.order_by(Answer.id)):
        if value is not None:
            found.setdefault((submission_id, answer_part), {})[key] = value
    return found


def answer_languages(
    session: Session, submission_ids: list[int], part: str | None = None
) -> dict[tuple[int, str], str]:
    """The language of each text answer where it is known (``answer.language``), as ``{(submission_id, key): code}``
    for one part (or every part: then keyed ``(submission_id, "part/key")``). A quote names it."""
    found: dict[tuple[int, str], str] = {}
    if not submission_ids:
        return found
    stmt = select(Answer.submission_id, Answer.part, Answer.key, Answer.language).where(
        Answer.submission_id.in_(submission_ids), Answer.language.is_not(None)
    )
    if part is not None:
        stmt = stmt.where(Answer.part == part)
    for submission_id, answer_part, key, language in session.execute(stmt):
        if language:
            found[(submission_id, key if part is not None else f"{answer_part}/{key}")] = language
    return found


def regional_indicators(session: Session) -> list[Indicator]:
    """Indicators with a regional meaning (SDG and context series, not a State's own), with their objectives."""
    stmt = (
        select(Indicator)
        .where(Indicator.kind != IndicatorKind.national)
        .options(selectinload(Indicator.objective_links).joinedload(IndicatorObjective.objective))
        .order_by(Indicator.code)
    )
    return list(session.scalars(stmt))


def total_values(session: Session, country_ids: list[int]) -> list[IndicatorValue]:
    """Recorded (not missing) totals of the given countries, newest period first."""
    if not country_ids:
        return []
    stmt = (
        select(IndicatorValue)
        .where(
            IndicatorValue.country_id.in_(country_ids),
            IndicatorValue.value.is_not(None),
            IndicatorValue.sex == TOTAL,
            IndicatorValue.age_group == TOTAL,
            IndicatorValue.migratory_status == TOTAL,
        )
        .options(joinedload(IndicatorValue.indicator))
        .order_by(IndicatorValue.indicator_id, IndicatorValue.period.desc(), IndicatorValue.country_id)
    )
    return list(session.scalars(stmt))


def visible_submissions_of(session: Session, user: User | None, country_id: int) -> list[Submission]:
    stmt = _where(
        select(Submission)
        .join(ReviewCycle, Submission.review_cycle_id == ReviewCycle.id)
        .where(Submission.country_id == country_id)
        .options(joinedload(Submission.review_cycle))
        .order_by(ReviewCycle.opens_on.desc()),
        readable_submission_filter(user),
    )
    return list(session.scalars(stmt))


def commitments_of(session: Session, country_id: int) -> list[Commitment]:
    stmt = (
        select(Commitment)
        .where(Commitment.country_id == country_id)
        .options(selectinload(Commitment.objectives))
        .order_by(Commitment.reference)
    )
    return list(session.scalars(stmt))


def count_pledges(session: Session, country_ids: list[int]) -> tuple[int, int]:
    """How many pledges the given States made, and how many of the States made one (the synthesis' key figures)."""
    if not country_ids:
        return 0, 0
    stmt = select(func.count(Commitment.id), func.count(func.distinct(Commitment.country_id))).where(
        Commitment.country_id.in_(country_ids)
    )
    pledges, states = session.execute(stmt).one()
    return int(pledges or 0), int(states or 0)


# ---- jobs ------------------------------------------------------------------------------------------------------


def get_job(session: Session, job_id: int) -> Job | None:
    return session.get(Job, job_id)


def list_jobs_of(session: Session, user: User, limit: int = 10) -> list[Job]:
    stmt = select(Job).where(Job.created_by_id == user.id).order_by(Job.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def job_result(session: Session, job_id: int) -> bytes | None:
    return session.scalar(select(Job.result).where(Job.id == job_id))


# The job queue (app/exports/service.py).


def any_job_matching(session: Session, condition: ColumnElement[bool]) -> bool:
    """Whether any job matches (one read)."""
    return session.scalar(select(Job.id).where(condition).limit(1)) is not None


def oldest_job_matching(session: Session, *conditions: ColumnElement[bool], skip_locked: bool) -> int | None:
    """The id of the oldest job matching, locked FOR UPDATE SKIP LOCKED when ``skip_locked`` (PostgreSQL)."""
    candidates = select(Job.id).where(*conditions).order_by(Job.id).limit(1)
    if skip_locked:
        candidates = candidates.with_for_update(skip_locked=True)
    return session.scalar(candidates)


def job_run_details(session: Session, job_id: int) -> Row[JobKind, dict[str, Any], int | None, int, str]:
    """What a run needs of its job: kind, params, created_by_id, attempts, language (the job must exist)."""
    stmt = select(Job.kind, Job.params, Job.created_by_id, Job.attempts, Job.language).where(Job.id == job_id)
    return session.execute(stmt).one()
