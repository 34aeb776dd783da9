"""A bounded YAML 1.2 core-schema loader for SKILL.md frontmatter, built on ruamel.yaml events.

ruamel.yaml only scans and parses here; this module composes the values itself because:

* ruamel's own 1.2 resolver is wider than the core schema the reference's parser uses
  (it reads `2024-01-01` as a timestamp, `1_000` and `0b1` as integers), while
  sdk-mcp-cli.md §2.2 needs dates to stay strings;
* a hostile document must not exhaust memory: aliases are expanded against a node budget
  (a "billion laughs" document stops at `MAX_YAML_NODES`) and nesting is capped at
  `MAX_YAML_DEPTH` without recursion;
* the features that strict Agent Skills readers refuse (flow collections, anchors, tags,
  unevenly indented sibling mappings) are recorded for the portability warnings of §2.7.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from ruamel.yaml.reader import ReaderError

__all__ = [
    "MAX_YAML_DEPTH",
    "MAX_YAML_NODES",
    "LoadedYaml",
    "YamlLoadError",
    "YamlStyle",
    "load_yaml",
]

#: Most values (scalars plus collections, aliases counted expanded) one document may hold.
MAX_YAML_NODES = 10_000
#: Deepest nesting of collections; real frontmatter is 3 levels deep.
MAX_YAML_DEPTH = 32

_CORE = "tag:yaml.org,2002:"
_NULL = re.compile(r"~|null|Null|NULL|")
_TRUE = re.compile(r"true|True|TRUE")
_FALSE = re.compile(r"false|False|FALSE")
_INT_DEC = re.compile(r"[-+]?[0-9]+")
_INT_OCT = re.compile(r"0o[0-7]+")
_INT_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)")


class YamlStyle:
    """Names of the YAML features that strict readers (strictyaml, `skills-ref`) refuse."""

    FLOW = "flow"
    ANCHOR = "anchor"
    TAG = "tag"
    INDENT = "indent"


class YamlLoadError(ValueError):
    """The text is not a YAML document this loader accepts; `str()` is one line."""

    def __init__(self, problem: str, line: int | None = None, column: int | None = None) -> None:
        self.problem = problem
        self.line = line  # 0-based, relative to the loaded text
        self.column = column
        super().__init__(problem)


@dataclass(slots=True)
class LoadedYaml:
    """The composed value (None for an empty document) and the strict-reader features used."""

    value: Any
    styles: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _Frame:
    container: dict[str, Any] | list[Any]
    anchor: str | None
    start: int  # node count when the collection started, to size it for aliases
    key: str | None = None
    has_key: bool = False
    child_map_column: int | None = None  # column of the first block mapping value


def load_yaml(text: str) -> LoadedYaml:
    """Load one YAML document with YAML 1.2 core-schema scalars and bounded expansion.

    Raises:
        YamlLoadError: syntax errors, several documents, duplicate or non-scalar keys,
            unsupported tags, recursive aliases, or a document over the node/depth limits.
    """
    loader = _Loader()
    try:
        for event in YAML(typ="safe", pure=True).parse(text):
            loader.feed(event)
    except MarkedYAMLError as exc:
        raise _from_marked(exc) from None
    except ReaderError as exc:
        raise _from_reader(exc, text) from None
    except YAMLError as exc:
        raise YamlLoadError(_one_line(str(exc))) from None
    return LoadedYaml(loader.result, loader.styles)


class _Loader:
    """An iterative composer fed with parser events (no recursion, so no depth crash)."""

    def __init__(self) -> None:
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int] | None] = {}
        self.nodes = 0
        self.documents = 0
        self.result: Any = None
        self.styles: set[str] = set()

    def feed(self, event: Any) -> None:
        if isinstance(event, DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise _at(event, "expected a single YAML document, found another one")
        elif isinstance(event, ScalarEvent):
            self._count(1, event)
            if event.tag is not None:
                self.styles.add(YamlStyle.TAG)
            value = _scalar(event)
            if event.anchor is not None:
                self.styles.add(YamlStyle.ANCHOR)
                self.anchors[event.anchor] = (value, 1)
            self._add(value, event, is_scalar=True, source=event.value)
        elif isinstance(event, MappingStartEvent | SequenceStartEvent):
            self._start(event)
        elif isinstance(event, MappingEndEvent | SequenceEndEvent):
            self._end(event)
        elif isinstance(event, AliasEvent):
            self._alias(event)
        elif isinstance(event, StreamEndEvent) and self.stack:
            raise _at(event, "unexpected end of the YAML document")

    def _count(self, amount: int, event: Any) -> None:
        self.nodes += amount
        if self.nodes > MAX_YAML_NODES:
            raise _at(event, f"too many YAML values (the limit is {MAX_YAML_NODES})")

    def _start(self, event: Any) -> None:
        self._count(1, event)
        if len(self.stack) >= MAX_YAML_DEPTH:
            raise _at(event, f"YAML nesting is too deep (the limit is {MAX_YAML_DEPTH})")
        if event.flow_style:
            self.styles.add(YamlStyle.FLOW)
        if event.tag is not None:
            self.styles.add(YamlStyle.TAG)
            kind = "map" if isinstance(event, MappingStartEvent) else "seq"
            if event.tag not in ("!", _CORE + kind):
                raise _at(event, f"unsupported YAML tag {event.tag}")
        if event.anchor is not None:
            self.styles.add(YamlStyle.ANCHOR)
            self.anchors[event.anchor] = None  # in progress: an alias to it is recursive
        if self.stack and isinstance(event, MappingStartEvent) and not event.flow_style:
            self._check_sibling_indent(event)
        if self.stack and isinstance(self.stack[-1].container, dict) and not self.stack[-1].has_key:
            raise _at(event, "mapping keys must be plain values, not collections")
        container: dict[str, Any] | list[Any] = {} if isinstance(event, MappingStartEvent) else []
        self.stack.append(_Frame(container, event.anchor, self.nodes - 1))

    def _check_sibling_indent(self, event: Any) -> None:
        # strictyaml refuses block mappings whose sibling mapping values start in
        # different columns; remember the first one and compare the rest.
        parent = self.stack[-1]
        if not isinstance(parent.container, dict) or not parent.has_key:
            return
        column = event.start_mark.column
        if parent.child_map_column is None:
            parent.child_map_column = column
        elif parent.child_map_column != column:
            self.styles.add(YamlStyle.INDENT)

    def _end(self, event: Any) -> None:
        frame = self.stack.pop()
        size = self.nodes - frame.start
        self._add(frame.container, event, is_scalar=False, source=None)
        if frame.anchor is not None:
            self.anchors[frame.anchor] = (frame.container, size)

    def _alias(self, event: Any) -> None:
        self.styles.add(YamlStyle.ANCHOR)
        if event.anchor not in self.anchors:
            raise _at(event, f"found undefined alias *{event.anchor}")
        target = self.anchors[event.anchor]
        if target is None:
            raise _at(event, f"alias *{event.anchor} refers to a collection that contains it")
        value, size = target
        self._count(size, event)
        is_scalar = not isinstance(value, dict | list)
        # A copy keeps later edits of one occurrence from changing the others.
        self._add(copy.deepcopy(value), event, is_scalar=is_scalar, source=None)

    def _add(self, value: Any, event: Any, *, is_scalar: bool, source: str | None) -> None:
        if not self.stack:
            self.result = value
            return
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            frame.container.append(value)
        elif not frame.has_key:
            if not is_scalar:
                raise _at(event, "mapping keys must be plain values, not collections")
            key = _key_text(value, source)
            if key in frame.container:
                raise _at(event, f'duplicate key "{key}"')
            frame.key, frame.has_key = key, True
        else:
            assert frame.key is not None
            frame.container[frame.key] = value
            frame.key, frame.has_key = None, False


def _key_text(value: Any, source: str | None) -> str:
    if isinstance(value, str):
        return value
    # Non-string keys (`1:`, `true:`) become their source text, as JSON object keys must.
    return source if source is not None else str(value)


_TYPED_TAGS: dict[str, type] = {
    _CORE + "null": type(None),
    _CORE + "bool": bool,
    _CORE + "int": int,
    _CORE + "float": float,
}


def _scalar(event: Any) -> Any:
    tag = event.tag
    if tag is None:
        plain = event.style is None and event.implicit[0]
        return _resolve_plain(event.value) if plain else event.value
    if tag in ("!", _CORE + "str"):
        return event.value
    expected = _TYPED_TAGS.get(tag)
    if expected is None:
        raise _at(event, f"unsupported YAML tag {tag}")
    value = _resolve_plain(event.value)
    if expected is float and type(value) is int:
        value = float(value)
    if type(value) is not expected:
        raise _at(event, f"{event.value!r} is not a valid {tag.removeprefix(_CORE)}")
    return value


def _resolve_plain(text: str) -> Any:
    """Resolve a plain scalar with the YAML 1.2 core schema."""
    if _NULL.fullmatch(text):
        return None
    if _TRUE.fullmatch(text):
        return True
    if _FALSE.fullmatch(text):
        return False
    if _INT_DEC.fullmatch(text):
        return int(text)
    if _INT_OCT.fullmatch(text):
        return int(text[2:], 8)
    if _INT_HEX.fullmatch(text):
        return int(text[2:], 16)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _INF.fullmatch(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.fullmatch(text):
        return math.nan
    return text


def _at(event: Any, problem: str) -> YamlLoadError:
    mark = event.start_mark
    return YamlLoadError(problem, mark.line, mark.column)


def _from_marked(exc: MarkedYAMLError) -> YamlLoadError:
    problem = _one_line(exc.problem or exc.context or "invalid YAML")
    if exc.context and exc.problem:
        problem = f"{_one_line(exc.context)}: {problem}"
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return YamlLoadError(problem)
    return YamlLoadError(problem, mark.line, mark.column)


def _from_reader(exc: ReaderError, text: str) -> YamlLoadError:
    # The reader reports an offset into the text; people want a line and a column.
    position = exc.position if isinstance(exc.position, int) else 0
    line = text.count("\n", 0, position)
    column = position - (text.rfind("\n", 0, position) + 1)
    code = exc.character if isinstance(exc.character, int) else 0
    return YamlLoadError(f"character U+{code:04X} is not allowed in YAML", line, column)


def _one_line(text: str) -> str:
    return " ".join(text.split())
