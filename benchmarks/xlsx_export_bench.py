"""Which library writes the scorecard workbook: XlsxWriter or openpyxl? (median of 3 runs)

Builds a ScoreRun of N employees (default 10,000) x 20 KPIs in code (fixed seed), then times
- `xlsxwriter`: the real `kpicard.render.xlsx.write_report`, and
- `openpyxl`: the same sheets, cells, number formats, status fills, table, conditional formats,
  freeze panes, auto-filter, widths and charts with openpyxl's streaming write-only mode,
implemented here only as far as a fair comparison needs.
Each run is a fresh child process, so the peak memory (max RSS) of each library is reported too.

Run: .venv/bin/python benchmarks/xlsx_export_bench.py [N]
"""

from __future__ import annotations

import io
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

from kpicard.engine import score_scorecard
from kpicard.models import Role, ScoreRun, ScoringOptions

RUNS = 3


def build_role() -> Role:
    """Five KRAs of four KPIs each, mixing directions, units, stretches and weight styles."""
    units = ["percent", "hours", "count", "currency"]
    kras: list[dict[str, Any]] = []
    for k in range(5):
        kpis: list[dict[str, Any]] = []
        for i in range(4):
            kpi: dict[str, Any] = {
                "id": f"k{k}-{i}",
                "name": f"Indicator {k}.{i}",
                "unit": units[i],
                "description": "A benchmark KPI.",
            }
            if i % 3 == 0:
                kpi |= {"direction": "higher", "threshold": 60, "target": 80, "stretch": 95}
            elif i % 3 == 1:
                kpi |= {"direction": "lower", "threshold": 24, "target": 8}
            else:
                kpi |= {
                    "direction": "range",
                    "threshold": {"min": 10, "max": 50},
                    "target": {"min": 20, "max": 30},
                }
            if k % 2:
                kpi["weight"] = 25
            kpis.append(kpi)
        kras.append({"id": f"kra{k}", "name": f"Area {k}", "weight": 20, "kpis": kpis})
    return Role.model_validate({"kpicard": 1, "id": "bench", "name": "Bench", "kras": kras})


def build_run(n: int) -> ScoreRun:
    rng = random.Random(6)
    role = build_role()
    ids = [kpi.id for _, kpi in role.all_kpis()]
    options = ScoringOptions()
    cards = []
    for i in range(n):
        values = {kid: (None if rng.random() < 0.05 else rng.uniform(0, 100)) for kid in ids}
        cards.append(
            score_scorecard(
                role,
                values,
                options,
                employee=f"E{i:05d}",
                name=f"Employee {i}",
                team=f"Team {i % 40}",
                manager=f"Manager {i % 40}",
                period="2026-Q3",
            )
        )
    return ScoreRun(cards, options, "catalog", "sha256:" + "0" * 64)


# --------------------------------------------------------------------------------------------
# The openpyxl variant


