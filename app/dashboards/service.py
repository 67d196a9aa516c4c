"""The dashboards' content: parse the filters, run the fixed set of queries, shape what the templates show."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from app.auth.models import User
from app.catalog import queries as catalog_queries
from app.catalog import texts
from app.catalog.models import Country, Objective, Subregion
from app.commitments.models import CommitmentStatus
from app.contributions.citations import inputs as stakeholder_inputs
from app.cycles.models import CycleStatus
from app.dashboards import queries
from app.dashboards import questionnaires as questionnaires_of
from app.dashboards.aggregates import Figure, PeriodAggregate, aggregate
from app.dashboards.charts import (
    DARK_FILLS,
    SHADES,
    Bar,
    Chart,
    Series,
    Tile,
    bar_figure,
    number,
    short_number,
    sorted_bars,
    tile_map,
    trend_chart,
)
from app.dashboards.queries import Filters, Reference
from app.dashboards.questionnaires import PRACTICE_KEY, Counted, counted_questions, summary_key
from app.data_version import ResultCache, cached
from app.db import utcnow
from app.errors import NotFound
from app.i18n import LazyLabels, _, format_date, lazy_gettext, ngettext, pick
from app.indicators.models import TOTAL, Aggregation, Indicator, MigratoryStatus, Sex
from app.indicators.queries import KIND_ORDER, code_sort_key
from app.indicators.schemas import Disaggregation
from app.organisations.models import type_labels
from app.questionnaires.schemas import Definition, QuestionType
from app.submissions.models import ReportingChoice, SubmissionStatus
from app.visibility import Reader, can_read_country, reader, reads_everything, statuses_readable, visibility_key

STATUS_LABELS = LazyLabels(
    {
        SubmissionStatus.draft: lazy_gettext("Draft"),
        SubmissionStatus.submitted: lazy_gettext("Submitted"),
        SubmissionStatus.changes_requested: lazy_gettext("Changes requested"),
        SubmissionStatus.approved: lazy_gettext("Approved"),
        SubmissionStatus.published: lazy_gettext("Published"),
    }
)
PLEDGE_STATUS_LABELS = LazyLabels(
    {
        CommitmentStatus.pledged: lazy_gettext("Pledged"),
        CommitmentStatus.in_progress: lazy_gettext("In progress"),
        CommitmentStatus.fulfilled: lazy_gettext("Fulfilled"),
        CommitmentStatus.withdrawn: lazy_gettext("Withdrawn"),
    }
)
METHOD_LABELS = LazyLabels(
    {
        Aggregation.sum: lazy_gettext("Sum over reporting countries inside the region"),
        Aggregation.mean: lazy_gettext("Unweighted mean over reporting countries inside the region"),
        Aggregation.none: lazy_gettext("No regional aggregate for this indicator"),
    }
)
MAX_PERIODS = 8  # columns of the explorer's table
LIST_LIMIT = 50  # pledges listed on a country or objective page (with the total and a link to all)
DETAILED_CYCLES = 2  # cycles whose objective reports a country profile lists


def _int(text: str) -> int | None:
    return int(text) if text.strip().isdecimal() else None


def parse_filters(ref: Reference, params: dict[str, str], *, default_cycle: bool = True) -> Filters:
    """Filters from the URL; an unknown value is ignored (the page shows what it did use)."""
    cycle = _int(params.get("cycle", ""))
    if cycle not in {c.id for c in ref.cycles}:
        cycle = _default_cycle(ref) if default_cycle else None
    subregion = _int(params.get("subregion", ""))
    objective = _int(params.get("objective", ""))
    round_table = _int(params.get("round_table", ""))
    principle = params.get("principle", "").strip().lower() or None
    entity = params.get("entity", "").strip() or None
    return Filters(
        entity_type=entity if entity in entity_type_labels() else None,
        cycle_id=cycle,
        subregion_id=subregion if subregion in {s.id for s in ref.subregions} else None,
        objective=objective if objective in {o.number for o in ref.objectives} else None,
        round_table=round_table if round_table in {r.number for r in ref.round_tables} else None,
        principle=principle if principle in {p.code for p in ref.principles} else None,
    )


def _default_cycle(ref: Reference) -> int | None:
    """The latest closed cycle (a complete review), or else the latest cycle."""
    closed = [c for c in ref.cycles if c.status == CycleStatus.closed]
    chosen = closed[0] if closed else (ref.cycles[0] if ref.cycles else None)
    return chosen.id if chosen else None


def filter_query(f: Filters, **extra: str) -> dict[str, str]:
    params = {
        "cycle": str(f.cycle_id or ""),
        "subregion": str(f.subregion_id or ""),
        "objective": str(f.objective or ""),
        "round_table": str(f.round_table or ""),
        "principle": f.principle or "",
        "entity": f.entity_type or "",
        **extra,
    }
    return {k: v for k, v in params.items() if v}


def selected_objectives(ref: Reference, f: Filters) -> list[Objective]:
    rt_ids = {r.id for r in ref.round_tables if r.number == f.round_table}
    return [
        o
        for o in ref.objectives
        if (f.objective is None or o.number == f.objective) and (f.round_table is None or o.round_table_id in rt_ids)
    ]


def selected_countries(ref: Reference, f: Filters, *, in_region_only: bool = False) -> list[Country]:
    return [
        c
        for c in ref.countries
        if (f.subregion_id is None or c.subregion_id == f.subregion_id) and (c.in_region or not in_region_only)
    ]


# ---- regional overview -----------------------------------------------------------------------------------------


@dataclass
class StatusGroup:
    name: str
    counts: dict[str, int]
    countries: list[tuple[Country, SubmissionStatus | None]] = field(default_factory=list)
    in_region: bool = True
    subregion: Subregion | None = None  # its name is the subregion's, in the reader's language (ref_label)


def overview(
    session: Session, *, user: User | None, params: dict[str, str], cache: ResultCache | None = None
) -> dict[str, Any]:
    ref = queries.load_reference(session)
    f = parse_filters(ref, params)
    forms = questionnaires_of.load(session, ref, cache)
    definition = forms.of(f.cycle_id)  # the shown cycle's questionnaire (the latest cycle's without one)
    principle_keys = forms.principle_keys(f.cycle_id)
    objectives = selected_objectives(ref, f)
    spec, counted = counted_questions(definition, sections=True, objectives=[o.number for o in objectives])
    statuses, matrix, principles, pledges, linked, choices = cached(
        cache,
        session,
        ("overview", visibility_key(user), f),
        lambda: (
            queries.submission_statuses(session, user=user, f=f),
            queries.report_matrix(session, user=user, f=f, principle_keys=principle_keys),
            queries.principle_counts(session, user=user, f=f, principle_keys=principle_keys),
            queries.pledge_tallies(session, user=user, f=f),
            queries.readable_countries(session, user=user),
            queries.choice_rows(session, user=user, f=f, questions=spec, principle_keys=principle_keys),
        ),
    )
    everything = reads_everything(user)
    who = reader(user)

    countries = selected_countries(ref, f)
    if everything or (who is Reader.other_focal_point and user is not None and user.country_id is not None):
        status_order = list(SubmissionStatus)  # a focal point's own country may be in any status
    else:
        status_order = list(statuses_readable(who))
    if everything:
        none_label = _("Not started")
    elif SubmissionStatus.approved in status_order:
        none_label = _("No approved review")
    else:
        none_label = _("No published review")
    columns = [(s.value, STATUS_LABELS[s]) for s in status_order] + [("none", none_label)]
    groups: list[StatusGroup] = []
    for sub in ref.subregions:
        if f.subregion_id not in (None, sub.id):
            continue
        members = [c for c in countries if c.subregion_id == sub.id]
        groups.append(_status_group(sub.name, members, statuses))
        groups[-1].subregion = sub
    outside = [c for c in countries if not c.in_region]
    if outside:
        group = _status_group(_("Members outside the region (not in regional figures)"), outside, statuses)
        group.in_region = False
        groups.append(group)
    region_counts: Counter[str] = Counter()
    for g in groups:
        if g.in_region:
            region_counts.update(g.counts)

    numbers = {o.number for o in objectives}
    with_reports = {cid for (cid, n) in matrix if n in numbers}
    heat_countries = [c for c in countries if c.id in with_reports]
    in_region_ids = {c.id for c in countries if c.in_region}
    reported = Counter(
        number
        for (cid, number), cell in matrix.items()
        if cid in in_region_ids and cell.reporting is ReportingChoice.reported
    )
    ranked = sorted(objectives, key=lambda o: (-reported.get(o.number, 0), o.number))
    n_states = len({cid for (cid, _n) in matrix if cid in in_region_ids})

    pledge_rows = []
    for o in objectives:
        by_status = {s.value: pledges.by_objective.get((o.number, s), 0) for s in CommitmentStatus}
        pledge_rows.append((o, by_status, sum(by_status.values())))
    pledge_total = sum(r[2] for r in pledge_rows)
    busiest = max(pledge_rows, key=lambda r: r[2], default=None)

    principle_rows = [(p, principles.get(p.code, 0)) for p in ref.principles]
    top_principle = max(principle_rows, key=lambda r: r[1], default=None)
    cycle = cycle_name(ref, f)
    pledge_extra = pledge_figures(ref, pledges, cycle=cycle)
    region_expected = sum(len(g.countries) for g in groups if g.in_region)
    states = _("%(n)s of %(m)s States inside the region reporting") % {"n": n_states, "m": region_expected}
    charts: dict[str, Chart] = {
        "reported": bar_figure(
            "overview-reported",
            [Bar(_objective_label(o), reported.get(o.number, 0)) for o in objectives],
            title=_("States reporting on each objective"),
            summary=_reported_summary(ranked, reported),
            subtitle=f"{cycle} · {states}",
            source=source_line(),
            label_header=_("Objective"),
            value_header=_("States reporting"),
        ),
        "pledges": bar_figure(
            "overview-pledges",
            [Bar(_objective_label(o), total) for o, _s, total in pledge_rows],
            title=_("Pledges by objective"),
            summary=_pledge_summary(pledge_total, busiest),
            subtitle=f"{cycle} · "
            + _("%(n)s pledges of States inside the region and of organisations") % {"n": number(pledge_total)},
            source=source_line(),
            label_header=_("Objective"),
            value_header=_("Pledges"),
        ),
        "principles": bar_figure(
            "overview-principles",
            [Bar(f"{p.code}. {_name(p)}", n) for p, n in principle_rows],
            title=_("Guiding principles States report applying"),
            summary=_principle_summary(top_principle, n_states),
            subtitle=f"{cycle} · {states}",
            source=source_line(),
            label_header=_("Guiding principle"),
            value_header=_("States"),
        ),
        "pledge-entities": pledge_extra["pledge_entity_chart"],
        "pledge-places": pledge_extra["pledge_place_chart"],
        "status-map": status_map(ref, statuses, cycle=cycle, none_label=none_label, status_order=status_order),
    }
    shown_distributions = distributions(counted, choices, across_objectives=True, cycle=cycle)
    for i, d in enumerate(shown_distributions, start=1):
        charts[f"choice-{i}"] = d.chart
        d.chart.name = f"overview-choice-{i}"
    query = filter_query(f)
    for c in charts.values():
        c.query = query

    return {
        **pledge_extra,
        "ref": ref,
        "filters": f,
        "options": filter_options(ref),
        "query": filter_query(f),
        "everything": everything,
        "status_columns": columns,
        "status_labels": STATUS_LABELS,
        "linked_countries": linked,
        "status_groups": groups,
        "region_counts": region_counts,
        "region_expected": region_expected,
        "charts": charts,
        "objectives": objectives,
        "heat_countries": heat_countries,
        "heat_rows": _heat_rows(heat_countries, objectives, matrix, definition),
        "rating_steps": rating_steps(definition),
        "distributions": shown_distributions,
        "reported_ranked": [(o, reported.get(o.number, 0)) for o in ranked],
        "reporting_states": n_states,
        "pledge_rows": pledge_rows,
        "pledge_statuses": [(s.value, PLEDGE_STATUS_LABELS[s]) for s in CommitmentStatus],
        "pledge_chart": charts["pledges"],
        "pledge_summary": _pledge_summary(pledge_total, busiest),
        "principle_rows": principle_rows,
        "principle_chart": charts["principles"],
        "principle_summary": _principle_summary(top_principle, n_states),
        "reported_chart": charts["reported"],
        "reported_summary": _reported_summary(ranked, reported),
    }


def cycle_name(ref: Reference, f: Filters) -> str:
    """The shown cycle's name (every cycle when none is chosen), for a chart's subtitle."""
    return next((c.name for c in ref.cycles if c.id == f.cycle_id), None) or _("All review cycles")


def source_line() -> str:
    """The source written under every chart."""
    return _(
        "Source: ESCAP, regional review of the Global Compact for Migration (voluntary GCM reviews and indicator "
        "values reported by members and associate members); data as of %(date)s."
    ) % {"date": format_date(utcnow())}


def _objective_label(o: Objective) -> str:
    return f"{o.number}. {_name(o, 'short_title')}"


# Submission status on the map: a fill and a mark per status, so colour is not the only carrier.
STATUS_TILES = {
    "none": ("#ffffff", "–"),
    SubmissionStatus.draft.value: ("#e6e6e6", "○"),
    SubmissionStatus.submitted.value: ("#c6dbef", "◔"),
    SubmissionStatus.changes_requested.value: ("#fdd49e", "△"),
    SubmissionStatus.approved.value: ("#6baed6", "◑"),
    SubmissionStatus.published.value: ("#1a4480", "●"),
}


def status_map(
    ref: Reference,
    statuses: dict[int, SubmissionStatus],
    *,
    cycle: str,
    none_label: str,
    status_order: list[SubmissionStatus],
) -> Chart:
    """Every member inside the region as a tile, showing the status of its review in the shown cycle."""
    members = [c for c in ref.countries if c.in_region]
    tiles: list[Tile] = []
    rows: list[list[object]] = []
    counts: Counter[str] = Counter()
    for c in members:
        status = statuses.get(c.id)
        key = status.value if status else "none"
        label = str(STATUS_LABELS[status]) if status else none_label
        fill, mark = STATUS_TILES[key]
        counts[key] += 1
        name = _name(c)
        tiles.append(Tile(c.iso3, name, fill, mark, f"{name}: {label}", "#fff" if fill in DARK_FILLS else "#1b1b1b"))
        rows.append([c.iso3, name, label])
    legend = [(*STATUS_TILES[s.value], str(STATUS_LABELS[s])) for s in status_order]
    legend.append((*STATUS_TILES["none"], none_label))
    reviewed = len(members) - counts["none"]
    summary = _("%(n)s of %(m)s members inside the region have a review you can see in this cycle.") % {
        "n": reviewed,
        "m": len(members),
    }
    return tile_map(
        "overview-status-map",
        tiles,
        legend,
        title=_("Voluntary GCM reviews: status of each member inside the region"),
        summary=summary,
        subtitle=f"{cycle} · {summary}",
        source=source_line(),
        header=[_("ISO code"), _("Country"), _("Status")],
        rows=rows,
    )


def rating_steps(definition: Definition) -> list[tuple[int, str, int]]:
    """(step, label, shade 1-5) of the questionnaire's rating scale, in its order (the heatmap's key)."""
    steps = definition.rating_scale
    last = max(len(steps) - 1, 1)
    return [
        (step.value, pick(step.label, str(step.value))[0], 1 + round(4 * i / last) if len(steps) > 1 else 5)
        for i, step in enumerate(steps)
    ]


def _heat_rows(
    countries: list[Country],
    objectives: list[Objective],
    matrix: dict[tuple[int, int], queries.ReportCell],
    definition: Definition,
) -> Markup:
    """The heatmap's body, built here rather than in Jinja (about 1,400 cells: five times faster). All escaped."""
    not_reported = escape(_("not reported"))
    no_rating = escape(_("no rating"))
    steps = {value: (shade, escape(label)) for value, label, shade in rating_steps(definition)}
    out: list[str] = []
    columns = [o.number for o in objectives]
    for c in countries:
        cid = c.id
        outside = "" if c.in_region else ' class="outside-region"'
        star = "" if c.in_region else '<span class="muted">*</span>'
        out.append(
            f'<tr{outside}><th scope="row"><a href="/dashboards/countries/{escape(c.iso3)}">{escape(c.iso3)}</a>'
            f'<span class="visually-hidden"> {_marked(c)}</span>{star}</th>'
        )
        for column in columns:
            cell = matrix.get((cid, column))
            if cell is None:
                out.append("<td></td>")
            elif cell.reporting is ReportingChoice.not_reported:
                out.append(f'<td class="heat heat--none">—<span class="visually-hidden"> {not_reported}</span></td>')
            elif cell.rating is None:
                out.append(f'<td class="heat heat--none">?<span class="visually-hidden"> {no_rating}</span></td>')
            else:
                shade, label = steps.get(cell.rating, ("none", escape(str(cell.rating))))
                out.append(
                    f'<td class="heat heat--{shade}" title="{label}">{cell.rating}'
                    f'<span class="visually-hidden"> {label}</span></td>'
                )
        out.append("</tr>")
    return Markup("".join(out))  # noqa: S704 - every text above is escaped


