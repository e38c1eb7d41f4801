"""Actuals: open a CSV/TSV/xlsx file (or stdin) as a raw grid, then map it to records."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from kpicard.actuals.grid import RawTable
from kpicard.diagnostics import usage_error


def check_readable(path: Path) -> None:
    """Exit-2 problems: missing path, a folder, no permission (BAD_INPUTS 1)."""
    if not path.exists():
        raise usage_error("input.missing", f"input file not found: {path}")
    if path.is_dir():
        raise usage_error(
            "input.is-folder", f"{path} is a folder; give a file (or several files) to score"
        )
    if not os.access(path, os.R_OK):
        raise usage_error("input.unreadable", f"cannot read {path}: permission denied")


def open_table(name: str, *, sheet: str | None = None, display: str | None = None) -> RawTable:
    """Open one input by name (`-` is CSV on stdin) as a streaming RawTable.

    `display` names the input in messages when `name` is a temporary copy (a stream).

    What a file is comes from its bytes, not its name: an xlsx renamed .csv, a CSV renamed
    .xlsx, legacy .xls, .ods and .numbers files are refused with what they really are.

    The table holds its file until the rows end: `read_records` closes it; anything else that
    reads it should use `with open_table(...) as table:` (or call `table.close()`).
    """
    from kpicard.actuals.container import describe_refusal, sniff_container
    from kpicard.actuals.csv_reader import open_csv

    if name == "-":
        return open_csv(sys.stdin.buffer, "<stdin>")
    path = Path(name)
    check_readable(path)
    shown = display or name
    kind = sniff_container(path)
    suffix = path.suffix.lower()
    refusal = describe_refusal(kind, path, shown)
    if refusal is not None:
        raise refusal
    if kind == "xlsx":
        from kpicard.actuals.xlsx import open_xlsx

        return open_xlsx(path, shown, sheet)
    delimiter = "\t" if suffix == ".tsv" else None
    return open_csv(path, shown, delimiter=delimiter)