def write_openpyxl(run: ScoreRun, handle: Any) -> None:
    """The same workbook with openpyxl's write-only (streaming) mode."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.chart import BarChart, Reference
    from openpyxl.formatting.rule import CellIsRule, ColorScaleRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    from kpicard.render import xlsx as ref

    book = Workbook(write_only=True)
    fills = {
        s: (PatternFill("solid", fgColor=f[1:]), Font(color=t[1:]))
        for s, (f, t) in ref.STATUS_COLOURS.items()
    }
    scale = ColorScaleRule(
        start_type="num",
        start_value=0,
        start_color="F8696B",
        mid_type="num",
        mid_value=100,
        mid_color="FFEB84",
        end_type="num",
        end_value=run.options.cap,
        end_color="63BE7B",
    )
    formats = {"score": "0.0", "weight": "0.0", "coverage": "0%", "integer": "0"}

    def cell(sheet: Any, value: Any, kind: str, widths: ref.Widths, col: int) -> Any:
        c = WriteOnlyCell(sheet, value)
        if isinstance(value, str):
            c.data_type = "s"
            widths.see(col, value)
            if kind == "status":
                c.fill, c.font = fills[value]
        elif value is not None:
            c.number_format = formats.get(kind, "General")
            widths.number(col)
        return c

    def finish(sheet: Any, widths: ref.Widths) -> None:
        for col, width in widths.widths.items():
            sheet.column_dimensions[get_column_letter(col + 1)].width = width

    role = run.scorecards[0].role
    columns = ref.summary_columns(role, mixed=False)
    summary = book.create_sheet("Summary")
    widths = ref.Widths()
    summary.freeze_panes = "B2"
    summary.append([c.header for c in columns])
    for card in run.scorecards:
        summary.append(
            [cell(summary, c.get(card), c.kind, widths, i) for i, c in enumerate(columns)]
        )
    last = len(run.scorecards) + 1
    end = get_column_letter(len(columns))
    table = Table(displayName="Scorecards", ref=f"A1:{end}{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    summary.add_table(table)
    summary.conditional_formatting.add(f"F2:F{last} J2:{end}{last}", scale)
    summary.conditional_formatting.add(
        f"G2:G{last}", CellIsRule(operator="equal", formula=['"insufficient data"'])
    )
    finish(summary, widths)

    detail = book.create_sheet("Detail")
    columns = ref.detail_columns(mixed=False)
    widths = ref.Widths()
    detail.freeze_panes = "B2"
    detail.append([c.header for c in columns])
    rows = 1
    for item in ref.detail_rows(run.scorecards):
        detail.append([cell(detail, c.get(item), c.kind, widths, i) for i, c in enumerate(columns)])
        rows += 1
    detail.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{rows}"
    detail.conditional_formatting.add(f"M2:M{rows}", scale)
    finish(detail, widths)

    charts = book.create_sheet("Charts")
    ratings = ref.rating_counts(run.scorecards)
    charts.append(["Rating", "Scorecards"])
    for label, count in ratings:
        charts.append([label, count])
    charts.append([])
    charts.append(["KRA", "Average score", "Scorecards"])
    averages = ref.kra_averages(run.scorecards)
    for label, mean, count in averages:
        charts.append([label, mean, count])
    for top, count in ((1, len(ratings)), (len(ratings) + 3, len(averages))):
        chart = BarChart()
        chart.add_data(Reference(charts, min_col=2, min_row=top, max_row=top + count), True)
        chart.set_categories(Reference(charts, min_col=1, min_row=top + 1, max_row=top + count))
        charts.add_chart(chart, f"E{top}")

    catalog = book.create_sheet("Catalog")
    catalog.append(["Catalog", run.catalog_path])
    catalog.append(["Digest", run.catalog_digest])
    catalog.append(ref.CATALOG_HEADERS)
    for kra in role.kras:
        for kpi, weight in zip(kra.kpis, kra.kpi_weights(), strict=True):
            catalog.append(ref.catalog_values(role, kra, kpi, weight))
    book.save(handle)


# --------------------------------------------------------------------------------------------
# Driver


def one_run(library: str, n: int) -> None:
    """Child process: build the run, write once, print seconds, bytes and peak RSS as JSON."""
    run = build_run(n)
    handle = io.BytesIO()
    start = time.perf_counter()
    if library == "xlsxwriter":
        from kpicard.render.xlsx import write_report

        write_report(run, handle)
    else:
        write_openpyxl(run, handle)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "bytes": handle.tell(), "peak_mb": peak_mb}))


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--one":
        one_run(sys.argv[2], int(sys.argv[3]))
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    medians: dict[str, float] = {}
    for library in ("xlsxwriter", "openpyxl"):
        results = []
        for _ in range(RUNS):
            out = subprocess.run(
                [sys.executable, __file__, "--one", library, str(n)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            results.append(json.loads(out.strip().splitlines()[-1]))
        medians[library] = statistics.median(r["seconds"] for r in results)
        runs = ", ".join(f"{r['seconds']:.2f}" for r in results)
        print(
            f"{library:10s} {n} employees x 20 KPIs: median {medians[library]:.2f} s "
            f"(runs {runs}), "
            f"{results[0]['bytes'] / 1e6:.1f} MB file, "
            f"peak RSS {max(r['peak_mb'] for r in results):.0f} MB"
        )
    ratio = medians["openpyxl"] / medians["xlsxwriter"]
    print(f"openpyxl / xlsxwriter = {ratio:.2f}x")


if __name__ == "__main__":
    main()
