"""The publish gate: the spec's sanitizer, then the scanner, as one verdict.

The registry applies it to `POST /v1/skills` and `kp validate` applies it to local files,
so a file that validates locally is accepted by the registry for the same reasons.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledgepulse.sdk.errors import SanitizationError
from knowledgepulse.sdk.security.findings import Finding, ScanReport, Verdict
from knowledgepulse.sdk.security.sanitizer import SanitizeResult, sanitize_skill_md
from knowledgepulse.sdk.security.scanner import scan_text

__all__ = ["GateRejection", "GateResult", "publish_gate"]


class GateRejection(SanitizationError):
    """The content may not be published; `findings` explain the scanner's part."""

    def __init__(self, message: str, findings: tuple[Finding, ...] = ()) -> None:
        super().__init__(message)
        self.findings = findings


@dataclass(frozen=True, slots=True)
class GateResult:
    """Sanitized text, every warning (sanitizer and scanner), and the scanner's report."""

    content: str
    warnings: tuple[str, ...]
    report: ScanReport
    sanitized: SanitizeResult


def publish_gate(content: str) -> GateResult:
    """Sanitize per sdk-mcp-cli.md §5.1, then scan the text as submitted.

    The scanner reads the original text because hidden channels (HTML comments, encoded
    blobs) are exactly what the sanitizer strips before anyone could see them.

    Raises:
        GateRejection: the sanitizer refused the text, or the scanner's verdict is reject.
    """
    try:
        sanitized = sanitize_skill_md(content)
    except SanitizationError as exc:
        raise GateRejection(exc.message) from None
    report = scan_text(content)
    rules = ", ".join(dict.fromkeys(f.rule_id for f in report.findings))
    if report.verdict is Verdict.REJECT:
        raise GateRejection(
            f"Content rejected by the security scanner (score: {report.score:.2f}). "
            f"Findings: {rules}",
            report.findings,
        )
    warnings = list(sanitized.warnings)
    if report.verdict is Verdict.SUSPICIOUS:
        warnings.append(f"Security scan: suspicious (score: {report.score:.2f}). Findings: {rules}")
    return GateResult(sanitized.content, tuple(warnings), report, sanitized)
