"""Compact JS JSON: byte-for-byte what JavaScript's `JSON.stringify(value)` prints.

Rules (sdk-mcp-cli.md §0.4, registry-api.md §1): no whitespace, keys in insertion order,
non-ASCII written raw, numbers formatted as JavaScript formats them (`1` not `1.0`,
`1e-7` not `1e-07`, `1e+21`), NaN and ±Infinity rendered as `null`.

Hashes and idempotency keys are computed over this text, and the registry renders every
response with it, so the common path is the C encoder of the standard library: a pre-pass
rewrites the few floats whose Python rendering differs from JavaScript's (integral floats
become ints, non-finite floats become None) and only documents holding a float that
neither type can express (below 1e-4 or at least 1e21 in magnitude) take the slower
pure-Python encoder.
"""

from __future__ import annotations

import json
import math
import re
from json.encoder import encode_basestring
from typing import Any

__all__ = ["dumps", "dumps_bytes", "format_number"]

# Integers up to 2**53 are exact doubles, and their decimal text is the shortest round trip.
_MAX_EXACT_INT = 2**53
# Below this magnitude Python's repr switches to exponent form while JavaScript still
# prints plain decimals (down to 1e-6) or a differently padded exponent (`1e-7`).
_MIN_PLAIN_REPR = 1e-4
# At and above this magnitude JavaScript prints an exponent (`1e+21`).
_JS_EXPONENT_FROM = 1e21

_fast_encode = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False, check_circular=True
).encode

# JSON.stringify escapes lone surrogates (well-formed JSON.stringify, ES2019).
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class _NeedsSlowPath(Exception):
    """Raised by the pre-pass when the C encoder cannot produce the JavaScript text."""


def format_number(x: float | int) -> str:
    """Render a number as JavaScript's `String(x)` does.

    Non-finite values give `NaN`, `Infinity` and `-Infinity` (JSON output maps them to
    `null`). Integers beyond 2**53 are rounded to the nearest double first, as a
    JavaScript parser would have done.

    Raises:
        TypeError: `x` is a bool or not a number.
    """
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise TypeError(f"expected a number, got {type(x).__name__}")
    if isinstance(x, int):
        if -_MAX_EXACT_INT <= x <= _MAX_EXACT_INT:
            return str(int(x))
        try:
            x = float(x)
        except OverflowError:
            return "Infinity" if x > 0 else "-Infinity"
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"  # also for -0, as JavaScript prints it
    if x.is_integer() and abs(x) < _MAX_EXACT_INT:
        return str(int(x))
    sign = "-" if x < 0 else ""
    digits, point = _shortest_digits(abs(x))
    return sign + _layout(digits, point)


def _shortest_digits(x: float) -> tuple[str, int]:
    """Shortest round-trip significant digits of `x` > 0 and the decimal point position.

    The value equals `0.<digits> * 10**point`; Python's repr already picks the shortest
    round-trip digits, as the ECMAScript Number::toString algorithm requires.
    """
    text = repr(x)
    mantissa, _, exponent = text.partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + (int(exponent) if exponent else 0)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    return stripped.rstrip("0"), point


def _layout(digits: str, point: int) -> str:
    """Place the decimal point as ECMAScript Number::toString does (k digits, n = point)."""
    k = len(digits)
    if k <= point <= 21:
        return digits + "0" * (point - k)
    if 0 < point <= 21:
        return digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return "0." + "0" * -point + digits
    exponent = point - 1
    exp_text = ("+" if exponent >= 0 else "-") + str(abs(exponent))
    if k == 1:
        return digits + "e" + exp_text
    return digits[0] + "." + digits[1:] + "e" + exp_text


def _json_number(x: float | int) -> str:
    text = format_number(x)
    return "null" if text in ("NaN", "Infinity", "-Infinity") else text


def _prepare_float(x: float) -> Any:
    if math.isnan(x) or math.isinf(x):
        return None
    if x.is_integer():
        if abs(x) < _MAX_EXACT_INT:
            return int(x)
        if abs(x) < _JS_EXPONENT_FROM:
            # JavaScript pads the shortest digits with zeros, which an int reproduces.
            return int(format_number(x))
        raise _NeedsSlowPath
    if abs(x) >= _MIN_PLAIN_REPR:
        return x
    raise _NeedsSlowPath


