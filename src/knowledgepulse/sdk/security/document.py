"""Split a folded SKILL.md into segments a rule can read: prose, code, comments, hidden text.

Every segment remembers which file line each of its characters came from, so findings
point at the right line whatever channel the text travelled through.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from enum import StrEnum

from knowledgepulse.sdk.security.normalize import LineInfo

__all__ = ["Segment", "Zone", "segment_document"]

_FENCE_OPEN = re.compile(r"^\s{0,3}(`{3,}|~{3,})\s*([\w+#.-]*)")
_BLOCK_START = re.compile(r"^\s*(?:#{1,6}\s|[-*+]\s|\d+[.)]\s|\|)")
_QUOTE = re.compile(r"^\s*>\s?")
_FRONT_CLOSE = re.compile(r"---[ \t]*")


class Zone(StrEnum):
    """Where a segment's text sits, which decides how much a match in it means."""

    FRONTMATTER = "frontmatter"
    PROSE = "prose"
    CODE = "code"
    COMMENT = "comment"
    HIDDEN = "hidden"


@dataclass(slots=True)
class Segment:
    """A run of text from one zone, with the file line of each of its lines."""

    zone: Zone
    text: str
    offsets: list[int]
    lines: list[int]
    lang: str = ""
    channel: str = ""
    quoted: bool = False
    depth: int = 0
    context: str = field(default="", repr=False)

    @classmethod
    def from_lines(cls, zone: Zone, numbered: list[tuple[int, str]], **extra: object) -> Segment:
        """Join `(line_number, text)` pairs with newlines, keeping the line map."""
        offsets: list[int] = []
        lines: list[int] = []
        parts: list[str] = []
        pos = 0
        for number, text in numbered:
            offsets.append(pos)
            lines.append(number)
            parts.append(text)
            pos += len(text) + 1
        return cls(zone, "\n".join(parts), offsets, lines, **extra)  # type: ignore[arg-type]

    @classmethod
    def hidden(cls, text: str, line: int, channel: str, depth: int = 1) -> Segment:
        """Text recovered from a hidden channel, all of it anchored to `line`."""
        return cls(Zone.HIDDEN, text, [0], [line], channel=channel, depth=depth)

    def line_at(self, offset: int) -> int:
        """The file line of the character at `offset`."""
        return self.lines[max(bisect.bisect_right(self.offsets, offset) - 1, 0)]


def _frontmatter_end(infos: list[LineInfo]) -> int:
    """Index of the closing `---` line, or -1 when the file has no frontmatter."""
    if not infos or infos[0].folded.lstrip("\ufeff").strip() != "---":
        return -1
    for i in range(1, len(infos)):
        if _FRONT_CLOSE.fullmatch(infos[i].folded):
            return i
    return -1


@dataclass(slots=True)
class _Builder:
    segments: list[Segment] = field(default_factory=list)
    para: list[tuple[int, str]] = field(default_factory=list)
    para_quoted: bool = False

    def flush(self) -> None:
        if self.para and any(t.strip() for _, t in self.para):
            self.segments.append(Segment.from_lines(Zone.PROSE, self.para, quoted=self.para_quoted))
        self.para = []

    def prose(self, number: int, text: str) -> None:
        if not text.strip():
            self.flush()
            return
        quoted = bool(_QUOTE.match(text))
        if quoted:
            text = _QUOTE.sub("", text, count=1)
        if _BLOCK_START.match(text) or quoted != self.para_quoted:
            self.flush()
        self.para_quoted = quoted
        self.para.append((number, text))


def segment_document(infos: list[LineInfo]) -> list[Segment]:
    """Cut folded lines into frontmatter, prose paragraphs, code blocks and HTML comments."""
    out = _Builder()
    end = _frontmatter_end(infos)
    if end > 0:
        front = [(li.number, li.folded) for li in infos[1:end]]
        if front:
            out.segments.append(Segment.from_lines(Zone.FRONTMATTER, front))
    fence = ""
    code: list[tuple[int, str]] = []
    lang = ""
    comment: list[tuple[int, str]] | None = None
    for li in infos[end + 1 :]:
        text, number = li.folded, li.number
        if fence:
            stripped = text.strip()
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                out.segments.append(Segment.from_lines(Zone.CODE, code, lang=lang))
                fence, code = "", []
            else:
                code.append((number, text))
            continue
        if comment is None:
            opened = _FENCE_OPEN.match(text)
            if opened:
                out.flush()
                fence, lang, code = opened.group(1), opened.group(2).lower(), []
                continue
        visible: list[str] = []
        pos = 0
        while pos <= len(text):
            if comment is not None:
                close = text.find("-->", pos)
                if close < 0:
                    comment.append((number, text[pos:]))
                    pos = len(text) + 1
                    break
                comment.append((number, text[pos:close]))
                out.segments.append(
                    Segment.from_lines(Zone.COMMENT, comment, channel="an HTML comment")
                )
                comment = None
                visible.append(" " * (close + 3 - pos))
                pos = close + 3
                continue
            start = text.find("<!--", pos)
            if start < 0:
                visible.append(text[pos:])
                break
            visible.append(text[pos:start])
            comment = []
            pos = start + 4
        out.prose(number, "".join(visible))
    out.flush()
    if fence and code:
        out.segments.append(Segment.from_lines(Zone.CODE, code, lang=lang))
    if comment:
        out.segments.append(Segment.from_lines(Zone.COMMENT, comment, channel="an HTML comment"))
    for i, seg in enumerate(out.segments):
        following = out.segments[i + 1].text if i + 1 < len(out.segments) else ""
        seg.context = seg.text + "\n" + following
    return out.segments
