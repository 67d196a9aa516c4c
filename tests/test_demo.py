"""The demo data: every workflow state present, created once, consistent figures, plausible pledges and users."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.orm import Session, aliased

from app.audit.models import AuditEvent
from app.auth.models import Role, User
from app.catalog.models import Country
from app.commitments.models import Commitment, PledgeType
from app.cycles.models import ReviewCycle
from app.db import Base
from app.demo import DEMO_PASSWORD, DemoReport, create_demo_data
from app.indicators.models import Indicator, IndicatorValue, Sex
from app.submissions.models import Submission, SubmissionStatus

TODAY = date(2026, 11, 28)
OPEN_CYCLE = "2026–2027 review cycle"


@pytest.fixture(scope="module")
def demo_built(engine: Engine) -> Iterator[tuple[Connection, DemoReport]]:
    """The demo data, built once for the module (it takes seconds) in a transaction rolled back after it."""
    connection = engine.connect()
    transaction = connection.begin()
    try:
        with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            report = create_demo_data(session, today=TODAY)
            session.commit()
        yield connection, report
    finally:
        transaction.rollback()
        connection.close()


@pytest.fixture
def connection(demo_built: tuple[Connection, DemoReport]) -> Iterator[Connection]:
    """Each test on the module's connection, in a savepoint rolled back after it (tests/conftest.py's session)."""
    connection, _report = demo_built
    savepoint = connection.begin_nested()
    try:
        yield connection
    finally:
        savepoint.rollback()


@pytest.fixture
def demo(demo_built: tuple[Connection, DemoReport]) -> DemoReport:
    return demo_built[1]


def _row_counts(session: Session) -> dict[str, int]:
    return {t.name: session.scalar(select(func.count()).select_from(t)) or 0 for t in Base.metadata.sorted_tables}


def test_open_cycle_shows_every_status_and_countries_not_started(session: Session, demo: DemoReport) -> None:
    cycle_id = session.scalar(select(ReviewCycle.id).where(ReviewCycle.name == OPEN_CYCLE))
    statuses = list(session.scalars(select(Submission.status).where(Submission.review_cycle_id == cycle_id)))
    countries = session.scalar(select(func.count()).select_from(Country)) or 0

    assert set(statuses) == set(SubmissionStatus)
    assert 0 < countries - len(statuses) <= 12  # about 10 countries have not started


def test_second_run_changes_nothing(session: Session, demo: DemoReport) -> None:
    before = _row_counts(session)

    again = create_demo_data(session, today=TODAY)

    assert not demo.already_present and demo.counts["indicator_value"] > 0
    assert again.already_present and again.counts == {}
    assert again.users == demo.users
    assert _row_counts(session) == before
    # One audit event summarises the bulk load; no event per row; the session audits again afterwards.
    events = session.execute(
        select(AuditEvent.entity_type, AuditEvent.entity_id, AuditEvent.after).where(
            AuditEvent.entity_type.in_(["demo", "submission", "indicator_value"])
        )
    ).all()
    assert [tuple(e) for e in events] == [("demo", "1", {"counts": demo.counts})]
    assert "audit_disabled" not in session.info


def test_female_and_male_migrant_stock_add_up_to_the_total(session: Session, demo: DemoReport) -> None:
    female, male = aliased(IndicatorValue), aliased(IndicatorValue)
    same = (
        (IndicatorValue.indicator_id == female.indicator_id)
        & (IndicatorValue.country_id == female.country_id)
        & (IndicatorValue.period == female.period)
    )
    stmt = (
        select(IndicatorValue.value, female.value, male.value)
        .join(Indicator, Indicator.id == IndicatorValue.indicator_id)
        .join(female, same & (female.sex == Sex.female))
        .join(
            male,
            (male.indicator_id == IndicatorValue.indicator_id)
            & (male.country_id == IndicatorValue.country_id)
            & (male.period == IndicatorValue.period)
            & (male.sex == Sex.male),
        )
        .where(Indicator.code == "UNDESA.MIGSTOCK", IndicatorValue.sex == Sex.total)
    )
    rows = session.execute(stmt).all()

    assert len(rows) > 100
    assert all(total == f + m for total, f, m in rows if None not in (total, f, m))


def test_every_matching_pledge_cites_an_earlier_pledge_of_another_state(session: Session, demo: DemoReport) -> None:
    cited = aliased(Commitment)
    pairs = session.execute(select(Commitment, cited).join(cited, cited.id == Commitment.matched_commitment_id)).all()
    matching = session.scalar(select(func.count()).where(Commitment.pledge_type == PledgeType.matching)) or 0

    assert matching > 0 and len(pairs) == matching
    for pledge, other in pairs:
        assert pledge.pledge_type is PledgeType.matching
        assert other.id != pledge.id and other.country_id != pledge.country_id
        assert other.created_at <= pledge.created_at


def test_users_for_every_role_and_a_focal_point_per_country(session: Session, demo: DemoReport) -> None:
    users = {u.email: u for u in session.scalars(select(User).where(User.email.like("%@demo.gcm.example")))}
    countries = list(session.scalars(select(Country)))

    assert {u.role for u in users.values()} == set(Role)
    assert [u.role for u in demo.users[:4]] == [Role.admin, Role.secretariat, Role.secretariat, Role.preparer]
    assert all(u.password == DEMO_PASSWORD for u in demo.users)
    for country in countries:
        focal = users[f"focal.{country.iso3.lower()}@demo.gcm.example"]
        assert focal.role is Role.focal_point and focal.country_id == country.id
    assert "focal2.phl@demo.gcm.example" in users
