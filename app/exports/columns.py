"""Answers as export columns and rows: one column per question (objective reports), one row per answer (answers).

The questions come from the questionnaires of the cycles an export covers (``app.questionnaires``); each value is
written as a reader sees it (``app.questionnaires.answers.display``: choice labels, "Yes"/"No", "3. Under way"), a
number as the number. These functions only shape rows the statements of ``queries.py`` stream: a row of the objective
reports at a time, the answers of one submission at a time (a few hundred rows at most), so memory stays flat.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from app.questionnaires.answers import display
from app.questionnaires.schemas import Definition, Question, QuestionType

# The kind of a question's column (app/exports/formats.py: widths, typed cells).
KINDS = {
    QuestionType.long_text: "text",
    QuestionType.number: "float",
    QuestionType.date: "date",
}
SECTION_RANK_UNKNOWN = 999  # a section the questionnaire no longer has comes after the ones it has
OBJECTIVE_RANK = 1000  # objectives after the general sections, in their numbers' order


@dataclass(frozen=True)
class QuestionColumn:
    key: str  # the question's key
    name: str  # the column's name: the key, unless an identifying column has that name already
    kind: str


def question_columns(definitions: Sequence[Definition], taken: Iterable[str]) -> list[QuestionColumn]:
    """The objective questions of the given questionnaires (first the first one's, in its order, then the keys only
    later ones ask), one column per key. A key equal to an identifying column's name is prefixed ``answer_``."""
    names = set(taken)
    columns: list[QuestionColumn] = []
    seen: set[str] = set()
    for definition in definitions:
        for question in definition.objective_questions:
            if question.key in seen:
                continue
            seen.add(question.key)
            name = question.key
            while name in names:
                name = "answer_" + name
            names.add(name)
            columns.append(QuestionColumn(question.key, name, KINDS.get(question.type, "str")))
    return columns


def _fallback(value: Any) -> str:
    """A value whose question the questionnaire no longer asks there: as it is stored."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def cell(question: Question | None, value: Any, definition: Definition | None) -> Any:
    """An answer in a table cell: the number for a number question, else the text a reader sees ("" unanswered)."""
    if value is None:
        return None
    if question is None or definition is None:
        return _fallback(value)
    if question.type is QuestionType.number and isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return display(question, value, definition)


class ObjectiveReportRows:
    """Shapes rows of the objective reports statement: ``(*identifying, updated_at, cycle_id, objective, *values)``
    become ``(*identifying, *cells, updated_at)``, a cell per question column."""

    def __init__(self, definitions: dict[int, Definition], columns: Sequence[QuestionColumn], identifying: int) -> None:
        self._definitions = definitions
        self._keys = [c.key for c in columns]
        self._identifying = identifying
        self._questions: dict[tuple[int, int], list[Question | None]] = {}

    def _asked(self, cycle_id: int, number: int) -> list[Question | None]:
        found = self._questions.get((cycle_id, number))
        if found is None:
            definition = self._definitions.get(cycle_id)
            part = f"objective:{number}"
            found = [definition.question(part, key) if definition else None for key in self._keys]
            self._questions[cycle_id, number] = found
        return found

    def __call__(self, rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
        n = self._identifying
        for row in rows:
            updated_at, cycle_id, number = row[n], row[n + 1], row[n + 2]
            definition = self._definitions.get(cycle_id)
            asked = self._asked(cycle_id, number)
            cells = [cell(q, v, definition) for q, v in zip(asked, row[n + 3 :], strict=True)]
            yield (*row[:n], *cells, updated_at)


def part_objective(part: str) -> int | None:
    kind, _sep, ref = part.partition(":")
    return int(ref) if kind == "objective" and ref.isdecimal() else None


def _rank(definition: Definition | None, part: str, key: str) -> tuple[int, int, str]:
    """Where an answer comes in its review: the sections in the questionnaire's order, then the objectives, and in
    a part its questions' order (unknown ones last, by key)."""
    number = part_objective(part)
    if definition is None:
        return (OBJECTIVE_RANK + number if number is not None else SECTION_RANK_UNKNOWN, 0, part + ":" + key)
    if number is not None:
        part_rank = OBJECTIVE_RANK + number
    else:
        section_keys = [s.key for s in definition.sections]
        ref = part.partition(":")[2]
        part_rank = section_keys.index(ref) if ref in section_keys else SECTION_RANK_UNKNOWN
    keys = [q.key for q in definition.questions_for(part)]
    return (part_rank, keys.index(key) if key in keys else len(keys), key)


class AnswerRows:
    """Shapes rows of the answers statement: ``(answer_id, submission_id, cycle, iso3, country, subregion, status,
    part, key, value, updated_at, cycle_id)``, a submission's rows together, become the dataset's rows (see
    ``ANSWER_COLUMNS`` in queries.py), in the order of the questionnaire; an answer cleared (null) is left out."""

    def __init__(self, definitions: dict[int, Definition]) -> None:
        self._definitions = definitions

    def _shape(self, row: Sequence[Any]) -> tuple[tuple[int, int, str], tuple[Any, ...]]:
        answer_id, submission_id, cycle, iso3, country, subregion, status, part, key, value, updated_at, cycle_id = row
        definition = self._definitions.get(cycle_id)
        question = definition.question(part, key) if definition else None
        shaped = (
            answer_id,
            submission_id,
            cycle,
            iso3,
            country,
            subregion,
            status,
            part,
            part_objective(part),
            key,
            question.text("en") if question else "",
            question.type.value if question else "",
            display(question, value, definition) if question and definition else _fallback(value),
            json.dumps(value, ensure_ascii=False),
            updated_at,
        )
        return _rank(definition, part, key), shaped

    def __call__(self, rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
        group: list[tuple[tuple[int, int, str], tuple[Any, ...]]] = []
        current: object = None
        for row in rows:
            if row[9] is None:  # cleared: not answered
                continue
            if row[1] != current and group:
                group.sort(key=lambda item: item[0])
                yield from (shaped for _rank_, shaped in group)
                group = []
            current = row[1]
            group.append(self._shape(row))
        group.sort(key=lambda item: item[0])
        yield from (shaped for _rank_, shaped in group)
