"""Demo data for trying the service: users, review cycles, voluntary GCM reviews, pledges and indicator values.

Every name, text and figure here is invented and labelled as demo data: none of it is an official statistic or a
State's real report. The data are deterministic for a seed and a date, and created once: a second call finds the
demo administrator and changes nothing. Content rows are bulk-inserted (the audit trail gets one summary event
instead); every review then reaches its status through the workflow's own service calls (``app/review/demo.py``).
"""

from __future__ import annotations

import hashlib
import io
import math
import random
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from app.audit.models import AuditAction, AuditEvent
from app.auth import service as auth_service
from app.auth.models import Role, User
from app.auth.passwords import hash_password
from app.catalog.models import Country, Objective, Principle, Subregion
from app.commitments import service as commitments
from app.commitments.models import (
    Commitment,
    CommitmentForm,
    CommitmentStatus,
    CommitmentUpdate,
    PledgeScope,
    PledgeType,
    commitment_form,
    commitment_implementation_country,
    commitment_main_objective,
    commitment_objective,
    commitment_principle,
)
from app.commitments.schemas import CommitmentInput
from app.contributions import demo as contribution_demo
from app.cycles.models import CycleStatus, ReviewCycle
from app.db import utcnow
from app.errors import Conflict, ValidationFailed
from app.indicators.models import (
    TOTAL,
    Aggregation,
    Indicator,
    IndicatorKind,
    IndicatorObjective,
    IndicatorValue,
    MigratoryStatus,
    ObjectiveLink,
    Sex,
    ValueStatus,
)
from app.notifications import mail
from app.organisations import service as organisations
from app.questionnaires import languages
from app.questionnaires import service as questionnaires
from app.review.demo import Plan, run_workflow
from app.submissions.models import (
    Answer,
    AnswerChoice,
    AnswerFile,
    ObjectiveReport,
    ProgressRating,
    ReportingChoice,
    SectionKey,
    Submission,
    SubmissionSection,
    SubmissionStatus,
)

DEMO_PASSWORD = "gcm-demo-2026"  # noqa: S105 - the published password of the demo accounts
DEMO_DOMAIN = "demo.gcm.example"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
BATCH_SIZE = 5_000
NOT_AVAILABLE = "Not available"

# (local part of the e-mail, role, name) of the secretariat's demo accounts, in the order they are listed.
STAFF = (
    ("admin", Role.admin, "Demo administrator"),
    ("secretariat", Role.secretariat, "Demo secretariat reviewer"),
    ("reviewer2", Role.secretariat, "Second secretariat reviewer"),
    ("preparer", Role.preparer, "Demo review-forum preparer"),
)
SECOND_FOCAL_POINTS = frozenset({"PHL", "THA"})
# (slug, name, type, country, website, contact person) of the demo organisations, each with one stakeholder account
# stakeholder.<slug>@demo.gcm.example; and one request to take part, left pending.
ORGANISATIONS = (
    ("iom", "International Organization for Migration (IOM) Asia-Pacific", "un_entity", "", "https://www.iom.int",
     "Demo stakeholder, IOM"),
    ("mfa", "Migrant Forum in Asia (demo)", "migrant_org", "PHL", "https://mfasia.org", "Demo stakeholder, MFA"),
    ("bwi", "Building and Wood Workers' Union (demo)", "trade_union", "MYS", "", "Demo stakeholder, union"),
)  # fmt: skip
PENDING_REQUEST = {
    "organisation_name": "Pacific Climate Mobility Network (demo)",
    "organisation_type": "civil_society",
    "country": "FJI",
    "website": "https://example.org/pcmn",
    "contact_name": "Demo requester",
    "email": f"requester@{DEMO_DOMAIN}",
    "motivation": "We work with communities displaced by disasters and climate change across the Pacific and would "
    "like to contribute our observations on objectives 2 and 5.",
    "ip_address": "demo",
}

# The open cycle shows every state of the workflow: countries per status (None: not started); the rest published.
OPEN_CYCLE_PLAN: tuple[tuple[SubmissionStatus | None, int], ...] = (
    (None, 10),
    (SubmissionStatus.draft, 20),
    (SubmissionStatus.submitted, 12),
    (SubmissionStatus.changes_requested, 6),
    (SubmissionStatus.approved, 6),
)
CLOSED_CYCLE_SHARE = 0.8  # of all countries, have a submission in a closed cycle
NOT_REPORTED_SHARE = 0.15  # of objective reports
COMMITMENT_SHARE = 0.7  # of countries, have pledges
NATIONAL_INDICATOR_SHARE = 0.3  # of countries, define national indicators (scale > 1)


@dataclass
class DemoUser:
    email: str
    role: Role
    country_iso3: str | None
    password: str
    organisation: str | None = None  # a stakeholder's


@dataclass
class DemoReport:
    already_present: bool
    users: list[DemoUser]
    counts: dict[str, int]  # table name -> rows created


@dataclass
class _Demo:
    """What every step needs: the session, the reference rows, the demo users and the running counts."""

    session: Session
    seed: int
    scale: int
    today: date
    countries: list[Country]
    objectives: list[Objective]
    principles: list[Principle]
    subregions: dict[int, str]
    focal: dict[int, int] = field(default_factory=dict)  # country id -> first focal point's user id
    # (country id, objective id) -> (pledge date, commitment id) of the pledges addressing that objective
    pledges: dict[tuple[int, int], list[tuple[date, int]]] = field(default_factory=dict)
    pledge_refs: dict[int, str] = field(default_factory=dict)  # commitment id -> its reference
    chosen: dict[tuple[int, str, str], list[str]] = field(default_factory=dict)  # answer_choice rows to come
    counts: dict[str, int] = field(default_factory=dict)

    def rng(self, part: str) -> random.Random:
        """An independent generator per part, so a part's data do not change with the scale or other parts."""
        return random.Random(f"{self.seed}:{part}")

    def count(self, table: str, rows: int) -> None:
        """Add rows to a table's count of created rows."""
        self.counts[table] = self.counts.get(table, 0) + rows

    @property
    def yesterday(self) -> date:
        """The last day events may fall on (so nothing is dated in the future)."""
        return self.today - timedelta(days=1)


# --------------------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------------------


def create_demo_data(session: Session, *, scale: int = 1, today: date | None = None, seed: int = 2026) -> DemoReport:
    """Create the demo data once (reference data must be loaded first); flushes, never commits."""
    if scale < 1:
        raise ValidationFailed("The scale must be at least 1.", field="scale")
    countries = list(session.scalars(select(Country).order_by(Country.iso3)))
    if not countries:
        raise Conflict("Load the reference data first: gcm seed")
    specs = _user_specs(countries)
    users = [user for user, _name in specs] + _stakeholders()
    if session.scalar(select(User.id).where(User.email == ADMIN_EMAIL)) is not None:
        return DemoReport(already_present=True, users=users, counts={})
    demo = _start(session, countries, scale=scale, today=today or utcnow().date(), seed=seed)
    _with_audit_disabled(session, lambda: _build(demo, specs))
    session.info.pop(mail.OUTBOX, None)  # the notifications stay in the app; no one is e-mailed about demo data
    return DemoReport(already_present=False, users=users, counts=dict(demo.counts))


def _start(session: Session, countries: list[Country], *, scale: int, today: date, seed: int) -> _Demo:
    """Load the reference rows the generators draw on."""
    return _Demo(
        session=session,
        seed=seed,
        scale=scale,
        today=today,
        countries=countries,
        objectives=list(session.scalars(select(Objective).order_by(Objective.number))),
        principles=list(session.scalars(select(Principle).order_by(Principle.code))),
        subregions={row.id: row.name for row in session.execute(select(Subregion.id, Subregion.name))},
    )


def _with_audit_disabled(session: Session, work: Callable[[], None]) -> None:
    """Run work without per-row audit events, then restore the session's previous setting."""
    missing = object()
    previous = session.info.get("audit_disabled", missing)
    session.info["audit_disabled"] = True
    try:
        work()
    finally:
        if previous is missing:
            session.info.pop("audit_disabled", None)
        else:
            session.info["audit_disabled"] = previous


def _build(demo: _Demo, specs: list[tuple[DemoUser, str]]) -> None:
    """Create every part of the demo data, then one audit event that summarises it."""
    _create_users(demo, specs)
    _create_organisations(demo)
    cycles = _create_cycles(demo)
    _create_commitments(demo)  # before the reviews, which cite the pledges
    _create_organisation_pledges(demo)
    _create_submissions(demo, cycles)
    demo.count("contribution", contribution_demo.create(demo.session, cycles, DEMO_DOMAIN))
    _create_indicator_values(demo)
    _revise_values(demo)
    summary = {"counts": dict(demo.counts)}
    demo.session.add(
        AuditEvent(action=AuditAction.create, entity_type="demo", entity_id=str(demo.scale), before=None, after=summary)
    )
    demo.session.flush()


# --------------------------------------------------------------------------------------------------------------
# Bulk inserts and small helpers
# --------------------------------------------------------------------------------------------------------------


