"""The default questionnaire: exactly the review as the product asks it today (``app/submissions/rules.py``).

Section questions share their section's key; the objective questions are the objective report's fields. A new
cycle starts from a copy of the previous cycle's questionnaire, the first one from this.
"""

from __future__ import annotations

from app.i18n import DEFAULT_LOCALE, use_locale
from app.questionnaires.schemas import Choice, Condition, Definition, Question, QuestionType, RatingStep, Section
from app.submissions.models import ReportingChoice, SectionKey
from app.submissions.rules import (
    NOT_REPORTED_REASON_MAX,
    PROGRESS_SCALE,
    PROGRESS_STEP,
    REPORT_FIELDS,
    SECTION_HINTS,
    SECTION_MAX,
    SECTION_TITLES,
)

REPORTED = Condition(key="reporting", equals=ReportingChoice.reported.value)


def default_definition() -> Definition:
    """The default questionnaire in English, its source language, whatever the language of the request."""
    with use_locale(DEFAULT_LOCALE):  # the labels below are lazy strings: read them in English
        return _english_definition()


def _english_definition() -> Definition:
    sections = [
        Section(
            key=key.value,
            label={"en": str(SECTION_TITLES[key])},
            hint={"en": str(SECTION_HINTS[key])},
            questions=[
                Question(
                    key=key.value,
                    type=QuestionType.long_text,
                    label={"en": str(SECTION_TITLES[key])},
                    hint={"en": str(SECTION_HINTS[key])},
                    required=True,
                    max_length=SECTION_MAX,
                )
            ],
        )
        for key in SectionKey
    ]
    objective = [
        Question(
            key="reporting",
            type=QuestionType.single_choice,
            label={"en": "Reporting this cycle"},
            hint={"en": "A State may leave an objective out of this review, saying why."},
            required=True,
            default=ReportingChoice.reported.value,
            choices=[
                Choice(value=ReportingChoice.reported.value, label={"en": "Reported"}),
                Choice(value=ReportingChoice.not_reported.value, label={"en": "Not reported this cycle"}),
            ],
        ),
        Question(
            key="not_reported_reason",
            type=QuestionType.long_text,
            label={"en": "Why the objective is not reported this cycle"},
            required=True,
            max_length=NOT_REPORTED_REASON_MAX,
            show_if=Condition(key="reporting", equals=ReportingChoice.not_reported.value),
        ),
        Question(
            key="progress_rating",
            type=QuestionType.rating,
            required=True,
            label={"en": "Progress rating"},
            hint={
                "en": "How far has your country come in implementing this objective? Choose the step that fits best."
            },
            show_if=REPORTED,
        ),
        *(
            Question(
                key=spec.name,
                type=QuestionType.long_text,
                label={"en": str(spec.label)},
                hint={"en": str(spec.hint)},
                required=spec.required,
                max_length=spec.max_length,
                show_if=REPORTED,
            )
            for spec in REPORT_FIELDS
        ),
        Question(
            key="principles",
            type=QuestionType.principles,
            label={"en": "Guiding principles applied"},
            show_if=REPORTED,
        ),
        Question(
            key="commitments",
            type=QuestionType.commitments,
            label={"en": "Pledges this objective's work is part of"},
            show_if=REPORTED,
        ),
    ]
    scale = [
        RatingStep(value=PROGRESS_STEP[rating], label={"en": str(label)}, hint={"en": str(hint)})
        for rating, (label, hint) in PROGRESS_SCALE.items()
    ]
    return Definition(rating_scale=scale, sections=sections, objective_questions=objective)


STAKEHOLDER_ABOUT_MAX = 5_000
STAKEHOLDER_ANSWER_MAX = 8_000
STAKEHOLDER_OBJECTIVE_QUESTIONS = (
    ("what_we_did", "What we did", "Your organisation's work on this objective in the period under review.", True),
    ("observations", "What we observed", "Progress, gaps and challenges you observed, with evidence.", False),
    ("good_practices", "Good practices", "Practices worth sharing, and why they work.", False),
    ("recommendations", "Recommendations", "What States and other actors should do next.", False),
)


def default_stakeholder_definition() -> Definition:
    """What organisations are asked in their contribution to a cycle (``app/contributions``): who they are and how
    they prepared their input, then, for each objective they choose, what they did and observed, good practices and
    recommendations."""
    about = Section(
        key="about",
        label={"en": "About this contribution"},
        hint={"en": "Who we are and how we prepared this input (consultations, members, sources)."},
        questions=[
            Question(
                key="about",
                type=QuestionType.long_text,
                label={"en": "Who we are and how we prepared this input"},
                required=True,
                max_length=STAKEHOLDER_ABOUT_MAX,
            )
        ],
    )
    objective = [
        Question(
            key=key,
            type=QuestionType.long_text,
            label={"en": label},
            hint={"en": hint},
            required=required,
            max_length=STAKEHOLDER_ANSWER_MAX,
        )
        for key, label, hint, required in STAKEHOLDER_OBJECTIVE_QUESTIONS
    ]
    scale = default_definition().rating_scale
    return Definition(rating_scale=scale, sections=[about], objective_questions=objective)
