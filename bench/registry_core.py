"""Registry core throughput and latency: a real `kp-registry serve` under an async load.

    .venv/bin/python bench/registry_core.py [--backend sqlite|postgres|both]
        [--sizes 1000,10000] [--duration 10] [--concurrency 1,16] [--client raw|httpx]
        [--endpoints health,skill,unit,search,search-miss,post] [--agents 32]
        [--profile DIR] [--server-src DIR] [--workers N --redis-url URL]

For each backend and size it starts the server as a subprocess on a fresh store (a temporary
data directory, or a fresh `kp_test_bench_*` PostgreSQL database that is dropped afterwards),
registers enterprise agents, seeds N skills and N knowledge units through the API, then
drives each endpoint at each concurrency for `--duration` seconds (after a short warm-up)
and prints one table row per run.

The load generator talks only to 127.0.0.1. `--client raw` (default) is a minimal HTTP/1.1
keep-alive client on asyncio streams (one connection per concurrent worker), several times
cheaper per request than httpx; `--client httpx` uses one `httpx.AsyncClient` with a
keep-alive pool. Client and server share the machine's cores, so every row reports the CPU
time each side spent per request ("srv µs", "cli µs"): when their sum times the throughput
reaches the core count, the box, not the server, is the limit.

Endpoints (all requests carry an enterprise agent's API key, so rate limits never bind):
  health       GET /health                      the pipeline's floor (no database)
  skill        GET /v1/skills/{id}              random seeded ids (response cache in front)
  unit         GET /v1/knowledge/{id}           random seeded ids (not cached: a DB read)
  search       GET /v1/knowledge?q=<word>       64-word vocabulary (response cache in front)
  search-miss  GET /v1/knowledge?q=<word>&_n=i  an extra unique parameter defeats the cache
  post         POST /v1/knowledge               a fresh ReasoningTrace each time

Every contribution adds a row to its writer's reputation history; `--agents` spreads the
seeding over that many agents (see the report on history-length cost).

`--profile DIR` samples the server with py-spy (if installed; profiling only) during the
runs at the highest concurrency and prints where its CPU time goes. `--server-src DIR`
serves the package from another tree, e.g. `git archive HEAD src | tar -x -C /tmp/snap`,
so a shared checkout that is being edited does not change the server mid-run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import json
import os
import platform
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import asyncpg
import httpx
import psutil

from knowledgepulse.sdk.models.examples import full_reasoning_trace

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
KP_REGISTRY = str(BIN / "kp-registry")
HOST = "127.0.0.1"
AGENTS = 32
SEED_CONCURRENCY = 16
SEED_RETRIES = 10
DEFAULT_PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
ENDPOINTS = ("health", "skill", "unit", "search", "search-miss", "post")
_WORDS = (
    "deploy rollback cache latency kernel socket buffer index shard replica quorum "
    "lease token bucket queue worker batch stream parser lexer schema migration "
    "vacuum checkpoint snapshot backup restore mirror proxy gateway router balancer "
    "cluster node pod container image registry secret vault cipher hash signature "
    "digest ledger journal audit metric trace span sampler alert pager incident "
    "triage runbook playbook canary feature toggle budget quota lockfile webhook"
)
VOCABULARY = tuple(_WORDS.split())
assert len(VOCABULARY) == 64


# --------------------------------------------------------------------------- HTTP clients


class Http(Protocol):
    async def request(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes | None
    ) -> tuple[int, bytes]: ...

    async def aclose(self) -> None: ...


class RawHttp:
    """A minimal HTTP/1.1 keep-alive client: one connection, one request at a time."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._host = f"{HOST}:{port}".encode()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(HOST, self.port)
        sock = self._writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    async def request(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes | None
    ) -> tuple[int, bytes]:
        if self._writer is None:
            await self._connect()
        assert self._reader is not None
        assert self._writer is not None
        head = [f"{method} {target} HTTP/1.1\r\nHost: ".encode(), self._host, b"\r\n"]
        for name, value in headers:
            head.append(f"{name}: {value}\r\n".encode("latin-1"))
        if body is not None:
            head.append(f"Content-Length: {len(body)}\r\n".encode())
        head.append(b"\r\n")
        try:
            self._writer.write(b"".join(head) + (body or b""))
            response_head = await self._reader.readuntil(b"\r\n\r\n")
            status = int(response_head[9:12])
            length, chunked, close = None, False, False
            for line in response_head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"transfer-encoding":
                    chunked = b"chunked" in value.lower()
                elif name == b"connection":
                    close = b"close" in value.lower()
            if chunked:
                payload = await self._read_chunked()
            elif length is not None:
                payload = await self._reader.readexactly(length)
            else:
                payload, close = await self._reader.read(), True
        except BaseException:
            await self.aclose()
            raise
        if close:
            await self.aclose()
        return status, payload

    async def _read_chunked(self) -> bytes:
        assert self._reader is not None
        parts = []
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self._reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self._reader.readexactly(size))
            await self._reader.readexactly(2)

    async def aclose(self) -> None:
        writer, self._writer, self._reader = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


