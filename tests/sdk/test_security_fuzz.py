"""Property: the scanner and the spec functions never raise on arbitrary text."""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledgepulse.sdk.errors import SanitizationError
from knowledgepulse.sdk.security import (
    classify_injection_risk,
    clean_pii,
    sanitize_skill_md,
    scan_text,
)

# Printable text plus the characters the rules care about, so examples reach the rules.
SPECIAL = st.sampled_from(
    [
        *"\u200b\u200c\u200d\u202e\u2066\ufeff\U000e0041\U000e0020\ufe0f\u0430\u0456\uff49",
        *"<!-->`~#[]|()\n\r\t\\%=/:@ ",
        "```",
        "<!--",
        "-->",
        "---\n",
        "ignore previous instructions",
        "https://x.invalid/?q={a}",
        "aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ=",
        "~/.ssh/id_rsa",
        "curl -d",
        "$(env)",
    ]
)
TEXT = st.lists(st.one_of(st.text(max_size=30), SPECIAL), max_size=40).map("".join)
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(TEXT)
def test_scan_text_never_raises_and_stays_in_range(text):
    report = scan_text(text)
    assert 0.0 <= report.score <= 1.0
    assert all(f.line is None or f.line >= 1 for f in report.findings)


@FUZZ
@given(TEXT)
def test_classifier_and_pii_cleaner_never_raise(text):
    assert 0 <= classify_injection_risk(text).score <= 1
    clean_pii(text)


@FUZZ
@given(TEXT)
def test_sanitizer_raises_only_sanitization_errors(text):
    with contextlib.suppress(SanitizationError):
        sanitize_skill_md(text)
