"""The question form of the questionnaire page, as typed (strings: nothing is lost when it comes back with errors),
turned into a question of the definition, and the definition's problems put beside the form's fields."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.questionnaires.schemas import CHOICE_TYPES, LANGUAGES, Problem, Question, QuestionType

_TEXT = Field("", max_length=20_000)


class QuestionForm(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str = Field("", max_length=100)
    type: str = Field("long_text", max_length=40)
    label_en: str = _TEXT
    label_fr: str = _TEXT
    label_ru: str = _TEXT
    label_zh: str = _TEXT
    hint_en: str = _TEXT
    hint_fr: str = _TEXT
    hint_ru: str = _TEXT
    hint_zh: str = _TEXT
    required: str = Field("", max_length=10)
    max_length: str = Field("", max_length=20)
    choices: str = Field("", max_length=50_000)  # one per line: "value | English label"
    show_if_key: str = Field("", max_length=100)
    show_if_equals: str = Field("", max_length=200)
    objectives: str = Field("", max_length=200)
    min: str = Field("", max_length=40)
    max: str = Field("", max_length=40)
    unit: str = Field("", max_length=100)

    @classmethod
    def of(cls, q: Question) -> QuestionForm:
        equals = q.show_if.equals if q.show_if else ""
        return cls(
            key=q.key,
            type=q.type.value,
            **{f"label_{c}": q.label.get(c, "") for c in LANGUAGES},
            **{f"hint_{c}": q.hint.get(c, "") for c in LANGUAGES},
            required="yes" if q.required else "",
            max_length=str(q.max_length or ""),
            choices="\n".join(f"{c.value} | {c.label.get('en', '')}" for c in q.choices or []),
            show_if_key=q.show_if.key if q.show_if else "",
            show_if_equals=("yes" if equals else "no") if isinstance(equals, bool) else str(equals),
            objectives=" ".join(str(n) for n in q.objectives or []),
            min="" if q.min is None else f"{q.min:g}",
            max="" if q.max is None else f"{q.max:g}",
            unit=q.unit or "",
        )

    def question(self, previous: Question | None = None, target_type: QuestionType | None = None) -> dict[str, Any]:
        """The question as the definition holds it (the definition's rules then check it); translations of choice
        labels that the form does not show are kept from ``previous``."""
        data: dict[str, Any] = {
            "key": self.key.strip(),
            "type": self.type.strip(),
            "label": {c: v.strip() for c in LANGUAGES if (v := getattr(self, f"label_{c}")).strip()},
            "hint": {c: v.strip() for c in LANGUAGES if (v := getattr(self, f"hint_{c}")).strip()},
            "required": self.required in ("yes", "on", "true"),
        }
        if self.max_length.strip():
            data["max_length"] = self.max_length.strip()  # checked by the definition's rules, as typed
        if self.type in {t.value for t in CHOICE_TYPES}:
            old = {c.value: c.label for c in (previous.choices or [])} if previous else {}
            choices = []
            for line in self.choices.splitlines():
                if line.strip():
                    value, _sep, label = line.partition("|")
                    value = value.strip()
                    choices.append({"value": value, "label": {**old.get(value, {}), "en": label.strip() or value}})
            data["choices"] = choices
        if self.show_if_key.strip():
            raw = self.show_if_equals.strip()
            equals: Any = (
                {"yes": True, "no": False}.get(raw.lower(), raw) if target_type is QuestionType.yes_no else raw
            )
            data["show_if"] = {"key": self.show_if_key.strip(), "equals": equals}
        if self.objectives.strip():
            numbers = self.objectives.replace(",", " ").split()
            data["objectives"] = numbers
        for name in ("min", "max"):
            raw = getattr(self, name).strip()
            if raw:
                data[name] = raw
        if self.unit.strip():
            data["unit"] = self.unit.strip()
        return data


FIELD_OF = {
    "key": "key",
    "type": "type",
    "label": "label_en",
    "hint": "hint_en",
    "required": "required",
    "max_length": "max_length",
    "choices": "choices",
    "show_if": "show_if_key",
    "objectives": "objectives",
    "min": "min",
    "max": "max",
    "unit": "unit",
}


def field_errors(problems: list[Problem], path: str) -> tuple[dict[str, str], list[str]]:
    """Problems of the question at ``path`` by form field; the others (other parts, the open cycle's rules)."""
    fields: dict[str, str] = {}
    general: list[str] = []
    for problem in problems:
        if problem.where.startswith(path + "."):
            rest = problem.where[len(path) + 1 :].split(".")
            name = rest[0].split("[")[0]
            field = FIELD_OF.get(name, "")
            if name in ("label", "hint") and len(rest) > 1 and rest[1] in LANGUAGES:
                field = f"{name}_{rest[1]}"
            if field:
                fields.setdefault(field, problem.message)
                continue
        general.append(problem.message)
    return fields, general
