"""The questionnaires the dashboards read: every cycle's definition (the stored one, or the default), loaded in one
select, and what the figures take from them (the rating scale's words, the keys of the principles questions, the
choice questions whose answers are counted).

Where no single cycle is shown, labels come from the most recent cycle's questionnaire (``latest``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.dashboards import queries
from app.dashboards.queries import ChoiceQuestions, Reference
from app.data_version import ResultCache, cached
from app.i18n import pick
from app.questionnaires.defaults import default_definition
from app.questionnaires.schemas import REPORTED, REPORTING_KEY, Definition, Question, QuestionType

# Types whose answers the overview and the objective page show as a distribution (counted from answer_choice).
DISTRIBUTED = frozenset({QuestionType.single_choice, QuestionType.multiple_choice, QuestionType.yes_no})
# The objective question "reporting" is left out of the distributions: the overview already shows, per objective,
# how many States report it (and every other objective figure counts reported objectives only).
NOT_DISTRIBUTED = frozenset({REPORTING_KEY})
SUMMARY_KEY = "narrative"  # the objective question the objective page quotes (else the first text question)
PRACTICE_KEY = "good_practices"  # the objective question of good practices (the objective page, search's kind)


@dataclass(frozen=True)
class Questionnaires:
    by_cycle: dict[int, Definition]
    latest: Definition  # the most recent cycle's (or the default, with no cycle)

    def of(self, cycle_id: int | None) -> Definition:
        return self.by_cycle.get(cycle_id, self.latest) if cycle_id is not None else self.latest

    def _scope(self, cycle_id: int | None) -> list[Definition]:
        return [self.of(cycle_id)] if cycle_id is not None else [*self.by_cycle.values(), self.latest]

    def principle_keys(self, cycle_id: int | None) -> tuple[str, ...]:
        """The keys of the objective questions of type ``principles`` (of the cycle, or of every cycle)."""
        return tuple(
            sorted(
                {
                    q.key
                    for d in self._scope(cycle_id)
                    for q in d.objective_questions
                    if q.type is QuestionType.principles
                }
            )
        )


def load(session: Session, ref: Reference | None = None, cache: ResultCache | None = None) -> Questionnaires:
    """Every cycle's questionnaire (one select, and one for the cycles without ``ref``; kept in the result cache: a
    change to a questionnaire or a cycle bumps the data version like any other write)."""

    def compute() -> Questionnaires:
        cycles = ref.cycles if ref is not None else queries.cycles_latest_first(session)
        stored = {cid: Definition.model_validate(d) for cid, d in queries.questionnaire_definitions(session)}
        default: Definition | None = None
        by_cycle: dict[int, Definition] = {}
        for cycle in cycles:
            if cycle.id in stored:
                by_cycle[cycle.id] = stored[cycle.id]
            else:
                default = default or default_definition()
                by_cycle[cycle.id] = default
        latest = by_cycle[cycles[0].id] if cycles else default_definition()
        return Questionnaires(by_cycle, latest)

    return cached(cache, session, ("questionnaires",), compute)


@dataclass(frozen=True)
class Counted:
    """A question whose answers a distribution counts: ``part`` is ``section:<key>`` or "objective"."""

    part: str
    scope: str  # the section's title, or "" for an objective question
    question: Question


def counted_questions(
    definition: Definition, *, sections: bool, objectives: list[int]
) -> tuple[ChoiceQuestions, list[Counted]]:
    """The single choice, multiple choice and yes/no questions to count: the sections' (if ``sections``), and the
    objective questions asked for at least one of ``objectives`` (except "reporting")."""
    found: list[Counted] = []
    if sections:
        for s in definition.sections:
            for q in s.questions:
                if q.type in DISTRIBUTED:
                    found.append(Counted(f"section:{s.key}", pick(s.label, s.key)[0], q))
    for q in definition.objective_questions:
        asked = q.objectives is None or any(n in q.objectives for n in objectives)
        if q.type in DISTRIBUTED and q.key not in NOT_DISTRIBUTED and asked and objectives:
            found.append(Counted(queries.OBJECTIVE_ROWS, "", q))
    spec = ChoiceQuestions(
        sections=tuple((c.part, c.question.key) for c in found if c.part != queries.OBJECTIVE_ROWS),
        objective_keys=tuple(c.question.key for c in found if c.part == queries.OBJECTIVE_ROWS),
    )
    return spec, found


def summary_key(definition: Definition, number: int) -> str | None:
    """The objective question whose answer the objective page quotes for a report: "narrative" where asked, else the
    first long text asked when the objective is reported (never the good practices, shown apart)."""
    questions = definition.questions_for(f"objective:{number}")
    if any(q.key == SUMMARY_KEY for q in questions):
        return SUMMARY_KEY
    for q in questions:
        reported = q.show_if is None or (q.show_if.key == REPORTING_KEY and q.show_if.equals == REPORTED)
        if q.type is QuestionType.long_text and q.key != PRACTICE_KEY and reported:
            return q.key
    return None
