"""`parse_skill_md` (sdk-mcp-cli.md §2.1–2.4, §2.7; registry-api.md §6.4)."""

from __future__ import annotations

import pytest

from knowledgepulse.sdk.errors import ValidationError
from knowledgepulse.sdk.issues import Issue
from knowledgepulse.sdk.skillmd import (
    MAX_FRONTMATTER_BYTES,
    MAX_SKILL_MD_BYTES,
    MISSING_DELIMITERS,
    KPExtension,
    SkillFrontmatter,
    parse_skill_md,
)

MINIMAL = "---\nname: a\ndescription: b\n---\n"


def _issues(content: str) -> tuple[str, list[Issue]]:
    with pytest.raises(ValidationError) as caught:
        parse_skill_md(content)
    return caught.value.message, caught.value.issues


def test_a_minimal_file_parses_to_its_two_fields() -> None:
    parsed = parse_skill_md(MINIMAL + "Body\n")
    assert parsed.frontmatter == SkillFrontmatter(name="a", description="b")
    assert parsed.kp is None
    assert parsed.body == "Body\n"
    assert parsed.raw == MINIMAL + "Body\n"
    assert parsed.portability == ()


@pytest.mark.parametrize(
    ("content", "body"),
    [
        ("---\nname: a\ndescription: b\n---\n\nbody", "\nbody"),
        ("---\nname: a\ndescription: b\n---", ""),
        ("---\nname: a\ndescription: b\n---\n", ""),
        ("---\nname: a\ndescription: b\n---  \nbody", "body"),
        ("---\nname: a\ndescription: b\n---\n---\nrule", "---\nrule"),
    ],
)
def test_the_body_keeps_everything_after_the_closing_line(content: str, body: str) -> None:
    assert parse_skill_md(content).body == body


@pytest.mark.parametrize(
    "content",
    [
        "no frontmatter",
        "",
        "---",
        "--- \nname: a",
        "---\nname: a\ndescription: b\n",
        "---\nname: a\ndescription: b\n----\nbody",
        "---\nname: a\ndescription: b\n---foo\nbody",
        " ---\nname: a\ndescription: b\n---\n",
    ],
)
def test_missing_delimiters_give_the_reference_message_without_issues(content: str) -> None:
    message, issues = _issues(content)
    assert message == MISSING_DELIMITERS
    assert issues == []


def test_crlf_files_and_a_leading_bom_are_accepted_and_raw_stays_untouched() -> None:
    content = "\ufeff---\r\nname: a\r\ndescription: b\r\n---\r\n\r\nline\r\n"
    parsed = parse_skill_md(content)
    assert parsed.frontmatter.name == "a"
    assert parsed.body == "\r\nline\r\n"
    assert parsed.raw == content
    assert parsed.portability == ("the file starts with a byte-order mark (U+FEFF)",)


@pytest.mark.parametrize("frontmatter", ["", "\n", "# comment\n", "~\n"])
def test_an_empty_frontmatter_reports_both_required_fields(frontmatter: str) -> None:
    message, issues = _issues(f"---\n{frontmatter}---\n")
    assert message == "Invalid SKILL.md frontmatter"
    assert issues == [Issue("name", "Required"), Issue("description", "Required")]


@pytest.mark.parametrize("root", ["- a\n- b\n", "just text\n", "42\n"])
def test_a_non_mapping_root_is_a_mapping_without_the_required_keys(root: str) -> None:
    _, issues = _issues(f"---\n{root}---\n")
    assert [issue.path for issue in issues] == ["name", "description"]


def test_yaml_errors_name_the_problem_and_the_file_line() -> None:
    message, issues = _issues('---\nname: a\ndescription: "open\n---\n')
    assert message.startswith("Invalid SKILL.md: YAML parse error: ")
    assert "(line " in message
    assert "\n" not in message
    assert issues == []


def test_duplicate_keys_are_a_yaml_parse_error() -> None:
    message, _ = _issues("---\nname: a\nname: b\ndescription: c\n---\n")
    assert message == 'Invalid SKILL.md: YAML parse error: duplicate key "name" (line 3, column 1)'


