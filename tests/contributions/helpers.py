"""Test data of contributions: an organisation's contribution to a cycle, drafted or moved to a status through the
service (as the product records it)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.auth.models import Role, User
from app.contributions import queries, service
from app.contributions.models import Contribution, ContributionStatus
from app.cycles.models import ReviewCycle
from app.organisations.models import Organisation
from tests.factories import make_cycle, make_organisation, make_user

ABOUT = "We are a network of migrant workers' associations; we consulted our members in five countries."


def stakeholder(session: Session, organisation: Organisation | None = None) -> User:
    return make_user(session, role=Role.stakeholder, organisation=organisation or make_organisation(session))


def secretariat(session: Session) -> User:
    return make_user(session, role=Role.secretariat)


def drafted(
    session: Session,
    *,
    user: User | None = None,
    cycle: ReviewCycle | None = None,
    objectives: tuple[int, ...] = (3, 7),
    consent: str = "name",
    complete: bool = True,
) -> tuple[Contribution, User]:
    """A draft on ``objectives`` (every required answer given when ``complete``)."""
    user = user or stakeholder(session)
    cycle = cycle or make_cycle(session)
    contribution = service.start(session, user=user, cycle=cycle)
    service.set_scope(
        session,
        user=user,
        contribution=contribution,
        objectives=[str(n) for n in objectives],
        consent=consent,
        version=contribution.version,
    )
    if complete:
        service.save_part(
            session,
            user=user,
            contribution=contribution,
            part="section:about",
            form={"about": [ABOUT]},
            version=service.part_version(contribution, "section:about"),
        )
        for n in objectives:
            service.save_part(
                session,
                user=user,
                contribution=contribution,
                part=f"objective:{n}",
                form={"what_we_did": [f"We trained recruiters on objective {n}."], "good_practices": ["Hotlines"]},
                version=service.part_version(contribution, f"objective:{n}"),
            )
    return reload(session, contribution), user


def reload(session: Session, contribution: Contribution) -> Contribution:
    session.expire_all()
    found = queries.get_contribution(session, contribution.id)
    assert found is not None
    return found


def in_status(session: Session, status: ContributionStatus, **kwargs: object) -> tuple[Contribution, User]:
    """A complete contribution moved to ``status`` through the service."""
    contribution, user = drafted(session, **kwargs)  # type: ignore[arg-type]
    if status is ContributionStatus.draft:
        return contribution, user
    service.submit(session, user=user, contribution=contribution)
    staff = secretariat(session)
    action = {
        ContributionStatus.accepted: "accept",
        ContributionStatus.returned: "return",
        ContributionStatus.declined: "decline",
    }.get(status)
    if action:
        service.moderate(
            session, user=staff, contribution=contribution, action=action, reason="Please cite sources.", version=None
        )
    return reload(session, contribution), user
