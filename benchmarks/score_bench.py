"""End-to-end `kpicard score` vs a pandas baseline doing the same job (issue 3's measurement).

Run: `.venv/bin/python benchmarks/score_bench.py [--sizes 10000,100000] [--repeat 3]
[--formats csv,xlsx] [--keep]`.

What it does:

1. Generates, in a temporary folder outside the repository (fixed seed), wide actuals for N
   employees x the first 20 KPIs of the bundled role `collection-representative` (its first five
   KRAs): `employee_id, name, team`, then one column per KPI headed by the KPI's name. Values lie
   around each KPI's threshold/target/stretch, within its unit's bounds; about 3 % of the KPI
   cells are empty. The same rows are written as CSV and as xlsx (XlsxWriter, constant_memory,
   text in the shared-string table, numbers as numbers, percent KPIs stored as fractions with a
   `0.0%` number format, as a spreadsheet user's file holds them).
2. Times, end to end (wall clock of a fresh subprocess, median of --repeat runs, interleaved so
   that machine load hits all alike):
   - kpicard: `kpicard score FILE --role collection-representative --format csv -o OUT.csv`;
   - baseline: a pandas script (written next to the data, run by the same interpreter) that
     reads the catalog YAML, reads the actuals with `read_csv` / `read_excel(engine="openpyxl")`,
     scores SPEC 2.1-2.2 with vectorised numpy and writes the same CSV columns with `to_csv`;
   - floor (xlsx only): a bare expat pass over the sheet XML that counts `<c>` elements.
   Each command runs under a tiny wrapper process that reports the child's wall time and its
   peak RSS (`getrusage(RUSAGE_CHILDREN).ru_maxrss` after the child ends).
   Once per format and size, the baseline's output is checked against kpicard's: same employees
   in the same order, overall scores within 1e-9, same coverage and ratings.
3. Prints the table and the growth t(largest N)/t(smallest N) of kpicard per format, with the
   issue's targets beside the numbers (printed, not asserted).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kpicard.catalog.load import load_catalog
from kpicard.models import KPI, Band, Role

ROOT = Path(__file__).resolve().parents[1]
ROLE_ID = "collection-representative"
ROLE_FILE = ROOT / "catalog" / f"{ROLE_ID}.yaml"
KPI_COUNT = 20
EMPTY_SHARE = 0.03
SEED = 20260301
VENV_BIN = Path(sys.executable).parent
KPICARD = VENV_BIN / "kpicard"

# Targets of issue 3, printed beside the numbers.
XLSX_RATIO_TARGET = 0.7
XLSX_PEAK_TARGET_MB = 600.0
CSV_RATIO_TARGET = 3.0
GROWTH_TARGET = 12.0

# --------------------------------------------------------------------------- subprocess scripts

WRAPPER = """\
import json, resource, subprocess, sys, time
t0 = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
elapsed = time.perf_counter() - t0
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
peak_kb, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime  # ru_maxrss: KiB on Linux
tail = done.stderr.decode("utf-8", "replace")[-2000:]
result = {"seconds": elapsed, "cpu": cpu, "peak_kb": peak_kb, "rc": done.returncode}
print(json.dumps({**result, "stderr": tail}))
"""

FLOOR = """\
import sys, zipfile, pyexpat
count = 0
def start(name, attrs):
    global count
    if name == "c":
        count += 1
parser = pyexpat.ParserCreate()
parser.buffer_text = True
parser.StartElementHandler = start
with zipfile.ZipFile(sys.argv[1]) as archive, archive.open("xl/worksheets/sheet1.xml") as part:
    while chunk := part.read(1 << 16):
        parser.Parse(chunk, False)
parser.Parse(b"", True)
print(count)
"""

BASELINE = '''\
"""pandas + numpy doing kpicard's job: score wide actuals against one role (SPEC 2.1-2.2)."""
import re
import sys

import numpy as np
import pandas as pd
import yaml

CAP = 120.0
MIN_COVERAGE = 0.5
DEFAULT_SCALE = [(5, "Outstanding", 115), (4, "Exceeds expectations", 105),
                 (3, "Meets expectations", 90), (2, "Partially meets expectations", 70),
                 (1, "Below expectations", 0)]
