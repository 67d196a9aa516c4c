"""Accepted contributions as other pages quote them (the dashboards' objective and country pages, the synthesis,
the exports): always labelled "Input from stakeholders", cited by the organisation's name or by its type only, as
its consent says, and never counted in States' figures."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.contributions import queries
from app.contributions.models import Consent, Contribution
from app.i18n import pick
from app.organisations.models import Organisation, OrganisationType, type_labels
from app.questionnaires.defaults import default_stakeholder_definition
from app.questionnaires.schemas import Definition

LIMIT = 50


def cite(contribution: Contribution, organisation: Organisation) -> str:
    """The organisation's name, or its type only when it asked to be cited so."""
    if contribution.consent is Consent.type_only:
        return type_labels()[organisation.type]
    return organisation.name


@dataclass(frozen=True)
class Input:
    contribution_id: int
    cycle_id: int
    cited_as: str
    organisation_type: str
    part: str
    key: str
    question: str
    text: str
    language: str | None = None  # the text's (contribution_answer.language), for its lang attribute


def inputs(
    session: Session,
    *,
    part: str | None = None,
    country_id: int | None = None,
    cycle_id: int | None = None,
    limit: int | None = LIMIT,
) -> list[Input]:
    """The text answers of accepted contributions, in the questionnaire's order per contribution (two selects)."""
    rows = queries.accepted_answers(session, part=part, country_id=country_id, cycle_id=cycle_id)
    stored = queries.stakeholder_definitions(session, {c.review_cycle_id for _a, c, _o in rows})
    default = default_stakeholder_definition()
    definitions = {cid: Definition.model_validate(d) for cid, d in stored.items()}
    labels = type_labels()
    found: list[tuple[int, int, Input]] = []
    for answer, contribution, organisation in rows:
        definition = definitions.get(contribution.review_cycle_id, default)
        asked = definition.questions_for(answer.part)
        order = next((i for i, q in enumerate(asked) if q.key == answer.key), len(asked))
        question = asked[order] if order < len(asked) else None
        kind = labels[organisation.type]
        name = cite(contribution, organisation)
        found.append(
            (
                contribution.id,
                order,
                Input(
                    contribution_id=contribution.id,
                    cycle_id=contribution.review_cycle_id,
                    cited_as=name,
                    organisation_type=kind,
                    part=answer.part,
                    key=answer.key,
                    question=pick(question.label, answer.key)[0] if question else answer.key,
                    text=answer.text,
                    language=answer.language,
                ),
            )
        )
    # keep the organisations' order (the query's), each contribution's answers in the questionnaire's order
    first = {cid: i for i, (cid, _o, _x) in reversed(list(enumerate(found)))}
    ordered = [x for _c, _o, x in sorted(found, key=lambda t: (first[t[0]], t[2].part, t[1]))]
    return ordered[:limit] if limit is not None else ordered


class ContributionRows:
    """Shapes rows of the exports' contributions statement: ``(contribution_id, cycle, name, type, consent,
    country_iso3, part, key, value, updated_at, cycle_id)`` become the dataset's rows (``CONTRIBUTION_COLUMNS`` in
    app/exports/queries.py): the organisation cited as its consent says, the question's label and the value as a
    reader sees it; a cleared answer is left out."""

    def __init__(self, definitions: dict[int, Definition]) -> None:
        self._definitions = definitions
        self._default = default_stakeholder_definition()
        self._labels = type_labels()

    def __call__(self, rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
        from app.questionnaires.answers import display

        for row in rows:
            contribution_id, cycle, name, kind, consent, iso3, part, key, value, updated_at, cycle_id = row
            if value is None:
                continue
            definition = self._definitions.get(cycle_id, self._default)
            question = definition.question(part, key)
            _kind, _sep, ref = part.partition(":")
            yield (
                contribution_id,
                cycle,
                self._labels[OrganisationType(kind)] if str(consent) == Consent.type_only.value else name,
                self._labels[OrganisationType(kind)],
                iso3 or "",
                part,
                int(ref) if _kind == "objective" and ref.isdecimal() else None,
                key,
                question.text("en") if question else "",
                display(question, value, definition) if question else str(value),
                updated_at,
            )


def stakeholder_definitions(session: Session, cycle_ids: set[int]) -> dict[int, Definition]:
    return {cid: Definition.model_validate(d) for cid, d in queries.stakeholder_definitions(session, cycle_ids).items()}
