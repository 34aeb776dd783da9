"""Start `kp-registry serve` as a real subprocess on a free loopback port (test helper)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

KP_REGISTRY = str(Path(sys.executable).with_name("kp-registry"))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ServerProcess:
    """A running `kp-registry serve` child process."""

    proc: subprocess.Popen[str]
    port: int
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Poll `/health` until it answers 200, the process dies, or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if httpx.get(self.url + "/health", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"server not ready after {timeout}s:\n{self.log()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        """Send `sig` and wait for the exit code (kill -9 after `timeout`)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode


def spawn_server(tmp_path: Path, env: dict[str, str] | None = None, *args: str) -> ServerProcess:
    """Start the server without waiting for it; output goes to a log file in `tmp_path`."""
    port = free_port()
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("KP_")}
    child_env.update({"KP_DATA_DIR": str(tmp_path / "data"), "KP_PORT": str(port)})
    child_env.update(env or {})
    log_path = tmp_path / f"server-{port}.log"
    with log_path.open("w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            [KP_REGISTRY, "serve", *args],
            env=child_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
    return ServerProcess(proc=proc, port=port, log_path=log_path, env=child_env)


@contextmanager
def running_server(
    tmp_path: Path, env: dict[str, str] | None = None, *args: str
) -> Iterator[ServerProcess]:
    """A ready server for the duration of the block, stopped (SIGTERM) afterwards."""
    server = spawn_server(tmp_path, env, *args)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()
