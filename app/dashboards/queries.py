"""Reads for the dashboards: each a single GROUP BY or a bounded select, limited to what the user may read.

Every dashboard page runs a fixed number of these, whatever the number of rows (tests/dashboards/test_queries.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    String,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased, joinedload

from app.auth.models import Role, User
from app.catalog.models import Country, Objective, Principle, RoundTable, Subregion
from app.commitments.models import (
    Commitment,
    CommitmentStatus,
    commitment_implementation_country,
    commitment_objective,
    commitment_principle,
)
from app.cycles.models import ReviewCycle
from app.indicators.models import Indicator, IndicatorObjective, IndicatorValue, ValueStatus
from app.indicators.schemas import Disaggregation
from app.organisations.models import Organisation
from app.questionnaires.models import Questionnaire, QuestionnaireKind
from app.submissions.models import Answer, AnswerChoice, ObjectiveReport, ReportingChoice, Submission, SubmissionStatus
from app.visibility import (
    readable_country_filter,
    readable_country_ids,
    readable_pledge_filter,
    readable_submission_filter,
    reads_everything,
)


def breakdown_filter(d: Disaggregation) -> list[object]:
    return [
        IndicatorValue.sex == d.sex,
        IndicatorValue.migratory_status == d.migratory_status,
        IndicatorValue.age_group == d.age_group,
    ]


def value_groups(session: Session, conditions: list[object]) -> list[Row[str, Any, int, Any, Any, Any]]:
    """The one GROUP BY (period, subregion) of ``aggregates.aggregate``: period, subregion id, count of values,
    their sum, how many are provisional and how many not yet reviewed, over the values matching ``conditions``."""
    provisional = func.sum(case((IndicatorValue.status == ValueStatus.provisional.value, 1), else_=0))
    unreviewed = func.sum(case((IndicatorValue.reviewed_at.is_(None), 1), else_=0))
    stmt = (
        select(
            IndicatorValue.period,
            Country.subregion_id,
            func.count(IndicatorValue.value),
            func.sum(IndicatorValue.value),
            provisional,
            unreviewed,
        )
        .join(Country, Country.id == IndicatorValue.country_id)
        .where(and_(*conditions))  # type: ignore[arg-type]
        .group_by(IndicatorValue.period, Country.subregion_id)
    )
    return list(session.execute(stmt))


def subregions_with_region_counts(session: Session) -> list[Row[int, str, int]]:
    """The subregions in their order, each with its number of countries inside the region."""
    stmt = (
        select(Subregion.id, Subregion.name, func.count(Country.id))
        .join(Country, and_(Country.subregion_id == Subregion.id, Country.in_region.is_(True)), isouter=True)
        .group_by(Subregion.id, Subregion.name, Subregion.sort_order)
        .order_by(Subregion.sort_order, Subregion.name)
    )
    return list(session.execute(stmt))


@dataclass(frozen=True)
class Filters:
    """The dashboard filters, as parsed from the URL (None: not filtered)."""

    cycle_id: int | None = None
    subregion_id: int | None = None
    objective: int | None = None  # an objective's number
    round_table: int | None = None  # RT number
    principle: str | None = None  # a principle's code (a-j)
    entity_type: str | None = None  # pledges only: "state" or an organisation type


@dataclass(frozen=True)
class Reference:
    cycles: list[ReviewCycle]
    subregions: list[Subregion]
    countries: list[Country]  # every country, by name, subregion loaded
    objectives: list[Objective]
    round_tables: list[RoundTable]
    principles: list[Principle]


def cycles_latest_first(session: Session) -> list[ReviewCycle]:
    return list(session.scalars(select(ReviewCycle).order_by(ReviewCycle.opens_on.desc(), ReviewCycle.id.desc())))


def load_reference(session: Session) -> Reference:
    """Everything the filters and the headings name: six small selects."""
    cycles = cycles_latest_first(session)
    subregions = list(session.scalars(select(Subregion).order_by(Subregion.sort_order, Subregion.name)))
    countries = list(session.scalars(select(Country).options(joinedload(Country.subregion)).order_by(Country.name)))
    objectives = list(session.scalars(select(Objective).order_by(Objective.number)))
    round_tables = list(session.scalars(select(RoundTable).order_by(RoundTable.number)))
    principles = list(session.scalars(select(Principle).order_by(Principle.code)))
    return Reference(cycles, subregions, countries, objectives, round_tables, principles)


def _objective_condition(column: object, f: Filters) -> list[object]:
    out: list[object] = []
    if f.objective is not None:
        out.append(Objective.number == f.objective)
    if f.round_table is not None:
        out.append(Objective.round_table_id.in_(select(RoundTable.id).where(RoundTable.number == f.round_table)))
    return out


def _country_condition(column: object, f: Filters) -> list[object]:
    if f.subregion_id is None:
        return []
    return [column.in_(select(Country.id).where(Country.subregion_id == f.subregion_id))]  # type: ignore[attr-defined]


def pledge_subregion_condition(f: Filters) -> list[ColumnElement[bool]]:
    """The subregion filter of pledges (dashboards, search). A State's pledge is the pledging State's: it matches
    when that State is in the subregion (as the States' figures, which add up across subregions). An organisation
    has no State of its own: its pledge matches when the organisation's country is in the subregion, or when one of
    the pledge's countries of implementation is (a regional network's pledge for the Mekong counts there, wherever
    the network sits), so an organisation's pledge may count in several subregions."""
    if f.subregion_id is None:
        return []
    in_subregion = select(Country.id).where(Country.subregion_id == f.subregion_id)
    implemented = select(commitment_implementation_country.c.commitment_id).where(
        commitment_implementation_country.c.country_id.in_(in_subregion)
    )
    organisations = select(Organisation.id).where(Organisation.country_id.in_(in_subregion))
    return [
        or_(
            Commitment.country_id.in_(in_subregion),
            and_(
                Commitment.organisation_id.is_not(None),
                or_(Commitment.organisation_id.in_(organisations), Commitment.id.in_(implemented)),
            ),
        )
    ]


