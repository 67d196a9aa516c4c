"""The definition of a cycle's questionnaire, as JSON (the file format of `gcm questionnaire export|import` and of
`GET /api/v1/cycles/{id}/questionnaire`), and the rules a definition must keep.

```json
{"rating_scale": [{"value": 1, "label": {"en": "Not started"}, "hint": {"en": "No measures yet."}}],
 "sections": [{"key": "preparation", "label": {"en": "How the review was prepared"}, "hint": {"en": "..."},
               "questions": [QUESTION]}],
 "objective_questions": [QUESTION]}
```

QUESTION: ``key`` (a slug, unique among the general sections' questions, or among the objective questions),
``type`` (see ``QuestionType``), ``label`` and ``hint`` (``{"en": ..., "fr": ..., "ru": ..., "zh": ...}``, English
required), ``required``, ``max_length`` (texts), ``choices`` (single and multiple choice: ``[{"value", "label"}]``),
``min``/``max``/``unit`` (numbers), ``max_bytes`` (files), ``objectives`` (the objective numbers it is asked for;
null: all 23), ``default`` (the answer a new review starts with: a single choice's value, or true/false) and
``show_if`` (``{"key": ..., "equals": ...}``: asked only when another question of the same part has that answer).
The objective question keyed ``reporting`` (a single choice with the values ``reported`` and ``not_reported``) says
whether the State reports the objective this cycle; the one ``rating`` objective question gives its step on the
progress scale. Both are kept on the objective report for the dashboards.
A definition is checked whole: every problem is reported with where it is (a JSON path), and nothing is saved.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.errors import AppError
from app.i18n import _, pick

LANGUAGES = ("en", "fr", "ru", "zh")  # ESCAP's working languages; English is required
KEY = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
OBJECTIVES = range(1, 24)


class QuestionType(StrEnum):
    long_text = "long_text"
    short_text = "short_text"
    single_choice = "single_choice"
    multiple_choice = "multiple_choice"
    yes_no = "yes_no"
    number = "number"
    date = "date"
    rating = "rating"  # a step of the cycle's progress scale
    principles = "principles"  # the guiding principles applied (codes a-j)
    commitments = "commitments"  # the country's pledges it links
    file = "file"  # an attachment (PDF, DOCX, XLSX)


# The objective question of this key says whether the State reports the objective this cycle (the dashboards count
# reported objectives by it); a questionnaire without it has every objective reported.
REPORTING_KEY = "reporting"
REPORTED, NOT_REPORTED = "reported", "not_reported"

CHOICE_TYPES = frozenset({QuestionType.single_choice, QuestionType.multiple_choice})
TEXT_TYPES = frozenset({QuestionType.long_text, QuestionType.short_text})

Texts = dict[str, str]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Choice(_Strict):
    value: str
    label: Texts


class Condition(_Strict):
    key: str
    equals: str | bool | int | float


class Question(_Strict):
    """A question; ``label``/``hint`` per language. ``text(...)`` gives them in a language, English otherwise."""

    key: str
    type: QuestionType
    label: Texts
    hint: Texts = Field(default_factory=dict)
    required: bool = False
    max_length: int | None = None
    choices: list[Choice] | None = None
    min: float | None = Field(None, allow_inf_nan=False)
    max: float | None = Field(None, allow_inf_nan=False)
    unit: str | None = None
    max_bytes: int | None = None
    objectives: list[int] | None = None
    show_if: Condition | None = None
    default: str | bool | None = None  # a single choice's value or a yes/no answer a new review starts with

    def text(self, lang: str | None = None) -> str:
        """The question in ``lang`` (default: the reader's, app.i18n), else in English."""
        return pick(self.label, self.key, lang)[0]

    def choice_label(self, value: str, lang: str | None = None) -> str:
        choice = next((c for c in self.choices or [] if c.value == value), None)
        return pick(choice.label, value, lang)[0] if choice else value


class Section(_Strict):
    key: str
    label: Texts
    hint: Texts = Field(default_factory=dict)
    questions: list[Question]


class RatingStep(_Strict):
    value: int
    label: Texts
    hint: Texts = Field(default_factory=dict)


class Definition(_Strict):
    rating_scale: list[RatingStep]
    sections: list[Section]
    objective_questions: list[Question]

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def questions_for(self, part: str) -> list[Question]:
        """The questions asked in a part (``section:<key>`` or ``objective:<n>``), in order; none for another."""
        kind, _sep, ref = part.partition(":")
        if kind == "section":
            section = self.section(ref)
            return list(section.questions) if section else []
        if kind == "objective" and ref.isdigit():
            n = int(ref)
            return [q for q in self.objective_questions if q.objectives is None or n in q.objectives]
        return []

    def question(self, part: str, key: str) -> Question | None:
        return next((q for q in self.questions_for(part) if q.key == key), None)

    def rating_question(self) -> Question | None:
        """The objective question whose answer is the objective's step on the progress scale (the heatmap's)."""
        return next((q for q in self.objective_questions if q.type is QuestionType.rating), None)

    def step(self, value: object) -> RatingStep | None:
        return next((s for s in self.rating_scale if s.value == value), None)


class Problem(BaseModel):
    where: str  # a JSON path (or, for a workbook, sheet and row)
    message: str


class DefinitionInvalid(AppError):
    """The definition breaks rules; ``problems`` lists each with where it is. Nothing was saved."""

    status_code = 422

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            _("The questionnaire was not saved: %(count)s problems were found.") % {"count": len(problems)}
        )
        self.problems = problems


