"""One error type for everything a user can get wrong.

Catalog errors, input errors and usage errors are all `Diagnostic` values: collected, never
raised one by one, so that a run reports every problem at once. The CLI decides how to print
them and which exit code they mean.

Every code is registered at the end of this module (`REGISTRY`: severity and meaning), and
docs/diagnostics.md is generated from it, so a user can look up the `[code]` each message ends with.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Location:
    """Where a problem is, as a user sees it.

    Catalog files use line/column (1-based); spreadsheets use sheet, row (1-based, the file's own
    numbering) and column (a letter for Excel, a letter or header for CSV).
    """

    file: str | None = None
    line: int | None = None
    column: int | None = None
    sheet: str | None = None
    row: int | None = None
    cell_column: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
            return ":".join(parts)
        where = ":".join(parts)
        if self.sheet:
            where = f"{where}!{self.sheet}" if where else self.sheet
        if self.row is not None or self.cell_column:
            if self.cell_column and self.row is not None:
                cell = f"{self.cell_column}{self.row}"
                where += f"!{cell}" if self.sheet else f":{cell}"
            elif self.row is not None:
                where += f", row {self.row}"
            else:
                where += f", column {self.cell_column}"
        return where


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    message: str
    severity: Severity = Severity.ERROR
    location: Location | None = None
    hint: str | None = None

    def __post_init__(self) -> None:
        check_code(self.code, self.severity)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def render(self) -> str:
        """Plain one-line (or two-line with a hint) text, for logs and tests."""
        where = f"{self.location}: " if self.location and str(self.location) else ""
        text = f"{where}{self.severity.value}: {self.message} [{self.code}]"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


@dataclass(slots=True)
class Report:
    """A growing list of diagnostics; the unit every loader and reader returns alongside data."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        self.items.append(diagnostic)

    def error(
        self, code: str, message: str, location: Location | None = None, hint: str | None = None
    ) -> None:
        self.items.append(Diagnostic(code, message, Severity.ERROR, location, hint))

    def warning(
        self, code: str, message: str, location: Location | None = None, hint: str | None = None
    ) -> None:
        self.items.append(Diagnostic(code, message, Severity.WARNING, location, hint))

    def note(self, code: str, message: str, location: Location | None = None) -> None:
        self.items.append(Diagnostic(code, message, Severity.NOTE, location))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.items.extend(diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.WARNING]

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.items)


class KpicardError(Exception):
    """Raised to stop a run when diagnostics make going on pointless; carries all of them.

    The public exception of the Python API (never `SystemExit`). `kind` picks the CLI's exit
    code: "invalid" (1: bad catalog or input) or "usage" (2: wrong usage, unreadable or
    unwritable path). The subclasses say which: catch `kpicard.CatalogError`,
    `kpicard.InputError` or `kpicard.UsageError`, or all of them as `KpicardError`.
    """

    default_kind = "invalid"

    def __init__(self, diagnostics: Iterable[Diagnostic], kind: str | None = None) -> None:
        self.diagnostics = list(diagnostics)
        self.kind = kind or self.default_kind
        super().__init__("; ".join(d.message for d in self.diagnostics))


class CatalogError(KpicardError):
    """The catalog in use is invalid (or has no role files)."""


class InputError(KpicardError):
    """An input (actuals, a --compare file) is invalid: every problem is in `.diagnostics`."""


class UsageError(KpicardError):
    """Wrong usage: an unknown role or option value, a path that cannot be read or written."""

    default_kind = "usage"


def usage_error(code: str, message: str, hint: str | None = None) -> UsageError:
    return UsageError([Diagnostic(code, message, hint=hint)])


def input_error(
    code: str, message: str, location: Location | None = None, hint: str | None = None
) -> InputError:
    return InputError([Diagnostic(code, message, location=location, hint=hint)])


# --------------------------------------------------------------------------- the code registry
#
# Every code a diagnostic can carry, with its severity and meaning, in one place;
# docs/diagnostics.md is generated from it (`python -m kpicard.diagnostics > docs/diagnostics.md`)
# and tests/test_diagnostic_codes.py fails
# when a code in the source is not here, when a code here is used nowhere, or when the page is
# stale. Codes are `area.kebab-case`, except the lint findings: `KPnnn`, stable since
# `catalog lint` shipped (docs/catalogs-in-git.md) because CI greps and suppresses them by that
# name, so they keep it and form the area `lint`.

VARIES = "varies"  # a code emitted at more than one severity (say when, in its meaning)


