"""The best-effort huge-page promotion of the process's dense anonymous memory."""

from __future__ import annotations

import numpy as np

from knowledgepulse.embedding.hugepages import (
    HUGE_PAGE,
    dense_anonymous_mappings,
    huge_page_spans,
    promote_to_huge_pages,
)

SMAPS = """\
55d0c0000000-55d0c0021000 r--p 00000000 08:01 131 /usr/bin/python3.11
Size:                132 kB
Rss:                 132 kB
55d0c2000000-55d0c2a00000 rw-p 00000000 00:00 0 [heap]
Size:              10240 kB
Rss:               10000 kB
VmFlags: rd wr mr mw me ac
7f0000000000-7f0001000000 rw-p 00000000 00:00 0
Size:              16384 kB
Rss:               16384 kB
7f0001000000-7f0001800000 rw-p 00000000 00:00 0
Size:               8192 kB
Rss:                  64 kB
7f0002000000-7f0002400000 r--p 00000000 00:00 0
Size:               4096 kB
Rss:                4096 kB
7f0003000000-7f0003800000 rw-p 00000000 08:01 77 /tmp/data.bin
Size:               8192 kB
Rss:                8192 kB
7f0004000000-7f0004800000 rw-s 00000000 00:05 9 /dev/zero (deleted)
Size:               8192 kB
Rss:                8192 kB
7f0005000000-7f0005100000 rw-p 00000000 00:00 0
Size:               1024 kB
Rss:                1024 kB
"""


def test_only_large_mostly_resident_private_anonymous_mappings_are_chosen() -> None:
    # Left out: file-backed, read-only, shared, too small, and sparse (a thread stack).
    assert dense_anonymous_mappings(SMAPS) == [
        (0x55D0C2000000, 0x55D0C2A00000),
        (0x7F0000000000, 0x7F0001000000),
    ]


def test_huge_page_spans_shrink_regions_to_whole_huge_pages() -> None:
    base = 0x7F0000000000
    regions = [
        (base + 4096, base + 4096 + 8 * HUGE_PAGE),  # unaligned: loses a partial page each end
        (base + 64 * HUGE_PAGE + 4096, base + 65 * HUGE_PAGE),  # no whole huge page inside
    ]

    assert huge_page_spans(regions) == [(base + HUGE_PAGE, 7 * HUGE_PAGE)]


def test_promotion_leaves_the_contents_of_memory_unchanged() -> None:
    data = np.arange(8 * HUGE_PAGE // 4, dtype=np.float32)
    expected = data.copy()

    collapsed = promote_to_huge_pages()

    assert collapsed >= 0  # zero where the kernel or its THP settings refuse
    assert np.array_equal(data, expected)
