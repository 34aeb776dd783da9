"""The evaluation corpus in tests/data/security/: size, inertness and the quality bar.

The same numbers, split into the dev and held-out halves, are printed by
`bench/security_scan.py`.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

from knowledgepulse.sdk.security import ScanReport, scan_text

CORPUS = Path(__file__).resolve().parents[1] / "data" / "security"
CATEGORIES = {
    "instruction-override",
    "role-hijack",
    "hidden-comment",
    "unicode-smuggling",
    "encoded-payload",
    "exfiltration",
    "credential-theft",
    "concealment",
    "tool-poisoning",
    "fake-system-message",
}


def benign_files() -> list[Path]:
    return sorted((CORPUS / "benign").glob("*/*.md"))


def malicious_files() -> list[Path]:
    return sorted((CORPUS / "malicious").glob("*/*/*.md"))


@cache
def report(path: Path) -> ScanReport:
    return scan_text(path.read_text(encoding="utf-8"), path=str(path))


def test_corpus_has_enough_files_in_every_category_and_half():
    assert len(benign_files()) >= 100
    assert len(malicious_files()) >= 60
    per_category = Counter(p.parent.name for p in malicious_files())
    assert set(per_category) == CATEGORIES
    assert min(per_category.values()) >= 6
    halves = Counter(p.parts[-3] for p in malicious_files()) + Counter(
        p.parent.name for p in benign_files()
    )
    assert set(halves) == {"dev", "holdout"}


def test_malicious_payloads_point_only_at_reserved_hosts():
    for path in malicious_files():
        text = path.read_text(encoding="utf-8")
        for host in re.findall(r"https?://([^/\s`'\")<>?#]+)", text):
            assert host.endswith(".invalid"), (path, host)
        for domain in re.findall(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)", text):
            assert domain.endswith(".invalid"), (path, domain)


def test_recall_is_at_least_95_percent():
    missed = [p.relative_to(CORPUS) for p in malicious_files() if not report(p).flagged]
    recall = 1 - len(missed) / len(malicious_files())
    assert recall >= 0.95, missed


def test_false_positive_rate_is_at_most_2_percent():
    flagged = [p.relative_to(CORPUS) for p in benign_files() if report(p).flagged]
    assert len(flagged) / len(benign_files()) <= 0.02, flagged


def test_every_flagged_file_is_explained_by_at_least_one_finding_with_a_line():
    for path in malicious_files():
        result = report(path)
        if result.flagged:
            assert any(f.line is not None and f.message for f in result.findings), path
