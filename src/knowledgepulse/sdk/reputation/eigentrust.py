"""EigenTrust over validation votes (sdk-mcp-cli.md §6.1, data-model.md §8.4).

Pure and deterministic: the same votes in the same order give the same floats, because
every sum runs in agent order exactly as the reference accumulates it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["EigenTrustResult", "compute_eigentrust"]

POSITIVE_VOTE = 1.0
NEGATIVE_VOTE = -0.5


@dataclass(frozen=True, slots=True)
class EigenTrustResult:
    """Trust per agent (first-seen order, summing to about 1) and how the iteration ended."""

    scores: dict[str, float] = field(default_factory=dict)
    iterations: int = 0
    converged: bool = True


def _field(vote: Any, camel: str, snake: str) -> Any:
    if isinstance(vote, Mapping):
        return vote[camel] if camel in vote else vote[snake]
    return getattr(vote, snake) if hasattr(vote, snake) else getattr(vote, camel)


def _plain_sum(values: Iterable[float]) -> float:
    # Left-to-right binary64 addition, as JavaScript's loops do; the built-in `sum`
    # compensates rounding (Python 3.12+) and would print different last digits.
    total = 0.0
    for value in values:
        total += value
    return total


def compute_eigentrust(
    votes: Iterable[Any],
    alpha: float = 0.1,
    epsilon: float = 0.001,
    max_iterations: int = 50,
    pre_trust_score: float = 0.1,
) -> EigenTrustResult:
    """Global trust from `{validatorId, targetId, unitId, valid, timestamp}` votes.

    Votes may be mappings with the wire's camelCase keys (or snake_case keys), or objects
    with `validator_id`/`target_id`/`valid` attributes. `pre_trust_score` is accepted for
    compatibility and ignored: the pre-trust vector is uniform 1/n (KD-21).
    """
    del pre_trust_score
    edges = [
        (
            str(_field(v, "validatorId", "validator_id")),
            str(_field(v, "targetId", "target_id")),
            bool(_field(v, "valid", "valid")),
        )
        for v in votes
    ]
    if not edges:
        return EigenTrustResult()

    index: dict[str, int] = {}
    for validator, target, _ in edges:
        index.setdefault(validator, len(index))
        index.setdefault(target, len(index))
    n = len(index)

    raw = [[0.0] * n for _ in range(n)]
    for validator, target, valid in edges:
        i, j = index[validator], index[target]
        if i != j:  # self-votes carry no information about trust
            raw[i][j] += POSITIVE_VOTE if valid else NEGATIVE_VOTE
    raw = [[max(0.0, value) for value in row] for row in raw]

    uniform = 1.0 / n
    normalised = []
    for row in raw:
        row_sum = _plain_sum(row)
        normalised.append([value / row_sum for value in row] if row_sum > 0 else [uniform] * n)

    column_sums = [_plain_sum(raw[i][j] for i in range(n)) for j in range(n)]
    total = _plain_sum(column_sums)
    trust = [s / total for s in column_sums] if total > 0 else [uniform] * n

    iterations = 0
    converged = False
    for step in range(1, max_iterations + 1):
        following = [
            (1 - alpha) * _plain_sum(normalised[i][j] * trust[i] for i in range(n))
            + alpha * uniform
            for j in range(n)
        ]
        delta = max(abs(following[j] - trust[j]) for j in range(n))
        trust = following
        iterations = step
        if delta < epsilon:
            converged = True
            break

    return EigenTrustResult(
        scores={agent: trust[i] for agent, i in index.items()},
        iterations=iterations,
        converged=converged,
    )
