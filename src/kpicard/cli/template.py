"""`kpicard template ROLE`: an empty actuals sheet to fill in (SPEC 7)."""

from __future__ import annotations

import sys

import typer

from kpicard.cli import options as o
from kpicard.cli.app import GuardedTyper
from kpicard.diagnostics import usage_error


def template(
    role: str = typer.Argument(..., metavar="ROLE", help="Role id, e.g. billing-staff."),
    output: o.Output = None,
    fmt: str = typer.Option(None, "--format", "-f", help="csv or xlsx (default: from -o)."),
    catalog: o.Catalog = None,
) -> None:
    """Write an empty actuals sheet for a role: the columns kpicard reads, with checks.

    The .xlsx template checks each value as it is typed, explains each KPI, and remembers its
    role, so the filled-in file scores with no --role. Without -o the CSV header goes to
    standard output.

    Examples:

      kpicard template billing-staff -o team.xlsx

      kpicard score team.xlsx

      kpicard template billing-staff -o team.csv
    """
    from kpicard.app.template import make_template
    from kpicard.outputs import check_output, write_atomic
    from kpicard.render.formats import TEMPLATE_FORMATS, choose_format
    from kpicard.render.terminal import message

    out_format = choose_format(fmt, output, TEMPLATE_FORMATS)
    to_stdout = output is None or str(output) == "-"
    if out_format == "xlsx" and to_stdout:
        raise usage_error(
            "usage.xlsx-needs-output",
            "an .xlsx template needs a file name",
            hint=f"kpicard template {role} -o team.xlsx",
        )
    if output is not None and not to_stdout:
        check_output(output, [])
    write = make_template(role, out_format, catalog=catalog, for_file=not to_stdout)
    if output is None or to_stdout:
        write(sys.stdout.buffer)
        sys.stdout.flush()
        return
    write_atomic(output, write)
    if out_format == "csv":
        hint = f"kpicard score {output} --role {role}"
    else:
        hint = f"kpicard score {output}" + (f" --catalog {catalog}" if catalog else "")
    message(f"wrote {output}; fill it in, then: {hint}")


def register(app: GuardedTyper) -> None:
    app.command("template")(template)