def _insert(demo: _Demo, target: type[Any] | Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows in batches (every dict has the same keys) and count them."""
    for start in range(0, len(rows), BATCH_SIZE):
        demo.session.execute(insert(target), rows[start : start + BATCH_SIZE])
    demo.count(_table_name(target), len(rows))


def _insert_returning_ids(demo: _Demo, model: type[Any], rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert rows in batches and return their new ids, in the order of the rows."""
    ids: list[int] = []
    for start in range(0, len(rows), BATCH_SIZE):
        stmt = insert(model).returning(model.id, sort_by_parameter_order=True)
        ids.extend(demo.session.scalars(stmt, rows[start : start + BATCH_SIZE]).all())
    demo.count(_table_name(model), len(rows))
    return ids


def _table_name(target: type[Any] | Table) -> str:
    """The table a model or association table writes to."""
    return target.name if isinstance(target, Table) else str(target.__tablename__)


def _stamps(created: datetime, updated: datetime | None = None) -> dict[str, Any]:
    """The timestamp and version columns of a new row (bulk inserts set them explicitly)."""
    return {"created_at": created, "updated_at": updated or created, "version": 1}


def _at(rng: random.Random, day: date) -> datetime:
    """A moment in Asia-Pacific office hours (01:00-10:59 UTC) on a day."""
    return datetime.combine(day, time(rng.randint(1, 10), rng.randint(0, 59)), tzinfo=UTC)


def _day_between(rng: random.Random, first: date, last: date) -> date:
    """A random day from first to last (first when the span is empty)."""
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _after(moment: datetime, earliest: datetime) -> datetime:
    """Keep a sequence of stamps in order: at least an hour after the previous one."""
    return max(moment, earliest + timedelta(hours=1))


def _capitalise(text: str) -> str:
    """Upper-case the first letter only ("the Philippines" -> "The Philippines")."""
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    """Lower-case the first letter only."""
    return text[:1].lower() + text[1:]


def _join_and(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# Names read with "the" in running text ("the Philippines", "the Republic of Korea").
_WITH_ARTICLE = frozenset({"PHL", "NLD", "GBR", "USA", "RUS", "KOR", "PRK", "LAO", "MHL", "COK", "MNP"})


def _name_in_text(country: Country) -> str:
    """A country's name as it reads inside a sentence."""
    return f"the {country.name}" if country.iso3 in _WITH_ARTICLE else country.name


def _fill(rng: random.Random, templates: Sequence[str], fields: dict[str, Any]) -> str:
    """One of the templates, filled in."""
    return rng.choice(templates).format(**fields)


# --------------------------------------------------------------------------------------------------------------
# Users
# --------------------------------------------------------------------------------------------------------------


def _user_specs(countries: Sequence[Country]) -> list[tuple[DemoUser, str]]:
    """Every demo user and their name: the secretariat's accounts, then focal points by ISO3 code."""
    specs = [(DemoUser(f"{local}@{DEMO_DOMAIN}", role, None, DEMO_PASSWORD), name) for local, role, name in STAFF]
    for country in sorted(countries, key=lambda c: c.iso3):
        code = country.iso3.lower()
        specs.append((_focal_point(f"focal.{code}", country), f"Focal point, {country.name}"))
        if country.iso3 in SECOND_FOCAL_POINTS:
            specs.append((_focal_point(f"focal2.{code}", country), f"Second focal point, {country.name}"))
    return specs


def _stakeholders() -> list[DemoUser]:
    return [
        DemoUser(f"stakeholder.{slug}@{DEMO_DOMAIN}", Role.stakeholder, None, DEMO_PASSWORD, organisation=name)
        for slug, name, *_rest in ORGANISATIONS
    ]


def _create_organisations(demo: _Demo) -> None:
    """The demo organisations and their stakeholders, through the services (the one password hash of the demo
    users), and a pending request to take part."""
    session = demo.session
    password_hash = session.scalar(select(User.password_hash).where(User.email == ADMIN_EMAIL))
    for (_slug, name, kind, country, website, person), spec in zip(ORGANISATIONS, _stakeholders(), strict=True):
        organisation = organisations.create_organisation(
            session, name=name, type=kind, country=country, website=website
        )
        user = auth_service.create_user(
            session, email=spec.email, name=person, role=Role.stakeholder, organisation=organisation
        )
        user.password_hash = password_hash
    organisations.request_to_join(session, **PENDING_REQUEST)
    session.flush()
    demo.count("organisation", len(ORGANISATIONS))
    demo.count("organisation_request", 1)


def _focal_point(local: str, country: Country) -> DemoUser:
    """A focal point's demo account for a country."""
    return DemoUser(f"{local}@{DEMO_DOMAIN}", Role.focal_point, country.iso3, DEMO_PASSWORD)


def _create_users(demo: _Demo, specs: list[tuple[DemoUser, str]]) -> None:
    """Create the demo users with one shared password hash (hashing is deliberately slow)."""
    password_hash = hash_password(DEMO_PASSWORD)
    country_ids = {c.iso3: c.id for c in demo.countries}
    # The accounts exist from a month before the first review cycle opened.
    created = datetime.combine(_cycle_specs(demo.today, demo.scale)[0].opens_on, time(2), tzinfo=UTC)
    created -= timedelta(days=30)
    users = [
        User(
            email=spec.email,
            name=name,
            role=spec.role,
            country_id=country_ids[spec.country_iso3] if spec.country_iso3 else None,
            password_hash=password_hash,
            is_active=True,
            created_at=created,
            updated_at=created,
        )
        for spec, name in specs
    ]
    demo.session.add_all(users)
    demo.session.flush()
    for user in users:
        if user.country_id is not None:
            demo.focal.setdefault(user.country_id, user.id)
    demo.count("user_account", len(users))


# --------------------------------------------------------------------------------------------------------------
# Review cycles
# --------------------------------------------------------------------------------------------------------------


class _CycleSpec(NamedTuple):
    name: str
    description: str
    opens_on: date
    deadline: date
    closes_on: date
    status: CycleStatus


def _cycle_specs(today: date, scale: int) -> list[_CycleSpec]:
    """The cycles, oldest first: scale - 1 historical ones, the 2024-2025 regional review, the open cycle."""
    specs = [_historical_cycle(today, number, scale) for number in range(1, scale)]
    days = timedelta
    specs.append(
        _CycleSpec(
            "2024–2025 regional review",
            "Voluntary GCM reviews for the Asia-Pacific regional review of the Global Compact for Migration "
            "(Bangkok, February 2025), held by ESCAP with the Regional UN Network on Migration.",
            today - days(900),
            today - days(750),
            today - days(700),
            CycleStatus.closed,
        )
    )
    specs.append(
        _CycleSpec(
            "2026–2027 review cycle",
            "Voluntary GCM reviews for the next regional review and the International Migration Review Forum.",
            today - days(60),
            today + days(45),
            today + days(120),
            CycleStatus.open,
        )
    )
    return specs


def _historical_cycle(today: date, number: int, scale: int) -> _CycleSpec:
    """Historical cycle `number` (1 = oldest): 100 days long, 120 days apart, all before the 2024-2025 review."""
    closes_on = today - timedelta(days=930 + (scale - 1 - number) * 120)
    opens_on = closes_on - timedelta(days=100)
    description = "An earlier review cycle (demo data), kept to show how reviews accumulate over the years."
    return _CycleSpec(
        f"Historical review cycle {number}",
        description,
        opens_on,
        opens_on + timedelta(days=70),
        closes_on,
        CycleStatus.closed,
    )


def _create_cycles(demo: _Demo) -> list[ReviewCycle]:
    """Create the review cycles, oldest first."""
    cycles = []
    for spec in _cycle_specs(demo.today, demo.scale):
        created = datetime.combine(spec.opens_on - timedelta(days=30), time(3), tzinfo=UTC)
        updated = min(spec.closes_on, demo.yesterday) if spec.status is CycleStatus.closed else spec.opens_on
        cycle = ReviewCycle(**spec._asdict())
        cycle.created_at, cycle.updated_at = created, datetime.combine(updated, time(3), tzinfo=UTC)
        cycles.append(cycle)
    demo.session.add_all(cycles)
    demo.session.flush()
    for cycle in cycles:  # each asks the default questionnaire (the review as the product first asked it)
        questionnaires.start_for(demo.session, cycle)
        if cycle.status is CycleStatus.open:  # and the open one three questions more, as a secretariat adds them
            for part, question in CUSTOM_QUESTIONS:
                questionnaires.add_question(demo.session, cycle=cycle, part=part, question=question, version=None)
    demo.count("review_cycle", len(cycles))
    return cycles


# --------------------------------------------------------------------------------------------------------------
# Submissions: who reports in which cycle, and when
# --------------------------------------------------------------------------------------------------------------


@dataclass
class _Sub:
    """A submission being generated, with what its sections and objective reports need."""

    country: Country
    cycle: ReviewCycle
    status: SubmissionStatus
    created_at: datetime
    updated_at: datetime
    author_id: int | None
    times: dict[str, Any] = field(default_factory=dict)
    id: int = 0


def _create_submissions(demo: _Demo, cycles: list[ReviewCycle]) -> None:
    """Create the submissions of every cycle, oldest first, each with its sections and objective reports."""
    outsider = _reporting_outsider(demo)
    accepted: dict[int, int] = {}  # country id -> its last approved or published submission
    for cycle in cycles:
        plan = _plan_cycle(demo, cycle, outsider)
        subs = _insert_submissions(demo, cycle, plan, accepted)
        _create_sections(demo, subs)
        _create_objective_reports(demo, subs)
        _run_workflow(demo, cycle, subs)
        accepted.update({s.country.id: s.id for s in subs if _is_accepted(s.status)})


def _run_workflow(demo: _Demo, cycle: ReviewCycle, subs: list[_Sub]) -> None:
    """Submit, discuss, send back, approve, publish and reopen through the services, then date it all."""
    plans = [
        Plan(
            submission_id=sub.id,
            status=sub.status,
            created_at=sub.times["created_at"],
            submitted_at=sub.times["submitted_at"],
            approved_at=sub.times["approved_at"],
            published_at=sub.times["published_at"],
            updated_at=sub.times["updated_at"],
        )
        for sub in subs
    ]
    for table, rows in run_workflow(demo.session, cycle, plans).items():
        demo.count(table, rows)


def _is_accepted(status: SubmissionStatus) -> bool:
    """Whether the secretariat has accepted the submission (a later draft may carry it forward)."""
    return status in (SubmissionStatus.approved, SubmissionStatus.published)


def _reporting_outsider(demo: _Demo) -> Country | None:
    """The one member outside the region that reports (the others never do)."""
    outside = [c for c in demo.countries if not c.in_region]
    return demo.rng("outsider").choice(outside) if outside else None


def _plan_cycle(demo: _Demo, cycle: ReviewCycle, outsider: Country | None) -> dict[int, SubmissionStatus]:
    """Country id -> status of its submission in the cycle (countries without one are left out)."""
    rng = demo.rng(f"cycle:{cycle.name}")
    pool = [c for c in demo.countries if c.in_region or c is outsider]
    if cycle.status is CycleStatus.open:
        return _plan_open_cycle(rng, pool, len(demo.countries))
    if outsider is not None and rng.random() < 0.5:
        pool.remove(outsider)
    chosen = rng.sample(pool, min(len(pool), round(CLOSED_CYCLE_SHARE * len(demo.countries))))
    return {
        c.id: SubmissionStatus.published if rng.random() < 0.85 else SubmissionStatus.approved
        for c in sorted(chosen, key=lambda c: c.iso3)
    }


def _plan_open_cycle(rng: random.Random, pool: list[Country], total: int) -> dict[int, SubmissionStatus]:
    """Every status of the workflow, in the proportions of OPEN_CYCLE_PLAN; the remainder published."""
    statuses: list[SubmissionStatus | None] = []
    for status, number in OPEN_CYCLE_PLAN:
        # The members outside the region that do not report count among the countries that have not started.
        wanted = number - (total - len(pool)) if status is None else number
        statuses.extend([status] * max(0, wanted))
    statuses.extend([SubmissionStatus.published] * max(0, len(pool) - len(statuses)))
    rng.shuffle(pool)
    return {c.id: status for c, status in zip(pool, statuses, strict=False) if status is not None}


def _insert_submissions(
    demo: _Demo, cycle: ReviewCycle, plan: dict[int, SubmissionStatus], accepted: dict[int, int]
) -> list[_Sub]:
    """Insert the cycle's submissions with consistent timestamps; half carry the last accepted review forward."""
    rng = demo.rng(f"timeline:{cycle.name}")
    by_id = {c.id: c for c in demo.countries}
    subs, rows = [], []
    for country_id, status in plan.items():
        times = _timeline(rng, cycle, status, demo.yesterday)
        carried = accepted.get(country_id) if rng.random() < 0.5 else None
        author = demo.focal.get(country_id)
        subs.append(_Sub(by_id[country_id], cycle, status, times["created_at"], times["updated_at"], author, times))
        # Every review starts as a draft; the workflow's own calls take it to its status (`_run_workflow`).
        row = {"country_id": country_id, "review_cycle_id": cycle.id, "status": SubmissionStatus.draft}
        stamps = {"created_at": times["created_at"], "updated_at": times["updated_at"]}
        rows.append(row | stamps | {"carried_forward_from_id": carried, "version": 1})
    for sub, new_id in zip(subs, _insert_returning_ids(demo, Submission, rows), strict=True):
        sub.id = new_id
    return subs


def _timeline(rng: random.Random, cycle: ReviewCycle, status: SubmissionStatus, last: date) -> dict[str, Any]:
    """created_at, submitted_at, approved_at, published_at and updated_at, in order and never after `last`."""
    last = min(last, cycle.closes_on)
    created = _at(rng, _day_between(rng, cycle.opens_on, min(last, cycle.opens_on + timedelta(days=20))))
    stamps: dict[str, Any] = {"created_at": created, "submitted_at": None, "approved_at": None, "published_at": None}
    moment = created
    steps = _steps(status)
    for key, earliest, latest in _step_windows(cycle, created.date(), last, steps):
        moment = _after(_at(rng, _day_between(rng, earliest, latest)), moment)
        stamps[key] = moment
    if status is SubmissionStatus.draft:  # last edited some time after it was started
        stamps["updated_at"] = max(moment, _at(rng, _day_between(rng, moment.date(), last)))
    elif status is SubmissionStatus.changes_requested:  # returned by the reviewer after it was submitted
        stamps["updated_at"] = _after(_at(rng, _day_between(rng, moment.date(), last)), moment)
    else:
        stamps["updated_at"] = moment
    return stamps


def _steps(status: SubmissionStatus) -> list[str]:
    """The workflow stamps a submission in this status has."""
    if status is SubmissionStatus.draft:
        return []
    if status in (SubmissionStatus.submitted, SubmissionStatus.changes_requested):
        return ["submitted_at"]
    if status is SubmissionStatus.approved:
        return ["submitted_at", "approved_at"]
    return ["submitted_at", "approved_at", "published_at"]


def _step_windows(cycle: ReviewCycle, created: date, last: date, steps: list[str]) -> Iterator[tuple[str, date, date]]:
    """The days each workflow step may fall on: submitted near the deadline, reviewed within weeks."""
    windows = {
        "submitted_at": (created + timedelta(days=5), min(last, cycle.deadline + timedelta(days=10))),
        "approved_at": (created + timedelta(days=12), last),
        "published_at": (created + timedelta(days=15), last),
    }
    for key in steps:
        earliest, latest = windows[key]
        yield key, min(earliest, last), latest


# --------------------------------------------------------------------------------------------------------------
# Submissions: general sections
# --------------------------------------------------------------------------------------------------------------

MINISTRIES = (
    "Ministry of Labour",
    "Ministry of Foreign Affairs",
    "Ministry of Home Affairs",
    "Ministry of the Interior",
    "Ministry of Labour and Social Protection",
    "National Committee on Migration",
    "Ministry of Overseas Employment",
)
STAKEHOLDERS = (
    "civil society organisations, trade unions and employers",
    "migrant associations, academia and local governments",
    "diaspora organisations and the private sector",
    "the national human rights institution and civil society",
)
PARTNERS = (
    "IOM",
    "ILO",
    "UNICEF",
    "UN Women",
    "UNODC",
    "OHCHR",
    "UNDP",
    "the World Bank",
    "ESCAP",
    "the Regional UN Network on Migration",
    "the national human rights institution",
    "migrant workers' associations",
    "trade unions",
    "the national employers' federation",
    "the association of licensed recruitment agencies",
    "local governments",
    "universities",
    "diaspora organisations",
    "Migrant Forum in Asia",
)
MONTHS = ("January", "March", "April", "May", "June", "August", "September", "October", "November")

SECTION_TEXT: dict[SectionKey, tuple[tuple[str, ...], tuple[str, ...]]] = {
    SectionKey.preparation: (
        (
            "The voluntary GCM review of {country} was prepared by an inter-ministerial working group chaired by "
            "the {ministry}.",
            "{Country} prepared this review through a whole-of-government process led by the {ministry}, with "
            "focal points in {k} ministries and agencies.",
        ),
        (
            "Consultations with {stakeholders} were held in {month} {year}, in the capital and in two provinces "
            "of origin.",
            "A draft was shared for written comments with {stakeholders}; {k2} contributions were received and are "
            "summarised in an annex.",
            "The national statistics office checked every figure quoted in the review.",
            "A validation workshop with civil society and the Regional UN Network on Migration took place in "
            "{month} {year}.",
            "Migrant workers' associations were invited to every meeting of the working group.",
        ),
    ),
    SectionKey.policy_environment: (
        (
            "{Country} adopted a national implementation plan for the Global Compact in {plan_year}; it sets out "
            "{k} actions, each with a lead agency and an indicator.",
            "{Country} has no separate implementation plan for the Compact: its objectives are mainstreamed in the "
            "national development plan and the labour migration policy.",
            "A national implementation plan for the Compact is being drafted by the {ministry} and should be "
            "adopted before the next regional review.",
        ),
        (
            "An inter-ministerial committee on migration meets every quarter and reports to the Cabinet.",
            "Migration is part of the national strategy for the 2030 Agenda, under targets 8.8, 10.7 and 10.c.",
            "Local governments in the main provinces of origin and destination have their own migration action plans.",
            "The national human rights institution monitors the rights of migrants and reports to Parliament "
            "every year.",
            "Bilateral labour agreements with the main partners in the region set out the rights of workers and "
            "the duties of employers.",
        ),
    ),
    SectionKey.means_of_implementation: (
        (
            "Implementation is funded mainly from the national budget, with about {pct} per cent from "
            "development partners.",
            "The Government allocated {amount} million United States dollars to migration programmes in {year}.",
        ),
        (
            "A joint programme with {partner} is funded by the Migration Multi-Partner Trust Fund.",
            "Capacity is the main constraint: few officials have been trained on migration data and on the "
            "rights of migrants.",
            "Partnerships with the private sector cover fair recruitment and financial inclusion.",
            "South–South cooperation with neighbouring States supports the training of labour attachés.",
            "Civil society organisations deliver many services to migrants with public grants.",
        ),
    ),
    SectionKey.next_steps: (
        (
            "Before the next International Migration Review Forum, {country} will {next_action}.",
            "In the next two years, {country} will {next_action}.",
        ),
        (
            "The working group that prepared this review will stay in place to follow up its recommendations.",
            "The Government will report on its pledges at the next regional review.",
            "A mid-term review of the national implementation plan is planned for {next_year}.",
            "Data disaggregated by sex, age and migration status will be published every year.",
        ),
    ),
}
NEXT_ACTIONS = (
    "adopt a national implementation plan for the Compact",
    "review its legislation on recruitment agencies",
    "extend social protection to nationals working abroad",
    "publish an updated migration profile",
    "set up a national network of migrant resource centres",
    "train all labour inspectors on the rights of migrant workers",
)


def _create_sections(demo: _Demo, subs: list[_Sub]) -> None:
    """The four general sections of each submission, and their answers; drafts leave some empty."""
    rng = demo.rng(f"sections:{subs[0].cycle.name}" if subs else "sections")
    rows = []
    answers: list[dict[str, Any]] = []
    for sub in subs:
        for key in SectionKey:
            row = {"submission_id": sub.id, "key": key.value, "updated_by_id": sub.author_id}
            rows.append(row | _stamps(sub.created_at, sub.updated_at))
            if rng.random() >= _gap_chance(sub.status):
                body = _section_text(rng, key, sub)
                answers.append(_answer(sub, f"section:{key.value}", key.value, body, body))
        _custom_answers(demo, rng, sub, answers)
    _insert(demo, SubmissionSection, rows)
    _insert_answers(demo, answers, demo.chosen)
    demo.chosen.clear()


def _answer(sub: _Sub, part: str, key: str, value: Any, text: str = "") -> dict[str, Any]:
    row = {"submission_id": sub.id, "part": part, "key": key, "value": value, "text": text}
    row["language"] = languages.detect(text)  # as a save detects it
    return row | {"updated_by_id": sub.author_id} | _stamps(sub.created_at, sub.updated_at)


def _insert_answers(demo: _Demo, rows: list[dict[str, Any]], chosen: dict[tuple[int, str, str], list[str]]) -> None:
    """Answer rows in bulk, then the values chosen (answer_choice) by the answers' new ids."""
    _insert(demo, Answer, rows)
    if not chosen:
        return
    submission_ids = sorted({row["submission_id"] for row in rows})
    found = demo.session.execute(
        select(Answer.id, Answer.submission_id, Answer.part, Answer.key).where(Answer.submission_id.in_(submission_ids))
    )
    ids = {(sid, part, key): aid for aid, sid, part, key in found}
    links = [{"answer_id": ids[k], "value": v} for k, values in chosen.items() for v in values]
    _insert(demo, AnswerChoice, links)


# The questions the demo's open cycle adds to the default questionnaire (what a new round asks: ESCAP's 2021 survey
# asked about COVID-19's impact), and the small PDF some States attach as their national implementation plan.
CUSTOM_QUESTIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("section:preparation", {"key": "covid", "type": "yes_no", "label": {"en": "Did COVID-19 affect implementation?"}}),
    (
        "section:preparation",
        {
            "key": "covid_how",
            "type": "long_text",
            "label": {"en": "How did COVID-19 affect implementation?"},
            "max_length": 3000,
            "show_if": {"key": "covid", "equals": True},
        },
    ),
    (
        "section:policy_environment",
        {
            "key": "plan",
            "type": "file",
            "label": {"en": "National GCM implementation plan (if adopted)"},
            "hint": {"en": "A PDF, Word or Excel file of at most 5 MB."},
            "max_bytes": 5 * 1024 * 1024,
        },
    ),
)
COVID_HOW = (
    "Border closures stopped labour migration for two years; consular services moved online.",
    "Returning workers needed quarantine places, income support and help finding work at home.",
    "Remittances fell sharply in 2020, then recovered; recruitment resumed under new health rules.",
)
PLAN_PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> "
    b"endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)


def _custom_answers(demo: _Demo, rng: random.Random, sub: _Sub, answers: list[dict[str, Any]]) -> None:
    """The open cycle's own questions, answered by most States; a few attach their plan."""
    if sub.cycle.status is not CycleStatus.open or rng.random() < _gap_chance(sub.status):
        return
    affected = rng.random() < 0.8
    answers.append(_answer(sub, "section:preparation", "covid", affected))
    demo.chosen[sub.id, "section:preparation", "covid"] = ["true" if affected else "false"]
    if affected:
        text = rng.choice(COVID_HOW)
        answers.append(_answer(sub, "section:preparation", "covid_how", text, text))
    if rng.random() < 0.3:
        name = f"{sub.country.iso3}-national-plan.pdf"
        row = {"submission_id": sub.id, "part": "section:policy_environment", "key": "plan", "name": name,
               "media_type": "application/pdf", "size": len(PLAN_PDF), "content": PLAN_PDF,
               "sha256": hashlib.sha256(PLAN_PDF).hexdigest(), "uploaded_by_id": sub.author_id}  # fmt: skip
        stamps = {"created_at": sub.created_at, "updated_at": sub.created_at}
        (file_id,) = _insert_returning_ids(demo, AnswerFile, [row | stamps])
        value = {"file_id": file_id, "name": name, "size": len(PLAN_PDF), "media_type": "application/pdf"}
        answers.append(_answer(sub, "section:policy_environment", "plan", value))


def _gap_chance(status: SubmissionStatus) -> float:
    """How often a field is still empty: drafts often, anything submitted never (submit checks completeness)."""
    return {SubmissionStatus.draft: 0.35}.get(status, 0.0)  # anything submitted was complete when it was


def _section_text(rng: random.Random, key: SectionKey, sub: _Sub) -> str:
    """A lead sentence and two to four more, about the submission's country."""
    leads, more = SECTION_TEXT[key]
    fields = _text_fields(rng, sub.country, sub.cycle.opens_on.year)
    sentences = [_fill(rng, leads, fields)]
    sentences += [s.format(**fields) for s in rng.sample(more, rng.randint(2, min(4, len(more))))]
    return " ".join(sentences)


def _text_fields(rng: random.Random, country: Country, year: int) -> dict[str, Any]:
    """The values the general templates draw on."""
    name = _name_in_text(country)
    return {
        "country": name,
        "Country": _capitalise(name),
        "ministry": rng.choice(MINISTRIES),
        "stakeholders": rng.choice(STAKEHOLDERS),
        "partner": rng.choice(PARTNERS),
        "month": rng.choice(MONTHS),
        "year": year - rng.randint(0, 1),
        "plan_year": year - rng.randint(1, 5),
        "next_year": year + rng.randint(1, 3),
        "k": rng.randint(6, 24),
        "k2": rng.randint(12, 140),
        "pct": rng.randint(5, 45),
        "amount": rng.randint(2, 90),
        "next_action": rng.choice(NEXT_ACTIONS),
    }


# --------------------------------------------------------------------------------------------------------------
# Submissions: one report per objective
# --------------------------------------------------------------------------------------------------------------


class _ObjectiveText(NamedTuple):
    topic: str  # what laws and data are about
    actions: tuple[str, ...]  # what a State "has ..." done
    practices: tuple[str, ...]  # good practices (noun phrases)
    pledges: tuple[str, ...]  # pledge titles (imperatives)


OBJECTIVE_TEXT: dict[int, _ObjectiveText] = {
    1: _ObjectiveText(
        "migration statistics",
        (
            "added questions on country of birth and citizenship to the labour force survey",
            "set up an inter-agency working group on migration data led by the national statistics office",
            "published its first migration profile with data disaggregated by sex and age",
        ),
        (
            "the shared register linking border, labour and consular records",
            "a public migration data dashboard updated every quarter",
        ),
        ("Publish a national migration profile every two years", "Include migration questions in the next census"),
    ),
    2: _ObjectiveText(
        "climate change, disasters and displacement",
        (
            "included human mobility in its national adaptation plan",
            "funded livelihood programmes in districts with high emigration",
        ),
        (
            "community disaster risk reduction plans that cover planned relocation",
            "a rural youth employment scheme in provinces of origin",
        ),
        (
            "Integrate human mobility into the national adaptation plan",
            "Fund local employment programmes in high-emigration districts",
        ),
    ),
    3: _ObjectiveText(
        "pre-departure and post-arrival information",
        (
            "opened migrant resource centres in five provinces",
            "launched a multilingual hotline and mobile application for migrant workers",
        ),
        (
            "pre-departure orientation given in the languages of origin communities",
            "a service that checks job offers with employers before departure",
        ),
        (
            "Open migrant resource centres in every province of origin",
            "Provide multilingual information on regular pathways online and by telephone",
        ),
    ),
    4: _ObjectiveText(
        "civil registration and travel documents",
        (
            "made birth registration free for every child born on its territory, whatever the parents' status",
            "issued identity documents to stateless persons and persons at risk of statelessness",
            "introduced electronic passports issued through its consulates",
        ),
        ("mobile civil registration teams in border areas", "consular registration of births to nationals abroad"),
        (
            "Ensure universal birth registration regardless of migration status",
            "Issue identity documents to nationals abroad through consulates",
        ),
    ),
    5: _ObjectiveText(
        "labour migration and family reunification",
        (
            "signed bilateral labour migration agreements with three countries of destination",
            "opened a seasonal worker scheme with clear rules on rights and return",
            "simplified visa procedures for family reunification",
        ),
        (
            "a skilled worker visa reviewed every year with employers and unions",
            "humanitarian visas for people affected by sudden-onset disasters",
        ),
        (
            "Expand bilateral labour migration agreements that protect workers' rights",
            "Open regular pathways for people displaced by disasters",
        ),
    ),
    6: _ObjectiveText(
        "recruitment and the employment of migrant workers",
        (
            "adopted the employer-pays principle for recruitment fees",
            "licensed and publicly rated private recruitment agencies",
            "extended labour inspection to domestic work",
        ),
        (
            "a public rating of recruitment agencies based on complaints and inspections",
            "standard employment contracts translated into workers' languages",
        ),
        (
            "Apply the employer-pays principle to all recruitment of migrant workers",
            "Extend labour law protection to migrant domestic workers",
        ),
    ),
    7: _ObjectiveText(
        "the protection of migrants in vulnerable situations",
        (
            "set up a referral mechanism for migrants in vulnerable situations",
            "opened shelters for migrant women and children",
        ),
        (
            "case management for unaccompanied and separated children",
            "a firewall between service providers and immigration enforcement",
        ),
        (
            "Establish a national referral mechanism for migrants in vulnerable situations",
            "Provide shelter and legal aid to migrant women who survived violence",
        ),
    ),
    8: _ObjectiveText(
        "search and rescue and missing migrants",
        (
            "coordinated search and rescue at sea with neighbouring States",
            "set up a procedure to identify deceased migrants and inform their families",
        ),
        (
            "a database of missing migrants shared with forensic services",
            "family-liaison officers for relatives of missing migrants",
        ),
        (
            "Establish a procedure to identify deceased migrants and inform families",
            "Strengthen regional cooperation on search and rescue",
        ),
    ),
    9: _ObjectiveText(
        "the smuggling of migrants",
        (
            "aligned its law with the Protocol against the Smuggling of Migrants",
            "trained prosecutors on financial investigations into smuggling networks",
        ),
        ("joint investigation teams with neighbouring States", "protection for smuggled migrants who testify"),
        (
            "Train border and police officers on the rights of smuggled migrants",
            "Set up joint investigation teams on smuggling networks",
        ),
    ),
    10: _ObjectiveText(
        "trafficking in persons",
        (
            "adopted a new national action plan against trafficking in persons",
            "introduced a reflection period and residence permits for victims of trafficking",
        ),
        (
            "victim-centred, gender-responsive screening at airports",
            "specialised anti-trafficking units in the labour inspectorate",
        ),
        (
            "Adopt a victim-centred national action plan against trafficking in persons",
            "Train labour inspectors to identify victims of trafficking",
        ),
    ),
    11: _ObjectiveText(
        "integrated border management",
        (
            "introduced human-rights-based border procedures that screen for protection needs",
            "opened one-stop border posts with neighbouring States",
        ),
        ("training of border officials in child-sensitive screening", "one-stop border posts shared with a neighbour"),
        (
            "Train border officials in human-rights-based and child-sensitive procedures",
            "Establish joint border posts with neighbouring States",
        ),
    ),
    12: _ObjectiveText(
        "screening, assessment and referral",
        (
            "published standard operating procedures for screening and referral at points of entry",
            "created a single case file shared by the agencies that meet migrants on arrival",
        ),
        ("standard operating procedures for first contact with migrants", "interpreters at every major point of entry"),
        (
            "Adopt standard operating procedures for screening and referral",
            "Provide interpretation at all major points of entry",
        ),
    ),
    13: _ObjectiveText(
        "immigration detention and its alternatives",
        ("ended the immigration detention of children", "introduced case management as an alternative to detention"),
        (
            "community-based case management with regular reporting instead of detention",
            "independent monitoring of places of immigration detention",
        ),
        ("End the immigration detention of children", "Expand community-based alternatives to immigration detention"),
    ),
    14: _ObjectiveText(
        "consular protection and assistance",
        (
            "appointed labour attachés in the main countries of destination",
            "set up a welfare fund for nationals in distress abroad",
        ),
        ("a 24-hour consular hotline for nationals abroad", "mobile consular services at remote work sites"),
        (
            "Appoint labour attachés in the main countries of destination",
            "Establish a welfare fund for nationals in distress abroad",
        ),
    ),
    15: _ObjectiveText(
        "access to health care and education",
        (
            "opened public health insurance to migrant workers and their families",
            "enrolled migrant children in public schools whatever their status",
        ),
        ("migrant health volunteers in border provinces", "school enrolment with no documents required up front"),
        ("Give all migrant children access to public education", "Extend public health insurance to migrant workers"),
    ),
    16: _ObjectiveText(
        "integration and social cohesion",
        ("funded language classes and orientation for newcomers", "supported local governments' inclusion plans"),
        ("city-level migrant advisory councils", "mentoring that pairs newcomers with local volunteers"),
        ("Fund language and orientation courses for all newcomers", "Support inclusion plans in the largest cities"),
    ),
    17: _ObjectiveText(
        "non-discrimination and public discourse on migration",
        (
            "amended its anti-discrimination law to cover migration status",
            "trained journalists on evidence-based reporting on migration",
        ),
        (
            "a media guide on fair reporting on migration",
            "a public campaign on migrants' contributions led by migrant associations",
        ),
        (
            "Extend anti-discrimination law to cover migration status",
            "Train journalists on evidence-based reporting on migration",
        ),
    ),
    18: _ObjectiveText(
        "skills development and recognition",
        (
            "signed mutual skills recognition arrangements with two countries",
            "opened skills testing centres recognised by employers abroad",
        ),
        ("recognition of prior learning for returning migrants", "a regional qualifications reference framework"),
        (
            "Conclude mutual recognition arrangements for qualifications",
            "Offer recognition of prior learning to returning migrants",
        ),
    ),
    19: _ObjectiveText(
        "diaspora engagement",
        ("set up a diaspora engagement office", "launched a diaspora investment bond"),
        (
            "a diaspora skills register used for short assignments at home",
            "matching grants for community projects funded by the diaspora",
        ),
        (
            "Establish a diaspora engagement office",
            "Create matching grants for diaspora investment in local development",
        ),
    ),
    20: _ObjectiveText(
        "remittances and financial inclusion",
        (
            "allowed non-bank providers to offer digital remittance services",
            "published a website that compares the price of sending remittances",
        ),
        (
            "financial literacy training for migrant workers and their families",
            "a national remittance price comparison website",
        ),
        (
            "Bring the average cost of remittances below 3 per cent",
            "Provide financial literacy training to migrant workers before departure",
        ),
    ),
    21: _ObjectiveText(
        "return, readmission and reintegration",
        (
            "adopted a reintegration policy for returning migrant workers",
            "opened one-stop reintegration centres",
        ),
        ("individual reintegration plans prepared before return", "psychosocial support for returnees"),
        (
            "Adopt a national reintegration policy for returning migrants",
            "Open one-stop reintegration centres in the main provinces of origin",
        ),
    ),
    22: _ObjectiveText(
        "the portability of social security",
        (
            "signed social security agreements with three countries of destination",
            "extended voluntary social insurance to nationals working abroad",
        ),
        (
            "a single online account that adds up contributions paid in several countries",
            "voluntary pension schemes for nationals abroad",
        ),
        (
            "Conclude social security agreements with the main countries of destination",
            "Extend voluntary social insurance to nationals working abroad",
        ),
    ),
    23: _ObjectiveText(
        "international cooperation on migration",
        ("joined the GCM Champion countries initiative", "hosted a subregional dialogue on labour migration"),
        ("a bilateral joint working group on labour migration", "South–South exchanges within the subregion"),
        (
            "Contribute to the Migration Multi-Partner Trust Fund",
            "Host a subregional dialogue on the implementation of the Compact",
        ),
    ),
}
GENERIC_TEXT = _ObjectiveText(
    "migration governance",
    ("reviewed its policies against the objective",),
    ("a coordination mechanism shared by the ministries concerned",),
    ("Review national policies against the objectives of the Compact",),
)

NARRATIVE_LEADS = (
    "Under objective {n} ({short}), {country} has {action}.",
    "Since the last regional review, {country} has {action}: its main measure under objective {n} ({short}).",
    "The Government of {country} has {action} (objective {n}, {short}).",
    "On {short_lower}, {country} reports one main measure: it has {action}.",
)
NARRATIVE_MORE = (
    "The measure was designed with {partner} and is followed by an inter-ministerial committee.",
    "Implementation is led by the {ministry}, with its own budget line since {year}.",
    "A first assessment in {year} found that it reached more migrants than planned, most of them women.",
    "Coverage is still uneven between the capital and rural provinces.",
    "It also supports the Sustainable Development Goals, in particular target 10.7.",
    "{Country} has also {action2}.",
    "Migrant associations took part in its design and in its evaluation.",
)
LAWS = (
    "Act on {topic} ({law_year}) and its implementing regulations ({law_year2}).",
    "National action plan on {topic}, {law_year}–{plan_end}.",
    "Ministerial regulation No. {law_no}/{law_year} on {topic}.",
    "Amendments to the labour code on {topic}, adopted in {law_year}.",
    "National policy on {topic} ({law_year}), with a costed implementation plan.",
)
PRACTICES = (
    "{practice}, in place since {law_year}. It is replicable: {why}.",
    "{practice}: {why}.",
    "{practice}, run by the {ministry} with {partner}; {why}.",
)
PRACTICE_WHY = (
    "it was designed with migrant organisations and evaluated independently",
    "it costs little and two neighbouring States have adopted it",
    "it is funded from the national budget and mostly complete",
    "it applies the whole-of-society approach of the Compact",
)
CHALLENGES = (
    "Funding for {short_lower} depends largely on development partners.",
    "Data on {topic} are incomplete and rarely disaggregated by sex, age and migration status.",
    "Coordination between national and local authorities on {topic} is still weak.",
    "Staff turnover in the responsible ministries slows implementation.",
    "The COVID-19 pandemic delayed several measures on {topic}.",
    "Many migrants, especially women in domestic work, do not know about the services available.",
    "Irregular channels remain cheaper and faster than regular ones.",
)
NOT_REPORTED = (
    "Objective {n} ({short}) is not a national priority in this cycle; {country} will report on it in the next review.",
    "Data on {topic} are being compiled by the {ministry} and were not ready in time for this review.",
    "No new measures on {short_lower} were taken during the reporting period.",
    "{Country} reports on {topic} through a subregional process; see the subregional report.",
)
RATINGS = (
    (ProgressRating.not_started, 5),
    (ProgressRating.initial, 20),
    (ProgressRating.under_way, 40),
    (ProgressRating.advanced, 25),
    (ProgressRating.achieved, 10),
)
REPORT_TEXT_FIELDS = ("narrative", "laws_and_policies", "good_practices", "challenges", "partners")
SEARCHED_FIELDS = (*REPORT_TEXT_FIELDS, "not_reported_reason")  # the text questions: their answers are searched


def _create_objective_reports(demo: _Demo, subs: list[_Sub]) -> None:
    """23 objective reports per submission with their answers: reported or not, the rating, the texts, the guiding
    principles each reported objective applied and the pledges it cites."""
    rng = demo.rng(f"reports:{subs[0].cycle.name}" if subs else "reports")
    rows: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    chosen: dict[tuple[int, str, str], list[str]] = {}
    codes = {p.id: p.code for p in demo.principles}
    for sub in subs:
        for objective in demo.objectives:
            row, values = _objective_report(rng, demo, sub, objective)
            values["principles"] = [codes[i] for i in values.get("principles", [])]
            values["commitments"] = [demo.pledge_refs[i] for i in values.get("commitments", [])]
            rows.append(row)
            part = f"objective:{objective.number}"
            for key, value in values.items():
                if value in (None, "", []):
                    continue
                answers.append(_answer(sub, part, key, value, value if key in SEARCHED_FIELDS else ""))
                if key in ("reporting", "progress_rating", "principles", "commitments"):
                    chosen[sub.id, part, key] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    # Plain bulk inserts, then one query for the ids: on PostgreSQL twice as fast as INSERT ... RETURNING.
    _insert(demo, ObjectiveReport, rows)
    _insert_answers(demo, answers, chosen)


def _cited_pledges(rng: random.Random, demo: _Demo, sub: _Sub, objective: Objective) -> list[int]:
    """Up to two of the country's pledges on this objective made before the review was started."""
    made = [cid for day, cid in demo.pledges.get((sub.country.id, objective.id), []) if day < sub.created_at.date()]
    return sorted(rng.sample(made, min(len(made), rng.randint(0, 2))))


def _objective_report(
    rng: random.Random, demo: _Demo, sub: _Sub, objective: Objective
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One objective report row (reported or not, and its rating step) and its answers by question key (principles
    and pledges as ids)."""
    fields = _objective_fields(rng, sub, objective)
    row: dict[str, Any] = {"submission_id": sub.id, "objective_id": objective.id, "updated_by_id": sub.author_id}
    row |= _stamps(sub.created_at, sub.updated_at)
    if rng.random() < NOT_REPORTED_SHARE:
        reason = _fill(rng, NOT_REPORTED, fields)
        row |= {"reporting": ReportingChoice.not_reported, "rating": None}
        return row, {"reporting": ReportingChoice.not_reported.value, "not_reported_reason": reason}
    values: dict[str, Any] = {"reporting": ReportingChoice.reported.value}
    values |= _reported_fields(rng, fields, _gap_chance(sub.status))
    principles = rng.sample(demo.principles, rng.randint(1, min(4, len(demo.principles))))
    values["principles"] = sorted(p.id for p in principles)
    values["commitments"] = _cited_pledges(rng, demo, sub, objective)
    row |= {"reporting": ReportingChoice.reported, "rating": values["progress_rating"]}
    return row, values


def _objective_fields(rng: random.Random, sub: _Sub, objective: Objective) -> dict[str, Any]:
    """The values the objective templates draw on: the objective, its topic and actions, the country."""
    text = OBJECTIVE_TEXT.get(objective.number, GENERIC_TEXT)
    year = sub.cycle.opens_on.year
    action, action2 = rng.sample(text.actions, 2) if len(text.actions) > 1 else [text.actions[0]] * 2
    fields = _text_fields(rng, sub.country, year)
    law_year = year - rng.randint(1, 6)
    return fields | {
        "n": objective.number,
        "short": objective.short_title,
        "short_lower": _lower_first(objective.short_title),
        "topic": text.topic,
        "action": action,
        "action2": action2,
        "practice": _capitalise(rng.choice(text.practices)),
        "why": rng.choice(PRACTICE_WHY),
        "law_year": law_year,
        "law_year2": law_year + 1,
        "plan_end": law_year + rng.randint(3, 6),
        "law_no": rng.randint(3, 180),
    }


def _reported_fields(rng: random.Random, fields: dict[str, Any], gap: float) -> dict[str, Any]:
    """Rating and texts of a reported objective; unfinished reports leave some of them empty."""
    weights = [w for _r, w in RATINGS]
    texts = {
        "narrative": _sentences(rng, NARRATIVE_LEADS, NARRATIVE_MORE, fields, extra=(1, 2)),
        "laws_and_policies": " ".join(t.format(**fields) for t in rng.sample(LAWS, rng.randint(1, 2))),
        "good_practices": _fill(rng, PRACTICES, fields),
        "challenges": " ".join(t.format(**fields) for t in rng.sample(CHALLENGES, rng.randint(1, 2))),
        "partners": _join_and(rng.sample(PARTNERS, rng.randint(2, 4))),
    }
    texts = {key: "" if rng.random() < gap else value for key, value in texts.items()}
    rating = rng.choices([r for r, _w in RATINGS], weights)[0]
    step = list(ProgressRating).index(rating) + 1  # the default questionnaire's scale numbers its steps 1-5
    return texts | {"progress_rating": None if rng.random() < gap else step}


def _sentences(
    rng: random.Random, leads: Sequence[str], more: Sequence[str], fields: dict[str, Any], *, extra: tuple[int, int]
) -> str:
    """A lead sentence and a few more, distinct, sentences."""
    chosen = rng.sample(more, rng.randint(*extra))
    return " ".join([_fill(rng, leads, fields), *(s.format(**fields) for s in chosen)])


# --------------------------------------------------------------------------------------------------------------
# Commitments (pledges)
# --------------------------------------------------------------------------------------------------------------

FORM_WEIGHTS = (
    (CommitmentForm.policy, 35),
    (CommitmentForm.process, 30),
    (CommitmentForm.financial, 20),
    (CommitmentForm.human_resources, 15),
)
PLEDGE_WEIGHTS = (
    (PledgeType.individual, 60),
    (PledgeType.partnership, 20),
    (PledgeType.common, 12),
    (PledgeType.matching, 8),
)
FORM_SENTENCES = {
    CommitmentForm.financial: "The Government will allocate {amount} million United States dollars from the "
    "national budget over {years} years and report every year on what was spent.",
    CommitmentForm.human_resources: "The {ministry} will assign {staff} staff members full time to this work and "
    "train {trained} officials in the provinces.",
    CommitmentForm.process: "An inter-ministerial working group chaired by the {ministry} will lead the process, "
    "with a public consultation in {start_year}.",
    CommitmentForm.policy: "The {ministry} will draft the necessary legislation and regulations and submit them to "
    "the Cabinet by {mid_year}.",
}
PLEDGE_MORE = (
    "Migrant workers' associations and trade unions will be consulted at each stage.",
    "Data will be disaggregated by sex, age and migration status.",
    "Particular attention will be paid to women migrant workers in domestic work and to children.",
    "Lessons learnt will be shared with other States of the subregion through the Regional UN Network on Migration.",
    "A baseline will be set in the first year, with targets for each following year.",
    "Local governments in the main provinces of origin will take part in implementation.",
    "The pledge builds on the recommendations of the last regional review for Asia and the Pacific.",
    "Progress will be discussed every year with civil society in an open meeting.",
    "An independent evaluation will be commissioned at the end of the timeframe and published.",
    "The private sector, including recruitment agencies and employers, will be invited to co-finance activities.",
)
UPDATE_TEXT = (
    "The working group met {k} times and agreed a work plan with the ministries concerned.",
    "A first draft was shared with civil society and migrant associations for comments.",
    "{k2} officials were trained during the period.",
    "The budget for the year was released in full and {pct} per cent of it has been spent.",
    "Implementation was delayed by elections; the timeline was revised with the partners.",
    "The measure is in force in {k} provinces; the remaining provinces follow next year.",
    "A mid-term review found good progress and recommended more attention to women migrant workers.",
)
FULFILLED_TEXT = "All planned activities were completed; a final report was published and shared with the partners."
WITHDRAWN_TEXT = "The pledge was withdrawn after a change in government priorities; the funds were reallocated."


@dataclass
class _Pledge:
    """A commitment being generated."""

    country: Country
    pledged_on: date
    reference: str
    pledge_type: PledgeType
    objectives: list[Objective]
    principles: list[Principle]
    row: dict[str, Any] = field(default_factory=dict)
    id: int = 0
    forms: list[CommitmentForm] = field(default_factory=list)
    national: bool = True  # implemented in the pledging country (else: regional scope)


def _create_commitments(demo: _Demo) -> None:
    """About 2 x scale pledges for 70% of countries; matching pledges cite an earlier pledge of another country."""
    rng = demo.rng("commitments")
    pledges = _plan_pledges(demo, rng)
    for pledge in pledges:
        pledge.row = _commitment_row(rng, demo, pledge)
    first = [p for p in pledges if p.pledge_type is not PledgeType.matching]
    _insert_pledges(demo, first)
    matching = [p for p in pledges if p.pledge_type is PledgeType.matching]
    for pledge in matching:
        _match(rng, pledge, first)
    _insert_pledges(demo, matching)
    _create_pledge_links(demo, pledges)
    for pledge in pledges:
        for objective in pledge.objectives:
            demo.pledges.setdefault((pledge.country.id, objective.id), []).append((pledge.pledged_on, pledge.id))
    _create_pledge_updates(demo, rng, pledges)


def _plan_pledges(demo: _Demo, rng: random.Random) -> list[_Pledge]:
    """Who pledges what and when, sorted by date, with references unique per country and year."""
    pledging = rng.sample(demo.countries, round(COMMITMENT_SHARE * len(demo.countries)))
    plans = []
    for country in sorted(pledging, key=lambda c: c.iso3):
        for _ in range(rng.randint(demo.scale, 3 * demo.scale)):
            plans.append(_new_pledge(rng, demo, country))
    plans.sort(key=lambda p: (p.pledged_on, p.country.iso3))
    sequence: dict[tuple[str, int], int] = {}
    for plan in plans:
        key = (plan.country.iso3, plan.pledged_on.year)
        sequence[key] = sequence.get(key, 0) + 1
        plan.reference = f"{key[0]}-{key[1]}-{sequence[key]:03d}"
    return plans


def _new_pledge(rng: random.Random, demo: _Demo, country: Country) -> _Pledge:
    """A pledge made on a day of the last seven years, addressing one to three objectives."""
    pledged_on = demo.yesterday - timedelta(days=rng.randint(0, 7 * 365))
    pledge_type = rng.choices([t for t, _w in PLEDGE_WEIGHTS], [w for _t, w in PLEDGE_WEIGHTS])[0]
    objectives = sorted(rng.sample(demo.objectives, rng.randint(1, 3)), key=lambda o: o.number)
    principles = sorted(rng.sample(demo.principles, rng.randint(0, 2)), key=lambda p: p.code)
    return _Pledge(country, pledged_on, "", pledge_type, objectives, principles)


def _commitment_row(rng: random.Random, demo: _Demo, pledge: _Pledge) -> dict[str, Any]:
    """Every column of a commitment except the matched pledge (set once earlier pledges have ids)."""
    form = rng.choices([f for f, _w in FORM_WEIGHTS], [w for _f, w in FORM_WEIGHTS])[0]
    pledge.forms = sorted({form, *([rng.choice(list(CommitmentForm))] if rng.random() < 0.3 else [])})
    start = pledge.pledged_on + timedelta(days=rng.randint(0, 180))
    end = start + timedelta(days=365 * rng.randint(1, 5))
    title = rng.choice(OBJECTIVE_TEXT.get(pledge.objectives[0].number, GENERIC_TEXT).pledges)
    partners = _pledge_partners(rng, demo, pledge)
    created = _at(rng, pledge.pledged_on)
    return {
        "reference": pledge.reference,
        "country_id": pledge.country.id,
        "title": title,
        "description": _pledge_description(rng, pledge, form, title, start, end, partners),
        "pledge_type": pledge.pledge_type,
        "partners": partners,
        "matched_commitment_id": None,
        "scope": (scope := _pledge_scope(rng, demo, pledge.country)),
        "scope_level": PledgeScope.regional if scope.startswith("Subregional") else PledgeScope.national,
        "champion": pledge.country.iso3 in CHAMPIONS,
        "contact_name": f"Pledge officer, {pledge.country.name}",
        "contact_position": "Focal point for the Global Compact for Migration",
        "contact_email": f"pledges.{pledge.country.iso3.lower()}@{DEMO_DOMAIN}",
        "timeframe_start": start,
        "timeframe_end": end,
        "status": _pledge_status(rng, start, end, demo.today),
    } | _stamps(created)


def _pledge_partners(rng: random.Random, demo: _Demo, pledge: _Pledge) -> str:
    """Named partners of a partnership pledge, co-pledging States of a common pledge; empty otherwise."""
    if pledge.pledge_type is PledgeType.partnership:
        return _join_and(rng.sample(PARTNERS, rng.randint(1, 3)))
    if pledge.pledge_type is PledgeType.common:
        others = [c for c in demo.countries if c.in_region and c is not pledge.country]
        return _join_and([_name_in_text(c) for c in rng.sample(others, rng.randint(1, 3))])
    return ""


def _pledge_scope(rng: random.Random, demo: _Demo, country: Country) -> str:
    """National, subnational, bilateral or subregional."""
    subregion = demo.subregions.get(country.subregion_id or 0)
    choices = ["National", f"National, starting in {rng.randint(2, 9)} provinces of origin"]
    choices.append(f"Nationals working abroad in {rng.randint(2, 12)} countries of destination")
    if subregion:
        choices.append(f"Subregional: {subregion}")
    return rng.choice(choices)


def _pledge_status(rng: random.Random, start: date, end: date, today: date) -> CommitmentStatus:
    """Pledged until it starts, then mostly in progress, and mostly fulfilled once its timeframe has ended."""
    if rng.random() < 0.04:
        return CommitmentStatus.withdrawn
    if start >= today:
        return CommitmentStatus.pledged
    if end < today:
        return CommitmentStatus.fulfilled if rng.random() < 0.75 else CommitmentStatus.in_progress
    return CommitmentStatus.in_progress if rng.random() < 0.75 else CommitmentStatus.pledged


def _pledge_description(
    rng: random.Random,
    pledge: _Pledge,
    form: CommitmentForm,
    title: str,
    start: date,
    end: date,
    partners: str,
) -> str:
    """A description within the pledge form's limits (300 to 3,000 characters)."""
    name = _name_in_text(pledge.country)
    values = {
        "amount": rng.randint(1, 40),
        "years": max(1, end.year - start.year),
        "ministry": rng.choice(MINISTRIES),
        "staff": rng.randint(3, 40),
        "trained": rng.randint(50, 900),
        "start_year": start.year,
        "mid_year": start.year + max(0, (end.year - start.year) // 2),
    }
    sentences = [
        f"{_capitalise(name)} commits to {_lower_first(title)} by {end.year}.",
        FORM_SENTENCES[form].format(**values),
        _objectives_sentence(pledge),
        *_principles_sentence(pledge),
        *_partners_sentence(pledge.pledge_type, partners),
        "Progress will be reported at the next regional review for Asia and the Pacific and at the International "
        "Migration Review Forum.",
    ]
    return _fit(sentences, list(rng.sample(PLEDGE_MORE, len(PLEDGE_MORE))), rng.choice((400, 700, 1000, 1600, 2600)))


def _objectives_sentence(pledge: _Pledge) -> str:
    """Which objectives the pledge advances, with their titles."""
    numbers = [str(o.number) for o in pledge.objectives]
    titles = "; ".join(o.title for o in pledge.objectives)
    plural = "s" if len(numbers) > 1 else ""
    return f"The pledge advances objective{plural} {_join_and(numbers)} of the Global Compact ({titles})."


def _principles_sentence(pledge: _Pledge) -> list[str]:
    """The guiding principles the pledge applies (none: no sentence)."""
    if not pledge.principles:
        return []
    names = _join_and([_lower_first(p.name) for p in pledge.principles])
    return [f"It applies the guiding principles of the Compact, in particular: {names}."]


def _partners_sentence(pledge_type: PledgeType, partners: str) -> list[str]:
    """Who the pledge is made with (individual and matching pledges: no sentence)."""
    if pledge_type is PledgeType.partnership:
        return [f"It is made in partnership with {partners}, who share the work and the costs."]
    if pledge_type is PledgeType.common:
        return [f"It is a common pledge, made together with {partners}."]
    return []


def _fit(sentences: list[str], extra: list[str], target: int) -> str:
    """Join sentences, adding extra ones up to about `target` characters, within 300 to 3,000 characters."""
    text = " ".join(sentences)
    for sentence in extra:
        if len(text) >= max(300, target):
            break
        text += " " + sentence
    while len(text) > 3000:
        text = text[: text.rstrip(".").rfind(". ") + 1]
    return text


def _match(rng: random.Random, pledge: _Pledge, earlier: list[_Pledge]) -> None:
    """Make a matching pledge cite an earlier pledge of another State (or become individual when none exists)."""
    candidates = [p for p in earlier if p.pledged_on < pledge.pledged_on and p.country is not pledge.country]
    if not candidates:
        pledge.pledge_type = PledgeType.individual
        pledge.row["pledge_type"] = PledgeType.individual
        return
    target = rng.choice(candidates)
    cited = f"This pledge matches pledge {target.reference} of {_name_in_text(target.country)}."
    pledge.row |= {
        "matched_commitment_id": target.id,
        "title": f"Matching {target.reference}: {target.row['title']}"[:300],
        "description": _fit([cited, pledge.row["description"]], [], 0),
    }


def _insert_pledges(demo: _Demo, pledges: list[_Pledge]) -> None:
    """Insert pledges and remember their new ids."""
    ids = _insert_returning_ids(demo, Commitment, [p.row for p in pledges])
    for pledge, new_id in zip(pledges, ids, strict=True):
        pledge.id = new_id
        demo.pledge_refs[new_id] = pledge.reference


def _create_pledge_links(demo: _Demo, pledges: list[_Pledge]) -> None:
    """The objectives (the first, up to three, the main ones), principles, forms and countries of each pledge."""
    objectives = [{"commitment_id": p.id, "objective_id": o.id} for p in pledges for o in p.objectives]
    main = [{"commitment_id": p.id, "objective_id": o.id} for p in pledges for o in p.objectives[:3]]
    principles = [{"commitment_id": p.id, "principle_id": pr.id} for p in pledges for pr in p.principles]
    forms = [{"commitment_id": p.id, "form": f.value} for p in pledges for f in p.forms]
    places = [
        {"commitment_id": p.id, "country_id": p.country.id}
        for p in pledges
        if p.row.get("scope_level") is PledgeScope.national
    ]
    _insert(demo, commitment_objective, objectives)
    _insert(demo, commitment_main_objective, main)
    _insert(demo, commitment_principle, principles)
    _insert(demo, commitment_form, forms)
    _insert(demo, commitment_implementation_country, places)


# GCM Champion countries among the demo's States (the Network's list includes these).
CHAMPIONS = frozenset({"BGD", "IDN", "NPL", "PHL", "THA"})
# The organisations' pledges: (organisation slug, title, forms, main objectives, other objectives, scope,
# countries of implementation, partner States).
ORGANISATION_PLEDGES: tuple[tuple[str, str, list[str], list[str], list[str], str, list[str], list[str]], ...] = (
    ("iom", "Regional training on fair and ethical recruitment for labour inspectors", ["human_resources", "process"],
     ["6", "10"], ["7"], "regional", ["BGD", "NPL", "PHL", "MYS"], ["PHL"]),
    ("mfa", "Migrant-led monitoring of access to justice in countries of destination", ["process", "policy"],
     ["7", "16"], [], "national", ["MYS", "THA"], []),
    ("bwi", "Union helpdesks for migrant construction workers", ["financial", "human_resources"],
     ["6"], ["22"], "national", ["MYS"], []),
    ("iom", "Regional data on missing migrants", ["financial", "process", "policy"],
     ["1", "8", "3"], ["23"], "regional", [], []),
)  # fmt: skip


def _demo_docx(title: str) -> bytes:
    """A small Word document (a real .docx: a zip with word/document.xml)."""
    buffer = io.BytesIO()
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
        f'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{title}</w:t></w:r></w:p></w:body></w:document>'
    )
    types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("word/document.xml", body)
    return buffer.getvalue()


def _create_organisation_pledges(demo: _Demo) -> None:
    """A few pledges of the demo organisations, through the service (its checks), one with a document."""
    session = demo.session
    for index, (slug, title, forms, main, others, scope, places, partners) in enumerate(ORGANISATION_PLEDGES):
        user = session.scalar(select(User).where(User.email == f"stakeholder.{slug}@{DEMO_DOMAIN}"))
        assert user is not None
        start = demo.today.replace(month=1, day=1) - timedelta(days=365 * (index % 2))
        description = _fit(
            [f"We commit to {_lower_first(title)}, with the governments and migrants' organisations concerned.",
             f"The pledge advances objectives {_join_and(main + others)} of the Global Compact."],
            list(PLEDGE_MORE), 600,
        )  # fmt: skip
        data = CommitmentInput(
            title=title, description=description, forms=forms, pledge_type="partnership" if partners else "individual",
            partner_countries=partners, main_objectives=main, objectives=others, scope_level=scope,
            implementation_countries=places, scope="Countries of origin and destination in Asia and the Pacific",
            timeframe_start=start.isoformat(), timeframe_end=start.replace(year=start.year + 3).isoformat(),
            status="in_progress", contact_name=f"Pledge contact ({slug.upper()})", contact_position="Programme officer",
            contact_email=f"pledges.{slug}@{DEMO_DOMAIN}",
        )  # fmt: skip
        pledge = commitments.create_commitment(session, user=user, data=data)
        demo.count("commitment", 1)
        if index == 0:
            commitments.attach(session, user=user, commitment=pledge, name="training-plan.docx", data=_demo_docx(title))
            demo.count("commitment_attachment", 1)


def _create_pledge_updates(demo: _Demo, rng: random.Random, pledges: list[_Pledge]) -> None:
    """Zero to three dated progress reports per pledge that has started."""
    rows = []
    for pledge in pledges:
        rows.extend(_pledge_updates(rng, demo, pledge))
    _insert(demo, CommitmentUpdate, rows)


def _pledge_updates(rng: random.Random, demo: _Demo, pledge: _Pledge) -> list[dict[str, Any]]:
    """Updates between the start and the end (or yesterday), the last one carrying the pledge's status."""
    start, end, status = pledge.row["timeframe_start"], pledge.row["timeframe_end"], pledge.row["status"]
    last = min(end, demo.yesterday)
    if start >= last or status is CommitmentStatus.pledged:
        return []
    days = sorted({_day_between(rng, start + timedelta(days=1), last) for _ in range(rng.randint(0, 3))})
    rows = []
    for index, day in enumerate(days):
        final = index == len(days) - 1 and status in (CommitmentStatus.fulfilled, CommitmentStatus.withdrawn)
        text = _update_text(rng, status) if final else rng.choice(UPDATE_TEXT)
        values = {"k": rng.randint(2, 12), "k2": rng.randint(20, 400), "pct": rng.randint(20, 95)}
        row = {"commitment_id": pledge.id, "reported_on": day, "author_id": demo.focal.get(pledge.country.id)}
        row |= {"status": status if final else CommitmentStatus.in_progress, "progress": text.format(**values)}
        rows.append(row | _stamps(_at(rng, day)))
    return rows


def _update_text(rng: random.Random, status: CommitmentStatus) -> str:
    """The final update of a fulfilled or withdrawn pledge."""
    return FULFILLED_TEXT if status is CommitmentStatus.fulfilled else WITHDRAWN_TEXT


# --------------------------------------------------------------------------------------------------------------
# Indicator values
# --------------------------------------------------------------------------------------------------------------

# International migrant stock at mid-2020, thousands of persons (rounded, in the spirit of UN DESA's estimates).
MIGRANT_STOCK_2020: dict[str, float] = {
    "AFG": 145, "ARM": 190, "AUS": 7686, "AZE": 252, "BGD": 2115, "BTN": 54, "BRN": 111, "KHM": 79,
    "CHN": 1040, "PRK": 49, "FJI": 14, "FRA": 8525, "GEO": 79, "IND": 4879, "IDN": 356, "IRN": 2797,
    "JPN": 2771, "KAZ": 3732, "KIR": 3, "KGZ": 199, "LAO": 49, "MYS": 3477, "MDV": 70, "MHL": 3,
    "FSM": 3, "MNG": 21, "MMR": 76, "NRU": 2, "NPL": 488, "NLD": 2358, "NZL": 1382, "PAK": 3277,
    "PLW": 5, "PNG": 31, "PHL": 226, "KOR": 1728, "RUS": 11637, "WSM": 4, "SGP": 2524, "SLB": 3,
    "LKA": 40, "TJK": 279, "THA": 3632, "TLS": 8, "TON": 4, "TKM": 195, "TUV": 0.2, "TUR": 6053,
    "GBR": 9360, "USA": 50633, "UZB": 1164, "VUT": 3, "VNM": 77, "ASM": 23, "COK": 5, "PYF": 34,
    "GUM": 80, "HKG": 2962, "MAC": 390, "NCL": 72, "NIU": 0.6, "MNP": 24,
}  # fmt: skip


class _Series(NamedTuple):
    """How to invent a plausible series for an indicator."""

    low: float  # range of a country's starting level
    high: float
    trend: float  # relative change per year
    noise: float  # relative noise per value
    decimals: int
    ceiling: float
    years: str  # "annual", "recent" (from 2015), "survey" (some years), "triennial", "inquiry" (2019, 2021, 2023)
    split: str = ""  # "sex" or "migratory_status": disaggregated rows beside the total
    levels: dict[str, float] | None = None  # known levels of some countries


SERIES: dict[str, _Series] = {
    "10.7.1": _Series(0.5, 3.0, -0.03, 0.08, 2, 8, "survey"),
    "10.7.2": _Series(1, 4, 0, 0, 0, 4, "inquiry"),
    "10.7.3": _Series(
        0,
        8,
        0.02,
        0.35,
        0,
        1e6,
        "annual",
        levels={
            "AFG": 260,
            "BGD": 180,
            "MMR": 320,
            "IRN": 90,
            "TUR": 140,
            "MYS": 70,
            "THA": 60,
            "IDN": 45,
            "PAK": 95,
            "USA": 600,
            "FRA": 40,
            "GBR": 35,
            "IND": 30,
        },
    ),
    "10.7.4": _Series(0.5, 250, 0.02, 0.1, 1, 1e5, "annual", levels={"AFG": 6500, "MMR": 2200, "PRK": 15}),
    "10.c.1": _Series(4, 12, -0.04, 0.06, 2, 25, "annual"),
    "17.3.2": _Series(
        0.1,
        5,
        0.01,
        0.08,
        2,
        60,
        "annual",
        levels={
            "TON": 38,
            "TJK": 30,
            "KGZ": 28,
            "NPL": 24,
            "WSM": 19,
            "UZB": 14,
            "ARM": 12,
            "GEO": 12,
            "PHL": 9,
            "LKA": 8,
            "PAK": 8,
            "FJI": 8,
            "BGD": 6,
            "VUT": 5,
        },
    ),
    "8.8.1": _Series(1, 15, -0.02, 0.1, 1, 100, "annual", "migratory_status"),
    "8.8.2": _Series(0.5, 8, 0.0, 0.05, 2, 10, "recent"),
    "8.7.1": _Series(1, 30, -0.04, 0.1, 1, 100, "survey"),
    "16.2.2": _Series(0.05, 4, 0.02, 0.2, 2, 100, "annual", "sex"),
    "16.9.1": _Series(40, 99, 0.01, 0.02, 1, 100, "survey"),
    "1.3.1": _Series(5, 95, 0.02, 0.04, 1, 100, "annual", "migratory_status"),
    "10.3.1": _Series(5, 35, 0.0, 0.1, 1, 100, "survey"),
    "8.10.2": _Series(20, 99, 0.03, 0.03, 1, 100, "triennial"),
    "5.2.1": _Series(3, 35, -0.02, 0.1, 1, 100, "survey"),
    "5.2.2": _Series(0.5, 10, -0.02, 0.1, 1, 100, "survey"),
}
PERCENT_SERIES = _Series(5, 95, 0.01, 0.05, 1, 100, "annual")
COUNT_SERIES = _Series(0, 500, 0.02, 0.2, 0, 1e9, "annual")
MIGSTOCK_CODE = "UNDESA.MIGSTOCK"
FIRST_YEAR_BACK, LAST_YEAR_BACK = 16, 2  # years 2010-2024 when today is in 2026


class _NationalSeries(NamedTuple):
    """A kind of national indicator: monthly counts by sex and age group."""

    name: str
    unit: str
    source: str
    objectives: tuple[int, ...]
    levels: tuple[float, float]  # range of the monthly level, as powers of ten


NATIONAL_SERIES = (
    _NationalSeries(
        "Migrant workers deployed abroad, by sex and age",
        "Number of persons per month",
        "overseas employment records",
        (5, 6),
        (2.0, 4.5),
    ),
    _NationalSeries(
        "Returning migrant workers registered, by sex and age",
        "Number of persons per month",
        "returnee registration",
        (21,),
        (1.5, 4.0),
    ),
    _NationalSeries(
        "Foreign workers holding a valid work permit, by sex and age",
        "Number of persons (end of month)",
        "work permit register",
        (5,),
        (3.0, 5.5),
    ),
    _NationalSeries(
        "Migrant workers enrolled in social insurance, by sex and age",
        "Number of persons (end of month)",
        "social insurance register",
        (22,),
        (2.5, 5.0),
    ),
    _NationalSeries(
        "Calls to the migrant workers' helpline, by sex and age of caller",
        "Number of calls per month",
        "helpline log",
        (3,),
        (1.5, 3.5),
    ),
    _NationalSeries(
        "Nationals abroad assisted by consulates, by sex and age",
        "Number of persons per month",
        "consular case files",
        (14,),
        (1.0, 3.0),
    ),
    _NationalSeries(
        "Presumed victims of trafficking identified, by sex and age",
        "Number of persons per month",
        "police and NGO referrals",
        (10,),
        (0.3, 1.8),
    ),
    _NationalSeries(
        "Complaints against recruitment agencies, by sex and age of complainant",
        "Number of complaints per month",
        "labour inspectorate",
        (6,),
        (0.5, 2.5),
    ),
)


class _ValueSink:
    """Collects indicator value rows and inserts them every BATCH_SIZE rows."""

    def __init__(self, demo: _Demo) -> None:
        self.demo = demo
        self.rows: list[dict[str, Any]] = []

    def add(self, row: dict[str, Any]) -> None:
        """Add a row; insert the batch when it is full."""
        self.rows.append(row)
        if len(self.rows) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        """Insert the rows collected so far."""
        if self.rows:
            _insert(self.demo, IndicatorValue, self.rows)
            self.rows = []


def _create_indicator_values(demo: _Demo) -> None:
    """Values of the seeded indicators for a subset of countries, then national indicators when scale > 1."""
    sink = _ValueSink(demo)
    kinds = (IndicatorKind.sdg, IndicatorKind.context)
    indicators = demo.session.scalars(select(Indicator).where(Indicator.kind.in_(kinds)).order_by(Indicator.code))
    for indicator in list(indicators):
        _indicator_values(demo, sink, indicator)
    for indicator in _create_national_indicators(demo):
        _national_values(demo, sink, indicator)
    sink.flush()


def _revise_values(demo: _Demo) -> None:
    """Two States whose review awaits the secretariat revised their latest value since (through the grid's service):
    those values show as not yet reviewed until the secretariat accepts them or approves the review."""
    from app.indicators import service as indicator_service
    from app.indicators.schemas import ValueForm

    session = demo.session
    waiting = session.scalars(
        select(Submission.country_id)
        .where(Submission.status == SubmissionStatus.submitted)
        .order_by(Submission.country_id)
        .limit(2)
    ).all()
    for country_id in waiting:
        user = session.scalar(
            select(User).where(User.role == Role.focal_point, User.country_id == country_id).order_by(User.id).limit(1)
        )
        value = session.scalar(
            select(IndicatorValue)
            .join(Indicator, Indicator.id == IndicatorValue.indicator_id)
            .where(
                IndicatorValue.country_id == country_id,
                Indicator.kind == IndicatorKind.sdg,
                IndicatorValue.value.is_not(None),
                IndicatorValue.sex == Sex.total,
                IndicatorValue.migratory_status == MigratoryStatus.total,
                IndicatorValue.age_group == TOTAL,
            )
            .order_by(IndicatorValue.period.desc(), Indicator.code)
            .limit(1)
        )
        if user is None or value is None or value.value is None:
            continue
        indicator = session.get(Indicator, value.indicator_id)
        assert indicator is not None
        typed = format(value.value, "f").rstrip("0").rstrip(".")
        form = ValueForm(
            period=value.period,
            value=typed,
            status=ValueStatus.provisional.value if value.status is ValueStatus.final else ValueStatus.final.value,
            source=value.source or "National statistics office",
            note="Revised with the latest survey round.",
            version=str(value.version),
        )
        indicator_service.update_value(session, user=user, indicator=indicator, value=value, form=form)


def _years(demo: _Demo) -> list[int]:
    """The years indicator series cover: 2010-2024 when today is in 2026."""
    return list(range(demo.today.year - FIRST_YEAR_BACK, demo.today.year - LAST_YEAR_BACK + 1))


def _value_row(
    indicator: Indicator, country_id: int, period: str, value: float | None, **columns: Any
) -> dict[str, Any]:
    """Every column of an indicator value row (bulk inserts need the same keys in every row)."""
    row = {
        "indicator_id": indicator.id,
        "country_id": country_id,
        "period": period,
        "value": value,
        "sex": Sex.total,
        "age_group": TOTAL,
        "migratory_status": MigratoryStatus.total,
        "source": "",
        "note": "",
        "status": ValueStatus.final,
        "updated_by_id": None,
        "created_at": None,
        "updated_at": None,
        "version": 1,
    }
    row |= columns
    row["updated_at"] = row["created_at"]
    row["reviewed_at"], row["reviewed_by_id"] = row["created_at"], None  # loaded data: reviewed
    return row


def _published(demo: _Demo, day: date) -> datetime:
    """When a value is published (created in the database): on that day, but never after yesterday."""
    return datetime.combine(min(day, demo.yesterday), time(6), tzinfo=UTC)


def _year_release(demo: _Demo, year: int) -> datetime:
    """Annual values are published in the middle of the following year."""
    return _published(demo, date(year + 1, 6, 30))


def _month_release(demo: _Demo, year: int, month: int) -> datetime:
    """Monthly values are published on the 20th of the following month."""
    return _published(demo, date(year + month // 12, month % 12 + 1, 20))


def _indicator_values(demo: _Demo, sink: _ValueSink, indicator: Indicator) -> None:
    """One indicator: a plausible series per covered country, with a few gaps and provisional latest values."""
    rng = demo.rng(f"indicator:{indicator.code}")
    if indicator.code == MIGSTOCK_CODE:
        covered = [c for c in demo.countries if rng.random() < 0.95]
        for country in covered:
            _migrant_stock(demo, rng, sink, indicator, country)
        return
    series = SERIES.get(indicator.code) or _series_for_unit(indicator.unit)
    coverage = rng.uniform(0.4, 0.9)
    for country in [c for c in demo.countries if rng.random() < coverage]:
        _country_series(demo, rng, sink, indicator, series, country)


def _series_for_unit(unit: str) -> _Series:
    """A fallback for indicators this module does not know: per cent or a count."""
    return PERCENT_SERIES if "cent" in unit.lower() else COUNT_SERIES


def _series_years(demo: _Demo, rng: random.Random, years_kind: str) -> list[int]:
    """The years a country reports for a series of this kind."""
    years = _years(demo)
    last = years[-1]
    if years_kind == "inquiry":
        return [last - 5, last - 3, last - 1]
    if years_kind == "triennial":
        return years[rng.randint(0, 2) :: 3]
    if years_kind == "survey":
        return [y for y in years if rng.random() < 0.3] or [rng.choice(years)]
    first = years[0] + 5 if years_kind == "recent" else years[0] + rng.choice((0, 0, 0, 1, 2, 4))
    end = last - (1 if rng.random() < 0.2 else 0)
    return list(range(first, end + 1))


def _country_series(
    demo: _Demo, rng: random.Random, sink: _ValueSink, indicator: Indicator, series: _Series, country: Country
) -> None:
    """A country's values of one indicator, with disaggregated rows where the indicator has them."""
    years = _series_years(demo, rng, series.years)
    level = (series.levels or {}).get(country.iso3) or rng.uniform(series.low, series.high)
    if indicator.code == "10.7.2":
        values = _categories(rng, len(years))
    else:
        values = [_level(rng, series, level, index) for index in range(len(years))]
    gap = rng.choice(years[:-1]) if len(years) > 2 and rng.random() < 0.1 else None
    latest = _years(demo)[-1] if rng.random() < 0.6 else None  # the latest year is often still provisional
    for year, value in zip(years, values, strict=True):
        status = ValueStatus.provisional if year == latest else ValueStatus.final
        common = {"status": status, "source": _demo_source(indicator), "created_at": _year_release(demo, year)}
        for columns, split_value in _split(rng, series, value):
            shown = None if year == gap else split_value
            row = _value_row(indicator, country.id, str(year), shown, **columns, note=_note(shown, status), **common)
            sink.add(row)


def _note(value: float | None, status: ValueStatus) -> str:
    """An explicit gap says so; a provisional value too."""
    if value is None:
        return NOT_AVAILABLE
    return "Provisional" if status is ValueStatus.provisional else ""


def _demo_source(indicator: Indicator) -> str:
    """The source of an invented value: says it is demo data."""
    return f"Demo data modelled on {indicator.source}" if indicator.source else "Demo data"


def _level(rng: random.Random, series: _Series, level: float, index: int) -> float:
    """A value on a trend, with noise, within the series' bounds."""
    value = level * (1 + series.trend) ** index * (1 + rng.gauss(0, series.noise))
    return round(min(series.ceiling, max(0.0, value)), series.decimals)


def _categories(rng: random.Random, rounds: int) -> list[float]:
    """10.7.2: a policy category (1-4) that sometimes improves from one round to the next."""
    category = rng.randint(1, 3)
    values = []
    for _ in range(rounds):
        values.append(float(category))
        category = min(4, category + (rng.random() < 0.3))
    return values


def _split(rng: random.Random, series: _Series, total: float) -> list[tuple[dict[str, Any], float]]:
    """The total row, and female/male or migrant/non-migrant rows consistent with it."""
    if series.split == "sex":
        spread = rng.uniform(-0.3, 0.3)
        female, male = (min(series.ceiling, total * (1 + s)) for s in (spread, -spread))
        return [
            ({}, total),
            ({"sex": Sex.female}, round(female, series.decimals)),
            ({"sex": Sex.male}, round(male, series.decimals)),
        ]
    if series.split == "migratory_status":
        return _split_by_migratory_status(rng, series, total)
    return [({}, total)]


def _split_by_migratory_status(rng: random.Random, series: _Series, total: float) -> list[tuple[dict[str, Any], float]]:
    """Migrant and non-migrant rows; the total is their mix: share * migrant + (1 - share) * non-migrant."""
    share, ratio = rng.uniform(0.05, 0.3), rng.uniform(0.5, 1.8)
    non_migrant = min(series.ceiling, total / (share * ratio + 1 - share))
    migrant = min(series.ceiling, non_migrant * ratio)
    mixed = share * migrant + (1 - share) * non_migrant
    return [
        ({}, round(mixed, series.decimals)),
        ({"migratory_status": MigratoryStatus.migrant}, round(migrant, series.decimals)),
        ({"migratory_status": MigratoryStatus.non_migrant}, round(non_migrant, series.decimals)),
    ]


def _migrant_stock(demo: _Demo, rng: random.Random, sink: _ValueSink, indicator: Indicator, country: Country) -> None:
    """UN DESA-style migrant stock for 2010, 2015, 2020 and 2024: whole persons, female + male = total."""
    base = MIGRANT_STOCK_2020.get(country.iso3, rng.uniform(2, 500)) * 1000
    growth = rng.uniform(-0.01, 0.04)
    female_share = rng.uniform(0.30, 0.56)
    last = _years(demo)[-1]
    for year in (last - 14, last - 9, last - 4, last):
        total = max(1, round(base * (1 + growth) ** (year - (last - 4)) * (1 + rng.gauss(0, 0.02))))
        female = round(total * (female_share + rng.gauss(0, 0.005)))
        status = ValueStatus.provisional if year == last else ValueStatus.final
        common = {"status": status, "source": _demo_source(indicator), "created_at": _year_release(demo, year)}
        common["note"] = _note(total, status)
        for sex, value in ((Sex.total, total), (Sex.female, female), (Sex.male, total - female)):
            sink.add(_value_row(indicator, country.id, str(year), float(value), sex=sex, **common))


def _create_national_indicators(demo: _Demo) -> list[Indicator]:
    """scale - 1 national indicators for each of about 30% of countries, linked to the objectives they serve."""
    if demo.scale < 2:
        return []
    rng = demo.rng("national")
    chosen = sorted(rng.sample(demo.countries, round(NATIONAL_INDICATOR_SHARE * len(demo.countries))),
                    key=lambda c: c.iso3)  # fmt: skip
    objective_ids = {o.number: o.id for o in demo.objectives}
    indicators = [_national_indicator(c, number, objective_ids) for c in chosen for number in range(1, demo.scale)]
    demo.session.add_all(indicators)
    demo.session.flush()
    demo.count("indicator", len(indicators))
    demo.count("indicator_objective", sum(len(i.objective_links) for i in indicators))
    return indicators


def _national_series(number: int) -> _NationalSeries:
    """The kind of a country's national indicator number n (1, 2, ...): the kinds in turn."""
    return NATIONAL_SERIES[(number - 1) % len(NATIONAL_SERIES)]


def _national_indicator(country: Country, number: int, objective_ids: dict[int, int]) -> Indicator:
    """A State's own monthly indicator, code NAT.<ISO3>.<n>."""
    name, unit, source, objectives, _levels = _national_series(number)
    if number > len(NATIONAL_SERIES):
        name += f" (series {number})"
    indicator = Indicator(
        code=f"NAT.{country.iso3}.{number}",
        name=name,
        unit=unit,
        aggregation=Aggregation.sum,
        kind=IndicatorKind.national,
        sdg_code=None,
        source=f"{country.name}: {source} (demo data)",
        description=f"A national indicator defined by {_name_in_text(country)} (demo data, not official figures).",
        country_id=country.id,
    )
    indicator.objective_links = [
        IndicatorObjective(objective_id=objective_ids[n], relation=ObjectiveLink.primary, is_official=False)
        for n in objectives
        if n in objective_ids
    ]
    return indicator


def _national_values(demo: _Demo, sink: _ValueSink, indicator: Indicator) -> None:
    """Monthly values by sex and by age group, with a dip during the COVID-19 border closures."""
    rng = demo.rng(f"indicator:{indicator.code}")
    low, high = _national_series(int(indicator.code.rsplit(".", 1)[1])).levels
    level, growth = 10 ** rng.uniform(low, high), rng.uniform(-0.03, 0.08)
    shares = (rng.uniform(0.25, 0.65), rng.uniform(0.15, 0.35), rng.uniform(0.03, 0.12))
    years = _years(demo)
    months = [(y, m) for y in range(years[0] + rng.randint(0, 4), years[-1] + 1) for m in range(1, 13)]
    gap = rng.choice(months) if rng.random() < 0.3 else None
    for index, (year, month) in enumerate(months):
        total = _monthly(rng, level, growth, year, month, index)
        status = ValueStatus.provisional if index >= len(months) - 3 else ValueStatus.final
        for columns, value in _breakdown(total, *shares):
            shown = None if (year, month) == gap else float(value)
            sink.add(_national_row(demo, indicator, f"{year}-{month:02d}", shown, status, **columns))


def _breakdown(total: int, female: float, young: float, old: float) -> list[tuple[dict[str, Any], int]]:
    """The total, female and male, and three age groups: whole numbers that add up to the total."""
    women, youth, older = round(total * female), round(total * young), round(total * old)
    return [
        ({}, total),
        ({"sex": Sex.female}, women),
        ({"sex": Sex.male}, total - women),
        ({"age_group": "15-24"}, youth),
        ({"age_group": "25-54"}, total - youth - older),
        ({"age_group": "55+"}, older),
    ]


def _monthly(rng: random.Random, level: float, growth: float, year: int, month: int, index: int) -> int:
    """A monthly count: trend, seasonality, noise, and the 2020-2021 COVID-19 dip."""
    seasonal = 1 + 0.15 * math.sin(2 * math.pi * month / 12)
    covid = 0.4 if (year == 2020 and month >= 4) or (year == 2021 and month <= 6) else 1.0
    return max(0, round(level * (1 + growth) ** (index / 12) * seasonal * covid * (1 + rng.gauss(0, 0.08))))


def _national_row(
    demo: _Demo, indicator: Indicator, period: str, value: float | None, status: ValueStatus, **columns: Any
) -> dict[str, Any]:
    """A national indicator value, entered by the country's focal point."""
    country_id = indicator.country_id or 0
    return _value_row(
        indicator,
        country_id,
        period,
        value,
        **columns,
        source=indicator.source,
        note=_note(value, status),
        status=status,
        updated_by_id=demo.focal.get(country_id),
        created_at=_month_release(demo, int(period[:4]), int(period[5:])),
    )
