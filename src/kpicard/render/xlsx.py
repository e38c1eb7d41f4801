"""Workbook export (SPEC 6): Summary, Detail, Charts and Catalog sheets a manager can use at once.

Written with XlsxWriter, not openpyxl: it writes the 10,000-employee report about twice as fast
(`benchmarks/xlsx_export_bench.py`) and streams the Detail sheets row by row ("constant memory"),
so a report past Excel's row limit does not need gigabytes. Only the Detail sheets stream; the
other sheets are small and keep the features streaming forbids (Excel tables). XlsxWriter has no
per-sheet switch for that: it reads the workbook's `constant_memory` flag when a sheet is added,
so `_detail` sets the flag around adding the Detail sheets (a test guards this).

Every value is the unrounded number of the JSON document (`kpicard.render.json`); only number
formats round. Text from inputs always goes through `write_string`, never `write`, so a name
such as `=HYPERLINK(...)` is a string cell and never a formula (BAD_INPUTS 58).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_range
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from kpicard import __version__
from kpicard.models import KPI, Band, KPIResult, KRAResult, Role, Scorecard, ScoreRun

MAX_SHEET_ROWS = 1_048_576
DETAIL_ROWS_PER_SHEET = MAX_SHEET_ROWS - 1  # data rows under the header; tests lower it
MAX_CELL_CHARS = 32_767
MAX_SHEET_NAME = 31
SHEET_NAME_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})
INSUFFICIENT = "insufficient data"
MIN_WIDTH, MAX_WIDTH = 6.0, 60.0
NUMBER_WIDTH = 9.0
COPY_CHUNK = 1024 * 1024

# Excel's own "good / neutral / bad" styles, plus grey for "no value".
STATUS_COLOURS = {
    "met": ("#C6EFCE", "#006100"),
    "below": ("#FFEB9C", "#9C5700"),
    "missed": ("#FFC7CE", "#9C0006"),
    "missing": ("#D9D9D9", "#404040"),
}
SCALE_RED, SCALE_YELLOW, SCALE_GREEN = "#F8696B", "#FFEB84", "#63BE7B"
HEADER_FILL = "#DDEBF7"

SCORE_FORMAT = "0.0"
COVERAGE_FORMAT = "0%"
PROPERTY_DIGEST = "kpicard-catalog-digest"
PROPERTY_VERSION = "kpicard-version"


# --------------------------------------------------------------------------------------------
# Entry point


ExtraSheet = tuple[str, list[str], list[list[Any]]]
"""(name, header, rows): a plain table sheet such as a batch's Groups or Comparison."""