def _prepare_int(n: int) -> Any:
    try:
        return _prepare_float(float(n))
    except OverflowError:
        return None


def _prepare(o: Any) -> Any:
    """Return `o`, or a copy whose numbers the C encoder renders as JavaScript does.

    The scalar tests are inlined in the loops because this walk runs on every response.
    """
    t = type(o)
    if t is dict or isinstance(o, dict):
        changed: dict[Any, Any] | None = None
        for key, value in o.items():
            if type(key) is not str and not isinstance(key, str):
                raise _NeedsSlowPath
            vt = type(value)
            if vt is str or vt is bool or value is None:
                continue
            if vt is int and -_MAX_EXACT_INT <= value <= _MAX_EXACT_INT:
                continue
            # Finite, non-integral and not tiny: repr and JavaScript agree.
            if (
                vt is float
                and _MIN_PLAIN_REPR <= abs(value) < _MAX_EXACT_INT
                and not value.is_integer()
            ):
                continue
            new = _prepare(value)
            if new is not value:
                if changed is None:
                    changed = dict(o)
                changed[key] = new
        return o if changed is None else changed
    if t is list or isinstance(o, list | tuple):
        items: list[Any] | None = None
        for index, value in enumerate(o):
            vt = type(value)
            if vt is str or vt is bool or value is None:
                continue
            if vt is int and -_MAX_EXACT_INT <= value <= _MAX_EXACT_INT:
                continue
            if (
                vt is float
                and _MIN_PLAIN_REPR <= abs(value) < _MAX_EXACT_INT
                and not value.is_integer()
            ):
                continue
            new = _prepare(value)
            if new is not value:
                if items is None:
                    items = list(o)
                items[index] = new
        return o if items is None else items
    if t is str or t is bool or o is None:
        return o
    if t is float:
        return _prepare_float(o)
    if t is int:
        return o if -_MAX_EXACT_INT <= o <= _MAX_EXACT_INT else _prepare_int(o)
    if isinstance(o, str):
        return o
    if isinstance(o, float):
        return _prepare_float(float(o))
    if isinstance(o, int):
        return _prepare_int(int(o)) if abs(o) > _MAX_EXACT_INT else int(o)
    raise _NeedsSlowPath


def _key_text(key: Any) -> str:
    if isinstance(key, str):
        return key
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int | float):
        return format_number(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _encode_slow(o: Any, parts: list[str], active: set[int]) -> None:
    if isinstance(o, str):
        parts.append(encode_basestring(o))
    elif o is None:
        parts.append("null")
    elif o is True:
        parts.append("true")
    elif o is False:
        parts.append("false")
    elif isinstance(o, int | float):
        parts.append(_json_number(o))
    elif isinstance(o, dict | list | tuple):
        marker = id(o)
        if marker in active:
            raise ValueError("Circular reference detected")
        active.add(marker)
        if isinstance(o, dict):
            parts.append("{")
            for index, (key, value) in enumerate(o.items()):
                if index:
                    parts.append(",")
                parts.append(encode_basestring(_key_text(key)))
                parts.append(":")
                _encode_slow(value, parts, active)
            parts.append("}")
        else:
            parts.append("[")
            for index, value in enumerate(o):
                if index:
                    parts.append(",")
                _encode_slow(value, parts, active)
            parts.append("]")
        active.discard(marker)
    else:
        raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


def _dumps_text(obj: Any) -> str:
    try:
        return _fast_encode(_prepare(obj))
    except (_NeedsSlowPath, RecursionError):
        parts: list[str] = []
        _encode_slow(obj, parts, set())
        return "".join(parts)


def dumps(obj: Any) -> str:
    """Serialize `obj` (dicts, lists, tuples, str, numbers, bools, None) as compact JS JSON.

    Raises:
        TypeError: a value or key has a type JSON cannot represent.
        ValueError: the structure contains a reference cycle.
    """
    text = _dumps_text(obj)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = _escape_lone_surrogates(text)
    return text


def dumps_bytes(obj: Any) -> bytes:
    """`dumps(obj)` encoded as UTF-8 (what goes on the wire and into hashes)."""
    text = _dumps_text(obj)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _escape_lone_surrogates(text).encode("utf-8")


def _escape_lone_surrogates(text: str) -> str:
    # A surrogate can only sit inside a string literal, so escaping it in place is safe.
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
