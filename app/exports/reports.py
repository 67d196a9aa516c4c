"""The content of the regional synthesis report and of a country profile, built from what was accepted.

The synthesis covers approved and published submissions only (drafts never). Regional figures count the 58 members
and associate members inside the region; members outside it are quoted but not counted. Every figure and quote
cites the State and submission it came from.

Both follow the questionnaire of the cycle (``app.questionnaires``): the synthesis tabulates its choice questions
(single and multiple choice, yes/no: how many States chose each answer), quotes the answers to its text questions
and counts the progress ratings (``ObjectiveReport.rating``) on its scale, for the general sections and per
objective. An answer counts only where its question is asked (``show_if``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.auth.models import User
from app.catalog.models import Country
from app.catalog.texts import label as reference_label
from app.commitments.schemas import STATUS_LABELS as COMMITMENT_STATUS_LABELS
from app.cycles.models import ReviewCycle
from app.exports import queries
from app.exports.content import Cite, Document, Heading, Paragraph, Quote, Run, Table, attributed
from app.i18n import _, format_number, lazy_gettext, pick
from app.indicators.models import Aggregation, Indicator, IndicatorValue
from app.questionnaires.answers import is_shown
from app.questionnaires.schemas import REPORTING_KEY, TEXT_TYPES, Definition, Question, QuestionType, RatingStep
from app.questionnaires.service import definition_for
from app.submissions.models import ObjectiveReport, ReportingChoice, Submission, SubmissionStatus
from app.submissions.rules import STATUS_LABELS
from app.visibility import ACCEPTED

# Told how far the build is, with a message for the job's page: a lazy string (the page translates it for its reader,
# whatever the document's language), or a plain one.
Progress = Callable[[int, str], None]
Values = dict[str, Any]
QUOTES_PER_QUESTION = 10
QUOTE_MAX = 700
TABULATED_TYPES = frozenset({QuestionType.single_choice, QuestionType.multiple_choice, QuestionType.yes_no})
PRACTICES_KEY = "good_practices"  # the objective question a country profile quotes


def _no_progress(_percent: int, _message: str) -> None:
    return None


def number(value: float) -> str:
    """A figure in the document's language's way (1,234.5; 1 234,5)."""
    return format_number(value, digits=0 if float(value).is_integer() else 2)


def _ref(obj: Any, field: str | None = None) -> str:
    """A reference label (a country's, subregion's or round table's name, an objective's short title) in the
    document's language where a public source gives it (app.catalog.texts), else in English as ESCAP writes it."""
    return reference_label(obj, field)[0]