def _path(parts: tuple[int | str, ...]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(the file)"


def parse(data: object) -> Definition:
    """A definition from parsed JSON, or DefinitionInvalid with every problem found."""
    try:
        definition = Definition.model_validate(data)
    except ValidationError as exc:
        raise DefinitionInvalid(
            [Problem(where=_path(tuple(e["loc"])), message=e["msg"]) for e in exc.errors()]
        ) from None
    problems = check(definition)
    if problems:
        raise DefinitionInvalid(problems)
    return definition


def _texts(texts: Texts, where: str, problems: list[Problem], *, required: bool = True) -> None:
    if required and not texts.get("en", "").strip():
        problems.append(Problem(where=where, message=_("Give the text in English (the key “en”).")))
    for language in texts:
        if language not in LANGUAGES:
            problems.append(
                Problem(
                    where=f"{where}.{language}",
                    message=_("Unknown language %(code)s: use en, fr, ru or zh.") % {"code": language},
                )
            )


def _key(key: str, where: str, seen: set[str], problems: list[Problem]) -> None:
    if not KEY.match(key):
        message = _("A key is lower-case letters, digits and _, starting with a letter (at most 63).")
        problems.append(Problem(where=where, message=message))
    elif key in seen:
        problems.append(Problem(where=where, message=_("The key %(key)s is used twice.") % {"key": key}))
    seen.add(key)


def _question(q: Question, where: str, seen: set[str], problems: list[Problem]) -> None:
    _key(q.key, f"{where}.key", seen, problems)
    _texts(q.label, f"{where}.label", problems)
    _texts(q.hint, f"{where}.hint", problems, required=False)
    if q.type in CHOICE_TYPES:
        if not q.choices:
            problems.append(Problem(where=f"{where}.choices", message=_("A choice question needs its choices.")))
        values: set[str] = set()
        for i, choice in enumerate(q.choices or []):
            _key(choice.value, f"{where}.choices[{i}].value", values, problems)
            _texts(choice.label, f"{where}.choices[{i}].label", problems)
    elif q.choices is not None:
        problems.append(Problem(where=f"{where}.choices", message=_("Only choice questions have choices.")))
    if q.max_length is not None and (q.type not in TEXT_TYPES or q.max_length < 1):
        problems.append(
            Problem(where=f"{where}.max_length", message=_("Only a text has a length limit, of 1 or more."))
        )
    if q.type is not QuestionType.number and (q.min is not None or q.max is not None or q.unit is not None):
        problems.append(Problem(where=where, message=_("Only a number question has min, max or a unit.")))
    if q.min is not None and q.max is not None and q.min > q.max:
        problems.append(Problem(where=f"{where}.max", message=_("The maximum is below the minimum.")))
    if q.max_bytes is not None and (q.type is not QuestionType.file or q.max_bytes < 1):
        problems.append(Problem(where=f"{where}.max_bytes", message=_("Only a file question has a size limit.")))
    if q.default is not None and not (
        (q.type is QuestionType.single_choice and q.default in {c.value for c in q.choices or []})
        or (q.type is QuestionType.yes_no and isinstance(q.default, bool))
    ):
        message = _("A default is one of a single choice's values, or true/false for a yes/no question.")
        problems.append(Problem(where=f"{where}.default", message=message))
    bad = [n for n in q.objectives or [] if n not in OBJECTIVES]
    if bad:
        message = _("Objectives are numbered 1 to 23: %(bad)s is not one.") % {"bad": ", ".join(map(str, bad))}
        problems.append(Problem(where=f"{where}.objectives", message=message))


def _conditions(questions: list[Question], where: str, problems: list[Problem]) -> None:
    """A condition names an earlier question of the same part, and a value that question can take."""
    earlier: dict[str, Question] = {}
    for i, q in enumerate(questions):
        cond = q.show_if
        if cond is not None:
            target = earlier.get(cond.key)
            here = f"{where}[{i}].show_if"
            if target is None:
                message = _("The condition names %(key)s, which is not an earlier question of this part.")
                problems.append(Problem(where=f"{here}.key", message=message % {"key": cond.key}))
            elif target.type in CHOICE_TYPES and cond.equals not in {c.value for c in target.choices or []}:
                message = _("%(value)s is not one of the choices of %(key)s.") % {"value": cond.equals, "key": cond.key}
                problems.append(Problem(where=f"{here}.equals", message=message))
            elif target.type is QuestionType.yes_no and not isinstance(cond.equals, bool):
                message = _("A yes/no question is answered true or false.")
                problems.append(Problem(where=f"{here}.equals", message=message))
        earlier[q.key] = q


def check(definition: Definition) -> list[Problem]:
    """Every rule of a definition that the JSON shape alone does not say."""
    problems: list[Problem] = []
    steps: set[int] = set()
    if not definition.rating_scale:
        problems.append(Problem(where="rating_scale", message=_("The progress scale needs at least one step.")))
    for i, step in enumerate(definition.rating_scale):
        if step.value in steps:
            problems.append(Problem(where=f"rating_scale[{i}].value", message=_("Two steps have this number.")))
        steps.add(step.value)
        _texts(step.label, f"rating_scale[{i}].label", problems)
    section_keys: set[str] = set()
    question_keys: set[str] = set()
    for s, section in enumerate(definition.sections):
        where = f"sections[{s}]"
        _key(section.key, f"{where}.key", section_keys, problems)
        _texts(section.label, f"{where}.label", problems)
        for q, question in enumerate(section.questions):
            _question(question, f"{where}.questions[{q}]", question_keys, problems)
            if question.objectives is not None:
                message = _("Only objective questions are asked per objective.")
                problems.append(Problem(where=f"{where}.questions[{q}].objectives", message=message))
        _conditions(section.questions, f"{where}.questions", problems)
    objective_keys: set[str] = set()
    for q, question in enumerate(definition.objective_questions):
        _question(question, f"objective_questions[{q}]", objective_keys, problems)
    _conditions(definition.objective_questions, "objective_questions", problems)
    for q, question in enumerate(definition.objective_questions):
        if question.key == REPORTING_KEY and (
            question.type is not QuestionType.single_choice
            or not {REPORTED, NOT_REPORTED} <= {c.value for c in question.choices or []}
        ):
            message = _(
                "The objective question “reporting” says whether the objective is reported this cycle: it is a "
                "single choice with the values reported and not_reported."
            )
            problems.append(Problem(where=f"objective_questions[{q}]", message=message))
    ratings = [q for q in definition.objective_questions if q.type is QuestionType.rating]
    if len(ratings) > 1:
        message = _("One rating question per objective drives the heatmap: there are %(n)s.") % {"n": len(ratings)}
        problems.append(Problem(where="objective_questions", message=message))
    return problems