@dataclass
class Distribution:
    """How many States chose each answer of a choice question: the table's rows, the chart and its summary."""

    key: str
    label: str
    scope: str  # the section's title, or "" for an objective question
    rows: list[tuple[str, int]]  # (answer, States), in the question's order
    answering: int  # States that answered
    summary: str
    chart: Chart


def distributions(
    counted: list[Counted], rows: list[tuple[str, str, str, int]], *, across_objectives: bool, cycle: str = ""
) -> list[Distribution]:
    """A distribution per counted question, from ``queries.choice_rows`` (one row per State and value chosen)."""
    chose: dict[tuple[str, str], dict[str, set[int]]] = {}
    answered: dict[tuple[str, str], set[int]] = {}
    for part, key, value, country_id in rows:
        chose.setdefault((part, key), {}).setdefault(value, set()).add(country_id)
        answered.setdefault((part, key), set()).add(country_id)
    out: list[Distribution] = []
    for c in counted:
        q = c.question
        by_value = chose.get((c.part, q.key), {})
        if q.type is QuestionType.yes_no:
            values = [("true", str(_("Yes"))), ("false", str(_("No")))]
        else:
            values = [(choice.value, q.choice_label(choice.value)) for choice in q.choices or []]
            known = {v for v, _label in values}
            values += [(v, v) for v in sorted(by_value) if v not in known]  # a value no longer offered
        table = [(label, len(by_value.get(value, ()))) for value, label in values]
        answering = len(answered.get((c.part, q.key), ()))
        summary = _distribution_summary(
            table,
            answering,
            several=q.type is QuestionType.multiple_choice,
            across_objectives=across_objectives and c.part == queries.OBJECTIVE_ROWS,
        )
        states = _("%(n)s States inside the region answering") % {"n": answering}
        chart = bar_figure(
            f"choice-{len(out) + 1}",
            [Bar(label, n) for label, n in table],
            title=q.text(),
            summary=summary,
            subtitle=" · ".join(t for t in (cycle, c.scope, states) if t),
            source=source_line(),
            label_header=_("Answer"),
            value_header=_("States"),
            sort=False,  # in the question's order: the answers may be a scale
        )
        out.append(Distribution(q.key, q.text(), c.scope, table, answering, summary, chart))
    return out


