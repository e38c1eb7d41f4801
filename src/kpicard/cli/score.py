"""`kpicard score` and `kpicard explain`: options -> pipeline -> renderer."""

from __future__ import annotations

import glob
import math
import os
import sys
from enum import StrEnum
from pathlib import Path

import typer

from kpicard.cli.app import EXIT_INVALID, GuardedTyper
from kpicard.cli.common import (
    CATALOG_HELP,
    open_catalog,
    output_format,
    protected_paths,
    role_or_error,
)
from kpicard.diagnostics import usage_error
from kpicard.render.safe import EXTENSION_OF

FORMATS = ("table", "json", "csv", "markdown", "xlsx")
INPUT_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xlsm")


class Missing(StrEnum):
    exclude = "exclude"
    zero = "zero"
    error = "error"


def expand_inputs(inputs: list[str]) -> list[str]:
    """Files as given; folders -> their actuals files; glob patterns -> their matches (sorted)."""
    names: list[str] = []
    for item in inputs:
        path = Path(item)
        if item == "-" or path.is_file():
            names.append(item)
        elif path.is_dir():
            found = sorted(
                str(p)
                for p in path.iterdir()
                if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES and not p.name.startswith(".")
            )
            if not found:
                raise usage_error("input.empty-folder", f"no .csv, .tsv or .xlsx files in {item}")
            names.extend(found)
        elif glob.has_magic(item):
            found = sorted(glob.glob(item))
            if not found:
                raise usage_error("input.no-match", f"no file matches {item}")
            names.extend(found)
        else:
            names.append(item)  # reported as missing by the reader, with exit 2
    if names.count("-") > 1:
        raise usage_error("usage.stdin", "standard input (-) can be read only once")
    return _once_each(names)


def _once_each(names: list[str]) -> list[str]:
    """The inputs without repeats: `teams/ teams/north.csv` names north.csv twice, and reading
    it twice would make every row of it a duplicate of itself. The first mention counts."""
    seen: set[str] = set()
    unique = []
    for name in names:
        key = name if name == "-" else os.path.realpath(name)
        if key not in seen:
            seen.add(key)
            unique.append(name)
    return unique


def _check_numbers(min_coverage: float, cap: float) -> None:
    if not 0 <= min_coverage <= 1:
        raise usage_error("usage.min-coverage", f"--min-coverage must be 0..1, got {min_coverage}")
    if not 100 <= cap < math.inf:  # also refuses nan
        raise usage_error("usage.cap", f"--cap must be a number of at least 100, got {cap}")


class GroupBy(StrEnum):
    team = "team"
    manager = "manager"
    role = "role"


