"""Commands on questionnaires: the definition of a cycle, replaced whole from a file, with the rules that protect
answers once a cycle is open.

Before a cycle opens anything may change. Once it is open (or closed), wording, hints, translations, order and new
optional questions may change, and what no answer uses may go; removing a section or a question that has answers,
changing the type of a question that has answers, removing a choice that answers chose, or making an existing
question required is refused, each such change named with how many answers it would orphan, and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.cycles.models import CycleStatus, ReviewCycle
from app.errors import Conflict, NotFound
from app.i18n import _
from app.questionnaires import queries
from app.questionnaires.defaults import default_definition, default_stakeholder_definition
from app.questionnaires.models import Questionnaire, QuestionnaireKind
from app.questionnaires.schemas import CHOICE_TYPES, Definition, DefinitionInvalid, Problem, Question, parse

STATES = QuestionnaireKind.states


def default_for(kind: QuestionnaireKind) -> Definition:
    return default_stakeholder_definition() if kind is QuestionnaireKind.stakeholders else default_definition()


def definition_for(session: Session, cycle: ReviewCycle, kind: QuestionnaireKind = STATES) -> Definition:
    """The cycle's questionnaire of that kind; a cycle that has none yet asks the default one."""
    stored = queries.get_for_cycle(session, cycle.id, kind)
    return Definition.model_validate(stored.definition) if stored is not None else default_for(kind)


def start_for(session: Session, cycle: ReviewCycle, kind: QuestionnaireKind = STATES) -> Questionnaire:
    """Give a new cycle its questionnaire of that kind: a copy of the previous cycle's, or else the default one."""
    existing = queries.get_for_cycle(session, cycle.id, kind)
    if existing is not None:
        return existing
    previous = queries.latest_before(session, cycle, kind)
    definition = deepcopy(previous.definition) if previous is not None else default_for(kind).as_json()
    questionnaire = Questionnaire(review_cycle_id=cycle.id, kind=kind, definition=definition)
    session.add(questionnaire)
    session.flush()
    return questionnaire


def _questions(definition: Definition) -> dict[tuple[str, str], Question]:
    found = {("section", q.key): q for s in definition.sections for q in s.questions}
    found.update({("objective", q.key): q for q in definition.objective_questions})
    return found


def changes_refused_once_open(
    before: Definition,
    after: Definition,
    answered: dict[tuple[str, str], int],
    chosen: dict[tuple[str, str, str], int],
    section_answers: dict[str, int],
) -> list[Problem]:
    """What an open cycle's questionnaire may not lose or change because answers use it (how many are given:
    ``answered`` per question, ``chosen`` per choice, ``section_answers`` per section), and what it may not add."""
    problems: list[Problem] = []

    def orphan(n: int) -> str:
        return _("%(n)s answer(s) would be orphaned") % {"n": n}

    kept_sections = {s.key for s in after.sections}
    for section in before.sections:
        n = section_answers.get(section.key, 0)
        if section.key not in kept_sections and n:
            message = _("The section %(key)s cannot be removed while the cycle is open: %(orphans)s.")
            problems.append(Problem(where="sections", message=message % {"key": section.key, "orphans": orphan(n)}))
    new, old_questions = _questions(after), _questions(before)
    for (kind, key), old in old_questions.items():
        where = "objective_questions" if kind == "objective" else "sections"
        now = new.get((kind, key))
        n = answered.get((kind, key), 0)
        if now is None:
            if n:
                message = _("The question %(key)s cannot be removed while the cycle is open: %(orphans)s.")
                problems.append(Problem(where=where, message=message % {"key": key, "orphans": orphan(n)}))
            continue
        if now.type is not old.type and n:
            message = _(
                "The type of %(key)s cannot change from %(old)s to %(new)s while the cycle is open: %(orphans)s."
            )
            values = {"key": key, "old": old.type.value, "new": now.type.value, "orphans": orphan(n)}
            problems.append(Problem(where=where, message=message % values))
        if old.type in CHOICE_TYPES:
            gone = sorted({c.value for c in old.choices or []} - {c.value for c in now.choices or []})
            for value in gone:
                used = chosen.get((kind, key, value), 0)
                if used:
                    message = _(
                        "The choice %(value)s of %(key)s cannot be removed while the cycle is open: %(orphans)s."
                    )
                    values = {"value": value, "key": key, "orphans": orphan(used)}
                    problems.append(Problem(where=where, message=message % values))
        if now.required and not old.required:
            message = _("%(key)s cannot become required: the cycle is open and answers were given without it.")
            problems.append(Problem(where=where, message=message % {"key": key}))
    for (kind, key), question in new.items():
        if (kind, key) not in old_questions and question.required:
            message = _("The new question %(key)s must be optional: the cycle is open.") % {"key": key}
            where = "objective_questions" if kind == "objective" else "sections"
            problems.append(Problem(where=where, message=message))
    return problems


