"""What makes an export readable on its own: a label column beside every coded one, and a description of the export.

Every coded column (``status``, ``entity_type``, ``sex``...) keeps its code, for analysis and joins, and gains a
``<name>_label`` column right after it with the words the pages use, in the language of the export (the page's).
The description (the XLSX's first sheet "About this export", the JSON's ``metadata``, a CSV's companion file) says
what was exported: the datasets, the filters, when, by whom, from where, the reading rules and how figures are
aggregated (or not).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.auth.models import User
from app.commitments.schemas import FORM_LABELS, PLEDGE_TYPE_LABELS, SCOPE_LABELS
from app.commitments.schemas import STATUS_LABELS as PLEDGE_STATUS_LABELS
from app.exports import queries
from app.exports.queries import Column, Dataset, Filters
from app.i18n import LazyLabels, _, lazy_gettext, pick
from app.indicators.models import TOTAL
from app.indicators.schemas import SEX_LABELS, STATUS_GROUP_LABELS, VALUE_STATUS_LABELS
from app.organisations.models import type_labels
from app.questionnaires.schemas import Definition, QuestionType
from app.submissions.rules import STATUS_LABELS as SUBMISSION_STATUS_LABELS

Label = Callable[[Any], str | None]
LABEL_SUFFIX = "_label"
QUESTION_TYPE_LABELS = LazyLabels(
    {
        QuestionType.long_text: lazy_gettext("Long text"),
        QuestionType.short_text: lazy_gettext("Short text"),
        QuestionType.single_choice: lazy_gettext("One choice"),
        QuestionType.multiple_choice: lazy_gettext("Several choices"),
        QuestionType.yes_no: lazy_gettext("Yes or no"),
        QuestionType.number: lazy_gettext("Number"),
        QuestionType.date: lazy_gettext("Date"),
        QuestionType.rating: lazy_gettext("Progress rating"),
        QuestionType.principles: lazy_gettext("Guiding principles applied"),
        QuestionType.commitments: lazy_gettext("Pledges linked"),
        QuestionType.file: lazy_gettext("Document"),
    }
)


def _code(value: Any) -> str:
    return str(value.value if isinstance(value, enum.Enum) else value)


def lookup(labels: Mapping[Any, Any]) -> Label:
    """A code's label from a table of labels (read now, in the request's language); an unknown code as it is."""
    words = {_code(key): str(text) for key, text in labels.items()}

    def label(value: Any) -> str | None:
        if value is None or value == "":
            return None
        return words.get(_code(value), _code(value))

    return label


def joined(labels: Mapping[Any, Any], separator: str = "; ") -> Label:
    """The labels of a list of codes joined as the codes are ("a; b")."""
    one = lookup(labels)

    def label(value: Any) -> str | None:
        if value is None or value == "":
            return None
        return separator.join(one(part.strip()) or "" for part in str(value).split(separator.strip()))

    return label


def _part_labels(definitions: Iterable[Definition]) -> Label:
    """``section:<key>`` as the section's title in the questionnaire, ``objective:<n>`` as "Objective n"."""
    sections: dict[str, str] = {}
    for definition in definitions:
        for section in definition.sections:
            sections.setdefault(f"section:{section.key}", pick(section.label, section.key)[0])

    def label(value: Any) -> str | None:
        if not value:
            return None
        kind, _sep, ref = str(value).partition(":")
        if kind == "objective" and ref.isdecimal():
            return _("Objective %(n)s") % {"n": int(ref)}
        return sections.get(str(value), str(value))

    return label


