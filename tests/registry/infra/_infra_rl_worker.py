"""Child process of the two-process admission test: N concurrent checks after a Redis barrier.

Usage: python _infra_rl_worker.py URL PREFIX GO_KEY CHECKS EPOCH_SECONDS
Prints `ready`, waits for one item on GO_KEY, runs CHECKS concurrent checks against the
`tiny` read budget (20) at a frozen clock, and prints `admitted <n>`.
"""

from __future__ import annotations

import asyncio
import sys

from knowledgepulse.registry.infra import Action, RedisRateLimiter, TierLimits, connect_redis
from knowledgepulse.registry.infra.clock import ManualClock


async def main(url: str, prefix: str, go_key: str, checks: int, epoch: float) -> None:
    client = await connect_redis(url)
    tiers = {"anonymous": TierLimits(60, 0), "tiny": TierLimits(20, 3)}
    limiter = RedisRateLimiter(client, prefix=prefix, clock=ManualClock(epoch), tiers=tiers)
    await client.ping()
    print("ready", flush=True)
    if await client.blpop([go_key], timeout=20) is None:
        raise SystemExit("no go signal within 20 s")
    decisions = await asyncio.gather(
        *(limiter.check("shared-agent", "tiny", Action.READ) for _ in range(checks))
    )
    print(f"admitted {sum(d.allowed for d in decisions)}", flush=True)
    await client.aclose()


if __name__ == "__main__":
    url, prefix, go_key, checks, epoch = sys.argv[1:6]
    asyncio.run(main(url, prefix, go_key, int(checks), float(epoch)))
