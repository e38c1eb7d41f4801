"""`kpicard score` and `kpicard explain`: options -> RunRequest -> app -> renderer -> exit code."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from kpicard.cli import options as o
from kpicard.cli.app import EXIT_INVALID, GuardedTyper
from kpicard.diagnostics import usage_error

# Scorecards from which writing an output takes long enough (about a second) for a spinner.
LONG_XLSX_EXPORT = 500
LONG_EXPORT = 100_000


def score(
    inputs: o.Inputs,
    role: o.Role = None,
    catalog: o.Catalog = None,
    period: o.Period = None,
    sheet: o.Sheet = None,
    fmt: str = typer.Option(None, "--format", "-f", help="table, json, csv, markdown or xlsx."),
    output: o.Output = None,
    out_dir: Path = typer.Option(
        None, "--out-dir", help="Write one output per input plus summary.<format> into DIR."
    ),
    detail: o.Detail = False,
    missing: o.MissingPolicy = o.Missing.exclude,
    min_coverage: o.MinCoverage = 0.5,
    cap: o.Cap = 120.0,
    skip_invalid: o.SkipInvalid = False,
    group_by: o.GroupByOption = None,
    compare: o.Compare = None,
    movers: o.Movers = 5,
    keep_going: o.KeepGoing = False,
    id_column: o.IdColumn = None,
    decimal_comma: o.DecimalComma = False,
) -> None:
    """Score actuals against a role and show the scorecards.

    Examples:

      kpicard score team.xlsx --role billing-staff

      kpicard score team.csv --role billing-staff --format json -o scores.json

      kpicard score q3/ --group-by team --compare q2.json --out-dir out/ --format xlsx
    """
    from kpicard.app import outputs
    from kpicard.app.request import RunRequest, make_inputs
    from kpicard.app.run import prepare
    from kpicard.render.formats import SCORE_FORMATS, choose_format
    from kpicard.render.terminal import wrote

    request = RunRequest(
        make_inputs(inputs),
        role=role,
        catalog=catalog,
        period=period,
        sheet=sheet,
        id_column=id_column,
        missing=missing.value,
        min_coverage=min_coverage,
        cap=cap,
        skip_invalid=skip_invalid,
        decimal_comma=decimal_comma,
        group_by=tuple(g.value for g in group_by or ()),
        compare=compare,
        compare_display=None if compare is None else str(compare),
        movers=movers,
        keep_going=keep_going,
    )
    out_format = choose_format(fmt, None if out_dir else output, SCORE_FORMATS)
    if out_dir is not None and output is not None:
        raise usage_error("usage.out-dir", "give either -o or --out-dir, not both")
    if out_dir is not None:
        outputs.check_out_dir(out_dir, inputs)
    to_stdout = out_dir is None and (output is None or str(output) == "-")
    if out_format == "xlsx" and to_stdout:
        raise usage_error("usage.xlsx-needs-output", "--format xlsx needs -o FILE.xlsx")
    prepared = prepare(request)
    if not to_stdout and output is not None:
        from kpicard.outputs import check_output

        check_output(output, prepared.protected)
    result = _execute(prepared)
    if to_stdout:
        _print(result, out_format, detail)
    else:
        targets = [] if output is None else [outputs.OutputTarget(output, out_format)]
        fmt_dir = out_format if out_dir is not None else None
        with _working(result, out_format, str(output or out_dir)):
            files = outputs.planned_files(result, targets, out_dir, fmt_dir, detail=detail)
        outputs.write_files(files, result.protected, wrote)
    if result.failed:
        from kpicard.render.terminal import message

        left_out = ", ".join(result.failed)
        message(f"not written: {len(result.failed)} invalid input(s): {left_out}")
        raise typer.Exit(EXIT_INVALID)


def _execute(prepared):
    """Run with progress on a terminal, print every diagnostic, and stop (exit 1) when an
    input is invalid and --keep-going was not given, or when no input is valid."""
    from kpicard.render.progress import input_progress
    from kpicard.render.terminal import message, print_diagnostics

    with input_progress(prepared.names) as progress:
        result = prepared.execute(progress)
    print_diagnostics(result.diagnostics)
    if result.failed and not prepared.request.keep_going:
        raise typer.Exit(EXIT_INVALID)
    if not result.per_input:  # --keep-going, every input invalid: nothing to write over
        message("no valid input; nothing written")
        raise typer.Exit(EXIT_INVALID)
    return result


def _working(result, out_format: str, target: str):
    from kpicard.render.terminal import working

    count = len(result.scorecards)
    long = count >= (LONG_XLSX_EXPORT if out_format == "xlsx" else LONG_EXPORT)
    return working(f"writing {target} ({count:,} scorecards)", long=long)


def _print(result, out_format: str, detail: bool) -> None:
    """The output on stdout: a rich or plain table, or the bytes of a text format."""
    if out_format == "table":
        from kpicard.render.batch import print_sections
        from kpicard.render.text import render_table

        render_table(result.summary, detail=detail)
        print_sections(result.views)
        return
    with _working(result, out_format, "stdout"):
        data = result.render(out_format, detail=detail)
    sys.stdout.buffer.write(data)
    sys.stdout.flush()
    if out_format == "csv" and result.views:
        from kpicard.render.terminal import message

        message("note: rollups and comparisons go to files beside -o FILE.csv, not to stdout")


def explain(
    input_file: str = typer.Argument(..., metavar="INPUT", help="CSV/TSV/xlsx file; - for stdin."),
    employee: str = typer.Option(..., "--employee", "-e", help="Employee id to explain."),
    role: o.Role = None,
    catalog: o.Catalog = None,
    period: str = typer.Option(None, "--period", help="The period, when the file has several."),
    sheet: o.Sheet = None,
    id_column: o.IdColumn = None,
    missing: o.MissingPolicy = o.Missing.exclude,
    min_coverage: o.MinCoverage = 0.5,
    cap: o.Cap = 120.0,
    skip_invalid: o.SkipInvalid = False,
    decimal_comma: o.DecimalComma = False,
) -> None:
    """Show the arithmetic of one scorecard, KPI by KPI.

    Example:

      kpicard explain examples/billing-worked-example.csv -r billing-staff -e E001
    """
    from kpicard.app.explain import explain as explain_one
    from kpicard.app.request import RunRequest, make_inputs
    from kpicard.render.terminal import print_diagnostics

    request = RunRequest(
        make_inputs(input_file),
        role=role,
        catalog=catalog,
        period=period,
        sheet=sheet,
        id_column=id_column,
        missing=missing.value,
        min_coverage=min_coverage,
        cap=cap,
        skip_invalid=skip_invalid,
        decimal_comma=decimal_comma,
    )
    if input_file != "-":  # one file: a folder or glob is not expanded here
        from kpicard.actuals import check_readable

        check_readable(Path(input_file))
    explanation = explain_one(request, employee)
    print_diagnostics(explanation.diagnostics)
    sys.stdout.write(str(explanation))


def register(app: GuardedTyper) -> None:
    app.command("score")(score)
    app.command("explain")(explain)
