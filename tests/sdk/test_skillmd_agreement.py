"""Verdicts agree with the Agent Skills reference validator, `skills-ref`, as §2.7 defines.

Each file of `tests/data/skills/` is copied to `<tmp>/<folder>/SKILL.md` and checked by
`skills_ref.validate(folder)` and by `validate_skill_md(text, folder_name=folder)`. The
folder is the skill's own name unless `expected.json` gives one, so only the fixtures
about folders see a mismatch. File names say the expected verdict:

* `ok-*`: both accept; `warn-*`: `skills-ref` rejects for strictness only and we accept
  with a `Warning: not portable:` entry; `bad-*`: both reject;
* `diverge-*`: `skills-ref` accepts and we reject on purpose; `why` in the manifest says
  which rule wins (YAML 1.2 typing, the KnowledgePulse schema, KD-04).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import skills_ref

from knowledgepulse.sdk.skillmd import PORTABILITY_WARNING, validate_skill_md

DATA = Path(__file__).resolve().parent.parent / "data" / "skills"
EXPECTED: dict[str, dict[str, str]] = json.loads(
    (DATA / "expected.json").read_text(encoding="utf-8")
)
PREFIX_VERDICT = {
    "ok": ("valid", "valid"),
    "warn": ("warn", "invalid"),
    "bad": ("invalid", "invalid"),
    "diverge": ("invalid", "valid"),
}
# skills-ref messages about a name or description that is missing or invalid (rule 3).
_NAME_OR_DESCRIPTION = re.compile(
    r"^(Missing required field in frontmatter: (name|description)|Field '(name|description)'"
    r"|Skill name)"
)


def _folder(name: str, text: str) -> str:
    if "folder" in EXPECTED[name]:
        return EXPECTED[name]["folder"]
    match = re.search(r"^name: *['\"]?([^'\"\s]+)", text, re.MULTILINE)
    return match.group(1) if match else "skill"


def _verdicts(name: str, tmp_path: Path) -> tuple[str, list[str], str, tuple[str, ...]]:
    raw = (DATA / name).read_bytes()
    text = raw.decode("utf-8")
    folder = tmp_path / _folder(name, text)
    folder.mkdir()
    (folder / "SKILL.md").write_bytes(raw)
    reference_errors = skills_ref.validate(folder)
    ours = validate_skill_md(text, folder_name=folder.name)
    portable = not any(entry.startswith(PORTABILITY_WARNING) for entry in ours.errors)
    verdict = "invalid" if not ours.valid else ("valid" if portable else "warn")
    return ("valid" if not reference_errors else "invalid"), reference_errors, verdict, ours.errors


def test_the_corpus_is_varied_enough() -> None:
    names = sorted(path.name for path in DATA.glob("*.md"))
    assert names == sorted(EXPECTED)
    assert len(names) >= 30
    for prefix in PREFIX_VERDICT:
        assert sum(name.startswith(prefix + "-") for name in names) >= 5


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_file_gets_the_promised_verdicts_within_the_rules_of_section_2_7(
    name: str, tmp_path: Path
) -> None:
    reference, reference_errors, ours, our_errors = _verdicts(name, tmp_path)
    expected = EXPECTED[name]
    assert (expected["kp"], expected["skills_ref"]) == PREFIX_VERDICT[name.split("-", 1)[0]]
    assert reference == expected["skills_ref"], reference_errors
    assert ours == expected["kp"], our_errors
    if reference == "valid" and ours == "invalid":
        # Rule 1 has exceptions only where the manifest documents a deliberate divergence.
        assert name.startswith("diverge-"), our_errors
        assert expected["why"]
    if reference == "invalid" and ours != "invalid":
        # Rule 2: accepted only with a portability warning naming the reason.
        assert ours == "warn", our_errors
    if any(_NAME_OR_DESCRIPTION.match(error) for error in reference_errors):
        # Rule 3: a missing or invalid name or description is rejected.
        assert ours == "invalid", (reference_errors, our_errors)


def test_flow_style_extra_fields_and_string_tools_are_all_covered() -> None:
    texts = {name: (DATA / name).read_text(encoding="utf-8") for name in EXPECTED}
    assert any(
        "[" in text.split("\n---", 1)[0] and name.startswith("warn-")
        for name, text in texts.items()
    )
    assert any(re.search(r"^allowed-tools: [A-Z]", text, re.MULTILINE) for text in texts.values())
    assert any(
        re.search(r"^(type|effort|argument-hint):", text, re.MULTILINE) for text in texts.values()
    )
