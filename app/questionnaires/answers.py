"""Answers by question type: what a value may be, how a form's strings become one, how it reads.

An answer's value (``Answer.value``, and the API's ``value``) is a string for texts, a date (YYYY-MM-DD) and a single
choice; a list of strings for a multiple choice, principles (codes a-j) and linked pledges (their references); a
boolean for yes/no; a number for a number and a rating (the step's value); for a file, ``{"file_id", "name", "size",
"media_type"}`` (written by ``app.submissions.service.attach_file`` only); None when not answered. ``coerce`` checks
a value against its question (type, choices, range, limit) and gives it in its stored form, or raises
``AnswerInvalid`` with the reason; nothing else writes an answer's value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.errors import AppError, FormInvalid
from app.i18n import _, format_number, lazy_gettext, pick
from app.questionnaires.schemas import Definition, Question, QuestionType

LIST_TYPES = frozenset({QuestionType.multiple_choice, QuestionType.principles, QuestionType.commitments})
# Types whose chosen values are kept as answer_choice rows (what the dashboards count and filter by).
COUNTED_TYPES = frozenset(
    {
        QuestionType.single_choice,
        QuestionType.multiple_choice,
        QuestionType.yes_no,
        QuestionType.rating,
        QuestionType.principles,
        QuestionType.commitments,
    }
)
DEFAULT_TEXT_MAX = 20_000
ANSWERS_INVALID = lazy_gettext("Some answers need correcting; nothing was saved.")


class AnswerInvalid(AppError):
    status_code = 422


@dataclass(frozen=True)
class Context:
    """What some types are chosen from: the cycle's scale, the principles' codes, the country's pledges."""

    scale: frozenset[int] = frozenset()
    principles: frozenset[str] = frozenset()
    pledges: frozenset[str] = frozenset()  # references
    pledge_ids: dict[str, str] = field(default_factory=dict)  # a form's commitment id -> its reference

    @classmethod
    def of(cls, definition: Definition, principles: list[str], pledges: dict[int, str]) -> Context:
        return cls(
            scale=frozenset(s.value for s in definition.rating_scale),
            principles=frozenset(principles),
            pledges=frozenset(pledges.values()),
            pledge_ids={str(k): v for k, v in pledges.items()},
        )


