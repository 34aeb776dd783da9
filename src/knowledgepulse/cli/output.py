"""The one Rich console of the CLI and the helpers that print through it."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.theme import Theme

__all__ = ["console", "err_console", "print_json"]

_theme = Theme({"error": "bold red", "warning": "yellow", "ok": "green", "muted": "dim"})
console = Console(theme=_theme, highlight=False)
err_console = Console(theme=_theme, stderr=True, highlight=False)


def print_json(payload: Any) -> None:
    """Write machine-readable JSON to stdout (no Rich markup, one line)."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n")
    sys.stdout.flush()
