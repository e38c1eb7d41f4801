"""Fuzz the actuals readers: random and mutated bytes into the CSV reader + column mapping, and
mutated workbooks into the container sniff + xlsx reader + mapping.

The only acceptable failure is `KpicardError` (a clear, located refusal). Any other exception
is a bug; so is an actual that is NaN, infinite or outside its unit's bounds.

    python fuzz/fuzz_readers.py --seconds 600            # a random-mutation loop
    python fuzz/fuzz_readers.py --atheris -- -max_total_time=600   # coverage-guided, if installed
"""

from __future__ import annotations

import argparse
import atexit
import io
import math
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _mutate import mutate_bytes, mutate_zip

from kpicard.actuals.container import describe_refusal, sniff_container
from kpicard.actuals.csv_reader import open_csv
from kpicard.actuals.mapping import ReadOptions, read_records
from kpicard.actuals.xlsx import open_xlsx
from kpicard.catalog.load import load_role_text
from kpicard.diagnostics import KpicardError, Report

ROLE = b"""\
kpicard: 1
id: mini
name: Mini
kras:
  - id: q
    name: Q
    weight: 100
    kpis:
      - {id: acc, name: Invoice Accuracy Rate, unit: percent, direction: higher, threshold: 80,
         target: 95}
      - {id: share, name: Share, unit: ratio, direction: higher, threshold: 0.5, target: 0.9}
      - {id: tickets, name: Tickets, unit: count, direction: higher, threshold: 1, target: 9}
      - {id: rev, name: Revenue, unit: currency, direction: higher, threshold: 1, target: 9}
"""
_report = Report()
ROLES = {"mini": load_role_text(ROLE, "mini.yaml", "mini", _report).role}
assert ROLES["mini"] is not None, _report.items

HEADER = "employee_id,name,role,period,Invoice Accuracy Rate,Share,Tickets,Revenue"
CSV_SEEDS = [
    (HEADER + "\nE1,Ana,mini,2026-07,95%,0.8,20,$2000\nE2,Bo,mini,,1,,3,4\n").encode(),
    (HEADER.replace(",", ";") + "\nE1;Ana;mini;;95,5;0,8;20;2000\n").encode(),
    b'sep=;\r\nemployee;kpi;value\r\nE1;acc;95\r\nE1;"tickets";"1,234"\r\n',
    b"\xef\xbb\xbf" + (HEADER + '\nE1,"Ana\nRuiz",mini,,95,0.8,20,2000\n').encode(),
    b"Title,,\n\n" + HEADER.replace(",", "\t").encode() + b"\nE1\tA\tmini\t\t95\t0.8\t1\t2\n",
]


def check_records(records) -> None:
    role = ROLES["mini"]
    bounds = {k.id: k.bounds() for _kra, k in role.all_kpis()}
    for record in records:
        assert isinstance(record.employee, str) and record.employee.strip()
        for kpi_id, value in record.values.items():
            if value is None:
                continue
            assert isinstance(value, float) and math.isfinite(value), (kpi_id, value)
            low, high = bounds[kpi_id]
            assert (low is None or value >= low) and (high is None or value <= high)


def options_for(data: bytes) -> ReadOptions:
    flags = data[-1] if data else 0
    return ReadOptions(
        role=None if flags & 1 else "mini",
        decimal_comma=bool(flags & 2),
        skip_invalid=bool(flags & 4),
        missing=("exclude", "zero", "error")[flags % 3],
    )


def run_csv(data: bytes) -> None:
    """One CSV input: only KpicardError may escape; records must be sane."""
    try:
        table = open_csv(io.BytesIO(data), "fuzz.csv")
        records, _report = read_records(table, ROLES, options_for(data))
    except KpicardError:
        return
    check_records(records)


_TMP = Path(tempfile.mkdtemp(prefix="kpicard-fuzz-"))
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)  # one scratch folder per run, removed


def run_file(data: bytes, suffix: str = ".xlsx") -> None:
    """One file through sniffing and the reader its content picks, as `open_table` does."""
    path = _TMP / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        kind = sniff_container(path)
        refusal = describe_refusal(kind, path)
        if refusal is not None:
            return
        xlsx = kind == "xlsx"
        table = open_xlsx(path, path.name, None) if xlsx else open_csv(path, path.name)
        records, _report = read_records(table, ROLES, options_for(data))
    except KpicardError:
        return
    check_records(records)


def xlsx_seeds() -> list[bytes]:
    import datetime

    import openpyxl

    seeds = []
    for variant in range(3):
        wb = openpyxl.Workbook()
        ws = wb.active
        if variant == 1:
            ws.append(["Team report"])
            ws.append([])
        ws.append(HEADER.split(","))
        ws.append(["E1", "Ana", "mini", "2026-07", 0.95, 0.8, 20, 2000])
        ws.append([123, "Bo", None, datetime.date(2026, 7, 1), "=1/0", "N/A", True, "1,234"])
        ws["E3" if variant != 1 else "E5"].number_format = "0%"
        if variant == 2:
            extra = wb.create_sheet("Hidden")
            extra.sheet_state = "hidden"
            extra.append(["x"])
        buffer = io.BytesIO()
        wb.save(buffer)
        seeds.append(buffer.getvalue())
    return seeds


def loop(seconds: float, seed: int = 0) -> dict[str, int]:
    """Mutate seeds for `seconds`; return counts. Raises (with the input saved) on a finding."""
    rnd = random.Random(seed)
    xlsx = xlsx_seeds()
    counts = {"csv": 0, "xlsx": 0, "random": 0}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pick = rnd.random()
        if pick < 0.45:
            kind, data = "csv", mutate_bytes(rnd.choice(CSV_SEEDS), rnd)
            runner = run_csv
        elif pick < 0.9:
            kind, data = "xlsx", mutate_zip(rnd.choice(xlsx), rnd)
            runner = run_file
        else:
            kind, data = "random", rnd.randbytes(rnd.randrange(2000))
            runner = run_file if rnd.random() < 0.5 else run_csv
        try:
            runner(data)
        except Exception:
            saved = Path(f"fuzz-finding-{kind}-{seed}-{counts[kind]}.bin")
            saved.write_bytes(data)
            print(f"finding saved to {saved}", file=sys.stderr)
            raise
        counts[kind] += 1
    return counts


def atheris_main(argv: list[str]) -> None:
    import atheris

    atheris.instrument_all()  # coverage feedback over every module loaded so far (kpicard too)

    xlsx = xlsx_seeds()

    def one(data: bytes) -> None:
        if not data:
            return
        mode, body = data[0] % 3, data[1:]
        if mode == 0:
            run_csv(body)
        elif mode == 1:
            run_file(mutate_zip(xlsx[body[0] % 3] if body else xlsx[0], random.Random(body)))
        else:
            run_file(body, ".csv")

    atheris.Setup([sys.argv[0], *argv], one)
    atheris.Fuzz()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--atheris", action="store_true", help="coverage-guided (pip install atheris)"
    )
    args, rest = parser.parse_known_args()
    if args.atheris:
        atheris_main([a for a in rest if a != "--"])
    else:
        start = time.monotonic()
        counts = loop(args.seconds, args.seed)
        total = sum(counts.values())
        print(f"{total} inputs in {time.monotonic() - start:.0f} s, no finding: {counts}")
