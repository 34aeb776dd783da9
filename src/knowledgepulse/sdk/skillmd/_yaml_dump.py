"""A small block-style YAML writer in the reference's style (sdk-mcp-cli.md §2.5, §8.7 of the API).

Style: 2-space mapping indent, sequences indented under their key (`tags:\\n  - a`),
scalars plain when that is safe, otherwise double-quoted; multi-line strings as block
literals (`|-`); plain and double-quoted scalars folded at spaces to fit 80 columns,
continuation lines indented 2 more than their key. Keys whose value is None are left out.

"Safe" is deliberately narrow: a plain scalar must read back as the same string under
YAML 1.2 *and* YAML 1.1 (so `yes`, `1_000` and dates are quoted for PyYAML-based hosts),
and anything the block-literal rules make fragile falls back to double quotes. The
generate → parse round trip is what is guaranteed; byte equality with the reference's
JavaScript emitter is checked only on the examples of the specs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from knowledgepulse._lib.jsjson import format_number
from knowledgepulse.sdk.skillmd._yaml_load import _resolve_plain

__all__ = ["LINE_WIDTH", "dump_mapping"]

LINE_WIDTH = 80

_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# Scalars that YAML 1.1 readers (PyYAML) resolve to something other than a string.
_YAML11_SPECIAL = re.compile(
    r"(?i:yes|no|on|off|true|false|null|~)"
    r"|[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(?::[0-5]?[0-9])*(?:\.[0-9_]*)?"
    r"(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?|\.(?:inf|Inf|INF))"
    r"|\.(?:nan|NaN|NAN)"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ].*)?",
)
_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\0": "\\0",
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
}


def dump_mapping(mapping: Mapping[str, Any]) -> str:
    """Write a mapping as block-style YAML, without a trailing newline.

    Raises:
        TypeError: a value is not a str, bool, int, float, None, mapping or sequence.
    """
    lines: list[str] = []
    _mapping(mapping, 0, lines)
    return "\n".join(lines)


def _mapping(mapping: Mapping[str, Any], indent: int, lines: list[str]) -> None:
    pad = " " * indent
    for key, value in mapping.items():
        if value is None:
            continue
        head = f"{pad}{_key(str(key))}:"
        if _is_collection(value):
            _collection(value, head, indent, lines)
        else:
            lines.extend(_scalar(value, head + " ", indent + 2))


def _sequence(items: Sequence[Any], indent: int, lines: list[str]) -> None:
    dash = " " * indent + "- "
    for item in items:
        if _is_collection(item) and _has_content(item):
            nested: list[str] = []
            if isinstance(item, Mapping):
                _mapping(item, indent + 2, nested)
            else:
                _sequence(item, indent + 2, nested)
            # The first entry of a nested collection shares the line with the dash.
            lines.append(dash + nested[0][indent + 2 :])
            lines.extend(nested[1:])
        elif _is_collection(item):
            lines.append(dash + ("{}" if isinstance(item, Mapping) else "[]"))
        elif item is None:
            lines.append(dash + "null")
        else:
            lines.extend(_scalar(item, dash, indent + 2))


def _collection(value: Any, head: str, indent: int, lines: list[str]) -> None:
    if not _has_content(value):
        lines.append(head + (" {}" if isinstance(value, Mapping) else " []"))
        return
    lines.append(head)
    if isinstance(value, Mapping):
        _mapping(value, indent + 2, lines)
    else:
        _sequence(value, indent + 2, lines)


def _is_collection(value: Any) -> bool:
    return isinstance(value, Mapping) or (
        isinstance(value, Sequence) and not isinstance(value, str | bytes)
    )


def _has_content(value: Any) -> bool:
    if isinstance(value, Mapping):
        return any(item is not None for item in value.values())
    return len(value) > 0


def _scalar(value: Any, prefix: str, indent: int) -> list[str]:
    if isinstance(value, bool):
        return [prefix + ("true" if value else "false")]
    if isinstance(value, int):
        return [prefix + str(value)]
    if isinstance(value, float):
        if math.isnan(value):
            return [prefix + ".nan"]
        if math.isinf(value):
            return [prefix + (".inf" if value > 0 else "-.inf")]
        text = format_number(value)
        # JavaScript pads big integral floats with zeros, which would read back as a
        # different integer; Python's repr always reads back exactly.
        return [prefix + (text if _resolve_plain(text) == value else repr(value))]
    if isinstance(value, str):
        return _string(value, prefix, indent)
    raise TypeError(f"cannot write a {type(value).__name__} value as SKILL.md YAML")


def _string(text: str, prefix: str, indent: int) -> list[str]:
    if _plain_ok(text):
        return _fold(text, prefix, indent, quoted=False)
    if _literal_ok(text):
        chomp = "|" if text.endswith("\n") else "|-"
        pad = " " * indent
        body = text[:-1] if text.endswith("\n") else text
        return [prefix + chomp, *((pad + line) if line else "" for line in body.split("\n"))]
    return _fold(_double_quoted(text), prefix, indent, quoted=True)


def _key(key: str) -> str:
    return key if _plain_ok(key) else _double_quoted(key)


def _printable(char: str) -> bool:
    # What ruamel's reader accepts raw, minus the characters it treats as line breaks
    # and the BOM, which are safer escaped.
    code = ord(char)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return False
    return not (0xD800 <= code <= 0xDFFF or code in (0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF))


def _plain_ok(text: str) -> bool:
    if not text or text != text.strip() or text[0] in _INDICATORS:
        return False
    if ": " in text or " #" in text or text.endswith(":"):
        return False
    if not all(_printable(char) for char in text):
        return False
    return _resolve_plain(text) == text and not _YAML11_SPECIAL.fullmatch(text)


def _literal_ok(text: str) -> bool:
    if "\n" not in text or text.endswith("\n\n") or not text.strip():
        return False
    lines = text.rstrip("\n").split("\n")
    if any(line != "" and not line.strip() for line in lines):
        return False  # blank-but-not-empty lines confuse indentation detection
    first = next(line for line in lines if line)
    if first[0] in " \t":
        return False  # would need an explicit indentation indicator
    return all(char == "\t" or _printable(char) for line in lines for char in line)


def _double_quoted(text: str) -> str:
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif _printable(char):
            out.append(char)
        elif ord(char) <= 0xFF:
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(f"\\u{ord(char):04x}")
    return '"' + "".join(out) + '"'


def _fold(text: str, prefix: str, indent: int, *, quoted: bool) -> list[str]:
    """Break `text` at single spaces so lines stay within `LINE_WIDTH` where possible."""
    if len(prefix) + len(text) <= LINE_WIDTH:
        return [prefix + text]
    pad = " " * indent
    lines: list[str] = []
    start, column = 0, len(prefix)
    split: int | None = None
    for index in range(1, len(text) - 1):
        if _can_split(text, index, quoted=quoted):
            if column + (index - start) > LINE_WIDTH and split is not None:
                lines.append(text[start:split])
                start, column = split + 1, indent
            split = index
    if column + (len(text) - start) > LINE_WIDTH and split is not None and split > start:
        lines.append(text[start:split])
        start = split + 1
    lines.append(text[start:])
    return [prefix + lines[0], *(pad + line for line in lines[1:])]


def _can_split(text: str, index: int, *, quoted: bool) -> bool:
    if text[index] != " " or text[index - 1] == " " or text[index + 1] == " ":
        return False
    # A plain continuation line must not start like a comment, an entry or another token.
    return quoted or text[index + 1] not in _INDICATORS
