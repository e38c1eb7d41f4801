"""Streaming, defensive reader for `.xlsx`/`.xlsm` actuals.

Why not openpyxl: its read-only mode is about 3x slower on a 100k-row sheet (see
`benchmarks/xlsx_reader_bench.py`) and it neither refuses zip bombs nor DTDs up front. This reader
checks the zip's central directory before decompressing anything, parses every XML part with
`pyexpat` handlers that abort on any DTD (so no entity can ever be expanded), streams the sheet
in 64 KiB chunks, and holds only the shared strings and the current rows in memory.

Every failure a user file can cause becomes a `KpicardError` naming the file (and the cell
when there is one) with a hint; zipfile/expat exceptions never escape. Only those count as a
damaged file, and only where zipfile or expat raise them: any other exception is a bug in this
reader and propagates (the CLI reports it as an internal error, exit 3), never "corrupt".

The file is closed when the rows are exhausted, fail or are closed, when the table is dropped
unread, and on any error while opening it (see `RawTable.close`).

Zip-bomb rule (SPEC 10): total uncompressed size of all parts <= 200 MB, and no part larger than
1 MiB may expand more than 100:1. Real workbooks stay far below: the worst part in the 106 zip
files of the calamine corpus expands 19:1, and a million formatted-but-empty rows about 28:1. The
1 MiB floor spares tiny parts (a 2 KB styles part of repeated tags can exceed 100:1 harmlessly).
"""

from __future__ import annotations

import math
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from pyexpat import ExpatError, ParserCreate
from typing import Any

from kpicard.actuals.container import ZIP_DAMAGE, describe_refusal, sniff_container
from kpicard.actuals.grid import (
    UNCACHED,
    CellError,
    CellValue,
    Percent,
    RawRow,
    RawTable,
    column_letter,
    releasing,
)
from kpicard.diagnostics import KpicardError, Location, input_error, usage_error

MAX_ROWS = 1_048_576
MAX_COLS = 16_384
MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024
MAX_PARTS = 20_000
MAX_STRING_CHARS = 1_000_000
MAX_SHARED_STRINGS = 5_000_000
MAX_SHARED_CHARS = 100_000_000
MAX_SMALL_PART = 64 * 1024 * 1024
CHUNK = 64 * 1024
PADDING_FLOOR = 10_000_000
PADDING_PER_BYTE = 0.25
"""Empty cells a sheet may fill in between values (a value in column XFD pads its row with
16,383): the floor, then a quarter per byte of sheet XML read. Every later step walks rows cell
by cell, so a few bytes per row that each claim a far column would otherwise cost minutes; real
sheets pad a few cells per row (empty KPI cells, a notes column) for a hundred bytes of XML."""

REL_OFFICE_DOCUMENT = "/officeDocument"
REL_WORKSHEET = "/worksheet"
REL_SHARED_STRINGS = "/sharedStrings"
REL_STYLES = "/styles"

HINT_RESAVE = "open it in Excel or LibreOffice and save it again as .xlsx"
HINT_CORRUPT = "the file is damaged or was cut short (an incomplete download or copy?); " + (
    HINT_RESAVE
)

_DIGITS = "0123456789"
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_EPOCH_1900 = datetime(1899, 12, 30)
_EPOCH_1904 = datetime(1904, 1, 1)
_MAX_SERIAL = 2_958_465  # 9999-12-31

# Built-in number formats (ECMA-376 18.8.30) that show dates/times or percentages.
_BUILTIN_DATE_IDS = frozenset(range(14, 23)) | {45, 46, 47} | frozenset(range(27, 37))
_BUILTIN_DATE_IDS |= frozenset(range(50, 59))  # East Asian date formats.
_BUILTIN_PERCENT_IDS = frozenset({9, 10})
DATE, PERCENT = "date", "percent"


class _Refusal(Exception):
    """Internal: stop parsing with a finished diagnostic (turned into KpicardError)."""

    def __init__(self, error: KpicardError) -> None:
        super().__init__(str(error))
        self.error = error


# --------------------------------------------------------------------------------------------
# Entry point


