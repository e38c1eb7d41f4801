"""The raw grid every actuals reader produces, before any KPI meaning is attached.

Readers (CSV, xlsx) only answer "what is in each cell, and where": they know nothing of the
catalog. Cells are plain Python values on the fast path (None, str, int, float) and small marker
types for the cases a spreadsheet distinguishes and kpicard must not lose:

- `Percent`: a number stored as a fraction in a cell formatted as a percentage (0.95 shown 95%).
- `CellError`: an Excel error value (`#DIV/0!`, `#N/A`, ...).
- `UNCACHED`: a formula cell with no cached value.
- `bool` and `datetime` values come through as themselves (both are errors in a KPI column).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from kpicard.diagnostics import Report


class Percent(float):
    """A number from a percentage-formatted Excel cell; the stored value is the fraction."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Percent({float(self)!r})"


class CellError(str):
    """An Excel error value such as `#DIV/0!`."""

    __slots__ = ()


class _Uncached:
    """A formula cell with no cached result (written by a library that computes nothing)."""

    _instance: _Uncached | None = None

    def __new__(cls) -> _Uncached:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNCACHED"


UNCACHED = _Uncached()

CellValue = None | str | int | float | bool | datetime | Percent | CellError | _Uncached


def column_letter(index: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(slots=True)
class RawRow:
    """One non-empty row: its 1-based number in the file and its cells by 0-based column."""

    number: int
    cells: list[CellValue]


@dataclass(slots=True)
class RawTable:
    """A sheet or CSV file as rows of cells.

    `rows` is an iterator so that big files stream; it yields only rows that are not entirely
    empty. Problems found while reading (container errors, bad bytes, ragged rows) go into
    `report` as they are met; a reader that cannot go on at all raises `DiagnosticError` instead.
    `cell_ref` says how cells are named in messages: "excel" (D7) or "csv" (row 7, column D).
    """

    file: str
    sheet: str | None
    rows: Iterator[RawRow]
    report: Report = field(default_factory=Report)
    cell_ref: str = "excel"
    sheets: list[str] = field(default_factory=list)
    # (bytes read, bytes in all) of the file or sheet, for a progress bar; None for stdin.
    progress: Callable[[], tuple[int, int]] | None = None
