"""Password hashing with Argon2id: RFC 9106's second recommended parameters (argon2-cffi's defaults), or the
cheapest ones in the test suite only (``GCM_FAST_PASSWORD_HASHING`` with ``GCM_ENV=test``, see ``app/config.py``).

A hash records its own parameters, so any Argon2 hash verifies whatever the current ones are; a sign-in rehashes
a password whose hash was made with other parameters (``needs_rehash``)."""

from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from app.config import Settings, get_settings

STRONG_PARAMETERS = profiles.RFC_9106_LOW_MEMORY
# Only for tests: microseconds instead of tens of milliseconds a hash.
TEST_PARAMETERS = profiles.CHEAPEST

MIN_PASSWORD_LENGTH = 10


def hasher_for(settings: Settings) -> PasswordHasher:
    return _hasher(settings.fast_password_hashing_enabled)


@lru_cache(maxsize=2)
def _hasher(fast: bool) -> PasswordHasher:
    return PasswordHasher.from_parameters(TEST_PARAMETERS if fast else STRONG_PARAMETERS)


def _current() -> PasswordHasher:
    """The hasher for the current settings (read on each call: get_settings() is cached)."""
    return hasher_for(get_settings())


def hash_password(password: str) -> str:
    return _current().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _current().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=4)
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash of a random password with the current parameters, computed once: verifying against it costs what a
    real verification costs."""
    return hasher.hash(secrets.token_urlsafe(16))


def verify_password_or_dummy(password_hash: str | None, password: str) -> bool:
    """Like verify_password, but an unknown account (or one without a password) takes as long as a real one: the
    password is checked against a dummy hash, so the time of an answer does not tell which e-mails exist."""
    if not password_hash:
        verify_password(_dummy_hash(_current()), password)
        return False
    return verify_password(password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    return _current().check_needs_rehash(password_hash)
