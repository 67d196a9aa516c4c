"""Readable differences between two versions of a record, for history views and reviewers."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from app.audit.models import AuditEvent

_TOKEN = re.compile(r"\s+|[^\s]+")
HIDDEN_FIELDS = frozenset({"id", "version", "updated_by_id", "password_hash", "token_hash"})


def word_diff(before: str, after: str) -> Markup:
    """HTML of ``after`` with removed words in <del> and added words in <ins> (both labelled for screen readers)."""
    old, new = _TOKEN.findall(before or ""), _TOKEN.findall(after or "")
    parts: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(str(escape("".join(old[i1:i2]))))
            continue
        if op in ("delete", "replace"):
            parts.append(f'<del aria-label="removed">{escape("".join(old[i1:i2]))}</del>')
        if op in ("insert", "replace"):
            parts.append(f'<ins aria-label="added">{escape("".join(new[j1:j2]))}</ins>')
    return Markup("".join(parts))  # noqa: S704 - every piece is escaped above


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any

    @property
    def is_text(self) -> bool:
        return isinstance(self.before, str) or isinstance(self.after, str)

    @property
    def diff(self) -> Markup:
        return word_diff(str(self.before or ""), str(self.after or ""))


def changes(event: AuditEvent) -> list[FieldChange]:
    """The fields an audit event changed (for a creation: the fields set; for a deletion: those removed)."""
    before, after = event.before or {}, event.after or {}
    fields = [f for f in dict.fromkeys([*before, *after]) if f not in HIDDEN_FIELDS]
    return [
        FieldChange(f, before.get(f), after.get(f))
        for f in fields
        if before.get(f) != after.get(f) and (before.get(f) not in (None, "") or after.get(f) not in (None, ""))
    ]