class HttpxHttp:
    """The same interface on a shared `httpx.AsyncClient` (HTTP/1.1 keep-alive pool)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def request(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes | None
    ) -> tuple[int, bytes]:
        response = await self._client.request(method, target, headers=headers, content=body)
        return response.status_code, response.content

    async def aclose(self) -> None:
        pass


@contextlib.asynccontextmanager
async def http_clients(kind: str, port: int, count: int) -> Any:
    """`count` clients of `kind` for `count` concurrent workers."""
    if kind == "raw":
        clients = [RawHttp(port) for _ in range(count)]
        try:
            yield clients
        finally:
            for client in clients:
                await client.aclose()
        return
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)
    async with httpx.AsyncClient(
        base_url=f"http://{HOST}:{port}", limits=limits, timeout=30.0
    ) as shared:
        yield [HttpxHttp(shared) for _ in range(count)]


# --------------------------------------------------------------------------- the server


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    log_path: Path

    def processes(self) -> list[psutil.Process]:
        try:
            parent = psutil.Process(self.proc.pid)
            return [parent, *parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def cpu_seconds(self) -> float:
        total = 0.0
        for process in self.processes():
            with contextlib.suppress(psutil.NoSuchProcess):
                times = process.cpu_times()
                total += times.user + times.system
        return total

    def rss_bytes(self) -> int:
        total = 0
        for process in self.processes():
            with contextlib.suppress(psutil.NoSuchProcess):
                total += process.memory_info().rss
        return total


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(
    env_extra: dict[str, str], data_dir: Path, workers: int, server_src: Path | None = None
) -> Server:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KP_")}
    if server_src is not None:
        # Serve another tree (e.g. `git archive` of a commit) with this venv's dependencies.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(server_src), env.get("PYTHONPATH")]))
    env.update(
        {
            "KP_HOST": HOST,
            "KP_PORT": str(port),
            "KP_DATA_DIR": str(data_dir),
            "KP_ALLOW_OPEN_ADMIN_REGISTRATION": "true",
            "KP_LOG_LEVEL": "warning",
            **env_extra,
        }
    )
    log_path = data_dir / "server.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [KP_REGISTRY, "serve", "--workers", str(workers)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(proc, port, log_path)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log_path.read_text()}")
        try:
            if httpx.get(f"http://{HOST}:{port}/health", timeout=1.0).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    stop_server(server)
    raise TimeoutError(f"server not ready after 120 s:\n{log_path.read_text()}")


def stop_server(server: Server) -> None:
    if server.proc.poll() is None:
        server.proc.send_signal(signal.SIGTERM)
        try:
            server.proc.wait(30)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait(10)


class RssSampler:
    """Samples the server's RSS (process plus children) every 100 ms on a thread."""

    def __init__(self, server: Server) -> None:
        self._server = server
        self._stop = threading.Event()
        self.peak = 0
        self.window_peak = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def reset_window(self) -> None:
        self.window_peak = self._server.rss_bytes()

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = self._server.rss_bytes()
            self.peak = max(self.peak, rss)
            self.window_peak = max(self.window_peak, rss)
            self._stop.wait(0.1)