def score(
    inputs: list[str] = typer.Argument(
        ..., metavar="INPUT", help="CSV/TSV/xlsx files, folders or globs; - for stdin."
    ),
    role: str = typer.Option(
        None, "--role", "-r", help="Role id (with a role column: the role of rows without one)."
    ),
    catalog: str = typer.Option(None, "--catalog", help=CATALOG_HELP),
    period: str = typer.Option(
        None, "--period", help="Keep only rows of this period, e.g. 2026-Q3."
    ),
    sheet: str = typer.Option(
        None, "--sheet", help="Excel sheet (default: the first visible one)."
    ),
    fmt: str = typer.Option(None, "--format", "-f", help="table, json, csv, markdown or xlsx."),
    output: Path = typer.Option(None, "--output", "-o", help="Write to this file (- for stdout)."),
    out_dir: Path = typer.Option(
        None, "--out-dir", help="Write one output per input plus summary.<format> into DIR."
    ),
    detail: bool = typer.Option(False, "--detail", help="Show every KPI of every scorecard."),
    missing: Missing = typer.Option(
        Missing.exclude, "--missing", help="Missing values: exclude, zero or error."
    ),
    min_coverage: float = typer.Option(
        0.5, "--min-coverage", help="Coverage needed for a rating (0..1)."
    ),
    cap: float = typer.Option(
        120.0, "--cap", help="Highest KPI score, reached at stretch (>= 100)."
    ),
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help="Treat invalid cells as missing, with a warning."
    ),
    group_by: list[GroupBy] = typer.Option(
        None, "--group-by", help="Add rollups per team, manager or role (repeatable)."
    ),
    compare: Path = typer.Option(
        None, "--compare", help="An earlier JSON output: add score and rating changes."
    ),
    movers: int = typer.Option(5, "--movers", help="How many top movers up and down to list."),
    keep_going: bool = typer.Option(
        False, "--keep-going", help="Write the valid inputs' outputs even if some are invalid."
    ),
    id_column: str = typer.Option(None, "--id-column", help="Header of the employee id column."),
    decimal_comma: bool = typer.Option(False, "--decimal-comma", help="Read 1.234,5 as 1234.5."),
) -> None:
    """Score actuals against a role and show the scorecards.

    Examples:

      kpicard score team.xlsx --role billing-staff

      kpicard score team.csv --role billing-staff --format json -o scores.json

      kpicard score q3/ --group-by team --compare q2.json --out-dir out/ --format xlsx
    """
    from kpicard.actuals.mapping import ReadOptions
    from kpicard.cli.batch import merge_runs, require_period_rows, score_each
    from kpicard.models import ScoringOptions
    from kpicard.render.progress import input_progress
    from kpicard.render.terminal import print_diagnostics

    _check_numbers(min_coverage, cap)
    if movers < 1:
        raise usage_error("usage.movers", f"--movers must be at least 1, got {movers}")
    names = expand_inputs(inputs)
    out_format = output_format(fmt, None if out_dir else output, FORMATS)
    if out_dir is not None and output is not None:
        raise usage_error("usage.out-dir", "give either -o or --out-dir, not both")
    if out_dir is not None:
        from kpicard.outputs import READS_BACK, reads_back

        if reads_back(out_dir, [Path(i) for i in inputs]):
            raise usage_error(
                "usage.out-dir",
                f"--out-dir {out_dir} {READS_BACK}",
                hint="write the outputs to another folder",
            )
    if out_format == "xlsx" and out_dir is None and (output is None or str(output) == "-"):
        raise usage_error("usage.xlsx-needs-output", "--format xlsx needs -o FILE.xlsx")
    cat = open_catalog(catalog)
    if role is not None:
        role_or_error(cat, role)
    protected = protected_paths(names, cat, compare)
    if output is not None and str(output) != "-":
        from kpicard.outputs import check_output

        check_output(output, protected)
    previous = None
    if compare is not None:
        from kpicard.rollup import load_previous

        previous = load_previous(compare, str(compare))
    scoring = ScoringOptions(missing=missing.value, min_coverage=min_coverage, cap=cap)
    reading = ReadOptions(
        role=role,
        id_column=id_column,
        period=period,
        decimal_comma=decimal_comma,
        skip_invalid=skip_invalid,
        missing=missing.value,
    )
    with input_progress(names) as progress:
        each = score_each(names, cat, scoring, reading, sheet=sheet, progress=progress)
    print_diagnostics(each.diagnostics())
    if each.failed and not keep_going:
        raise typer.Exit(EXIT_INVALID)
    if not each.runs:  # --keep-going, every input invalid: nothing to write over good outputs
        from kpicard.render.terminal import message

        message("no valid input; nothing written")
        raise typer.Exit(EXIT_INVALID)
    summary = merge_runs(each.runs, cat, scoring, list(each.failed))
    require_period_rows(summary, period)
    views = None
    if group_by or previous is not None:
        from kpicard.rollup import build_views

        views = build_views(
            summary.scorecards,
            [g.value for g in group_by or []],
            previous,
            top=movers,
            catalog_digest=cat.digest,
        )
        from kpicard.render.terminal import print_view_warnings

        print_view_warnings(views)
    if out_dir is not None:
        _write_out_dir(each, summary, views, names, protected, out_dir, out_format, detail)
    else:
        emit(summary, out_format, output, detail, views, protected)
    if each.failed:
        from kpicard.render.terminal import message

        message(f"not written: {len(each.failed)} invalid input(s): {', '.join(each.failed)}")
        raise typer.Exit(EXIT_INVALID)


def _write_out_dir(
    each, summary, views, names, protected, out_dir: Path, fmt: str, detail: bool
) -> None:
    from kpicard.cli.batch import write_out_dir
    from kpicard.render.batch import companion_paths, render_document

    if out_dir.exists() and not out_dir.is_dir():
        raise usage_error("output.not-a-folder", f"--out-dir {out_dir} is not a folder")
    ext = EXTENSION_OF[fmt]
    companions = None
    if fmt == "csv":
        companions = {
            p.name: t.encode("utf-8")
            for p, t in companion_paths(out_dir / f"summary.{ext}", views).items()
        }
    write_out_dir(  # says each file as it writes it
        each.runs,
        summary,
        out_dir,
        fmt,
        lambda run, f: render_document(run, f, views if run is summary else None, detail),
        companions=companions,
        inputs=names,
        protected=protected,
    )


