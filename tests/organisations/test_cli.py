"""gcm organisation create|list and gcm user create --role stakeholder --organisation NAME."""

from __future__ import annotations

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from app.auth.models import Role, User
from app.organisations.models import Organisation, OrganisationType
from tests.test_cli import cli_db, gcm

__all__ = ["cli_db"]  # the fixture, for pytest


def test_organisation_create_and_list(cli_db: str) -> None:
    gcm("db", "upgrade")
    gcm("seed")
    out = gcm("organisation", "create", "--name", "Trade Union Alliance", "--type", "trade_union", "--country", "mys",
              "--website", "https://example.org")  # fmt: skip
    assert "Created organisation Trade Union Alliance (Trade union)" in out
    gcm("organisation", "create", "--name", "UN Agency", "--type", "un_entity")
    listed = gcm("organisation", "list")
    assert "Trade Union Alliance\ttrade_union\tMYS\t0 user(s)" in listed and "UN Agency\tun_entity\t-" in listed
    duplicate = gcm("organisation", "create", "--name", "trade union ALLIANCE", "--type", "other", ok=False)
    assert "already exists" in duplicate
    assert "invalid" in gcm("organisation", "create", "--name", "X", "--type", "government", ok=False).lower()
    bad_site = gcm("organisation", "create", "--name", "Y", "--type", "other", "--website", "ftp:x", ok=False)
    assert "https://" in bad_site
    engine = create_engine(cli_db)
    with Session(engine) as session:
        row = session.scalars(select(Organisation).where(Organisation.name == "Trade Union Alliance")).one()
        assert row.type is OrganisationType.trade_union and row.website == "https://example.org"
    engine.dispose()


def test_user_create_stakeholder_needs_an_organisation_and_only_stakeholders_have_one(cli_db: str) -> None:
    gcm("db", "upgrade")
    gcm("seed")
    gcm("organisation", "create", "--name", "Migrant Forum", "--type", "migrant_org")
    out = gcm("user", "create", "--email", "s@example.org", "--name", "S", "--role", "stakeholder",
              "--organisation", "migrant forum")  # fmt: skip
    assert "Created stakeholder s@example.org of Migrant Forum" in out
    missing = gcm("user", "create", "--email", "t@example.org", "--name", "T", "--role", "stakeholder", ok=False)
    assert "A stakeholder belongs to an organisation" in missing
    focal = gcm("user", "create", "--email", "f@example.org", "--name", "F", "--role", "focal_point",
                "--country", "PHL", "--organisation", "Migrant Forum", ok=False)  # fmt: skip
    assert "Only stakeholders belong to an organisation" in focal
    unknown = gcm("user", "create", "--email", "u@example.org", "--name", "U", "--role", "stakeholder",
                  "--organisation", "Nobody", ok=False)  # fmt: skip
    assert "No organisation is named Nobody" in unknown
    assert "Migrant Forum\tmigrant_org\t-\t1 user(s)" in gcm("organisation", "list")
    engine = create_engine(cli_db)
    with Session(engine) as session:
        emails = set(session.scalars(select(User.email).where(User.role == Role.stakeholder)))
    engine.dispose()
    assert emails == {"s@example.org"}
