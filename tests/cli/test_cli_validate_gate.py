"""`kp validate` applies the registry's publish gate, so local and remote verdicts agree."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from knowledgepulse.cli.main import app

CORPUS = Path(__file__).resolve().parents[1] / "data" / "security" / "malicious" / "dev"


def test_a_file_the_registry_would_reject_is_invalid_locally() -> None:
    result = CliRunner().invoke(
        app, ["validate", "--json", str(CORPUS / "encoded-payload" / "config-string.md")]
    )
    assert result.exit_code == 1, result.output
    assert "security scanner" in result.output


def test_a_suspicious_file_carries_the_scanner_warning() -> None:
    result = CliRunner().invoke(
        app, ["validate", "--json", str(CORPUS / "instruction-override" / "seo-writer.md")]
    )
    assert "Security scan: suspicious" in result.output