# --------------------------------------------------------------------------- stores


@contextlib.asynccontextmanager
async def fresh_store(
    backend: str, pg_admin_url: str
) -> AsyncIterator[tuple[dict[str, str], Path]]:
    """Environment and data directory of a fresh store; everything is removed afterwards."""
    data_dir = Path(tempfile.mkdtemp(prefix="kp-bench-"))
    try:
        if backend == "sqlite":
            yield {"KP_STORE_BACKEND": "sqlite"}, data_dir
            return
        name = f"kp_test_bench_{secrets.token_hex(4)}"
        await _pg_admin(pg_admin_url, f'CREATE DATABASE "{name}"')
        try:
            url = pg_admin_url.rsplit("/", 1)[0] + "/" + name
            yield {"KP_STORE_BACKEND": "postgres", "KP_DATABASE_URL": url}, data_dir
        finally:
            await _pg_admin(pg_admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


async def _pg_admin(url: str, sql: str) -> None:
    connection = await asyncpg.connect(url, timeout=10)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


# --------------------------------------------------------------------------- workload

Request = tuple[str, str, list[tuple[str, str]], bytes | None]


@dataclass
class Workload:
    """Agents and seeded ids, and the request factories built on them."""

    keys: list[str]
    skill_ids: list[str] = field(default_factory=list)
    unit_ids: list[str] = field(default_factory=list)
    rng: random.Random = field(default_factory=lambda: random.Random(42))
    counter: int = 0

    def auth(self) -> list[tuple[str, str]]:
        self.counter += 1
        return [("Authorization", f"Bearer {self.keys[self.counter % len(self.keys)]}")]

    def get(self, target: str) -> Request:
        return ("GET", target, self.auth(), None)

    def words(self, n: int) -> str:
        return " ".join(self.rng.choice(VOCABULARY) for _ in range(n))

    def trace(self) -> bytes:
        unit = copy.deepcopy(_TRACE)
        unit["id"] = f"kp:trace:{uuid.uuid4()}"
        unit["task"]["objective"] = f"Objective: {self.words(4)}"
        unit["steps"][0]["content"] = f"Consider the {self.words(3)}"
        return json.dumps(unit).encode()

    def skill(self, i: int) -> bytes:
        content = (
            f"---\nname: bench-skill-{i}\ndescription: Helps with {self.words(3)}\n"
            f"tags: [{self.rng.choice(VOCABULARY)}, {self.rng.choice(VOCABULARY)}]\n---\n"
            f"# Bench skill {i}\n\nWhen asked about {self.words(5)}, answer briefly.\n"
        )
        return json.dumps({"skill_md_content": content}).encode()

    def make(self, endpoint: str) -> Callable[[], Request]:
        json_type = ("Content-Type", "application/json")
        if endpoint == "health":
            return lambda: ("GET", "/health", [], None)
        if endpoint == "skill":
            return lambda: self.get(f"/v1/skills/{self.rng.choice(self.skill_ids)}")
        if endpoint == "unit":
            return lambda: self.get(f"/v1/knowledge/{self.rng.choice(self.unit_ids)}")
        if endpoint == "search":
            return lambda: self.get(f"/v1/knowledge?q={self.rng.choice(VOCABULARY)}")
        if endpoint == "search-miss":

            def miss() -> Request:
                self.counter += 1
                return self.get(f"/v1/knowledge?q={self.rng.choice(VOCABULARY)}&_n={self.counter}")

            return miss
        if endpoint == "post":
            return lambda: ("POST", "/v1/knowledge", [*self.auth(), json_type], self.trace())
        raise ValueError(endpoint)


_TRACE = full_reasoning_trace()
_TRACE["metadata"].pop("agent_id")
ENDPOINT_LABELS = {
    "health": "GET /health",
    "skill": "GET /v1/skills/{id}",
    "unit": "GET /v1/knowledge/{id}",
    "search": "GET /v1/knowledge?q=",
    "search-miss": "GET /v1/knowledge?q= (miss)",
    "post": "POST /v1/knowledge",
}


async def register(port: int, count: int) -> list[str]:
    async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=30) as client:
        keys = []
        run = secrets.token_hex(3)
        for i in range(count):
            body = {
                "agent_id": f"kp:agent:bench-{run}-{i}",
                "scopes": ["read", "write"],
                "tier": "enterprise",
            }
            response = await client.post("/v1/auth/register", json=body)
            response.raise_for_status()
            keys.append(response.json()["data"]["api_key"])
        return keys