def _distribution_summary(
    table: list[tuple[str, int]], answering: int, *, several: bool, across_objectives: bool
) -> str:
    if not answering:
        return _("No State inside the region answered this question for these filters.")
    label, n = max(table, key=lambda row: row[1], default=("", 0))
    text = _("%(answering)s States inside the region answered; the answer chosen most: %(label)s (%(n)s).") % {
        "answering": answering,
        "label": label,
        "n": n,
    }
    if several:
        text += " " + _("A State may choose several answers.")
    if across_objectives:
        text += " " + _("A State counts once per answer, for any of the reported objectives shown.")
    return text


def _name(obj: object, field: str | None = None) -> str:
    """A reference record's name in the reader's language (app/catalog/texts.py), plain (options, chart labels)."""
    return texts.label(obj, field)[0]


def _marked(obj: object, field: str | None = None) -> Markup:
    """The same, escaped, marked ``lang="en"`` when it falls back to English (HTML built here)."""
    return texts.marked(*texts.label(obj, field))


def _status_group(name: str, members: list[Country], statuses: dict[int, SubmissionStatus]) -> StatusGroup:
    counts: Counter[str] = Counter()
    rows = []
    for c in members:
        status = statuses.get(c.id)
        counts[status.value if status else "none"] += 1
        rows.append((c, status))
    return StatusGroup(name, dict(counts), rows)