def _readable_submissions(user: User | None) -> list[object]:
    where = readable_submission_filter(user)
    return [] if where is None else [where]


def readable_countries(session: Session, *, user: User | None) -> frozenset[int] | None:
    """The countries whose profile the user may open (None: every country)."""
    if reads_everything(user):
        return None
    ids = set(session.scalars(readable_country_ids(user)))
    if user is not None and user.role is Role.focal_point and user.country_id is not None:
        ids.add(user.country_id)
    return frozenset(ids)


def submission_statuses(session: Session, *, user: User | None, f: Filters) -> dict[int, SubmissionStatus]:
    """country id → status of its submission for the cycle, among the submissions the user may read."""
    if f.cycle_id is None:
        return {}
    stmt = select(Submission.country_id, Submission.status).where(
        Submission.review_cycle_id == f.cycle_id,
        *_readable_submissions(user),  # type: ignore[arg-type]
        *_country_condition(Submission.country_id, f),  # type: ignore[arg-type]
    )
    return {cid: SubmissionStatus(status) for cid, status in session.execute(stmt)}


@dataclass(frozen=True)
class ReportCell:
    reporting: ReportingChoice
    rating: int | None  # the step of the cycle's rating scale (ObjectiveReport.rating)


def objective_part(number: ColumnElement[int] | InstrumentedAttribute[int]) -> ColumnElement[str]:
    """The answers' part of an objective, ``objective:<n>``, built in SQL (portable: ``||`` on both databases)."""
    return literal("objective:", String) + cast(number, String)


