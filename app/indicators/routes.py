"""Indicator pages: the list, a country's values read-only, and the focal point's grid saved row by row (htmx).

Every row of the grid is its own form: with htmx it is sent alone and answered with the row re-rendered (saved, or
with its errors and the input kept); without JavaScript it is a normal POST answered with a redirect, or with the
whole page when something must be corrected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.auth.dependencies import CurrentUser, FocalPointUser, SecretariatUser
from app.auth.models import Role, User
from app.catalog import queries as catalog_queries
from app.catalog.models import Country
from app.db import SessionDep, utcnow
from app.errors import FormInvalid, NotFound, ValidationFailed
from app.i18n import LazyLabels, _, lazy_gettext
from app.indicators import queries, service
from app.indicators.models import Aggregation, Indicator, IndicatorValue
from app.indicators.schemas import (
    CELLS,
    NEW_ROW_ID,
    SEX_LABELS,
    STATUS_GROUP_LABELS,
    VALUE_STATUS_LABELS,
    Disaggregation,
    Row,
    ValueForm,
    number_for_display,
    stored_fields,
)
from app.visibility import can_read_country
from app.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)

Key = Annotated[str, Form(max_length=40)]
STANDARD_AGE_GROUPS = ("0-14", "5-17", "15-24", "15-64", "25-54", "55+", "65+")
AGGREGATION_LABELS = LazyLabels(
    {
        Aggregation.sum: lazy_gettext("Sum over countries"),
        Aggregation.mean: lazy_gettext("Unweighted mean over reporting countries"),
        Aggregation.none: lazy_gettext("No regional aggregate"),
    }
)


def _indicator(session: SessionDep, code: str, user: User) -> Indicator:
    indicator = queries.get_indicator(session, code, user=user)
    if indicator is None:
        raise NotFound(_("The page or record was not found."))
    return indicator


def _own_value(session: SessionDep, user: User, indicator: Indicator, value_id: int) -> IndicatorValue | None:
    """The focal point's value (None if it was removed meanwhile); another country's is "not found"."""
    value = queries.get_value(session, value_id)
    if value is not None:
        service.ensure_own_value(user, indicator, value)
    return value


@router.get("/indicators", name="indicators:list")
def indicator_list(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    indicators = queries.list_indicators(session, user=user)
    context = {"indicators": indicators, "aggregation_labels": AGGREGATION_LABELS}
    return render(request, "indicators/list.html", context)


@router.get("/indicators/{code}/countries", name="indicators:countries")
def indicator_countries(request: Request, session: SessionDep, user: CurrentUser, code: str) -> Response:
    indicator = _indicator(session, code, user)
    if user.role is Role.focal_point:
        return RedirectResponse(request.app.url_path_for("indicators:my_grid", code=code), status_code=303)
    coverage = queries.list_coverage(session, indicator=indicator, user=user)
    return render(request, "indicators/countries.html", {"indicator": indicator, "coverage": coverage})


@router.get("/indicators/{code}/countries/{iso3}", name="indicators:country")
def country_grid(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    code: str,
    iso3: str,
    sex: str = "",
    migratory_status: str = "",
    age_group: str = "",
    accepted: str = "",
    changed: str = "",
) -> Response:
    indicator = _indicator(session, code, user)
    country = catalog_queries.get_country(session, iso3)
    if country is None or not can_read_country(session, user, country.id):
        raise NotFound(_("The page or record was not found."))
    if indicator.country_id not in (None, country.id):
        raise NotFound(_("The page or record was not found."))
    if user.role is Role.focal_point:  # their own country: the editable grid
        url = request.app.url_path_for("indicators:my_grid", code=code)
        return RedirectResponse(url + (f"?{request.url.query}" if request.url.query else ""), status_code=303)
    grid = Grid(indicator, country, can_edit=False, selector=_selector(sex, migratory_status, age_group))
    if user.role in (Role.secretariat, Role.admin):
        grid.extra["unreviewed"] = queries.unreviewed_values(session, country_id=country.id, indicator_id=indicator.id)
        grid.extra["accept_url"] = request.app.url_path_for("indicators:accept", code=code, iso3=country.iso3)
    if accepted.isdecimal() and len(accepted) < 7:
        grid.notice = _("%(n)s values accepted as reviewed.") % {"n": accepted}
        if changed.isdecimal() and changed != "0" and len(changed) < 7:
            grid.notice += " " + _(
                "%(n)s values were entered or changed after you opened the page: check them, then accept again."
            ) % {"n": changed}
    return _render_grid(request, session, grid)


@router.post("/indicators/{code}/countries/{iso3}/accept", name="indicators:accept")
def accept_values(
    request: Request,
    session: SessionDep,
    user: SecretariatUser,
    code: str,
    iso3: str,
    seen: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """The secretariat accepts the country's values of this indicator that it was shown (``seen``: id:version)."""
    indicator = _indicator(session, code, user)
    country = catalog_queries.get_country(session, iso3)
    if country is None or indicator.country_id not in (None, country.id):
        raise NotFound(_("The page or record was not found."))
    result = service.accept_values(
        session, user=user, country_id=country.id, indicator=indicator, seen=service.parse_seen(seen or [])
    )
    url = request.app.url_path_for("indicators:country", code=code, iso3=country.iso3)
    return RedirectResponse(f"{url}?accepted={result.accepted}&changed={result.changed}", status_code=303)


