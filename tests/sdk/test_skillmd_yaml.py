"""The bounded YAML 1.2 loader and the block-style writer behind SKILL.md frontmatter."""

from __future__ import annotations

import contextlib
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledgepulse.sdk.skillmd._yaml_dump import dump_mapping
from knowledgepulse.sdk.skillmd._yaml_load import (
    MAX_YAML_DEPTH,
    MAX_YAML_NODES,
    YamlLoadError,
    YamlStyle,
    load_yaml,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("false", False),
        ("2024-01-01", "2024-01-01"),
        ("1.0", 1.0),
        ("1", 1),
        ("-7", -7),
        ("0o17", 15),
        ("0x1F", 31),
        ("1e3", 1000.0),
        (".inf", math.inf),
        ("-.inf", -math.inf),
        ("~", None),
        ("null", None),
        ("", None),
        ("1_000", "1_000"),
        ("0b101", "0b101"),
        ("2.0.0", "2.0.0"),
        ("'1.0'", "1.0"),
        ('"true"', "true"),
        ("!!str 12", "12"),
        ("!!float 1", 1.0),
    ],
)
def test_plain_scalars_resolve_with_the_yaml_1_2_core_schema(text: str, expected: object) -> None:
    assert load_yaml(f"v: {text}\n").value == {"v": expected}


def test_nan_resolves_to_a_float_nan() -> None:
    value = load_yaml("v: .nan\n").value["v"]
    assert isinstance(value, float)
    assert math.isnan(value)


def test_an_empty_document_loads_as_none() -> None:
    assert load_yaml("# only a comment\n").value is None


def test_duplicate_keys_are_an_error() -> None:
    with pytest.raises(YamlLoadError, match="duplicate key"):
        load_yaml("a: 1\na: 2\n")


def test_anchors_and_aliases_load_as_independent_copies() -> None:
    loaded = load_yaml("a: &x [1, 2]\nb: *x\n")
    assert loaded.value == {"a": [1, 2], "b": [1, 2]}
    assert loaded.value["a"] is not loaded.value["b"]
    assert loaded.styles == {YamlStyle.ANCHOR, YamlStyle.FLOW}


def test_an_alias_bomb_stops_at_the_node_budget() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for index in range(1, 9):
        prev, name = chr(ord("a") + index - 1), chr(ord("a") + index)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    with pytest.raises(YamlLoadError, match=f"limit is {MAX_YAML_NODES}"):
        load_yaml("\n".join(lines) + "\n")


def test_deep_nesting_is_refused_without_a_recursion_error() -> None:
    with pytest.raises(YamlLoadError, match=f"limit is {MAX_YAML_DEPTH}"):
        load_yaml("[" * (MAX_YAML_DEPTH * 4))


def test_a_recursive_alias_is_refused() -> None:
    with pytest.raises(YamlLoadError, match="contains it"):
        load_yaml("a: &a [*a]\n")


@pytest.mark.parametrize(
    "text",
    ["a: !custom 1\n", "a: !!binary aGk=\n", "a: !!int x\n", "? [a]\n: b\n", "a: 1\n---\nb: 2\n"],
)
def test_unsupported_constructs_are_one_line_errors(text: str) -> None:
    with pytest.raises(YamlLoadError) as caught:
        load_yaml(text)
    assert "\n" not in str(caught.value)


def test_syntax_errors_carry_the_position() -> None:
    with pytest.raises(YamlLoadError) as caught:
        load_yaml('a: 1\nb: "open\n')
    assert caught.value.line is not None
    assert "\n" not in caught.value.problem


def test_strict_reader_features_are_recorded() -> None:
    assert load_yaml("a: !!str x\n").styles == {YamlStyle.TAG}
    assert load_yaml("a: {b: 1}\n").styles == {YamlStyle.FLOW}
    assert load_yaml("a:\n  x: {}\nb:\n  y: 1\n").styles == {YamlStyle.FLOW}
    assert load_yaml("m:\n  a:\n    x: 1\n  b:\n      y: 2\n").styles == {YamlStyle.INDENT}
    assert load_yaml("a:\n  - 1\nb: plain\n").styles == set()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=100))
def test_arbitrary_text_either_loads_or_raises_yaml_load_error(text: str) -> None:
    with contextlib.suppress(YamlLoadError):
        load_yaml(text)


_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=20),
    st.text(
        st.sampled_from(list(" ab#-:\n\t'\"\\[]{},?|>&*!%@`~.019\u2028\x85\ufeff\r")), max_size=40
    ),
    st.text(" ab", min_size=70, max_size=200),
)
_SCALARS = st.one_of(_TEXT, st.booleans(), st.integers(), st.floats(allow_nan=False))
_NESTED = st.one_of(
    st.lists(_SCALARS, min_size=1, max_size=3),
    st.dictionaries(_TEXT, _SCALARS, min_size=1, max_size=2),
)
_VALUES = st.one_of(
    _SCALARS,
    _NESTED,
    st.lists(_NESTED, min_size=1, max_size=2),
    st.dictionaries(_TEXT, _NESTED, min_size=1, max_size=2),
)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(_TEXT, _VALUES, min_size=1, max_size=3))
def test_written_yaml_loads_back_to_the_same_mapping(mapping: dict[str, object]) -> None:
    assert load_yaml(dump_mapping(mapping) + "\n").value == mapping


def test_long_values_are_folded_within_80_columns() -> None:
    text = " ".join(["word"] * 60)
    written = dump_mapping({"description": text, "quoted": text + ": colon"})
    assert max(len(line) for line in written.splitlines()) <= 80
    assert load_yaml(written + "\n").value == {"description": text, "quoted": text + ": colon"}