def report_matrix(
    session: Session, *, user: User | None, f: Filters, principle_keys: tuple[str, ...] = ()
) -> dict[tuple[int, int], ReportCell]:
    """(country id, objective number) → the objective report of the cycle (one select of two columns per report).

    ``principle_keys``: the keys of the questionnaire's ``principles`` questions (what the principle filter reads)."""
    if f.cycle_id is None:
        return {}
    stmt = (
        select(Submission.country_id, Objective.number, ObjectiveReport.reporting, ObjectiveReport.rating)
        .join(Submission, Submission.id == ObjectiveReport.submission_id)
        .join(Objective, Objective.id == ObjectiveReport.objective_id)
        .where(
            Submission.review_cycle_id == f.cycle_id,
            *_readable_submissions(user),  # type: ignore[arg-type]
            *_country_condition(Submission.country_id, f),  # type: ignore[arg-type]
            *_objective_condition(Objective.number, f),  # type: ignore[arg-type]
        )
    )
    if f.principle is not None:
        stmt = stmt.where(applies_principle(f.principle, principle_keys))
    return {(cid, number): _cell(reporting, rating) for cid, number, reporting, rating in session.execute(stmt)}


_REPORT_CELLS: dict[tuple[str, int | None], ReportCell] = {}  # shared cells (a page has about 1,400 of them)


def _cell(reporting: str, rating: int | None) -> ReportCell:
    key = (str(reporting), rating)
    cell = _REPORT_CELLS.get(key)
    if cell is None:
        cell = _REPORT_CELLS.setdefault(key, ReportCell(ReportingChoice(reporting), rating))
    return cell


def applies_principle(code: str, keys: tuple[str, ...]) -> ColumnElement[bool]:
    """Whether the objective report (correlated: ObjectiveReport and Objective in the enclosing select) answers that
    it applies the principle: an answer of one of ``keys`` (principles questions) in its part chose ``code``."""
    if not keys:
        return false()
    answer, choice = aliased(Answer), aliased(AnswerChoice)  # never correlated with rows the enclosing select reads
    return exists().where(
        answer.submission_id == ObjectiveReport.submission_id,
        answer.part == objective_part(Objective.number),
        answer.key.in_(keys),
        choice.answer_id == answer.id,
        choice.value == code,
    )


def principle_counts(
    session: Session, *, user: User | None, f: Filters, principle_keys: tuple[str, ...]
) -> dict[str, int]:
    """principle code → the number of States inside the region reporting that they apply it (in the cycle): the
    choices of the answers to ``principle_keys`` (the questionnaire's principles questions) of reported objectives."""
    if f.cycle_id is None or not principle_keys:
        return {}
    stmt = (
        select(AnswerChoice.value, func.count(func.distinct(Submission.country_id)))
        .select_from(ObjectiveReport)
        .join(Objective, Objective.id == ObjectiveReport.objective_id)
        .join(Submission, Submission.id == ObjectiveReport.submission_id)
        .join(Country, Country.id == Submission.country_id)
        .join(
            Answer,
            and_(
                Answer.submission_id == ObjectiveReport.submission_id,
                Answer.part == objective_part(Objective.number),
                Answer.key.in_(principle_keys),
            ),
        )
        .join(AnswerChoice, AnswerChoice.answer_id == Answer.id)
        .where(
            Submission.review_cycle_id == f.cycle_id,
            Country.in_region.is_(True),
            ObjectiveReport.reporting == ReportingChoice.reported.value,
            *_readable_submissions(user),  # type: ignore[arg-type]
            *_country_condition(Submission.country_id, f),  # type: ignore[arg-type]
            *_objective_condition(Objective.number, f),  # type: ignore[arg-type]
        )
        .group_by(AnswerChoice.value)
    )
    return {code: int(n) for code, n in session.execute(stmt)}


def questionnaire_definitions(session: Session) -> list[tuple[int, dict[str, Any]]]:
    """(cycle id, definition JSON) of every stored questionnaire (one per cycle: a small select)."""
    stmt = select(Questionnaire.review_cycle_id, Questionnaire.definition).where(
        Questionnaire.kind == QuestionnaireKind.states  # the stakeholders' questionnaires are never States' figures
    )
    return [(cid, d) for cid, d in session.execute(stmt)]


