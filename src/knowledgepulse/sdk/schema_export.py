"""Export the KnowledgeUnit JSON Schema to `specs/knowledge-unit-schema.json` (sdk §1.9).

    python -m knowledgepulse.sdk.schema_export            # (re)write the file
    python -m knowledgepulse.sdk.schema_export --check    # exit 1 if the file is stale

The schema is rendered from the compiled models, in the reference's draft-07 shape
(`$ref`, `definitions.KnowledgeUnit.anyOf`, `$schema`; everything inlined), except that
objects allow additional properties, as the runtime's strip mode does (KD-25).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from knowledgepulse.sdk.validation import knowledge_unit_node

__all__ = ["default_schema_path", "knowledge_unit_json_schema", "main", "render_schema"]

DRAFT_07 = "http://json-schema.org/draft-07/schema#"
SCHEMA_FILE = Path("specs") / "knowledge-unit-schema.json"


def knowledge_unit_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft-07) of the `KnowledgeUnit` union."""
    return {
        "$ref": "#/definitions/KnowledgeUnit",
        "definitions": {"KnowledgeUnit": knowledge_unit_node().json_schema()},
        "$schema": DRAFT_07,
    }


def render_schema() -> str:
    """The schema file's exact text: 2-space indented JSON and a trailing newline."""
    return json.dumps(knowledge_unit_json_schema(), indent=2, ensure_ascii=False) + "\n"


def default_schema_path() -> Path:
    """`specs/knowledge-unit-schema.json` in the source checkout, else under the cwd."""
    for parent in Path(__file__).resolve().parents:
        if (parent / "pyproject.toml").is_file():
            return parent / SCHEMA_FILE
    return Path.cwd() / SCHEMA_FILE


def main(argv: Sequence[str] | None = None) -> int:
    """Write the schema file, or with `--check` report whether it is up to date."""
    parser = argparse.ArgumentParser(
        prog="python -m knowledgepulse.sdk.schema_export", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    parser.add_argument("--output", type=Path, default=None, help="schema file to write/check")
    args = parser.parse_args(argv)
    path: Path = args.output or default_schema_path()
    expected = render_schema()
    if args.check:
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != expected:
            print(
                f"{path} is stale; run `python -m knowledgepulse.sdk.schema_export`",
                file=sys.stderr,
            )
            return 1
        print(f"{path} is up to date")
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(expected, encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
