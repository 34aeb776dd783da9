"""Compact JS JSON (sdk-mcp-cli.md §0.4): JavaScript's JSON.stringify, byte for byte."""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from enum import StrEnum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledgepulse._lib.jsjson import dumps, dumps_bytes, format_number

# (value, what JavaScript's String(value) prints)
NUMBER_VECTORS = [
    (0, "0"),
    (0.0, "0"),
    (-0.0, "0"),
    (1.0, "1"),
    (-1.0, "-1"),
    (100.0, "100"),
    (1.5, "1.5"),
    (0.1, "0.1"),
    (0.30000000000000004, "0.30000000000000004"),
    (1 / 3, "0.3333333333333333"),
    (0.0001, "0.0001"),
    (0.000123, "0.000123"),
    (5e-5, "0.00005"),
    (1e-6, "0.000001"),
    (1.234e-6, "0.000001234"),
    (1e-7, "1e-7"),
    (-1e-7, "-1e-7"),
    (1.5e-7, "1.5e-7"),
    (1.23e-18, "1.23e-18"),
    (5e-324, "5e-324"),
    (1e16, "10000000000000000"),
    (1e20, "100000000000000000000"),
    (1e21 - 131072, "999999999999999900000"),
    (1e21, "1e+21"),
    (-1e21, "-1e+21"),
    (1.2345e21, "1.2345e+21"),
    (2.0**60, "1152921504606847000"),
    (2.0**70, "1.1805916207174113e+21"),
    (1.7976931348623157e308, "1.7976931348623157e+308"),
    (12345678.9, "12345678.9"),
    (2**53, "9007199254740992"),
    (2**53 + 1, "9007199254740992"),
    (10**25, "1e+25"),
    (10**400, "Infinity"),
    (math.nan, "NaN"),
    (math.inf, "Infinity"),
    (-math.inf, "-Infinity"),
]


@pytest.mark.parametrize(("value", "expected"), NUMBER_VECTORS)
def test_format_number_prints_what_javascript_prints(value: float, expected: str) -> None:
    assert format_number(value) == expected


@pytest.mark.parametrize("value", [True, "1", None])
def test_format_number_rejects_non_numbers(value: Any) -> None:
    with pytest.raises(TypeError):
        format_number(value)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_format_number_round_trips_every_finite_float(x: float) -> None:
    assert float(format_number(x)) == x


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_format_number_uses_javascript_notation(x: float) -> None:
    text = format_number(x)
    assert "e-0" not in text
    assert "e+0" not in text
    if x.is_integer() and abs(x) < 1e21:
        assert "." not in text
        assert "e" not in text
    if 1e-6 <= abs(x) < 1e21:
        assert "e" not in text


@given(st.floats(min_value=1e-4, max_value=1e15), st.booleans())
def test_format_number_agrees_with_repr_where_the_notations_coincide(
    x: float, negative: bool
) -> None:
    x = -x if negative else x
    expected = repr(x) if not x.is_integer() else str(int(x))
    assert format_number(x) == expected


def test_dumps_writes_no_whitespace_and_keeps_insertion_order() -> None:
    value = {"b": 1, "a": [1, 2, {"z": None, "y": True}], "c": "x"}
    assert dumps(value) == '{"b":1,"a":[1,2,{"z":null,"y":true}],"c":"x"}'


def test_dumps_writes_non_ascii_as_is() -> None:
    value = {"t": "Free listing — no credits required", "e": "é😀\u2028"}
    assert dumps(value) == '{"t":"Free listing — no credits required","e":"é😀\u2028"}'


def test_dumps_escapes_control_characters_like_javascript() -> None:
    assert dumps('\b\f\n\r\t\x01\x1f"\\\x7f') == '"\\b\\f\\n\\r\\t\\u0001\\u001f\\"\\\\\x7f"'


def test_dumps_renders_integral_floats_as_integers() -> None:
    assert dumps({"quality_score": 1.0, "uses": [0.0, -0.0, 3.0]}) == (
        '{"quality_score":1,"uses":[0,0,3]}'
    )


def test_dumps_renders_non_finite_numbers_as_null() -> None:
    assert dumps([math.nan, math.inf, -math.inf, 10**400]) == "[null,null,null,null]"


def test_dumps_uses_javascript_exponents_anywhere_in_the_tree() -> None:
    value = {"a": {"b": [1e-7, 5e-5, 1e21, 2.0**60, 0.5]}, "k": 1.0}
    assert dumps(value) == '{"a":{"b":[1e-7,0.00005,1e+21,1152921504606847000,0.5]},"k":1}'


def test_dumps_writes_tuples_as_arrays() -> None:
    assert dumps({"t": (1, "a", (2.0,))}) == '{"t":[1,"a",[2]]}'


def test_dumps_writes_non_string_keys_as_javascript_does() -> None:
    assert dumps({1: "a", 2.0: "b", 1.5: "c", None: "d", False: "e"}) == (
        '{"1":"a","2":"b","1.5":"c","null":"d","false":"e"}'
    )


def test_dumps_accepts_str_enums_and_mapping_subclasses() -> None:
    class Color(StrEnum):
        RED = "red"

    assert dumps(OrderedDict([("c", Color.RED), ("n", 2.0)])) == '{"c":"red","n":2}'


def test_dumps_escapes_lone_surrogates_like_well_formed_json_stringify() -> None:
    assert dumps({"s": "a\ud800b"}) == '{"s":"a\\ud800b"}'
    assert dumps_bytes("\udfff") == b'"\\udfff"'


def test_dumps_bytes_is_the_utf8_encoding() -> None:
    value = {"name": "Zoë", "n": 1.0}
    assert dumps_bytes(value) == '{"name":"Zoë","n":1}'.encode()


def test_dumps_does_not_modify_its_input() -> None:
    value = {"a": [1.0, {"b": 1e-7}], "c": math.nan}
    dumps(value)
    assert value["a"] == [1.0, {"b": 1e-7}]
    assert type(value["a"][0]) is float
    assert math.isnan(value["c"])


def test_dumps_rejects_reference_cycles() -> None:
    cycle: list[Any] = []
    cycle.append(cycle)
    with pytest.raises(ValueError, match="Circular"):
        dumps(cycle)


@pytest.mark.parametrize("value", [{"x": object()}, {(1, 2): "tuple key"}, {1e-7: object()}])
def test_dumps_rejects_values_json_cannot_represent(value: Any) -> None:
    with pytest.raises(TypeError):
        dumps(value)


def test_dumps_matches_compact_json_when_no_float_is_integral() -> None:
    # The equivalence the spec checked against the reference's SHA-256 values.
    value = {"x": [0.92, "é", {"y": -3, "z": None}], "w": False}
    assert dumps(value) == json.dumps(value, separators=(",", ":"), ensure_ascii=False)


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=50)
@given(_json_values)
def test_dumps_output_parses_back_to_an_equal_value(value: Any) -> None:
    # Parse numbers as a JavaScript engine would: every number is a double.
    assert json.loads(dumps(value), parse_int=_js_int) == value


def _js_int(text: str) -> int | float:
    number = int(text)
    return number if abs(number) <= 2**53 else float(number)


@settings(max_examples=50)
@given(_json_values)
def test_fast_and_slow_paths_agree(value: Any) -> None:
    # A tiny float anywhere forces the pure-Python encoder for the whole document.
    assert dumps([value, 1e-7]) == "[" + dumps(value) + ",1e-7]"
