"""Benchmark: writing the default template workbook.

Run:  python bench/bench_template.py [REPEATS]      (default 10)

Prints, measured in one run:
- cold: import + first write in this process (loads openpyxl, the engine and the catalogs, including
  genai-prices' token-price data, once);
- warm: each further write_workbook() of the default scenario (median and worst of REPEATS), i.e. what
  ``llmcost batch`` pays per workbook, split into building the openpyxl workbook and writing the file.
Target: the default workbook is written in under 1 s (warm).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path


def main(repeats: int = 10) -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench-template-"))
    t0 = time.perf_counter()
    from workbook.builder import build_workbook, write_workbook
    from workbook.xlsx.writer import xlsx_bytes

    write_workbook(folder / "cold.xlsx")
    cold = time.perf_counter() - t0

    totals, builds, writes = [], [], []
    for i in range(repeats):
        t = time.perf_counter()
        write_workbook(folder / f"warm{i}.xlsx")
        totals.append(time.perf_counter() - t)
        t = time.perf_counter()
        wb = build_workbook()
        t1 = time.perf_counter()
        xlsx_bytes(wb)
        builds.append(t1 - t)
        writes.append(time.perf_counter() - t1)
    size = (folder / "cold.xlsx").stat().st_size
    median = statistics.median(totals)
    print(f"default template: {size / 1024:.0f} KiB")
    print(f"cold (import + first write): {cold:.2f} s")
    print(
        f"warm write_workbook: median {median:.3f} s, worst {max(totals):.3f} s over {repeats} "
        f"(build {statistics.median(builds):.3f} s + serialise {statistics.median(writes):.3f} s)"
    )
    ok = median < 1.0
    print(f"target < 1 s (warm): {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10))