async def seed(port: int, client_kind: str, workload: Workload, size: int) -> dict[str, float]:
    """POST `size` skills and `size` units with SEED_CONCURRENCY workers; returns rates."""
    rates = {}
    for kind in ("skill", "unit"):
        began = time.perf_counter()
        await _seed_kind(port, client_kind, workload, size, kind)
        rates[kind] = size / (time.perf_counter() - began)
    return rates


async def _seed_kind(port: int, client_kind: str, workload: Workload, size: int, kind: str) -> None:
    todo = iter(range(size))
    failures: Counter[str] = Counter()
    ids = workload.skill_ids if kind == "skill" else workload.unit_ids
    path = "/v1/skills" if kind == "skill" else "/v1/knowledge"

    async def worker(http: Http) -> None:
        for i in todo:
            body = workload.skill(i) if kind == "skill" else workload.trace()
            headers = [*workload.auth(), ("Content-Type", "application/json")]
            for attempt in range(SEED_RETRIES + 1):
                status, payload = await http.request("POST", path, headers, body)
                if status != 503 or attempt == SEED_RETRIES:
                    break
                # The database is shared: ride out a short outage instead of aborting.
                print(f"  (seeding: 503, retry {attempt + 1}/{SEED_RETRIES})", flush=True)
                await asyncio.sleep(1.0)
            if status != 201:
                failures[f"{status} {payload[:200]!r}"] += 1
                continue
            ids.append(json.loads(payload)["data"]["id"])

    async with http_clients(client_kind, port, SEED_CONCURRENCY) as clients:
        await asyncio.gather(*(worker(http) for http in clients))
    if failures:
        raise RuntimeError(f"seeding {kind}s failed: {failures.most_common(3)}")


