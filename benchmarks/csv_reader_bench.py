"""Time kpicard's CSV reader against a bare `csv.reader` loop (and pandas, if installed).

The reader adds row numbering, blank-row handling, None for empty cells and the NUL/encoding/
quote checks on top of the C parser; this shows what that costs on a realistic wide file.
Run: PYTHONPATH=src .venv/bin/python benchmarks/csv_reader_bench.py [ROWS]
"""

from __future__ import annotations

import csv
import importlib.util
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from kpicard.actuals.csv_reader import open_csv

COLUMNS = 22
REPEATS = 3


def make_file(folder: Path, rows: int, empty_share: float) -> Path:
    """An id, a name and 20 KPI columns, `empty_share` of the KPI cells left empty."""
    rng = random.Random(20240601)
    path = folder / f"actuals-{empty_share:.2f}.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["employee_id", "name", *(f"kpi_{i}" for i in range(COLUMNS - 2))])
        for row in range(rows):
            values = [
                f"{rng.uniform(0, 100):.1f}" if rng.random() >= empty_share else ""
                for _ in range(COLUMNS - 2)
            ]
            writer.writerow([f"E{row:06d}", f"Employee {row}", *values])
    return path


def bare_csv(path: Path) -> int:
    count = 0
    with path.open(newline="", encoding="utf-8") as file:
        for _row in csv.reader(file):
            count += 1
    return count


def kpicard_reader(path: Path) -> int:
    count = 0
    for _row in open_csv(path, path.name).rows:
        count += 1
    return count


def pandas_read(path: Path) -> int:
    import pandas  # optional: only timed when installed, never a kpicard dependency

    return len(pandas.read_csv(path, dtype=str, keep_default_na=False))


def median_time(run: Callable[[Path], int], path: Path) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        run(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    runs: dict[str, Callable[[Path], int]] = {"csv.reader": bare_csv, "kpicard": kpicard_reader}
    if importlib.util.find_spec("pandas"):
        runs["pandas"] = pandas_read
    else:
        print("pandas not installed: skipped")
    with tempfile.TemporaryDirectory() as folder:
        # Empty cells matter: turning them into None is the reader's main per-cell cost.
        for empty_share in (0.05, 0.0):
            path = make_file(Path(folder), rows, empty_share)
            size = path.stat().st_size / 1e6
            print(
                f"{rows:,} rows x {COLUMNS} columns, {size:.1f} MB, "
                f"{empty_share:.0%} of KPI cells empty; median of {REPEATS}"
            )
            assert kpicard_reader(path) == bare_csv(path) == rows + 1
            base = median_time(bare_csv, path)
            for name, run in runs.items():
                seconds = base if run is bare_csv else median_time(run, path)
                print(f"  {name:<11} {seconds:7.3f} s   {seconds / base:5.2f}x csv.reader")


if __name__ == "__main__":
    main()