@dataclass(frozen=True, slots=True)
class Code:
    """One registered diagnostic code.

    `severity` is "error", "warning", "note" or `VARIES`. `dynamic` marks a code no source line
    spells out (built at run time, e.g. the manifest's `manifest.*` YAML codes), so the tests'
    scan does not call it unused.
    """

    code: str
    severity: str
    meaning: str
    dynamic: bool = False

    @property
    def area(self) -> str:
        return self.code.split(".", 1)[0] if "." in self.code else "lint"


_E, _W, _N = "error", "warning", "note"
_MANIFEST_YAML = "the manifest's YAML: same check as the catalog's"

REGISTRY: tuple[Code, ...] = (
    # catalog: loading and validating role files (exit 1; `catalog.missing`/`no-roles` exit 2)
    Code("catalog.alias", _E, "a YAML anchor or alias in a role file: a catalog spells it out"),
    Code("catalog.depth", _E, "a role file nests deeper than kpicard reads"),
    Code("catalog.documents", _E, "several YAML documents in one role file"),
    Code("catalog.duplicate-id", _E, "a KRA or KPI id used twice in a role (case-insensitive)"),
    Code("catalog.duplicate-key", _E, "a key written twice in one mapping of a role file"),
    Code("catalog.duplicate-role", _E, "two role files define the same role id"),
    Code("catalog.empty", _E, "a role file holds no YAML document"),
    Code("catalog.encoding", _E, "a role file is not UTF-8"),
    Code("catalog.fmt", _E, "`catalog fmt` cannot format the file without moving a comment"),
    Code("catalog.id-stem", _E, "a role's id differs from its file name's stem"),
    Code("catalog.invalid", _E, "a role file breaks the schema: missing key, wrong type or value"),
    Code("catalog.key", _E, "a mapping key in a role file is not a plain name"),
    Code("catalog.missing", _E, "the catalog folder or role file does not exist"),
    Code("catalog.no-roles", _E, "the catalog folder holds no role files (*.yaml, *.yml)"),
    Code("catalog.shape", _E, "a role file is not a mapping of keys"),
    Code("catalog.summary", _N, "how many errors an invalid catalog has, in how many files"),
    Code("catalog.syntax", _E, "invalid YAML (or a control character) in a role file"),
    Code("catalog.tag", _E, "a YAML tag in a role file: a catalog holds plain data only"),
    Code("catalog.too-large", _E, "a role file is larger than 5 MB"),
    Code("catalog.unreadable", _E, "a role file cannot be read (permissions, I/O error)"),
    Code("catalog.unsupported-yaml", _E, "a YAML construct kpicard does not read in a role file"),
    # compare: the previous scores of --compare
    Code("compare.ambiguous", _E, "an employee has several scorecards (periods) to compare"),
    Code("compare.invalid", _E, "the --compare file is not a kpicard JSON scores file"),
    Code("compare.is-folder", _E, "the --compare path is a folder, not a JSON file"),
    Code("compare.missing", _E, "the --compare file does not exist"),
    Code("compare.unreadable", _E, "the --compare file cannot be read"),
    Code("compare.warning", _W, "the comparison has a caveat (another catalog version, periods)"),
    # csv: reading CSV/TSV text
    Code("csv.cell-too-long", _E, "a CSV cell is longer than kpicard reads"),
    Code("csv.delimiter", _N, "the file is read with another delimiter than its name suggests"),
    Code("csv.empty", _E, "the CSV file is empty: no header"),
    Code("csv.empty-rows", _W, "rows holding only delimiters were skipped"),
    Code("csv.encoding", _E, "the CSV file is not UTF-8 (UTF-16 or an undecodable byte)"),
    Code("csv.malformed", _E, "a CSV row cannot be parsed"),
    Code("csv.not-csv", _E, "the file is binary or another format, not CSV text"),
    Code("csv.nul", _E, "a NUL byte in a CSV cell"),
    Code("csv.unterminated-quote", _E, "a quoted CSV cell is never closed"),
    # diff: `catalog diff` sides and --impact
    Code("diff.impact", _N, "the actuals cannot be scored under one side's catalog"),
    Code("diff.missing", _E, "the path does not exist at the git revision"),
    Code("diff.no-git", _E, "git is not installed, so a side cannot be a revision"),
    Code("diff.outside-repo", _E, "the catalog is not inside the git repository"),
    Code("diff.side", _E, "a side is neither an existing path nor a git revision"),
    # input: the actuals (files, workbooks, sheets, headers, rows, values)
    Code("input.blank-header", _E, "a column has data but no header"),
    Code("input.blank-id", _E, "a row has values but no employee id"),
    Code("input.corrupt", _E, "the workbook (or a sheet, part or cell) is corrupt or truncated"),
    Code("input.duplicate-column", _E, "two columns mean the same KPI of a role"),
    Code("input.duplicate-row", _E, "an employee (or an employee's KPI) appears twice"),
    Code("input.empty-folder", _E, "a folder given as input holds no .csv, .tsv or .xlsx files"),
    Code("input.encrypted", _E, "the workbook is password-protected or encrypted"),
    Code("input.format", _E, "the file is neither an .xlsx/.xlsm workbook nor CSV/TSV text"),
    Code("input.fractions", _W, "a percent column holds what look like fractions (0.95)"),
    Code("input.is-folder", _E, "an input path is a folder where a file is needed"),
    Code("input.left-out", _W, "an invalid input left out of a --keep-going run's summary"),
    Code("input.missing", _E, "an input file does not exist"),
    Code("input.missing-value", _E, "a KPI has no value and --missing is `error`"),
    Code("input.no-data", _E, "no data rows below the header"),
    Code("input.no-header", _E, "the file has no rows, so no header"),
    Code("input.no-id-column", _E, "no employee id column in the first rows"),
    Code("input.no-kpi-columns", _E, "no column matches a KPI of the role"),
    Code("input.no-match", _E, "an input pattern matches no file"),
    Code(
        "input.no-period-rows",
        VARIES,
        "no rows of --period: a warning per input, an error when no input of a batch has any",
    ),
    Code("input.no-role", _E, "which role? no role cell or column, and no --role"),
    Code("input.no-sheet", _E, "the workbook has no visible worksheet"),
    Code("input.ragged-row", _E, "a row has more cells than the header"),
    Code("input.role-from-columns", _N, "the role was inferred from the columns"),
    Code(
        "input.sheet",
        VARIES,
        "no sheet of the --sheet name (error); --sheet matched another case (note)",
    ),
    Code("input.template-catalog", _W, "the template was made from another version of the role"),
    Code("input.template-role", _N, "the role was taken from the template"),
    Code("input.text-cell", _E, "an Excel error or uncached formula where text is expected"),
    Code("input.unknown-column", _W, "a column matches no KPI and is ignored"),
    Code("input.unknown-kpi", _W, "a KPI named in long-format rows is not in the role"),
    Code("input.unknown-role", _E, "a row's role is not in the catalog"),
    Code("input.unreadable", _E, "an input file cannot be read (permissions, I/O error)"),
    Code("input.unsafe", _E, "the workbook is refused as unsafe (zip bomb, DTD, oversize parts)"),
    Code("input.value", _E, "a cell is not a valid value for its KPI's unit"),
    Code("input.value-skipped", _W, "an invalid value read as missing (--skip-invalid)"),
    # lint: `catalog lint` findings (SMART checks and smells, docs/catalogs-in-git.md)
    Code("KP101", _W, "Specific: a KPI has no description"),
    Code("KP102", _W, "Specific: a KRA has no statement"),
    Code("KP201", _W, "Measurable: a KPI's unit is the vague `number`"),
    Code("KP202", _W, "Measurable: a `score` KPI without a `scale`"),
    Code("KP203", _W, "Measurable: a `currency` KPI without a `currency` code"),
    Code("KP301", _W, "Achievable: the stretch is at the unit's bound"),
    Code("KP302", _W, "Achievable: the target is at the unit's bound"),
    Code("KP501", _W, "Time-bound: no period on the role nor its KPIs (monthly applies)"),
    Code("KP901", _W, "smell: a KPI weighs less than 5 % inside its KRA"),
    Code("KP902", _W, "smell: a KRA with a single KPI"),
    Code("KP903", _W, "smell: near-duplicate KPI names in a role"),
    # manifest: `kpicard batch` manifests (exit 2); the YAML codes mirror the catalog's
    Code("manifest.alias", _E, f"{_MANIFEST_YAML} `catalog.alias`"),
    Code("manifest.depth", _E, f"{_MANIFEST_YAML} `catalog.depth`"),
    Code("manifest.documents", _E, f"{_MANIFEST_YAML} `catalog.documents`"),
    Code("manifest.duplicate-key", _E, "a key written twice in one mapping of the manifest"),
    Code("manifest.encoding", _E, "the manifest is not UTF-8"),
    Code("manifest.input", _E, "an input entry matches no file, or names a second sheet"),
    Code("manifest.invalid", _E, "the manifest breaks its schema: unknown key, wrong type, value"),
    Code("manifest.key", _E, f"{_MANIFEST_YAML} `catalog.key`"),
    Code("manifest.missing", _E, "the manifest does not exist (or is a folder)"),
    Code("manifest.path", _E, "the manifest's catalog or compare path does not exist"),
    Code("manifest.syntax", _E, f"{_MANIFEST_YAML} `catalog.syntax`"),
    Code("manifest.tag", _E, f"{_MANIFEST_YAML} `catalog.tag`"),
    Code("manifest.too-large", _E, "the manifest is larger than 1 MB"),
    Code("manifest.unreadable", _E, "the manifest cannot be read"),
    Code(
        "manifest.unsupported-yaml",
        _E,
        f"{_MANIFEST_YAML} `catalog.unsupported-yaml`",
    ),
    # output: files kpicard writes (exit 2)
    Code("output.is-folder", _E, "the output path is a folder; give a file name"),
    Code("output.is-input", _E, "the output would overwrite an input"),
    Code("output.no-folder", _E, "the output's folder does not exist (or is not a folder)"),
    Code("output.not-a-folder", _E, "--out-dir is not a folder"),
    Code("output.read-only", _E, "the output file or its folder is read-only"),
    Code("output.too-many-rows", _E, "the scorecards do not fit one Excel sheet"),
    Code("output.unwritable", _E, "the output cannot be written (permissions, I/O error)"),
    Code("output.write-failed", _E, "writing failed midway; the earlier file is unchanged"),
    # role: the --role option
    Code("role.unknown", _E, "the role given is not in the catalog"),
    # usage: options and their combinations (exit 2)
    Code("usage.cap", _E, "--cap is below 100 or not a number"),
    Code("usage.employee", _E, "no scorecard of the employee asked for"),
    Code("usage.format", _E, "an unknown --format, or one the output name does not tell"),
    Code("usage.group-by", _E, "an unknown --group-by group"),
    Code("usage.min-coverage", _E, "--min-coverage is outside 0..1"),
    Code("usage.missing", _E, "an unknown --missing policy (exclude, zero or error)"),
    Code("usage.movers", _E, "--movers is below 1"),
    Code("usage.no-input", _E, "no input given"),
    Code("usage.option", _E, "an unknown option given to the Python API"),
    Code("usage.out-dir", _E, "-o and --out-dir together, or --out-dir where inputs are read"),
    Code("usage.period", _E, "the employee asked for has several periods"),
    Code("usage.stdin", _E, "standard input (-) given twice"),
    Code("usage.xlsm", _E, "an output named .xlsm: kpicard writes macro-free .xlsx only"),
    Code("usage.xlsx-needs-output", _E, "an .xlsx output needs a file name (-o FILE.xlsx)"),
)