@router.get("/my/indicators/{code}", name="indicators:my_grid")
def my_grid(
    request: Request,
    session: SessionDep,
    user: FocalPointUser,
    code: str,
    sex: str = "",
    migratory_status: str = "",
    age_group: str = "",
    saved: int | None = None,
    removed: str = "",
) -> Response:
    indicator = _indicator(session, code, user)
    selector = _selector(sex, migratory_status, age_group)
    grid = Grid(indicator, _country(user), can_edit=True, selector=selector, saved_id=saved)
    if removed and _valid_period(removed):
        grid.notice = _("The value for %(period)s was removed.") % {"period": removed}
    return _render_grid(request, session, grid)


@router.post("/my/indicators/{code}/values", name="indicators:create")
def create_value(
    request: Request, session: SessionDep, user: FocalPointUser, code: str, form: Annotated[ValueForm, Form()]
) -> Response:
    indicator = _indicator(session, code, user)
    selector = _selector(form.sex, form.migratory_status, form.age_group)
    grid = Grid(indicator, _country(user), can_edit=True, selector=selector)
    disaggregation = grid.disaggregation()
    try:
        saved = service.add_value(session, user=user, indicator=indicator, disaggregation=disaggregation, form=form)
    except (FormInvalid, service.ValueConflict) as exc:
        return _refused(request, session, grid, exc, Row.new(), typed=form.typed())
    fresh_row = [Row.new(focus="period")] if request.headers.get("HX-Target") == NEW_ROW_ID else []
    return _saved(request, grid, saved, extra_rows=fresh_row)


@router.post("/my/indicators/{code}/values/{value_id}", name="indicators:update")
def update_value(
    request: Request,
    session: SessionDep,
    user: FocalPointUser,
    code: str,
    value_id: int,
    form: Annotated[ValueForm, Form()],
) -> Response:
    indicator = _indicator(session, code, user)
    record = _own_value(session, user, indicator, value_id)
    selector = _selector_of(record) if record else _selector(form.sex, form.migratory_status, form.age_group)
    grid = Grid(indicator, _country(user), can_edit=True, selector=selector)
    try:
        if record is None:
            raise service.ValueGone
        service.update_value(session, user=user, indicator=indicator, value=record, form=form)
    except (FormInvalid, service.ValueConflict, service.ValueGone) as exc:
        row = Row.of(record) if record is not None else Row.new()
        row.dom_id, row.version = f"value-{value_id}", form.loaded_version
        return _refused(request, session, grid, exc, row, typed=form.typed())
    return _saved(request, grid, record)