@pytest.mark.parametrize(
    ("line", "issue"),
    [
        ("name: ''", Issue("name", "String must contain at least 1 character(s)")),
        ("version: 1.0", Issue("version", "Expected string, received number")),
        ("version: null", Issue("version", "Expected string, received null")),
        ("author: [x]", Issue("author", "Expected string, received array")),
        ("license: true", Issue("license", "Expected string, received boolean")),
        ("tags: react", Issue("tags", "Expected array, received string")),
        ("tags:\n  - a\n  - 2", Issue("tags.1", "Expected string, received number")),
        ("allowed-tools: 3", Issue("allowed-tools", "Expected string or array, received number")),
        ("compatibility: {os: linux}", Issue("compatibility", "Expected string, received object")),
        ("metadata:\n  version: 2", Issue("metadata.version", "Expected string, received number")),
        ("metadata:\n  tags: a", Issue("metadata.tags", "Expected array, received string")),
    ],
)
def test_frontmatter_type_errors_use_the_reference_messages(line: str, issue: Issue) -> None:
    content = "---\nname: a\ndescription: b\n" + line + "\n---\n"
    if line.startswith("name:"):
        content = "---\n" + line + "\ndescription: b\n---\n"
    message, issues = _issues(content)
    assert message == "Invalid SKILL.md frontmatter"
    assert issues == [issue]


def test_yaml_1_2_keeps_yes_and_dates_as_strings() -> None:
    parsed = parse_skill_md("---\nname: yes\ndescription: 2024-01-01\n---\n")
    assert parsed.frontmatter.name == "yes"
    assert parsed.frontmatter.description == "2024-01-01"


@pytest.mark.parametrize(
    ("tools", "expected"),
    [
        ("Read Write  Bash(git:*)", ("Read", "Write", "Bash(git:*)")),
        ("\n  - Read\n  - Bash(git status)", ("Read", "Bash(git status)")),
        ('""', ()),
    ],
)
def test_allowed_tools_accepts_a_string_or_a_list_and_gives_a_tuple(
    tools: str, expected: tuple[str, ...]
) -> None:
    parsed = parse_skill_md(f"---\nname: a\ndescription: b\nallowed-tools: {tools}\n---\n")
    assert parsed.frontmatter.allowed_tools == expected


def test_unknown_keys_are_dropped_and_metadata_extras_kept() -> None:
    parsed = parse_skill_md(
        "---\nname: a\ndescription: b\ntype: skill\nmetadata:\n  owner: docs\n  version: '3'\n---\n"
    )
    assert parsed.frontmatter == SkillFrontmatter(
        name="a", description="b", version="3", metadata={"owner": "docs"}
    )
    assert parsed.portability == (
        "top-level fields outside the Agent Skills spec: type (move them under metadata)",
    )


def test_metadata_wins_over_top_level_copies() -> None:
    parsed = parse_skill_md(
        "---\nname: a\ndescription: b\nversion: '1'\nauthor: top\ntags: [x]\n"
        "kp:\n  domain: top\nmetadata:\n  version: '2'\n  tags:\n    - y\n"
        "  kp:\n    domain: meta\n---\n"
    )
    assert parsed.frontmatter.version == "2"
    assert parsed.frontmatter.author == "top"
    assert parsed.frontmatter.tags == ("y",)
    assert parsed.kp == KPExtension(domain="meta")


def test_a_valid_kp_block_parses_without_filling_defaults() -> None:
    parsed = parse_skill_md(
        "---\nname: a\ndescription: b\nkp:\n  knowledge_capture: true\n"
        "  quality_threshold: 1\n  privacy_level: private\n---\n"
    )
    assert parsed.kp == KPExtension(
        knowledge_capture=True, quality_threshold=1, privacy_level="private"
    )
    assert parsed.kp.to_dict() == {
        "knowledge_capture": True,
        "quality_threshold": 1,
        "privacy_level": "private",
    }


@pytest.mark.parametrize("value", ["", "null", "false", "0", "''"])
def test_a_falsy_kp_counts_as_absent(value: str) -> None:
    assert parse_skill_md(f"---\nname: a\ndescription: b\nkp: {value}\n---\n").kp is None


