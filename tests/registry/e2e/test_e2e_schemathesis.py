"""Schemathesis against a live server on both backends: zero 5xx, responses match the spec."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests._server import running_server
from tests._services import (
    create_postgres_database,
    drop_postgres_database,
    new_database_name,
    require_postgres,
)

pytestmark = pytest.mark.slow

SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
CHECKS = ",".join(
    [
        "not_a_server_error",
        "response_schema_conformance",
        "content_type_conformance",
        "status_code_conformance",
    ]
)


@pytest.fixture(params=["sqlite", "postgres"])
def backend_env(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """Environment for a server on a fresh store of the requested backend."""
    if request.param == "sqlite":
        yield {"KP_STORE_BACKEND": "sqlite"}
        return
    require_postgres()
    name = new_database_name("st")
    url = create_postgres_database(name)
    try:
        yield {"KP_STORE_BACKEND": "postgres", "KP_DATABASE_URL": url}
    finally:
        drop_postgres_database(name)


def test_fuzzing_the_api_finds_no_server_errors_or_schema_violations(
    tmp_path: Path, backend_env: dict[str, str]
) -> None:
    env = {"KP_ALLOW_OPEN_ADMIN_REGISTRATION": "true", **backend_env}
    with running_server(tmp_path, env) as server:
        registered = httpx.post(
            server.url + "/v1/auth/register",
            json={
                "agent_id": "kp:agent:fuzz",
                "scopes": ["read", "write", "admin"],
                "tier": "enterprise",
            },
        )
        key = registered.json()["data"]["api_key"]
        result = subprocess.run(
            [
                SCHEMATHESIS,
                "run",
                f"{server.url}/openapi.json",
                "--checks",
                CHECKS,
                "-H",
                f"Authorization: Bearer {key}",
                "--max-examples",
                "15",
                "--seed",
                "20261126",
                "--generation-database",
                "none",
                "--request-timeout",
                "10",
                "--no-color",
                # The import proxy calls Notion/Confluence, unreachable from this sandbox:
                # its documented 502 would count as a server error here. Its own tests use
                # a fake upstream on 127.0.0.1.
                "--exclude-path-regex",
                "^/v1/import/",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=tmp_path,
        )
        assert "Traceback" not in server.log()
    assert result.returncode == 0, result.stdout[-6000:]
