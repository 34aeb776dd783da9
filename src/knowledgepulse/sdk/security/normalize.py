"""Fold text to what a model reads, and record every hiding trick found on the way.

Folding is per line, so line numbers survive: invisible characters (zero-width, bidi
controls, tag characters, variation selectors) are dropped, Unicode NFKC folds
fullwidth and mathematical letters, and Cyrillic or Greek look-alikes inside Latin
words are mapped to the Latin letters they imitate.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

__all__ = ["HOMOGLYPHS", "LineInfo", "fold_text", "normalize_lines"]

# Characters a reader never sees; U+00AD and U+180E are included because they split
# words as well as U+200B does.
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u180e\u00ad")
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_MARKS = frozenset("\u200e\u200f\u061c")
_ZWJ, _ZWNJ = "\u200d", "\u200c"
_BLACK_FLAG = 0x1F3F4

#: Look-alike letters folded to Latin when they sit inside a Latin word.
HOMOGLYPHS = {
    # Cyrillic
    "а": "a",
    "е": "e",
    "о": "o",
    "р": "p",
    "с": "c",
    "у": "y",
    "х": "x",
    "і": "i",
    "ј": "j",
    "ѕ": "s",
    "ԁ": "d",
    "ԛ": "q",
    "ԝ": "w",
    "һ": "h",
    "ӏ": "l",
    "ɡ": "g",
    "А": "A",
    "В": "B",
    "Е": "E",
    "К": "K",
    "М": "M",
    "Н": "H",
    "О": "O",
    "Р": "P",
    "С": "C",
    "Т": "T",
    "Х": "X",
    "У": "Y",
    "І": "I",
    "Ј": "J",
    "Ѕ": "S",
    # Greek
    "ο": "o",
    "α": "a",
    "ν": "v",
    "ρ": "p",
    "υ": "u",
    "ι": "i",
    "κ": "k",
    "Α": "A",
    "Β": "B",
    "Ε": "E",
    "Ζ": "Z",
    "Η": "H",
    "Ι": "I",
    "Κ": "K",
    "Μ": "M",
    "Ν": "N",
    "Ο": "O",
    "Ρ": "P",
    "Τ": "T",
    "Υ": "Y",
    "Χ": "X",
}
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(slots=True)
class LineInfo:
    """One source line after folding, with the hiding tricks it contained."""

    number: int
    folded: str
    zero_width: int = 0
    zero_width_in_word: bool = False
    zero_width_run: int = 0
    zero_width_payload: str = ""
    bidi: int = 0
    tag_text: str = ""
    variation_run: int = 0
    homoglyph_words: list[str] = field(default_factory=list)
    compat_words: list[str] = field(default_factory=list)

    @property
    def obfuscated(self) -> bool:
        """True when folding changed what a human would read on this line."""
        return bool(
            self.zero_width_in_word
            or self.homoglyph_words
            or self.compat_words
            or self.bidi
            or self.tag_text
        )


def _is_pictograph(ch: str) -> bool:
    cp = ord(ch)
    return unicodedata.category(ch) == "So" or 0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF


def _is_variation_selector(cp: int) -> bool:
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


def _legit_joiner(line: str, i: int) -> bool:
    """ZWJ inside an emoji sequence, or ZWNJ between letters of a non-Latin script."""
    prev = next((c for c in reversed(line[:i]) if not _is_variation_selector(ord(c))), "")
    nxt = line[i + 1] if i + 1 < len(line) else ""
    if line[i] == _ZWJ:
        return bool(prev and nxt) and _is_pictograph(prev) and _is_pictograph(nxt)
    return bool(prev) and ord(prev) > 0x0590 and prev.isalpha()


def _decode_bits(run: str) -> str:
    """Text hidden as bits in a run of two distinct zero-width characters, else ''."""
    symbols = sorted(set(run))
    if len(symbols) != 2 or len(run) < 16:
        return ""
    for zero in symbols:
        bits = "".join("0" if c == zero else "1" for c in run)
        data = bytes(int(bits[i : i + 8], 2) for i in range(0, len(bits) - 7, 8))
        text = data.decode("utf-8", "ignore")
        if len(text) >= 3 and sum(c.isprintable() for c in text) >= 0.9 * len(text):
            return text
    return ""


def _strip_invisible(line: str, info: LineInfo) -> str:
    out: list[str] = []
    tags: list[str] = []
    run = ""
    vs_run = 0
    for i, ch in enumerate(line):
        cp = ord(ch)
        if 0xE0000 <= cp <= 0xE007F:
            in_flag = any(ord(c) == _BLACK_FLAG for c in line[max(0, i - 8) : i])
            if not in_flag and 0xE0020 <= cp <= 0xE007E:
                tags.append(chr(cp - 0xE0000))
            continue
        if _is_variation_selector(cp):
            vs_run += 1
            info.variation_run = max(info.variation_run, vs_run)
            continue
        vs_run = 0
        if ch in _ZERO_WIDTH:
            if ch in (_ZWJ, _ZWNJ) and _legit_joiner(line, i):
                out.append(ch)
                continue
            info.zero_width += 1
            run += ch
            before = out[-1] if out else ""
            after = line[i + 1] if i + 1 < len(line) else ""
            if before.isalpha() and (after.isalpha() or after in _ZERO_WIDTH):
                info.zero_width_in_word = True
            continue
        if run:
            info.zero_width_run = max(info.zero_width_run, len(run))
            info.zero_width_payload = info.zero_width_payload or _decode_bits(run)
            run = ""
        if ch in _BIDI:
            info.bidi += 1
            continue
        if ch in _MARKS:
            continue
        out.append(ch)
    if run:
        info.zero_width_run = max(info.zero_width_run, len(run))
        info.zero_width_payload = info.zero_width_payload or _decode_bits(run)
    info.tag_text = "".join(tags).strip() if len(tags) >= 4 else ""
    return "".join(out)


def _is_compat_letter(ch: str) -> bool:
    cp = ord(ch)
    return 0xFF21 <= cp <= 0xFF5A or 0x1D400 <= cp <= 0x1D7FF


def _fold_homoglyphs(text: str, info: LineInfo) -> str:
    letters = [c for c in text if c.isalpha()]
    latin_share = sum(c.isascii() for c in letters) / len(letters) if letters else 0.0

    def fold(match: re.Match[str]) -> str:
        word = match.group(0)
        lookalikes = sum(c in HOMOGLYPHS for c in word)
        if not lookalikes:
            return word
        has_latin = any(c.isascii() for c in word)
        # A word made only of look-alikes is folded too, but only inside Latin text, so
        # Russian or Greek prose keeps its meaning.
        if has_latin or (lookalikes == len(word) and len(word) > 1 and latin_share > 0.6):
            info.homoglyph_words.append(word)
            return "".join(HOMOGLYPHS.get(c, c) for c in word)
        return word

    return _WORD.sub(fold, text)


def fold_text(text: str) -> str:
    """The folded form of one line of text, without the bookkeeping."""
    return _fold_line(text, LineInfo(0, "")).folded


def _fold_line(raw: str, info: LineInfo) -> LineInfo:
    if raw.isascii():
        # Plain ASCII holds no invisible, look-alike or compatibility characters.
        info.folded = raw
        return info
    visible = _strip_invisible(raw, info)
    compat = [w for w in _WORD.findall(visible) if sum(_is_compat_letter(c) for c in w) >= 2]
    info.compat_words = compat
    folded = unicodedata.normalize("NFKC", visible)
    # NFKC can turn one character into several but never adds a line break we split on.
    folded = folded.replace("\n", " ")
    info.folded = _fold_homoglyphs(folded, info)
    return info


def normalize_lines(content: str) -> list[LineInfo]:
    """Split `content` on `\\n` (dropping a trailing `\\r`) and fold each line."""
    lines = content.split("\n")
    infos: list[LineInfo] = []
    for number, raw in enumerate(lines, start=1):
        if raw.endswith("\r"):
            raw = raw[:-1]
        infos.append(_fold_line(raw, LineInfo(number, "")))
    return infos