def test_an_empty_kp_mapping_is_an_empty_extension() -> None:
    assert parse_skill_md("---\nname: a\ndescription: b\nkp: {}\n---\n").kp == KPExtension()


@pytest.mark.parametrize(
    ("block", "issues"),
    [
        ("kp: text", [Issue("kp", "Expected object, received string")]),
        ("kp: [1]", [Issue("kp", "Expected object, received array")]),
        (
            "kp:\n  knowledge_capture: yes",
            [Issue("kp.knowledge_capture", "Expected boolean, received string")],
        ),
        (
            "kp:\n  quality_threshold: -0.5",
            [Issue("kp.quality_threshold", "Number must be greater than or equal to 0")],
        ),
        (
            "kp:\n  quality_threshold: .nan",
            [Issue("kp.quality_threshold", "Expected number, received nan")],
        ),
        (
            "kp:\n  quality_threshold: true",
            [Issue("kp.quality_threshold", "Expected number, received boolean")],
        ),
        (
            "kp:\n  quality_threshold: 2\n  privacy_level: public",
            [
                Issue("kp.quality_threshold", "Number must be less than or equal to 1"),
                Issue(
                    "kp.privacy_level",
                    "Invalid enum value. Expected 'aggregated' | 'federated' | 'private', "
                    "received 'public'",
                ),
            ],
        ),
        (
            "kp:\n  visibility: 3",
            [Issue("kp.visibility", "Expected 'private' | 'org' | 'network', received number")],
        ),
        (
            "metadata:\n  kp:\n    reward_eligible: 1",
            [Issue("metadata.kp.reward_eligible", "Expected boolean, received number")],
        ),
    ],
)
def test_kp_errors_carry_prefixed_paths(block: str, issues: list[Issue]) -> None:
    message, found = _issues(f"---\nname: a\ndescription: b\n{block}\n---\n")
    assert message == "Invalid SKILL.md kp extension"
    assert found == issues


def test_frontmatter_errors_are_reported_before_kp_errors() -> None:
    message, issues = _issues("---\nname: a\nkp: text\n---\n")
    assert message == "Invalid SKILL.md frontmatter"
    assert issues == [Issue("description", "Required")]


def test_parsing_does_not_apply_the_agent_skills_name_rules() -> None:
    # The registry stores reference-era names such as "React Component Generator".
    parsed = parse_skill_md("---\nname: React Component Generator\ndescription: b\n---\n")
    assert parsed.frontmatter.name == "React Component Generator"


def test_content_over_the_size_limit_is_refused_before_parsing() -> None:
    content = MINIMAL + "x" * MAX_SKILL_MD_BYTES
    message, _ = _issues(content)
    assert message.startswith("Invalid SKILL.md: content is too large (")
    assert str(MAX_SKILL_MD_BYTES) in message


def test_the_size_limit_counts_utf8_bytes() -> None:
    content = MINIMAL + "é" * (MAX_SKILL_MD_BYTES // 2)
    message, _ = _issues(content)
    assert "content is too large" in message


def test_an_oversized_frontmatter_is_refused() -> None:
    padding = "# " + "x" * MAX_FRONTMATTER_BYTES + "\n"
    message, _ = _issues("---\n" + padding + "name: a\ndescription: b\n---\n")
    assert message.startswith("Invalid SKILL.md: frontmatter is too large (")


def test_an_alias_bomb_is_a_yaml_parse_error() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for index in range(1, 8):
        prev, name = chr(ord("a") + index - 1), chr(ord("a") + index)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    message, _ = _issues("---\n" + "\n".join(lines) + "\n---\n")
    assert message.startswith("Invalid SKILL.md: YAML parse error: too many YAML values")


def test_control_characters_in_the_frontmatter_are_a_yaml_parse_error() -> None:
    message, _ = _issues("---\nname: a\x00b\ndescription: c\n---\n")
    assert message.startswith("Invalid SKILL.md: YAML parse error: ")


def test_the_error_message_is_usable_as_registry_details() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_skill_md("---\nname: a\n---\n")
    assert str(caught.value) == "Invalid SKILL.md frontmatter"
    assert caught.value.code == "VALIDATION_ERROR"
