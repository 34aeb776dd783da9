"""EigenTrust golden vectors and properties (sdk-mcp-cli.md §6.1, Appendix A)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from knowledgepulse.sdk.reputation import EigenTrustResult, compute_eigentrust


def vote(validator: str, target: str, valid: bool = True) -> dict[str, object]:
    return {
        "validatorId": validator,
        "targetId": target,
        "unitId": f"kp:trace:{validator}-{target}",
        "valid": valid,
        "timestamp": "2026-01-01T00:00:00.000Z",
    }


FOUR_AGENTS = [
    vote("a", "b"),
    vote("a", "c"),
    vote("b", "c"),
    vote("c", "a"),
    vote("d", "a"),
    vote("d", "b"),
]


def rounded(result: EigenTrustResult) -> dict[str, float]:
    return {agent: round(score, 6) for agent, score in result.scores.items()}


def test_no_votes_give_an_empty_converged_result() -> None:
    assert compute_eigentrust([]) == EigenTrustResult(scores={}, iterations=0, converged=True)


def test_golden_three_agents_with_a_negative_vote() -> None:
    result = compute_eigentrust(
        [
            vote("agent-a", "agent-b"),
            vote("agent-a", "agent-c"),
            vote("agent-b", "agent-a"),
            vote("agent-c", "agent-a", valid=False),
        ]
    )
    assert (result.iterations, result.converged) == (11, True)
    assert rounded(result) == {"agent-a": 0.39606, "agent-b": 0.30197, "agent-c": 0.30197}
    assert list(result.scores) == ["agent-a", "agent-b", "agent-c"]


def test_golden_mutual_trust_is_even() -> None:
    result = compute_eigentrust([vote("alice", "bob"), vote("bob", "alice")])
    assert (result.iterations, result.converged) == (1, True)
    assert result.scores == pytest.approx({"alice": 0.5, "bob": 0.5})


def test_golden_four_agents() -> None:
    result = compute_eigentrust(FOUR_AGENTS)
    assert (result.iterations, result.converged) == (13, True)
    assert rounded(result) == {"a": 0.38252, "b": 0.208417, "c": 0.384064, "d": 0.025}


def test_golden_self_vote_only() -> None:
    result = compute_eigentrust([vote("a", "a")])
    assert result == EigenTrustResult(scores={"a": 1.0}, iterations=1, converged=True)


def test_iteration_cap_reports_not_converged_with_scores() -> None:
    result = compute_eigentrust(FOUR_AGENTS, max_iterations=3, epsilon=1e-15)
    assert (result.iterations, result.converged) == (3, False)
    assert list(result.scores) == ["a", "b", "c", "d"]
    assert sum(result.scores.values()) == pytest.approx(1.0)


def test_zero_iterations_return_the_start_vector() -> None:
    result = compute_eigentrust([vote("a", "b"), vote("b", "c")], max_iterations=0)
    assert (result.iterations, result.converged) == (0, False)
    assert result.scores == {"a": 0.0, "b": 0.5, "c": 0.5}


def test_scores_sum_to_one() -> None:
    assert sum(compute_eigentrust(FOUR_AGENTS).scores.values()) == pytest.approx(1.0)


def test_a_sybil_pair_scores_below_a_connected_cluster() -> None:
    honest = [vote(a, b) for a in "xyz" for b in "xyz" if a != b]
    sybils = [vote("s1", "s2"), vote("s2", "s1")]
    scores = compute_eigentrust(honest + sybils).scores
    assert max(scores["s1"], scores["s2"]) < min(scores["x"], scores["y"], scores["z"])


def test_negative_votes_lower_the_target() -> None:
    base = [vote("a", "b"), vote("b", "a"), vote("c", "b"), vote("c", "a")]
    with_negative = [*base, vote("c", "b", valid=False), vote("c", "b", valid=False)]
    assert compute_eigentrust(with_negative).scores["b"] < compute_eigentrust(base).scores["b"]


def test_snake_case_mappings_and_objects_are_accepted() -> None:
    @dataclass
    class Vote:
        validator_id: str
        target_id: str
        valid: bool

    snake = [{"validator_id": "alice", "target_id": "bob", "valid": True}]
    objects = [Vote("alice", "bob", True)]
    camel = [vote("alice", "bob")]
    assert compute_eigentrust(snake) == compute_eigentrust(camel) == compute_eigentrust(objects)


def test_pre_trust_score_is_accepted_and_ignored() -> None:
    assert compute_eigentrust(FOUR_AGENTS, pre_trust_score=0.9) == compute_eigentrust(FOUR_AGENTS)
