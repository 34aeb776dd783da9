"""`kp-registry serve` as a user starts it: a real process, real signals."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from tests._server import KP_REGISTRY, running_server, spawn_server

pytestmark = pytest.mark.slow


def test_serve_answers_health_exactly_as_the_spec_and_logs_its_url(tmp_path: Path) -> None:
    with running_server(tmp_path) as server:
        response = httpx.get(server.url + "/health")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        assert response.content == b'{"status":"ok","version":"0.1.0"}'
        url_lines = [line for line in server.log().splitlines() if server.url in line]
        assert len(url_lines) == 1, server.log()
    assert (tmp_path / "data" / "knowledgepulse.db").exists()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_shuts_down_cleanly_on_signal(tmp_path: Path, sig: signal.Signals) -> None:
    with running_server(tmp_path) as server:
        code = server.stop(sig)
    assert code == 0, server.log()
    assert "Traceback" not in server.log()


def test_serve_host_and_port_flags_override_the_environment(tmp_path: Path) -> None:
    from tests._server import free_port

    port = free_port()
    server = spawn_server(
        tmp_path, {"KP_HOST": "0.0.0.0"}, "--host", "127.0.0.1", "--port", str(port)
    )
    server.port = port
    try:
        server.wait_ready()
        assert httpx.get(f"http://127.0.0.1:{port}/health").json()["status"] == "ok"
    finally:
        assert server.stop() == 0


def test_memory_backend_serves_without_creating_a_database_file(tmp_path: Path) -> None:
    with running_server(tmp_path, {"KP_STORE_BACKEND": "memory"}) as server:
        assert httpx.get(server.url + "/health").status_code == 200
    assert not (tmp_path / "data" / "knowledgepulse.db").exists()


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"KP_STORE_BACKEND": "mongodb"}, "KP_STORE_BACKEND"),
        ({"KP_STORE_BACKEND": "postgres"}, "KP_DATABASE_URL is required"),
        ({"KP_PORT": "not-a-port"}, "KP_PORT"),
    ],
)
def test_bad_configuration_stops_start_up_with_one_clear_line(
    tmp_path: Path, env: dict[str, str], needle: str
) -> None:
    import os

    child_env = {k: v for k, v in os.environ.items() if not k.startswith("KP_")}
    child_env.update({"KP_DATA_DIR": str(tmp_path), **env})
    result = subprocess.run(
        [KP_REGISTRY, "serve"], env=child_env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert needle in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_unreachable_postgres_fails_start_up_without_a_traceback(tmp_path: Path) -> None:
    from tests._server import free_port

    url = f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere"
    server = spawn_server(tmp_path, {"KP_STORE_BACKEND": "postgres", "KP_DATABASE_URL": url})
    code = server.proc.wait(60)
    assert code == 1
    assert "cannot open the postgres store" in server.log()
    assert "Traceback" not in server.log()
