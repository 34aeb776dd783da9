"""`parse_skill_md`: split a SKILL.md into frontmatter and body, load the YAML, validate it (§2.4).

Every failure is a `ValidationError` whose message starts with `Invalid SKILL.md`, so the
registry can return `str(error)` as the `details` of `Invalid SKILL.md format` (§6.4):

* `Invalid SKILL.md: content is too large (...)` / `frontmatter is too large (...)`;
* `Invalid SKILL.md: missing YAML frontmatter delimiters (---)`;
* `Invalid SKILL.md: YAML parse error: <problem> (line L, column C)`, with file positions;
* `Invalid SKILL.md frontmatter` and `Invalid SKILL.md kp extension`, with `issues`.

Limits: the content may hold `MAX_SKILL_MD_BYTES` (1 MiB) of UTF-8, the frontmatter
`MAX_FRONTMATTER_BYTES` (64 KiB); the YAML loader caps values at 10,000 (aliases counted
expanded) and nesting at 32 levels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from knowledgepulse.sdk.errors import ValidationError
from knowledgepulse.sdk.skillmd._schema import check_frontmatter, check_kp
from knowledgepulse.sdk.skillmd._yaml_load import YamlLoadError, load_yaml
from knowledgepulse.sdk.skillmd.models import (
    MAX_FRONTMATTER_BYTES,
    MAX_SKILL_MD_BYTES,
    ParsedSkillMd,
)
from knowledgepulse.sdk.skillmd.portability import portability_reasons

__all__ = [
    "MISSING_DELIMITERS",
    "SkillMdDocument",
    "load_skill_md",
    "oversize_message",
    "parse_skill_md",
    "utf8_size",
]

MISSING_DELIMITERS = "Invalid SKILL.md: missing YAML frontmatter delimiters (---)"

# KD-03: CRLF and a leading BOM are accepted. KD-04: the closing line is `---` plus
# optional blanks, nothing else (the reference also accepts `----` and `---foo`).
_OPENING = re.compile(r"---[ \t]*\r?\n")
_CLOSING = re.compile(r"^---[ \t]*(?:\r?\n|\Z)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class SkillMdDocument:
    """A SKILL.md split and loaded but not yet schema-checked (what `validate` builds on).

    `top` is the frontmatter mapping (`{}` for an empty document or a non-mapping root),
    `styles` the YAML features strict readers refuse, `bom` whether a BOM was stripped.
    """

    top: dict[str, Any]
    body: str
    raw: str
    styles: frozenset[str]
    bom: bool


def utf8_size(text: str) -> int:
    """Size of `text` in UTF-8 bytes (lone surrogates count as 3 bytes)."""
    return len(text.encode("utf-8", "surrogatepass"))


def oversize_message(content: str, max_bytes: int = MAX_SKILL_MD_BYTES) -> str | None:
    """The `content is too large` message, or None when `content` fits in `max_bytes`."""
    # A character takes one to four UTF-8 bytes, so most inputs skip the encode.
    if len(content) * 4 <= max_bytes:
        return None
    size = utf8_size(content)
    if size <= max_bytes:
        return None
    return f"Invalid SKILL.md: content is too large ({size} bytes; the limit is {max_bytes})"


def load_skill_md(content: str, *, max_bytes: int = MAX_SKILL_MD_BYTES) -> SkillMdDocument:
    """Split `content` and load its frontmatter, without checking the schema.

    Raises:
        ValidationError: too large, missing delimiters, or YAML that does not load.
    """
    message = oversize_message(content, max_bytes)
    if message is not None:
        raise ValidationError(message)
    text = content.removeprefix("\ufeff")
    opening = _OPENING.match(text)
    closing = _CLOSING.search(text, opening.end()) if opening else None
    if opening is None or closing is None:
        raise ValidationError(MISSING_DELIMITERS)
    frontmatter = text[opening.end() : closing.start()]
    size = utf8_size(frontmatter)
    if size > MAX_FRONTMATTER_BYTES:
        raise ValidationError(
            f"Invalid SKILL.md: frontmatter is too large ({size} bytes; "
            f"the limit is {MAX_FRONTMATTER_BYTES})"
        )
    try:
        loaded = load_yaml(frontmatter.replace("\r\n", "\n"))
    except YamlLoadError as exc:
        raise ValidationError(f"Invalid SKILL.md: YAML parse error: {_where(exc)}") from None
    # §2.4: an empty document is an empty mapping (KD-02); another root has no keys.
    top = loaded.value if isinstance(loaded.value, dict) else {}
    return SkillMdDocument(
        top=top,
        body=text[closing.end() :],
        raw=content,
        styles=frozenset(loaded.styles),
        bom=content.startswith("\ufeff"),
    )


def parse_skill_md(content: str, *, max_bytes: int = MAX_SKILL_MD_BYTES) -> ParsedSkillMd:
    """Parse and validate a SKILL.md (§2.4); the body keeps its leading blank lines.

    Raises:
        ValidationError: see the module docstring for the messages; schema failures
            carry `issues` with paths such as `name`, `tags.1` or `metadata.kp.visibility`.
    """
    document = load_skill_md(content, max_bytes=max_bytes)
    frontmatter, issues = check_frontmatter(document.top)
    if frontmatter is None:
        raise ValidationError("Invalid SKILL.md frontmatter", issues)
    kp, kp_issues = check_kp(document.top)
    if kp_issues:
        raise ValidationError("Invalid SKILL.md kp extension", kp_issues)
    return ParsedSkillMd(
        frontmatter=frontmatter,
        kp=kp,
        body=document.body,
        raw=content,
        portability=tuple(portability_reasons(document.top, document.styles, bom=document.bom)),
    )


def _where(exc: YamlLoadError) -> str:
    if exc.line is None:
        return exc.problem
    # The frontmatter starts on the file's second line; people count from 1.
    return f"{exc.problem} (line {exc.line + 2}, column {(exc.column or 0) + 1})"