def _pledge_summary(total: int, busiest: tuple[Objective, dict[str, int], int] | None) -> str:
    if not total or busiest is None:
        return _("No pledges to show for these filters.")
    return _("%(total)s pledges; the most address objective %(n)s (%(count)s).") % {
        "total": number(total),
        "n": busiest[0].number,
        "count": busiest[2],
    }


def _principle_summary(top: tuple[Any, int] | None, states: int) -> str:
    if top is None or top[1] == 0:
        return _("No State reports applying a guiding principle for these filters.")
    return _("The principle most reported as applied: %(name)s (%(n)s of %(states)s States reporting).") % {
        "name": top[0].name,
        "n": top[1],
        "states": states,
    }


def _reported_summary(ranked: list[Objective], reported: Counter[int]) -> str:
    if not ranked or not sum(reported.values()):
        return _("No objective reports to show for these filters.")
    most, least = ranked[0], ranked[-1]
    return _("Most reported: objective %(a)s (%(na)s States); least reported: objective %(b)s (%(nb)s).") % {
        "a": most.number,
        "na": reported.get(most.number, 0),
        "b": least.number,
        "nb": reported.get(least.number, 0),
    }


# ---- indicator explorer ----------------------------------------------------------------------------------------


def parse_disaggregation(params: dict[str, str]) -> Disaggregation:
    """One breakdown; unknown values fall back to the total (so no filter = the totals, never totals + parts)."""
    sex = params.get("sex", "")
    status = params.get("migratory_status", "")
    age = params.get("age_group", "").strip()[:20]
    return Disaggregation(
        Sex(sex) if sex in {s.value for s in Sex} else Sex.total,
        MigratoryStatus(status) if status in {m.value for m in MigratoryStatus} else MigratoryStatus.total,
        age or TOTAL,
    )


def coverage_text(figure: Figure) -> str:
    return _("%(n)s of %(m)s countries reporting") % {"n": figure.countries_reporting, "m": figure.countries_expected}


def indicator_choices(session: Session, *, user: User | None) -> list[tuple[str, str]]:
    """(code, label) of every indicator the user may read, global ones first, then by code (plain data: cacheable)."""
    readable = sorted(
        queries.explorer_indicators(session, user=user),
        key=lambda i: (KIND_ORDER.get(i.kind, 9), code_sort_key(i.code)),
    )
    return [(i.code, _short(f"{i.code} · {i.name}")) for i in readable]