@dataclass(frozen=True)
class ChoiceQuestions:
    """The choice-like questions a distribution counts: section questions by (part, key), objective questions by key."""

    sections: tuple[tuple[str, str], ...] = ()
    objective_keys: tuple[str, ...] = ()


SECTION_ROWS = "section"
OBJECTIVE_ROWS = "objective"


def choice_rows(
    session: Session,
    *,
    user: User | None,
    f: Filters,
    questions: ChoiceQuestions,
    principle_keys: tuple[str, ...] = (),
    objective_id: int | None = None,
    accepted_only: bool = False,
) -> list[tuple[str, str, str, int]]:
    """(part, key, value, country id) once per State inside the region that chose the value, in the cycle, among the
    submissions the user may read: a section question's part is ``section:<key>``; an objective question's rows
    have part "objective" (its reported objectives taken together: the filters', or ``objective_id`` alone).
    At most (States × values) rows per question, whatever the number of reports; one select (a UNION ALL)."""
    if f.cycle_id is None or not (questions.sections or questions.objective_keys):
        return []
    common = [
        Submission.review_cycle_id == f.cycle_id,
        Country.in_region.is_(True),
        *_readable_submissions(user),
        *_country_condition(Submission.country_id, f),
    ]
    if accepted_only:
        common.append(Submission.status.in_((SubmissionStatus.approved.value, SubmissionStatus.published.value)))
    selects = []
    if questions.sections:
        by_part: dict[str, list[str]] = {}
        for part, key in questions.sections:
            by_part.setdefault(part, []).append(key)
        selects.append(
            select(Answer.part, Answer.key, AnswerChoice.value, Submission.country_id)
            .select_from(AnswerChoice)
            .join(Answer, Answer.id == AnswerChoice.answer_id)
            .join(Submission, Submission.id == Answer.submission_id)
            .join(Country, Country.id == Submission.country_id)
            .where(
                or_(*(and_(Answer.part == part, Answer.key.in_(keys)) for part, keys in by_part.items())),
                *common,  # type: ignore[arg-type]
            )
            .group_by(Answer.part, Answer.key, AnswerChoice.value, Submission.country_id)
        )
    if questions.objective_keys:
        where: list[object] = [
            ObjectiveReport.reporting == ReportingChoice.reported.value,
            *common,
        ]
        if objective_id is not None:
            where.append(ObjectiveReport.objective_id == objective_id)
        else:
            where += _objective_condition(Objective.number, f)
            if f.principle is not None:
                where.append(applies_principle(f.principle, principle_keys))
        answer = aliased(Answer)
        selects.append(
            select(literal(OBJECTIVE_ROWS, String), answer.key, AnswerChoice.value, Submission.country_id)
            .select_from(ObjectiveReport)
            .join(Objective, Objective.id == ObjectiveReport.objective_id)
            .join(Submission, Submission.id == ObjectiveReport.submission_id)
            .join(Country, Country.id == Submission.country_id)
            .join(
                answer,
                and_(
                    answer.submission_id == ObjectiveReport.submission_id,
                    answer.part == objective_part(Objective.number),
                    answer.key.in_(questions.objective_keys),
                ),
            )
            .join(AnswerChoice, AnswerChoice.answer_id == answer.id)
            .where(*where)  # type: ignore[arg-type]
            .group_by(answer.key, AnswerChoice.value, Submission.country_id)
        )
    stmt = selects[0] if len(selects) == 1 else union_all(*selects)
    return [(str(p), str(k), str(v), int(c)) for p, k, v, c in session.execute(stmt)]


