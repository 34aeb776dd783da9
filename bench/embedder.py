"""Benchmark the MiniLM embedder: graph build, load, query latency, batch throughput, RSS.

    .venv/bin/python bench/embedder.py [--threads 2] [--queries 200] [--cache-dir DIR]

Without --cache-dir the graph is built into a temporary folder, so the build is timed too.
The machine's load average is printed beside the numbers: on shared cores it moves them.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from knowledgepulse.embedding.minilm import DEFAULT_THREADS, MiniLMEmbedder
from knowledgepulse.embedding.onnx_build import ensure_onnx_model
from knowledgepulse.embedding.weights import find_model_files

__all__ = ["main"]

_TOPICS = [
    "api keys", "retry backoff", "vector search", "sql injection", "fastapi deploy",
    "liveness probe", "rate limiting", "token bucket", "jwt refresh", "postgres pool",
    "redis cache", "docker build", "unit tests", "async io", "schema migration",
    "embedding model", "rank fusion", "pagination", "idempotency keys", "cors headers",
]  # fmt: skip
_VERBS = ["how to", "fix", "debug", "configure", "best way to", "why does", "speed up", "test"]
_WORDS = [
    "agent", "registry", "skill", "unit", "search", "query", "index", "vector", "token",
    "model", "cache", "server", "client", "request", "response", "error", "retry", "timeout",
    "queue", "worker", "schema", "table", "column", "migration", "test", "deploy", "build",
    "release", "version", "signature", "policy", "budget", "limit", "window", "score", "rank",
    "result",
]  # fmt: skip


def _queries(n: int, rng: random.Random) -> list[str]:
    """Distinct short queries of a few words, like agents type them."""
    return [f"{rng.choice(_VERBS)} {rng.choice(_TOPICS)} {i}" for i in range(n)]


def _passages(n: int, rng: random.Random) -> list[str]:
    """Sentences of 8 to 60 words, a plausible mix of knowledge-unit titles and bodies."""
    return [" ".join(rng.choices(_WORDS, k=rng.randint(8, 60))) + "." for _ in range(n)]


def _rss_mib() -> tuple[float, float]:
    """Current and peak resident set size of this process, in MiB."""
    fields: dict[str, float] = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) / 1024
    return fields.get("VmRSS", float("nan")), fields.get("VmHWM", float("nan"))


def _percentile(samples: list[float], q: float) -> float:
    return float(np.percentile(np.array(samples), q))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one line per measurement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--batches", type=int, default=5, help="batches of 64 to time")
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--no-huge-pages", action="store_true", help="skip the THP collapse")
    args = parser.parse_args(argv)
    rng = random.Random(0)
    print(f"load average at start: {os.getloadavg()}  cores: {os.cpu_count()}")

    with tempfile.TemporaryDirectory(prefix="kp-embed-bench-") as tmp:
        cache = args.cache_dir or Path(tmp)
        files = find_model_files()
        started = time.perf_counter()
        ensure_onnx_model(cache, files)
        print(f"onnx build (or cache hit): {time.perf_counter() - started:.2f} s")

        started = time.perf_counter()
        embedder = MiniLMEmbedder(
            cache, intra_op_threads=args.threads, huge_pages=not args.no_huge_pages
        )
        print(f"model load (hash weights + session): {time.perf_counter() - started:.2f} s")
        print(f"weights on huge pages: {embedder.huge_page_bytes >> 20} MiB")
        print(f"rss after load: {_rss_mib()[0]:.0f} MiB")

        for text in _queries(20, rng):  # warm-up: allocator arenas, kernel prepacking
            embedder.embed([text])
        latencies = []
        for text in _queries(args.queries, rng):
            started = time.perf_counter()
            embedder.embed([text])
            latencies.append((time.perf_counter() - started) * 1000)
        print(
            f"single short query ({args.threads} threads, n={args.queries}): "
            f"p50 {_percentile(latencies, 50):.2f} ms  p90 {_percentile(latencies, 90):.2f} ms  "
            f"p99 {_percentile(latencies, 99):.2f} ms  mean {statistics.fmean(latencies):.2f} ms"
        )
        print(f"query p50 <= 5 ms: {'yes' if _percentile(latencies, 50) <= 5.0 else 'NO'}")

        batches = [_passages(64, rng) for _ in range(args.batches)]
        embedder.embed(batches[0])
        started = time.perf_counter()
        for batch in batches:
            embedder.embed(batch)
        elapsed = time.perf_counter() - started
        print(
            f"batch of 64 passages (8-60 words): {elapsed / len(batches) * 1000:.0f} ms per batch"
            f", {64 * len(batches) / elapsed:.0f} texts/s"
        )
        current, peak = _rss_mib()
        print(f"rss: {current:.0f} MiB now, {peak:.0f} MiB peak (includes the build if timed)")
    print(f"load average at end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