def _clip(text: str, limit: int = QUOTE_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


def _date(moment: object) -> str:
    return moment.strftime("%Y-%m-%d") if moment is not None else "—"  # type: ignore[attr-defined]


def _status_label(status: SubmissionStatus | str) -> str:
    try:
        return STATUS_LABELS[SubmissionStatus(getattr(status, "value", status))]
    except ValueError:
        return str(status)


def _countries_with_cites(items: list[tuple[str, Cite]]) -> list[Run]:
    runs: list[Run] = []
    for position, (name, cite) in enumerate(sorted(items, key=lambda i: i[0])):
        runs += [(", " if position else "") + name + " ", cite]
    return runs or ["—"]


@dataclass
class _Reporter:
    submission: Submission
    country: Country


Cited = Callable[[_Reporter, int | None, str], Cite]


# ---- the regional synthesis ------------------------------------------------------------------------------------


def build_synthesis(session: Session, cycle: ReviewCycle, progress: Progress = _no_progress) -> Document:
    regional_total = queries.count_regional_countries(session)
    doc = Document(
        title=_("Regional synthesis of the voluntary GCM reviews"),
        subtitle=_("%(cycle)s · ESCAP member States and associate members in Asia and the Pacific")
        % {"cycle": cycle.name},
    )
    progress(2, lazy_gettext("Reading the accepted submissions"))
    submissions = queries.accepted_submissions(session, cycle.id)
    reporters = [_Reporter(s, s.country) for s in submissions]
    regional = [r for r in reporters if r.country.in_region]
    outside = [r for r in reporters if not r.country.in_region]
    by_submission = {r.submission.id: r for r in reporters}

    def cite(reporter: _Reporter, objective: int | None, part: str) -> Cite:
        return doc.cite(
            country=_ref(reporter.country),
            cycle=cycle.name,
            submission_id=reporter.submission.id,
            objective=objective,
            part=part,
        )

    doc.add(Heading(_("About this synthesis")))
    doc.add(
        Paragraph(
            [
                _(
                    "This synthesis covers the voluntary GCM reviews of the cycle %(cycle)s that the ESCAP "
                    "secretariat has approved or published: %(n)s of %(total)s members and associate members in "
                    "the region reported."
                )
                % {"cycle": cycle.name, "n": len(regional), "total": regional_total}
            ]
        )
    )
    doc.add(
        Paragraph(
            [
                _(
                    "Regional figures count only the %(total)s members and associate members inside the region. "
                    "Members outside it (France, the Netherlands, the United Kingdom, the United States) may "
                    "report; their reviews are quoted but never counted. Numbers in brackets refer to the list of "
                    "references at the end: the State, cycle, submission and part each figure or quote comes from."
                )
                % {"total": regional_total}
            ],
            note=True,
        )
    )

    # Countries reporting, by subregion
    doc.add(Heading(_("Countries reporting")))
    per_subregion: dict[int, list[_Reporter]] = defaultdict(list)
    for reporter in regional:
        per_subregion[reporter.country.subregion_id or 0].append(reporter)
    rows: list[list[list[Run]]] = []
    for subregion, members in queries.list_subregions_with_counts(session):
        group = per_subregion.get(subregion.id, [])
        names = [(_ref(r.country), cite(r, None, _("Whole review"))) for r in group]
        rows.append(
            [[_ref(subregion)], [_("%(n)s of %(m)s") % {"n": len(group), "m": members}], _countries_with_cites(names)]
        )
    rows.append([[_("Region")], [_("%(n)s of %(m)s") % {"n": len(regional), "m": regional_total}], [""]])
    doc.add(
        Table(
            _("Countries reporting by subregion, %(cycle)s") % {"cycle": cycle.name},
            [_("Subregion"), _("Countries reporting"), _("Countries")],
            rows,
            numeric={1},
        )
    )
    if outside:
        names = [(_ref(r.country), cite(r, None, _("Whole review"))) for r in outside]
        doc.add(
            Paragraph(
                [_("Also reported (outside the region, not counted): "), *_countries_with_cites(names)], note=True
            )
        )

    definition = definition_for(session, cycle)
    submission_ids = [r.submission.id for r in reporters]

    # The general sections: their choice questions tabulated, their text questions quoted
    progress(3, lazy_gettext("Reading the general sections"))
    if definition.sections:
        doc.add(Heading(_("General sections")))
    for section in definition.sections:
        part = f"section:{section.key}"
        values = queries.answers_for(session, submission_ids, part)
        title = pick(section.label, section.key)[0]
        doc.add(Heading(title, level=2))
        answered = [(r, values.get((r.submission.id, part), {})) for r in reporters]
        languages = queries.answer_languages(session, submission_ids, part)
        _questions(doc, section.questions, answered, None, title, cite, languages)

    # Overview: one row per objective (filled in as the objectives are read; the details follow, with references)
    steps = definition.rating_scale if definition.rating_question() is not None else []
    overview = Table(
        _("Progress ratings by objective (countries in the region)")
        if steps
        else _("Objectives reported (countries in the region)"),
        [_("Objective"), _("Reporting")] + [_step_label(step) for step in steps],
        [],
        numeric=set(range(1, 2 + len(steps))),
    )
    doc.add(Heading(_("Overview by objective")))
    doc.add(
        Paragraph(
            [_("The countries behind each figure are listed, with references, under each objective below.")],
            note=True,
        )
    )
    doc.add(overview)

    # Objectives, grouped by IMRF round table
    round_tables = queries.list_round_tables(session)
    objectives_total = sum(len(rt.objectives) for rt in round_tables) or 1
    done = 0
    for round_table in round_tables:
        doc.add(Heading(f"{round_table.code}: {_ref(round_table)}"))
        for objective in round_table.objectives:
            done += 1
            progress(
                5 + int(75 * done / objectives_total),
                _("Objective %(n)s of %(total)s") % {"n": done, "total": objectives_total},
            )
            reports = queries.reports_for(session, submission_ids, objective.id)
            values = queries.answers_for(session, submission_ids, f"objective:{objective.number}")
            languages = queries.answer_languages(session, submission_ids, f"objective:{objective.number}")
            overview.rows.append(_overview_row(objective.number, reports, by_submission, regional_total, steps))
            _objective_section(
                doc,
                definition,
                objective.number,
                _ref(objective, "short_title"),
                reports,
                values,
                by_submission,
                regional_total,
                cite,
                languages,
            )

    progress(82, lazy_gettext("Summarising the indicators"))
    _indicator_section(doc, session, regional, cite, regional_total)
    progress(86, lazy_gettext("Quoting the inputs from stakeholders"))
    _stakeholder_section(doc, session, cycle)
    progress(88, lazy_gettext("Writing the document"))
    return doc


STAKEHOLDER_QUOTES = 10  # per objective


def _stakeholder_section(doc: Document, session: Session, cycle: ReviewCycle) -> None:
    """Inputs from stakeholders: accepted contributions to the cycle, quoted per objective, each cited by the
    organisation's name or type (its consent); a section of its own, never counted in the States' figures above."""
    from app.contributions.citations import inputs

    found = inputs(session, cycle_id=cycle.id, limit=None)
    doc.add(Heading(_("Inputs from stakeholders")))
    note = _(
        "Contributions of organisations taking part in the review (UN entities, civil society, migrants' "
        "organisations, trade unions, employers, local authorities, human rights institutions, academia), accepted "
        "by the secretariat for publication. They are not part of the States' reviews and are not counted in any "
        "figure of this synthesis."
    )
    doc.add(Paragraph([note], note=True))
    if not found:
        doc.add(Paragraph([_("No contribution from stakeholders has been accepted for this cycle.")]))
        return
    by_objective: dict[int, list[Any]] = {}
    for item in found:
        kind, _sep, ref = item.part.partition(":")
        if kind == "objective" and ref.isdecimal():
            by_objective.setdefault(int(ref), []).append(item)
    titles = {o.number: _ref(o, "short_title") for rt in queries.list_round_tables(session) for o in rt.objectives}
    for number in sorted(by_objective):
        heading = _("Objective %(n)s: %(title)s") % {"n": number, "title": titles.get(number, "")}
        doc.add(Heading(heading, level=2))
        for item in by_objective[number][:STAKEHOLDER_QUOTES]:
            who = attributed(item.cited_as, item.language, doc.language)  # kept as written, its language named
            doc.add(Paragraph([f"“{_clip(item.text)}” — {who} ({item.question})"]))


def _step_label(step: RatingStep) -> str:
    return pick(step.label, str(step.value))[0]


def _overview_row(
    number_: int,
    reports: list[ObjectiveReport],
    by_submission: dict[int, _Reporter],
    regional_total: int,
    steps: list[RatingStep],
) -> list[list[Run]]:
    regional = [
        r
        for r in reports
        if r.reporting == ReportingChoice.reported and by_submission[r.submission_id].country.in_region
    ]
    counts = [sum(1 for r in regional if r.rating == step.value) for step in steps]
    reporting = _("%(n)s of %(m)s") % {"n": len(regional), "m": regional_total}
    counted: list[list[Run]] = [[str(c)] for c in counts]
    return [[str(number_)], [reporting], *counted]


def _objective_section(
    doc: Document,
    definition: Definition,
    number_: int,
    title: str,
    reports: list[ObjectiveReport],
    values: dict[tuple[int, str], Values],
    by_submission: dict[int, _Reporter],
    regional_total: int,
    cite: Cited,
    languages: dict[tuple[int, str], str],
) -> None:
    heading = _("Objective %(n)s: %(title)s") % {"n": number_, "title": title}
    doc.add(Heading(heading, level=2))
    reported = [r for r in reports if r.reporting == ReportingChoice.reported]
    regional_reported = [r for r in reported if by_submission[r.submission_id].country.in_region]
    doc.add(
        Paragraph(
            [
                _("Reported on by %(n)s of %(total)s countries in the region.")
                % {"n": len(regional_reported), "total": regional_total}
            ]
        )
    )
    part = f"objective:{number_}"
    asked = definition.questions_for(part)
    rating = definition.rating_question()
    if rating is not None and any(q.key == rating.key for q in asked):
        rows: list[list[list[Run]]] = []
        scale: list[tuple[int | None, str]] = [(step.value, _step_label(step)) for step in definition.rating_scale]
        scale.append((None, _("No rating given")))
        for step, label in scale:
            group = [r for r in regional_reported if r.rating == step]
            if step is None and not group:
                continue
            names = [
                (
                    _ref(by_submission[r.submission_id].country),
                    cite(by_submission[r.submission_id], number_, rating.text()),
                )
                for r in group
            ]
            rows.append([[label], [str(len(group))], _countries_with_cites(names)])
        doc.add(
            Table(
                _("Progress ratings, objective %(n)s (countries in the region)") % {"n": number_},
                [_("Progress"), _("Countries"), _("Reported by")],
                rows,
                numeric={1},
            )
        )
    # Whether the objective is reported is also the report's own figure (a review saved before the question existed)
    answered = [
        (by_submission[r.submission_id], {REPORTING_KEY: r.reporting.value, **values.get((r.submission_id, part), {})})
        for r in reports
    ]
    others = [q for q in asked if q.key != REPORTING_KEY and (rating is None or q.key != rating.key)]
    _questions(doc, others, answered, number_, _("objective %(n)s") % {"n": number_}, cite, languages)


def _chose(question: Question, answer: Any, option: str | bool) -> bool:
    if question.type is QuestionType.multiple_choice:
        return isinstance(answer, list) and option in answer
    return answer == option and isinstance(answer, bool) is isinstance(option, bool)


def _questions(
    doc: Document,
    questions: list[Question],
    answered: list[tuple[_Reporter, Values]],
    objective: int | None,
    where: str,
    cite: Cited,
    languages: dict[tuple[int, str], str],
) -> None:
    """Per question of a part: its choices tabulated (countries in the region) or its text answers quoted, as written,
    each with its language (``languages``: ``(submission_id, key) -> code``, where known)."""
    for question in questions:
        label = question.text()
        asked = [(reporter, values) for reporter, values in answered if is_shown(question, values)]
        if question.type in TABULATED_TYPES:
            regional = [(reporter, values) for reporter, values in asked if reporter.country.in_region]
            options: list[tuple[str | bool, str]]
            if question.type is QuestionType.yes_no:
                options = [(True, _("Yes")), (False, _("No"))]
            else:
                options = [(c.value, question.choice_label(c.value)) for c in question.choices or []]
            rows: list[list[list[Run]]] = []
            for option, option_label in options:
                group = [r for r, values in regional if _chose(question, values.get(question.key), option)]
                names = [(_ref(r.country), cite(r, objective, label)) for r in group]
                rows.append([[option_label], [str(len(group))], _countries_with_cites(names)])
            unanswered = [r for r, values in regional if values.get(question.key) in (None, "", [])]
            if unanswered:
                names = [(_ref(r.country), cite(r, objective, label)) for r in unanswered]
                rows.append([[_("No answer")], [str(len(unanswered))], _countries_with_cites(names)])
            doc.add(
                Table(
                    _("%(question)s, %(where)s (countries in the region)") % {"question": label, "where": where},
                    [_("Answer"), _("Countries"), _("Reported by")],
                    rows,
                    numeric={1},
                )
            )
        elif question.type in TEXT_TYPES:
            texts = [
                (reporter, text)
                for reporter, values in asked
                if isinstance(text := values.get(question.key), str) and text.strip()
            ]
            if not texts:
                continue
            if label != where:
                doc.add(Heading(label, level=3))
            for reporter, text in texts[:QUOTES_PER_QUESTION]:
                outside = "" if reporter.country.in_region else " " + _("(outside the region)")
                language = languages.get((reporter.submission.id, question.key))  # as written, never translated
                source = _ref(reporter.country) + outside
                doc.add(Quote(_clip(text), source, cite(reporter, objective, label), language))
            if len(texts) > QUOTES_PER_QUESTION:
                doc.add(
                    Paragraph(
                        [
                            _("%(n)s more answers to this question are in the answers export.")
                            % {"n": len(texts) - QUOTES_PER_QUESTION}
                        ],
                        note=True,
                    )
                )


def _aggregate(indicator: Indicator, values: list[float]) -> str:
    if not values or indicator.aggregation is Aggregation.none:
        return _("No regional aggregate")
    if indicator.aggregation is Aggregation.sum:
        return number(sum(values))
    return _("%(value)s (unweighted mean)") % {"value": number(sum(values) / len(values))}


def _indicator_section(
    doc: Document,
    session: Session,
    regional: list[_Reporter],
    cite: Callable[[_Reporter, int | None, str], Cite],
    regional_total: int,
) -> None:
    doc.add(Heading(_("Indicator summary")))
    doc.add(
        Paragraph(
            [
                _(
                    "Latest period with recorded values, totals only, for the countries in the region whose review "
                    "is in this synthesis. Coverage is the number of those countries with a value; a missing value "
                    "is not zero. Links between indicators and objectives are an analysis, not an official UN mapping."
                )
            ],
            note=True,
        )
    )
    by_country = {r.country.id: r for r in regional}
    values = queries.total_values(session, list(by_country))
    per_indicator: dict[int, list[IndicatorValue]] = defaultdict(list)
    for value in values:
        per_indicator[value.indicator_id].append(value)
    subregions = queries.list_subregions_with_counts(session)
    shown = 0
    for indicator in queries.regional_indicators(session):
        recorded = per_indicator.get(indicator.id)
        if not recorded:
            continue
        period = recorded[0].period  # newest first
        latest = [v for v in recorded if v.period == period]
        objectives = ", ".join(str(link.objective.number) for link in indicator.objective_links) or "—"
        rows: list[list[list[Run]]] = []
        for subregion, members in subregions:
            group = [v for v in latest if by_country[v.country_id].country.subregion_id == subregion.id]
            names = [
                (
                    _ref(by_country[v.country_id].country),
                    cite(
                        by_country[v.country_id],
                        None,
                        _("Indicator %(code)s, %(period)s") % {"code": indicator.code, "period": period},
                    ),
                )
                for v in group
            ]
            rows.append(
                [
                    [_ref(subregion)],
                    [_("%(n)s of %(m)s") % {"n": len(group), "m": members}],
                    [_aggregate(indicator, [v.value for v in group if v.value is not None])],
                    _countries_with_cites(names),
                ]
            )
        rows.append(
            [
                [_("Region")],
                [_("%(n)s of %(m)s countries reporting") % {"n": len(latest), "m": regional_total}],
                [_aggregate(indicator, [v.value for v in latest if v.value is not None])],
                [""],
            ]
        )
        doc.add(Heading(f"{indicator.code}: {indicator.name}", level=2))
        doc.add(
            Paragraph(
                [
                    _("Unit: %(unit)s. Period: %(period)s. Objectives: %(objectives)s.")
                    % {"unit": indicator.unit, "period": period, "objectives": objectives}
                ],
                note=True,
            )
        )
        doc.add(
            Table(
                _("%(code)s by subregion, %(period)s") % {"code": indicator.code, "period": period},
                [_("Subregion"), _("Coverage"), _("Regional figure"), _("Countries")],
                rows,
                numeric={1, 2},
            )
        )
        shown += 1
    if not shown:
        doc.add(Paragraph([_("No indicator values were recorded for the countries in this synthesis.")]))


# ---- a country profile -----------------------------------------------------------------------------------------


def build_country_profile(
    session: Session, user: User | None, country: Country, progress: Progress = _no_progress
) -> Document:
    """A State's reports, pledges, indicators and submission history; review content of accepted submissions only."""
    name = _ref(country)
    where = _ref(country.subregion) if country.subregion else _("Member outside the region")
    doc = Document(title=_("Country profile: %(country)s") % {"country": name}, subtitle=where)
    progress(10, lazy_gettext("Reading the submissions"))
    history = queries.visible_submissions_of(session, user, country.id)
    doc.add(Heading(_("Submission history")))
    if history:
        rows: list[list[list[Run]]] = [
            [
                [s.review_cycle.name],
                [_status_label(s.status)],
                [_date(s.submitted_at)],
                [_date(s.approved_at)],
                [_date(s.published_at)],
                [str(s.id)],
            ]
            for s in history
        ]
        doc.add(
            Table(
                _("Voluntary GCM reviews of %(country)s") % {"country": name},
                [_("Cycle"), _("Status"), _("Submitted"), _("Approved"), _("Published"), _("Submission")],
                rows,
                numeric={5},
            )
        )
    else:
        doc.add(Paragraph([_("No voluntary GCM review yet.")]))

    accepted = [s for s in history if s.status in ACCEPTED]
    latest = accepted[0] if accepted else None
    progress(35, lazy_gettext("Reading the objective reports"))
    doc.add(Heading(_("Progress per objective")))
    if latest is None:
        doc.add(Paragraph([_("No review has been approved or published yet.")]))
    else:
        reporter = _Reporter(latest, country)

        def cite(objective: int | None, part: str) -> Cite:
            return doc.cite(
                country=name,
                cycle=latest.review_cycle.name,
                submission_id=latest.id,
                objective=objective,
                part=part,
            )

        doc.add(Paragraph([_("From the review of %(cycle)s.") % {"cycle": latest.review_cycle.name}], note=True))
        definition = definition_for(session, latest.review_cycle)
        rating_question = definition.rating_question()
        rating_label = rating_question.text() if rating_question is not None else _("Progress rating")
        reports = sorted(queries.reports_for(session, [reporter.submission.id]), key=lambda r: r.objective.number)
        answered = queries.answers_for(session, [reporter.submission.id])
        languages = queries.answer_languages(session, [reporter.submission.id])
        rows = []
        for report in reports:
            n = report.objective.number
            if report.reporting == ReportingChoice.reported:
                step = definition.step(report.rating) if report.rating is not None else None
                rating = _step_label(step) if step is not None else _("No rating given")
            else:
                rating = _("Not reported this cycle")
            rows.append([[str(n)], [_ref(report.objective, "short_title")], [rating + " ", cite(n, rating_label)]])
        doc.add(Table(_("Progress per objective"), [_("Objective"), _("Title"), _("Progress")], rows, numeric={0}))
        practices: list[tuple[ObjectiveReport, Question, str]] = []
        for report in reports:
            part = f"objective:{report.objective.number}"
            question = definition.question(part, PRACTICES_KEY)
            answers = {REPORTING_KEY: report.reporting.value, **answered.get((latest.id, part), {})}
            text = answers.get(PRACTICES_KEY)
            if question is not None and is_shown(question, answers) and isinstance(text, str) and text.strip():
                practices.append((report, question, text))
        if practices:
            doc.add(Heading(practices[0][1].text(), level=2))
            for report, question, text in practices:
                n = report.objective.number
                doc.add(
                    Heading(
                        _("Objective %(n)s: %(title)s") % {"n": n, "title": _ref(report.objective, "short_title")},
                        level=3,
                    )
                )
                language = languages.get((latest.id, f"objective:{n}/{PRACTICES_KEY}"))
                doc.add(Quote(_clip(text), name, cite(n, question.text()), language))

    progress(60, lazy_gettext("Reading the pledges"))
    doc.add(Heading(_("Pledges")))
    pledges = queries.commitments_of(session, country.id)
    if pledges:
        rows = [
            [
                [c.reference],
                [c.title],
                [COMMITMENT_STATUS_LABELS[c.status]],
                [f"{_date(c.timeframe_start)} – {_date(c.timeframe_end)}"],
                [", ".join(str(o.number) for o in c.objectives) or "—"],
            ]
            for c in pledges
        ]
        doc.add(
            Table(
                _("Pledges of %(country)s") % {"country": name},
                [_("Reference"), _("Title"), _("Status"), _("Timeframe"), _("Objectives")],
                rows,
            )
        )
    else:
        doc.add(Paragraph([_("No pledges recorded.")]))

    progress(80, lazy_gettext("Reading the indicators"))
    doc.add(Heading(_("Indicators")))
    values = queries.total_values(session, [country.id])
    latest_values: dict[int, IndicatorValue] = {}
    for value in values:
        latest_values.setdefault(value.indicator_id, value)
    if latest_values:
        rows = [
            [
                [v.indicator.code],
                [v.indicator.name],
                [v.period],
                [number(v.value or 0)],
                [v.indicator.unit],
                [v.source or "—"],
            ]
            for v in sorted(latest_values.values(), key=lambda v: v.indicator.code)
        ]
        doc.add(
            Table(
                _("Latest recorded values (totals)"),
                [_("Code"), _("Indicator"), _("Period"), _("Value"), _("Unit"), _("Source")],
                rows,
                numeric={3},
            )
        )
    else:
        doc.add(Paragraph([_("No indicator values recorded.")]))
    progress(88, lazy_gettext("Writing the document"))
    return doc
