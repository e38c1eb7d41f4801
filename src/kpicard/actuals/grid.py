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

import weakref
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
    `report` as they are met; a reader that cannot go on at all raises `KpicardError` instead.
    `cell_ref` says how cells are named in messages: "excel" (D7) or "csv" (row 7, column D).

    The file behind `rows` is closed when they are exhausted or fail, and when the rows are
    dropped unread (see `releasing`). A consumer that stops early should still say so: call
    `close()`, or use the table as a context manager (`with open_table(name) as table:`);
    `read_records` does. Replacing `rows` by a wrapper (a progress counter) keeps this working:
    `close()` closes the wrapper and the reader's own rows.
    """

    file: str
    sheet: str | None
    rows: Iterator[RawRow]
    report: Report = field(default_factory=Report)
    cell_ref: str = "excel"
    sheets: list[str] = field(default_factory=list)
    # (bytes read, bytes in all) of the file or sheet, for a progress bar; None for stdin.
    progress: Callable[[], tuple[int, int]] | None = None
    # Closes the reader's rows and the file behind them at once (from `releasing`); idempotent.
    closer: Callable[[], None] | None = field(default=None, repr=False, compare=False)

    def close(self) -> None:
        """Stop reading and release the file now; harmless when already closed."""
        close_rows = getattr(self.rows, "close", None)
        if close_rows is not None:
            close_rows()  # a wrapper around the reader's rows, or those rows themselves
        if self.closer is not None:
            self.closer()

    def __enter__(self) -> RawTable:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def releasing(
    rows: Iterator[RawRow], release: Callable[[], None] | None = None
) -> Callable[[], None]:
    """Tie the file behind a rows generator to the generator's life, for `RawTable.closer`.

    A generator's own `finally`/`with` closes the file when it is exhausted, fails or is closed
    after it started; one that is dropped before its first row never runs that code. `release`
    (closing the file) therefore also runs when the generator is garbage (at once, by reference
    counting: a run pauses the cyclic collector) and at interpreter exit at the latest. The
    returned function closes the generator and runs `release` now; each runs once.
    """
    finalizer = weakref.finalize(rows, release) if release is not None else None

    def close() -> None:
        close_rows = getattr(rows, "close", None)
        if close_rows is not None:
            close_rows()
        if finalizer is not None:
            finalizer()

    return close
