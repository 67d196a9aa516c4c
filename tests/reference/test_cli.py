"""``gcm reference set|list``: add or correct a text with its source; bad input refused by field; kept by seeds."""

from __future__ import annotations

from sqlalchemy import select

from app import db
from app.audit.models import AuditEvent
from app.catalog.models import ReferenceText, TextStatus
from tests.test_cli import cli_db, gcm  # noqa: F401  (the fixture)


def _text(kind: str, key: str, language: str) -> ReferenceText | None:
    with db.get_sessionmaker()() as session:
        return session.scalar(
            select(ReferenceText).where(
                ReferenceText.kind == kind, ReferenceText.key == key, ReferenceText.language == language
            )
        )


def test_reference_set_then_seed_keeps_it(cli_db: str) -> None:  # noqa: F811
    gcm("db", "upgrade")
    assert "412 reference_text created" in gcm("seed")
    out = gcm(
        "reference", "set", "subregion", "pacific", "fr", "--text", "Pacifique",
        "--source", "https://www.unescap.org/fr", "--status", "official",
    )  # fmt: skip
    assert "subregion pacific fr: Pacifique" in out
    row = _text("subregion", "pacific", "fr")
    assert row is not None and row.manual and row.status is TextStatus.official
    assert "nothing changed" in gcm("seed")
    assert _text("subregion", "pacific", "fr").text == "Pacifique"  # type: ignore[union-attr]
    with db.get_sessionmaker()() as session:
        assert session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "reference_text")) is not None
    assert "Pacifique" in gcm("reference", "list", "--language", "fr", "--kind", "subregion")


def test_reference_set_refuses_bad_input(cli_db: str) -> None:  # noqa: F811
    gcm("db", "upgrade")
    gcm("seed")
    out = gcm("reference", "set", "subregion", "pacific", "fr", "--text", " ", "--source", "my guess", ok=False)
    assert "text: Enter the text." in out and "source: Give a web address" in out
    assert "no such reference text" in gcm(
        "reference", "set", "subregion", "atlantis", "fr", "--text", "Atlantide", "--source", "ESCAP", ok=False
    )
    assert _text("subregion", "pacific", "fr") is None
