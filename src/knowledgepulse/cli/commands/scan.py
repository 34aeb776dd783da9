"""`kp scan PATH...`: scan SKILL.md files and folders for prompt injection, offline.

Exit status: 0 when every file is clean, 1 when any is suspicious or rejected, 2 on usage
errors (a path that does not exist or cannot be read; nothing is scanned then).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from knowledgepulse.cli.output import console, err_console, print_json
from knowledgepulse.sdk.security import ScanReport, Severity, Verdict, iter_skill_files, scan_text

__all__ = ["register", "scan"]

#: Files larger than this are scanned only up to this many bytes (with a finding saying so).
MAX_SCAN_BYTES = 1024 * 1024

HELP = (
    "Scan SKILL.md files for prompt injection, hidden instructions, exfiltration and "
    "credential theft, offline.\n\n"
    "Each PATH is a file or a folder; folders are searched recursively for *.md files "
    "(hidden folders and node_modules are skipped).\n\n"
    "Exit status: 0 when every file is clean, 1 when any file is suspicious or rejected, "
    "2 on usage errors (a missing or unreadable path; nothing is scanned).\n\n"
    "With --json, stdout holds one JSON line: "
    '{"files": \\[{"path": str, "verdict": "clean" | "suspicious" | "reject", "score": float, '
    '"findings": \\[{"rule_id": str, "severity": str, "line": int | null, "message": str}]}]}.'
)

_VERDICT_STYLE = {Verdict.CLEAN: "ok", Verdict.SUSPICIOUS: "warning", Verdict.REJECT: "error"}
_SEVERITY_STYLE = {
    Severity.INFO: "muted",
    Severity.LOW: "muted",
    Severity.MEDIUM: "warning",
    Severity.HIGH: "error",
    Severity.CRITICAL: "error",
}


class _Unreadable(Exception):
    """A path that does not exist or cannot be read: a usage error."""


def _read_all(paths: list[Path]) -> list[tuple[Path, str, bool]]:
    """(path, text, truncated) for every file to scan; raises `_Unreadable` listing failures."""
    problems: list[str] = []
    files: list[Path] = []
    for path in paths:
        try:
            files.extend(iter_skill_files([path]))
        except FileNotFoundError:
            problems.append(f"Error: no such file or directory: {path}")
        except OSError as exc:
            problems.append(f"Error: cannot read {path}: {exc.strerror or exc}")
    texts: list[tuple[Path, str, bool]] = []
    for file in files:
        try:
            with file.open("rb") as handle:
                data = handle.read(MAX_SCAN_BYTES + 1)
        except OSError as exc:
            problems.append(f"Error: cannot read {file}: {exc.strerror or exc}")
            continue
        truncated = len(data) > MAX_SCAN_BYTES
        texts.append((file, data[:MAX_SCAN_BYTES].decode("utf-8", errors="replace"), truncated))
    if problems:
        raise _Unreadable("\n".join(problems))
    return texts


def _report_for(path: Path, text: str, truncated: bool) -> ScanReport:
    report = scan_text(text, path=str(path))
    if not truncated:
        return report
    from knowledgepulse.sdk.security import Finding  # local: only needed for huge files

    note = Finding(
        "file.truncated", Severity.LOW, None, f"Only the first {MAX_SCAN_BYTES} bytes were scanned"
    )
    return ScanReport(report.verdict, report.score, (*report.findings, note), report.path)


def _print_rich(reports: list[ScanReport]) -> None:
    for report in reports:
        header = Text()
        header.append(report.path or "<text>", style="bold")
        header.append("  ")
        header.append(report.verdict.value, style=_VERDICT_STYLE[report.verdict])
        header.append(f"  score {report.score:.3f}", style="muted")
        console.print(header)
        if report.findings:
            table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
            table.add_column("line", justify="right")
            table.add_column("severity")
            table.add_column("rule")
            table.add_column("why", overflow="fold")
            for f in report.findings:
                table.add_row(
                    "-" if f.line is None else str(f.line),
                    Text(f.severity.label, style=_SEVERITY_STYLE[f.severity]),
                    Text(f.rule_id),
                    Text(f.message),
                )
            console.print(table)
        console.print()
    counts = {v: sum(r.verdict is v for r in reports) for v in Verdict}
    console.print(
        f"{len(reports)} file(s): {counts[Verdict.CLEAN]} clean, "
        f"{counts[Verdict.SUSPICIOUS]} suspicious, {counts[Verdict.REJECT]} rejected"
    )


def scan(
    paths: Annotated[
        list[Path],
        typer.Argument(metavar="PATH", help="SKILL.md files or folders.", show_default=False),
    ],
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON line instead of the report.")
    ] = False,
) -> None:
    """Scan SKILL.md files for prompt injection and hidden instructions."""
    try:
        files = _read_all(paths)
    except _Unreadable as exc:
        for line in str(exc).splitlines():
            err_console.print(Text(line, style="error"))
        raise typer.Exit(code=2) from None
    reports = [_report_for(path, text, truncated) for path, text, truncated in files]
    if json_output:
        print_json({"files": [r.to_dict() for r in reports]})
    else:
        _print_rich(reports)
    raise typer.Exit(code=1 if any(r.flagged for r in reports) else 0)


def register(app: typer.Typer) -> None:
    """Add `kp scan` to the root app."""
    app.command("scan", help=HELP)(scan)
