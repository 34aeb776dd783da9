"""`kp validate FILE...`: check SKILL.md files and KnowledgeUnit JSON files (sdk-mcp-cli.md §9.6).

Every file is read first; a file that cannot be read is a usage error (exit 2, one line
per file, nothing validated). Then each file gets a verdict: exit 1 if any is invalid.
A file's content problems (binary, not UTF-8, too large, bad YAML or JSON) are verdicts,
never tracebacks.
"""

from __future__ import annotations

import json
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.text import Text

from knowledgepulse.cli.output import console, err_console, print_json
from knowledgepulse.sdk.skillmd import MAX_SKILL_MD_BYTES, validate_skill_md
from knowledgepulse.sdk.skillmd.validate import gate_scan

__all__ = ["FileReport", "register", "validate"]

#: Largest file read, in bytes; larger files are reported invalid without being read.
MAX_FILE_BYTES = MAX_SKILL_MD_BYTES
_SKILL_FILE_NAMES = ("SKILL.md", "skill.md")

# Rich renders the help: paragraphs are single lines it wraps, and "\\[" is a literal "[".
HELP = (
    "Validate SKILL.md files and KnowledgeUnit JSON files.\n\n"
    'A file is checked as a KnowledgeUnit when its name ends in .json or its text starts with "{"; '
    "any other file is checked as a SKILL.md (frontmatter, kp extension, security scan and the "
    "Agent Skills rules). A file named SKILL.md is also compared with its folder name. "
    f"Files larger than 1 MiB ({MAX_FILE_BYTES} bytes) are invalid.\n\n"
    "Exit status: 0 when every file is valid, 1 when any file is invalid, 2 on usage errors "
    "(a missing or unreadable file gets one line on stderr and nothing is validated).\n\n"
    "With --json, stdout holds one JSON line: "
    '{"files": \\[{"path": str, "kind": "skill" | "knowledge_unit", "valid": bool, '
    '"errors": \\[str], "warnings": \\[str]}]}. Warnings carry no "Warning: " prefix.'
)

Kind = Literal["skill", "knowledge_unit"]
_LABELS: dict[str, str] = {"skill": "SKILL.md", "knowledge_unit": "KnowledgeUnit"}


@dataclass(frozen=True, slots=True)
class FileReport:
    """The verdict for one file, in the `--json` shape."""

    path: str
    kind: Kind
    valid: bool
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """`{"path", "kind", "valid", "errors", "warnings"}`."""
        return {
            "path": self.path,
            "kind": self.kind,
            "valid": self.valid,
            "errors": self.errors,
            "warnings": self.warnings,
        }


class _Unreadable(Exception):
    """A file that cannot be opened or read: a usage error."""


def validate(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE", help="SKILL.md or KnowledgeUnit JSON files.", show_default=False
        ),
    ],
    json_output: Annotated[
        bool, typer.Option("--json", help='Print {"files": [...]} as one JSON line on stdout.')
    ] = False,
) -> None:
    """Validate SKILL.md files and KnowledgeUnit JSON files."""
    contents: list[tuple[Path, bytes, int]] = []
    unreadable: list[str] = []
    for path in files:
        try:
            contents.append((path, *_read(path)))
        except _Unreadable as exc:
            unreadable.append(f"Cannot read file: {path} ({exc})")
    if unreadable:
        for line in unreadable:
            err_console.print(Text(line, style="error"), soft_wrap=True)
        raise typer.Exit(code=2)
    reports = [_check(path, data, size) for path, data, size in contents]
    if json_output:
        print_json({"files": [report.to_dict() for report in reports]})
    else:
        _print_human(reports)
    if not all(report.valid for report in reports):
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    """Attach `kp validate` to the root app."""
    app.command("validate", help=HELP, no_args_is_help=True)(validate)


def _read(path: Path) -> tuple[bytes, int]:
    """The first `MAX_FILE_BYTES + 1` bytes (enough to tell "too large") and the file size."""
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise _Unreadable("it is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise _Unreadable("not a regular file")
        with path.open("rb") as handle:
            return handle.read(MAX_FILE_BYTES + 1), info.st_size
    except FileNotFoundError:
        raise _Unreadable("no such file") from None
    except PermissionError:
        raise _Unreadable("permission denied") from None
    except OSError as exc:
        raise _Unreadable(exc.strerror or type(exc).__name__) from None


def _check(path: Path, data: bytes, size: int) -> FileReport:
    kind: Kind = "knowledge_unit" if path.suffix.lower() == ".json" else "skill"
    if len(data) > MAX_FILE_BYTES:
        size = max(size, len(data))
        message = f"File is too large ({size} bytes; the limit is {MAX_FILE_BYTES})"
        return FileReport(str(path), kind, False, [message])
    if b"\0" in data:
        return FileReport(str(path), kind, False, ["Not a text file (it contains NUL bytes)"])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"Not a UTF-8 text file (invalid byte at offset {exc.start})"
        return FileReport(str(path), kind, False, [message])
    if text.lstrip("\ufeff \t\r\n").startswith("{"):
        kind = "knowledge_unit"
    if kind == "knowledge_unit":
        return _check_knowledge_unit(path, text)
    return _check_skill(path, text)


def _check_skill(path: Path, text: str) -> FileReport:
    folder = path.resolve().parent.name if path.name in _SKILL_FILE_NAMES else None
    result = validate_skill_md(text, folder_name=folder, scan=gate_scan)
    return FileReport(str(path), "skill", result.valid, result.problems, result.warnings)


def _check_knowledge_unit(path: Path, text: str) -> FileReport:
    try:
        data = json.loads(text.removeprefix("\ufeff"), parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        message = f"Invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        return FileReport(str(path), "knowledge_unit", False, [message])
    except ValueError as exc:
        return FileReport(str(path), "knowledge_unit", False, [f"Invalid JSON: {exc}"])
    except RecursionError:
        return FileReport(str(path), "knowledge_unit", False, ["Invalid JSON: nesting is too deep"])
    # Imported here: the compiled KnowledgeUnit models take most of a second to load,
    # which every other `kp` command would pay at start-up.
    from knowledgepulse.sdk.validation import validate_knowledge_unit

    result = validate_knowledge_unit(data)
    errors = [
        f"{issue.path}: {issue.message}" if issue.path else issue.message for issue in result.issues
    ]
    return FileReport(str(path), "knowledge_unit", result.ok, errors)


def _reject_constant(name: str) -> Any:
    # Python's json accepts NaN and Infinity; JSON (and the registry) does not.
    raise ValueError(f"{name} is not valid JSON")


def _print_human(reports: list[FileReport]) -> None:
    many = len(reports) > 1
    for report in reports:
        label = _LABELS[report.kind]
        head = f"{report.path}: " if many else ""
        if report.valid:
            console.print(Text(f"{head}Valid {label}", style="ok"), soft_wrap=True)
            if report.warnings:
                console.print()
                console.print(Text("Warnings:", style="warning"))
                for warning in report.warnings:
                    console.print(Text(f"  Warning: {warning}"), soft_wrap=True)
        else:
            # §9.6: failures go to stderr, one entry per line after the header.
            err_console.print(Text(f"{head}Invalid {label}:", style="error"), soft_wrap=True)
            for entry in [*report.errors, *(f"Warning: {w}" for w in report.warnings)]:
                err_console.print(Text(f"  {entry}"), soft_wrap=True)
    if many:
        invalid = sum(not report.valid for report in reports)
        summary = f"{len(reports)} files: {len(reports) - invalid} valid, {invalid} invalid"
        console.print(Text(summary, style="muted"), soft_wrap=True)
