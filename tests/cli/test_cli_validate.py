"""`kp validate FILE... [--json]` through the real Typer app, and once as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from knowledgepulse.cli.main import app
from knowledgepulse.sdk.skillmd import MAX_SKILL_MD_BYTES

runner = CliRunner()
DATA = Path(__file__).resolve().parent.parent / "data" / "skills"

VALID = "---\nname: my-skill\ndescription: Does one thing.\n---\n\n# Body\n"
KNOWLEDGE_UNIT = {
    "@context": "https://openknowledgepulse.org/schema/v1",
    "@type": "ReasoningTrace",
    "id": "kp:trace:550e8400-e29b-41d4-a716-446655440000",
    "metadata": {
        "created_at": "2025-06-15T10:00:00.000Z",
        "task_domain": "code-review",
        "success": True,
        "quality_score": 0.92,
        "visibility": "network",
        "privacy_level": "aggregated",
    },
    "task": {"objective": "Review the pull request"},
    "steps": [{"step_id": 0, "type": "thought", "content": "Analyzing changes"}],
    "outcome": {"result_summary": "No issues found", "confidence": 0.95},
}


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_skill_prints_the_reference_line_and_exits_0(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(_write(tmp_path / "a.md", VALID))])
    assert result.exit_code == 0, result.output
    assert result.stdout == "Valid SKILL.md\n"
    assert result.stderr == ""


def test_warnings_follow_a_blank_line_and_a_header(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.md", VALID.replace("# Body", "<b>Body</b>"))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "Valid SKILL.md\n\nWarnings:\n  Warning: Removed HTML tags\n"


def test_an_invalid_skill_lists_its_errors_on_stderr_and_exits_1(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.md", "---\nname: my-skill\n---\n")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert (
        result.stderr
        == "Invalid SKILL.md:\n  Invalid SKILL.md frontmatter\n    description: Required\n"
    )


def test_a_skill_md_is_compared_with_its_folder(tmp_path: Path) -> None:
    folder = tmp_path / "other-folder"
    folder.mkdir()
    result = runner.invoke(app, ["validate", str(_write(folder / "SKILL.md", VALID))])
    assert result.exit_code == 0, result.output
    assert "folder name 'other-folder' does not match the skill name 'my-skill'" in result.stdout


def test_several_files_are_prefixed_with_their_paths_and_summarised(tmp_path: Path) -> None:
    good = _write(tmp_path / "good.md", VALID)
    bad = _write(tmp_path / "bad.md", "no frontmatter")
    result = runner.invoke(app, ["validate", str(good), str(bad)])
    assert result.exit_code == 1
    assert f"{good}: Valid SKILL.md\n" in result.stdout
    assert "2 files: 1 valid, 1 invalid\n" in result.stdout
    assert f"{bad}: Invalid SKILL.md:\n" in result.stderr


def test_json_output_has_one_entry_per_file(tmp_path: Path) -> None:
    good = _write(tmp_path / "good.md", VALID.replace("# Body", "<b>Body</b>"))
    bad = _write(tmp_path / "bad.md", "---\nname: Bad Name\ndescription: x\n---\n")
    unit = _write(tmp_path / "unit.json", json.dumps(KNOWLEDGE_UNIT))
    result = runner.invoke(app, ["validate", "--json", str(good), str(bad), str(unit)])
    assert result.exit_code == 1
    assert result.stdout.count("\n") == 1
    assert json.loads(result.stdout) == {
        "files": [
            {
                "path": str(good),
                "kind": "skill",
                "valid": True,
                "errors": [],
                "warnings": ["Removed HTML tags"],
            },
            {
                "path": str(bad),
                "kind": "skill",
                "valid": False,
                "errors": [
                    "Invalid SKILL.md frontmatter",
                    "  name: must be lowercase",
                    "  name: may contain only letters, digits and hyphens",
                ],
                "warnings": [],
            },
            {
                "path": str(unit),
                "kind": "knowledge_unit",
                "valid": True,
                "errors": [],
                "warnings": [],
            },
        ]
    }


def test_a_valid_knowledge_unit_exits_0(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["validate", str(_write(tmp_path / "u.json", json.dumps(KNOWLEDGE_UNIT)))]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "Valid KnowledgeUnit\n"


def test_an_invalid_knowledge_unit_lists_path_and_message(tmp_path: Path) -> None:
    unit = dict(KNOWLEDGE_UNIT, id="kp:pattern:x")
    result = runner.invoke(app, ["validate", str(_write(tmp_path / "u.json", json.dumps(unit)))])
    assert result.exit_code == 1
    assert (
        result.stderr
        == 'Invalid KnowledgeUnit:\n  id: Invalid input: must start with "kp:trace:"\n'
    )


def test_content_starting_with_a_brace_is_read_as_a_knowledge_unit(tmp_path: Path) -> None:
    path = _write(tmp_path / "unit.txt", "\n  " + json.dumps({"@type": "Nope"}))
    result = runner.invoke(app, ["validate", "--json", str(path)])
    assert result.exit_code == 1
    entry = json.loads(result.stdout)["files"][0]
    assert entry["kind"] == "knowledge_unit"
    assert entry["errors"] == [
        "@type: Invalid discriminator value. "
        "Expected 'ReasoningTrace' | 'ToolCallPattern' | 'ExpertSOP'"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "{not json",
            "Invalid JSON: Expecting property name enclosed in double quotes (line 1, column 2)",
        ),
        ('{"x": NaN}', "Invalid JSON: NaN is not valid JSON"),
        ("[" * 100_000, "Invalid JSON: nesting is too deep"),
    ],
)
def test_malformed_json_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    result = runner.invoke(app, ["validate", "--json", str(_write(tmp_path / "u.json", text))])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["files"][0]["errors"] == [message]


@pytest.mark.parametrize(
    ("content", "first_error"),
    [
        (b"---\nname: a\ndescription: [unclosed\n---\n", "Invalid SKILL.md: YAML parse error: "),
        (
            b"# Title\n\nNo frontmatter.\n",
            "Invalid SKILL.md: missing YAML frontmatter delimiters (---)",
        ),
        (bytes(range(256)) * 4, "Not a text file (it contains NUL bytes)"),
        (b"---\nname: caf\xe9\n---\n", "Not a UTF-8 text file (invalid byte at offset 13)"),
    ],
)
def test_bad_input_gives_a_clear_error_and_no_traceback(
    tmp_path: Path, content: bytes, first_error: str
) -> None:
    path = tmp_path / "bad.md"
    path.write_bytes(content)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.splitlines()[1].strip().startswith(first_error)
    assert "Traceback" not in result.output


def test_a_ten_megabyte_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    with path.open("wb") as handle:
        handle.write(VALID.encode())
        handle.seek(10 * 1024 * 1024)
        handle.write(b"x")
    result = runner.invoke(app, ["validate", "--json", str(path)])
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["files"][0]["errors"]
    assert errors == [
        f"File is too large ({10 * 1024 * 1024 + 1} bytes; the limit is {MAX_SKILL_MD_BYTES})"
    ]


def test_a_missing_file_is_a_one_line_usage_error_with_exit_2(tmp_path: Path) -> None:
    good = _write(tmp_path / "good.md", VALID)
    missing = tmp_path / "missing.md"
    result = runner.invoke(app, ["validate", str(good), str(missing)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"Cannot read file: {missing} (no such file)\n"


def test_a_directory_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", "--json", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == f"Cannot read file: {tmp_path} (it is a directory)\n"


def test_no_file_argument_is_a_usage_error() -> None:
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 2


def test_the_help_documents_detection_exit_codes_and_the_json_shape() -> None:
    result = runner.invoke(app, ["validate", "--help"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "ends in .json" in text
    assert "2 on usage errors" in text
    assert '"kind": "skill" | "knowledge_unit"' in text


def test_the_installed_command_exits_1_when_invalid_and_2_when_a_file_is_missing(
    tmp_path: Path,
) -> None:
    kp = Path(sys.executable).parent / "kp"
    good, bad = str(DATA / "ok-minimal.md"), str(DATA / "bad-missing-name.md")
    runs = [
        subprocess.run(
            [str(kp), "validate", *files], capture_output=True, text=True, check=False, timeout=60
        )
        for files in ([good, bad], [good, str(tmp_path / "missing.md")])
    ]
    assert [run.returncode for run in runs] == [1, 2], [run.stderr for run in runs]
    assert "Traceback" not in "".join(run.stderr for run in runs)
    assert runs[1].stderr == f"Cannot read file: {tmp_path / 'missing.md'} (no such file)\n"
