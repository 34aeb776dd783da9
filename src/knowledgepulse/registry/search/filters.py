"""zvec filter strings built from whitelisted fields and literals that cannot inject.

zvec filters are SQL-like text parsed by the engine, and its string-literal escaping is not
reliable (a backslash does not round-trip in 0.8.0). So no request value ever reaches a
filter as text: every string a filter compares (a domain, a tag, an owner, a type, a status,
a name) is stored in the index as `key(value)`, a 32-digit hex digest, and the filter
compares digests. The only literals a filter can hold are therefore `'[0-9a-f]{32}'`,
`true`/`false` and numbers Python formatted from a finite float; field names come from the
`FIELDS` whitelist. `FILTER_GRAMMAR` describes every string this module can produce.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

__all__ = [
    "FIELDS",
    "FILTER_GRAMMAR",
    "FieldKind",
    "Predicate",
    "all_of",
    "any_clause",
    "at_least",
    "contains_any",
    "eq",
    "is_",
    "key",
    "name_key",
    "one_of",
]


class FieldKind(Enum):
    """What a filterable index field holds."""

    DIGEST = "digest"  # a STRING holding key(value)
    DIGESTS = "digests"  # an ARRAY_STRING of key(value)
    NUMBER = "number"  # a DOUBLE
    FLAG = "flag"  # a BOOL


# The only fields a filter may name (see zvec_index.py for the schema that defines them).
FIELDS: dict[str, FieldKind] = {
    "name_h": FieldKind.DIGEST,
    "idl_h": FieldKind.DIGEST,
    "type_h": FieldKind.DIGEST,
    "domain_h": FieldKind.DIGEST,
    "status_h": FieldKind.DIGEST,
    "owner_h": FieldKind.DIGEST,
    "tags_h": FieldKind.DIGESTS,
    "quality": FieldKind.NUMBER,
    "private": FieldKind.FLAG,
    "embedded": FieldKind.FLAG,
}

_DIGEST = re.compile(r"[0-9a-f]{32}")
_FIELD = "(?:" + "|".join(sorted(FIELDS)) + ")"
_LITERAL = r"'[0-9a-f]{32}'"
_NUMBER = r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?"
_ATOM = (
    rf"{_FIELD} = {_LITERAL}|{_FIELD} IN \({_LITERAL}(?:,{_LITERAL})*\)"
    rf"|{_FIELD} contain_any \({_LITERAL}(?:,{_LITERAL})*\)"
    rf"|{_FIELD} >= {_NUMBER}|{_FIELD} = (?:true|false)"
)
# A clause is an atom or a parenthesised AND/OR of clauses; tests check every built filter
# against this (nesting is shallow, so a regex over the flattened tokens is enough).
FILTER_GRAMMAR = re.compile(rf"(?:\(|\)|{_ATOM}| AND | OR )+")


def key(value: str) -> str:
    """The 32-hex-digit digest the index stores and filters compare instead of `value`."""
    return hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


_NON_ALNUM = re.compile(r"[\W_]+", re.UNICODE)


def name_key(name: str) -> str:
    """A name as exact-name matching compares it: NFKC, case-folded, punctuation as spaces.

    So `Kubernetes Rollout`, `kubernetes-rollout` and `KUBERNETES_ROLLOUT` are one name.
    """
    folded = unicodedata.normalize("NFKC", name).casefold()
    return _NON_ALNUM.sub(" ", folded).strip()


def _field(name: str, kind: FieldKind) -> str:
    if FIELDS.get(name) is not kind:
        raise ValueError(f"{name!r} is not a filterable {kind.value} field")
    return name


def _literal(digest: str) -> str:
    if not _DIGEST.fullmatch(digest):
        raise ValueError("filter literals must be digests made by key()")
    return f"'{digest}'"


def eq(field: str, value: str) -> str:
    """`field` (a digest field) equals `value`."""
    return f"{_field(field, FieldKind.DIGEST)} = {_literal(key(value))}"


def one_of(field: str, values: Iterable[str]) -> str:
    """`field` (a digest field) equals one of `values` (at least one is required)."""
    literals = ",".join(_literal(key(v)) for v in sorted(set(values)))
    if not literals:
        raise ValueError("one_of needs at least one value")
    return f"{_field(field, FieldKind.DIGEST)} IN ({literals})"


def contains_any(field: str, values: Iterable[str]) -> str:
    """`field` (a digest-array field) holds at least one of `values`."""
    literals = ",".join(_literal(key(v)) for v in sorted(set(values)))
    if not literals:
        raise ValueError("contains_any needs at least one value")
    return f"{_field(field, FieldKind.DIGESTS)} contain_any ({literals})"


def at_least(field: str, number: float) -> str:
    """`field` (a number field) is at least `number` (finite)."""
    if isinstance(number, bool) or not isinstance(number, int | float):
        raise TypeError("at_least takes a number")
    if not math.isfinite(number):
        raise ValueError("at_least takes a finite number")
    return f"{_field(field, FieldKind.NUMBER)} >= {float(number)!r}"


def is_(field: str, flag: bool) -> str:
    """`field` (a flag field) is `flag`."""
    return f"{_field(field, FieldKind.FLAG)} = {'true' if flag else 'false'}"


def all_of(*clauses: str) -> str:
    """AND of `clauses` (at least one)."""
    if not clauses:
        raise ValueError("all_of needs at least one clause")
    return clauses[0] if len(clauses) == 1 else " AND ".join(f"({c})" for c in clauses)


def any_clause(*clauses: str) -> str:
    """OR of `clauses` (at least one)."""
    if not clauses:
        raise ValueError("any_clause needs at least one clause")
    return clauses[0] if len(clauses) == 1 else " OR ".join(f"({c})" for c in clauses)


@dataclass(frozen=True, slots=True)
class Predicate:
    """The filter pushed into zvec: `impossible` when no item can match (skip the index)."""

    clauses: tuple[str, ...] = ()
    impossible: bool = False

    def and_(self, *more: str) -> Predicate:
        """This predicate with `more` clauses ANDed on."""
        return Predicate((*self.clauses, *more), self.impossible)

    @property
    def text(self) -> str | None:
        """The filter string, or None when nothing is filtered."""
        return all_of(*self.clauses) if self.clauses else None

    @classmethod
    def nothing(cls) -> Predicate:
        """A predicate no item satisfies."""
        return cls((), impossible=True)

    def min_quality(self, value: float | None) -> Predicate:
        """AND `quality >= value`, with the SQL semantics for non-finite values."""
        if value is None:
            return self
        if math.isnan(value) or value == math.inf:
            return Predicate.nothing()
        if value == -math.inf:
            return self
        return self.and_(at_least("quality", value))
