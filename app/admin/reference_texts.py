"""Reference texts (administrators): every text of the reference data by kind and language, with its source and
status, the missing ones shown with their English fallback; add or correct one (text, source, status)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.audit.queries import list_history
from app.auth.dependencies import AdminUser
from app.catalog import queries, service
from app.catalog.models import ReferenceText, TextKind, TextStatus
from app.catalog.service import SOURCE_MAX, TEXT_MAX
from app.db import SessionDep
from app.errors import FormInvalid
from app.i18n import LANGUAGE_NAMES, LOCALES, _
from app.web.templating import render

router = APIRouter(prefix="/admin/reference-texts")


class TextForm(BaseModel):
    """A text as the administrator typed it (strings: everything comes back as typed on an error)."""

    model_config = ConfigDict(frozen=True)

    kind: str = Field("", max_length=40)
    key: str = Field("", max_length=40)
    language: str = Field("", max_length=8)
    text: str = Field("", max_length=5000)
    source: str = Field("", max_length=5000)
    status: str = Field("", max_length=40)
    version: int | None = None


def kind_labels() -> dict[str, str]:
    k = TextKind
    return {
        k.objective.value: _("Objective titles"),
        k.objective_short.value: _("Objective short titles"),
        k.guiding_principle.value: _("Guiding principles"),
        k.subregion.value: _("Subregions"),
        k.round_table.value: _("IMRF round tables"),
        k.term.value: _("Terms"),
        k.country.value: _("Countries and territories"),
    }


def status_labels() -> dict[str, str]:
    s = TextStatus
    return {
        s.official.value: _("Official (a UN page or document in that language)"),
        s.reproduction.value: _("Reproduction of the official text (a parliament, a broadcaster)"),
        s.un_network_label.value: _("UN Network on Migration label"),
        s.iom_label.value: _("IOM label"),
        s.escap.value: _("ESCAP's name"),
        s.cldr.value: _("CLDR (Unicode Common Locale Data Repository)"),
        s.administrator.value: _("Set by an administrator"),
    }


def _rows(session: Session, *, kind: str, language: str) -> list[dict[str, Any]]:
    """One row per (kind, key, language) the English reference data has, the missing ones included."""
    every = queries.list_reference_texts(session)
    by_id = {(t.kind.value, t.key, t.language): t for t in every}
    editors = queries.reference_text_editors(session, (t.updated_by_id for t in every if t.updated_by_id))
    english = [t for t in every if t.language == "en" and (not kind or t.kind.value == kind)]
    order = list(kind_labels())
    english.sort(key=lambda t: (order.index(t.kind.value), t.key.zfill(4) if t.key.isdigit() else t.key))
    rows = []
    for en in english:
        for lang in [language] if language else LOCALES:
            found = by_id.get((en.kind.value, en.key, lang))
            rows.append(
                {
                    "kind": en.kind.value,
                    "key": en.key,
                    "language": lang,
                    "english": en.text,
                    "text": found,
                    "editor": editors.get(found.updated_by_id) if found and found.updated_by_id else None,
                }
            )
    return rows


def _edit_url(request: Request, kind: str, key: str, language: str) -> str:
    query = urlencode({"kind": kind, "key": key, "language": language})
    return request.app.url_path_for("admin:reference_text") + "?" + query


@router.get("", name="admin:reference_texts")
def reference_texts(
    request: Request, session: SessionDep, _admin: AdminUser, language: str = "", kind: str = "", done: str = ""
) -> Response:
    language = language if language in LOCALES else ""
    kind = kind if kind in kind_labels() else ""
    rows = _rows(session, kind=kind, language=language)
    context = {
        "rows": rows,
        "missing": sum(1 for r in rows if r["text"] is None),
        "language": language,
        "kind": kind,
        "kind_labels": kind_labels(),
        "status_labels": status_labels(),
        "language_names": LANGUAGE_NAMES,
        "edit_url": lambda r: _edit_url(request, r["kind"], r["key"], r["language"]),
        "notice": _("The text has been saved.") if done == "saved" else None,
    }
    return render(request, "admin/reference_texts.html", context)


def _form_page(
    request: Request,
    session: Session,
    *,
    kind: str,
    key: str,
    language: str,
    form: TextForm | None = None,
    errors: dict[str, str] | None = None,
    conflict: bool = False,
    status_code: int = 200,
) -> Response:
    text_kind, key, language = service.check_target(session, kind, key, language)
    row = queries.get_reference_text(session, text_kind, key, language)
    english = queries.get_reference_text(session, text_kind, key, "en")
    if form is None:
        form = TextForm(
            kind=text_kind.value,
            key=key,
            language=language,
            text=row.text if row else "",
            source=row.source if row else "",
            status=row.status.value if row else TextStatus.official.value,
            version=row.version if row else 0,
        )
    context = {
        "row": row,
        "english": english,
        "form": form,
        "version": row.version if conflict and row else form.version,
        "errors": errors or {},
        "conflict": conflict,
        "kind_label": kind_labels()[text_kind.value],
        "language_name": LANGUAGE_NAMES[language],
        "status_options": list(status_labels().items()),
        "status_labels": status_labels(),
        "known_sources": service.KNOWN_SOURCES,
        "text_max": TEXT_MAX,
        "source_max": SOURCE_MAX,
        "history": list_history(session, entity_type=ReferenceText.__tablename__, entity_id=row.id) if row else [],
    }
    return render(request, "admin/reference_text_form.html", context, status_code=status_code)


@router.get("/edit", name="admin:reference_text")
def reference_text(
    request: Request, session: SessionDep, _admin: AdminUser, kind: str = "", key: str = "", language: str = ""
) -> Response:
    return _form_page(request, session, kind=kind, key=key, language=language)


@router.post("/edit", name="admin:reference_text_save")
def reference_text_save(
    request: Request, session: SessionDep, admin: AdminUser, form: Annotated[TextForm, Form()]
) -> Response:
    kind, key, language = form.kind, form.key, form.language
    try:
        service.set_text(
            session,
            kind=kind,
            key=key,
            language=language,
            text=form.text,
            source=form.source,
            status=form.status,
            version=form.version,
            user_id=admin.id,
        )
    except service.TextConflict:
        return _form_page(
            request, session, kind=kind, key=key, language=language, form=form, conflict=True, status_code=409
        )
    except FormInvalid as exc:
        return _form_page(
            request, session, kind=kind, key=key, language=language, form=form, errors=exc.errors, status_code=422
        )
    back = request.app.url_path_for("admin:reference_texts")
    query = urlencode({"language": form.language, "kind": form.kind, "done": "saved"})
    return RedirectResponse(f"{back}?{query}#{form.kind}-{form.key}-{form.language}", status_code=303)
