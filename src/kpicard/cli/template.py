"""`kpicard template ROLE`: an empty actuals sheet to fill in (SPEC 7)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from kpicard.cli.app import GuardedTyper
from kpicard.cli.common import CATALOG_HELP, open_catalog, output_format, role_or_error
from kpicard.diagnostics import usage_error

FORMATS = ("csv", "xlsx")
UTF8_BOM = b"\xef\xbb\xbf"


def template(
    role: str = typer.Argument(..., metavar="ROLE", help="Role id, e.g. billing-staff."),
    output: Path = typer.Option(
        None, "--output", "-o", help="FILE.xlsx or FILE.csv (default: the CSV header on stdout)."
    ),
    fmt: str = typer.Option(None, "--format", "-f", help="csv or xlsx (default: from -o)."),
    catalog: str = typer.Option(None, "--catalog", help=CATALOG_HELP),
) -> None:
    """Write an empty actuals sheet for a role: the columns kpicard reads, with checks.

    The .xlsx template checks each value as it is typed, explains each KPI, and remembers its
    role, so the filled-in file scores with no --role.

    Examples:

      kpicard template billing-staff -o team.xlsx

      kpicard score team.xlsx

      kpicard template billing-staff -o team.csv
    """
    out_format = output_format(fmt, output, FORMATS)
    to_stdout = output is None or str(output) == "-"
    if out_format == "xlsx" and to_stdout:
        raise usage_error(
            "usage.xlsx-needs-output",
            "an .xlsx template needs a file name",
            hint=f"kpicard template {role} -o team.xlsx",
        )
    if not to_stdout:
        from kpicard.outputs import check_output

        check_output(output, [])
    cat = open_catalog(catalog)
    found = role_or_error(cat, role)
    if out_format == "csv":
        _write_csv(found, output if not to_stdout else None)
        return
    from kpicard.outputs import write_atomic
    from kpicard.render.template import write_template

    write_atomic(
        output,
        lambda handle: write_template(
            found,
            handle,
            catalog_display=cat.display,
            catalog_digest=cat.digest,
            catalog_option=catalog,
            role_digest=cat.role_digest(found.id),
        ),
    )
    _wrote(output, f"fill it in, then: kpicard score {output}" + _catalog_flag(catalog))


def _write_csv(role, output: Path | None) -> None:
    from kpicard.render.template import render_template_csv

    text = render_template_csv(role)
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from kpicard.outputs import write_atomic

    # With a BOM, as Excel's own "CSV UTF-8" writes, so Excel shows accented names correctly.
    write_atomic(output, lambda handle: handle.write(UTF8_BOM + text.encode("utf-8")))
    _wrote(output, "fill it in, then: kpicard score " + f"{output} --role {role.id}")


def _catalog_flag(catalog: str | None) -> str:
    return f" --catalog {catalog}" if catalog else ""


def _wrote(path: Path, hint: str) -> None:
    from kpicard.render.terminal import message

    message(f"wrote {path}; {hint}")


def register(app: GuardedTyper) -> None:
    app.command("template")(template)
