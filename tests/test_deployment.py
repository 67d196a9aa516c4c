"""The deployment files: docker-compose.yml follows the Compose specification and runs what we expect."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_compose_file_passes_the_compose_spec_schema() -> None:
    check = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [str(check), "--builtin-schema", "vendor.compose-spec", str(ROOT / "docker-compose.yml")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_the_app_on_postgres_16_with_healthcheck_and_volume() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    db, app = compose["services"]["db"], compose["services"]["app"]
    assert db["image"] == "postgres:16"
    assert "healthcheck" in db and db["volumes"]
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert app["environment"]["GCM_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert app["environment"]["GCM_ENV"] == "production"


def test_container_applies_migrations_on_start() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "gcm db upgrade" in dockerfile
    assert "npm ci" in dockerfile and "gcm assets" in dockerfile


def test_compose_runs_two_app_instances_behind_a_proxy() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert services["app"]["deploy"]["replicas"] == "${GCM_REPLICAS:-2}"
    assert "ports" not in services["app"]  # only the proxy publishes a port
    assert services["proxy"]["ports"] == ["127.0.0.1:8000:8000"]
    assert services["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "gcm db upgrade" in " ".join(services["migrate"]["command"])
