"""SHA-256 helpers and id generators (sdk-mcp-cli.md §1.2, §4.3, §5.5, Appendix A)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest

from knowledgepulse._lib import jsjson
from knowledgepulse.sdk.hashing import sha256, sha256_json
from knowledgepulse.sdk.ids import (
    generate_pattern_id,
    generate_skill_id,
    generate_sop_id,
    generate_trace_id,
    generate_unit_id,
)
from knowledgepulse.sdk.models.examples import (
    minimal_expert_sop,
    minimal_reasoning_trace,
    minimal_tool_call_pattern,
)
from knowledgepulse.sdk.validation import validate_knowledge_unit

SKILL_MD = "---\nname: hello\ndescription: A minimal skill\n---\n\nHello world!\n"


@pytest.mark.parametrize(
    ("text", "digest"),
    [
        ("hello world", "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"),
        (SKILL_MD, "d1f68ae15e44735826ea5089e4a881f9ac463b99c6277f3c2698c97b3fe4f3fb"),
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ],
)
def test_sha256_matches_the_golden_vectors(text: str, digest: str) -> None:
    assert sha256(text) == digest
    assert sha256(text.encode("utf-8")) == digest


def test_sha256_hashes_the_utf8_bytes_of_non_ascii_text() -> None:
    assert sha256("é") == sha256(b"\xc3\xa9")


def test_sha256_json_hashes_the_compact_js_json_text() -> None:
    unit = minimal_reasoning_trace()
    unit["metadata"]["quality_score"] = 1.0
    assert sha256_json(unit) == sha256(jsjson.dumps(unit))
    assert '"quality_score":1,' in jsjson.dumps(unit)


UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


@pytest.mark.parametrize(
    ("generate", "prefix"),
    [
        (generate_trace_id, "kp:trace:"),
        (generate_pattern_id, "kp:pattern:"),
        (generate_sop_id, "kp:sop:"),
        (generate_skill_id, "kp:skill:"),
        (generate_unit_id, "kp:unit:"),
    ],
)
def test_generated_ids_are_a_prefix_and_a_lowercase_uuid4(
    generate: Callable[[], str], prefix: str
) -> None:
    ids = {generate() for _ in range(50)}
    assert len(ids) == 50
    for value in ids:
        assert value.startswith(prefix)
        suffix = value.removeprefix(prefix)
        assert UUID4.fullmatch(suffix)
        assert str(uuid.UUID(suffix)) == suffix


@pytest.mark.parametrize(
    ("make_unit", "generate"),
    [
        (minimal_reasoning_trace, generate_trace_id),
        (minimal_tool_call_pattern, generate_pattern_id),
        (minimal_expert_sop, generate_sop_id),
    ],
)
def test_generated_ids_pass_the_unit_schema(
    make_unit: Callable[[], dict[str, object]], generate: Callable[[], str]
) -> None:
    unit = make_unit()
    unit["id"] = generate()
    assert validate_knowledge_unit(unit).ok