@dataclass
class Row:
    backend: str
    size: int
    endpoint: str
    concurrency: int
    requests: int
    seconds: float
    latencies: list[float]
    errors: Counter[str]
    server_cpu: float
    client_cpu: float
    peak_rss: int

    def cells(self) -> list[str]:
        lat = sorted(self.latencies) or [float("nan")]
        p50 = lat[len(lat) // 2]
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        n = max(1, self.requests)
        errors = sum(self.errors.values())
        return [
            self.backend,
            f"{self.size:,}",
            ENDPOINT_LABELS[self.endpoint],
            str(self.concurrency),
            f"{self.requests:,}",
            f"{self.requests / self.seconds:,.0f}",
            f"{p50 * 1000:.1f}",
            f"{p99 * 1000:.1f}",
            str(errors) if not errors else f"{errors} ({self.errors.most_common(1)[0][0]})",
            f"{self.server_cpu * 1e6 / n:,.0f}",
            f"{self.client_cpu * 1e6 / n:,.0f}",
            f"{self.peak_rss / 2**20:,.0f}",
        ]


HEADERS = ["backend", "size", "endpoint", "conc", "requests", "req/s", "p50 ms", "p99 ms",
           "errors", "srv µs", "cli µs", "RSS MB"]  # fmt: skip


async def measure(
    server: Server,
    sampler: RssSampler,
    client_kind: str,
    make: Callable[[], Request],
    concurrency: int,
    duration: float,
    warmup: float,
    on_measure: Callable[[], None] | None = None,
) -> tuple[int, float, list[float], Counter[str], float, float, int]:
    """Drive `make()` requests from `concurrency` workers; measure after the warm-up."""
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    loop_start = time.perf_counter()
    measure_from = loop_start + warmup
    end = measure_from + duration
    marks: dict[str, float] = {}

    async def worker(http: Http) -> None:
        while True:
            method, target, headers, body = make()
            began = time.perf_counter()
            if began >= end:
                return
            try:
                status, _ = await http.request(method, target, headers, body)
            except (OSError, asyncio.IncompleteReadError, httpx.HTTPError) as exc:
                if began >= measure_from:
                    errors[type(exc).__name__] += 1
                continue
            if began >= measure_from:
                latencies.append(time.perf_counter() - began)
                if not 200 <= status < 300:
                    errors[str(status)] += 1

    async def marker() -> None:
        await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
        marks["server"], marks["client"] = server.cpu_seconds(), time.process_time()
        sampler.reset_window()
        if on_measure is not None:
            on_measure()

    async with http_clients(client_kind, server.port, concurrency) as clients:
        await asyncio.gather(marker(), *(worker(http) for http in clients))
    seconds = time.perf_counter() - measure_from
    server_cpu = server.cpu_seconds() - marks["server"]
    client_cpu = time.process_time() - marks["client"]
    return (len(latencies), seconds, latencies, errors, server_cpu, client_cpu,
            sampler.window_peak)  # fmt: skip


# --------------------------------------------------------------------------- profiling


def py_spy_path() -> str | None:
    candidate = BIN / "py-spy"
    return str(candidate) if candidate.exists() else shutil.which("py-spy")


class Profile:
    """A py-spy recording of the server during one measured window (started on cue)."""

    def __init__(self, server: Server, path: Path, duration: float) -> None:
        self.server, self.path, self.duration = server, path, duration
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        py_spy = py_spy_path()
        if py_spy is None:
            print("  (py-spy not installed: no profile)")
            return
        self.proc = subprocess.Popen(
            [py_spy, "record", "--pid", str(self.server.proc.pid), "--rate", "200",
             "--duration", str(max(1, round(self.duration))), "--format", "raw",
             "--nonblocking", "--output", str(self.path)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip

    def finish(self, title: str) -> None:
        if self.proc is None:
            return
        _, err = self.proc.communicate(timeout=60)
        if self.proc.returncode:
            print(f"  (py-spy failed: {err.decode(errors='replace')[-300:]})")
        else:
            summarize_profile(self.path, title)


PROFILE_AREAS = [
    ("aiosqlite hand-off (queue put, future)", ("aiosqlite/",)),
    ("asyncpg protocol", ("asyncpg",)),
    ("sqlalchemy core (compile, execute, rows)", ("sqlalchemy",)),
    ("rate limiter", ("registry/infra/ratelimit",)),
    ("response cache", ("registry/infra/cache", "api/caching")),
    ("audit (event, batch insert)", ("registry/audit/",)),
    ("authenticator", ("registry/auth/authenticator", "auth/keys")),
    ("KU validation (sdk)", ("knowledgepulse/sdk/validation", "knowledgepulse/sdk/_wire")),
    ("security scanner (sdk)", ("knowledgepulse/sdk/security",)),
    ("reputation", ("registry/reputation/",)),
    ("knowledge service/store", ("registry/knowledge/",)),
    ("skill service/store", ("registry/skills/",)),
    ("sync dependencies via threadpool", ("run_in_threadpool",)),
    ("json encode/decode", ("json/", "jsjson")),
    ("uuid4", ("uuid4",)),
]


def _thread_role(frames: list[str]) -> str:
    joined = ";".join(frames)
    if "_connection_worker_thread" in joined:
        return "aiosqlite worker threads"
    if "WorkerThread" in joined:
        return "anyio threadpool (sync dependencies)"
    if not frames[0]:
        return "native code (no Python frame)"
    if frames[0].startswith("Thread._bootstrap"):
        return "other threads"
    # The main thread, or a SQLAlchemy greenlet running on it (its stack has no root).
    return "event-loop thread"


def summarize_profile(path: Path, title: str) -> None:
    """Samples per thread role, then areas and top frames of the event-loop thread.

    py-spy samples every thread that is not idle; a thread waking up to take the GIL
    counts as busy, so the aiosqlite workers' share includes their GIL hand-offs.
    """
    if not path.exists():
        print(f"  (no profile written for {title})")
        return
    stacks: list[tuple[list[str], int]] = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks.append((stack.split(";"), int(count)))
    total = sum(count for _, count in stacks) or 1
    print(f"\nprofile: {title} ({total} samples; py-spy raw stacks in {path})")
    roles: Counter[str] = Counter()
    for frames, count in stacks:
        roles[_thread_role(frames)] += count
    for role, count in roles.most_common():
        print(f"  {count * 100 / total:5.1f}%  {role}")
    loop = [(f, c) for f, c in stacks if _thread_role(f) == "event-loop thread"]
    loop_total = sum(c for _, c in loop) or 1
    print("  event-loop thread, inclusive:")
    for area, needles in PROFILE_AREAS:
        hits = sum(c for frames, c in loop if any(n in f for f in frames for n in needles))
        if hits / loop_total >= 0.015:
            print(f"    {hits * 100 / loop_total:5.1f}%  {area}")
    own: Counter[str] = Counter()
    for frames, count in loop:
        own[frames[-1]] += count
    print("  event-loop thread, self:")
    for frame, count in own.most_common(8):
        print(f"    {count * 100 / loop_total:5.1f}%  {frame[:140]}")


# --------------------------------------------------------------------------- main


def machine_info() -> list[str]:
    model = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"machine: {os.cpu_count()} logical cores ({psutil.cpu_count(logical=False)} physical),"
        f" {model}, {psutil.virtual_memory().total / 2**30:.1f} GiB RAM",
        f"python {platform.python_version()} on {platform.platform()}; commit {commit or '?'}",
        f"load average (1/5/15 min) now: {load}",
    ]


def print_table(rows: list[Row]) -> None:
    table = [HEADERS] + [row.cells() for row in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADERS))]
    for n, cells in enumerate(table):
        print("  ".join(c.ljust(w) if i in (0, 2, 8) else c.rjust(w)
                        for i, (c, w) in enumerate(zip(cells, widths, strict=True))))  # fmt: skip
        if n == 0:
            print("  ".join("-" * w for w in widths))


