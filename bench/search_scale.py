"""Hybrid search at scale: index build, ingest, end-to-end search latency, RSS, start-up.

    .venv/bin/python bench/search_scale.py [--sizes 10000,100000] [--distinct N]
        [--queries 400] [--concurrency 1,16] [--ingest 500] [--optimize-window 45]
        [--data-dir DIR [--reuse]]

For each size, on a SQLite store in a fresh data directory:

1. **store** – N synthetic knowledge units (ReasoningTrace / ToolCallPattern / ExpertSOP in
   22 domains, text from templated sentences over a ~1,500-word vocabulary) are inserted.
2. **build** – `kp-registry index rebuild` (in-process): reads the store, embeds with MiniLM,
   writes zvec, optimizes. `--distinct D` makes only D different texts among the N items
   (the rest are copies with other ids), and the embedder memoises them, so a 100k build
   does not take an hour of shared CPU; the report then also projects the build time with
   every text embedded (measured model throughput × the texts skipped).
3. **start-up** – `kp-registry serve` on the persisted index: time until `/health` answers,
   and until the first search answers.
4. **search** – `GET /v1/knowledge?q=…` with distinct, user-like queries (so neither the
   response cache nor the query-embedding cache helps) at each concurrency, p50/p99 from the
   client, over keep-alive connections of a minimal HTTP/1.1 client.
5. **ingest** – `POST /v1/knowledge` of new units at concurrency 8 against the running
   server: the POST rate, then the time until the last one is found by `q`; then searches
   keep running for `--optimize-window` s, across the optimize the idle rule triggers.
6. **RSS** – the server's peak resident set (VmHWM) at the end.

The load average is printed with the results: on shared cores it moves every number.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from knowledgepulse.registry.container import Container  # noqa: E402
from knowledgepulse.registry.knowledge.models import StoredKnowledgeUnit  # noqa: E402
from knowledgepulse.registry.knowledge.store import KnowledgeStore  # noqa: E402
from knowledgepulse.registry.search import rebuild as rebuild_module  # noqa: E402
from knowledgepulse.registry.search.embedder import EmbedderHolder  # noqa: E402
from knowledgepulse.registry.settings import Settings  # noqa: E402

KP_REGISTRY = str(Path(sys.executable).with_name("kp-registry"))
NOW = "2026-11-25T10:00:00.000Z"

DOMAINS: dict[str, list[str]] = {
    "devops": ["kubernetes deployment", "helm chart", "docker image", "ci pipeline",
               "terraform module", "nginx ingress", "container registry", "load balancer",
               "pod autoscaler", "cron job", "service mesh", "release branch", "canary rollout",
               "build cache", "node pool"],
    "databases": ["postgres index", "slow query", "connection pool", "schema migration",
                  "read replica", "redis cache", "mongodb collection", "sqlite database",
                  "deadlock", "backup job", "vacuum process", "query plan", "foreign key",
                  "partitioned table", "replication slot"],
    "frontend": ["react component", "css layout", "javascript bundle", "web form",
                 "service worker", "page load", "image carousel", "state store",
                 "design system", "accessibility tree", "hydration step", "router",
                 "date picker", "modal dialog", "dark theme"],
    "security": ["api key", "jwt token", "oauth flow", "password hash", "tls certificate",
                 "firewall rule", "secret store", "audit log", "sql injection", "csrf token",
                 "session cookie", "access policy", "vulnerability scan", "login form",
                 "rate limiter"],
    "ml": ["embedding model", "training run", "feature pipeline", "gpu node",
           "evaluation set", "vector index", "prompt template", "classifier",
           "forecast model", "label queue", "inference server", "fine-tuning job",
           "retrieval step", "reranker", "tokenizer"],
    "data": ["etl job", "csv export", "spark job", "kafka topic", "airflow dag",
             "parquet file", "warehouse table", "dbt model", "data contract", "stream job",
             "cdc connector", "json feed", "data lake", "row count check", "schema registry"],
    "testing": ["unit test", "flaky test", "load test", "mock server", "test fixture",
                "end-to-end suite", "snapshot test", "coverage report", "contract test",
                "test database", "property test", "smoke test", "regression suite",
                "browser test", "test runner"],
    "backend": ["rest endpoint", "webhook handler", "job queue", "grpc service",
                "graphql resolver", "file upload", "email sender", "payment api",
                "retry policy", "circuit breaker", "idempotency key", "pagination cursor",
                "session store", "feature flag", "rate limit header"],
    "observability": ["prometheus alert", "grafana dashboard", "trace span", "log pipeline",
                      "slo budget", "uptime probe", "error tracker", "metric label",
                      "pager rotation", "log index", "latency histogram", "health check",
                      "sampling rule", "alert route", "status page"],
    "cloud": ["s3 bucket", "iam role", "lambda function", "vpc subnet", "spot instance",
              "cloud bill", "dns zone", "cdn cache", "object storage", "managed database",
              "kms key", "nat gateway", "billing alert", "region failover", "quota limit"],
    "mobile": ["ios build", "android app", "push notification", "deep link", "app store review",
               "offline cache", "crash report", "app bundle", "battery usage", "sync engine",
               "splash screen", "in-app purchase", "permission prompt", "beta track",
               "release train"],
    "finance": ["invoice", "expense report", "cash forecast", "bank statement", "payroll run",
                "budget sheet", "ledger entry", "tax return", "margin report", "payment batch",
                "vendor record", "fx rate", "audit trail", "month-end close", "refund"],
    "legal": ["contract clause", "privacy policy", "data request", "license check", "nda",
              "retention rule", "consent record", "dpa review", "terms update", "audit evidence",
              "cookie banner", "erasure request", "subprocessor list", "breach notice",
              "legal hold"],
    "support": ["support ticket", "refund request", "customer reply", "faq entry",
                "escalation", "chat transcript", "satisfaction survey", "macro", "sla timer",
                "churn signal", "bug report", "help article", "queue backlog", "callback",
                "order lookup"],
    "productivity": ["meeting notes", "changelog", "readme", "commit message", "calendar invite",
                     "slide deck", "spreadsheet formula", "status report", "pdf document",
                     "translation", "okr draft", "wiki page", "task board", "email thread",
                     "agenda"],
    "networking": ["dns record", "vpn tunnel", "tcp connection", "packet capture", "ssh server",
                   "bgp session", "proxy server", "mtu setting", "ip allowlist", "wifi network",
                   "routing table", "ntp sync", "keepalive setting", "nat rule", "port scan"],
    "ecommerce": ["product page", "shopping cart", "checkout flow", "inventory count",
                  "shipping label", "price list", "discount code", "product feed",
                  "order status", "return label", "recommendation widget", "search facet",
                  "gift card", "tax rule", "marketplace listing"],
    "marketing": ["ab test", "landing page", "newsletter", "seo keyword", "ad campaign",
                  "utm link", "customer segment", "social post", "email list", "brand guide",
                  "conversion funnel", "webinar", "press release", "referral program",
                  "content calendar"],
    "hr": ["job description", "resume screen", "interview loop", "onboarding plan", "pto policy",
           "performance review", "offer letter", "org chart", "exit interview", "training plan",
           "benefits enrolment", "headcount plan", "payroll change", "survey", "handbook"],
    "healthcare": ["clinical note", "appointment", "lab result", "prescription", "patient record",
                   "insurance claim", "triage form", "discharge summary", "icd code",
                   "care plan", "referral", "consent form", "vital signs", "dosage chart",
                   "telehealth visit"],
    "research": ["literature review", "survey data", "citation list", "experiment log",
                 "dataset card", "paper draft", "interview study", "benchmark table",
                 "grant proposal", "lab notebook", "peer review", "abstract", "poster",
                 "replication study", "research question"],
    "agents": ["tool call", "agent plan", "memory store", "mcp server", "prompt chain",
               "browser agent", "agent handoff", "scratchpad", "tool schema", "reflection step",
               "token budget", "agent trace", "retrieval tool", "planner", "critic"],
}  # fmt: skip
VERBS = ["Restart", "Debug", "Speed up", "Migrate", "Secure", "Clean up", "Automate", "Monitor",
         "Repair", "Document", "Test", "Upgrade", "Reduce the cost of", "Scale", "Review",
         "Roll back", "Configure", "Audit", "Simplify", "Recover"]  # fmt: skip
CONTEXTS = ["after the last upgrade", "under peak load", "in production", "for the new team",
            "before the release", "without downtime", "on the staging cluster", "for a customer",
            "during the migration", "after an outage", "at month end", "on mobile devices",
            "across three regions", "with minimal changes", "for the audit",
            "when traffic doubles", "after a config change", "behind the proxy",
            "for the weekly report", "in the nightly job"]  # fmt: skip
CAUSES = ["a missing index", "an expired certificate", "a stale cache entry", "a race condition",
          "a wrong timeout", "an unbounded retry loop", "a memory leak", "a typo in the config",
          "a full disk", "clock skew", "a dropped connection", "an outdated dependency",
          "a permissions change", "duplicate events", "a silent exception",
          "a bad default value", "throttling by the provider", "a schema mismatch",
          "a noisy neighbour", "an unpinned version"]  # fmt: skip
FIXES = ["Added a regression test", "Pinned the version", "Raised the limit", "Added monitoring",
         "Rewrote the query", "Rotated the credentials", "Cleared and rebuilt the cache",
         "Split the job into batches", "Added a retry with backoff", "Reverted the change",
         "Documented the runbook", "Moved it behind a feature flag"]  # fmt: skip
ASKS = ["how do I {v} the {o} {c}", "{o} broken {c}", "{v} {o}", "why is the {o} slow",
        "best way to {v} a {o}", "{o} keeps failing {c}", "fix {o} caused by {x}",
        "{o} {c}", "steps to {v} our {o}", "{o} problem with {x}"]  # fmt: skip


def _unit(rng: random.Random, n: int) -> dict[str, Any]:
    domain = rng.choice(list(DOMAINS))
    objects = DOMAINS[domain]
    obj, other = rng.sample(objects, 2)
    verb, context, cause, fix = (rng.choice(x) for x in (VERBS, CONTEXTS, CAUSES, FIXES))
    meta = {
        "created_at": NOW,
        "agent_id": f"kp:agent:bench-{n % 97}",
        "task_domain": domain,
        "success": True,
        "quality_score": round(rng.random(), 3),
        "visibility": "network",
        "privacy_level": "aggregated",
    }
    kind = rng.choices(["ReasoningTrace", "ToolCallPattern", "ExpertSOP"], [6, 2, 2])[0]
    unit: dict[str, Any] = {
        "@context": "https://openknowledgepulse.org/schema/v1",
        "@type": kind,
        "metadata": meta,
    }
    if kind == "ReasoningTrace":
        unit["task"] = {"objective": f"{verb} the {obj} {context}"}
        unit["steps"] = [
            {"step_id": 0, "type": "thought", "content": f"Check the {other} and the {obj} logs"},
            {"step_id": 1, "type": "observation", "content": f"The root cause was {cause}"},
            {"step_id": 2, "type": "thought", "content": f"{fix} for the {obj}"},
        ]
        unit["outcome"] = {"result_summary": f"The {obj} works again; {fix.lower()}",
                           "confidence": round(rng.uniform(0.5, 1), 2)}  # fmt: skip
    elif kind == "ToolCallPattern":
        unit["name"] = f"{verb} {obj} with {other}"
        unit["description"] = f"{verb} the {obj} {context} using the {other}"
        unit["trigger_conditions"] = {"task_types": [domain, obj.split()[0]]}
        unit["tool_sequence"] = [
            {"step": s, "execution": "sequential", "tools": [{"name": s.replace(" ", "_")}]}
            for s in (obj, other)
        ]
        unit["performance"] = {"avg_ms": rng.randint(50, 5000), "success_rate": 0.9, "uses": 3}
    else:
        unit["name"] = f"{verb} {obj} procedure"
        unit["domain"] = domain
        unit["source"] = {"type": "human_expert", "expert_id": "kp:expert:x", "credentials": []}
        unit["decision_tree"] = [
            {"step": "Assess", "instruction": f"Check whether the {obj} is affected {context}"},
            {"step": "Act", "instruction": f"{fix} and watch the {other}"},
        ]
    return unit


def corpus(size: int, distinct: int, seed: int = 1) -> Iterator[StoredKnowledgeUnit]:
    """`size` units drawn from `distinct` different texts (each with its own id)."""
    rng = random.Random(seed)
    templates = [_unit(rng, n) for n in range(min(distinct, size))]
    for n in range(size):
        unit = json.loads(json.dumps(templates[n % len(templates)]))
        prefix = {"ReasoningTrace": "trace", "ToolCallPattern": "pattern"}.get(unit["@type"], "sop")
        unit["id"] = f"kp:{prefix}:{uuid.UUID(int=rng.getrandbits(128), version=4)}"
        unit["metadata"]["quality_score"] = round(rng.random(), 3)
        yield StoredKnowledgeUnit(
            id=unit["id"], unit=unit, visibility="network", created_at=NOW, updated_at=NOW
        )


def user_queries(count: int, seed: int = 2) -> list[str]:
    """Distinct questions built from the corpus vocabulary, phrased as users ask."""
    rng = random.Random(seed)
    out: set[str] = set()
    while len(out) < count:
        obj = rng.choice(rng.choice(list(DOMAINS.values())))
        template = rng.choice(ASKS)
        out.add(
            template.format(
                v=rng.choice(VERBS).lower(),
                o=obj,
                c=rng.choice(CONTEXTS),
                x=rng.choice(CAUSES),
            )
        )
    return sorted(out, key=lambda _: rng.random())


# -- the store and the index --------------------------------------------------------------


async def fill_store(settings: Settings, size: int, distinct: int) -> float:
    started = time.perf_counter()
    container = await Container.start(settings, search_index=False)
    try:
        batch: list[StoredKnowledgeUnit] = []
        for unit in corpus(size, distinct):
            batch.append(unit)
            if len(batch) == 2000:
                await _insert(container, batch)
                batch = []
        if batch:
            await _insert(container, batch)
    finally:
        await container.close()
    return time.perf_counter() - started


async def _insert(container: Container, units: list[StoredKnowledgeUnit]) -> None:
    async with container.unit_of_work(write=True) as tx:
        store = KnowledgeStore(tx.conn)
        for unit in units:
            await store.insert(unit)


class MemoEmbedder:
    """Wraps the model: a text seen before reuses its vector (only for `--distinct`)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.dim = inner.dim
        self._memo: dict[str, np.ndarray] = {}
        self.model_texts = 0
        self.model_seconds = 0.0

    def embed(self, texts: list[str]) -> np.ndarray:
        missing = sorted({t for t in texts if t not in self._memo})
        if missing:
            started = time.perf_counter()
            vectors = self._inner.embed(missing)
            self.model_seconds += time.perf_counter() - started
            self.model_texts += len(missing)
            self._memo.update(zip(missing, vectors, strict=True))
        return np.stack([self._memo[t] for t in texts])


