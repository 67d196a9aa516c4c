"""Argon2 parameters: the strong ones everywhere but the test suite, and hashes made with others still verify."""

from __future__ import annotations

from argon2 import PasswordHasher, extract_parameters
from sqlalchemy.orm import Session

from app.auth import passwords, sessions
from app.config import Environment, Settings
from tests.factories import PASSWORD, make_user


def test_passwords_are_hashed_with_the_strong_parameters_outside_the_tests() -> None:
    secret = "s" * 40
    for env in (Environment.production, Environment.development):
        settings = Settings(env=env, secret_key=secret, fast_password_hashing=True)  # ignored outside tests
        hashed = passwords.hasher_for(settings).hash(PASSWORD)
        assert extract_parameters(hashed) == passwords.STRONG_PARAMETERS, env
    settings = Settings(env=Environment.test, fast_password_hashing=True)
    assert extract_parameters(passwords.hasher_for(settings).hash(PASSWORD)) == passwords.TEST_PARAMETERS


def test_a_hash_made_with_other_parameters_signs_in_and_is_rehashed_once(session: Session) -> None:
    user = make_user(session)
    user.password_hash = PasswordHasher.from_parameters(passwords.STRONG_PARAMETERS).hash(PASSWORD)
    session.flush()
    assert sessions.authenticate(session, email=user.email, password=PASSWORD, ip_address="10.9.0.1") is user
    rehashed = user.password_hash
    assert rehashed is not None and not passwords.needs_rehash(rehashed)
    sessions.authenticate(session, email=user.email, password=PASSWORD, ip_address="10.9.0.1")
    assert user.password_hash == rehashed  # a current hash is kept: no rehash on every sign-in
