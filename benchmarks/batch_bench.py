"""Is a review batch of many files as fast as one big file? (SPEC 8; target ratio <= 1.2)

Generates (fixed seed, in a temporary folder outside the repository) N employees of the
collection-representative role (40 KPIs) as 50 CSV files and the same rows as one CSV file, then
times, median of 3, the run every command goes through (`kpicard.score`, the Python API):

- one file:  `kpicard.score(big.csv)`                                  (`kpicard score big.csv`)
- 50 files:  `kpicard.score(files)`            (`kpicard score DIR`, `kpicard batch`: each input
             is read and scored on its own, so that every error names its input)

Run: .venv/bin/python benchmarks/batch_bench.py [EMPLOYEES] [FILES]
"""

from __future__ import annotations

import csv
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import kpicard
from kpicard.models import Band, Role

ROLE = "collection-representative"
SEED = 20260930


def _value(kpi, rng: random.Random) -> str:
    """A value between the threshold and a little past the stretch, within the unit's bounds."""
    if isinstance(kpi.target, Band):
        low, high = kpi.threshold.min, kpi.threshold.max
    else:
        ends = [kpi.threshold, kpi.target, kpi.stretch if kpi.stretch is not None else kpi.target]
        low, high = min(ends), max(ends)
    lo, hi = kpi.bounds()
    v = rng.uniform(low, high)
    v = max(v, lo) if lo is not None else v
    v = min(v, hi) if hi is not None else v
    return f"{v:.2f}"


def generate(folder: Path, role: Role, employees: int, files: int) -> tuple[list[str], str]:
    """Write `files` team files and one file with the same rows; return their names."""
    rng = random.Random(SEED)
    kpis = [kpi for _kra, kpi in role.all_kpis()]
    header = ["employee_id", "name", "team", "manager", "period", *(k.id for k in kpis)]
    rows = [
        [
            f"E{i:06d}",
            f"Employee {i}",
            f"Team {i % files:02d}",
            f"Manager {i % (files // 2 or 1):02d}",
            "2026-Q3",
            *(_value(k, rng) for k in kpis),
        ]
        for i in range(employees)
    ]
    names = []
    per_file = -(-employees // files)
    for f in range(files):
        path = folder / "teams" / f"team-{f:02d}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows[f * per_file : (f + 1) * per_file])
        names.append(str(path))
    big = folder / "all.csv"
    with big.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return names, str(big)


def median_time(run: Callable[[], int], repeat: int = 3) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        count = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), count


def main(employees: int = 100_000, files: int = 50) -> None:
    catalog = kpicard.load_catalog()
    folder = Path(tempfile.mkdtemp(prefix="kpicard-batch-bench-"))
    try:
        names, big = generate(folder, catalog.roles[ROLE], employees, files)

        def one_file() -> int:
            return len(kpicard.score(big, role=ROLE, catalog=catalog).scorecards)

        def each_file() -> int:
            return len(kpicard.score(names, role=ROLE, catalog=catalog).scorecards)

        base, n1 = median_time(one_file)
        split, n2 = median_time(each_file)
        assert n1 == n2 == employees, (n1, n2)
        kpis = len(catalog.roles[ROLE].all_kpis())
        print(f"{employees} employees x {kpis} KPIs ({ROLE}); median of 3")
        print(f"one file            {base:7.2f} s")
        print(f"{files} files            {split:7.2f} s   ratio {split / base:.2f}")
        print("target: ratio <= 1.2 -", "ok" if split / base <= 1.2 else "MISSED")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
