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
from app.dashboards.charts import Bar
from app.db import utcnow
from app.exports import queries
from app.exports.content import (
    Chart,
    Cite,
    Document,
    Heading,
    KeyFigures,
    Paragraph,
    Quote,
    Run,
    Table,
    attributed,
    product_name,
)
from app.i18n import _, format_date, format_number, format_percent, lazy_gettext, ngettext, pgettext, pick
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


# cite(reporter, objective number or None, what is cited[, section=title]): a numbered reference
Cited = Callable[..., Cite]


def _percent(part: int, whole: int) -> str:
    return format_percent(part / whole) if whole else "—"


def _source_line(cycle_name: str) -> str:
    return _(
        "Source: voluntary GCM reviews of %(cycle)s approved or published by the ESCAP secretariat; %(product)s."
    ) % {
        "cycle": cycle_name,
        "product": product_name(),
    }


def _round_table_heading(round_table: Any) -> str:
    """A round table named by its theme: the objectives it reviews, by their short titles (the IMRF's round tables
    are defined by their clusters of objectives, A/RES/73/326)."""
    theme = "; ".join(_ref(o, "short_title") for o in round_table.objectives)
    return _("Round table %(n)s: %(theme)s") % {"n": round_table.number, "theme": theme}


def _objective_numbers(round_table: Any) -> str:
    numbers = [str(o.number) for o in round_table.objectives]
    return _("Objectives %(numbers)s, reviewed together at the International Migration Review Forum.") % {
        "numbers": ", ".join(numbers)
    }


# ---- the regional synthesis ------------------------------------------------------------------------------------