def write_report(run: ScoreRun, handle: BinaryIO, extra: Sequence[ExtraSheet] = ()) -> None:
    """Write the workbook of `run` to `handle` (a binary file), with `extra` table sheets
    (a review batch's Groups and Comparison) after the summary sheets.

    XlsxWriter keeps scratch files while it works and builds the zip in a private folder that
    is removed whatever happens, so a failed export leaves nothing behind; the finished zip is
    then copied to `handle`, so a full disk there is a plain OSError for the caller to report.
    """
    with tempfile.TemporaryDirectory(prefix="kpicard-xlsx-") as scratch:
        built = Path(scratch) / "report.xlsx"
        book = xlsxwriter.Workbook(
            str(built),
            {
                "tmpdir": scratch,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        try:
            _ReportWriter(book, run, extra).write()
            book.close()
        except FileCreateError as exc:
            _discard(book)
            cause = exc.args[0] if exc.args else None
            if isinstance(cause, OSError):
                raise cause from None
            raise
        except BaseException:
            _discard(book)
            raise
        with built.open("rb") as source:
            shutil.copyfileobj(source, handle, COPY_CHUNK)


def _discard(book: Workbook) -> None:
    """Close the streaming sheets' scratch files so their folder can be removed."""
    for sheet in book.worksheets():
        handle = getattr(sheet, "row_data_fh", None)
        if handle is not None:
            with contextlib.suppress(OSError, ValueError):
                handle.close()


class ExactWorksheet(Worksheet):
    """A worksheet that writes numbers exactly.

    XlsxWriter writes 16 significant digits, which can change the last bit of a double (the
    JSON's 110.83333333333331 would read back as 110.8333333333333). Python's `repr` is the
    shortest text that reads back as the same double, so the workbook equals the JSON document.
    """

    def _xml_number_element(self, number: float, attributes: Any = ()) -> None:
        attr = "".join(f' {key}="{self._escape_attributes(value)}"' for key, value in attributes)
        text = str(number) if isinstance(number, int) else repr(float(number))
        self.fh.write(f"<c{attr}><v>{text}</v></c>")


def add_sheet(book: Workbook, name: str) -> Worksheet:
    return book.add_worksheet(name, worksheet_class=ExactWorksheet)


# --------------------------------------------------------------------------------------------
# Small helpers shared by the sheets


def cell_text(value: object) -> str:
    """Text for a string cell: Excel holds at most 32,767 characters in one cell."""
    text = "" if value is None else str(value)
    if len(text) > MAX_CELL_CHARS:
        return text[: MAX_CELL_CHARS - 1] + "…"
    return text


def number_text(value: float | int) -> str:
    """A catalog number as people write it: 24, not 24.0."""
    return str(int(value)) if float(value).is_integer() else str(value)


def bound_value(value: float | int | Band | None) -> float | int | str | None:
    """A threshold or target: the number, or "min..max" text for a range KPI's band."""
    if isinstance(value, Band):
        return f"{number_text(value.min)}..{number_text(value.max)}"
    return value


def rating_label(card: Scorecard) -> str:
    return card.rating.label if card.rating is not None else INSUFFICIENT


def sheet_name(wanted: str, taken: set[str]) -> str:
    """A legal, unique sheet name: no []:*?/\\, at most 31 characters, unique ignoring case."""
    base = " ".join(wanted.translate(SHEET_NAME_FORBIDDEN).split()).strip("'") or "Sheet"
    base = base[:MAX_SHEET_NAME].rstrip()
    name, n = base, 1
    while name.casefold() in taken:
        n += 1
        suffix = f" ({n})"
        name = base[: MAX_SHEET_NAME - len(suffix)].rstrip() + suffix
    taken.add(name.casefold())
    return name


RESERVED_SHEETS = {"summary", "detail", "charts", "catalog", "groups", "comparison"}


def _role_sheet(role_name: str) -> str:
    """A role's sheet is named after it, unless that is a report sheet's name: a role called
    Detail would otherwise get "Detail (2)", the name of Detail's continuation sheet."""
    plain = " ".join(role_name.translate(SHEET_NAME_FORBIDDEN).split()).strip("'")
    return f"{role_name} (role)" if plain.casefold() in RESERVED_SHEETS else role_name


def unique_headers(headers: Iterable[str]) -> list[str]:
    """Table column names must be unique ignoring case; later duplicates get " (2)", ..."""
    seen: set[str] = set()
    result = []
    for header in headers:
        base = " ".join(str(header).split()) or "Column"
        name, n = base, 1
        while name.casefold() in seen:
            n += 1
            name = f"{base} ({n})"
        seen.add(name.casefold())
        result.append(name)
    return result


def roles_in(cards: Iterable[Scorecard]) -> dict[str, Role]:
    """The roles of the scorecards, in the order they first appear."""
    roles: dict[str, Role] = {}
    for card in cards:
        roles.setdefault(card.role.id, card.role)
    return roles


class Widths:
    """Column widths that fit the longest text written (numbers get a fixed width)."""

    def __init__(self) -> None:
        self.widths: dict[int, float] = {}

    def see(self, col: int, text: str) -> None:
        width = min(MAX_WIDTH, len(text) * 1.1 + 2)
        if width > self.widths.get(col, 0):
            self.widths[col] = width

    def number(self, col: int) -> None:
        if self.widths.get(col, 0) < NUMBER_WIDTH:
            self.widths[col] = NUMBER_WIDTH

    def apply(self, sheet: Worksheet) -> None:
        for col, width in self.widths.items():
            sheet.set_column(col, col, max(MIN_WIDTH, width))


# --------------------------------------------------------------------------------------------
# Columns


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its header, how to get its value from a row object, and its kind."""

    header: str
    get: Callable[[Any], Any]
    kind: str = "text"  # text | score | coverage | integer | number | weight | status


def summary_columns(role: Role | None, mixed: bool) -> list[Column]:
    """Summary columns; with `role`, one more column per KRA of that role."""
    columns = [
        Column("Employee", lambda c: c.employee),
        Column("Name", lambda c: c.name),
    ]
    if mixed:
        columns.append(Column("Role", lambda c: c.role.id))
    columns += [
        Column("Team", lambda c: c.team),
        Column("Manager", lambda c: c.manager),
        Column("Period", lambda c: c.period),
        Column("Score", lambda c: c.score, "score"),
        Column("Rating", rating_label),
        Column("Level", lambda c: c.rating.level if c.rating else None, "integer"),
        Column("Coverage", lambda c: c.coverage, "coverage"),
    ]
    if role is not None:
        base = [c.header for c in columns]
        headers = unique_headers(base + [kra.name for kra in role.kras])[len(base) :]
        columns += [
            Column(header, _kra_score_getter(kra.id), "score")
            for header, kra in zip(headers, role.kras, strict=True)
        ]
    return columns


def _kra_score_getter(kra_id: str) -> Callable[[Scorecard], float | None]:
    def get(card: Scorecard) -> float | None:
        return next((k.score for k in card.kras if k.kra.id == kra_id), None)

    return get


DetailRow = tuple[Scorecard, KRAResult, KPIResult]


def detail_columns(mixed: bool) -> list[Column]:
    """Detail columns: one row per employee and KPI."""
    columns = [
        Column("Employee", lambda r: r[0].employee),
        Column("Name", lambda r: r[0].name),
    ]
    if mixed:
        columns.append(Column("Role", lambda r: r[0].role.id))
    columns += [
        Column("Period", lambda r: r[0].period),
        Column("KRA", lambda r: r[1].kra.name),
        Column("KPI", lambda r: r[2].kpi.name),
        Column("Unit", lambda r: r[2].kpi.unit_label()),
        Column("Direction", lambda r: r[2].kpi.direction),
        Column("Actual", lambda r: r[2].actual, "number"),
        Column("Threshold", lambda r: bound_value(r[2].kpi.threshold), "number"),
        Column("Target", lambda r: bound_value(r[2].kpi.target), "number"),
        Column("Stretch", lambda r: r[2].kpi.stretch, "number"),
        Column("Weight", lambda r: r[2].weight, "weight"),
        Column("Score", lambda r: r[2].score, "score"),
        Column("Status", lambda r: r[2].status, "status"),
    ]
    return columns


def detail_rows(cards: Iterable[Scorecard]) -> Iterator[DetailRow]:
    for card in cards:
        for kra in card.kras:
            for kpi in kra.kpis:
                yield card, kra, kpi


def detail_row_count(cards: Iterable[Scorecard]) -> int:
    """Rows of the Detail sheets (counted from the catalog: no per-KPI results are built)."""
    return sum(len(kra.kra.kpis) for card in cards for kra in card.kras)


def detail_sheet_names(total: int) -> list[str]:
    pages = max(1, -(-total // DETAIL_ROWS_PER_SHEET))
    return ["Detail" if page == 0 else f"Detail ({page + 1})" for page in range(pages)]


# --------------------------------------------------------------------------------------------
# Chart data


def rating_counts(cards: list[Scorecard]) -> list[tuple[str, int]]:
    """Scorecards per rating label, highest level first, then "insufficient data"."""
    levels = sorted(
        ((level.level, level.label) for role in roles_in(cards).values() for level in role.scale()),
        key=lambda pair: -pair[0],
    )
    labels = list(dict.fromkeys(label for _level, label in levels))
    counts: dict[str, int] = dict.fromkeys([*labels, INSUFFICIENT], 0)
    for card in cards:
        counts[rating_label(card)] += 1
    return list(counts.items())


def kra_averages(cards: list[Scorecard]) -> list[tuple[str, float | None, int]]:
    """(label, mean KRA score or None, scorecards with a score) per KRA in catalog order."""
    roles = roles_in(cards)
    mixed = len(roles) > 1
    sums: dict[tuple[str, str], list[float]] = {}
    for card in cards:
        for kra in card.kras:
            if kra.score is not None:
                sums.setdefault((card.role.id, kra.kra.id), []).append(kra.score)
    result = []
    for role in roles.values():
        for kra in role.kras:
            scores = sums.get((role.id, kra.id), [])
            label = f"{role.name}: {kra.name}" if mixed else kra.name
            mean = sum(scores) / len(scores) if scores else None
            result.append((label, mean, len(scores)))
    return result


# --------------------------------------------------------------------------------------------
# The writer


class _ReportWriter:
    """Builds the sheets of one report in SPEC 6 order."""

    def __init__(self, book: Workbook, run: ScoreRun, extra: Sequence[ExtraSheet] = ()) -> None:
        self.book = book
        self.run = run
        self.extra = list(extra)
        self.cards = run.scorecards
        self.roles = roles_in(self.cards)
        self.mixed = len(self.roles) > 1
        self.total = detail_row_count(self.cards)
        self.details = detail_sheet_names(self.total)
        fixed = ["Summary", *(e[0] for e in self.extra), *self.details, "Charts", "Catalog"]
        # Reserved first: a role named "Catalog" gets "Catalog (role)", never the other way round.
        self.taken: set[str] = {name.casefold() for name in fixed}
        self.tables = 0
        self.formats = self._formats()

    def _formats(self) -> dict[str, Format]:
        add = self.book.add_format
        formats = {
            "text": add(),
            "number": add(),
            "score": add({"num_format": SCORE_FORMAT}),
            "weight": add({"num_format": "0.0"}),
            "coverage": add({"num_format": COVERAGE_FORMAT}),
            "integer": add({"num_format": "0"}),
            "header": add({"bold": True, "bg_color": HEADER_FILL, "bottom": 1}),
            "bold": add({"bold": True}),
            "grey": add({"bg_color": "#EDEDED", "font_color": "#595959"}),
            "low": add({"font_color": "#9C0006", "italic": True}),
        }
        for status, (fill, font) in STATUS_COLOURS.items():
            formats[f"status:{status}"] = add({"bg_color": fill, "font_color": font})
        return formats

    def write(self) -> None:
        self._properties()
        if self.mixed:
            self._summary("Summary", self.cards, summary_columns(None, mixed=True))
            for role in self.roles.values():
                cards = [c for c in self.cards if c.role.id == role.id]
                name = sheet_name(_role_sheet(role.name), self.taken)
                self._summary(name, cards, summary_columns(role, mixed=False))
        else:
            role = next(iter(self.roles.values()), None)
            self._summary("Summary", self.cards, summary_columns(role, mixed=False))
        for name, header, rows in self.extra:
            self._plain_table(name, header, rows)
        self._detail()
        self._charts()
        self._catalog()

    def _properties(self) -> None:
        run = self.run
        self.book.set_properties(
            {
                "title": "kpicard scorecards",
                "subject": f"{len(self.cards)} scorecards",
                "keywords": "kpicard, scorecard",
                "comments": f"Catalog {run.catalog_path} ({run.catalog_digest})",
            }
        )
        self.book.set_custom_property(PROPERTY_DIGEST, run.catalog_digest)
        self.book.set_custom_property(PROPERTY_VERSION, __version__)

    # -- cells

    def put(self, sheet: Worksheet, row: int, col: int, value: Any, kind: str, widths: Widths):
        """Write one value: text always as a string cell, numbers unrounded with a format."""
        if value is None:
            return
        if isinstance(value, str):
            text = cell_text(value)
            fmt = self.formats.get(f"status:{value}") if kind == "status" else None
            sheet.write_string(row, col, text, fmt)
            widths.see(col, text)
        else:
            sheet.write_number(row, col, value, self.formats[kind])
            widths.number(col)

    def header_row(self, sheet: Worksheet, headers: list[str], widths: Widths) -> None:
        for col, header in enumerate(headers):
            sheet.write_string(0, col, header, self.formats["header"])
            widths.see(col, header + "  ")  # room for the filter button

    def _plain_table(self, name: str, header: list[str], rows: list[list[Any]]) -> None:
        """A frozen, filtered table sheet: counts as integers, other numbers with one decimal."""
        sheet = add_sheet(self.book, name)
        widths = Widths()
        self.header_row(sheet, header, widths)
        for r, values in enumerate(rows, start=1):
            for col, value in enumerate(values):
                kind = (
                    "integer" if isinstance(value, int) and not isinstance(value, bool) else "score"
                )
                self.put(sheet, r, col, value, kind, widths)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(1, len(rows)), max(0, len(header) - 1))
        widths.apply(sheet)

    # -- Summary

    def _summary(self, title: str, cards: list[Scorecard], columns: list[Column]) -> None:
        if len(cards) > MAX_SHEET_ROWS - 1:
            from kpicard.diagnostics import usage_error

            raise usage_error(
                "output.too-many-rows",
                f"{len(cards)} scorecards do not fit one sheet (Excel holds {MAX_SHEET_ROWS} rows)",
                hint="use --format csv or json",
            )
        sheet = add_sheet(self.book, title)
        widths = Widths()
        headers = [c.header for c in columns]
        for col, header in enumerate(headers):
            widths.see(col, header + "  ")
        last = max(1, len(cards))  # a table needs one data row, even an empty one
        self.tables += 1
        sheet.add_table(
            0,
            0,
            last,
            len(columns) - 1,
            {
                "name": "Scorecards" if self.tables == 1 else f"Scorecards{self.tables}",
                "style": "Table Style Medium 2",
                "columns": [{"header": h} for h in headers],
            },
        )
        for row, card in enumerate(cards, start=1):
            for col, column in enumerate(columns):
                self.put(sheet, row, col, column.get(card), column.kind, widths)
        sheet.freeze_panes(1, 1)
        self._summary_formats(sheet, columns, last)
        widths.apply(sheet)

    def _summary_formats(self, sheet: Worksheet, columns: list[Column], last: int) -> None:
        scores = [i for i, c in enumerate(columns) if c.kind == "score"]
        self.colour_scale(sheet, scores, last)
        for col, column in enumerate(columns):
            if column.header == "Rating":
                sheet.conditional_format(
                    1,
                    col,
                    last,
                    col,
                    {
                        "type": "cell",
                        "criteria": "==",
                        "value": f'"{INSUFFICIENT}"',
                        "format": self.formats["grey"],
                    },
                )
            if column.header == "Coverage":
                sheet.conditional_format(
                    1,
                    col,
                    last,
                    col,
                    {
                        "type": "cell",
                        "criteria": "<",
                        "value": self.run.options.min_coverage,
                        "format": self.formats["low"],
                    },
                )

    def colour_scale(self, sheet: Worksheet, cols: list[int], last: int) -> None:
        """Red at 0, yellow at 100 (on target), green at the cap: one rule for all score cells."""
        if not cols:
            return
        ranges = [xl_range(1, c, last, c) for c in cols]
        sheet.conditional_format(
            ranges[0],
            {
                "type": "3_color_scale",
                "min_type": "num",
                "min_value": 0,
                "min_color": SCALE_RED,
                "mid_type": "num",
                "mid_value": 100,
                "mid_color": SCALE_YELLOW,
                "max_type": "num",
                "max_value": self.run.options.cap,
                "max_color": SCALE_GREEN,
                "multi_range": " ".join(ranges),
            },
        )

    # -- Detail

    def _detail(self) -> None:
        """Stream one row per employee and KPI, continuing on "Detail (2)", ... past the limit."""
        columns = detail_columns(self.mixed)
        headers = [c.header for c in columns]
        total = self.total
        self.book.constant_memory = True  # only these sheets stream; see the module docstring
        try:
            sheets = [add_sheet(self.book, name) for name in self.details]
        finally:
            self.book.constant_memory = False
        rows = detail_rows(self.cards)
        for page, sheet in enumerate(sheets):
            count = min(DETAIL_ROWS_PER_SHEET, total - page * DETAIL_ROWS_PER_SHEET)
            self._detail_sheet(sheet, columns, headers, rows, count)

    def _detail_sheet(
        self,
        sheet: Worksheet,
        columns: list[Column],
        headers: list[str],
        rows: Iterator[DetailRow],
        count: int,
    ) -> None:
        widths = Widths()
        self.header_row(sheet, headers, widths)
        self._detail_cells(sheet, columns, rows, count, widths)
        last = max(1, count)
        sheet.freeze_panes(1, 1)
        sheet.autofilter(0, 0, last, len(columns) - 1)
        self.colour_scale(sheet, [headers.index("Score")], last)
        widths.apply(sheet)

    def _detail_cells(
        self,
        sheet: Worksheet,
        columns: list[Column],
        rows: Iterator[DetailRow],
        count: int,
        widths: Widths,
    ) -> None:
        """`put` unrolled for the hot loop (millions of cells): same cells, a third less time."""
        write_string, write_number = sheet.write_string, sheet.write_number
        getters = [(col, c.get, self.formats.get(c.kind)) for col, c in enumerate(columns)]
        status_col = next(i for i, c in enumerate(columns) if c.kind == "status")
        status = {s: self.formats[f"status:{s}"] for s in STATUS_COLOURS}
        longest = [0] * len(columns)
        for row in range(1, count + 1):
            item = next(rows)
            for col, get, fmt in getters:
                value = get(item)
                if value is None:
                    continue
                if value.__class__ is str:
                    if len(value) > MAX_CELL_CHARS:
                        value = cell_text(value)
                    write_string(row, col, value, status.get(value) if col == status_col else None)
                    if len(value) > longest[col]:
                        longest[col] = len(value)
                else:
                    write_number(row, col, value, fmt)
                    longest[col] = max(longest[col], 7)
        for col, length in enumerate(longest):
            if length:
                widths.see(col, "x" * length)

    # -- Charts

    def _charts(self) -> None:
        name = "Charts"
        sheet = add_sheet(self.book, name)
        widths = Widths()
        ratings = rating_counts(self.cards)
        self.header_row(sheet, ["Rating", "Scorecards"], widths)
        for row, (label, count) in enumerate(ratings, start=1):
            self.put(sheet, row, 0, label, "text", widths)
            self.put(sheet, row, 1, count, "integer", widths)
        kra_top = len(ratings) + 2
        averages = kra_averages(self.cards)
        for col, header in enumerate(["KRA", "Average score", "Scorecards"]):
            sheet.write_string(kra_top, col, header, self.formats["header"])
            widths.see(col, header)
        for row, (label, mean, count) in enumerate(averages, start=kra_top + 1):
            self.put(sheet, row, 0, label, "text", widths)
            self.put(sheet, row, 1, mean, "score", widths)
            self.put(sheet, row, 2, count, "integer", widths)
        widths.apply(sheet)
        self._rating_chart(sheet, name, len(ratings))
        self._kra_chart(sheet, name, kra_top, len(averages))

    def _rating_chart(self, sheet: Worksheet, name: str, count: int) -> None:
        chart = self.book.add_chart({"type": "column"})
        chart.add_series(
            {
                "name": "Scorecards",
                "categories": [name, 1, 0, count, 0],
                "values": [name, 1, 1, count, 1],
                "fill": {"color": "#4472C4"},
                "data_labels": {"value": True},
            }
        )
        chart.set_title({"name": "Rating distribution"})
        chart.set_legend({"none": True})
        chart.set_y_axis({"name": "Scorecards", "min": 0})
        sheet.insert_chart(0, 4, chart, {"x_scale": 1.4, "y_scale": 1.2})

    def _kra_chart(self, sheet: Worksheet, name: str, top: int, count: int) -> None:
        chart = self.book.add_chart({"type": "bar"})
        chart.add_series(
            {
                "name": "Average score",
                "categories": [name, top + 1, 0, top + count, 0],
                "values": [name, top + 1, 1, top + count, 1],
                "fill": {"color": "#70AD47"},
                "data_labels": {"value": True, "num_format": SCORE_FORMAT},
            }
        )
        chart.set_title({"name": "Average score per KRA"})
        chart.set_legend({"none": True})
        chart.set_x_axis({"name": "Average score", "min": 0, "num_format": "0"})
        chart.set_y_axis({"reverse": True})  # categories top-down, in catalog order
        height = max(1.2, 0.25 * count)
        sheet.insert_chart(17, 4, chart, {"x_scale": 1.4, "y_scale": height})

    # -- Catalog

    def _catalog(self) -> None:
        sheet = add_sheet(self.book, "Catalog")
        widths = Widths()
        options = self.run.options
        facts: list[tuple[str, Any]] = [
            ("Catalog", self.run.catalog_path),
            ("Digest", self.run.catalog_digest),
            ("Missing values", options.missing),
            ("Minimum coverage", options.min_coverage),
            ("Cap", options.cap),
            ("kpicard", __version__),
        ]
        row = 0
        for label, value in facts:
            sheet.write_string(row, 0, label, self.formats["bold"])
            widths.see(0, label)
            self.put(sheet, row, 1, value, "number", widths)
            row += 1
        for role in self.roles.values():
            row = self._catalog_role(sheet, role, row + 1, widths)
        widths.widths[1] = min(widths.widths.get(1, 0), 30.0)  # digest and path may run long
        widths.apply(sheet)

    def _catalog_role(self, sheet: Worksheet, role: Role, row: int, widths: Widths) -> int:
        bold = self.formats["bold"]
        sheet.write_string(row, 0, "Role", bold)
        self.put(sheet, row, 1, role.id, "text", widths)
        self.put(sheet, row, 2, role.name, "text", widths)
        self.put(sheet, row + 1, 1, f"period: {role.period}", "text", widths)
        row += 2
        self.header_row_at(sheet, row, CATALOG_HEADERS, widths)
        for kra in role.kras:
            for kpi, weight in zip(kra.kpis, kra.kpi_weights(), strict=True):
                row += 1
                for col, value in enumerate(catalog_values(role, kra, kpi, weight)):
                    kind = "weight" if col in (2, 11) else "number"
                    self.put(sheet, row, col, value, kind, widths)
        row += 2
        self.header_row_at(sheet, row, ["Level", "Rating", "Overall score at least"], widths)
        for level in role.scale():
            row += 1
            self.put(sheet, row, 0, level.level, "integer", widths)
            self.put(sheet, row, 1, level.label, "text", widths)
            self.put(sheet, row, 2, level.min_score or 0, "number", widths)
        return row + 2

    def header_row_at(self, sheet: Worksheet, row: int, headers: list[str], widths: Widths):
        for col, header in enumerate(headers):
            sheet.write_string(row, col, header, self.formats["header"])
            widths.see(col, header)


CATALOG_HEADERS = [
    "KRA id",
    "KRA",
    "KRA weight",
    "KPI id",
    "KPI",
    "Unit",
    "Direction",
    "Threshold",
    "Target",
    "Stretch",
    "Period",
    "KPI weight",
    "Description",
]


def catalog_values(role: Role, kra: Any, kpi: KPI, weight: float) -> list[Any]:
    """One Catalog row: what a KPI of the applied role asks for (weight = effective weight)."""
    return [
        kra.id,
        kra.name,
        kra.weight,
        kpi.id,
        kpi.name,
        kpi.unit_label(),
        kpi.direction,
        bound_value(kpi.threshold),
        bound_value(kpi.target),
        kpi.stretch,
        role.kpi_period(kpi),
        weight,
        kpi.description,
    ]