async def bench_one(backend: str, size: int, args: argparse.Namespace, rows: list[Row]) -> None:
    async with fresh_store(backend, args.pg_admin_url) as (env, data_dir):
        env = {**env, "KP_SEARCH": args.search}
        if args.redis_url:
            env["KP_REDIS_URL"] = args.redis_url
        server = start_server(env, data_dir, args.workers, args.server_src)
        try:
            with RssSampler(server) as sampler:
                workload = Workload(await register(server.port, args.agents))
                rates = await seed(server.port, args.client, workload, size)
                print(f"[{backend} {size:,}] seeded: {rates['skill']:,.0f} skills/s,"
                      f" {rates['unit']:,.0f} units/s (concurrency {SEED_CONCURRENCY})",
                      flush=True)  # fmt: skip
                top = max(args.concurrency)
                for endpoint in args.endpoints:
                    for concurrency in args.concurrency:
                        profile = None
                        if args.profile and concurrency == top:
                            path = args.profile / f"{backend}-{size}-{endpoint}.txt"
                            profile = Profile(server, path, args.duration)
                        result = await measure(
                            server, sampler, args.client, workload.make(endpoint), concurrency,
                            args.duration, args.warmup, profile.start if profile else None,
                        )  # fmt: skip
                        row = Row(backend, size, endpoint, concurrency, *result)
                        rows.append(row)
                        print("  " + " | ".join(row.cells()[2:]), flush=True)
                        if profile is not None:
                            profile.finish(f"{backend} {size} {endpoint}")
            print(f"[{backend} {size:,}] server peak RSS {sampler.peak / 2**20:,.0f} MB")
        finally:
            stop_server(server)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--sizes", default="1000,10000", help="seeded skills and units each")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before each one")
    parser.add_argument("--concurrency", default="1,16")
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS))
    parser.add_argument("--client", choices=["raw", "httpx"], default="raw")
    parser.add_argument("--agents", type=int, default=AGENTS, help="enterprise agents to use")
    parser.add_argument("--loop", choices=["uvloop", "asyncio"], default="uvloop")
    parser.add_argument("--search", choices=["sql", "hybrid"], default="sql", help="KP_SEARCH")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--redis-url", default="", help="KP_REDIS_URL (needed with --workers>1)")
    parser.add_argument("--profile", type=Path, help="py-spy the highest-concurrency runs")
    parser.add_argument(
        "--server-src", type=Path, help="serve the package from this src/ directory instead"
    )
    parser.add_argument(
        "--pg-admin-url",
        default=os.environ.get("KP_BENCH_PG_ADMIN_URL", DEFAULT_PG_ADMIN_URL),
        help="a database to connect to for CREATE/DROP DATABASE",
    )
    args = parser.parse_args()
    args.sizes = [int(s) for s in args.sizes.split(",") if s]
    args.concurrency = [int(c) for c in args.concurrency.split(",") if c]
    args.endpoints = [e for e in args.endpoints.split(",") if e]
    unknown = set(args.endpoints) - set(ENDPOINTS)
    if unknown:
        parser.error(f"unknown endpoints {sorted(unknown)}; choose from {', '.join(ENDPOINTS)}")
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    return args


