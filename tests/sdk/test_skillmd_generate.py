"""`generate_skill_md` (sdk-mcp-cli.md §2.5, §2.7; registry-api.md §8.7) and its round trips."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledgepulse.sdk.skillmd import (
    PRIVACY_LEVELS,
    VISIBILITIES,
    KPExtension,
    Layout,
    SkillFrontmatter,
    generate_skill_md,
    parse_skill_md,
    validate_skill_md,
)

GOLDEN_FRONTMATTER = {
    "name": "n",
    "description": "d",
    "version": "1.0",
    "tags": ["a", "b"],
    "allowed-tools": ["x"],
}
GOLDEN_KP = {"knowledge_capture": True, "quality_threshold": 0.8}


def test_the_legacy_layout_reproduces_the_reference_golden_vector() -> None:
    generated = generate_skill_md(GOLDEN_FRONTMATTER, "BODY", GOLDEN_KP, layout="legacy")
    assert generated == (
        '---\nname: n\ndescription: d\nversion: "1.0"\ntags:\n  - a\n  - b\nallowed-tools:\n'
        "  - x\nkp:\n  knowledge_capture: true\n  quality_threshold: 0.8\n---\n\nBODY"
    )


def test_the_default_layout_keeps_only_agent_skills_fields_top_level() -> None:
    generated = generate_skill_md(GOLDEN_FRONTMATTER, "BODY", GOLDEN_KP)
    assert generated == (
        "---\nname: n\ndescription: d\nallowed-tools: x\nmetadata:\n"
        '  version: "1.0"\n  tags:\n    - a\n    - b\n'
        "  kp:\n    knowledge_capture: true\n    quality_threshold: 0.8\n---\n\nBODY"
    )


def test_the_legacy_layout_matches_the_sop_export_example() -> None:
    generated = generate_skill_md(
        {
            "name": "Updated SOP",
            "description": "Expert SOP for devops: Updated SOP",
            "version": "2.0.0",
            "author": "expert-42",
            "tags": ["devops", "sop", "expert"],
        },
        "# Updated SOP\n",
        {"domain": "devops", "knowledge_capture": True, "visibility": "network"},
        layout="legacy",
    )
    assert generated == (
        "---\nname: Updated SOP\n"
        'description: "Expert SOP for devops: Updated SOP"\n'
        "version: 2.0.0\nauthor: expert-42\ntags:\n  - devops\n  - sop\n  - expert\n"
        "kp:\n  domain: devops\n  knowledge_capture: true\n  visibility: network\n"
        "---\n\n# Updated SOP\n"
    )


@pytest.mark.parametrize("layout", ["agent-skills", "legacy"])
def test_without_kp_the_output_has_no_kp_key(layout: Layout) -> None:
    generated = generate_skill_md({"name": "a", "description": "b"}, "", layout=layout)
    assert "kp:" not in generated
    assert generated == "---\nname: a\ndescription: b\n---\n\n"


def test_an_empty_kp_is_written_as_an_empty_mapping() -> None:
    assert "kp: {}" in generate_skill_md({"name": "a", "description": "b"}, "", {}, layout="legacy")
    assert "  kp: {}" in generate_skill_md({"name": "a", "description": "b"}, "", KPExtension())


def test_none_values_are_left_out() -> None:
    generated = generate_skill_md({"name": "a", "description": "b", "version": None}, "")
    assert "version" not in generated
    assert "metadata" not in generated


def test_strings_that_would_read_as_other_types_are_double_quoted() -> None:
    generated = generate_skill_md(
        {"name": "true", "description": "1.0", "license": "n: colon", "compatibility": ""}, ""
    )
    assert 'name: "true"' in generated
    assert 'description: "1.0"' in generated
    assert 'license: "n: colon"' in generated
    assert 'compatibility: ""' in generated


def test_multi_line_strings_become_block_literals() -> None:
    generated = generate_skill_md({"name": "a", "description": "one\ntwo"}, "")
    assert "description: |-\n  one\n  two\n" in generated


def test_tool_names_with_spaces_keep_the_list_form() -> None:
    generated = generate_skill_md(
        {"name": "a", "description": "b", "allowed-tools": ["Read", "Bash(git status)"]}, ""
    )
    assert "allowed-tools:\n  - Read\n  - Bash(git status)\n" in generated


def test_unknown_keys_move_under_metadata_in_the_default_layout() -> None:
    generated = generate_skill_md({"name": "a", "description": "b", "type": "skill"}, "")
    assert "metadata:\n  type: skill\n" in generated
    assert validate_skill_md(generated).errors == ()


def test_a_non_mapping_metadata_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        generate_skill_md({"name": "a", "description": "b", "metadata": "x"}, "")


def test_generated_files_pass_skills_ref_style_validation_without_warnings() -> None:
    frontmatter = SkillFrontmatter(
        name="pdf-tools",
        description="Fills PDF forms.",
        version="1.0",
        author="docs",
        license="MIT",
        compatibility="Needs poppler.",
        tags=("pdf",),
        allowed_tools=("Read", "Bash(pdftotext:*)"),
        metadata={"owner": "docs-team"},
    )
    generated = generate_skill_md(frontmatter, "# PDF\n", KPExtension(domain="documents"))
    assert validate_skill_md(generated).errors == ()


_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
_WORDS = st.text(st.sampled_from(list("ab -:#'\"\n")), max_size=120)
_NON_EMPTY = st.one_of(_TEXT, _WORDS).filter(bool)
_TOOL = st.one_of(st.sampled_from(["Read", "Write", "Bash(git:*)", "Bash(git status)"]), _TEXT)
_FRONTMATTER = st.builds(
    SkillFrontmatter,
    name=_NON_EMPTY,
    description=_NON_EMPTY,
    version=st.none() | _TEXT,
    author=st.none() | _TEXT,
    license=st.none() | _TEXT,
    compatibility=st.none() | _TEXT,
    tags=st.none() | st.lists(_TEXT, max_size=3).map(tuple),
    allowed_tools=st.none() | st.lists(_TOOL, max_size=3).map(tuple),
    metadata=st.dictionaries(
        st.sampled_from(["owner", "category", "ratio", "flags"]),
        st.one_of(_TEXT, st.integers(), st.booleans(), st.lists(_TEXT, min_size=1, max_size=2)),
        max_size=2,
    ),
)
_KP = st.none() | st.builds(
    KPExtension,
    knowledge_capture=st.none() | st.booleans(),
    domain=st.none() | _TEXT,
    quality_threshold=st.none() | st.floats(0, 1),
    privacy_level=st.none() | st.sampled_from(PRIVACY_LEVELS),
    visibility=st.none() | st.sampled_from(VISIBILITIES),
    reward_eligible=st.none() | st.booleans(),
)


@settings(max_examples=100, deadline=None)
@given(_FRONTMATTER, _KP, st.text(max_size=50), st.sampled_from(["agent-skills", "legacy"]))
def test_generate_then_parse_gives_back_the_same_skill(
    frontmatter: SkillFrontmatter, kp: KPExtension | None, body: str, layout: Layout
) -> None:
    parsed = parse_skill_md(generate_skill_md(frontmatter, body, kp, layout=layout))
    assert parsed.frontmatter == frontmatter
    assert parsed.kp == kp
    assert parsed.body == "\n" + body


def test_the_reference_golden_vector_round_trips_through_the_parser() -> None:
    for layout in ("agent-skills", "legacy"):
        parsed = parse_skill_md(
            generate_skill_md(GOLDEN_FRONTMATTER, "BODY", GOLDEN_KP, layout=layout)
        )
        assert parsed.frontmatter.to_dict() == GOLDEN_FRONTMATTER
        assert parsed.kp is not None
        assert parsed.kp.to_dict() == GOLDEN_KP
