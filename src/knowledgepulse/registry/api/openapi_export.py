"""Write the registry's OpenAPI document to `specs/openapi.json` (or check it is current).

Usage: `python -m knowledgepulse.registry.api.openapi_export [--check] [PATH]`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from knowledgepulse.registry.app import create_app
from knowledgepulse.registry.settings import Settings

__all__ = ["DEFAULT_PATH", "main", "render"]

DEFAULT_PATH = Path("specs/openapi.json")


def render() -> str:
    """The OpenAPI document as stable, pretty JSON text (no running store needed)."""
    document: dict[str, Any] = create_app(Settings(store_backend="memory")).openapi()
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the file, or with `--check` exit 1 when the committed file is stale."""
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    paths = [a for a in args if a != "--check"]
    path = Path(paths[0]) if paths else DEFAULT_PATH
    text = render()
    if check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            print(f"{path} is stale: run python -m knowledgepulse.registry.api.openapi_export")
            return 1
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
