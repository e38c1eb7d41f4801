"""One error type for everything a user can get wrong.

Catalog errors, input errors and usage errors are all `Diagnostic` values: collected, never
raised one by one, so that a run reports every problem at once. The CLI decides how to print
them and which exit code they mean.
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


class DiagnosticError(Exception):
    """Raised to stop a run when diagnostics make going on pointless.

    `kind` picks the exit code: "invalid" (1: bad catalog or input) or "usage" (2: wrong usage,
    unreadable or unwritable path).
    """

    def __init__(self, diagnostics: Iterable[Diagnostic], kind: str = "invalid") -> None:
        self.diagnostics = list(diagnostics)
        self.kind = kind
        super().__init__("; ".join(d.message for d in self.diagnostics))


def usage_error(code: str, message: str, hint: str | None = None) -> DiagnosticError:
    return DiagnosticError([Diagnostic(code, message, hint=hint)], kind="usage")


def input_error(
    code: str, message: str, location: Location | None = None, hint: str | None = None
) -> DiagnosticError:
    return DiagnosticError([Diagnostic(code, message, location=location, hint=hint)])
