"""Give a raw grid its meaning: find the header, match columns to KPIs, read one record per
employee (SPEC 3.1, 3.2).

Works on any `RawTable` (CSV or xlsx) and knows the catalog; it does not know files or
terminals. Every problem becomes a Diagnostic at the cell a user would look at.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Literal

from kpicard.actuals.grid import (
    UNCACHED,
    CellError,
    CellValue,
    Percent,
    RawRow,
    RawTable,
    column_letter,
)
from kpicard.actuals.values import ValueProblem, compile_parser
from kpicard.diagnostics import KpicardError, Location, Report
from kpicard.models import KPI, Role, Source

HEADER_SEARCH_ROWS = 20
MAX_COLUMN_WARNINGS = 5  # more unknown columns than this: one warning listing the first few
ID_HEADERS = ("employee id", "employee", "emp id", "id")
META_HEADERS = ("name", "role", "team", "manager", "period")
_SEPARATORS = re.compile(r"[\s_\-.]+")
_TRAILING_UNIT = re.compile(r"\s*\([^()]*\)\s*\Z")


def normalise_header(text: object) -> str:
    """Header matching key: case-folded, runs of space/_/-/. as one space, trailing '(unit)' cut."""
    s = "" if text is None else str(text)
    s = _TRAILING_UNIT.sub("", s.strip())
    return _SEPARATORS.sub(" ", s.casefold()).strip()


@dataclass(slots=True)
class ReadOptions:
    role: str | None = None
    id_column: str | None = None
    period: str | None = None
    decimal_comma: bool = False
    skip_invalid: bool = False
    missing: Literal["exclude", "zero", "error"] = "exclude"
    # Roles whose rows are left out without a word: `catalog diff --impact` scores the same
    # actuals under two catalogs, and a role that only one of them has is no error in the other.
    skip_roles: frozenset[str] = frozenset()


class RowSources:
    """Where a record's values came from: a column map shared by the table plus the row number
    (wide format), or explicit cells (long format). Sources are made only when asked for, and
    this object is all a scorecard keeps of its record."""

    __slots__ = ("cells", "file", "letters", "row", "sheet")

    def __init__(
        self,
        file: str,
        sheet: str | None,
        row: int,
        letters: Mapping[str, str] | None = None,
        cells: dict[str, Source] | None = None,
    ) -> None:
        self.file = file
        self.sheet = sheet
        self.row = row
        self.letters = letters
        self.cells = cells

    def __call__(self, kpi_id: str) -> Source | None:
        if self.letters is None:
            return self.cells.get(kpi_id) if self.cells else None
        letter = self.letters.get(kpi_id)
        return None if letter is None else Source(self.file, self.sheet, f"{letter}{self.row}")


@dataclass(slots=True)
class Record:
    """One employee (and period) with the actuals read for their role."""

    employee: str
    role: str
    values: dict[str, float | None]
    sources: RowSources
    row: int
    name: str | None = None
    team: str | None = None
    manager: str | None = None
    period: str | None = None


@dataclass(slots=True)
class _Columns:
    id: int
    meta: dict[str, int] = field(default_factory=dict)
    kpi: int | None = None  # long format
    value: int | None = None  # long format
    headers: list[str] = field(default_factory=list)
    width: int = 0


_KpiColumn = tuple[int, KPI, Callable[[CellValue], float | None], str]


class _KpiIndex:
    """Per role: normalised id / name / alias -> KPI."""

    def __init__(self, role: Role) -> None:
        self.role = role
        self.by_key: dict[str, KPI] = {}
        for _kra, kpi in role.all_kpis():
            for key in (kpi.id, kpi.name, *kpi.aliases):
                self.by_key.setdefault(normalise_header(key), kpi)

    def match(self, header: str) -> KPI | None:
        return self.by_key.get(normalise_header(header))

    def names(self) -> list[str]:
        return [kpi.name for _kra, kpi in self.role.all_kpis()]


class ActualsReader:
    """Reads one RawTable into Records; all problems go to `self.report`."""

    def __init__(self, table: RawTable, roles: Mapping[str, Role], options: ReadOptions) -> None:
        self.table = table
        self.roles = roles
        self.options = options
        # The table's own report, not a copy: CSV/xlsx readers add problems (NUL bytes, cells
        # past the size limit, unterminated quotes) while rows stream, after this point.
        self.report = table.report
        self._indexes: dict[str, _KpiIndex] = {}
        self._parsers: dict[int, Callable[[CellValue], float | None]] = {}
        self._letters: dict[int, str] = {}
        self.other_periods: set[str | None] = set()  # of rows that --period left out
        self.skipped_rows = 0  # rows of `options.skip_roles`

    # ------------------------------------------------------------------ locations

    def where(self, row: int | None, col: int | None = None) -> Location:
        letter = column_letter(col) if col is not None else None
        return Location(file=self.table.file, sheet=self.table.sheet, row=row, cell_column=letter)

    def letter(self, col: int) -> str:
        letter = self._letters.get(col)
        if letter is None:
            letter = self._letters[col] = column_letter(col)
        return letter

    def source(self, row: int, col: int) -> Source:
        return Source(self.table.file, self.table.sheet, f"{self.letter(col)}{row}")

    def index(self, role_id: str) -> _KpiIndex:
        if role_id not in self._indexes:
            self._indexes[role_id] = _KpiIndex(self.roles[role_id])
        return self._indexes[role_id]

    # ------------------------------------------------------------------ header

    def find_header(self, rows: Iterator[RawRow]) -> tuple[RawRow, _Columns] | None:
        first: RawRow | None = None
        for seen, row in enumerate(rows):
            if seen >= HEADER_SEARCH_ROWS:
                break
            first = first or row
            columns = self._columns_of(row)
            if columns is not None:
                return row, columns
        if first is None:
            self.report.error(
                "input.no-header", "no header: the file has no rows", self.where(None)
            )
            return None
        found = [str(c) for c in first.cells if c not in (None, "")]
        wanted = self.options.id_column or "employee_id, employee, emp_id or id"
        self.report.error(
            "input.no-id-column",
            f"no id column ({wanted}) in the first {HEADER_SEARCH_ROWS} rows; "
            f"columns found: {', '.join(found) or 'none'}",
            self.where(first.number),
            hint="name the id column employee_id, or pass --id-column NAME",
        )
        return None

    def _columns_of(self, row: RawRow) -> _Columns | None:
        headers = ["" if c is None else str(c).strip() for c in row.cells]
        keys = [normalise_header(h) for h in headers]
        if "kpi" in keys and "value" in keys:
            id_col = self._id_column(keys)
            if id_col is None:
                return None
            cols = _Columns(id=id_col, kpi=keys.index("kpi"), value=keys.index("value"))
        else:
            id_col = self._id_column(keys)
            if id_col is None:
                return None
            cols = _Columns(id=id_col)
        for meta in META_HEADERS:
            if meta in keys and keys.index(meta) != cols.id:
                cols.meta[meta] = keys.index(meta)
        cols.headers = headers
        cols.width = len(headers)
        while cols.width and not headers[cols.width - 1]:
            cols.width -= 1
        return cols

    def _id_column(self, keys: list[str]) -> int | None:
        wanted = (
            [normalise_header(self.options.id_column)] if self.options.id_column else ID_HEADERS
        )
        for name in wanted:
            if name in keys:
                return keys.index(name)
        return None

    # ------------------------------------------------------------------ cells

    def text(self, cells: list[CellValue], col: int | None, row: int | None = None) -> str | None:
        """A text cell (id, name, team, ...); an error value or uncached formula is an error."""
        if col is None or col >= len(cells):
            return None
        value = cells[col]
        if value is None:
            return None
        if type(value) is str:
            return value.strip() or None
        if isinstance(value, CellError) or value is UNCACHED:
            what = (
                f"Excel error value {value}"
                if isinstance(value, CellError)
                else ("a formula without a cached value")
            )
            self.report.error(
                "input.text-cell",
                f"{what} where text is expected",
                self.where(row, col),
                hint="type the text, or open and save the file in a spreadsheet program",
            )
            return None
        if isinstance(value, datetime):
            value = value.date().isoformat() if value.time() == time() else value.isoformat()
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip() or None

    def parser(self, kpi: KPI) -> Callable[[CellValue], float | None]:
        # Keyed by the KPI object: two roles may use one KPI id with different units.
        parse = self._parsers.get(id(kpi))
        if parse is None:
            parse = compile_parser(kpi, decimal_comma=self.options.decimal_comma)
            self._parsers[id(kpi)] = parse
        return parse

    def value(self, cell: CellValue, kpi: KPI, row: int, col: int) -> float | None:
        try:
            return self.parser(kpi)(cell)
        except ValueProblem as problem:
            return self.invalid(problem, kpi, row, col)

    def invalid(self, problem: ValueProblem, kpi: KPI, row: int, col: int) -> None:
        """Report an invalid cell (a warning with --skip-invalid); it reads as missing."""
        message = f"{problem.message} (KPI '{kpi.name}')"
        if self.options.skip_invalid:
            self.report.warning(
                "input.value-skipped", message + "; treated as missing", self.where(row, col)
            )
            return None
        self.report.error("input.value", message, self.where(row, col), problem.hint)
        return None

    def role_of(self, cells: list[CellValue], cols: _Columns, row: int) -> str | None:
        role_id = self.text(cells, cols.meta.get("role"), row) or self.options.role
        if role_id is None:
            self.report.error(
                "input.no-role",
                "no role for this row: the role cell is empty and no --role was given",
                self.where(row, cols.meta.get("role")),
            )
            return None
        if role_id in self.options.skip_roles:
            self.skipped_rows += 1
            return None
        if role_id not in self.roles:
            col = cols.meta.get("role")
            close = difflib.get_close_matches(role_id, list(self.roles), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            self.report.error(
                "input.unknown-role",
                f"unknown role '{role_id}'",
                self.where(row, col),
                hint=f"{hint}known roles: {', '.join(sorted(self.roles))}",
            )
            return None
        return role_id

    # ------------------------------------------------------------------ main

    def read(self) -> list[Record]:
        rows = iter(self.table.rows)
        found = self.find_header(rows)
        if found is None:
            return []
        header, cols = found
        if cols.kpi is not None:
            records = self._read_long(rows, cols)
        else:
            records = self._read_wide(rows, header, cols)
        if not records and not self.report.has_errors:
            if self.other_periods:
                # Not an error: in a batch, a team without rows for this quarter is normal.
                # The command fails when no input at all has rows of the period.
                found = sorted(p for p in self.other_periods if p is not None)
                what = f"its periods: {', '.join(found)}" if found else "its rows have no period"
                self.report.warning(
                    "input.no-period-rows",
                    f"no rows of period '{self.options.period}'; {what}",
                    self.where(None),
                )
            elif not self.skipped_rows:
                self.report.error(
                    "input.no-data", "no data rows below the header", self.where(header.number)
                )
        self._check_missing(records)
        return records

    def _kpi_columns(self, cols: _Columns, role_ids: list[str]) -> dict[str, list[_KpiColumn]]:
        """Per role in scope: (column, KPI) pairs; reports unknown and doubled columns."""
        special = {cols.id, *cols.meta.values()}
        per_role: dict[str, list[_KpiColumn]] = {r: [] for r in role_ids}
        unmatched: list[int] = []
        for col, header in enumerate(cols.headers):
            if col in special or not header:
                continue
            matched = False
            for role_id in role_ids:
                kpi = self.index(role_id).match(header)
                if kpi is not None:
                    per_role[role_id].append((col, kpi, self.parser(kpi), self.letter(col)))
                    matched = True
            if not matched:
                unmatched.append(col)
        for role_id, pairs in per_role.items():
            seen: dict[str, int] = {}
            for col, kpi, _parse, _letter in pairs:
                if kpi.id in seen:
                    first = seen[kpi.id]
                    self.report.error(
                        "input.duplicate-column",
                        f"columns {column_letter(first)} ('{cols.headers[first]}') and "
                        f"{column_letter(col)} ('{cols.headers[col]}') both mean KPI "
                        f"'{kpi.name}' of role '{role_id}'",
                        self.where(None, col),
                        hint="keep one of them",
                    )
                else:
                    seen[kpi.id] = col
        if len(unmatched) > MAX_COLUMN_WARNINGS:
            shown = ", ".join(
                f"{column_letter(c)} '{cols.headers[c]}'" for c in unmatched[:MAX_COLUMN_WARNINGS]
            )
            self.report.warning(
                "input.unknown-column",
                f"{len(unmatched)} columns match no KPI and are ignored: {shown}, ...",
                self.where(None),
                hint=self._better_role_hint(cols, role_ids),
            )
        else:
            for col in unmatched:
                self._warn_unknown_column(cols.headers[col], col, role_ids)
        return per_role

    def _better_role_hint(self, cols: _Columns, role_ids: list[str]) -> str | None:
        """When the columns are another role's KPIs, say so: the likeliest cause of many
        unknown columns is the wrong --role."""
        if len(role_ids) != 1:
            return None
        counts = {
            r: sum(1 for h in cols.headers if h and self.index(r).match(h)) for r in self.roles
        }
        best = max(counts, key=lambda r: counts[r])
        if best != role_ids[0] and counts[best] > counts[role_ids[0]]:
            return (
                f"{counts[best]} columns are KPIs of role '{best}' (vs {counts[role_ids[0]]} of "
                f"'{role_ids[0]}'): did you mean --role {best}?"
            )
        return None

    def _role_from_columns(self, cols: _Columns) -> str | None:
        """The one role whose KPIs are all columns of the file and account for every KPI column
        in it: a filled-in CSV template (a header row only, no role) names its role this way."""
        headers = [h for h in cols.headers if h]
        # role id -> the KPIs each header matches (None where it matches none of the role's)
        matches = {r: [self.index(r).match(h) for h in headers] for r in sorted(self.roles)}
        kpi_columns = {i for hits in matches.values() for i, kpi in enumerate(hits) if kpi}
        complete = [
            role_id
            for role_id, hits in matches.items()
            if {kpi.id for kpi in hits if kpi} == {k.id for _, k in self.roles[role_id].all_kpis()}
            and {i for i, kpi in enumerate(hits) if kpi} == kpi_columns
        ]
        return complete[0] if len(complete) == 1 else None

    def _matches_any(self, cols: _Columns, role_id: str) -> bool:
        index = self.index(role_id)
        return any(index.match(h) for h in cols.headers if h)

    def _wrong_role(self, cols: _Columns, role_id: str, header_row: int) -> None:
        """No column is a KPI of the role: one error (not a warning per column), naming the
        role the columns do match when there is one."""
        counts = {
            other: sum(1 for h in cols.headers if h and self.index(other).match(h))
            for other in self.roles
            if other != role_id
        }
        best = max(counts, key=lambda r: counts[r], default=None)
        if best is not None and counts[best]:
            hint = (
                f"its columns match {counts[best]} KPI(s) of role '{best}': "
                f"did you mean --role {best}?"
            )
        else:
            hint = (
                f"use the KPI names as headers; `kpicard template {role_id} -o team.csv` "
                "writes them"
            )
        self.report.error(
            "input.no-kpi-columns",
            f"no column matches a KPI of role '{role_id}'",
            self.where(header_row),
            hint=hint,
        )

    def _warn_unknown_column(self, header: str, col: int, role_ids: list[str]) -> None:
        names = sorted({n for r in role_ids for n in self.index(r).names()})
        close = difflib.get_close_matches(header, names, n=1, cutoff=0.75)
        hint = f"did you mean '{close[0]}'?" if close else None
        self.report.warning(
            "input.unknown-column",
            f"column '{header}' matches no KPI and is ignored",
            self.where(None, col),
            hint=hint,
        )

    def _read_wide(self, rows: Iterator[RawRow], header: RawRow, cols: _Columns) -> list[Record]:
        # With a role column every row is scored against its own role (--role only fills empty
        # role cells), so columns are matched against every role of the catalog.
        if "role" not in cols.meta and self.options.role is None:
            inferred = self._role_from_columns(cols)
            if inferred is not None:
                self.options = dataclasses.replace(self.options, role=inferred)
                self.report.note(
                    "input.role-from-columns",
                    f"role '{inferred}' from the columns: they are all of its KPIs",
                    self.where(header.number),
                )
        scope = sorted(self.roles) if "role" in cols.meta else [self.options.role or ""]
        if scope == [""]:
            self.report.error(
                "input.no-role",
                "which role? the input has no 'role' column; pass --role",
                self.where(header.number),
            )
            return []
        if len(scope) == 1 and not self._matches_any(cols, scope[0]):
            self._wrong_role(cols, scope[0], header.number)
            return []
        per_role = self._kpi_columns(cols, scope)
        letters = {
            role_id: {kpi.id: letter for _col, kpi, _parse, letter in plan}
            for role_id, plan in per_role.items()
        }
        records: list[Record] = []
        seen: dict[tuple[str, str, str | None], int] = {}
        blank_header_cols = {c for c in range(len(cols.headers)) if not cols.headers[c]}
        reported_blank: set[int] = set()
        fractions = _FractionWatch()
        ragged = self.table.cell_ref == "csv"
        width = len(cols.headers)
        for row in rows:
            cells = row.cells
            if ragged and len(cells) != len(cols.headers):
                extra = [c for c in cells[len(cols.headers) :] if c not in (None, "")]
                if len(cells) < len(cols.headers) or extra:
                    self.report.error(
                        "input.ragged-row",
                        f"row has {len(cells)} cells but the header has {len(cols.headers)}",
                        self.where(row.number),
                        hint="check for a stray delimiter or a missing quote",
                    )
                    continue
            for col in blank_header_cols - reported_blank:
                if col < len(cells) and cells[col] not in (None, ""):
                    reported_blank.add(col)
                    self.report.error(
                        "input.blank-header",
                        f"column {column_letter(col)} has data but no header",
                        self.where(header.number, col),
                        hint="give the column a header, or delete it",
                    )
            if not ragged and len(cells) > width:
                for col, value in enumerate(cells[width:], width):
                    if value is not None and value != "" and col not in reported_blank:
                        reported_blank.add(col)
                        self.report.error(
                            "input.blank-header",
                            f"column {column_letter(col)} has data but no header",
                            self.where(header.number, col),
                            hint="give the column a header, or delete it",
                        )
            record = self._wide_record(row, cols, per_role, letters, fractions)
            if record is None:
                continue
            key = (record.employee, record.role, record.period)
            if key in seen:
                self.report.error(
                    "input.duplicate-row",
                    f"employee '{record.employee}' appears twice for role '{record.role}'"
                    f"{f' and period {record.period}' if record.period else ''}: rows "
                    f"{seen[key]} and {row.number}",
                    self.where(row.number, cols.id),
                    hint="keep one row per employee, role and period",
                )
                continue
            seen[key] = row.number
            records.append(record)
        fractions.report_to(self, cols, per_role, records)
        return records

    def _wide_record(
        self,
        row: RawRow,
        cols: _Columns,
        per_role: dict[str, list[_KpiColumn]],
        letters: dict[str, dict[str, str]],
        fractions: _FractionWatch,
    ) -> Record | None:
        cells = row.cells
        period = self.text(cells, cols.meta.get("period"), row.number)
        if self.options.period is not None and period != self.options.period:
            self.other_periods.add(period)
            return None
        employee = self.text(cells, cols.id, row.number)
        if employee is None:
            self.report.error(
                "input.blank-id",
                "row has values but no employee id",
                self.where(row.number, cols.id),
            )
            return None
        role_id = self.role_of(cells, cols, row.number)
        if role_id is None:
            return None
        values: dict[str, float | None] = {}
        n = len(cells)
        number = row.number
        for col, kpi, parse, _letter in per_role[role_id]:
            cell = cells[col] if col < n else None
            if cell is None:
                values[kpi.id] = None
                continue
            try:
                value = parse(cell)
            except ValueProblem as problem:
                value = self.invalid(problem, kpi, number, col)
            values[kpi.id] = value
            if value is not None and type(cell) is Percent:
                fractions.percent_cells.add(col)
        return Record(
            employee=employee,
            role=role_id,
            values=values,
            sources=RowSources(self.table.file, self.table.sheet, row.number, letters[role_id]),
            row=row.number,
            name=self.text(cells, cols.meta.get("name"), row.number),
            team=self.text(cells, cols.meta.get("team"), row.number),
            manager=self.text(cells, cols.meta.get("manager"), row.number),
            period=period,
        )

    def _read_long(self, rows: Iterator[RawRow], cols: _Columns) -> list[Record]:
        assert cols.kpi is not None and cols.value is not None
        records: dict[tuple[str, str, str | None], Record] = {}
        first_row: dict[tuple[str, str, str | None, str], int] = {}
        unknown: set[str] = set()
        for row in rows:
            cells = row.cells
            period = self.text(cells, cols.meta.get("period"), row.number)
            if self.options.period is not None and period != self.options.period:
                self.other_periods.add(period)
                continue
            employee = self.text(cells, cols.id, row.number)
            if employee is None:
                self.report.error(
                    "input.blank-id", "row has values but no employee id", self.where(row.number)
                )
                continue
            role_id = self.role_of(cells, cols, row.number)
            if role_id is None:
                continue
            kpi_name = self.text(cells, cols.kpi, row.number) or ""
            kpi = self.index(role_id).match(kpi_name)
            if kpi is None:
                if kpi_name not in unknown:
                    unknown.add(kpi_name)
                    names = self.index(role_id).names()
                    close = difflib.get_close_matches(kpi_name, names, n=1, cutoff=0.75)
                    self.report.warning(
                        "input.unknown-kpi",
                        f"KPI '{kpi_name}' is not in role '{role_id}'; its rows are ignored",
                        self.where(row.number, cols.kpi),
                        hint=f"did you mean '{close[0]}'?" if close else None,
                    )
                continue
            key = (employee, role_id, period)
            dup_key = (*key, kpi.id)
            if dup_key in first_row:
                self.report.error(
                    "input.duplicate-row",
                    f"KPI '{kpi.name}' appears twice for employee '{employee}': rows "
                    f"{first_row[dup_key]} and {row.number}",
                    self.where(row.number, cols.kpi),
                )
                continue
            first_row[dup_key] = row.number
            record = records.get(key)
            if record is None:
                record = Record(
                    employee=employee,
                    role=role_id,
                    values={k.id: None for _kra, k in self.roles[role_id].all_kpis()},
                    sources=RowSources(self.table.file, self.table.sheet, row.number, cells={}),
                    row=row.number,
                    name=self.text(cells, cols.meta.get("name"), row.number),
                    team=self.text(cells, cols.meta.get("team"), row.number),
                    manager=self.text(cells, cols.meta.get("manager"), row.number),
                    period=period,
                )
                records[key] = record
            cell = cells[cols.value] if cols.value < len(cells) else None
            value = self.value(cell, kpi, row.number, cols.value) if cell is not None else None
            record.values[kpi.id] = value
            if value is not None:
                record.sources.cells[kpi.id] = self.source(row.number, cols.value)  # type: ignore[index]
        return list(records.values())

    def _check_missing(self, records: list[Record]) -> None:
        if self.options.missing != "error":
            return
        for record in records:
            role = self.roles[record.role]
            for _kra, kpi in role.all_kpis():
                if record.values.get(kpi.id) is None:
                    self.report.error(
                        "input.missing-value",
                        f"no value for KPI '{kpi.name}' of employee '{record.employee}' "
                        "(--missing error)",
                        self.where(record.row),
                    )


class _FractionWatch:
    """Notices percent columns whose values all lie in [0, 1]: probably fractions typed as such.

    Checked once after reading (not per cell); columns fed by percent-formatted Excel cells are
    exempt, since those were already converted to percentage points.
    """

    def __init__(self) -> None:
        self.percent_cells: set[int] = set()

    def report_to(
        self,
        reader: ActualsReader,
        cols: _Columns,
        per_role: dict[str, list[_KpiColumn]],
        records: list[Record],
    ) -> None:
        for role_id, plan in per_role.items():
            mine = records if len(per_role) == 1 else [r for r in records if r.role == role_id]
            for col, kpi, _parse, _letter in plan:
                if kpi.unit != "percent" or col in self.percent_cells:
                    continue
                if _all_fractions(r.values.get(kpi.id) for r in mine):
                    reader.report.warning(
                        "input.fractions",
                        f"column '{cols.headers[col]}': these look like fractions; write 95 or 95%",
                        reader.where(None, col),
                        hint="percent KPIs take percentage points; the values are scored as "
                        "written",
                    )


def _all_fractions(values: Iterator[float | None]) -> bool:
    """True when there is at least one value and every value lies in [0, 1].

    Stops at the first value above 1, so a column of ordinary percentages costs one look.
    """
    seen = False
    for value in values:
        if value is None:
            continue
        if not 0.0 <= value <= 1.0:
            return False
        seen = True
    return seen


def read_records(
    table: RawTable, roles: Mapping[str, Role], options: ReadOptions
) -> tuple[list[Record], Report]:
    """Records of one table, and every diagnostic found while reading it.

    A reader that must stop half-way (bytes that are not UTF-8, a corrupt sheet) raises
    `KpicardError`; the problems already found in earlier rows are kept beside its own.
    The table is closed when this returns or raises, whether or not all its rows were read.
    """
    reader = ActualsReader(table, roles, options)
    try:
        records = reader.read()
    except KpicardError as exc:
        if exc.kind == "usage":
            raise
        reader.report.extend(exc.diagnostics)
        return [], reader.report
    finally:
        table.close()
    return records, reader.report