def open_xlsx(path: Path, display_name: str, sheet: str | None = None) -> RawTable:
    """Open a workbook, run the SPEC 10 pre-flight and return its chosen sheet as streamed rows.

    Container problems raise `KpicardError` here; problems found in the sheet body raise while
    `rows` is iterated. On any exception the file is closed before it propagates.
    """
    book = _Workbook(path, display_name)  # closes the file itself when it raises
    try:
        return book.open_sheet(sheet)
    except BaseException as exc:
        book.close()
        if isinstance(exc, _Refusal):
            raise exc.error from None
        if isinstance(exc, ExpatError):
            raise _corrupt_error(display_name, exc) from None
        raise


def _corrupt_error(display_name: str, exc: BaseException) -> KpicardError:
    return input_error(
        "input.corrupt",
        f"the workbook is corrupt or truncated ({_short_reason(exc)})",
        Location(file=display_name),
        hint=HINT_CORRUPT,
    )


class _Workbook:
    """The zip container and the workbook-level parts (rels, workbook, styles, shared strings)."""

    def __init__(self, path: Path, display_name: str) -> None:
        """Open the archive and check its directory; `_Refusal` becomes `KpicardError`."""
        self.path = path
        self.name = display_name
        self.where = Location(file=display_name)
        self.archive = self._open_archive()
        try:
            self.parts = self._index_parts()
        except _Refusal as refusal:
            self.close()
            raise refusal.error from None
        except BaseException:
            self.close()
            raise

    # -- errors

    def refuse(self, code: str, message: str, hint: str | None = None, **loc: Any) -> _Refusal:
        location = Location(file=self.name, **loc) if loc else self.where
        return _Refusal(input_error(code, message, location, hint))

    def corrupt(self, exc: BaseException) -> KpicardError:
        return _corrupt_error(self.name, exc)

    def close(self) -> None:
        """Close the archive and the file under it (zipfile leaves a file it was given open)."""
        self.archive.close()
        self.handle.close()

    def damaged(self, exc: BaseException) -> _Refusal:
        """A zipfile exception as a "corrupt" refusal; re-raised when the archive was closed,
        as reading a closed archive is a bug, not a damaged file."""
        if self.archive.fp is None:
            raise exc
        return _Refusal(self.corrupt(exc))

    # -- container

    def _open_archive(self) -> zipfile.ZipFile:
        try:
            handle = self.path.open("rb")
        except OSError as exc:
            raise usage_error(
                "input.unreadable", f"cannot read {self.name}: {exc.strerror or exc}"
            ) from None
        try:
            archive = zipfile.ZipFile(handle)
        except ZIP_DAMAGE as exc:
            handle.close()
            raise self._not_zip_error(exc) from None
        except BaseException:
            handle.close()
            raise
        self.handle = handle
        return archive

    def _not_zip_error(self, exc: BaseException) -> KpicardError:
        """A file zipfile cannot open: a damaged zip, or what it really is (by the sniffer)."""
        kind = sniff_container(self.path)
        if kind in ("xlsx", "zip"):  # A zip (or what is left of one) that cannot be opened.
            return self.corrupt(exc)
        return describe_refusal(kind, Path("x.xlsx"), self.name) or self.corrupt(exc)

    def _index_parts(self) -> dict[str, zipfile.ZipInfo]:
        """Check the central directory (sizes, ratios, encryption) and map part names.

        Names are matched case-insensitively with `\\` read as `/`, as OPC part names are
        case-insensitive and some writers use Windows separators.
        """
        infos = self.archive.infolist()
        if len(infos) > MAX_PARTS:
            raise _Refusal(
                input_error(
                    "input.unsafe",
                    f"the workbook holds {len(infos):,} parts (limit {MAX_PARTS:,})",
                    self.where,
                    hint=HINT_RESAVE,
                )
            )
        total = 0
        parts: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            total += info.file_size
            self._check_part(info)
            parts.setdefault(_norm(info.filename), info)
        if total > MAX_TOTAL_UNCOMPRESSED:
            raise self.refuse(
                "input.unsafe",
                f"the workbook would expand to {total / 2**20:,.0f} MB "
                f"(limit {MAX_TOTAL_UNCOMPRESSED // 2**20} MB); refused as a possible zip bomb",
                "split the data into smaller workbooks, or export it as CSV",
            )
        return parts

    def _check_part(self, info: zipfile.ZipInfo) -> None:
        if info.flag_bits & 0x1:
            raise self.refuse(
                "input.encrypted",
                "the workbook's parts are encrypted",
                "password-protected; save an unprotected copy",
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise self.refuse(
                "input.unsafe",
                f"part {info.filename} expands {ratio:,.0f}:1 (limit {MAX_RATIO}:1); "
                "refused as a possible zip bomb",
                HINT_RESAVE,
            )

    def part(self, name: str) -> zipfile.ZipInfo | None:
        return self.parts.get(_norm(name))

    def chunks(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """Decompressed bytes of a part, never more than its declared size or the total cap."""
        cap = min(info.file_size, MAX_TOTAL_UNCOMPRESSED)
        seen = 0
        try:
            stream = self.archive.open(info)
        except ZIP_DAMAGE as exc:
            raise self.damaged(exc) from None
        with stream:
            while True:
                try:
                    chunk = stream.read(CHUNK)
                except ZIP_DAMAGE as exc:
                    raise self.damaged(exc) from None
                if not chunk:
                    return
                seen += len(chunk)
                if seen > cap:
                    raise self.refuse(
                        "input.unsafe",
                        f"part {info.filename} expands past its declared size; refused",
                        HINT_RESAVE,
                    )
                yield chunk

    def parse_small(self, name: str, required: str | None = None) -> list[_Element]:
        """Start tags of a small XML part (rels, workbook, styles), as (local name, parent,
        attributes with local names). A missing part is [] or, when `required` says why, an
        error."""
        info = self.part(name)
        if info is None:
            if required:
                raise self.refuse(
                    "input.corrupt",
                    f"the workbook has no {name} part ({required})",
                    HINT_CORRUPT,
                )
            return []
        if info.file_size > MAX_SMALL_PART:
            raise self.refuse(
                "input.unsafe",
                f"part {info.filename} is {info.file_size / 2**20:,.0f} MB, too large",
                HINT_RESAVE,
            )
        elements: list[_Element] = []
        stack: list[str] = []

        def start(tag: str, attrs: dict[str, str]) -> None:
            local = _local(tag)
            parent = stack[-1] if stack else ""
            elements.append((local, parent, {_local(k): v for k, v in attrs.items()}))
            stack.append(local)

        def end(tag: str) -> None:
            stack.pop()

        parser = _safe_parser(self, info.filename)
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        for chunk in self.chunks(info):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
        return elements

    # -- workbook structure

    def open_sheet(self, wanted: str | None) -> RawTable:
        book_part = self._workbook_part()
        elements = self.parse_small(book_part, "it is not an Excel workbook")
        rels = self._rels(book_part, required=True)
        sheets = [(attrs.get("name", ""), attrs) for tag, _, attrs in elements if tag == "sheet"]
        date1904 = any(
            tag == "workbookPr" and attrs.get("date1904", "0").lower() in ("1", "true")
            for tag, _, attrs in elements
        )
        names = [name for name, _ in sheets]
        name, attrs, note = self._choose(sheets, rels, wanted)
        target = rels.get(attrs.get("id", ""), ("", ""))[1]
        info = self.part(target) if target else None
        if info is None:
            raise self.refuse(
                "input.corrupt",
                f"sheet '{name}' is listed but its part {target or '(no target)'} is missing",
                HINT_CORRUPT,
                sheet=name,
            )
        styles = self._styles(rels)
        strings = self._shared_strings(rels)
        stream = _SheetStream(self, info, name, strings, styles, date1904)
        stream.prime()
        rows = stream.rows()
        table = RawTable(
            file=self.name,
            sheet=name,
            rows=rows,
            cell_ref="excel",
            sheets=names,
            progress=lambda: self._sheet_progress(info),
            closer=releasing(rows, self.close),
        )
        if note:
            table.report.note("input.sheet", note, Location(file=self.name, sheet=name))
        return table

    def _sheet_progress(self, info: zipfile.ZipInfo) -> tuple[int, int]:
        """How far into the sheet's compressed bytes the archive's file position is."""
        total = info.compress_size
        try:
            position = self.handle.tell() - info.header_offset
        except (OSError, ValueError):  # closed: all read
            return total, total
        return max(0, min(position, total)), total

    def _workbook_part(self) -> str:
        """The officeDocument target named in `_rels/.rels`, else the usual `xl/workbook.xml`."""
        for tag, _, attrs in self.parse_small("_rels/.rels"):
            if tag == "Relationship" and attrs.get("Type", "").endswith(REL_OFFICE_DOCUMENT):
                target = _resolve("", attrs.get("Target", ""))
                if self.part(target) is not None:
                    return target
        return "xl/workbook.xml"

    def _rels(self, part: str, required: bool = False) -> dict[str, tuple[str, str]]:
        """Relationship id -> (type, resolved part name) for a part."""
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        why = "it lists where the sheets are" if required else None
        out: dict[str, tuple[str, str]] = {}
        for tag, _, attrs in self.parse_small(rels_name, why):
            if tag != "Relationship" or attrs.get("TargetMode", "").lower() == "external":
                continue
            out[attrs.get("Id", "")] = (
                attrs.get("Type", ""),
                _resolve(folder, attrs.get("Target", "")),
            )
        return out

    def _choose(
        self,
        sheets: list[tuple[str, dict[str, str]]],
        rels: dict[str, tuple[str, str]],
        wanted: str | None,
    ) -> tuple[str, dict[str, str], str | None]:
        names = [name for name, _ in sheets]
        if wanted is not None:
            return self._by_name(sheets, names, wanted)
        for name, attrs in sheets:
            rel_type = rels.get(attrs.get("id", ""), ("", ""))[0]
            hidden = attrs.get("state", "visible") in ("hidden", "veryHidden")
            if not hidden and rel_type.endswith(REL_WORKSHEET):
                return name, attrs, None
        listed = ", ".join(f"'{n}'" for n in names) or "none"
        raise self.refuse(
            "input.no-sheet",
            f"the workbook has no visible worksheet (sheets: {listed})",
            "unhide a sheet in Excel, or name one with --sheet",
        )

    def _by_name(
        self, sheets: list[tuple[str, dict[str, str]]], names: list[str], wanted: str
    ) -> tuple[str, dict[str, str], str | None]:
        for name, attrs in sheets:
            if name == wanted:
                return name, attrs, None
        folded = [(name, attrs) for name, attrs in sheets if name.casefold() == wanted.casefold()]
        if len(folded) == 1:
            name, attrs = folded[0]
            return name, attrs, f"--sheet {wanted!r} matched sheet {name!r}"
        listed = ", ".join(f"'{n}'" for n in names) or "none"
        raise self.refuse(
            "input.sheet",
            f"no sheet named '{wanted}' in the workbook; its sheets are: {listed}",
            "pass one of the listed names to --sheet",
        )

    def _styles(self, rels: dict[str, tuple[str, str]]) -> dict[str, str]:
        """Cell style index (the `s` attribute, as text) -> DATE or PERCENT, for those only."""
        target = _rel_target(rels, REL_STYLES, "xl/styles.xml")
        custom: dict[int, str] = {}
        kinds: dict[str, str] = {}
        index = 0
        for tag, parent, attrs in self.parse_small(target):
            if tag == "numFmt":
                fmt_id = _int_or(attrs.get("numFmtId"), -1)
                custom[fmt_id] = attrs.get("formatCode", "")
            elif tag == "xf" and parent == "cellXfs":
                kind = _format_kind(_int_or(attrs.get("numFmtId"), 0), custom)
                if kind:
                    kinds[str(index)] = kind
                index += 1
        return kinds

    def _shared_strings(self, rels: dict[str, tuple[str, str]]) -> list[str]:
        target = _rel_target(rels, REL_SHARED_STRINGS, "xl/sharedStrings.xml")
        info = self.part(target)
        if info is None:
            return []
        return _SharedStrings(self, info).read()


_Element = tuple[str, str, dict[str, str]]


def _safe_parser(book: _Workbook, part: str) -> Any:
    """An expat parser that refuses any DTD, so no entity (internal or external) can exist."""
    parser = ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = CHUNK

    def forbid(*_: object) -> None:
        raise book.refuse(
            "input.unsafe",
            f"unsafe XML in part {part}: it declares a DTD or entities; refused",
            "a workbook saved by Excel or LibreOffice never does this; save a fresh copy",
        )

    parser.StartDoctypeDeclHandler = forbid
    parser.EntityDeclHandler = forbid
    parser.ExternalEntityRefHandler = forbid
    return parser


# --------------------------------------------------------------------------------------------
# Shared strings


class _SharedStrings:
    """Reads `sharedStrings.xml`: each `<si>` is the concatenation of its `<t>` texts, rich-text
    runs included, phonetic (`<rPh>`) runs excluded."""

    def __init__(self, book: _Workbook, info: zipfile.ZipInfo) -> None:
        self.book = book
        self.info = info
        self.strings: list[str] = []
        self.pieces: list[str] = []
        self.in_t = False
        self.in_phonetic = 0
        self.total = 0

    def read(self) -> list[str]:
        parser = _safe_parser(self.book, self.info.filename)
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.chars
        for chunk in self.book.chunks(self.info):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
        return self.strings

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        local = _local(tag)
        if local == "t":
            self.in_t = not self.in_phonetic
        elif local == "si":
            self.pieces.clear()
        elif local == "rPh":
            self.in_phonetic += 1

    def end(self, tag: str) -> None:
        local = _local(tag)
        if local == "t":
            self.in_t = False
        elif local == "si":
            self.add(_unescape("".join(self.pieces)))
        elif local == "rPh":
            self.in_phonetic -= 1

    def chars(self, text: str) -> None:
        if self.in_t:
            self.pieces.append(text)
            if len(self.pieces) > 16 and sum(map(len, self.pieces)) > MAX_STRING_CHARS:
                raise self.too_long()

    def add(self, text: str) -> None:
        if len(text) > MAX_STRING_CHARS:
            raise self.too_long()
        self.total += len(text)
        if len(self.strings) >= MAX_SHARED_STRINGS or self.total > MAX_SHARED_CHARS:
            raise self.book.refuse(
                "input.unsafe",
                f"the shared strings exceed {MAX_SHARED_STRINGS:,} strings or "
                f"{MAX_SHARED_CHARS:,} characters; refused",
                "split the data into smaller workbooks, or export it as CSV",
            )
        self.strings.append(text)

    def too_long(self) -> _Refusal:
        return self.book.refuse(
            "input.unsafe",
            f"a shared string is longer than {MAX_STRING_CHARS:,} characters; refused",
            "no actuals cell needs that much text; remove it and save again",
        )


# --------------------------------------------------------------------------------------------
# The sheet


class _SheetStream:
    """Streams one worksheet part through expat and turns `<row>`/`<c>` into `RawRow`s.

    Hot path notes (measured on 100k x 22): closures over local state beat attribute access,
    comparing the tag to a precomputed name beats a dict dispatch, and column letters are
    converted once per distinct letters through a cache.
    """

    def __init__(
        self,
        book: _Workbook,
        info: zipfile.ZipInfo,
        sheet: str,
        strings: list[str],
        styles: dict[str, str],
        date1904: bool,
    ) -> None:
        self.book = book
        self.info = info
        self.sheet = sheet
        self.out: list[RawRow] = []
        self.parser = _safe_parser(book, info.filename)
        self.source = book.chunks(info)
        self.done = False
        self.started_data = False
        self.error: KpicardError | None = None
        self.fed = 0  # bytes of sheet XML parsed so far
        self._install(strings, styles, date1904)

    # -- driving

    def prime(self) -> None:
        """Parse up to the start of `<sheetData>` (or the first rows) so that DTDs and an
        oversized `<dimension>` are refused when the file is opened, not mid-iteration."""
        while not self.done and not self.started_data and not self.out:
            self._feed()

    def rows(self) -> Iterator[RawRow]:
        try:
            while True:
                if self.out:
                    batch = self.out.copy()
                    self.out.clear()  # The handlers hold this very list.
                    yield from batch
                if self.done:
                    return
                self._feed()
        finally:
            self.source.close()
            self.book.close()

    def _feed(self) -> None:
        try:
            chunk = next(self.source, None)
            if chunk is None:
                self.parser.Parse(b"", True)
                self.done = True
            else:
                self.fed += len(chunk)
                self.parser.Parse(chunk, False)
        except _Refusal as refusal:
            self.done = True
            raise refusal.error from None
        except ExpatError as exc:
            self.done = True
            raise self._corrupt(exc) from None
        except BaseException:
            self.done = True
            raise

    def _corrupt(self, exc: BaseException) -> KpicardError:
        line = getattr(exc, "lineno", None)
        where = f" at line {line} of {self.info.filename}" if line else ""
        return input_error(
            "input.corrupt",
            f"the sheet '{self.sheet}' is corrupt or truncated ({_short_reason(exc)}){where}",
            Location(file=self.book.name, sheet=self.sheet),
            hint=HINT_CORRUPT,
        )

    # -- the expat handlers, as closures over local state

    def _install(self, strings: list[str], styles: dict[str, str], date1904: bool) -> None:
        out = self.out
        refuse = self._refuse_at
        epoch = _EPOCH_1904 if date1904 else _EPOCH_1900
        to_date = _date_converter(epoch, date1904)
        col_cache: dict[str, int] = {}
        local_names: dict[str, str] = {}
        isfinite = math.isfinite
        n_strings = len(strings)

        row_no = 0
        cells: list[CellValue] = []
        col = -1
        ctype: str | None = None
        style: str | None = None
        collecting = False
        has_formula = False
        has_value = False
        inline_pieces: list[str] | None = None
        in_phonetic = 0
        pieces: list[str] = []
        prefix = ""
        # Tag names of the hot path, rebound once if the sheet uses a namespace prefix.
        C, V, ROW, F = "c", "v", "row", "f"

        def column_of(ref: str) -> int:
            letters = ref.rstrip(_DIGITS)
            index = col_cache.get(letters)
            if index is None:
                index = _column_index(letters)
                if index < 0:
                    raise refuse(f"malformed cell reference {ref!r}", ref=ref)
                if index >= MAX_COLS:
                    raise refuse(
                        f"cell {ref} lies beyond Excel's last column XFD; refused", ref=ref
                    )
                col_cache[letters] = index
            digits = len(ref) - len(letters)
            if digits >= 7 and (digits > 7 or int(ref[len(letters) :]) > MAX_ROWS):
                raise refuse(f"cell {ref} lies beyond Excel's last row 1048576; refused", ref=ref)
            return index

        def number(text: str) -> float | None:
            """The slow path: blanks, padding, negative integers, floats."""
            if not text.isascii():
                raise ValueError(f"not a number: {text!r}")
            stripped = text.strip()
            if not stripped:
                return None
            unsigned = stripped[1:] if stripped[:1] == "-" else stripped
            if unsigned.isdigit():
                return int(stripped)
            value = float(stripped)
            if not isfinite(value):
                raise ValueError(f"not a finite number: {text!r}")
            return value

        def styled(value: float) -> CellValue:
            kind = styles.get(style) if style is not None else None
            if kind is PERCENT:
                return Percent(value)
            if kind is DATE:
                return to_date(value)
            return value

        def typed(text: str) -> CellValue:
            if ctype != "str" and ctype != "inlineStr" and not text.strip():
                return None  # `<v/>`: written by some tools for an empty cell
            if ctype == "s":
                index = int(text)
                if not 0 <= index < n_strings:
                    raise ValueError(f"shared string {index} does not exist")
                return strings[index]
            if ctype == "n":
                value = number(text)
                return None if value is None else styled(value)
            if ctype == "str" or ctype == "inlineStr":
                return _unescape(text)
            if ctype == "b":
                flag = text.strip()
                if flag not in ("0", "1", "true", "false"):
                    raise ValueError(f"bad boolean {text!r}")
                return flag in ("1", "true")
            if ctype == "e":
                return CellError(text.strip())
            if ctype == "d":
                return _iso_datetime(text)
            return _unescape(text)

        padding = 0

        def put(value: CellValue) -> None:
            nonlocal padding
            size = len(cells)
            if col == size:
                cells.append(value)
            elif col > size:
                padding += col - size
                if padding > PADDING_FLOOR and padding > self.fed * PADDING_PER_BYTE:
                    raise too_sparse()
                cells.extend([None] * (col - size))
                cells.append(value)
            else:
                cells[col] = value

        def start(tag: str, attrs: dict[str, str]) -> None:
            nonlocal col, ctype, style, collecting, has_formula, has_value, inline_pieces
            nonlocal row_no, cells
            if tag == C:
                ref = attrs.get("r")
                if ref is not None:
                    letters = ref.rstrip(_DIGITS)
                    col = col_cache.get(letters, -1)
                    if col < 0 or len(ref) - len(letters) > 6:
                        col = column_of(ref)
                else:
                    col += 1
                    if col >= MAX_COLS:
                        raise refuse("a row has more than 16,384 cells; refused", ref=None)
                ctype = attrs.get("t")
                style = attrs.get("s")
                has_formula = has_value = False
                inline_pieces = None
            elif tag == V:
                collecting = True
            elif tag == ROW:
                ref = attrs.get("r")
                row_no = _int_or(ref, -1) if ref is not None else row_no + 1
                if not 0 < row_no <= MAX_ROWS:
                    raise refuse(f"row number {ref} is outside 1..1048576; refused", ref=None)
                cells = []
                col = -1
            else:
                start_other(tag, attrs)

        def start_other(tag: str, attrs: dict[str, str]) -> None:
            nonlocal collecting, has_formula, inline_pieces, in_phonetic, prefix, C, V, ROW, F
            local = local_names.get(tag)
            if local is None:
                local = local_names[tag] = _local(tag)
                if local in ("worksheet", "c", "v", "row", "f") and tag != local and not prefix:
                    # A prefixed namespace (`x:c`): rebind the hot-path names once.
                    prefix = tag[: len(tag) - len(local)]
                    C, V, ROW, F = prefix + "c", prefix + "v", prefix + "row", prefix + "f"
                    if local in ("c", "v", "row", "f"):
                        start(tag, attrs)
                        return
            if local == "f":
                has_formula = True
            elif local == "is":
                inline_pieces = []
            elif local == "t":
                collecting = inline_pieces is not None and not in_phonetic
            elif local == "rPh":
                in_phonetic += 1
            elif local == "sheetData":
                self.started_data = True
            elif local == "dimension":
                check_dimension(attrs.get("ref", ""))

        def check_dimension(ref: str) -> None:
            last = ref.rpartition(":")[2].replace("$", "").upper()
            letters = last.rstrip(_DIGITS)
            digits = last[len(letters) :]
            too_many_rows = len(digits) > 7 or (digits.isdigit() and int(digits) > MAX_ROWS)
            if _column_index(letters) >= MAX_COLS or too_many_rows:
                raise refuse(
                    f"the sheet claims a size of {ref}, beyond Excel's 1,048,576 rows x "
                    "16,384 columns; refused",
                    ref=None,
                )

        def end(tag: str) -> None:
            nonlocal collecting, has_value, inline_pieces, in_phonetic
            if tag == V:
                collecting = False
                text = "".join(pieces)
                pieces.clear()
                if inline_pieces is not None:
                    return
                try:
                    if ctype is not None:
                        value = typed(text)
                    elif text.isdigit() and text.isascii():
                        value = int(text)
                    else:
                        value = number(text)
                    if style is not None and value is not None and ctype is None:
                        value = styled(value)
                except (ValueError, OverflowError) as exc:
                    raise bad_value(exc) from None
                if value is not None:
                    has_value = True
                    if col == len(cells):
                        cells.append(value)
                    else:
                        put(value)
            elif tag == C:
                if inline_pieces is not None:
                    text = "".join(inline_pieces)
                    if len(text) > MAX_STRING_CHARS:
                        raise too_long()
                    has_value = True
                    put(_unescape(text))
                    inline_pieces = None
                elif has_formula and not has_value:
                    put(UNCACHED)
            elif tag == ROW:
                if cells:
                    out.append(RawRow(row_no, cells))
            else:
                local = local_names.get(tag) or _local(tag)
                if local == "t" and inline_pieces is not None:
                    collecting = False
                    inline_pieces.extend(pieces)
                    pieces.clear()
                elif local == "rPh":
                    in_phonetic -= 1

        def chars(text: str) -> None:
            if collecting:
                pieces.append(text)
                if len(pieces) > 16 and sum(map(len, pieces)) > MAX_STRING_CHARS:
                    raise too_long()

        def bad_value(exc: Exception) -> _Refusal:
            cell = column_letter(max(col, 0)) + str(row_no)
            return refuse(
                f"cell {cell} holds an unreadable value ({exc})", ref=cell, code="input.corrupt"
            )

        def too_sparse() -> _Refusal:
            cell = column_letter(max(col, 0)) + str(row_no)
            return refuse(
                f"the sheet's values lie far apart (like {cell}): over {PADDING_FLOOR:,} empty "
                "cells in between, far more than its size explains; refused",
                ref=cell,
            )

        def too_long() -> _Refusal:
            return refuse(
                f"a cell holds more than {MAX_STRING_CHARS:,} characters; refused",
                ref=column_letter(max(col, 0)) + str(row_no),
            )

        self.parser.StartElementHandler = start
        self.parser.EndElementHandler = end
        self.parser.CharacterDataHandler = chars
        self._position = lambda: (row_no, col)

    def _refuse_at(self, message: str, ref: str | None, code: str = "input.unsafe") -> _Refusal:
        """A refusal located at a cell reference (or just the sheet)."""
        row, col = self._position()
        letters = ref.rstrip(_DIGITS) if ref else (column_letter(col) if col >= 0 else None)
        location = Location(
            file=self.book.name, sheet=self.sheet, row=row or None, cell_column=letters
        )
        return _Refusal(input_error(code, message, location, HINT_RESAVE))


# --------------------------------------------------------------------------------------------
# Small helpers


def _local(tag: str) -> str:
    return tag.rpartition(":")[2]


def _norm(name: str) -> str:
    return name.replace("\\", "/").lstrip("/").lower()


def _resolve(folder: str, target: str) -> str:
    """A relationship target as a part name: absolute (`/xl/...`) or relative to `folder`."""
    target = target.replace("\\", "/")
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(folder, target)).lstrip("/")


def _rel_target(rels: dict[str, tuple[str, str]], suffix: str, default: str) -> str:
    for rel_type, target in rels.values():
        if rel_type.endswith(suffix):
            return target
    return default


def _int_or(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def _column_index(letters: str) -> int:
    """`A` -> 0; -1 for anything that is not 1-3 letters."""
    if not 0 < len(letters) <= 3 or not letters.isascii() or not letters.isalpha():
        return -1 if len(letters) <= 3 else MAX_COLS
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index - 1


_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')


def _format_kind(fmt_id: int, custom: dict[int, str]) -> str | None:
    """DATE, PERCENT or None for a number format id (built-in or custom)."""
    code = custom.get(fmt_id)
    if code is None:
        if fmt_id in _BUILTIN_DATE_IDS:
            return DATE
        if fmt_id in _BUILTIN_PERCENT_IDS:
            return PERCENT
        return None
    # Only the first section (positive numbers) decides; literals and [colour] do not count.
    bare = _QUOTED.sub("", code).split(";", 1)[0].lower()
    if "%" in bare:
        return PERCENT
    if bare.strip() == "general":
        return None
    if any(ch in bare for ch in "dmyhs"):
        return DATE
    return None


def _date_converter(epoch: datetime, date1904: bool) -> Callable[[float], CellValue]:
    """Excel serial -> datetime, with the 1900 system's fictitious 29 Feb 1900 (serial 60)."""

    def convert(serial: float) -> CellValue:
        if not 0 <= serial <= _MAX_SERIAL:
            return serial
        if not date1904 and serial < 61:
            # Serials below 60 count from 1899-12-31; 60 is Excel's nonexistent 29 Feb 1900.
            serial = serial + 1 if serial < 60 else serial + 1 - (serial - 60)
        days = int(serial)
        micros = round((serial - days) * 86_400_000_000)
        micros = round(micros / 1000) * 1000  # Excel stores milliseconds at best.
        return epoch + timedelta(days=days, microseconds=micros)

    return convert


def _iso_datetime(text: str) -> datetime:
    text = text.strip()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = datetime.combine(_EPOCH_1900.date(), time.fromisoformat(text))
    return value.replace(tzinfo=None)


def _unescape(text: str) -> str:
    """Decode OOXML `_xHHHH_` escapes (`_x000D_` is a carriage return, `_x005F_` a `_`)."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(_escaped_char, text)


def _escaped_char(match: re.Match[str]) -> str:
    code = int(match.group(1), 16)
    return "\ufffd" if 0xD800 <= code <= 0xDFFF else chr(code)


def _short_reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."