def explorer(
    session: Session,
    *,
    user: User | None,
    params: dict[str, str],
    cache: ResultCache | None = None,
    coverage_threshold: float = 0.5,
) -> dict[str, Any]:
    """The indicator explorer. Without a chosen period it opens on the latest period whose regional figure rests on
    at least ``coverage_threshold`` of the regional countries (``GCM_COVERAGE_THRESHOLD``), else on the latest."""
    ref = queries.load_reference(session)
    f = parse_filters(ref, params, default_cycle=False)
    code = params.get("indicator", "")
    choices = cached(
        cache, session, ("explorer-choices", visibility_key(user)), lambda: indicator_choices(session, user=user)
    )
    indicator = queries.explorer_indicator(session, user=user, code=code) if code else None
    options = filter_options(ref)
    options["indicator"] = [("", _("Choose an indicator")), *choices]
    context: dict[str, Any] = {
        "ref": ref,
        "filters": f,
        "indicator": indicator,
        "method_labels": METHOD_LABELS,
        "options": options,
        "number": number,
        "coverage_text": coverage_text,
        "threshold": coverage_threshold,
    }
    d = parse_disaggregation(params)
    context["disagg"] = d
    context["query"] = {**filter_query(f), **_disagg_query(d), **({"indicator": code} if indicator else {})}
    if indicator is None:
        return context

    def reporting(values: dict[tuple[int, str], queries.ValueCell], periods: list[str]) -> list[Country]:
        return [c for c in selected_countries(ref, f) if any((c.id, p) in values for p in periods)]

    def compute() -> tuple[Any, ...]:
        periods = queries.latest_periods(session, indicator, disaggregation=d, limit=MAX_PERIODS)
        values = queries.indicator_values(session, indicator, user=user, disaggregation=d, f=f, periods=periods)
        return (
            queries.indicator_breakdowns(session, indicator),
            periods,
            values,
            aggregate(session, indicator, user=user, disaggregation=d, periods=periods),
            _value_rows(reporting(values, periods), periods, values),  # a few hundred cells: kept with the figures
        )

    breakdowns, periods, values, aggregates, value_rows = cached(
        cache, session, ("explorer", visibility_key(user), indicator.id, d, f), compute
    )
    period = params.get("period", "")
    adequate = [a.period for a in aggregates if a.region.adequate(coverage_threshold)]
    chosen = period if period in periods else (adequate[0] if adequate else (periods[0] if periods else None))
    countries = reporting(values, periods)
    shown = [a for a in aggregates if a.period in periods]
    current = next((a for a in aggregates if a.period == chosen), None)
    needed = math.ceil(coverage_threshold * current.region.countries_expected) if current else 0
    low = current is not None and not current.region.adequate(coverage_threshold)
    charts: dict[str, Chart] = {}
    if current is not None:
        if (bars := _aggregate_chart(indicator, current, coverage_threshold)) is not None:
            charts["aggregate"] = bars
        if Aggregation(indicator.aggregation) is not Aggregation.none and len(shown) > 0:
            charts["trend"] = _trend_chart(indicator, shown, coverage_threshold, d)
        charts["map"] = _value_map(ref, indicator, current.period, values, d)
    for c in charts.values():
        c.query = {**context["query"], "period": chosen or ""}
    context["options"]["age_group"] = [("", _("Total (all ages)"))] + [
        (a, a) for a in sorted({a for _s, _m, a in breakdowns if a != TOTAL} | ({d.age_group} - {TOTAL}))
    ]
    context["options"]["period"] = [(p, p) for p in periods]
    context.update(
        {
            "breakdowns": breakdowns,
            "age_groups": sorted({a for _s, _m, a in breakdowns if a != TOTAL}),
            "values": values,
            "periods": periods,
            "period": chosen,
            "countries": countries,
            "value_rows": value_rows,
            "aggregates": shown,
            "current": current,
            "subregion_name": next((_marked(s) for s in ref.subregions if s.id == f.subregion_id), None),
            "chart": charts.get("aggregate"),
            "charts": charts,
            "summary": _aggregate_summary(indicator, current) if current else _("No values for this breakdown."),
            "low_coverage": low,
            "needed": needed,
            "adequate_periods": adequate,
            "period_chosen": period in periods,
        }
    )
    context["query"]["period"] = chosen or ""
    return context


def _value_rows(
    countries: list[Country], periods: list[str], values: dict[tuple[int, str], queries.ValueCell]
) -> Markup:
    """The explorer's table of values, built here rather than in Jinja (a few hundred cells: much faster). Escaped."""
    outside = escape(_("outside the region: not in regional figures"))
    gap = f'<td class="num">—<span class="visually-hidden"> {escape(_("recorded gap"))}</span></td>'
    provisional = f' <abbr class="provisional" title="{escape(_("provisional"))}">P</abbr>'
    unreviewed = f' <abbr class="unreviewed" title="{escape(_("not yet reviewed by the secretariat"))}">R</abbr>'
    out: list[str] = []
    for c in countries:
        cid = c.id
        row_class, note = ("", "")
        if not c.in_region:
            row_class, note = ' class="outside-region"', f' <span class="muted">({outside})</span>'
        out.append(
            f'<tr{row_class}><th scope="row">'
            f'<a href="/dashboards/countries/{escape(c.iso3)}">{_marked(c)}</a>{note}</th>'
        )
        for p in periods:
            v = values.get((cid, p))
            if v is None:
                out.append('<td class="num"></td>')
            elif v.value is None:
                out.append(gap)
            else:
                marks = (provisional if v.provisional else "") + ("" if v.reviewed else unreviewed)
                out.append(f'<td class="num">{escape(number(v.value))}{marks}</td>')
        out.append("</tr>")
    return Markup("".join(out))  # noqa: S704 - every text above is escaped


def _disagg_query(d: Disaggregation) -> dict[str, str]:
    return {
        k: v
        for k, v in {"sex": d.sex.value, "migratory_status": d.migratory_status.value, "age_group": d.age_group}.items()
        if v != TOTAL
    }