def _pledges_of(stmt: Select, user: User | None, f: Filters, *, in_region: bool = True) -> Select:
    """Pledges counted on the dashboards: of States (inside the region, for figures) and of organisations, that the
    user may read, of the entity type filtered (and, with a subregion, those ``pledge_subregion_condition`` keeps:
    its States' and the organisations' placed or implementing there)."""
    stmt = stmt.outerjoin(Country, Country.id == Commitment.country_id).where(*pledge_subregion_condition(f))
    if in_region:
        stmt = stmt.where(or_(Commitment.organisation_id.is_not(None), Country.in_region.is_(True)))
    if f.entity_type == "state":
        stmt = stmt.where(Commitment.country_id.is_not(None))
    elif f.entity_type:
        stmt = stmt.where(
            Commitment.organisation_id.in_(select(Organisation.id).where(Organisation.type == f.entity_type))
        )
    readable = readable_pledge_filter(user, Commitment.country_id, Commitment.organisation_id)
    return stmt if readable is None else stmt.where(readable)


@dataclass(frozen=True)
class PledgeTallies:
    """The dashboards' pledge figures, from one query (a UNION ALL of three GROUP BYs)."""

    by_objective: dict[tuple[int, CommitmentStatus], int]  # (objective number, status) -> pledges
    by_entity: dict[str, int]  # "state" or an organisation type -> pledges
    by_place: dict[int, int]  # country of implementation id -> pledges


def _principle_filter(stmt: Select, f: Filters) -> Select:
    if f.principle is None:
        return stmt
    return stmt.where(
        exists().where(
            commitment_principle.c.commitment_id == Commitment.id,
            commitment_principle.c.principle_id
            == select(Principle.id).where(Principle.code == f.principle).scalar_subquery(),
        )
    )


def _objective_filter(stmt: Select, objective_id: int | None, f: Filters) -> Select:
    if objective_id is None and f.objective is None:
        return stmt
    wanted = (
        literal(objective_id)
        if objective_id is not None
        else select(Objective.id).where(Objective.number == f.objective).scalar_subquery()
    )
    return stmt.where(
        exists().where(
            commitment_objective.c.commitment_id == Commitment.id, commitment_objective.c.objective_id == wanted
        )
    )


def pledge_tallies(
    session: Session, *, user: User | None, f: Filters, objective_id: int | None = None
) -> PledgeTallies:
    """Pledges (States' inside the region and organisations', that the user may read, of the filtered entity type)
    by objective and status, by pledging entity type and by country of implementation; ``objective_id``: of the
    pledges addressing that objective only (its page)."""
    by_objective = (
        select(
            literal("objective").label("tag"),
            cast(Objective.number, String).label("key"),
            cast(Commitment.status, String).label("status"),
            func.count(func.distinct(Commitment.id)).label("n"),
        )
        .select_from(Commitment)
        .join(commitment_objective, commitment_objective.c.commitment_id == Commitment.id)
        .join(Objective, Objective.id == commitment_objective.c.objective_id)
        .where(*_objective_condition(Objective.number, f))  # type: ignore[arg-type]
        .group_by(Objective.number, Commitment.status)
    )
    if objective_id is not None:
        by_objective = by_objective.where(Objective.id == objective_id)
    kind = case((Commitment.organisation_id.is_(None), literal("state")), else_=cast(Organisation.type, String))
    by_entity = (
        select(literal("entity"), kind, literal(""), func.count(Commitment.id))
        .select_from(Commitment)
        .outerjoin(Organisation, Organisation.id == Commitment.organisation_id)
        .group_by(kind)
    )
    place = commitment_implementation_country.c.country_id
    by_place = (
        select(literal("place"), cast(place, String), literal(""), func.count(func.distinct(Commitment.id)))
        .select_from(Commitment)
        .join(commitment_implementation_country, commitment_implementation_country.c.commitment_id == Commitment.id)
        .group_by(place)
    )
    parts = [_principle_filter(_pledges_of(by_objective, user, f), f)]
    for stmt in (by_entity, by_place):
        parts.append(_principle_filter(_objective_filter(_pledges_of(stmt, user, f), objective_id, f), f))
    objectives: dict[tuple[int, CommitmentStatus], int] = {}
    entities: dict[str, int] = {}
    places: dict[int, int] = {}
    for tag, key, status, n in session.execute(union_all(*parts)):
        if tag == "objective":
            objectives[(int(key), CommitmentStatus(status))] = int(n)
        elif tag == "entity":
            entities[str(key)] = int(n)
        else:
            places[int(key)] = int(n)
    return PledgeTallies(objectives, entities, places)


