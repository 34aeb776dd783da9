"""Best-effort transparent huge pages for the process's dense anonymous memory (Linux only).

A short query is bound by streaming the model's ~42 MB of weights from memory, and with 4 KiB
pages that stream pays a TLB miss every 4 KiB. Where THP is in `madvise` mode (the Debian
default) onnxruntime's buffers never get huge pages, so once the session is loaded we advise
the large, mostly resident anonymous mappings and ask the kernel to collapse them. Sparse
mappings (thread stacks, reservations) are left alone so that nothing grows; advice never
changes memory contents, and every failure is ignored.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Iterable

__all__ = [
    "HUGE_PAGE",
    "dense_anonymous_mappings",
    "huge_page_spans",
    "promote_to_huge_pages",
]

HUGE_PAGE = 2 << 20
_MADV_HUGEPAGE = 14
_MADV_COLLAPSE = 25  # Linux 6.1+; older kernels answer EINVAL and khugepaged does it later


def dense_anonymous_mappings(
    smaps_text: str, min_bytes: int = 2 * HUGE_PAGE, min_resident: float = 0.75
) -> list[tuple[int, int]]:
    """Private writable anonymous mappings (heap included) of `min_bytes` or more whose
    resident share is at least `min_resident`, from /proc/<pid>/smaps text."""
    found: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for line in smaps_text.splitlines():
        fields = line.split()
        if not fields:
            continue
        if "-" in fields[0] and len(fields) >= 5 and not fields[0].endswith(":"):
            anonymous = fields[4] == "0" and (len(fields) == 5 or fields[5] == "[heap]")
            start, end = (int(part, 16) for part in fields[0].split("-"))
            writable = fields[1].startswith("rw") and fields[1].endswith("p")
            current = (start, end) if anonymous and writable and end - start >= min_bytes else None
        elif fields[0] == "Rss:" and current is not None:
            if int(fields[1]) * 1024 >= min_resident * (current[1] - current[0]):
                found.append(current)
            current = None
    return found


def huge_page_spans(regions: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The whole huge pages, as (start, length), inside each (start, end) region."""
    spans = []
    for start, end in sorted(regions):
        aligned_start = -(-start // HUGE_PAGE) * HUGE_PAGE
        aligned_end = end // HUGE_PAGE * HUGE_PAGE
        if aligned_end > aligned_start:
            spans.append((aligned_start, aligned_end - aligned_start))
    return spans


def promote_to_huge_pages() -> int:
    """Advise and collapse this process's dense anonymous memory; bytes collapsed."""
    if sys.platform != "linux":
        return 0
    try:
        with open("/proc/self/smaps", encoding="ascii", errors="replace") as smaps:
            spans = huge_page_spans(dense_anonymous_mappings(smaps.read()))
        madvise = ctypes.CDLL(None, use_errno=True).madvise
    except (OSError, AttributeError):
        return 0
    madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    madvise.restype = ctypes.c_int
    collapsed = 0
    for start, length in spans:
        madvise(start, length, _MADV_HUGEPAGE)
        if madvise(start, length, _MADV_COLLAPSE) == 0:
            collapsed += length
    return collapsed
