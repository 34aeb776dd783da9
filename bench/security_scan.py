"""Benchmark the security scanner on the evaluation corpus in tests/data/security/.

Prints recall, false-positive rate and per-category recall for the dev half, the
held-out half and both, plus the time per file. Run: .venv/bin/python bench/security_scan.py
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

from knowledgepulse.sdk.security import scan_text

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "security"
SPLITS = ("dev", "holdout")


def load(split: str) -> tuple[list[Path], list[tuple[str, Path]]]:
    """Benign files and (category, file) pairs of malicious files of one split."""
    benign = sorted((CORPUS / "benign" / split).glob("*.md"))
    malicious = [(p.parent.name, p) for p in sorted((CORPUS / "malicious" / split).glob("*/*.md"))]
    return benign, malicious


def evaluate(splits: tuple[str, ...], verbose: bool) -> dict[str, object]:
    """Scan the files of `splits` and return the metrics."""
    benign: list[Path] = []
    malicious: list[tuple[str, Path]] = []
    for split in splits:
        b, m = load(split)
        benign += b
        malicious += m
    started = time.perf_counter()
    flagged_benign = []
    per_cat: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    missed = []
    for path in benign:
        report = scan_text(path.read_text(encoding="utf-8"), path=str(path))
        if report.flagged:
            flagged_benign.append((path, report))
    for category, path in malicious:
        report = scan_text(path.read_text(encoding="utf-8"), path=str(path))
        per_cat[category][1] += 1
        if report.flagged:
            per_cat[category][0] += 1
        else:
            missed.append((path, report))
    elapsed = time.perf_counter() - started
    files = len(benign) + len(malicious)
    if verbose:
        for path, report in flagged_benign:
            print(f"FALSE POSITIVE {path.relative_to(CORPUS)} score={report.score}")
            for f in report.findings:
                print(f"    {f.line}: {f.rule_id} [{f.severity.label}] {f.message}")
        for path, report in missed:
            print(f"MISSED {path.relative_to(CORPUS)} score={report.score}")
            for f in report.findings:
                print(f"    {f.line}: {f.rule_id} [{f.severity.label}] {f.message}")
    detected = sum(v[0] for v in per_cat.values())
    return {
        "benign": len(benign),
        "malicious": len(malicious),
        "recall": detected / len(malicious) if malicious else 0.0,
        "fpr": len(flagged_benign) / len(benign) if benign else 0.0,
        "false_positives": len(flagged_benign),
        "per_category": {k: v[0] / v[1] for k, v in sorted(per_cat.items())},
        "per_category_counts": dict(sorted(per_cat.items())),
        "ms_per_file": 1000 * elapsed / files if files else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    """Print the benchmark table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--split",
        choices=(*SPLITS, "all"),
        default=None,
        help="only this half (default: print dev, holdout and all)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="list false positives and misses with their findings",
    )
    args = parser.parse_args(argv)
    columns = [(s, (s,)) for s in SPLITS] + [("all", SPLITS)]
    if args.split:
        columns = [c for c in columns if c[0] == args.split]
    results = {name: evaluate(splits, args.verbose) for name, splits in columns}
    names = list(results)
    print(f"{'metric':<28}" + "".join(f"{n:>12}" for n in names))
    rows = [
        ("benign files", lambda r: f"{r['benign']}"),
        ("malicious files", lambda r: f"{r['malicious']}"),
        ("recall", lambda r: f"{r['recall']:.3f}"),
        ("false-positive rate", lambda r: f"{r['fpr']:.3f}"),
        ("benign flagged", lambda r: f"{r['false_positives']}"),
        ("ms per file", lambda r: f"{r['ms_per_file']:.2f}"),
    ]
    for label, fmt in rows:
        print(f"{label:<28}" + "".join(f"{fmt(results[n]):>12}" for n in names))
    categories = sorted({c for r in results.values() for c in r["per_category"]})  # type: ignore[attr-defined]
    print("recall per category")
    for cat in categories:
        cells = []
        for n in names:
            hit, total = results[n]["per_category_counts"].get(cat, (0, 0))  # type: ignore[attr-defined]
            cells.append(f"{hit}/{total}" if total else "-")
        print(f"  {cat:<26}" + "".join(f"{c:>12}" for c in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
