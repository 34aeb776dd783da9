"""Annotated field types shared by the KnowledgeUnit models.

Each constraint is declared once, as `Annotated` metadata that both Pydantic and the
wire validator (`knowledgepulse.sdk._wire_schema`) understand: `annotated_types` bounds
(`MinLen`, `Ge`, `Le`) and the markers below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from annotated_types import Ge, Le, MinLen
from pydantic import GetCoreSchemaHandler, Strict
from pydantic_core import CoreSchema, core_schema

from knowledgepulse.sdk.models.constants import (
    ExecutionMode,
    PrivacyLevel,
    StepType,
    Visibility,
)

__all__ = [
    "AcceptIntegralFloat",
    "ExecutionModeField",
    "IsoDateTime",
    "IsoDateTimeStr",
    "JSONObject",
    "NonEmptyStr",
    "NonNegativeFloat",
    "NonNegativeInt",
    "PrivacyLevelField",
    "StartsWith",
    "StepTypeField",
    "UnitInterval",
    "VisibilityField",
    "is_iso_datetime",
    "starts_with_message",
]

INVALID_DATETIME = "Invalid datetime"

# `YYYY-MM-DDTHH:MM[:SS[.fraction]]Z`, ASCII digits only (JavaScript's `\d`); the
# calendar check (month lengths, leap years) happens in `is_iso_datetime`.
_DATETIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]+)?)?Z"
)
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def is_iso_datetime(text: str) -> bool:
    """True for a UTC datetime with a literal `Z`, optional seconds and a real calendar date."""
    match = _DATETIME.fullmatch(text)
    if match is None:
        return False
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    if not 1 <= month <= 12:
        return False
    last_day = 29 if month == 2 and _is_leap(year) else _DAYS_IN_MONTH[month - 1]
    return 1 <= day <= last_day


def starts_with_message(prefix: str) -> str:
    """The issue message for a string that lacks its required prefix."""
    return f'Invalid input: must start with "{prefix}"'


@dataclass(frozen=True, slots=True)
class StartsWith:
    """The string must begin with `prefix` (ids such as `kp:trace:`)."""

    prefix: str

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def check(self, value: str) -> str:
        """Return `value` unchanged, or raise `ValueError` with the wire message."""
        if not value.startswith(self.prefix):
            raise ValueError(starts_with_message(self.prefix))
        return value


@dataclass(frozen=True, slots=True)
class IsoDateTime:
    """The string must be a UTC ISO-8601 datetime as `is_iso_datetime` defines it."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def check(self, value: str) -> str:
        """Return `value` unchanged, or raise `ValueError("Invalid datetime")`."""
        if not is_iso_datetime(value):
            raise ValueError(INVALID_DATETIME)
        return value


def _integral_float_to_int(value: Any) -> Any:
    if type(value) is float and value.is_integer():
        return int(value)
    return value


@dataclass(frozen=True, slots=True)
class AcceptIntegralFloat:
    """Let a strict `int` field accept a float with an integral value (JSON `1.0`)."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_before_validator_function(
            _integral_float_to_int, handler(source)
        )


NonEmptyStr = Annotated[str, MinLen(1)]
UnitInterval = Annotated[float, Ge(0), Le(1)]
NonNegativeFloat = Annotated[float, Ge(0)]
NonNegativeInt = Annotated[int, AcceptIntegralFloat(), Ge(0)]
IsoDateTimeStr = Annotated[str, IsoDateTime()]
JSONObject = dict[str, Any]
"""A free-form JSON object: contents are kept as given, never stripped."""

# Strict mode would demand enum instances; wire data carries their string values.
VisibilityField = Annotated[Visibility, Strict(False)]
PrivacyLevelField = Annotated[PrivacyLevel, Strict(False)]
StepTypeField = Annotated[StepType, Strict(False)]
ExecutionModeField = Annotated[ExecutionMode, Strict(False)]
