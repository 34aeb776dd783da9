"""The exported KnowledgeUnit JSON Schema (sdk-mcp-cli.md §1.9, KD-25)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from knowledgepulse.sdk.schema_export import (
    default_schema_path,
    knowledge_unit_json_schema,
    main,
    render_schema,
)

COMMITTED = Path(__file__).resolve().parents[2] / "specs" / "knowledge-unit-schema.json"


def _objects(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if node.get("type") == "object":
            yield node
        for value in node.values():
            yield from _objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _objects(value)


def test_the_committed_schema_file_is_up_to_date() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == render_schema(), (
        "specs/knowledge-unit-schema.json is stale: run "
        "`python -m knowledgepulse.sdk.schema_export`"
    )


def test_the_default_output_is_the_committed_file() -> None:
    assert default_schema_path() == COMMITTED


def test_the_schema_has_the_reference_shape() -> None:
    schema = knowledge_unit_json_schema()
    assert list(schema) == ["$ref", "definitions", "$schema"]
    assert schema["$ref"] == "#/definitions/KnowledgeUnit"
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    options = schema["definitions"]["KnowledgeUnit"]["anyOf"]
    assert [option["properties"]["@type"]["const"] for option in options] == [
        "ReasoningTrace",
        "ToolCallPattern",
        "ExpertSOP",
    ]
    assert [option["properties"]["id"]["pattern"] for option in options] == [
        "^kp:trace:",
        "^kp:pattern:",
        "^kp:sop:",
    ]
    assert "$ref" not in json.dumps(schema["definitions"])  # everything is inlined


def test_the_schema_states_formats_bounds_and_required_fields() -> None:
    trace = knowledge_unit_json_schema()["definitions"]["KnowledgeUnit"]["anyOf"][0]
    meta = trace["properties"]["metadata"]
    assert meta["properties"]["created_at"] == {"type": "string", "format": "date-time"}
    assert meta["properties"]["quality_score"] == {"type": "number", "minimum": 0, "maximum": 1}
    assert meta["required"] == [
        "created_at",
        "task_domain",
        "success",
        "quality_score",
        "visibility",
        "privacy_level",
    ]
    step = trace["properties"]["steps"]
    assert step["minItems"] == 1
    assert step["items"]["properties"]["step_id"] == {"type": "integer", "minimum": 0}
    assert trace["required"] == ["@context", "@type", "id", "metadata", "task", "steps", "outcome"]


def test_every_object_in_the_schema_allows_additional_properties() -> None:
    objects = list(_objects(knowledge_unit_json_schema()))
    assert len(objects) > 20
    assert all(obj.get("additionalProperties") is not False for obj in objects)


def test_check_mode_passes_for_a_fresh_file_and_fails_for_a_stale_one(tmp_path: Path) -> None:
    target = tmp_path / "specs" / "schema.json"
    assert main(["--check", "--output", str(target)]) == 1  # missing counts as stale
    assert main(["--output", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == render_schema()
    assert main(["--check", "--output", str(target)]) == 0
    target.write_text("{}\n", encoding="utf-8")
    assert main(["--check", "--output", str(target)]) == 1


def test_the_file_is_two_space_indented_json_with_a_trailing_newline() -> None:
    text = render_schema()
    assert text.startswith('{\n  "$ref": "#/definitions/KnowledgeUnit",\n  "definitions"')
    assert text.endswith("\n}\n")
    assert json.loads(text) == knowledge_unit_json_schema()