async def run(args: argparse.Namespace) -> list[Row]:
    rows: list[Row] = []
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    for backend in backends:
        for size in args.sizes:
            try:
                await bench_one(backend, size, args, rows)
            except Exception as exc:
                print(f"[{backend} {size:,}] failed: {type(exc).__name__}: {exc}", flush=True)
    return rows


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # unwinds through the finally blocks: server stopped, store dropped


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)  # also when started in the background
    runner: Callable[[Awaitable[Any]], Any] = asyncio.run
    loop_name = "asyncio"
    if args.loop == "uvloop":
        try:
            import uvloop

            runner, loop_name = uvloop.run, "uvloop"
        except ImportError:
            pass
    for line in machine_info():
        print(line)
    print(f"load generator: {args.client} client on {loop_name}, {HOST} only")
    print(f"server: kp-registry serve --workers {args.workers}, KP_SEARCH={args.search}"
          + (f", package from {args.server_src}" if args.server_src else ""))  # fmt: skip
    began = time.monotonic()
    rows = runner(run(args))
    print()
    print_table(rows)
    print(
        "\nreq/s over the measured window; p50/p99 per request as seen by the client;"
        "\nsrv µs / cli µs = server / load-generator CPU time per request (same cores);"
        "\nRSS MB = peak resident memory of the server and its children during the run."
    )
    print(f"total {time.monotonic() - began:.0f} s; {machine_info()[-1]}")


if __name__ == "__main__":
    main()
