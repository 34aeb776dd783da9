"""Find base64, hex and percent-encoded blobs that decode to readable text."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from urllib.parse import unquote

__all__ = ["DecodedBlob", "find_encoded_text", "readable"]

_B64 = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")
_HEX = re.compile(r"(?:\\x)?(?:[0-9a-fA-F]{2}(?:\\x|[ :])?){12,}")
_PERCENT = re.compile(r"(?:%[0-9A-Fa-f]{2}|[A-Za-z0-9._~+-]){6,}")
_MAX_BLOB = 20_000  # longer runs are images or archives, never a hidden sentence


@dataclass(frozen=True, slots=True)
class DecodedBlob:
    """Readable text recovered from an encoded run starting at `start` in its segment."""

    start: int
    end: int
    encoding: str
    text: str


def readable(data: bytes) -> str:
    """The UTF-8 text in `data` when it is mostly printable words, else ''."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return ""
    if len(text) < 6:
        return ""
    printable = sum(c.isprintable() or c in "\n\t" for c in text)
    letters = sum(c.isalpha() or c == " " for c in text)
    if printable < 0.95 * len(text) or letters < 0.5 * len(text):
        return ""
    return text


def _b64(token: str) -> str:
    core = token.rstrip("=")
    if len(core) % 4 == 1 or not re.search(r"[0-9+/_-]|[a-z][A-Z]|[A-Z][a-z]", core):
        return ""
    padded = core + "=" * (-len(core) % 4)
    try:
        if "-" in core or "_" in core:
            return readable(base64.urlsafe_b64decode(padded))
        return readable(base64.b64decode(padded, validate=True))
    except (binascii.Error, ValueError):
        return ""


def find_encoded_text(text: str) -> list[DecodedBlob]:
    """Every base64, hex or percent-encoded run in `text` that decodes to readable text."""
    found: list[DecodedBlob] = []
    for m in _B64.finditer(text):
        token = m.group(0)
        if len(token) > _MAX_BLOB:
            continue
        decoded = _b64(token)
        if decoded and decoded != token:
            found.append(DecodedBlob(m.start(), m.end(), "base64", decoded))
    for m in _HEX.finditer(text):
        digits = re.sub(r"\\x|[ :]", "", m.group(0))
        if len(digits) % 2 or len(digits) > _MAX_BLOB:
            continue
        decoded = readable(bytes.fromhex(digits))
        if decoded:
            found.append(DecodedBlob(m.start(), m.end(), "hex", decoded))
    for m in _PERCENT.finditer(text):
        token = m.group(0)
        if token.count("%") < 6:
            continue
        decoded = unquote(token)
        if readable(decoded.encode()) and decoded.count(" ") >= 2:
            found.append(DecodedBlob(m.start(), m.end(), "percent-encoding", decoded))
    return found
