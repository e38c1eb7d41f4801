"""Read a CSV/TSV file (or standard input) into a `RawTable`, streaming.

The reader answers only "what is in each cell, and where": rows are numbered as a spreadsheet
program shows them (a quoted cell with line breaks is one row, blank lines count), so that every
later message points at the row a user sees. It knows nothing of the header or the catalog;
ragged rows are the caller's to judge.

Why not `csv.Sniffer` or pandas: the Sniffer splits `E1;95,5` on the comma, and pandas would
be a heavy dependency for what Python's C `csv` module does at full speed. The extra checks
(NUL bytes, undecodable bytes, unterminated quotes, over-long cells) are arranged so that clean
rows pay only a few cheap tests: a per-line alarm sends the rare suspicious row down a slow path.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from itertools import chain
from pathlib import Path
from typing import BinaryIO

from kpicard.actuals.container import sniff_head, wide_text_encoding
from kpicard.actuals.grid import RawRow, RawTable, column_letter, releasing
from kpicard.diagnostics import Location, Report, input_error, usage_error

FIELD_LIMIT = 100_000
"""SPEC 10: longer cells are refused. Also bounds the memory an unterminated quote can take."""

_HEAD_BYTES = 64 * 1024
_SNIFF_RECORDS = 20
_CANDIDATES = (",", ";", "\t", "|")
_EOF = "\x00kpicard:end-of-file\x00"
"""Fed to the csv parser after the last line: it lands inside a cell only if a quote is open."""

HINT_UTF8 = "save as CSV UTF-8 (in Excel: File > Save As > 'CSV UTF-8 (Comma delimited)')"
_HEADER_WORDS = frozenset({"employee id", "employee", "emp id", "id", "kpi", "value"})
_SEPARATORS = re.compile(r"[\s_\-.]+")
_SEP_LINE = re.compile(r"sep=([^\"\r\n])(?:\r\n?|\n|\Z)", re.IGNORECASE)
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}

# What a file that is not CSV text is, by the sniffer's kind, and what to do instead. From its
# first bytes alone an OLE2 file may be either a legacy workbook or a password-protected one.
_NOT_CSV = {
    "xlsx": ("an Excel workbook (.xlsx)", "rename it to .xlsx, or save it as CSV UTF-8"),
    "xlsb": ("an Excel binary workbook (.xlsb)", "save it as .xlsx or as CSV UTF-8"),
    "ods": ("an OpenDocument spreadsheet (.ods)", "save it as .xlsx or as CSV UTF-8"),
    "numbers": ("an Apple Numbers file", "export it as .xlsx or as CSV UTF-8"),
    "zip": ("a zip archive", "save the sheet as .xlsx or as CSV UTF-8"),
    "xls": (
        "a legacy Excel 97-2003 workbook (.xls)",
        "open it in a spreadsheet program and save it as .xlsx or CSV UTF-8",
    ),
    "encrypted-ooxml": (
        "a password-protected Excel workbook",
        "password-protected; save an unprotected copy as .xlsx or CSV UTF-8",
    ),
    "ole2": (
        "a legacy Excel 97-2003 workbook (.xls) or a password-protected workbook",
        "open it in a spreadsheet program and save it unprotected as .xlsx or CSV UTF-8",
    ),
    "pdf": ("a PDF document", "export the data as CSV UTF-8"),
}


def open_csv(
    source: Path | BinaryIO, display_name: str, *, delimiter: str | None = None
) -> RawTable:
    """Check the start of a CSV file and return a table whose rows stream from it.

    `delimiter` is a preference (the caller passes "\\t" for .tsv): used unless the sniffed
    delimiter fits the file clearly better. Raises `KpicardError` for an empty, binary,
    UTF-16 or disguised file. Iterating the rows may raise it too, for bytes that are not UTF-8.
    """
    head = _read_head(source, display_name)
    complete = len(head) < _HEAD_BYTES
    _refuse_non_text(head, display_name, complete)
    sample = head.decode("utf-8-sig", errors="replace")  # for sniffing only; rows refuse bad bytes
    report = Report()
    sep = _SEP_LINE.match(sample)
    if sep:
        chosen = sep.group(1)
    else:
        chosen = _sniff(_complete_lines(sample, complete), delimiter)
        if delimiter and chosen != delimiter:
            report.note(
                "csv.delimiter",
                f"{display_name} is not {_name(delimiter)}-separated; "
                f"reading it as {_name(chosen)}-separated",
                Location(file=display_name),
            )
    progress = None
    if isinstance(source, Path):
        opener = _TrackedOpener(source)
        progress = opener.progress
    else:
        opener = _stream_opener(head, source)
    reader = _RowReader(opener, display_name, chosen, skip_first_line=bool(sep), report=report)
    rows = reader.rows()  # opens the file at its first row, closes it when it ends or is closed
    return RawTable(
        file=display_name,
        sheet=None,
        rows=rows,
        report=report,
        cell_ref="csv",
        progress=progress,
        closer=releasing(rows),
    )


# --- The start of the file: is it CSV text at all? -------------------------------------------


def _read_head(source: Path | BinaryIO, display_name: str) -> bytes:
    if isinstance(source, Path):
        try:
            with source.open("rb") as file:
                return _read_up_to(file, _HEAD_BYTES)
        except OSError as exc:
            raise usage_error(
                "input.unreadable", f"cannot read {display_name}: {exc.strerror or exc}"
            ) from exc
    return _read_up_to(source, _HEAD_BYTES)


def _read_up_to(stream: BinaryIO, size: int) -> bytes:
    """Read `size` bytes or up to EOF: a pipe may hand over less than asked per read."""
    parts: list[bytes] = []
    left = size
    while left > 0:
        chunk = stream.read(left)
        if not chunk:
            break
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def _refuse_non_text(head: bytes, name: str, complete: bool) -> None:
    """Stop early, with the right advice, for files that are not UTF-8 CSV text."""
    where = Location(file=name)
    if not head.removeprefix(codecs.BOM_UTF8).strip() and complete:
        raise input_error("csv.empty", f"empty file: no header in {name}", where)
    kind = sniff_head(head)
    if kind in _NOT_CSV:
        what, hint = _NOT_CSV[kind]
        raise input_error("csv.not-csv", f"{name} is {what}, not CSV text", where, hint)
    utf = wide_text_encoding(head)
    if utf:
        raise input_error(
            "csv.encoding",
            f'{name} is {utf} text (Excel\'s "Unicode Text"), not UTF-8',
            where,
            HINT_UTF8,
        )
    probe = head[:4096]  # NULs only: other control bytes are left for the rows to name
    if probe.count(0) > max(8, len(probe) // 20):
        raise input_error(
            "csv.not-csv", f"{name} looks like a binary file, not CSV text", where, HINT_UTF8
        )


# --- Which delimiter ---------------------------------------------------------------------------


def _complete_lines(sample: str, complete: bool) -> str:
    """Drop a line cut in half by the end of the sample."""
    if complete:
        return sample
    cut = max(sample.rfind("\n"), sample.rfind("\r"))
    return sample[: cut + 1] if cut >= 0 else sample


def _sniff(sample: str, preferred: str | None) -> str:
    """The candidate that splits the first non-empty lines most consistently into >1 cells.

    A line that holds a recognised header word (SPEC 3.1) in a row of the common width wins
    first: that is how `id;score` beats the comma in `E1;95,5`, and how a title line with a
    comma above the header does not decide. Ties go to `preferred`, then , ; tab |.
    """
    order = [preferred] if preferred else []
    order += [c for c in _CANDIDATES if c != preferred]
    scores = {delim: _score(sample, delim, rank) for rank, delim in enumerate(order)}
    return max(scores, key=scores.__getitem__)


def _score(sample: str, delimiter: str, rank: int) -> tuple[bool, int, int]:
    widths: list[tuple[int, bool]] = []
    try:
        for record in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter):
            if not any(cell.strip() for cell in record):
                continue
            widths.append((len(record), any(_norm(c) in _HEADER_WORDS for c in record)))
            if len(widths) == _SNIFF_RECORDS:
                break
    except csv.Error:
        return (False, 0, -rank)
    multi = [width for width, _ in widths if width > 1]
    if not multi:
        return (False, 0, -rank)
    mode = Counter(multi).most_common(1)[0][0]
    header = any(width == mode and words for width, words in widths)
    return (header, sum(width == mode for width, _ in widths), -rank)


def _norm(header: str) -> str:
    return _SEPARATORS.sub(" ", header.strip().lower()).strip()


def _name(delimiter: str) -> str:
    return _DELIMITER_NAMES.get(delimiter, repr(delimiter))


# --- Reading rows ------------------------------------------------------------------------------


Opener = Callable[[], AbstractContextManager[BinaryIO]]


class _TrackedOpener:
    """Opens the file lazily (a table that is never read leaves no handle behind) and says how
    far reading has got, for a progress bar."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: BinaryIO | None = None
        self.size = 0

    def __call__(self) -> BinaryIO:
        self.handle = self.path.open("rb")
        self.size = os.fstat(self.handle.fileno()).st_size
        return self.handle

    def progress(self) -> tuple[int, int]:
        if self.handle is None:
            return 0, self.size
        try:
            return self.handle.tell(), self.size
        except (OSError, ValueError):  # closed: all read
            return self.size, self.size