def replace_definition(
    session: Session,
    *,
    cycle: ReviewCycle,
    data: object,
    version: int | None = None,
    kind: QuestionnaireKind = STATES,
) -> bool:
    """Replace the cycle's questionnaire of that kind with ``data`` (parsed JSON), whole or not at all; returns
    whether it changed. DefinitionInvalid lists every problem; a stale ``version`` is a Conflict."""
    definition = parse(data)
    questionnaire = start_for(session, cycle, kind)
    if version is not None and version != questionnaire.version:
        raise Conflict(_("Someone else changed this questionnaire after you opened it. Nothing was saved."))
    if cycle.status is not CycleStatus.planned:
        before = Definition.model_validate(questionnaire.definition)
        sections = {s.key: queries.section_answer_count(session, cycle.id, s.key, kind) for s in before.sections}
        refused = changes_refused_once_open(
            before,
            definition,
            queries.answer_counts(session, cycle.id, kind),
            queries.choice_counts(session, cycle.id, kind),
            sections,
        )
        if refused:
            raise DefinitionInvalid(refused)
    new: dict[str, Any] = definition.as_json()
    if new == questionnaire.definition:
        return False
    questionnaire.definition = new
    try:
        with session.begin_nested():
            session.flush()
    except StaleDataError:
        raise Conflict(_("Someone else changed this questionnaire at the same moment. Nothing was saved.")) from None
    return True


# ---- editing one question at a time (the questionnaire page) ------------------------------------------------------


def questions_of(data: dict[str, Any], kind: str, key: str) -> tuple[list[dict[str, Any]], int]:
    """The list holding question ``key`` of ``kind`` ("section" or "objective") and its index; NotFound if none."""
    lists = [s["questions"] for s in data["sections"]] if kind == "section" else [data["objective_questions"]]
    for questions in lists if kind in ("section", "objective") else []:
        for index, question in enumerate(questions):
            if question["key"] == key:
                return questions, index
    raise NotFound(_("This questionnaire has no such question."))


def modify(
    session: Session,
    *,
    cycle: ReviewCycle,
    change: Callable[[dict[str, Any]], None],
    version: int | None,
    kind: QuestionnaireKind = STATES,
) -> bool:
    """Apply ``change`` to a copy of the definition, then save it through every rule of ``replace_definition``."""
    data = definition_for(session, cycle, kind).as_json()
    change(data)
    return replace_definition(session, cycle=cycle, data=data, version=version, kind=kind)


def add_question(
    session: Session,
    *,
    cycle: ReviewCycle,
    part: str,
    question: dict[str, Any],
    version: int | None,
    kind: QuestionnaireKind = STATES,
) -> bool:
    """Add a question at the end of a general section ("section:KEY") or of the objective questions."""

    def change(data: dict[str, Any]) -> None:
        if part == "objective":
            data["objective_questions"].append(question)
            return
        section = next((s for s in data["sections"] if f"section:{s['key']}" == part), None)
        if section is None:
            raise NotFound(_("This questionnaire has no such section."))
        section["questions"].append(question)

    return modify(session, cycle=cycle, change=change, version=version, kind=kind)


def update_question(
    session: Session,
    *,
    cycle: ReviewCycle,
    kind: str,
    key: str,
    question: dict[str, Any],
    version: int | None,
    questionnaire: QuestionnaireKind = STATES,
) -> bool:
    def change(data: dict[str, Any]) -> None:
        questions, index = questions_of(data, kind, key)
        questions[index] = question

    return modify(session, cycle=cycle, change=change, version=version, kind=questionnaire)


def move_question(
    session: Session,
    *,
    cycle: ReviewCycle,
    kind: str,
    key: str,
    step: int,
    version: int | None,
    questionnaire: QuestionnaireKind = STATES,
) -> bool:
    def change(data: dict[str, Any]) -> None:
        questions, index = questions_of(data, kind, key)
        target = index + step
        if 0 <= target < len(questions):
            questions[index], questions[target] = questions[target], questions[index]

    return modify(session, cycle=cycle, change=change, version=version, kind=questionnaire)


def remove_question(
    session: Session,
    *,
    cycle: ReviewCycle,
    kind: str,
    key: str,
    version: int | None,
    questionnaire: QuestionnaireKind = STATES,
) -> bool:
    def change(data: dict[str, Any]) -> None:
        questions, index = questions_of(data, kind, key)
        del questions[index]

    return modify(session, cycle=cycle, change=change, version=version, kind=questionnaire)
