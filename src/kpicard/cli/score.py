"""`kpicard score` and `kpicard explain`: options -> pipeline -> renderer."""

from __future__ import annotations

import glob
import sys
from enum import StrEnum
from pathlib import Path

import typer

from kpicard.cli.app import GuardedTyper
from kpicard.cli.common import CATALOG_HELP, open_catalog, output_format, role_or_error
from kpicard.diagnostics import usage_error

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
    return names


def _check_numbers(min_coverage: float, cap: float) -> None:
    if not 0 <= min_coverage <= 1:
        raise usage_error("usage.min-coverage", f"--min-coverage must be 0..1, got {min_coverage}")
    if cap < 100:
        raise usage_error("usage.cap", f"--cap must be at least 100, got {cap}")


def score(
    inputs: list[str] = typer.Argument(
        ..., help="CSV/TSV/xlsx files, folders or globs; - for stdin."
    ),
    role: str = typer.Option(
        None, "--role", "-r", help="Role id (unless the input has a role column)."
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
    id_column: str = typer.Option(None, "--id-column", help="Header of the employee id column."),
    decimal_comma: bool = typer.Option(False, "--decimal-comma", help="Read 1.234,5 as 1234.5."),
) -> None:
    """Score actuals against a role and show the scorecards.

    Examples:

      kpicard score team.xlsx --role billing-staff

      kpicard score team.csv --role billing-staff --format json -o scores.json

      kpicard score q3/*.csv --format csv > scores.csv
    """
    from kpicard.actuals.mapping import ReadOptions
    from kpicard.models import ScoringOptions
    from kpicard.pipeline import score_inputs

    _check_numbers(min_coverage, cap)
    names = expand_inputs(inputs)
    out_format = output_format(fmt, output, FORMATS)
    if out_format == "xlsx" and (output is None or str(output) == "-"):
        raise usage_error("usage.xlsx-needs-output", "--format xlsx needs -o FILE.xlsx")
    if output is not None and str(output) != "-":
        from kpicard.outputs import check_output

        check_output(output, names)
    cat = open_catalog(catalog)
    if role is not None:
        role_or_error(cat, role)
    run = score_inputs(
        names,
        cat,
        ScoringOptions(missing=missing.value, min_coverage=min_coverage, cap=cap),
        ReadOptions(
            role=role,
            id_column=id_column,
            period=period,
            decimal_comma=decimal_comma,
            skip_invalid=skip_invalid,
            missing=missing.value,
        ),
        sheet=sheet,
    )
    from kpicard.cli.console import print_diagnostics

    print_diagnostics(run.diagnostics)
    emit(run, out_format, output, detail)


def emit(run, out_format: str, output: Path | None, detail: bool) -> None:
    """Render `run` in `out_format` to stdout or atomically to `output`."""
    to_stdout = output is None or str(output) == "-"
    if out_format == "table" and to_stdout:
        from kpicard.render.text import render_table

        render_table(run, detail=detail)
        return
    if out_format == "xlsx":
        from kpicard.outputs import write_atomic
        from kpicard.render.xlsx import write_report

        write_atomic(output, lambda handle: write_report(run, handle))  # type: ignore[arg-type]
        _wrote(output)
        return
    text = render_text(run, out_format, detail)
    if to_stdout:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from kpicard.outputs import write_text_atomic

    write_text_atomic(output, text)  # type: ignore[arg-type]
    _wrote(output)


def render_text(run, out_format: str, detail: bool) -> str:
    if out_format == "json":
        from kpicard.render.json import render_json

        return render_json(run)
    if out_format == "csv":
        from kpicard.render.csv import render_csv

        return render_csv(run)
    if out_format == "markdown":
        from kpicard.render.text import render_markdown

        return render_markdown(run, detail=detail)
    from kpicard.cli.console import plain_table
    from kpicard.render.text import by_role, detail_rows, summary_rows

    parts = []
    for role, cards in by_role(run.scorecards).values():
        parts.append(plain_table(*summary_rows(role, cards)))
        if detail:
            parts.extend(plain_table(*detail_rows(card)) for card in cards)
    return "\n".join(parts)


def _wrote(path: Path | None) -> None:
    from kpicard.cli.console import message

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
    from kpicard.cli.console import print_diagnostics

    print_diagnostics(run.diagnostics)
    cards = [c for c in run.scorecards if c.employee == employee]
    if not cards:
        known = ", ".join(c.employee for c in run.scorecards[:10])
        raise usage_error(
            "usage.employee", f"no employee '{employee}' in {input_file}", hint=f"found: {known}"
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