ID_COLUMNS = ("employee id", "employee", "emp id", "id")
TEXT_COLUMNS = ("name", "team", "manager", "period")


def norm(header):
    text = re.sub(r"[\\s_.\\-]+", " ", str(header).replace("\\u00a0", " ")).strip().lower()
    return re.sub(r"\\s*\\([^()]*\\)$", "", text)


def round12(x):
    """Round to 12 significant digits, so that 0.57 x 100 reads as 57 (SPEC 3.2)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        magnitude = np.floor(np.log10(np.abs(x)))
    scale = 10.0 ** (11 - np.where(np.isfinite(magnitude), magnitude, 0.0))
    return np.round(x * scale) / scale


def kpi_score(kpi, v):
    t, g, s = kpi["threshold"], kpi["target"], kpi.get("stretch")
    out = np.full(v.shape, np.nan)
    with np.errstate(invalid="ignore"):
        if kpi["direction"] == "range":
            c, d, a, b = t["min"], t["max"], g["min"], g["max"]
            out = np.where((v > c) & (v < a), 100.0 * (v - c) / (a - c), 0.0)
            out = np.where((v > b) & (v < d), 100.0 * (d - v) / (d - b), out)
            out = np.where((v >= a) & (v <= b), 100.0, out)
        else:
            sign = 1.0 if kpi["direction"] == "higher" else -1.0
            x, t, g = sign * v, sign * t, sign * g
            out = np.where(x <= t, 0.0, np.where(x < g, 100.0 * (x - t) / (g - t), 100.0))
            if s is not None:
                s = sign * s
                beyond = np.where(x < s, 100.0 + (CAP - 100.0) * (x - g) / (s - g), CAP)
                out = np.where(x >= g, beyond, out)
    return np.where(np.isnan(v), np.nan, out)


def main(catalog_file, actuals, role_id, output):
    role = yaml.load(open(catalog_file, encoding="utf-8"), Loader=yaml.CSafeLoader)
    excel = actuals.endswith((".xlsx", ".xlsm"))
    if excel:
        frame = pd.read_excel(actuals, engine="openpyxl")
    else:
        frame = pd.read_csv(actuals)
    columns = {norm(c): c for c in frame.columns}
    n = len(frame)
    id_column = next(columns[c] for c in ID_COLUMNS if c in columns)
    out = {"employee": frame[id_column].astype(str)}
    for key in ("name", "role", "team", "manager", "period"):
        out[key] = frame[columns[key]] if key in columns else pd.Series([None] * n, dtype=object)
    out["role"] = role_id

    kra_scores, kra_weights, coverage_terms = {}, [], []
    overall_num, overall_den = np.zeros(n), np.zeros(n)
    for kra in role["kras"]:
        kpis = kra["kpis"]
        weights = [float(k["weight"]) if "weight" in k else 1.0 for k in kpis]
        num, den = np.zeros(n), np.zeros(n)
        for kpi, w in zip(kpis, weights):
            names = {norm(kpi["id"]), norm(kpi["name"])} | {norm(a) for a in kpi.get("aliases", [])}
            header = next((columns[c] for c in columns if c in names), None)
            if header is None:
                continue
            v = pd.to_numeric(frame[header]).to_numpy(dtype=float)
            if excel and kpi["unit"] == "percent":
                v = round12(v * 100.0)  # a percent-formatted cell holds a fraction (SPEC 3.2)
            score = kpi_score(kpi, v)
            present = ~np.isnan(score)
            num += np.where(present, w * score, 0.0)
            den += np.where(present, w, 0.0)
        scored = den > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            kra_score = np.where(scored, num / den, np.nan)
        kra_scores[kra["id"]] = kra_score
        kra_w = float(kra["weight"])
        kra_weights.append(kra_w)
        coverage_terms.append(kra_w * den / sum(weights))
        overall_num += np.where(scored, kra_w * np.nan_to_num(kra_score), 0.0)
        overall_den += np.where(scored, kra_w, 0.0)

    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(overall_den > 0, overall_num / overall_den, np.nan)
    coverage = np.sum(coverage_terms, axis=0) / sum(kra_weights)
    scale = role.get("rating_scale")
    levels = sorted(((r["level"], r["label"], r.get("min_score") or 0) for r in scale),
                    reverse=True) if scale else DEFAULT_SCALE
    rated = ~np.isnan(score) & (coverage >= MIN_COVERAGE)
    with np.errstate(invalid="ignore"):
        hits = [rated & (score >= m) for _level, _label, m in levels]
    level = np.select(hits, [lv for lv, _l, _m in levels], 0)
    label = np.select(hits, [lb for _lv, lb, _m in levels], "")
    out["score"] = score
    out["coverage"] = coverage
    out["rating_level"] = pd.Series(level).where(level > 0).astype("Int64")
    out["rating_label"] = np.where(level > 0, label, None)
    for kra_id, values in kra_scores.items():
        out[kra_id] = values
    pd.DataFrame(out).to_csv(output, index=False, lineterminator="\\n")


if __name__ == "__main__":
    main(*sys.argv[1:5])
'''

# --------------------------------------------------------------------------- data generation

FIRST = "Ana Ben Carla Dev Elif Farid Grace Hugo Ines Jonas Kemal Lena Marta Nikhil Olu Priya"
FIRST += " Quinn Rosa Sami Tara Umar Vera Wen Xavier Yara Zoe"
LAST = "Ruiz Okafor Schmidt Nguyen Kowalski Haddad Silva Tanaka Moreau Ivanova Mensah Larsen"
LAST += " Patel Costa Novak Fischer Ali Kim Dubois Santos"
TEAMS = [
    f"Collections {region} {n}" for region in ("North", "South", "East", "West") for n in (1, 2, 3)
]


@dataclass(slots=True)
class Column:
    kpi: KPI
    low: float | None
    high: float | None
    decimals: int  # 0: an integer count


def kpi_columns(role: Role) -> list[Column]:
    """The first 20 KPIs of the role, in catalog order, with how their values are drawn."""
    columns: list[Column] = []
    for _kra, kpi in role.all_kpis()[:KPI_COUNT]:
        low, high = kpi.bounds()
        decimals = {"count": 0, "score": 2}.get(kpi.unit, 1)
        columns.append(Column(kpi, low, high, decimals))
    return columns


def draw(rng: random.Random, col: Column) -> float | int:
    """A value around threshold/target/stretch: some short of threshold, most near target."""
    kpi = col.kpi
    if isinstance(kpi.target, Band) or isinstance(kpi.threshold, Band):
        c, d = kpi.threshold.min, kpi.threshold.max  # type: ignore[union-attr]
        span = d - c
        value = rng.uniform(c - 0.2 * span, d + 0.2 * span)
    else:
        t, g = float(kpi.threshold), float(kpi.target)
        s = float(kpi.stretch) if kpi.stretch is not None else g + 0.5 * (g - t)
        u = rng.random()
        if u < 0.08:  # short of threshold
            value = rng.uniform(t - 0.5 * (g - t), t)
        elif u < 0.55:  # between threshold and target
            value = rng.uniform(t, g)
        elif u < 0.9:  # between target and stretch
            value = rng.uniform(g, s)
        else:  # beyond stretch
            value = rng.uniform(s, s + 0.5 * (s - g))
    if col.low is not None:
        value = max(value, col.low)
    if col.high is not None:
        value = min(value, col.high)
    if col.decimals == 0:
        return round(value)
    return round(value, col.decimals)


def _shared_string_sheet_class() -> type:
    """An XlsxWriter worksheet that keeps constant_memory's row streaming but writes text cells
    to the shared-string table, as Excel does (constant_memory alone writes inline strings).

    Uses XlsxWriter internals (`_write_cell`, `str_table`); checked by `check_xlsx` below."""
    from xlsxwriter.worksheet import Worksheet

    class SharedStringWorksheet(Worksheet):
        def __init__(self) -> None:
            super().__init__()
            self._pending: dict[tuple[int, int], int] = {}  # cells of the unflushed row

        def _write_string(self, row: int, col: int, string: str, cell_format: Any = None) -> Any:
            # Index the string when it is written: the last row is only flushed while the
            # workbook is being packaged, after the shared-string table has been frozen.
            self._pending[(row, col)] = self.str_table._get_shared_string_index(string)
            return super()._write_string(row, col, string, cell_format)

        def _write_cell(self, row: int, col: int, cell: Any) -> None:
            if type(cell).__name__ != "String":
                return super()._write_cell(row, col, cell)
            index = self._pending.pop((row, col))
            self.constant_memory = False
            try:
                return super()._write_cell(row, col, cell._replace(string=index))
            finally:
                self.constant_memory = True

    return SharedStringWorksheet


def generate(role: Role, rows: int, csv_path: Path | None, xlsx_path: Path | None) -> None:
    """Write the same N rows as CSV and/or xlsx (fixed seed: the same data every run)."""
    import xlsxwriter

    rng = random.Random(SEED)
    first, last = FIRST.split(), LAST.split()
    columns = kpi_columns(role)
    header = ["employee_id", "name", "team"] + [c.kpi.name for c in columns]
    percent_cols = [c.kpi.unit == "percent" for c in columns]

    csv_file = csv_path.open("w", newline="", encoding="utf-8") if csv_path else None
    writer = csv.writer(csv_file, lineterminator="\n") if csv_file else None
    book = sheet = None
    if xlsx_path is not None:
        book = xlsxwriter.Workbook(str(xlsx_path), {"constant_memory": True})
        sheet = book.add_worksheet("Actuals", worksheet_class=_shared_string_sheet_class())
        percent = book.add_format({"num_format": "0.0%"})
        bold = book.add_format({"bold": True})
        for c, text in enumerate(header):
            sheet.write_string(0, c, text, bold)
        write_string, write_number = sheet.write_string, sheet.write_number
    if writer:
        writer.writerow(header)

    for r in range(1, rows + 1):
        ident = f"E{r:06d}"
        name = f"{rng.choice(first)} {rng.choice(last)}"
        team = rng.choice(TEAMS)
        values = [None if rng.random() < EMPTY_SHARE else draw(rng, c) for c in columns]
        if writer:
            writer.writerow([ident, name, team, *("" if v is None else v for v in values)])
        if sheet is not None:
            write_string(r, 0, ident)
            write_string(r, 1, name)
            write_string(r, 2, team)
            for c, (value, is_percent) in enumerate(zip(values, percent_cols, strict=True)):
                if value is None:
                    continue
                if is_percent:
                    write_number(r, 3 + c, round(value / 100, 6), percent)  # 95.2 -> 0.952
                else:
                    write_number(r, 3 + c, value)
    if csv_file:
        csv_file.close()
    if book is not None:
        book.close()
        check_xlsx(xlsx_path)  # type: ignore[arg-type]


def check_xlsx(path: Path) -> None:
    """The workbook must hold shared strings and no inline strings (see the worksheet class)."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        head = archive.open("xl/worksheets/sheet1.xml").read(1 << 16)
        if 'inlineStr"' in head.decode() or 't="s"' not in head.decode():
            raise SystemExit("generator: the xlsx sheet does not use shared strings")
        if "xl/sharedStrings.xml" not in archive.namelist():
            raise SystemExit("generator: the xlsx has no shared-string table")