def region_label(fig: Figure, threshold: float) -> str:
    """The region's name with its coverage; a figure from too few countries says so (never "Region (58)")."""
    text = _("Region (%(n)s of %(m)s countries reporting)") % {
        "n": fig.countries_reporting,
        "m": fig.countries_expected,
    }
    if not fig.adequate(threshold):
        text += " " + _("low coverage")
    return text


def _figure_note(fig: Figure, threshold: float, *, region: bool = False) -> str:
    notes = []
    if region and not fig.adequate(threshold):
        notes.append(_("low coverage"))
    if fig.provisional:
        notes.append(_("includes provisional"))
    if fig.unreviewed:
        notes.append(_("includes values not yet reviewed"))
    return "; ".join(notes)


def _aggregate_chart(indicator: Indicator, current: PeriodAggregate, threshold: float = 0.5) -> Chart | None:
    method = Aggregation(indicator.aggregation)
    if method is Aggregation.none:
        return None
    bars = [
        Bar(
            region_label(current.region, threshold),
            current.region.value,
            note=_figure_note(current.region, threshold, region=True),
            hatched=bool(current.region.provisional),
        )
    ]
    subregions = [
        Bar(
            _("%(name)s (%(n)s of %(m)s)")
            % {"name": fig.name, "n": fig.countries_reporting, "m": fig.countries_expected},
            fig.value,
            note=_figure_note(fig, threshold),
            hatched=bool(fig.provisional),
        )
        for fig in current.subregions
    ]
    title = _("%(code)s, %(period)s: region and subregions") % {"code": indicator.code, "period": current.period}
    return bar_figure(
        "indicator-aggregate",
        [*bars, *sorted_bars(subregions)],  # the region first, then the subregions largest first
        title=title,
        summary=_aggregate_summary(indicator, current),
        subtitle=f"{indicator.name} ({indicator.unit}) · {coverage_text(current.region)}",
        source=source_line(),
        label_header=_("Region or subregion"),
        value_header=indicator.unit,
        sort=False,
    )


def _trend_chart(indicator: Indicator, shown: list[PeriodAggregate], threshold: float, d: Disaggregation) -> Chart:
    """The region and each subregion over the periods shown (oldest first), with the indicator's target if set."""
    ordered = sorted(shown, key=lambda a: a.period)
    periods = [a.period for a in ordered]
    region = Series(
        _("Region"),
        {a.period: a.region.value for a in ordered},
        {a.period for a in ordered if not a.region.adequate(threshold)},
    )
    names = [fig.name for fig in ordered[-1].subregions]
    subregions = [
        Series(
            name,
            {a.period: a.subregions[i].value for a in ordered},
            {a.period for a in ordered if not a.subregions[i].adequate(threshold)},
        )
        for i, name in enumerate(names)
    ]
    target_label = _("Target: %(value)s") % {"value": number(indicator.target)} if indicator.target is not None else ""
    latest = ordered[-1]
    summary = _("%(code)s from %(first)s to %(last)s: the region and its subregions.") % {
        "code": indicator.code,
        "first": periods[0],
        "last": periods[-1],
    }
    if indicator.target is not None:
        summary += " " + _("The target is %(value)s.") % {"value": number(indicator.target)}
    return trend_chart(
        "indicator-trend",
        periods,
        [region, *subregions],
        title=_("%(code)s over time: region and subregions") % {"code": indicator.code},
        summary=summary,
        subtitle=f"{indicator.name} ({indicator.unit}) · {d.label} · "
        + _("latest period %(period)s: %(cover)s") % {"period": latest.period, "cover": coverage_text(latest.region)},
        source=source_line(),
        target=indicator.target,
        target_label=target_label,
        target_note=indicator.target_note,
        low_label=_("Hollow points: fewer than %(pct)s of the countries reporting (low coverage).")
        % {"pct": f"{threshold:.0%}"},
    )