CODES: dict[str, Code] = {c.code: c for c in REGISTRY}

unregistered_seen: list[tuple[str, str]] = []
"""(code, severity) of diagnostics made with a code the registry does not know, or at a severity
it does not list; tests/conftest.py fails the test that made one. A user still gets the message."""


def check_code(code: str, severity: str) -> None:
    """A dict lookup per diagnostic: record (never raise) an unregistered code or severity."""
    entry = CODES.get(code)
    if entry is None or (entry.severity != severity and entry.severity != VARIES):
        unregistered_seen.append((code, str(severity)))


_AREA_TITLES = {
    "catalog": "role files and the catalog",
    "compare": "`--compare` (previous scores)",
    "csv": "CSV/TSV text",
    "diff": "`catalog diff`",
    "input": "actuals: files, workbooks, sheets, headers, rows, values",
    "lint": "`catalog lint` findings",
    "manifest": "`batch` manifests",
    "output": "files kpicard writes",
    "role": "`--role`",
    "usage": "options",
}


def registry_markdown() -> str:
    """docs/diagnostics.md: a table (code, severity, meaning) per area, from `REGISTRY`."""
    lines = [
        "<!-- generated from src/kpicard/diagnostics.py, do not edit; regenerate with",
        "     python -m kpicard.diagnostics > docs/diagnostics.md -->",
        "",
        "# Diagnostic codes",
        "",
        "Every message kpicard prints ends with its code in brackets, e.g.",
        "`team.csv:C7: error: 'abc' is not a number (KPI 'NPS') [input.value]`; look it up here.",
        "Codes are `area.kebab-case`; `catalog lint` findings keep their `KPnnn` names. A code's",
        'severity is fixed unless it says "varies". What the exit codes mean: README.md, "Exit',
        'codes".',
        "",
    ]
    areas = sorted({c.area for c in REGISTRY})
    for area in areas:
        lines += [f"## {area}: {_AREA_TITLES.get(area, area)}", ""]
        lines += ["| code | severity | meaning |", "| --- | --- | --- |"]
        for c in (c for c in REGISTRY if c.area == area):
            meaning = c.meaning.replace("|", "\\|")
            lines.append(f"| `{c.code}` | {c.severity} | {meaning} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    sys.stdout.write(registry_markdown())
