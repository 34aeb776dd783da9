"""Result types of the security scanner: severities, findings and per-file reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any

__all__ = ["Finding", "ScanReport", "Severity", "Verdict"]


class Severity(IntEnum):
    """How much one finding says about intent; ordered so `max()` picks the worst."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        """The lowercase name used on the wire (`"high"`)."""
        return self.name.lower()

    def shifted(self, steps: int) -> Severity:
        """This severity moved `steps` levels up (positive) or down, clamped to the range."""
        return Severity(min(max(int(self) + steps, Severity.INFO), Severity.CRITICAL))


class Verdict(StrEnum):
    """The scanner's decision for one file."""

    CLEAN = "clean"
    SUSPICIOUS = "suspicious"
    REJECT = "reject"


@dataclass(frozen=True, slots=True)
class Finding:
    """One explained reason for suspicion, anchored to a 1-based line of the file."""

    rule_id: str
    severity: Severity
    line: int | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        """The `--json` shape: `{rule_id, severity, line, message}`."""
        return {
            "rule_id": self.rule_id,
            "severity": self.severity.label,
            "line": self.line,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class ScanReport:
    """The verdict for one text or file, with the score and every finding in line order."""

    verdict: Verdict
    score: float
    findings: tuple[Finding, ...] = field(default_factory=tuple)
    path: str | None = None

    @property
    def flagged(self) -> bool:
        """True when the verdict is suspicious or reject."""
        return self.verdict is not Verdict.CLEAN

    def to_dict(self) -> dict[str, Any]:
        """The `--json` shape: `{path, verdict, score, findings}`."""
        return {
            "path": self.path,
            "verdict": self.verdict.value,
            "score": self.score,
            "findings": [f.to_dict() for f in self.findings],
        }