def build_synthesis(session: Session, cycle: ReviewCycle, progress: Progress = _no_progress) -> Document:
    regional_total = queries.count_regional_countries(session)
    doc = Document(
        title=_("Regional synthesis of the voluntary GCM reviews"),
        subtitle=_("%(cycle)s · ESCAP member States and associate members in Asia and the Pacific")
        % {"cycle": cycle.name},
        cycle=cycle.name,
        date=format_date(utcnow(), format="long"),
    )
    progress(2, lazy_gettext("Reading the accepted submissions"))
    submissions = queries.accepted_submissions(session, cycle.id)
    reporters = [_Reporter(s, s.country) for s in submissions]
    regional = [r for r in reporters if r.country.in_region]
    outside = [r for r in reporters if not r.country.in_region]
    by_submission = {r.submission.id: r for r in reporters}
    round_tables = queries.list_round_tables(session)
    titles = {o.number: _ref(o, "short_title") for rt in round_tables for o in rt.objectives}

    def cite(reporter: _Reporter, objective: int | None, part: str, section: str = "") -> Cite:
        return doc.cite(
            country=_ref(reporter.country),
            cycle=cycle.name,
            submission_id=reporter.submission.id,
            objective=objective,
            part=part,
            objective_title=titles.get(objective, "") if objective is not None else "",
            section=section,
        )

    definition = definition_for(session, cycle)
    submission_ids = [r.submission.id for r in reporters]
    steps = definition.rating_scale if definition.rating_question() is not None else []
    all_reports = queries.reports_for(session, submission_ids)
    reports_by_objective: dict[int, list[ObjectiveReport]] = defaultdict(list)
    for report in all_reports:
        reports_by_objective[report.objective_id].append(report)
    regional_reported = [
        r
        for r in all_reports
        if r.reporting == ReportingChoice.reported and by_submission[r.submission_id].country.in_region
    ]
    indicator_values = queries.total_values(session, [r.country.id for r in regional])

    _executive_summary(
        doc, session, cycle, regional, outside, regional_total, round_tables, regional_reported, steps, indicator_values
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
                    "references at the end: the State, cycle, objective and question each figure or quote comes "
                    "from."
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
    bars: list[Bar] = []
    for subregion, members in queries.list_subregions_with_counts(session):
        group = per_subregion.get(subregion.id, [])
        names = [(_ref(r.country), cite(r, None, _("Whole review"))) for r in group]
        rows.append(
            [[_ref(subregion)], [_("%(n)s of %(m)s") % {"n": len(group), "m": members}], _countries_with_cites(names)]
        )
        bars.append(Bar(_ref(subregion), len(group), note=_("of %(m)s") % {"m": members}))
    rows.append([[_("Region")], [_("%(n)s of %(m)s") % {"n": len(regional), "m": regional_total}], [""]])
    doc.add(
        Chart(
            _("Countries reporting, by subregion"),
            _("%(cycle)s · %(n)s of %(m)s members and associate members in the region")
            % {"cycle": cycle.name, "n": len(regional), "m": regional_total},
            sorted(bars, key=lambda b: (-(b.value or 0), b.label)),
            _source_line(cycle.name),
            _("Number of countries reporting in each subregion, out of its members."),
        )
    )
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
    overview = Table(
        _("Progress ratings by objective (countries in the region)")
        if steps
        else _("Objectives reported (countries in the region)"),
        [_("Objective"), _("Reporting")] + [_step_label(step) for step in steps],
        [],
        numeric=set(range(1, 2 + len(steps))),
    )
    doc.add(Heading(_("Overview by objective")))
    counted = sorted(
        (
            (sum(1 for r in regional_reported if r.objective_id == o.id), o.number)
            for rt in round_tables
            for o in rt.objectives
        ),
        key=lambda item: (-item[0], item[1]),
    )  # most reported first; ties in the objectives' order
    reporting_bars = [Bar(f"{n}. {titles.get(n, '')}", count) for count, n in counted]
    doc.add(
        Chart(
            _("Countries reporting on each objective"),
            _("%(cycle)s · %(n)s reporting countries in the region, most reported first")
            % {"cycle": cycle.name, "n": len(regional)},
            reporting_bars,
            _source_line(cycle.name),
            _("Number of countries in the region that report on each objective."),
        )
    )
    if steps:
        rated = [r for r in regional_reported if r.rating is not None]
        doc.add(
            Chart(
                _("Progress ratings across all objectives"),
                _("%(cycle)s · %(n)s objective reports with a rating, countries in the region, in the scale's order")
                % {"cycle": cycle.name, "n": len(rated)},
                [Bar(_step_label(step), sum(1 for r in rated if r.rating == step.value)) for step in steps],
                _source_line(cycle.name),
                _("Number of objective reports at each step of the progress scale."),
            )
        )
    doc.add(
        Paragraph(
            [_("The countries behind each figure are listed, with references, under each objective below.")],
            note=True,
        )
    )
    doc.add(overview)

    # Objectives, grouped by IMRF round table (named by its theme: its objectives)
    objectives_total = sum(len(rt.objectives) for rt in round_tables) or 1
    done = 0
    for round_table in round_tables:
        doc.add(Heading(_round_table_heading(round_table)))
        doc.add(Paragraph([_objective_numbers(round_table)], note=True))
        for objective in round_table.objectives:
            done += 1
            progress(
                5 + int(75 * done / objectives_total),
                _("Objective %(n)s of %(total)s") % {"n": done, "total": objectives_total},
            )
            reports = reports_by_objective.get(objective.id, [])
            values = queries.answers_for(session, submission_ids, f"objective:{objective.number}")
            languages = queries.answer_languages(session, submission_ids, f"objective:{objective.number}")
            overview.rows.append(
                _overview_row(objective.number, titles[objective.number], reports, by_submission, regional_total, steps)
            )
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
    _indicator_section(doc, session, regional, cite, regional_total, indicator_values)
    progress(86, lazy_gettext("Quoting the inputs from stakeholders"))
    _stakeholder_section(doc, session, cycle)
    progress(88, lazy_gettext("Writing the document"))
    return doc


def _executive_summary(
    doc: Document,
    session: Session,
    cycle: ReviewCycle,
    regional: list[_Reporter],
    outside: list[_Reporter],
    regional_total: int,
    round_tables: list[Any],
    regional_reported: list[ObjectiveReport],
    steps: list[RatingStep],
    indicator_values: list[IndicatorValue],
) -> None:
    """The figures a reader needs first: States reporting, the ratings, the pledges and the indicators' coverage."""
    doc.add(Heading(_("Executive summary")))
    pledges, pledging = queries.count_pledges(session, [r.country.id for r in regional])
    indicators = queries.regional_indicators(session)
    covered: dict[int, set[int]] = defaultdict(set)
    latest: dict[int, str] = {}
    for value in indicator_values:  # newest period first per indicator
        period = latest.setdefault(value.indicator_id, value.period)
        if value.period == period:
            covered[value.indicator_id].add(value.country_id)
    with_values = [i for i in indicators if covered.get(i.id)]
    coverage = sorted(len(covered[i.id]) for i in with_values)
    median = coverage[len(coverage) // 2] if coverage else 0
    rated = [r for r in regional_reported if r.rating is not None]
    items: list[tuple[str, str]] = [
        (
            _("%(n)s of %(m)s") % {"n": len(regional), "m": regional_total},
            _("members and associate members in the region reported (%(share)s)")
            % {"share": _percent(len(regional), regional_total)},
        ),
        (
            number(len(regional_reported)),
            _("objective reports from the region, %(rated)s of them with a progress rating")
            % {"rated": number(len(rated))},
        ),
    ]
    for step in steps:
        count = sum(1 for r in rated if r.rating == step.value)
        items.append(
            (
                f"{number(count)} ({_percent(count, len(rated))})",
                _("rated “%(step)s”") % {"step": _step_label(step)},
            )
        )
    items.append(
        (
            number(pledges),
            ngettext(
                "pledge recorded by %(n)s reporting State",
                "pledges recorded by %(n)s reporting States",
                pledging,
            )
            % {"n": pledging},
        )
    )
    items.append(
        (
            _("%(n)s of %(m)s") % {"n": len(with_values), "m": len(indicators)},
            _("indicators with values for the reporting countries; median coverage %(median)s of %(count)s countries")
            % {"median": median, "count": len(regional)},
        )
    )
    if outside:
        items.append((number(len(outside)), _("members outside the region also reported (quoted, not counted)")))
    doc.add(KeyFigures(items))
    counts = {
        o.number: (sum(1 for r in regional_reported if r.objective_id == o.id), _ref(o, "short_title"))
        for rt in round_tables
        for o in rt.objectives
    }
    if regional and counts:
        ranked = sorted(counts.items(), key=lambda item: (-item[1][0], item[0]))
        most = "; ".join(f"{n}. {title} ({count})" for n, (count, title) in ranked[:3])
        least = "; ".join(f"{n}. {title} ({count})" for n, (count, title) in ranked[-3:][::-1])
        doc.add(
            Paragraph(
                [_("Most reported objectives: %(most)s. Least reported: %(least)s.") % {"most": most, "least": least}]
            )
        )
    else:
        doc.add(Paragraph([_("No review of this cycle has been approved or published yet.")]))
    doc.add(
        Paragraph(
            [
                _(
                    "Figures count the countries inside the region whose review the secretariat approved or "
                    "published; coverage is the number of those countries with a value in an indicator's latest "
                    "period (a missing value is not zero)."
                )
            ],
            note=True,
        )
    )


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
    title: str,
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
    return [[f"{number_}. {title}"], [reporting], *counted]


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
    section = where if objective is None else ""  # a general section's questions are cited with its title
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
                names = [(_ref(r.country), cite(r, objective, label, section)) for r in group]
                rows.append([[option_label], [str(len(group))], _countries_with_cites(names)])
            unanswered = [r for r, values in regional if values.get(question.key) in (None, "", [])]
            if unanswered:
                names = [(_ref(r.country), cite(r, objective, label, section)) for r in unanswered]
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
                doc.add(Quote(_clip(text), source, cite(reporter, objective, label, section), language))
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
    cite: Cited,
    regional_total: int,
    values: list[IndicatorValue],
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
    per_indicator: dict[int, list[IndicatorValue]] = defaultdict(list)
    for value in values:
        per_indicator[value.indicator_id].append(value)
    subregions = queries.list_subregions_with_counts(session)
    shown = 0
    chart_at = len(doc.blocks)
    coverage: list[tuple[int, str, str]] = []
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
        coverage.append((len({v.country_id for v in latest}), indicator.code, period))
    if not shown:
        doc.add(Paragraph([_("No indicator values were recorded for the countries in this synthesis.")]))
        return
    coverage.sort(key=lambda item: (-item[0], item[1]))
    doc.blocks.insert(
        chart_at,
        Chart(
            _("Indicator coverage"),
            _("Reporting countries in the region with a value in the indicator's latest period (of %(n)s)")
            % {"n": len(regional)},
            [Bar(code, count, note=period) for count, code, period in coverage],
            _("Source: indicator values recorded in %(product)s (totals only).") % {"product": product_name()},
            _("Number of reporting countries with a value for each indicator, most covered first."),
        ),
    )


# ---- a country profile -----------------------------------------------------------------------------------------


REPORTED = ReportingChoice.reported


def _position(definition: Definition, rating: int | None) -> int | None:
    """A rating's place on its cycle's scale (1 the first step), so that cycles and countries compare."""
    for index, step in enumerate(definition.rating_scale, start=1):
        if step.value == rating:
            return index
    return None


def _median(values: list[int]) -> int | None:
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2] if ordered else None  # the lower middle: always a step of the scale


def _comparison(
    doc: Document,
    session: Session,
    country: Country,
    latest: Submission,
    previous: Submission | None,
    definition: Definition,
    reports: list[ObjectiveReport],
    titles: dict[int, str],
) -> None:
    """The country beside the region (the cycle's approved and published reviews of the countries in the region) and
    beside its own previous accepted review, objective by objective; then the two charts."""
    cycle_name = latest.review_cycle.name
    region = [s for s in queries.accepted_submissions(session, latest.review_cycle_id) if s.country.in_region]
    region_reports = queries.reports_for(session, [s.id for s in region])
    before: dict[int, ObjectiveReport] = {}
    before_definition: Definition | None = None
    if previous is not None:
        before = {r.objective.number: r for r in queries.reports_for(session, [previous.id])}
        before_definition = definition_for(session, previous.review_cycle)
    scale = definition.rating_scale

    def words(position: int | None) -> str:
        return _step_label(scale[position - 1]) if position is not None and position <= len(scale) else "—"

    doc.add(Heading(_("Compared with the region and with the previous review")))
    doc.add(
        Paragraph(
            [
                _(
                    "The region: the %(n)s countries in the region whose review of %(cycle)s the secretariat "
                    "approved or published. Ratings are compared by their place on the progress scale; the "
                    "region's is the median of the countries that rated the objective."
                )
                % {"n": len(region), "cycle": cycle_name}
            ],
            note=True,
        )
    )
    headers = [_("Objective"), cycle_name]
    if previous is not None:
        headers += [previous.review_cycle.name, pgettext("difference between two ratings", "Change")]
    headers += [_("Region: countries reporting"), _("Region: median rating")]
    rows: list[list[list[Run]]] = []
    own_bars: list[Bar] = []
    region_bars: list[Bar] = []
    for report in reports:
        n = report.objective.number
        label = f"{n}. {titles.get(n, '')}"
        reported = report.reporting == ReportingChoice.reported
        now = _position(definition, report.rating) if reported else None
        regional = [
            r
            for r in region_reports
            if r.objective_id == report.objective_id and r.reporting == ReportingChoice.reported
        ]
        positions = [p for r in regional if (p := _position(definition, r.rating)) is not None]
        median = _median(positions)
        row: list[list[Run]] = [[label], [words(now) if reported else _("Not reported this cycle")]]
        if previous is not None:
            earlier = before.get(n)
            then = (
                _position(before_definition, earlier.rating)
                if earlier is not None
                and before_definition is not None
                and earlier.reporting == ReportingChoice.reported
                else None
            )
            then_words = (
                _step_label(before_definition.rating_scale[then - 1])
                if then is not None and before_definition is not None
                else _("Not reported")
            )
            if now is None or then is None:
                change = "—"
            elif now > then:
                change = ngettext("up %(n)s step", "up %(n)s steps", now - then) % {"n": now - then}
            elif now < then:
                change = ngettext("down %(n)s step", "down %(n)s steps", then - now) % {"n": then - now}
            else:
                change = _("unchanged")
            row += [[then_words], [change]]
        row += [[_("%(n)s of %(m)s") % {"n": len(regional), "m": len(region)}], [words(median)]]
        rows.append(row)
        own_bars.append(Bar(label, now, note=words(now) if now is not None else ""))
        region_bars.append(Bar(label, median, note=words(median) if median is not None else ""))
    doc.add(
        Table(
            _("%(country)s compared with the region and with its previous review") % {"country": _ref(country)},
            headers,
            rows,
        )
    )
    if not scale:
        return
    subtitle = _("%(cycle)s · place on the progress scale, 1 (%(first)s) to %(last)s (%(top)s)") % {
        "cycle": cycle_name,
        "first": _step_label(scale[0]),
        "last": len(scale),
        "top": _step_label(scale[-1]),
    }
    source = _("Source: the voluntary GCM reviews approved or published by the ESCAP secretariat; %(product)s.") % {
        "product": product_name()
    }
    doc.add(
        Chart(
            _("%(country)s: progress per objective") % {"country": _ref(country)},
            subtitle,
            own_bars,
            source,
            _("The progress rating of each objective reported; no data where it was not reported or not rated."),
        )
    )
    doc.add(
        Chart(
            _("The region: median progress per objective"),
            subtitle + " · " + _("%(n)s countries in the region") % {"n": len(region)},
            region_bars,
            source,
            _("The median rating of the countries in the region reporting each objective."),
        )
    )


def build_country_profile(
    session: Session, user: User | None, country: Country, progress: Progress = _no_progress
) -> Document:
    """A State's reports, pledges, indicators and submission history; review content of accepted submissions only."""
    name = _ref(country)
    where = _ref(country.subregion) if country.subregion else _("Member outside the region")
    doc = Document(
        title=_("Country profile: %(country)s") % {"country": name},
        subtitle=where,
        date=format_date(utcnow(), format="long"),
    )
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
            ]
            for s in history
        ]
        doc.add(
            Table(
                _("Voluntary GCM reviews of %(country)s") % {"country": name},
                [_("Cycle"), _("Status"), _("Submitted"), _("Approved"), _("Published")],
                rows,
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

        titles = {o.number: _ref(o, "short_title") for rt in queries.list_round_tables(session) for o in rt.objectives}

        def cite(objective: int | None, part: str) -> Cite:
            return doc.cite(
                country=name,
                cycle=latest.review_cycle.name,
                submission_id=latest.id,
                objective=objective,
                part=part,
                objective_title=titles.get(objective, "") if objective is not None else "",
            )

        doc.cycle = latest.review_cycle.name

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
        previous = accepted[1] if len(accepted) > 1 else None
        _comparison(doc, session, country, latest, previous, definition, reports, titles)
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
