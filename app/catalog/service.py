"""Commands on the reference data: an administrator adds or corrects a reference text (text, source, status)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from app.catalog import queries
from app.catalog.models import ReferenceText, TextKind, TextStatus
from app.errors import Conflict, FormInvalid, NotFound
from app.i18n import LOCALES, _

TEXT_MAX = 500
SOURCE_MAX = 500
#: Sources named rather than linked: the Compact's and the IMRF's resolutions (any UN document symbol), CLDR, ESCAP.
KNOWN_SOURCES = ("CLDR", "ESCAP", "UN Network on Migration", "IOM", "UN Terminology Database (UNTERM)")
_UN_SYMBOL = re.compile(r"^[A-Z]{1,6}(/[A-Z0-9.()-]+)+(,.*)?$")


class TextConflict(Conflict):
    """Someone saved this text since the administrator loaded it; nothing was saved."""

    def __init__(self, current: ReferenceText) -> None:
        super().__init__(_("Someone else changed this text while you were editing. Nothing has been saved."))
        self.current = current


def valid_source(source: str) -> bool:
    """A web address (http or https, with a host; a locator may follow it: "… para. 3"), a UN document symbol
    ("A/RES/73/195, para. 16") or one of KNOWN_SOURCES (a version may follow: "CLDR 47")."""
    first = source.split(" ", 1)[0]
    if first.lower().startswith(("http://", "https://")):
        parts = urlsplit(first)
        return bool(parts.netloc) and "." in parts.netloc and " " not in parts.netloc
    if _UN_SYMBOL.match(source):
        return True
    return any(source == name or source.startswith(name + " ") for name in KNOWN_SOURCES)


def check_target(session: Session, kind: str, key: str, language: str) -> tuple[TextKind, str, str]:
    """The kind, key and language of a text that may be set: a known kind and language, and a key the English
    reference data has (a text is always a translation of one of ours). Anything else is 404."""
    try:
        text_kind = TextKind(kind)
    except ValueError:
        raise NotFound(_("There is no such kind of reference text.")) from None
    if language not in LOCALES:
        raise NotFound(_("There is no such language."))
    if queries.get_reference_text(session, text_kind, key, "en") is None:
        raise NotFound(_("There is no such reference text."))
    return text_kind, key, language


def set_text(
    session: Session,
    *,
    kind: str,
    key: str,
    language: str,
    text: str,
    source: str,
    status: str,
    version: int | None,
    user_id: int | None,
) -> ReferenceText:
    """Add or correct one text; every field is checked at once (FormInvalid, nothing changed). ``version`` is the
    one the administrator loaded (None or 0 for a text that did not exist); a later save is a TextConflict."""
    text_kind, key, language = check_target(session, kind, key, language)
    text, source = " ".join(text.split()), source.strip()
    errors: dict[str, str] = {}
    if not text:
        errors["text"] = _("Enter the text.")
    elif len(text) > TEXT_MAX:
        errors["text"] = _("At most %(n)s characters (this one has %(m)s).") % {"n": TEXT_MAX, "m": len(text)}
    if not source:
        errors["source"] = _("Say where the text comes from: a web address, a UN document symbol or CLDR.")
    elif len(source) > SOURCE_MAX:
        errors["source"] = _("At most %(n)s characters (this one has %(m)s).") % {"n": SOURCE_MAX, "m": len(source)}
    elif not valid_source(source):
        errors["source"] = _(
            "Give a web address (https://…), a UN document symbol (A/RES/73/195) or a known source (%(names)s)."
        ) % {"names": ", ".join(KNOWN_SOURCES)}
    try:
        text_status = TextStatus(status)
    except ValueError:
        errors["status"] = _("Choose one of the statuses listed.")
    if errors:
        raise FormInvalid(errors)
    row = queries.get_reference_text(session, text_kind, key, language)
    if row is None:
        if version:
            raise NotFound(_("This text has been removed meanwhile."))
        row = ReferenceText(kind=text_kind, key=key, language=language)
        session.add(row)
    elif version != row.version:
        raise TextConflict(row)
    row.text, row.source, row.status = text, source, text_status
    row.manual = True
    row.updated_by_id = user_id
    session.flush()
    return row