def _age_group(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return _("All ages") if value == TOTAL else str(value)


def label_columns(session: Session, dataset_key: str, filters: Filters) -> dict[str, Label]:
    """The coded columns of a dataset and how each one's label is written (in the current language)."""
    submission_status = lookup(SUBMISSION_STATUS_LABELS)
    organisation_types = type_labels()
    if dataset_key == "submissions":
        return {"status": submission_status}
    if dataset_key == "objective_reports":
        return {"submission_status": submission_status}
    if dataset_key == "answers":
        return {
            "status": submission_status,
            "part": _part_labels(queries.covered_definitions(session, filters).values()),
            "question_type": lookup(QUESTION_TYPE_LABELS),
        }
    if dataset_key == "commitments":
        return {
            "entity_type": lookup({"state": _("State"), **organisation_types}),
            "forms": joined(FORM_LABELS),
            "pledge_type": lookup(PLEDGE_TYPE_LABELS),
            "scope": lookup(SCOPE_LABELS),
            "status": lookup(PLEDGE_STATUS_LABELS),
        }
    if dataset_key == "indicator_values":
        return {
            "sex": lookup(SEX_LABELS),
            "age_group": _age_group,
            "migratory_status": lookup(STATUS_GROUP_LABELS),
            "status": lookup(VALUE_STATUS_LABELS),
        }
    if dataset_key == "contributions":
        return {"organisation_type": lookup(organisation_types)}
    return {}


def with_labels(dataset: Dataset, labels: Mapping[str, Label]) -> Dataset:
    """The dataset with ``<name>_label`` beside each coded column ``name`` (rows shaped as they stream)."""
    names = [c.name for c in dataset.columns]
    at = {names.index(name): label for name, label in labels.items() if name in names}
    if not at:
        return dataset
    columns: list[Column] = []
    for index, column in enumerate(dataset.columns):
        columns.append(column)
        if index in at:
            columns.append(Column(column.name + LABEL_SUFFIX, "str"))
    inner = dataset.shape

    def shape(rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
        for row in inner(rows) if inner is not None else rows:
            out: list[Any] = []
            for index, value in enumerate(row):
                out.append(value)
                label = at.get(index)
                if label is not None:
                    out.append(label(value))
            yield out

    return replace(dataset, columns=tuple(columns), shape=shape)


# ---- the description of an export ------------------------------------------------------------------------------


def _filter_rows(session: Session, filters: Filters) -> list[tuple[str, str]]:
    everything = _("all")
    cycle = queries.get_cycle(session, filters.cycle_id) if filters.cycle_id else None
    subregion = next((s.name for s in queries.list_subregions(session) if s.id == filters.subregion_id), None)
    status = SUBMISSION_STATUS_LABELS[filters.status] if filters.status else None
    return [
        (_("Review cycle"), cycle.name if cycle else everything),
        (_("Subregion"), subregion or everything),
        (_("Objective"), str(filters.objective_number) if filters.objective_number else everything),
        (_("Submission status"), status or _("every status the person exporting may read")),
    ]


def describe(
    session: Session,
    *,
    user: User,
    filters: Filters,
    datasets: Sequence[tuple[str, str]],
    fmt: str,
    moment: datetime,
    source: str,
) -> list[tuple[str, str]]:
    """What an export holds, as (field, value) rows: ``datasets`` are (key, description) pairs."""
    role = user.role.value.replace("_", " ")
    rows: list[tuple[str, str]] = [
        (_("Field"), _("Value")),
        (_("Export"), _("GCM regional review: data export (%(format)s)") % {"format": fmt.upper()}),
        (_("Exported at (UTC)"), moment.strftime("%Y-%m-%d %H:%M:%S")),
        (_("Exported by"), f"{user.name} <{user.email}> ({role})"),
        (_("Source"), source),
    ]
    rows += _filter_rows(session, filters)
    rows += [(_("Dataset: %(key)s") % {"key": key}, description) for key, description in datasets]
    rows += [
        (
            _("What is included"),
            _(
                "Only the records the person exporting may read (the product's reading rules): visitors, "
                "stakeholders and other States read published answers; preparers approved and published ones; a "
                "focal point their own State's records in every status; the secretariat everything. Pledges' "
                "contact persons are exported for the secretariat only."
            ),
        ),
        (
            _("Aggregation"),
            _(
                "Nothing in this export is aggregated: one row per record (a review, an objective report, an "
                "answer, a pledge, an indicator value, a stakeholder's answer). Where the dashboards and the "
                "synthesis aggregate, regional figures count only the members and associate members inside the "
                "region (in_region), each indicator is summed or averaged (unweighted mean) as its aggregation "
                "rule says, and a missing value is never counted as zero."
            ),
        ),
        (
            _("Columns"),
            _(
                "A coded column (status, entity_type, sex...) keeps its code; the column beside it, ending in "
                "_label, gives its words in the language of the export. Answers are written as the questionnaire "
                "of their cycle words them; raw_value holds the answer as stored (JSON)."
            ),
        ),
        (_("Times"), _("Every date and time is in UTC.")),
        (
            _("Formulas"),
            _("A text that a spreadsheet would read as a formula starts with a single quote (') and stays text."),
        ),
    ]
    return rows