# --------------------------------------------------------------------------- running


@dataclass(slots=True)
class Run:
    seconds: float
    cpu: float  # user + sys seconds: less disturbed than wall time on a busy machine
    peak_mb: float


def measure(folder: Path, command: list[str]) -> Run:
    done = subprocess.run(
        [sys.executable, str(folder / "wrap.py"), *command],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "NO_COLOR": "1", "PYTHONPATH": ""},
    )
    result = json.loads(done.stdout)
    if result["rc"] != 0:
        raise SystemExit(f"{' '.join(command)} exited {result['rc']}:\n{result['stderr']}")
    return Run(result["seconds"], result["cpu"], result["peak_kb"] / 1024)


def commands(folder: Path, data: Path) -> dict[str, list[str]]:
    stem = f"{data.stem}-{data.suffix[1:]}"
    kpicard = [str(KPICARD), "score", str(data), "--role", ROLE_ID, "--format", "csv"]
    found = {
        "kpicard": [*kpicard, "-o", str(folder / f"{stem}.kpicard.csv")],
        "baseline": [
            sys.executable,
            str(folder / "baseline.py"),
            str(ROLE_FILE),
            str(data),
            ROLE_ID,
            str(folder / f"{stem}.baseline.csv"),
        ],
    }
    if data.suffix == ".xlsx":
        found["floor"] = [sys.executable, str(folder / "floor.py"), str(data)]
    return found


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def compare(folder: Path, data: Path, boundaries: list[float]) -> str:
    """Check that the baseline did kpicard's work: same rows, scores, coverage and ratings."""
    stem = f"{data.stem}-{data.suffix[1:]}"
    ours = _read(folder / f"{stem}.kpicard.csv")
    theirs = _read(folder / f"{stem}.baseline.csv")
    if len(ours) != len(theirs) or list(ours[0]) != list(theirs[0]):
        raise SystemExit(f"check {stem}: row counts or columns differ")
    kras = list(ours[0])[10:]
    worst = worst_cov = worst_kra = 0.0
    rating_diff = ties = nulls = 0
    for a, b in zip(ours, theirs, strict=True):
        if a["employee"] != b["employee"]:
            raise SystemExit(f"check {stem}: employee {a['employee']} vs {b['employee']}")
        if (a["score"] == "") != (b["score"] == ""):
            raise SystemExit(
                f"check {stem}: {a['employee']} score {a['score']!r} vs {b['score']!r}"
            )
        if a["score"]:
            worst = max(worst, abs(float(a["score"]) - float(b["score"])))
        worst_cov = max(worst_cov, abs(float(a["coverage"]) - float(b["coverage"])))
        for kra in kras:
            if (a[kra] == "") != (b[kra] == ""):
                raise SystemExit(f"check {stem}: {a['employee']} {kra} {a[kra]!r} vs {b[kra]!r}")
            if a[kra]:
                worst_kra = max(worst_kra, abs(float(a[kra]) - float(b[kra])))
        if a["rating_level"] != b["rating_level"] or a["rating_label"] != b["rating_label"]:
            # A score a few ulps from a rating boundary may land on either side depending on
            # the order of the float sums (kpicard uses fsum): a tie, not different work.
            near = any(abs(float(a["score"]) - m) < 1e-9 for m in boundaries)
            ties += near
            rating_diff += not near
        nulls += a["rating_level"] == ""
    ok = max(worst, worst_cov, worst_kra) < 1e-9 and rating_diff == 0
    return (
        f"check {data.suffix[1:]:4s} N={len(ours):>7,}: max |score diff| {worst:.1e}, "
        f"KRA {worst_kra:.1e}, coverage {worst_cov:.1e}; rating mismatches {rating_diff} "
        f"(+{ties} at a boundary within 1e-9) "
        f"({nulls:,} unrated for coverage < 0.5) -> {'OK' if ok else 'FAIL'}"
    )