def _stream_opener(head: bytes, stream: BinaryIO) -> Opener:
    """Stdin cannot seek back: serve the bytes already read, then the rest; never close it."""
    buffered = io.BufferedReader(_Prefixed(head, stream), buffer_size=_HEAD_BYTES)
    return lambda: nullcontext(buffered)  # type: ignore[arg-type]


class _Prefixed(io.RawIOBase):
    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _Restart(Exception):
    """Re-read these lines as fresh records (after an unterminated quote swallowed them)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines


class _RowReader:
    """One pass over the file; `rows()` is the generator behind `RawTable.rows`."""

    def __init__(
        self, opener: Opener, display: str, delimiter: str, *, skip_first_line: bool, report: Report
    ) -> None:
        self._opener = opener
        self._display = display
        self._delimiter = delimiter
        self._skip_first_line = skip_first_line
        self._report = report
        self._empty_rows = 0
        self._first_empty_row = 0

    def rows(self) -> Iterator[RawRow]:
        """The rows, read as they are asked for, from a file opened only then."""
        csv.field_size_limit(FIELD_LIMIT)  # process-wide, but kpicard reads CSV only here
        with self._open() as binary:
            text = io.TextIOWrapper(
                binary, encoding="utf-8-sig", errors="surrogateescape", newline=""
            )
            try:
                yield from self._records(text)
            finally:
                text.detach()  # the opener owns (and maybe must not close) the binary stream
        self._warn_empty_rows()

    def _open(self) -> AbstractContextManager[BinaryIO]:
        try:
            return self._opener()
        except OSError as exc:
            raise usage_error(
                "input.unreadable", f"cannot read {self._display}: {exc.strerror or exc}"
            ) from exc

    def _warn_empty_rows(self) -> None:
        if self._empty_rows:
            count = self._empty_rows
            self._report.warning(
                "csv.empty-rows",
                f"{count} row{'s' if count > 1 else ''} holding only delimiters skipped"
                f" (first: row {self._first_empty_row})",
                self._where(self._first_empty_row),
            )

    def _records(self, text: io.TextIOWrapper) -> Iterator[RawRow]:
        number = 0
        if self._skip_first_line:
            text.readline()  # Excel's "sep=;" line: row 1, not data
            number = 1
        buf: list[str] = []
        alarm = [False]
        reader = self._reader(text, buf, alarm)
        clear = buf.clear
        while True:
            pushback: list[str] = []
            try:
                for row in reader:
                    number += 1
                    if alarm[0]:
                        alarm[0] = False
                        checked = self._inspect(row, number, buf)
                        if checked is None:
                            clear()
                            continue
                        row = checked
                    clear()
                    if len(row) < 2 and (not row or not row[0] or row[0].isspace()):
                        continue  # a blank line, or one of only spaces
                    if "" in row:
                        if not any(row):
                            self._delimiters_only(number)
                            continue
                        row = [c or None for c in row]  # type: ignore[misc]
                    yield RawRow(number, row)  # type: ignore[arg-type]
                return
            except csv.Error as exc:
                number += 1
                alarm[0] = False
                pushback, salvaged = self._too_long(exc, number, buf)
                clear()
                if salvaged is not None:
                    yield RawRow(number, [c or None for c in salvaged])
            except _Restart as restart:
                pushback = restart.lines
                clear()
            if pushback:
                reader = self._reader(chain(pushback, text), buf, alarm)

    def _reader(
        self, source: Iterable[str], buf: list[str], alarm: list[bool]
    ) -> Iterator[list[str]]:
        return csv.reader(_lines(source, buf, alarm), delimiter=self._delimiter, strict=False)

    def _delimiters_only(self, number: int) -> None:
        """Count a row like `,,,,` for the one warning given at the end."""
        if not self._empty_rows:
            self._first_empty_row = number
        self._empty_rows += 1

    def _inspect(self, row: list[str], number: int, buf: list[str]) -> list[str] | None:
        """The slow path, for a row whose lines held a NUL, a non-UTF-8 byte or the EOF mark."""
        if row and row[-1].endswith(_EOF):
            if row == [_EOF]:
                return None  # the clean end of the file
            rest = [line for line in buf[1:] if line is not _EOF]
            self._unterminated(number, len(row) - 1, "is never closed", bool(rest))
            raise _Restart(rest)
        return self._check_cells(row, number)

    def _check_cells(self, row: list[str], number: int) -> list[str] | None:
        """Refuse undecodable bytes; blank out (and report) cells holding NUL."""
        for index, cell in enumerate(row):
            if not cell.isascii() and _has_surrogate(cell):
                self._not_utf8(cell, number, index)
        for index, cell in enumerate(row):
            if "\x00" in cell:
                self._report.error(
                    "csv.nul",
                    f"NUL byte in row {number}, column {column_letter(index)}",
                    self._where(number, index),
                    "the file may be damaged or not a text file; " + HINT_UTF8,
                )
                row[index] = ""
        return row if any(row) else None

    def _not_utf8(self, cell: str, number: int, index: int) -> None:
        bad = next(ch for ch in cell if "\udc80" <= ch <= "\udcff")
        byte = ord(bad) - 0xDC00
        raise input_error(
            "csv.encoding",
            f"{self._display} is not UTF-8: byte 0x{byte:02X} in row {number}, "
            f"column {column_letter(index)} (a legacy encoding such as Windows-1252?)",
            self._where(number, index),
            HINT_UTF8,
        )

    def _too_long(
        self, exc: csv.Error, number: int, buf: list[str]
    ) -> tuple[list[str], list[str] | None]:
        """After csv gave up on a cell past FIELD_LIMIT: report it, and resume at the right line.

        Returns the lines to re-read, and the row's cells (long ones blanked) if it is usable.
        """
        lines = [line for line in buf if line is not _EOF]
        if "field larger than field limit" not in str(exc):
            self._report.error(
                "csv.malformed", f"row {number} cannot be read: {exc}", self._where(number)
            )
            return [], None
        row, open_quote = _reparse(lines, self._delimiter)
        if open_quote and len(lines) > 1:
            self._unterminated(
                number,
                len(row) - 1,
                f"runs past {FIELD_LIMIT:,} characters; its closing quote is probably missing",
                resumed=True,
            )
            return lines[1:], None
        for index, cell in enumerate(row):
            if len(cell) > FIELD_LIMIT:
                self._report.error(
                    "csv.cell-too-long",
                    f"cell in row {number}, column {column_letter(index)} holds {len(cell):,} "
                    f"characters; the limit is {FIELD_LIMIT:,}",
                    self._where(number, index),
                )
                row[index] = ""
        return [], self._check_cells(row, number)

    def _unterminated(self, number: int, index: int, what: str, resumed: bool) -> None:
        after = "; the lines after it are read as rows of their own" if resumed else ""
        self._report.error(
            "csv.unterminated-quote",
            f"unterminated quote starting on row {number}: the quoted cell in column "
            f"{column_letter(index)} {what}{after}",
            self._where(number, index),
            'close the quote, or write a quote inside a quoted cell as two quotes ("")',
        )

    def _where(self, row: int, index: int | None = None) -> Location:
        letter = column_letter(index) if index is not None else None
        return Location(file=self._display, row=row, cell_column=letter)


def _lines(source: Iterable[str], buf: list[str], alarm: list[bool]) -> Iterator[str]:
    """Feed csv the lines, keeping the current record's lines and flagging suspicious ones."""
    append = buf.append
    for line in source:
        append(line)
        if "\x00" in line or (not line.isascii() and _has_surrogate(line)):
            alarm[0] = True  # isascii() is O(1) in CPython: plain lines pay two cheap tests
        yield line
    append(_EOF)
    alarm[0] = True
    yield _EOF


def _has_surrogate(text: str) -> bool:
    """An undecodable byte, kept by errors="surrogateescape" so that its row can be named."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _reparse(lines: list[str], delimiter: str) -> tuple[list[str], bool]:
    """The record in `lines` without a size limit, and whether a quote is still open at its end."""
    limit = csv.field_size_limit(sys.maxsize)
    try:
        record = next(csv.reader([*lines, _EOF], delimiter=delimiter, strict=False), [])
    finally:
        csv.field_size_limit(limit)
    open_quote = bool(record) and record[-1].endswith(_EOF)
    if open_quote:
        record[-1] = record[-1].removesuffix(_EOF)
    return record, open_quote