def _value_map(
    ref: Reference,
    indicator: Indicator,
    period: str,
    values: dict[tuple[int, str], queries.ValueCell],
    d: Disaggregation,
) -> Chart:
    """Every member inside the region as a tile, shaded by its value for the period (five equal-count classes)."""
    members = [c for c in ref.countries if c.in_region]
    known = sorted(v.value for c in members if (v := values.get((c.id, period))) and v.value is not None)
    bounds = [known[min(len(known) - 1, (len(known) * k) // 5)] for k in range(1, 5)] if known else []

    def shade(value: float) -> str:
        return SHADES[sum(1 for b in bounds if value > b)] if len(set(known)) > 1 else SHADES[2]

    no_value = _("no value")
    tiles: list[Tile] = []
    rows: list[list[object]] = []
    for c in members:
        cell = values.get((c.id, period))
        name = _name(c)
        if cell is None or cell.value is None:
            said = _("recorded gap") if cell is not None else no_value
            tiles.append(Tile(c.iso3, name, "#ffffff", "–", f"{name}: {said}", dashed=True))
            rows.append([c.iso3, name, None, said])
            continue
        fill = shade(cell.value)
        marks = ((_("provisional"), cell.provisional), (_("not yet reviewed"), not cell.reviewed))
        notes = [t for t, on in marks if on]
        tooltip = f"{name}: {number(cell.value)}" + (f" ({', '.join(notes)})" if notes else "")
        ink = "#fff" if fill in DARK_FILLS else "#1b1b1b"
        tiles.append(Tile(c.iso3, name, fill, short_number(cell.value), tooltip, ink))
        rows.append([c.iso3, name, cell.value, "; ".join(notes)])
    legend: list[tuple[str, str, str]] = []
    if len(set(known)) > 1:
        edges = [known[0], *bounds, known[-1]]
        for k in range(5):
            legend.append((SHADES[k], "", f"{number(edges[k])} – {number(edges[k + 1])}"))
    elif known:
        legend.append((SHADES[2], "", _("every value: %(value)s") % {"value": number(known[0])}))
    legend.append(("#ffffff", "–", no_value))
    summary = _("%(n)s of %(m)s members inside the region have a value for %(period)s.") % {
        "n": len(known),
        "m": len(members),
        "period": period,
    }
    return tile_map(
        "indicator-map",
        tiles,
        legend,
        title=_("%(code)s, %(period)s: value of each member inside the region")
        % {"code": indicator.code, "period": period},
        summary=summary,
        subtitle=f"{indicator.name} ({indicator.unit}) · {d.label} · {summary}",
        source=source_line(),
        header=[_("ISO code"), _("Country"), indicator.unit, _("Note")],
        rows=rows,
    )


def _aggregate_summary(indicator: Indicator, current: PeriodAggregate) -> str:
    method = Aggregation(indicator.aggregation)
    cover = coverage_text(current.region)
    if method is Aggregation.none:
        return _("%(period)s: no regional aggregate for this indicator; %(cover)s.") % {
            "period": current.period,
            "cover": cover,
        }
    kind = _("total") if method is Aggregation.sum else _("unweighted mean")
    return _("%(period)s: regional %(kind)s %(value)s %(unit)s (%(cover)s).") % {
        "period": current.period,
        "kind": kind,
        "value": number(current.region.value),
        "unit": indicator.unit,
        "cover": cover,
    }


def entity_type_labels() -> dict[str, str]:
    """Who pledges: ``state`` and the organisation types, as the dashboards name them."""
    return {"state": _("States"), **{t.value: label for t, label in type_labels().items()}}


def pledge_figures(
    ref: Reference, tallies: queries.PledgeTallies, *, cycle: str = "", page: str = "overview"
) -> dict[str, Any]:
    """Pledges by entity type and by country of implementation: each a chart (``Chart``) and its data table."""
    labels = entity_type_labels()
    entity_rows = [(key, label, tallies.by_entity.get(key, 0)) for key, label in labels.items()]
    places = sorted(
        ((c, tallies.by_place[c.id]) for c in ref.countries if c.id in tallies.by_place),
        key=lambda r: (-r[1], r[0].name),
    )
    total = sum(n for _k, _l, n in entity_rows)
    entity_summary = _("%(total)s pledges, by the type of entity that made them.") % {"total": total}
    place_summary = ngettext(
        "%(n)d country of implementation named; the 20 with the most pledges are drawn.",
        "%(n)d countries of implementation named; the 20 with the most pledges are drawn.",
        len(places),
    ) % {"n": len(places)}
    prefix = f"{cycle} · " if cycle else ""
    return {
        "pledge_entity_rows": entity_rows,
        "pledge_entity_chart": bar_figure(
            f"{page}-pledge-entities",
            [Bar(label, n) for _k, label, n in entity_rows],
            title=_("Pledges by pledging entity"),
            summary=entity_summary,
            subtitle=prefix + entity_summary,
            source=source_line(),
            label_header=_("Pledging entity"),
            value_header=_("Pledges"),
        ),
        "pledge_place_rows": places,
        "pledge_place_chart": bar_figure(
            f"{page}-pledge-places",
            [Bar(_name(c), n) for c, n in places[:20]],
            title=_("Pledges by country of implementation"),
            summary=place_summary,
            subtitle=prefix + place_summary,
            source=source_line(),
            label_header=_("Country of implementation"),
            value_header=_("Pledges"),
        ),
        "entity_labels": labels,
    }


def filter_options(ref: Reference) -> dict[str, list[tuple[str, str]]]:
    """The choices of every filter, "all" first."""
    options: dict[str, list[tuple[str, str]]] = {
        "cycle": [(str(c.id), c.name) for c in ref.cycles],
        "subregion": [("", _("All subregions"))] + [(str(s.id), _name(s)) for s in ref.subregions],
        "objective": [("", _("All objectives"))]
        + [(str(o.number), f"{o.number}. {_name(o, 'short_title')}") for o in ref.objectives],
        "round_table": [("", _("All round tables"))]
        + [(str(r.number), f"{r.code}: {_name(r)}") for r in ref.round_tables],
        "principle": [("", _("All guiding principles"))] + [(p.code, f"{p.code}. {_name(p)}") for p in ref.principles],
        "entity": [("", _("Every pledging entity")), *list(entity_type_labels().items())],
        "sex": [("", _("Total (both sexes)")), (Sex.female.value, _("Female")), (Sex.male.value, _("Male"))],
        "migratory_status": [
            ("", _("Total (all migratory statuses)")),
            (MigratoryStatus.migrant.value, _("Migrants")),
            (MigratoryStatus.non_migrant.value, _("Non-migrants")),
        ],
    }
    return options


# ---- country profile and objective page ------------------------------------------------------------------------


def country_profile(
    session: Session, *, user: User | None, iso3: str, cache: ResultCache | None = None
) -> dict[str, Any]:
    country = catalog_queries.get_country(session, iso3)
    if country is None or not can_read_country(session, user, country.id):
        raise NotFound(_("The page or record was not found."))
    submissions = queries.country_submissions(session, country.id, user=user)
    detailed = [s.id for s, _name in submissions[:DETAILED_CYCLES]]  # older cycles: status and dates only
    reports = queries.country_reports(session, detailed)
    pledge_total, pledges = queries.country_commitments(session, country.id, limit=LIST_LIMIT)
    implemented_total, implemented = queries.country_implemented_pledges(
        session, country.id, user=user, limit=LIST_LIMIT
    )
    forms = questionnaires_of.load(session, cache=cache)
    cycle_of = {s.id: s.review_cycle_id for s, _name in submissions}
    by_submission: dict[int, list[tuple[int, str, str, str | None]]] = {}
    for sid, n, title, reporting, rating in reports:
        label = None
        if rating is not None:  # the words of the step in that cycle's scale
            step = forms.of(cycle_of.get(sid)).step(rating)
            label = pick(step.label, str(rating))[0] if step is not None else str(rating)
        by_submission.setdefault(sid, []).append((n, title, reporting, label))
    return {
        "country": country,
        "subregion_name": next(
            (_marked(s) for s in catalog_queries.list_subregions(session) if s.id == country.subregion_id), None
        ),
        "submissions": submissions,
        "reports": by_submission,
        "status_labels": STATUS_LABELS,
        "commitments": pledges,
        "pledge_total": pledge_total,
        "pledge_labels": PLEDGE_STATUS_LABELS,
        "implemented": implemented,
        "implemented_total": implemented_total,
        "indicators": queries.country_indicators(session, country.id),
        "stakeholder_inputs": stakeholder_inputs(session, country_id=country.id),  # organisations of the country
    }


def objective_page(
    session: Session, *, user: User | None, number: int, params: dict[str, str], cache: ResultCache | None = None
) -> dict[str, Any]:
    ref = queries.load_reference(session)
    objective = next((o for o in ref.objectives if o.number == number), None)
    if objective is None:
        raise NotFound(_("The page or record was not found."))
    f = parse_filters(ref, params)  # one cycle at a time (the latest complete one by default): bounded pages
    forms = questionnaires_of.load(session, ref, cache)
    definition = forms.of(f.cycle_id)
    reports = queries.objective_reports(
        session,
        objective,
        user=user,
        f=f,
        summary_key=summary_key(definition, objective.number),
        practice_key=PRACTICE_KEY,
    )
    spec, counted = counted_questions(definition, sections=False, objectives=[objective.number])
    choices = cached(
        cache,
        session,
        ("objective-choices", visibility_key(user), f, objective.id),
        lambda: queries.choice_rows(
            session, user=user, f=f, questions=spec, objective_id=objective.id, accepted_only=True
        ),
    )
    options = filter_options(ref)
    pledge_total, pledges = queries.objective_commitments(session, objective.id, user=user, f=f, limit=LIST_LIMIT)
    cycle = cycle_name(ref, f)
    figures = pledge_figures(
        ref, queries.pledge_tallies(session, user=user, f=f, objective_id=objective.id), cycle=cycle, page="objective"
    )
    shown_distributions = distributions(counted, choices, across_objectives=False, cycle=cycle)
    charts: dict[str, Chart] = {
        "pledge-entities": figures["pledge_entity_chart"],
        "pledge-places": figures["pledge_place_chart"],
    }
    for i, d in enumerate(shown_distributions, start=1):
        charts[f"choice-{i}"] = d.chart
        d.chart.name = f"objective-choice-{i}"
    query = {**filter_query(f), "number": str(objective.number)}
    for c in charts.values():
        c.query = query
    return {
        **figures,
        "charts": charts,
        "ref": ref,
        "objective": objective,
        "round_table": next(r for r in ref.round_tables if r.id == objective.round_table_id),
        "filters": f,
        "options": options,
        "reports": reports,
        "practices": [r for r in reports if r.practice.strip()],
        "rating_labels": {
            cycle_id: {s.value: pick(s.label, str(s.value))[0] for s in forms.of(cycle_id).rating_scale}
            for cycle_id in {r.cycle_id for r in reports}
        },
        "distributions": shown_distributions,
        "indicators": queries.objective_indicators(session, objective.id),
        "stakeholder_inputs": stakeholder_inputs(session, part=f"objective:{objective.number}"),  # never counted
        "commitments": pledges,
        "pledge_total": pledge_total,
        "pledge_labels": PLEDGE_STATUS_LABELS,
    }


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# ---- a chart on its own (the downloads) ----------------------------------------------------------------------


def chart(
    session: Session,
    *,
    user: User | None,
    name: str,
    params: dict[str, str],
    cache: ResultCache | None = None,
    coverage_threshold: float = 0.5,
) -> Chart:
    """The chart ``name`` ("overview-reported", "indicator-trend", "objective-choice-2"...) of its page, drawn with
    the page's filters (``params``, as in the page's address): what the page shows, as a file."""
    page, _sep, key = name.partition("-")
    if page == "overview":
        charts = overview(session, user=user, params=params, cache=cache)["charts"]
    elif page == "indicator":
        context = explorer(session, user=user, params=params, cache=cache, coverage_threshold=coverage_threshold)
        charts = context.get("charts", {})
    elif page == "objective" and (n := _int(params.get("number", ""))) is not None:
        charts = objective_page(session, user=user, number=n, params=params, cache=cache)["charts"]
    else:
        charts = {}
    found = charts.get(key)
    if found is None:
        raise NotFound(_("The page or record was not found."))
    return found


# ---- search ----------------------------------------------------------------------------------------------------


def search_page(
    session: Session, *, user: User | None, query: str, params: dict[str, str], cache: ResultCache | None = None
) -> dict[str, Any]:
    from app.dashboards import search

    ref = queries.load_reference(session)
    f = parse_filters(ref, params, default_cycle=False)
    kind = params.get("kind", "")
    kinds = {kind} if kind in search.KINDS else None
    hits = cached(
        cache,
        session,
        ("search", visibility_key(user), tuple(search.words(query)), f, kind if kinds else ""),
        lambda: search.search(
            session, user=user, query=query, f=f, kinds=kinds, forms=questionnaires_of.load(session, ref, cache)
        ),
    )
    options = filter_options(ref)
    options["cycle"] = [("", _("All review cycles"))] + options["cycle"]
    options["kind"] = [
        ("", _("Reviews' answers, good practices and pledges")),
        ("report", _("Reviews' answers (sections and objective reports)")),
        ("practice", _("Good practices")),
        ("pledge", _("Pledges")),
        ("stakeholder", _("Input from stakeholders (accepted contributions)")),
    ]
    return {
        "ref": ref,
        "filters": f,
        "options": options,
        "q": query,
        "kind": kind if kind in search.KINDS else "",
        "hits": hits,
        "searched": bool(search.words(query)),
        "limit": search.LIMIT,
    }