def fmt_target(ok: bool) -> str:
    return "ok" if ok else "MISS"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    formats = [f.strip() for f in args.formats.split(",")]
    if not set(formats) <= {"csv", "xlsx"} or args.repeat < 1:
        parser.error("--formats takes csv and/or xlsx; --repeat must be >= 1")

    catalog = load_catalog(ROLE_FILE)
    role = catalog.roles[ROLE_ID]
    boundaries = [float(level.min_score or 0) for level in role.scale()]
    folder = Path(tempfile.mkdtemp(prefix="kpicard-score-bench-"))
    if folder.resolve().is_relative_to(ROOT):
        raise SystemExit(f"the temporary folder {folder} is inside the repository")
    (folder / "wrap.py").write_text(WRAPPER)
    (folder / "floor.py").write_text(FLOOR)
    (folder / "baseline.py").write_text(BASELINE)

    print(f"role {ROLE_ID}: {KPI_COUNT} KPIs, {EMPTY_SHARE:.0%} empty cells; folder {folder}")
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load}; "
        f"median of {args.repeat} runs"
    )
    table: dict[tuple[str, int], dict[str, list[Run]]] = {}
    try:
        for n in sizes:
            paths = {fmt: folder / f"actuals-{n}.{fmt}" for fmt in formats}
            t0 = time.perf_counter()
            generate(role, n, paths.get("csv"), paths.get("xlsx"))
            sizes_mb = ", ".join(
                f"{p.suffix[1:]} {p.stat().st_size / 2**20:.1f} MB" for p in paths.values()
            )
            print(f"generated N={n:,} in {time.perf_counter() - t0:.1f} s ({sizes_mb})")
            for fmt, data in paths.items():
                cmds = commands(folder, data)
                runs: dict[str, list[Run]] = {name: [] for name in cmds}
                for _ in range(args.repeat):
                    for name, command in cmds.items():
                        runs[name].append(measure(folder, command))
                table[(fmt, n)] = runs
                print(compare(folder, data, boundaries))
    finally:
        if not args.keep:
            for p in folder.iterdir():
                p.unlink()
            folder.rmdir()

    def med(runs: list[Run]) -> float:
        return statistics.median(r.seconds for r in runs)

    def cpu(runs: list[Run]) -> float:
        return statistics.median(r.cpu for r in runs)

    print()
    head = (
        f"{'format':6s} {'N':>8s} {'kpicard s':>9s} {'pandas s':>9s} {'ratio':>6s} "
        f"{'target':>10s} {'kp peak MB':>10s} {'pd peak MB':>10s} {'target':>11s} "
        f"{'floor s':>8s} {'kp/floor':>8s}"
    )
    print(head)
    print("-" * len(head))
    for (fmt, n), runs in table.items():
        kp, pd_ = med(runs["kpicard"]), med(runs["baseline"])
        ratio = kp / pd_
        peak = max(r.peak_mb for r in runs["kpicard"])
        pd_peak = max(r.peak_mb for r in runs["baseline"])
        if fmt == "xlsx":
            ratio_t = f"<=0.7 {fmt_target(ratio <= XLSX_RATIO_TARGET)}"
            peak_t = f"<600 {fmt_target(peak < XLSX_PEAK_TARGET_MB)}"
            floor = med(runs["floor"])
            tail = f"{floor:8.2f} {kp / floor:8.1f}"
        else:
            ratio_t = f"<=3 {fmt_target(ratio <= CSV_RATIO_TARGET)}"
            peak_t, tail = "", f"{'':>8s} {'':>8s}"
        print(
            f"{fmt:6s} {n:8,d} {kp:9.2f} {pd_:9.2f} {ratio:6.2f} {ratio_t:>10s} "
            f"{peak:10.0f} {pd_peak:10.0f} {peak_t:>11s} {tail}"
        )
    print()
    print("CPU time (user+sys, median s), less disturbed than wall time when the machine is busy:")
    for (fmt, n), runs in table.items():
        kp, pd_ = cpu(runs["kpicard"]), cpu(runs["baseline"])
        floor = f", floor {cpu(runs['floor']):.2f}" if "floor" in runs else ""
        print(
            f"  {fmt:4s} {n:8,d}: kpicard {kp:.2f}, pandas {pd_:.2f}, ratio {kp / pd_:.2f}{floor}"
        )
    if len(sizes) > 1:
        small, large = min(sizes), max(sizes)
        print()
        for fmt in formats:
            growth = med(table[(fmt, large)]["kpicard"]) / med(table[(fmt, small)]["kpicard"])
            base = med(table[(fmt, large)]["baseline"]) / med(table[(fmt, small)]["baseline"])
            print(
                f"growth {fmt:4s} kpicard t({large:,})/t({small:,}) = {growth:5.2f} "
                f"(target <= 12 {fmt_target(growth <= GROWTH_TARGET)}; "
                f"x{large / small:g} rows; pandas {base:5.2f})"
            )
    print(f"\nload average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
