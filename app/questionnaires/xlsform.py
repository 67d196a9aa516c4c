"""A questionnaire as an XLSX workbook laid out as XLSForm users know it, both ways.

- ``survey``: one row per question, with ``type``, ``name``, ``label::English (en)``, ``hint::English (en)`` (and
  ``label::French (fr)``, ``label::Russian (ru)``, ``label::Chinese (zh)`` ...), ``required`` (yes/no),
  ``relevant`` (the condition, as ``${key} = 'value'``, or ``${key} = true()`` for a yes/no question), ``default``
  (the answer a new review starts with), and this product's ``max_length``, ``min``, ``max``, ``unit``,
  ``max_bytes`` and ``objectives`` (numbers, e.g. ``1 2 3``; empty: all 23). Each general section is a
  ``begin_group``/``end_group`` pair (its ``name`` is the section's key); the questions asked for each objective
  are in one ``begin_repeat objectives`` … ``end_repeat``.
- Types: XLSForm's ``select_one LIST`` and ``select_multiple LIST`` for the choice questions, and otherwise this
  product's own (``long_text``, ``short_text``, ``yes_no``, ``number``, ``date``, ``rating``, ``principles``,
  ``commitments``, ``file``).
- ``choices``: ``list_name``, ``name``, ``label::English (en)`` … ; the list ``rating_scale`` is the progress scale
  (``name`` is the step's number, with ``hint::...`` columns for its explanation).

Reading a workbook gives the same JSON as the export (``schemas.parse`` then checks it); every problem names its
sheet and row.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from app.i18n import _
from app.questionnaires.schemas import CHOICE_TYPES, Definition, DefinitionInvalid, Problem, QuestionType

LANGUAGE_NAMES = {"en": "English", "fr": "French", "ru": "Russian", "zh": "Chinese"}
EXTRA = ("max_length", "min", "max", "unit", "max_bytes", "objectives", "default")
SCALE_LIST = "rating_scale"
OBJECTIVES_REPEAT = "objectives"
RELEVANT = re.compile(
    r"^\s*\$\{(?P<key>[a-z][a-z0-9_]*)\}\s*=\s*"
    r"(?:'(?P<text>[^']*)'|(?P<bool>true|false)\(\)|(?P<num>-?\d+(?:\.\d+)?))\s*$"
)
HEADER = re.compile(r"^(?P<field>label|hint)::.*\((?P<code>[a-z]{2})\)\s*$")
MAX_ROWS = 2_000
MAX_UNPACKED = 20 * 1024 * 1024  # a questionnaire's workbook is small: refuse a zip bomb before openpyxl opens it
MAX_RATIO = 200


def _languages(definition: Definition) -> list[str]:
    found: set[str] = set()
    for step in definition.rating_scale:
        found |= set(step.label) | set(step.hint)
    for section in definition.sections:
        found |= set(section.label) | set(section.hint)
        for q in section.questions:
            found |= set(q.label) | set(q.hint)
    for q in definition.objective_questions:
        found |= set(q.label) | set(q.hint)
    return [code for code in LANGUAGE_NAMES if code in found]


def _relevant(show_if: Any) -> str:
    if show_if is None:
        return ""
    value = show_if.equals
    if isinstance(value, bool):
        return f"${{{show_if.key}}} = {'true' if value else 'false'}()"
    if isinstance(value, int | float):
        return f"${{{show_if.key}}} = {value}"
    return f"${{{show_if.key}}} = '{value}'"


def _default(value: str | bool | None) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _number(value: float | int | None) -> Any:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def to_workbook(definition: Definition) -> bytes:
    """The definition as an XLSX workbook (survey and choices sheets)."""
    languages = _languages(definition)
    texts = [f"{field}::{LANGUAGE_NAMES[c]} ({c})" for field in ("label", "hint") for c in languages]
    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    survey.append(["type", "name", *texts, "required", "relevant", *EXTRA])
    choices = book.create_sheet("choices")
    labels = [f"label::{LANGUAGE_NAMES[c]} ({c})" for c in languages]
    hints = [f"hint::{LANGUAGE_NAMES[c]} ({c})" for c in languages]
    choices.append(["list_name", "name", *labels, *hints])
    for step in definition.rating_scale:
        choices.append([SCALE_LIST, step.value, *(step.label.get(c) for c in languages),
                        *(step.hint.get(c) for c in languages)])  # fmt: skip

    def text_cells(label: dict[str, str], hint: dict[str, str]) -> list[Any]:
        return [*(label.get(c) for c in languages), *(hint.get(c) for c in languages)]

    def question_rows(questions: list[Any]) -> None:
        for q in questions:
            kind = q.type.value
            if q.type in CHOICE_TYPES:
                listed = f"{q.key}_choices"
                kind = f"{'select_one' if q.type is QuestionType.single_choice else 'select_multiple'} {listed}"
                for choice in q.choices or []:
                    choices.append([listed, choice.value, *(choice.label.get(c) for c in languages)])
            objectives = " ".join(str(n) for n in q.objectives) if q.objectives is not None else None
            survey.append([
                kind, q.key, *text_cells(q.label, q.hint), "yes" if q.required else "no", _relevant(q.show_if),
                q.max_length, _number(q.min), _number(q.max), q.unit, q.max_bytes, objectives, _default(q.default),
            ])  # fmt: skip

    for section in definition.sections:
        survey.append(["begin_group", section.key, *text_cells(section.label, section.hint)])
        question_rows(section.questions)
        survey.append(["end_group", section.key])
    survey.append(["begin_repeat", OBJECTIVES_REPEAT, *text_cells({"en": "Each objective"}, {})])
    question_rows(definition.objective_questions)
    survey.append(["end_repeat", OBJECTIVES_REPEAT])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rows(sheet: Any, name: str, problems: list[Problem]) -> list[tuple[int, dict[str, Any]]]:
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        problems.append(Problem(where=f"{name}!1", message=_("The sheet is empty.")))
        return []
    names = [str(h).strip() if h is not None else "" for h in header]
    found = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS:
            problems.append(Problem(where=f"{name}!{number}", message=_("Too many rows (at most 2,000).")))
            break
        row = {names[i]: v for i, v in enumerate(values) if i < len(names) and names[i] and v not in (None, "")}
        if row:
            found.append((number, row))
    return found


def _texts(row: dict[str, Any], field: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for column, value in row.items():
        match = HEADER.match(column)
        if match and match["field"] == field:
            out[match["code"]] = str(value)
    return out


def _condition(text: str, where: str, problems: list[Problem]) -> dict[str, Any] | None:
    match = RELEVANT.match(text)
    if match is None:
        message = _("Write the condition as ${key} = 'value' (or ${key} = true() for a yes/no question).")
        problems.append(Problem(where=where, message=message))
        return None
    if match["bool"] is not None:
        equals: Any = match["bool"] == "true"
    elif match["num"] is not None:
        equals = float(match["num"]) if "." in match["num"] else int(match["num"])
    else:
        equals = match["text"]
    return {"key": match["key"], "equals": equals}


def _number_cell(value: Any, where: str, problems: list[Problem], *, whole: bool = False) -> Any:
    try:
        number = float(value)
    except (TypeError, ValueError):
        problems.append(Problem(where=where, message=_("Write a number here.")))
        return None
    if whole:
        if not number.is_integer():
            problems.append(Problem(where=where, message=_("Write a whole number here.")))
            return None
        return int(number)
    return number


def _check_archive(data: bytes) -> None:
    """The workbook's declared sizes, read from the zip directory before anything is unpacked."""
    try:
        entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise DefinitionInvalid([Problem(where="(the file)", message=_("This is not an XLSX workbook."))]) from None
    unpacked = sum(e.file_size for e in entries)
    packed_too_much = any(
        e.file_size > 1024 * 1024 and e.file_size > MAX_RATIO * max(e.compress_size, 1) for e in entries
    )
    if unpacked > MAX_UNPACKED or packed_too_much:
        message = _("This workbook unpacks to far more than a questionnaire needs: it was not opened.")
        raise DefinitionInvalid([Problem(where="(the file)", message=message)])