def _clean(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def _ordered(values: list[str], order: list[str]) -> list[str]:
    seen = set(values)
    return [v for v in order if v in seen]


def coerce(question: Question, value: Any, ctx: Context) -> Any:
    """The value as stored (texts trimmed, lists in the choices' order), or AnswerInvalid saying why it does not fit.

    An empty text or list is "not answered" (None)."""
    t = question.type
    if value is None:
        return None
    if t in (QuestionType.long_text, QuestionType.short_text):
        if not isinstance(value, str):
            raise AnswerInvalid(_("Give a text."))
        text = _clean(value)
        if t is QuestionType.short_text and "\n" in text:
            raise AnswerInvalid(_("Give a single line."))
        limit = question.max_length or DEFAULT_TEXT_MAX
        if len(text) > limit:
            raise AnswerInvalid(_("Shorten the text to %(max)s characters.") % {"max": format_number(limit)})
        return text or None
    if t is QuestionType.date:
        if not isinstance(value, str):
            raise AnswerInvalid(_("Give a date as YYYY-MM-DD."))
        if not value.strip():
            return None
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            raise AnswerInvalid(_("Give a date as YYYY-MM-DD.")) from None
    if t is QuestionType.yes_no:
        if not isinstance(value, bool):
            raise AnswerInvalid(_("Answer yes (true) or no (false)."))
        return value
    if t is QuestionType.number:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise AnswerInvalid(_("Give a number."))
        if question.min is not None and value < question.min:
            raise AnswerInvalid(_("Give a number of at least %(min)s.") % {"min": f"{question.min:g}"})
        if question.max is not None and value > question.max:
            raise AnswerInvalid(_("Give a number of at most %(max)s.") % {"max": f"{question.max:g}"})
        return int(value) if float(value).is_integer() else float(value)
    if t is QuestionType.rating:
        if isinstance(value, bool) or not isinstance(value, int | float) or value not in ctx.scale:
            raise AnswerInvalid(_("Choose a step of the progress scale."))
        return int(value)
    if t is QuestionType.single_choice:
        if not isinstance(value, str):
            raise AnswerInvalid(_("Choose one of the choices."))
        if not value:
            return None
        if value not in {c.value for c in question.choices or []}:
            raise AnswerInvalid(_("Choose one of the choices."))
        return value
    if t in LIST_TYPES:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise AnswerInvalid(_("Give a list of the chosen values."))
        if t is QuestionType.multiple_choice:
            allowed = [c.value for c in question.choices or []]
            message = _("Choose among the choices.")
        elif t is QuestionType.principles:
            allowed = sorted(ctx.principles)
            message = _("Choose guiding principles from the list.")
        else:
            allowed = sorted(ctx.pledges)
            message = _("Choose pledges of your own country from the list.")
        if set(value) - set(allowed):
            raise AnswerInvalid(message)
        return _ordered(value, allowed) or None
    raise AnswerInvalid(_("This question is answered by uploading a file."))


def from_form(question: Question, raw: list[str], ctx: Context) -> Any:
    """A value from what a form posted under the question's key (strings, as typed); then ``coerce``."""
    t = question.type
    first = raw[0] if raw else ""
    if t in LIST_TYPES:
        values = [v for v in raw if v]
        if t is QuestionType.commitments:  # the form's checkboxes carry the pledge's id
            values = [ctx.pledge_ids.get(v, v) for v in values]
        return coerce(question, values, ctx)
    if t is QuestionType.yes_no:
        if not first:
            return None
        if first not in ("true", "false"):
            raise AnswerInvalid(_("Answer yes or no."))
        return first == "true"
    if t in (QuestionType.number, QuestionType.rating):
        text = first.strip().replace(",", "") if t is QuestionType.number else first.strip()
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            raise AnswerInvalid(_("Give a number.") if t is QuestionType.number else _("Choose a step.")) from None
        return coerce(question, number, ctx)
    return coerce(question, first, ctx)


def from_part_form(questions: list[Question], form: dict[str, list[str]], ctx: Context) -> dict[str, Any]:
    """Every answer of a part's form (the strings posted under each question's key), checked whole: FormInvalid with
    a message per question that does not fit, before anything is saved. A file question is not in the form."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for q in questions:
        if q.type is QuestionType.file:
            continue
        try:
            values[q.key] = from_form(q, form.get(q.key, []), ctx)
        except AnswerInvalid as exc:
            errors[q.key] = exc.message
    if errors:
        raise FormInvalid(errors, ANSWERS_INVALID)
    return values


def form_value(question: Question, value: Any, pledge_ids: dict[str, str] | None = None) -> Any:
    """A stored value as a form shows it back (strings; a list for the list types)."""
    if value is None:
        return [] if question.type in LIST_TYPES else ""
    if question.type is QuestionType.commitments and pledge_ids:
        ids = {ref: id_ for id_, ref in pledge_ids.items()}
        return [ids.get(v, v) for v in value]
    if question.type is QuestionType.yes_no:
        return "true" if value else "false"
    if question.type in (QuestionType.number, QuestionType.rating):
        return f"{value:g}" if isinstance(value, float) else str(value)
    return value


def choices_of(question: Question, value: Any) -> list[str]:
    """The values an answer chose, as answer_choice keeps them."""
    if value is None or question.type not in COUNTED_TYPES:
        return []
    if isinstance(value, list):
        return [str(v)[:100] for v in value]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    return [str(value)[:100]]


def searchable(question: Question, value: Any) -> str:
    return value if question.type in (QuestionType.long_text, QuestionType.short_text) and value else ""


def display(question: Question, value: Any, definition: Definition, lang: str = "en") -> str:
    """An answer as a reader sees it in a table, a diff or an export: labels for choices, the step's words."""
    if value is None or value == [] or value == "":
        return ""
    t = question.type
    if t is QuestionType.file:
        return str(value.get("name", "")) if isinstance(value, dict) else str(value)
    if t is QuestionType.yes_no:
        return str(_("Yes") if value else _("No"))
    if t is QuestionType.rating:
        step = definition.step(value)
        return f"{value}. {pick(step.label, '', lang)[0]}" if step else str(value)
    if t is QuestionType.single_choice:
        return question.choice_label(str(value), lang)
    if t is QuestionType.multiple_choice:
        return "; ".join(question.choice_label(str(v), lang) for v in value)
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def is_shown(question: Question, values: dict[str, Any]) -> bool:
    """Whether a question is asked, given the part's other answers (its ``show_if``)."""
    cond = question.show_if
    return cond is None or values.get(cond.key) == cond.equals


def missing(questions: list[Question], values: dict[str, Any]) -> list[Question]:
    """The required questions that are asked and not answered."""
    return [q for q in questions if q.required and is_shown(q, values) and values.get(q.key) in (None, "", [])]
