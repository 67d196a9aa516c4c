"""Fixtures of the offline tests."""

from tests.test_cli import cli_db  # noqa: F401  (a fresh database of each backend, for the gcm command)