@router.post("/my/indicators/{code}/values/{value_id}/remove", name="indicators:remove")
def remove_value(
    request: Request,
    session: SessionDep,
    user: FocalPointUser,
    code: str,
    value_id: int,
    version: Key = "",
    confirmed: Key = "",
    sex: Key = "",
    migratory_status: Key = "",
    age_group: Key = "",
) -> Response:
    indicator = _indicator(session, code, user)
    record = _own_value(session, user, indicator, value_id)
    selector = _selector_of(record) if record else _selector(sex, migratory_status, age_group)
    grid = Grid(indicator, _country(user), can_edit=True, selector=selector)
    if record is None:  # removed meanwhile: what was asked is done
        return _removed(request, grid, value_id, "")
    if confirmed != "1":
        context = {"indicator": indicator, "value": record, "display": number_for_display(record.value)}
        return render(request, "indicators/remove.html", {**context, "grid_url": grid.url(request, breakdown=True)})
    loaded = int(version) if version.isdecimal() else None
    try:
        service.remove_value(session, user=user, indicator=indicator, value=record, version=loaded)
    except (service.ValueConflict, service.ValueGone) as exc:
        return _refused(request, session, grid, exc, Row.of(record))
    return _removed(request, grid, value_id, record.period)


# ---- the grid --------------------------------------------------------------------------------------------------


@dataclass
class Grid:
    """What a grid page shows: whose values, which breakdown, and the outcome of the last row sent."""

    indicator: Indicator
    country: Country
    can_edit: bool
    selector: dict[str, str]
    saved_id: int | None = None
    notice: str = ""
    replaced: Row | None = None  # a row that was sent and refused: shown as sent, with its errors
    extra: dict[str, Any] = field(default_factory=dict)

    def disaggregation(self) -> Disaggregation:
        s = self.selector
        return service.parse_disaggregation(s["sex"], s["migratory_status"], s["age_group"])

    def url(self, request: Request, *, breakdown: bool = False, params: str = "") -> str:
        """The grid's address; with ``breakdown``, showing the breakdown it shows now, plus ``params``."""
        if self.can_edit:
            url = request.app.url_path_for("indicators:my_grid", code=self.indicator.code)
        else:
            url = request.app.url_path_for("indicators:country", code=self.indicator.code, iso3=self.country.iso3)
        query = "&".join(p for p in (self.disaggregation().query_string if breakdown else "", params) if p)
        return f"{url}?{query}" if query else str(url)


def _selector(sex: str, migratory_status: str, age_group: str) -> dict[str, str]:
    """The breakdown as named by a form or a link (checked when used)."""
    return {"sex": sex, "migratory_status": migratory_status, "age_group": age_group}


def _selector_of(value: IndicatorValue) -> dict[str, str]:
    d = Disaggregation.of(value)
    return _selector(d.sex.value, d.migratory_status.value, d.age_group)


def _country(user: User) -> Country:
    assert user.country is not None  # a focal point always has one (a CHECK constraint)
    return user.country


def _valid_period(text: str) -> bool:
    try:
        service.parse_period(text)
    except ValidationFailed:
        return False
    return True


def _rows(session: SessionDep, grid: Grid, disaggregation: Disaggregation) -> list[Row]:
    """The stored rows of the breakdown, the add-a-period row first; a refused row replaces its stored self."""
    values = queries.list_values(
        session, indicator_id=grid.indicator.id, country_id=grid.country.id, disaggregation=disaggregation
    )
    rows = [Row.of(v) for v in values]
    for row, stored in zip(rows, values, strict=True):
        if stored.id == grid.saved_id:
            row.saved_at = stored.updated_at
    if grid.can_edit:
        rows.insert(0, Row.new())
    if grid.replaced is not None:
        ids = [r.dom_id for r in rows]
        where = ids.index(grid.replaced.dom_id) if grid.replaced.dom_id in ids else None
        if where is None:
            rows.insert(1 if grid.can_edit else 0, grid.replaced)
        else:
            rows[where] = grid.replaced
    return rows


def _age_groups(breakdowns: list[tuple[Disaggregation, int]]) -> list[str]:
    groups = {d.age_group for d, _count in breakdowns} | set(STANDARD_AGE_GROUPS)
    groups.discard("total")
    return sorted(groups, key=lambda g: (int(g.rstrip("+").split("-")[0]) if g[0].isdecimal() else 999, g))