# Scorecards from which writing an output takes long enough (about a second) for a spinner.
LONG_XLSX_EXPORT = 500
LONG_EXPORT = 100_000


def emit(run, out_format: str, output: Path | None, detail: bool, views=None, inputs=()) -> None:
    """Render `run` (and the batch views) in `out_format` to stdout or atomically to `output`."""
    to_stdout = output is None or str(output) == "-"
    if out_format == "table" and to_stdout:
        from kpicard.render.batch import print_sections
        from kpicard.render.text import render_table

        render_table(run, detail=detail)
        print_sections(views)
        return
    from kpicard.render.batch import companion_paths, render_document
    from kpicard.render.terminal import working

    count = len(run.scorecards)
    target = "stdout" if to_stdout else str(output)
    long = count >= (LONG_XLSX_EXPORT if out_format == "xlsx" else LONG_EXPORT)
    with working(f"writing {target} ({count:,} scorecards)", long=long):
        data = render_document(run, out_format, views, detail)
    if to_stdout:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        if out_format == "csv" and views is not None:
            from kpicard.render.terminal import message

            message("note: rollups and comparisons go to files beside -o FILE.csv, not to stdout")
        return
    from kpicard.outputs import write_atomic

    write_atomic(output, lambda handle: handle.write(data))  # type: ignore[arg-type]
    _wrote(output)
    if out_format == "csv":
        from kpicard.cli.batch import write_files

        extra = {p: t.encode("utf-8") for p, t in companion_paths(output, views).items()}  # type: ignore[arg-type]
        write_files(extra, list(inputs))


def _wrote(path: Path | None) -> None:
    from kpicard.render.terminal import message

    message(f"wrote {path}")


def explain(
    input_file: str = typer.Argument(..., metavar="INPUT", help="CSV/TSV/xlsx file; - for stdin."),
    role: str = typer.Option(..., "--role", "-r", help="Role id."),
    employee: str = typer.Option(..., "--employee", "-e", help="Employee id to explain."),
    catalog: str = typer.Option(None, "--catalog", help=CATALOG_HELP),
    period: str = typer.Option(None, "--period", help="The period, when the file has several."),
    sheet: str = typer.Option(
        None, "--sheet", help="Excel sheet (default: the first visible one)."
    ),
    missing: Missing = typer.Option(Missing.exclude, "--missing", help="exclude, zero or error."),
    min_coverage: float = typer.Option(0.5, "--min-coverage", help="Coverage needed for a rating."),
    cap: float = typer.Option(120.0, "--cap", help="Highest KPI score (>= 100)."),
    decimal_comma: bool = typer.Option(False, "--decimal-comma", help="Read 1.234,5 as 1234.5."),
) -> None:
    """Show the arithmetic of one scorecard, KPI by KPI.

    Example:

      kpicard explain examples/billing-worked-example.csv -r billing-staff -e E001
    """
    from kpicard.actuals.mapping import ReadOptions
    from kpicard.models import ScoringOptions
    from kpicard.pipeline import score_inputs
    from kpicard.render.text import explain_lines

    _check_numbers(min_coverage, cap)
    cat = open_catalog(catalog)
    role_or_error(cat, role)
    run = score_inputs(
        [input_file],
        cat,
        ScoringOptions(missing=missing.value, min_coverage=min_coverage, cap=cap),
        ReadOptions(role=role, period=period, decimal_comma=decimal_comma, missing=missing.value),
        sheet=sheet,
    )
    from kpicard.render.terminal import print_diagnostics

    print_diagnostics(run.diagnostics)
    cards = [c for c in run.scorecards if c.employee == employee]
    if not cards:
        where = f"{input_file}" + (f" for period '{period}'" if period else "")
        known = ", ".join(c.employee for c in run.scorecards[:10])
        more = ", ..." if len(run.scorecards) > 10 else ""
        raise usage_error(
            "usage.employee",
            f"no employee '{employee}' in {where}",
            hint=f"found: {known}{more}" if known else None,
        )
    if len(cards) > 1:
        periods = ", ".join(str(c.period) for c in cards)
        raise usage_error(
            "usage.period",
            f"employee '{employee}' has several periods ({periods})",
            hint="pick one with --period",
        )
    sys.stdout.write("\n".join(explain_lines(cards[0], run)) + "\n")


def register(app: GuardedTyper) -> None:
    app.command("score")(score)
    app.command("explain")(explain)