async def build_index(settings: Settings) -> tuple[float, MemoEmbedder]:
    holder = rebuild_module.make_embedder(settings)
    inner = await asyncio.to_thread(holder.load_now)
    memo = MemoEmbedder(inner)
    memo_holder = EmbedderHolder(holder.identity, holder.dim, lambda: memo)  # type: ignore[arg-type,return-value]
    # Bench only: the rebuild gets the memoising wrapper (same identity: same vectors).
    rebuild_module.make_embedder = lambda _settings: memo_holder  # type: ignore[assignment]
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if time.monotonic() - last[0] > 30 or done == total:
            last[0] = time.monotonic()
            print(f"    build {done}/{total}", flush=True)

    started = time.perf_counter()
    await rebuild_module.rebuild_index(settings, progress=progress)
    return time.perf_counter() - started, memo


# -- the server and the load ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Conn:
    """One keep-alive HTTP/1.1 connection (GET and POST with JSON, Content-Length bodies)."""

    def __init__(self, port: int, key: str) -> None:
        self.port, self.key = port, key
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, target: str, body: bytes = b"") -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        head = (
            f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {self.key}\r\nContent-Length: {len(body)}\r\n"
        )
        if body:
            head += "Content-Type: application/json\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        payload = await self.reader.readexactly(length)
        return int(status_line.split()[1]), payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def register(port: int, count: int) -> list[str]:
    keys = []
    conn = Conn(port, "none")
    for n in range(count):
        body = json.dumps(
            {
                "agent_id": f"kp:agent:load-{uuid.uuid4().hex[:8]}-{n}",
                "scopes": ["read", "write"],
                "tier": "enterprise",
            }
        ).encode()
        status, payload = await conn.request("POST", "/v1/auth/register", body)
        assert status == 201, payload
        keys.append(json.loads(payload)["data"]["api_key"])
    conn.close()
    return keys