def _render_grid(request: Request, session: SessionDep, grid: Grid, *, status_code: int = 200) -> Response:
    ind, country = grid.indicator, grid.country
    try:
        disaggregation: Disaggregation | None = grid.disaggregation()
    except ValidationFailed as exc:
        disaggregation, status_code = None, 422
        grid.extra["selector_errors"] = {exc.field or "age_group": exc.message}
    breakdowns = queries.list_breakdowns(session, indicator_id=ind.id, country_id=country.id)
    context = {
        "indicator": ind,
        "country": country,
        "can_edit": grid.can_edit,
        "disagg": disaggregation,
        "selector": grid.selector,
        "selector_errors": {},
        "unreviewed": [],
        "rows": _rows(session, grid, disaggregation) if disaggregation is not None else [],
        "failed": grid.replaced,
        "notice": grid.notice,
        "breakdowns": breakdowns,
        "age_groups": _age_groups(breakdowns),
        "grid_url": grid.url(request),
        "rule_hint": service.rule_hint(service.value_rule(ind.code, ind.unit)),
        "aggregation_label": AGGREGATION_LABELS[ind.aggregation],
        **_labels(),
        **grid.extra,
    }
    return render(request, "indicators/grid.html", context, status_code=status_code)


def _labels() -> dict[str, Any]:
    return {"sex_labels": SEX_LABELS, "group_labels": STATUS_GROUP_LABELS, "status_labels": VALUE_STATUS_LABELS}


def _render_rows(
    request: Request, grid: Grid, rows: list[Row], announcement: str, *, status_code: int = 200
) -> Response:
    """The htmx answer: the re-rendered row(s), and the announcement for the grid's live region."""
    context = {
        "indicator": grid.indicator,
        "can_edit": True,
        "disagg": grid.disaggregation(),
        "rows": rows,
        "announcement": announcement,
        **_labels(),
    }
    return render(request, "indicators/_rows.html", context, status_code=status_code)


def _back_to_grid(request: Request, grid: Grid, params: str, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(grid.url(request, breakdown=True, params=params) + anchor, status_code=303)


def _saved(request: Request, grid: Grid, value: IndicatorValue, *, extra_rows: list[Row] | None = None) -> Response:
    if not is_htmx(request):
        return _back_to_grid(request, grid, f"saved={value.id}", f"#value-{value.id}")
    now = utcnow()
    row = Row.of(value)
    row.saved_at = now
    announcement = _("%(period)s saved at %(time)s UTC.") % {"period": value.period, "time": now.strftime("%H:%M")}
    return _render_rows(request, grid, [*(extra_rows or []), row], announcement)


def _removed(request: Request, grid: Grid, value_id: int, period: str) -> Response:
    if not is_htmx(request):
        return _back_to_grid(request, grid, f"removed={period}" if period else "")
    row = Row(dom_id=f"value-{value_id}", value_id=value_id, period=period, fields={}, version=None, removed=True)
    announcement = _("The value for %(period)s was removed.") % {"period": period} if period else ""
    return _render_rows(request, grid, [row], announcement)


def _refused(
    request: Request,
    session: SessionDep,
    grid: Grid,
    exc: FormInvalid | service.ValueConflict | service.ValueGone,
    row: Row,
    *,
    typed: dict[str, str] | None = None,
) -> Response:
    """Nothing was saved: the row again as the user sent it, with the reason beside the cells."""
    if typed is not None:
        row.fields = {**typed, "period": row.period or typed["period"]}
        row.period = row.fields["period"]
    if isinstance(exc, FormInvalid):
        row.errors = exc.errors
        row.focus = next(name for name in CELLS if name in exc.errors)
    elif isinstance(exc, service.ValueConflict) and typed is not None:
        _show_theirs(session, row, exc.current)
    else:
        row.value_id, row.version, row.period = None, None, row.fields.get("period", "")
    row.message = exc.message
    if not is_htmx(request):
        grid.replaced = row
        return _render_grid(request, session, grid, status_code=exc.status_code)
    label = row.period or _("the new period")
    announcement = _("%(period)s not saved: %(reason)s") % {"period": label, "reason": exc.message}
    return _render_rows(request, grid, [row], announcement, status_code=exc.status_code)


def _show_theirs(session: SessionDep, row: Row, current: IndicatorValue) -> None:
    """A conflict: what is saved now goes beside what the user typed; saving again then replaces it knowingly."""
    theirs = stored_fields(current)
    theirs["value"] = number_for_display(current.value)
    row.theirs = theirs
    row.conflict_by = queries.get_user_name(session, current.updated_by_id)
    row.conflict_at = current.updated_at
    if not row.is_new:
        row.version = current.version
