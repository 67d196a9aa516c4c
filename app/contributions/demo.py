"""The demo's contributions (``gcm demo``): the demo organisations contribute to the open cycle, one accepted, one
submitted and one returned with a reason, each through the service, as the product records them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.contributions import queries, service
from app.cycles.models import CycleStatus, ReviewCycle

# (stakeholder's e-mail slug, objectives, consent, what happens, its texts)
PLANS = (
    (
        "iom",
        (2, 5, 7),
        "name",
        "accept",
        "The IOM Regional Office for Asia and the Pacific prepared this input with the country offices of the "
        "Regional UN Network on Migration, from programme data and consultations with partners.",
    ),
    (
        "mfa",
        (6, 10, 16),
        "type_only",
        "submit",
        "A regional network of migrant workers' associations; we consulted member organisations in seven countries "
        "through online meetings and a written survey.",
    ),
    (
        "bwi",
        (6, 22),
        "name",
        "return",
        "A union of construction and forestry workers; this input draws on our affiliates' casework.",
    ),
)
TEXTS = {
    "what_we_did": "We ran information sessions before departure and legal clinics at destination for objective {n}.",
    "observations": "Access to complaint mechanisms is uneven; women domestic workers reach them least often.",
    "good_practices": "Joint labour inspections with workers' organisations, announced in migrants' languages.",
    "recommendations": "Make recruitment free for workers and publish the inspection results every year.",
}


def create(session: Session, cycles: list[ReviewCycle], domain: str) -> int:
    """The contributions to the open cycle (none without one); returns how many were made."""
    cycle = next((c for c in cycles if c.status is CycleStatus.open), None)
    staff = queries.any_secretariat(session)
    if cycle is None or staff is None:
        return 0
    made = 0
    for slug, objectives, consent, outcome, about in PLANS:
        user = queries.user_by_email(session, f"stakeholder.{slug}@{domain}")
        if user is None:
            continue
        contribution = service.start(session, user=user, cycle=cycle)
        service.set_scope(
            session,
            user=user,
            contribution=contribution,
            objectives=[str(n) for n in objectives],
            consent=consent,
            version=contribution.version,
        )
        service.save_part(
            session,
            user=user,
            contribution=contribution,
            part="section:about",
            form={"about": [about]},
            version=service.part_version(contribution, "section:about"),
        )
        for n in objectives:
            form = {key: [text.format(n=n)] for key, text in TEXTS.items()}
            service.save_part(
                session,
                user=user,
                contribution=contribution,
                part=f"objective:{n}",
                form=form,
                version=service.part_version(contribution, f"objective:{n}"),
            )
        service.submit(session, user=user, contribution=contribution)
        if outcome == "accept":
            service.moderate(session, user=staff, contribution=contribution, action="accept", version=None)
        elif outcome == "return":
            reason = "Thank you. Please say which countries the casework comes from, so that readers can place it."
            service.moderate(
                session, user=staff, contribution=contribution, action="return", reason=reason, version=None
            )
        made += 1
    return made
