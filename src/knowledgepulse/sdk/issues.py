"""One schema-validation problem: where it is and what is wrong (sdk-mcp-cli.md §1.7)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Issue", "normalize_issues"]


@dataclass(frozen=True, slots=True)
class Issue:
    """A validation issue as the registry returns it: `{"path": "steps.0.type", "message": ...}`.

    `path` is the dot-joined location with numeric array indices; the root is `""`.
    """

    path: str
    message: str

    def to_dict(self) -> dict[str, str]:
        """The wire form `{"path": ..., "message": ...}`."""
        return {"path": self.path, "message": self.message}

    @classmethod
    def from_obj(cls, obj: Issue | Mapping[str, Any]) -> Issue:
        """Accept an `Issue` or a `{path, message}` mapping (e.g. from a registry body)."""
        if isinstance(obj, Issue):
            return obj
        return cls(path=str(obj.get("path", "")), message=str(obj.get("message", "")))


def normalize_issues(issues: Iterable[Issue | Mapping[str, Any]] | None) -> list[Issue]:
    """Turn issues given as `Issue`s or mappings into a list of `Issue`, skipping anything else."""
    if not issues:
        return []
    return [Issue.from_obj(item) for item in issues if isinstance(item, Issue | Mapping)]