def start_server(data_dir: Path, port: int, log: Path) -> tuple[subprocess.Popen[bytes], float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KP_")}
    env.update(
        {
            "KP_DATA_DIR": str(data_dir),
            "KP_PORT": str(port),
            "KP_EMBEDDER": "minilm",
            "KP_LOG_LEVEL": "info",  # the optimize lines are info
        }
    )
    started = time.perf_counter()
    proc = subprocess.Popen(
        [KP_REGISTRY, "serve"], env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server died: {log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
                sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                if b" 200 " in sock.recv(100):
                    return proc, time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.05)


def peak_rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def search_load(
    port: int, keys: list[str], queries: list[str], concurrency: int
) -> tuple[list[float], int]:
    """Latencies (ms) of every query, spread over `concurrency` connections."""
    from urllib.parse import quote

    todo = list(queries)
    latencies: list[float] = []
    errors = 0

    async def worker(n: int) -> None:
        nonlocal errors
        conn = Conn(port, keys[n % len(keys)])
        try:
            while todo:
                q = todo.pop()
                started = time.perf_counter()
                status, _ = await conn.request("GET", f"/v1/knowledge?q={quote(q)}")
                latencies.append((time.perf_counter() - started) * 1000)
                errors += status != 200
        finally:
            conn.close()

    await asyncio.gather(*(worker(n) for n in range(concurrency)))
    return latencies, errors


async def plain_load(port: int, keys: list[str], target: str, count: int) -> tuple[float, float]:
    """p50/p99 (ms) of `count` sequential GETs of `target` (formatted with n = 0, 1, …)."""
    conn = Conn(port, keys[0])
    latencies = []
    try:
        for n in range(count):
            started = time.perf_counter()
            status, _ = await conn.request("GET", target.format(n=n))
            latencies.append((time.perf_counter() - started) * 1000)
            assert status == 200
    finally:
        conn.close()
    return statistics.median(latencies), pct(latencies, 99)


async def ingest_load(port: int, keys: list[str], count: int) -> tuple[float, float]:
    """POST rate (units/s) at concurrency 8, then seconds until the last unit is found."""
    from urllib.parse import quote

    rng = random.Random(7)
    marker = f"zz{uuid.uuid4().hex[:10]}"
    prefixes = {"ReasoningTrace": "trace", "ToolCallPattern": "pattern", "ExpertSOP": "sop"}
    units = []
    for n in range(count):
        unit = _unit(rng, n)
        unit["id"] = f"kp:{prefixes[unit['@type']]}:{uuid.uuid4()}"
        unit["metadata"].pop("agent_id")  # the caller becomes the owner
        units.append(unit)
    # The last one carries a word nothing else has: found = indexed.
    last = _unit(rng, count)
    while last["@type"] != "ReasoningTrace":
        last = _unit(rng, count)
    last["id"] = f"kp:trace:{uuid.uuid4()}"
    last["metadata"].pop("agent_id")
    last["task"] = {"objective": f"Unique item {marker}"}
    units[-1] = last
    todo = list(units)
    started = time.perf_counter()

    async def worker(n: int) -> None:
        conn = Conn(port, keys[n % len(keys)])
        try:
            while todo:
                unit = todo.pop(0)
                body = json.dumps(unit).encode()
                status, payload = await conn.request("POST", "/v1/knowledge", body)
                assert status == 201, payload
        finally:
            conn.close()

    await asyncio.gather(*(worker(n) for n in range(8)))
    posted = time.perf_counter()
    rate = count / (posted - started)
    searchable = float("nan")
    conn = Conn(port, keys[0])
    while time.perf_counter() - posted < 120:
        target = f"/v1/knowledge?q={quote(marker)}&_={time.perf_counter()}"
        _, payload = await conn.request("GET", target)
        if json.loads(payload)["total"]:
            searchable = time.perf_counter() - posted
            break
        await asyncio.sleep(0.01)
    conn.close()
    return rate, searchable


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def run_size(size: int, args: argparse.Namespace, base: Path) -> dict[str, Any]:
    data_dir = base / f"n{size}"
    settings = Settings(store_backend="sqlite", data_dir=data_dir, embedder="minilm")
    distinct = min(size, args.distinct or size)
    row: dict[str, Any] = {"size": size, "distinct": distinct}
    print(f"== {size} items ({distinct} distinct texts); load {os.getloadavg()}", flush=True)
    built = data_dir / "build.json"
    if args.reuse and built.exists():
        row.update(json.loads(built.read_text()))  # the store and index of an earlier run
        print(f"    reusing the store and index of {data_dir}", flush=True)
        # An earlier run's ingest may have left unindexed items: optimize them now, so the
        # search numbers below are the steady state (the ingest step measures the rest).
        container = await Container.start(settings)
        try:
            await container.search_sync.audited()
            for coll in container.search_index.collections():
                started = time.perf_counter()
                if await coll.maybe_optimize(force=True):
                    print(
                        f"    optimized {coll.spec.folder} in {time.perf_counter() - started:.1f} s"
                    )
        finally:
            await container.close()
    else:
        row["store_s"] = await fill_store(settings, size, distinct)
        print(f"    store filled in {row['store_s']:.1f} s", flush=True)
        build_s, memo = await build_index(settings)
        per_text = memo.model_seconds / max(memo.model_texts, 1)
        row["build_s"] = build_s
        row["model_texts_per_s"] = 1 / per_text if per_text else float("nan")
        row["build_all_texts_s"] = build_s + (size - memo.model_texts) * per_text
        print(f"    index built in {build_s:.1f} s ({memo.model_texts} texts)", flush=True)
        keep = ("store_s", "build_s", "model_texts_per_s", "build_all_texts_s")
        built.write_text(json.dumps({k: row[k] for k in keep}))
    port = free_port()
    proc, row["startup_s"] = start_server(data_dir, port, base / f"server-{size}.log")
    try:
        keys = await register(port, 16)
        queries = user_queries(args.queries * (1 + len(args.concurrency)) + 50)
        warm, queries = queries[:50], queries[50:]
        await asyncio.sleep(3)  # the model loads in the background after /health
        await search_load(port, keys, warm, 1)
        # The same server's floor: the request pipeline alone, and a filter-only search.
        row["health"] = await plain_load(port, keys, "/health?_={n}", 200)
        row["no_q"] = await plain_load(port, keys, "/v1/knowledge?domain=devops&_={n}", 200)
        for concurrency in args.concurrency:
            batch, queries = queries[: args.queries], queries[args.queries :]
            started = time.perf_counter()
            latencies, errors = await search_load(port, keys, batch, concurrency)
            elapsed = time.perf_counter() - started
            row[f"c{concurrency}"] = (
                statistics.median(latencies),
                pct(latencies, 99),
                len(latencies) / elapsed,
                errors,
            )
        if args.ingest:
            rate, fresh = await ingest_load(port, keys, args.ingest)
            row["ingest_rate"], row["ingest_searchable_s"] = rate, fresh
            if args.optimize_window:
                # Searches keep running while the idle rule (30 s without writes) triggers
                # the optimize of the ingested items: how long do they wait meanwhile?
                window = user_queries(20_000, seed=3)
                latencies: list[float] = []
                ends = time.perf_counter() + args.optimize_window
                while time.perf_counter() < ends and window:
                    part, window = window[:20], window[20:]
                    latencies += (await search_load(port, keys, part, 1))[0]
                row["window_p99_max"] = (pct(latencies, 99), max(latencies))
                log = (base / f"server-{size}.log").read_text(errors="replace")
                row["optimize_lines"] = [x for x in log.splitlines() if "optimized search" in x]
        row["rss_mib"] = peak_rss_mib(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    row["load"] = os.getloadavg()
    return row


def report(rows: list[dict[str, Any]], concurrency: list[int]) -> None:
    print()
    head = (
        f"{'items':>7} {'build s':>8} {'(all texts) s':>13} {'model txt/s':>11} {'start s':>7}"
        + "".join(f" {'c' + str(c) + ' p50/p99 ms':>18} {'qps':>5}" for c in concurrency)
        + f" {'ingest/s':>8} {'fresh s':>7} {'RSS MiB':>7}"
    )
    print(head)
    for row in rows:
        line = (
            f"{row['size']:>7} {row['build_s']:>8.1f} {row['build_all_texts_s']:>13.1f} "
            f"{row['model_texts_per_s']:>11.1f} {row['startup_s']:>7.2f}"
        )
        for c in concurrency:
            p50, p99, qps, errors = row[f"c{c}"]
            line += f" {p50:>8.1f} / {p99:>7.1f} {qps:>5.0f}"
            line += f" ({errors} err)" if errors else ""
        line += (
            f" {row.get('ingest_rate', float('nan')):>8.1f}"
            f" {row.get('ingest_searchable_s', float('nan')):>7.2f} {row['rss_mib']:>7.0f}"
        )
        print(line)
        print(f"        (load average at the end: {tuple(round(x, 1) for x in row['load'])})")
        print(
            "        same server, c1 p50/p99 ms: /health {:.1f}/{:.1f}, filter-only GET "
            "/v1/knowledge {:.1f}/{:.1f}".format(*row["health"], *row["no_q"])
        )
        if "window_p99_max" in row:
            p99, worst = row["window_p99_max"]
            label = "searches during the post-ingest optimize"
            print(f"        {label}: p99 {p99:.1f} ms, max {worst:.1f} ms")
            for line in row["optimize_lines"]:
                print(f"        server: {line.split(': ', 1)[-1]}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--distinct", type=int, default=0, help="distinct texts (0: all)")
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--concurrency", default="1,16")
    parser.add_argument("--ingest", type=int, default=500)
    parser.add_argument("--optimize-window", type=float, default=45.0)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument(
        "--reuse", action="store_true", help="reuse a store and index built in --data-dir"
    )
    args = parser.parse_args()
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="kp-search-scale-") as tmp:
        base = args.data_dir or Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        for size in sizes:
            rows.append(await run_size(size, args, base))
            report(rows, args.concurrency)


if __name__ == "__main__":
    asyncio.run(main())
