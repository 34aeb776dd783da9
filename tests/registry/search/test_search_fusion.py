"""Fusion and query terms: the ordering rules of registry-api.md §9.12 on plain lists."""

from __future__ import annotations

from knowledgepulse.registry.search.index import RRF_K, fuse, query_terms
from knowledgepulse.registry.search.types import Hit, RawHits


def hits(
    exact: list[tuple[str, float]] = (),  # type: ignore[assignment]
    lexical: list[tuple[str, float, float]] = (),  # type: ignore[assignment]
    semantic: list[tuple[str, float, float]] = (),  # type: ignore[assignment]
    **flags: bool,
) -> RawHits:
    return RawHits(
        exact=[Hit(i, 0.0, q) for i, q in exact],
        lexical=[Hit(i, s, q) for i, s, q in lexical],
        semantic=[Hit(i, s, q) for i, s, q in semantic],
        **flags,
    )


def test_exact_matches_lead_by_quality_then_id() -> None:
    ranked = fuse(
        hits(
            exact=[("b", 0.5), ("a", 0.5), ("c", 0.9)],
            lexical=[("z", 9.0, 1.0), ("a", 1.0, 0.5)],
        ),
        min_similarity=0.3,
        cap=100,
    )
    assert ranked.ids == ["c", "a", "b", "z"]


def test_reciprocal_rank_fusion_rewards_items_found_both_ways() -> None:
    ranked = fuse(
        hits(
            lexical=[("lex-only", 5.0, 0.9), ("both", 4.0, 0.1)],
            semantic=[("both", 0.8, 0.1), ("sem-only", 0.7, 0.9)],
        ),
        min_similarity=0.3,
        cap=100,
    )
    assert ranked.ids[0] == "both"
    assert 2 / (RRF_K + 2) > 1 / (RRF_K + 1)


def test_semantic_neighbours_below_the_threshold_do_not_match() -> None:
    ranked = fuse(
        hits(semantic=[("near", 0.6, 0.5), ("far", 0.2, 0.9)]), min_similarity=0.35, cap=100
    )
    assert ranked.ids == ["near"]


def test_equal_scores_share_a_rank_and_ties_break_by_quality_then_id() -> None:
    ranked = fuse(
        hits(lexical=[("b", 2.0, 0.4), ("c", 2.0, 0.9), ("a", 2.0, 0.4)]),
        min_similarity=0.3,
        cap=100,
    )
    assert ranked.ids == ["c", "a", "b"]


def test_the_cap_truncates_and_flags() -> None:
    ranked = fuse(
        hits(lexical=[(str(n), 10.0 - n, 0.5) for n in range(5)]), min_similarity=0.3, cap=3
    )
    assert (ranked.ids, ranked.capped) == (["0", "1", "2"], True)
    assert fuse(
        hits(lexical=[("a", 1.0, 0.5)], lexical_capped=True), min_similarity=0, cap=9
    ).capped


def test_query_terms_drop_stop_words_and_punctuation_but_never_everything() -> None:
    assert query_terms("How do I deploy to K8s?") == ["deploy", "k8s"]
    assert query_terms("the THE a") == ["the", "a"]
    assert query_terms("100% cpu_graphs") == ["100", "cpu", "graphs"]
    assert query_terms("%_*") == []
    assert query_terms("ﬁle Ｆｕｌｌ") == ["file", "full"]  # NFKC


def test_full_text_syntax_in_q_never_reaches_zvec() -> None:
    # Only letter/digit runs are sent: no quotes, operators, fields or wildcards.
    assert query_terms('+deploy -docker "exact" title:y (z*) ~fuzzy') == [
        "deploy",
        "docker",
        "exact",
        "title",
        "y",
        "z",
        "fuzzy",
    ]
