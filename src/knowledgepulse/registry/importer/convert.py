"""Notion blocks and Confluence ADF documents to a ParseResult (registry-api.md §8.12).

Pure functions over already-decoded JSON. Upstream data is untrusted: anything that does
not have the expected shape contributes no text instead of failing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ParseResult", "Section", "adf_to_result", "notion_to_result"]

# ADF documents nest; deeper than this is not a page anyone wrote by hand.
MAX_ADF_DEPTH = 200


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and the text under it."""

    heading: str
    content: str

    def to_wire(self) -> dict[str, str]:
        """`{heading, content}`."""
        return {"heading": self.heading, "content": self.content}


@dataclass(frozen=True, slots=True)
class ParseResult:
    """The import proxy's answer: all text, the headed sections, and source metadata."""

    text: str
    sections: list[Section] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_wire(self) -> dict[str, Any]:
        """The ParseResult JSON object."""
        return {
            "text": self.text,
            "sections": [section.to_wire() for section in self.sections],
            "metadata": self.metadata,
        }


class _Sections:
    """Collects the text lines and the sections; a section needs a non-empty heading."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.sections: list[Section] = []
        self._heading = ""
        self._lines: list[str] = []

    def heading(self, text: str) -> None:
        self._close()
        if text:
            self.texts.append(text)
        self._heading, self._lines = text, []

    def line(self, text: str) -> None:
        if text:
            self.texts.append(text)
            self._lines.append(text)

    def result(self, metadata: dict[str, Any]) -> ParseResult:
        self._close()
        return ParseResult("\n".join(self.texts), self.sections, metadata)

    def _close(self) -> None:
        if self._heading:
            self.sections.append(Section(self._heading, "\n".join(self._lines).strip()))
        self._heading, self._lines = "", []


def notion_to_result(blocks: Iterable[Any]) -> ParseResult:
    """The Notion rule: a block's text is its rich-text `plain_text`; `heading_*` blocks
    open sections; text before the first heading is in `text` only."""
    collected = _Sections()
    for block in blocks:
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        kind = kind if isinstance(kind, str) else ""
        text = _notion_text(block.get(kind)) if kind else ""
        if kind.startswith("heading_"):
            collected.heading(text)
        else:
            collected.line(text)
    return collected.result({"format": "notion"})


def _notion_text(value: Any) -> str:
    rich = value.get("rich_text") if isinstance(value, dict) else None
    if not isinstance(rich, list):
        return ""
    return "".join(
        item["plain_text"]
        for item in rich
        if isinstance(item, dict) and isinstance(item.get("plain_text"), str)
    )


def adf_to_result(document: Any, *, page_id: str, title: Any) -> ParseResult:
    """The ADF rule: a top-level node's text is all its descendant `text` nodes;
    `heading` nodes open sections."""
    collected = _Sections()
    nodes = document.get("content") if isinstance(document, dict) else None
    for node in nodes if isinstance(nodes, list) else []:
        if not isinstance(node, dict):
            continue
        text = "".join(_adf_texts(node, 0))
        if node.get("type") == "heading":
            collected.heading(text)
        else:
            collected.line(text)
    metadata: dict[str, Any] = {"format": "confluence", "pageId": page_id}
    if isinstance(title, str):
        metadata["title"] = title
    return collected.result(metadata)


def _adf_texts(node: dict[str, Any], depth: int) -> Iterable[str]:
    if depth > MAX_ADF_DEPTH:
        return
    if node.get("type") == "text" and isinstance(node.get("text"), str):
        yield node["text"]
    children = node.get("content")
    if isinstance(children, list):
        for child in children:
            if isinstance(child, dict):
                yield from _adf_texts(child, depth + 1)