def country_implemented_pledges(
    session: Session, country_id: int, *, user: User | None, limit: int
) -> tuple[int, list[Commitment]]:
    """How many pledges of other entities are implemented in the country (readable), and the first ``limit``."""
    stmt = (
        select(Commitment)
        .join(commitment_implementation_country, commitment_implementation_country.c.commitment_id == Commitment.id)
        .where(
            commitment_implementation_country.c.country_id == country_id,
            or_(Commitment.country_id.is_(None), Commitment.country_id != country_id),
        )
        .options(joinedload(Commitment.country), joinedload(Commitment.organisation))
        .order_by(Commitment.reference)
    )
    readable = readable_pledge_filter(user, Commitment.country_id, Commitment.organisation_id)
    if readable is not None:
        stmt = stmt.where(readable)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    return int(total), list(session.scalars(stmt.limit(limit)).unique())


# ---- the indicator explorer ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueCell:
    value: float | None
    provisional: bool
    reviewed: bool = True  # False: entered or changed by the State's focal point, not yet reviewed


def latest_periods(session: Session, indicator: Indicator, *, disaggregation: Disaggregation, limit: int) -> list[str]:
    """The latest ``limit`` periods with a value of the breakdown, latest first (what the explorer shows)."""
    stmt = (
        select(IndicatorValue.period)
        .where(IndicatorValue.indicator_id == indicator.id, *breakdown_filter(disaggregation))  # type: ignore[arg-type]
        .group_by(IndicatorValue.period)
        .order_by(IndicatorValue.period.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def explorer_indicators(session: Session, *, user: User | None) -> list[Indicator]:
    """The indicators the user may read, for the explorer's choice (one select, no relationships)."""
    stmt = select(Indicator)
    own = readable_country_filter(user, Indicator.country_id)
    if own is not None:
        stmt = stmt.where(Indicator.country_id.is_(None) | own)
    return list(session.scalars(stmt))


def explorer_indicator(session: Session, *, user: User | None, code: str) -> Indicator | None:
    """The indicator with this code, if the user may read it (one select)."""
    stmt = select(Indicator).where(Indicator.code == code)
    own = readable_country_filter(user, Indicator.country_id)
    if own is not None:
        stmt = stmt.where(Indicator.country_id.is_(None) | own)
    return session.scalars(stmt).first()


def indicator_values(
    session: Session,
    indicator: Indicator,
    *,
    user: User | None,
    disaggregation: Disaggregation,
    f: Filters,
    periods: list[str],
) -> dict[tuple[int, str], ValueCell]:
    """(country id, period) → the value of one breakdown, for the countries the user may read (one select)."""
    stmt = select(
        IndicatorValue.country_id,
        IndicatorValue.period,
        IndicatorValue.value,
        IndicatorValue.status,
        IndicatorValue.reviewed_at.is_not(None),
    ).where(
        IndicatorValue.indicator_id == indicator.id,
        IndicatorValue.period.in_(periods),
        *breakdown_filter(disaggregation),  # type: ignore[arg-type]
        *_country_condition(IndicatorValue.country_id, f),  # type: ignore[arg-type]
    )
    readable = readable_country_filter(user, IndicatorValue.country_id)
    if readable is not None:
        stmt = stmt.where(readable)
    return {
        (cid, period): ValueCell(value, status == ValueStatus.provisional.value, bool(reviewed))
        for cid, period, value, status, reviewed in session.execute(stmt)
    }


def indicator_breakdowns(session: Session, indicator: Indicator) -> list[tuple[str, str, str]]:
    """The (sex, migratory status, age group) breakdowns the indicator has values for (one GROUP BY)."""
    stmt = (
        select(IndicatorValue.sex, IndicatorValue.migratory_status, IndicatorValue.age_group)
        .where(IndicatorValue.indicator_id == indicator.id)
        .group_by(IndicatorValue.sex, IndicatorValue.migratory_status, IndicatorValue.age_group)
    )
    return [(str(s), str(m), str(a)) for s, m, a in session.execute(stmt)]


def readable_value_filter(user: User | None) -> object | None:
    return readable_country_filter(user, IndicatorValue.country_id)


def list_values_page(
    session: Session,
    indicator: Indicator,
    *,
    user: User | None,
    country_iso3: str | None,
    period: str | None,
    limit: int,
    offset: int,
) -> tuple[int, list[tuple[IndicatorValue, str]]]:
    """A page of an indicator's values (every breakdown) the user may read, with the total count (two selects)."""
    conditions: list[object] = [IndicatorValue.indicator_id == indicator.id]
    readable = readable_value_filter(user)
    if readable is not None:
        conditions.append(readable)
    if country_iso3:
        conditions.append(Country.iso3 == country_iso3.strip().upper())
    if period:
        conditions.append(IndicatorValue.period == period)
    base = select(IndicatorValue, Country.iso3).join(Country, Country.id == IndicatorValue.country_id)
    base = base.where(and_(*conditions))  # type: ignore[arg-type]
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    stmt = base.order_by(
        Country.iso3,
        IndicatorValue.period,
        IndicatorValue.sex,
        IndicatorValue.migratory_status,
        IndicatorValue.age_group,
    )
    rows = [(v, iso3) for v, iso3 in session.execute(stmt.limit(limit).offset(offset))]
    return int(total), rows


# ---- country profile and objective page ------------------------------------------------------------------------


def country_submissions(session: Session, country_id: int, *, user: User | None) -> list[tuple[Submission, str]]:
    """The country's submissions the user may read, latest cycle first, with the cycle's name (one select)."""
    stmt = (
        select(Submission, ReviewCycle.name)
        .join(ReviewCycle, ReviewCycle.id == Submission.review_cycle_id)
        .where(Submission.country_id == country_id, *_readable_submissions(user))  # type: ignore[arg-type]
        .order_by(ReviewCycle.opens_on.desc())
    )
    return [(s, name) for s, name in session.execute(stmt)]


def country_reports(session: Session, submission_ids: list[int]) -> list[tuple[int, int, str, str, int | None]]:
    """(submission id, objective number, short title, reporting, rating step) of the given submissions (one select)."""
    if not submission_ids:
        return []
    stmt = (
        select(
            ObjectiveReport.submission_id,
            Objective.number,
            Objective.short_title,
            ObjectiveReport.reporting,
            ObjectiveReport.rating,
        )
        .join(Objective, Objective.id == ObjectiveReport.objective_id)
        .where(ObjectiveReport.submission_id.in_(submission_ids))
        .order_by(ObjectiveReport.submission_id, Objective.number)
    )
    return [(sid, n, t, str(r), p) for sid, n, t, r, p in session.execute(stmt)]


def country_commitments(session: Session, country_id: int, *, limit: int) -> tuple[int, list[Commitment]]:
    """How many pledges the country has, and the latest ``limit`` of them (two selects)."""
    where = Commitment.country_id == country_id
    total = session.scalar(select(func.count(Commitment.id)).where(where)) or 0
    stmt = select(Commitment).where(where).order_by(Commitment.reference.desc()).limit(limit)
    return int(total), list(session.scalars(stmt))


def country_indicators(session: Session, country_id: int) -> list[tuple[str, str, int, str | None]]:
    """(code, name, number of values, latest period) of the indicators the country has values for (one GROUP BY)."""
    stmt = (
        select(Indicator.code, Indicator.name, func.count(IndicatorValue.id), func.max(IndicatorValue.period))
        .join(IndicatorValue, IndicatorValue.indicator_id == Indicator.id)
        .where(IndicatorValue.country_id == country_id)
        .group_by(Indicator.id, Indicator.code, Indicator.name)
        .order_by(Indicator.code)
    )
    return [(c, n, int(k), p) for c, n, k, p in session.execute(stmt)]


@dataclass(frozen=True)
class ObjectiveReportRow:
    """An accepted report on an objective, with the texts the objective page quotes."""

    id: int
    rating: int | None
    country: Country
    cycle: str
    cycle_id: int
    summary: str  # the text of its summary question (the default questionnaire's narrative)
    practice: str  # the text of its good practices answer
    summary_language: str | None = None  # the texts' languages (answer.language), for their lang attributes
    practice_language: str | None = None


def objective_reports(
    session: Session,
    objective: Objective,
    *,
    user: User | None,
    f: Filters,
    summary_key: str | None,
    practice_key: str,
) -> list[ObjectiveReportRow]:
    """The approved or published reports on the objective (within what the user may read), with country, cycle and
    the texts of two of its answers (``summary_key``, ``practice_key``); one select."""
    accepted = (SubmissionStatus.approved.value, SubmissionStatus.published.value)
    part = f"objective:{objective.number}"
    summary, practice = aliased(Answer), aliased(Answer)
    stmt = (
        select(
            ObjectiveReport.id,
            ObjectiveReport.rating,
            Country,
            ReviewCycle.name,
            ReviewCycle.id,
            summary.text,
            practice.text,
            summary.language,
            practice.language,
        )
        .join(Submission, Submission.id == ObjectiveReport.submission_id)
        .join(Country, Country.id == Submission.country_id)
        .join(ReviewCycle, ReviewCycle.id == Submission.review_cycle_id)
        .outerjoin(
            summary,
            and_(
                summary.submission_id == ObjectiveReport.submission_id,
                summary.part == part,
                summary.key == (summary_key or ""),
            ),
        )
        .outerjoin(
            practice,
            and_(
                practice.submission_id == ObjectiveReport.submission_id,
                practice.part == part,
                practice.key == practice_key,
            ),
        )
        .where(
            ObjectiveReport.objective_id == objective.id,
            ObjectiveReport.reporting == ReportingChoice.reported.value,
            Submission.status.in_(accepted),
            *_readable_submissions(user),  # type: ignore[arg-type]
            *_country_condition(Submission.country_id, f),  # type: ignore[arg-type]
        )
        .order_by(ReviewCycle.opens_on.desc(), Country.name)
    )
    if f.cycle_id is not None:
        stmt = stmt.where(Submission.review_cycle_id == f.cycle_id)
    return [
        ObjectiveReportRow(rid, rating, c, name, cycle_id, text or "", practice_text or "", lang, practice_lang)
        for rid, rating, c, name, cycle_id, text, practice_text, lang, practice_lang in session.execute(stmt)
    ]


def objective_indicators(session: Session, objective_id: int) -> list[tuple[Indicator, bool]]:
    stmt = (
        select(Indicator, IndicatorObjective.is_official)
        .join(IndicatorObjective, IndicatorObjective.indicator_id == Indicator.id)
        .where(IndicatorObjective.objective_id == objective_id, Indicator.country_id.is_(None))
        .order_by(Indicator.code)
    )
    return [(i, bool(o)) for i, o in session.execute(stmt)]


def objective_commitments(
    session: Session, objective_id: int, *, user: User | None, f: Filters, limit: int
) -> tuple[int, list[tuple[Commitment, Country | None]]]:
    """How many pledges address the objective (that the user may read: States' inside the region and
    organisations'), and the first ``limit`` (two selects). The country is None for an organisation's pledge."""
    stmt = (
        select(Commitment, Country)
        .join(commitment_objective, commitment_objective.c.commitment_id == Commitment.id)
        .where(commitment_objective.c.objective_id == objective_id)
        .options(joinedload(Commitment.organisation))
    )
    stmt = _pledges_of(stmt, user, f, in_region=False).order_by(
        Commitment.organisation_id.is_not(None), Country.name, Commitment.reference
    )
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    return int(total), [(c, country) for c, country in session.execute(stmt.limit(limit)).unique()]
