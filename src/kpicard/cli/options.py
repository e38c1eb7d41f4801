"""Every option the commands share, declared once (typer `Annotated` types).

A command lists the ones it takes; the names, short forms and help texts are the same wherever
an option appears, and each maps one to one onto a field of `kpicard.app.request.RunRequest`.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class Missing(StrEnum):
    exclude = "exclude"
    zero = "zero"
    error = "error"


class GroupBy(StrEnum):
    team = "team"
    manager = "manager"
    role = "role"


CATALOG_HELP = "Catalog folder or role file (default: $KPICARD_CATALOG, else the bundled one)."

Inputs = Annotated[
    list[str],
    typer.Argument(metavar="INPUT", help="CSV/TSV/xlsx files, folders or globs; - for stdin."),
]
Role = Annotated[
    str | None,
    typer.Option(
        "--role", "-r", help="Role id (with a role column: the role of rows without one)."
    ),
]
Catalog = Annotated[str | None, typer.Option("--catalog", help=CATALOG_HELP)]
Period = Annotated[
    str | None, typer.Option("--period", help="Keep only rows of this period, e.g. 2026-Q3.")
]
Sheet = Annotated[
    str | None, typer.Option("--sheet", help="Excel sheet (default: the first visible one).")
]
IdColumn = Annotated[
    str | None, typer.Option("--id-column", help="Header of the employee id column.")
]
MissingPolicy = Annotated[
    Missing, typer.Option("--missing", help="Missing values: exclude, zero or error.")
]
MinCoverage = Annotated[
    float, typer.Option("--min-coverage", help="Coverage needed for a rating (0..1).")
]
Cap = Annotated[
    float, typer.Option("--cap", help="Highest KPI score, reached at stretch (>= 100).")
]
SkipInvalid = Annotated[
    bool,
    typer.Option("--skip-invalid", help="Treat invalid cells as missing, with a warning."),
]
DecimalComma = Annotated[bool, typer.Option("--decimal-comma", help="Read 1.234,5 as 1234.5.")]
Output = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file (- for stdout).")
]
Detail = Annotated[bool, typer.Option("--detail", help="Show every KPI of every scorecard.")]
GroupByOption = Annotated[
    list[GroupBy] | None,
    typer.Option("--group-by", help="Add rollups per team, manager or role (repeatable)."),
]
Compare = Annotated[
    Path | None,
    typer.Option("--compare", help="An earlier JSON output: add score and rating changes."),
]
Movers = Annotated[int, typer.Option("--movers", help="How many top movers up and down to list.")]
KeepGoing = Annotated[
    bool,
    typer.Option("--keep-going", help="Write the valid inputs' outputs even if some are invalid."),
]


def choice(value: str, allowed: tuple[str, ...], option: str) -> str:
    """`value` (any case) if it is one of `allowed`, else a usage error naming the choices."""
    from kpicard.diagnostics import usage_error

    value = value.lower()
    if value not in allowed:
        raise usage_error("usage.format", f"unknown {option} '{value}'; use {', '.join(allowed)}")
    return value