def from_workbook(data: bytes) -> dict[str, Any]:
    """The definition (as JSON) read from an XLSForm-style workbook; DefinitionInvalid names sheet and row."""
    return read(data)[0]


def locate(problems: list[Problem], rows: dict[str, str]) -> list[Problem]:
    """The definition's problems (JSON paths) said by the workbook's sheet and row they come from."""
    located = []
    for problem in problems:
        prefix = max((p for p in rows if problem.where == p or problem.where.startswith((p + ".", p + "["))), key=len,
                     default=None)  # fmt: skip
        where = f"{rows[prefix]} ({problem.where})" if prefix else problem.where
        located.append(Problem(where=where, message=problem.message))
    return located


def read(data: bytes) -> tuple[dict[str, Any], dict[str, str]]:
    """The definition (as JSON) and where each of its parts is in the workbook (JSON path -> "survey!12")."""
    problems: list[Problem] = []
    rows: dict[str, str] = {}
    _check_archive(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError):
        raise DefinitionInvalid([Problem(where="(the file)", message=_("This is not an XLSX workbook."))]) from None
    if "survey" not in book.sheetnames or "choices" not in book.sheetnames:
        message = _("The workbook needs a “survey” and a “choices” sheet.")
        raise DefinitionInvalid([Problem(where="(the file)", message=message)])
    lists: dict[str, list[dict[str, Any]]] = {}
    choice_rows: dict[str, list[str]] = {}
    scale: list[dict[str, Any]] = []
    for number, row in _rows(book["choices"], "choices", problems):
        listed, name = str(row.get("list_name", "")).strip(), row.get("name")
        if not listed or name is None:
            problems.append(Problem(where=f"choices!{number}", message=_("Give the list_name and the name.")))
            continue
        if listed == SCALE_LIST:
            value = _number_cell(name, f"choices!{number}", problems, whole=True)
            rows[f"rating_scale[{len(scale)}]"] = f"choices!{number}"
            scale.append({"value": value, "label": _texts(row, "label"), "hint": _texts(row, "hint")})
        else:
            choice_rows.setdefault(listed, []).append(f"choices!{number}")
            lists.setdefault(listed, []).append({"value": str(name).strip(), "label": _texts(row, "label")})
    sections: list[dict[str, Any]] = []
    objective_questions: list[dict[str, Any]] = []
    current: list[dict[str, Any]] | None = None
    path = ""
    for number, row in _rows(book["survey"], "survey", problems):
        where = f"survey!{number}"
        kind = str(row.get("type", "")).strip()
        key = str(row.get("name", "")).strip()
        if kind == "begin_group":
            rows[f"sections[{len(sections)}]"] = where
            path = f"sections[{len(sections)}].questions"
            questions: list[dict[str, Any]] = []
            sections.append(
                {"key": key, "label": _texts(row, "label"), "hint": _texts(row, "hint"), "questions": questions}
            )
            current = questions
            continue
        if kind == "begin_repeat":
            current = objective_questions
            path = "objective_questions"
            continue
        if kind in ("end_group", "end_repeat"):
            current = None
            continue
        if current is None:
            message = _("A question must be inside a section (begin_group) or the objectives (begin_repeat).")
            problems.append(Problem(where=where, message=message))
            continue
        question: dict[str, Any] = {"key": key, "label": _texts(row, "label"), "hint": _texts(row, "hint")}
        parts = kind.split()
        if parts and parts[0] in ("select_one", "select_multiple"):
            question["type"] = "single_choice" if parts[0] == "select_one" else "multiple_choice"
            listed = parts[1] if len(parts) > 1 else ""
            if listed not in lists:
                message = _("The list %(name)s is not on the choices sheet.") % {"name": listed or "—"}
                problems.append(Problem(where=where, message=message))
            question["choices"] = lists.get(listed, [])
            for i, at in enumerate(choice_rows.get(listed, [])):
                rows[f"{path}[{len(current)}].choices[{i}]"] = at
        else:
            question["type"] = kind
        required = str(row.get("required", "no")).strip().lower()
        question["required"] = required in ("yes", "true", "1", "true()")
        if row.get("relevant"):
            question["show_if"] = _condition(str(row["relevant"]), where, problems)
        for name in ("max_length", "max_bytes"):
            if name in row:
                question[name] = _number_cell(row[name], f"{where} ({name})", problems, whole=True)
        for name in ("min", "max"):
            if name in row:
                question[name] = _number_cell(row[name], f"{where} ({name})", problems)
        if "unit" in row:
            question["unit"] = str(row["unit"])
        if row.get("default") not in (None, ""):
            default = str(row["default"]).strip()
            is_yes_no = question["type"] == QuestionType.yes_no.value
            question["default"] = {"true": True, "false": False}.get(default.lower(), default) if is_yes_no else default
        if "objectives" in row:
            numbers = str(row["objectives"]).replace(",", " ").split()
            question["objectives"] = [_number_cell(n, f"{where} (objectives)", problems, whole=True) for n in numbers]
        rows[f"{path}[{len(current)}]"] = where
        current.append(question)
    if problems:
        raise DefinitionInvalid(problems)
    return {"rating_scale": scale, "sections": sections, "objective_questions": objective_questions}, rows
