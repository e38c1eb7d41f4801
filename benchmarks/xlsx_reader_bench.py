"""kpicard's xlsx reader vs openpyxl read-only vs a bare expat pass, on 100k x 22.

Run: `PYTHONPATH=src .venv/bin/python benchmarks/xlsx_reader_bench.py [--rows N]`.
The workbook (fixed seed; ids and names as shared strings, 20 KPI columns of which 5 are
percent-formatted) is written to a temporary folder outside the repository. Each variant runs in
its own subprocess so that its peak RSS (VmHWM) is its own; the time is the median of 3 runs.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

VARIANTS = {
    "kpicard": """
from kpicard.actuals.xlsx import open_xlsx
rows = sum(1 for _ in open_xlsx(PATH, "bench.xlsx").rows)
""",
    "openpyxl_read_only": """
import openpyxl
wb = openpyxl.load_workbook(PATH, read_only=True)
rows = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
wb.close()
""",
    "bare_expat_count": """
import zipfile, pyexpat
count = 0
def start(name, attrs):
    global count
    count += 1
parser = pyexpat.ParserCreate()
parser.buffer_text = True
parser.StartElementHandler = start
with zipfile.ZipFile(PATH) as archive, archive.open(SHEET) as stream:
    while chunk := stream.read(65536):
        parser.Parse(chunk, False)
parser.Parse(b"", True)
rows = count
""",
}

RUNNER = """
import sys, time
from pathlib import Path
PATH = Path(sys.argv[1])
SHEET = "xl/worksheets/sheet1.xml"
_t0 = time.perf_counter()
{body}
elapsed = time.perf_counter() - _t0
hwm = int(Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0])
print(elapsed, hwm / 1024, rows)
"""


def make_workbook(path: Path, rows: int) -> None:
    """Write the benchmark workbook with XlsxWriter (shared strings, a percent format)."""
    import xlsxwriter

    rng = random.Random(20260101)
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Actuals")
    percent = book.add_format({"num_format": "0.0%"})
    sheet.write_row(0, 0, ["employee_id", "name"] + [f"KPI {i}" for i in range(20)])
    for r in range(1, rows + 1):
        sheet.write_string(r, 0, f"E{r:06d}")
        sheet.write_string(r, 1, f"Person {r % 5000}")
        for c in range(20):
            if c % 4 == 0:
                sheet.write_number(r, 2 + c, round(rng.random(), 4), percent)
            elif c % 4 == 1:
                sheet.write_number(r, 2 + c, rng.randint(0, 500))
            else:
                sheet.write_number(r, 2 + c, round(rng.uniform(0, 100), 2))
    book.close()


def run(variant: str, path: Path) -> tuple[float, float, int]:
    script = RUNNER.format(body=VARIANTS[variant])
    src = str(Path(__file__).resolve().parents[1] / "src")
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": src, "PATH": ""},
    )
    seconds, peak, rows = done.stdout.split()
    return float(seconds), float(peak), int(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kpicard-bench-") as folder:
        path = Path(folder) / "bench.xlsx"
        make_workbook(path, args.rows)
        print(f"workbook: {args.rows:,} rows x 22 columns, {path.stat().st_size / 2**20:.1f} MB")
        results: dict[str, list[tuple[float, float, int]]] = {name: [] for name in VARIANTS}
        for _ in range(args.repeat):  # interleaved, so that machine load hits all alike
            for name in VARIANTS:
                results[name].append(run(name, path))
    medians = {name: statistics.median(r[0] for r in runs) for name, runs in results.items()}
    base = medians["bare_expat_count"]
    for name, runs in results.items():
        peak = max(r[1] for r in runs)
        print(
            f"{name:20s} median {medians[name]:6.2f} s  x{medians[name] / base:4.2f} of bare  "
            f"x{medians[name] / medians['openpyxl_read_only']:4.2f} of openpyxl  "
            f"peak {peak:6.0f} MB  ({runs[0][2]:,} rows/elements)"
        )


if __name__ == "__main__":
    main()
