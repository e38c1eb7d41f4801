"""Data-entry templates (SPEC 7): an empty actuals sheet that catches typing mistakes.

The header row is exactly what `kpicard.actuals.mapping` matches (KPI name, unit in parentheses),
so a filled-in template reads back without options. Data validation rejects text and values
outside a KPI's unit bounds while the manager types; the input message shows what the KPI means
and what good looks like. The role id and catalog digest are stored as custom document properties
(and, for programs that drop custom properties, in the core keywords), where
`kpicard.actuals.template_meta` reads them back so that `kpicard score filled.xlsx` needs no
`--role`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any, BinaryIO

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from kpicard import __version__
from kpicard.actuals.mapping import ID_HEADERS, META_HEADERS, normalise_header
from kpicard.actuals.template_meta import (
    DIGEST_KEYWORD,
    DIGEST_PROPERTY,
    ROLE_DIGEST_PROPERTY,
    ROLE_KEYWORD,
    ROLE_PROPERTY,
)
from kpicard.models import KPI, KRA, Band, Role

META_COLUMNS = ("employee_id", "name", "team", "manager", "period")
ACTUALS_SHEET = "Actuals"
INSTRUCTIONS_SHEET = "Instructions"
MAX_ROWS = 1_048_576
MAX_TITLE = 32  # Excel's limits for data-validation texts
MAX_MESSAGE = 255
HEADER_WIDTH = (12.0, 26.0)  # KPI header columns wrap inside these widths

PROPERTY_TEMPLATE = "kpicard-template"
TEMPLATE_VERSION = "1"


@dataclass(frozen=True, slots=True)
class TemplateColumn:
    header: str
    kra: KRA | None = None
    kpi: KPI | None = None


# --------------------------------------------------------------------------------------------
# Headers


def number_text(value: float | int) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def unit_suffix(kpi: KPI) -> str:
    """The unit as the header shows it: "%", "hours", "USD", "score 1..5"."""
    return kpi.unit_label()


def kpi_header(kpi: KPI, role: Role) -> str:
    """`Name (unit)`; the KPI id instead when the name would match another column or KPI."""
    reserved = {normalise_header(h) for h in (*ID_HEADERS, *META_HEADERS, *META_COLUMNS)}
    owner: dict[str, str] = {}
    for _kra, other in role.all_kpis():  # the same first-wins order as the reader's index
        for key in (other.id, other.name, *other.aliases):
            owner.setdefault(normalise_header(key), other.id)
    name_key = normalise_header(kpi.name)
    label = kpi.name if owner.get(name_key) == kpi.id and name_key not in reserved else kpi.id
    return f"{' '.join(label.split())} ({unit_suffix(kpi)})"


def template_columns(role: Role) -> list[TemplateColumn]:
    columns = [TemplateColumn(h) for h in META_COLUMNS]
    columns += [TemplateColumn(kpi_header(kpi, role), kra, kpi) for kra, kpi in role.all_kpis()]
    return columns


def render_template_csv(role: Role) -> str:
    """The header row of a CSV template (UTF-8 text; the caller adds a BOM for files)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(c.header for c in template_columns(role))
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# Texts for people


def bound_text(value: float | int | Band | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Band):
        return f"{number_text(value.min)}..{number_text(value.max)}"
    return number_text(value)


def direction_text(kpi: KPI) -> str:
    """What good looks like, in words: the direction with its zero point (and stretch)."""
    if kpi.direction == "range":
        return f"best within {bound_text(kpi.target)}; scores 0 outside {bound_text(kpi.threshold)}"
    better = "higher" if kpi.direction == "higher" else "lower"
    worse = "below" if kpi.direction == "higher" else "above"
    text = f"{better} is better; scores 0 at or {worse} {bound_text(kpi.threshold)}"
    if kpi.stretch is not None:
        text += f", stretch {number_text(kpi.stretch)}"
    return text


def allowed_text(kpi: KPI) -> str:
    low, high = kpi.bounds()
    if low is not None and high is not None:
        return f"a number from {number_text(low)} to {number_text(high)}"
    if low is not None:
        return f"a number, at least {number_text(low)}"
    if high is not None:
        return f"a number, at most {number_text(high)}"
    return "any number"


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def input_message(kpi: KPI) -> str:
    """Target and direction first (they must survive the 255-character limit), then meaning."""
    head = f"Target {bound_text(kpi.target)} {unit_suffix(kpi)}: {direction_text(kpi)}."
    if kpi.unit == "percent":
        head += " Type 95 or 95%."
    head = shorten(head, MAX_MESSAGE)
    room = MAX_MESSAGE - len(head) - 1
    if not kpi.description or room < 20:
        return head
    return head + "\n" + shorten(kpi.description, room)


def error_message(kpi: KPI) -> str:
    return shorten(
        f"{kpi.name}: enter {allowed_text(kpi)} ({unit_suffix(kpi)}), or leave the cell empty "
        "when it was not measured.",
        MAX_MESSAGE,
    )


def validation(kpi: KPI, cell: str) -> dict[str, Any]:
    """The data-validation rule of one KPI column; `cell` is its first data cell (for custom)."""
    low, high = kpi.bounds()
    rule: dict[str, Any]
    if low is not None and high is not None:
        rule = {"validate": "decimal", "criteria": "between", "minimum": low, "maximum": high}
    elif low is not None:
        rule = {"validate": "decimal", "criteria": ">=", "value": low}
    elif high is not None:
        rule = {"validate": "decimal", "criteria": "<=", "value": high}
    else:  # any number, but still no text
        rule = {"validate": "custom", "value": f"=ISNUMBER({cell})"}
    rule.update(
        {
            "ignore_blank": True,
            "input_title": shorten(kpi.name, MAX_TITLE),
            "input_message": input_message(kpi),
            "error_title": "Not a valid value",
            "error_message": error_message(kpi),
            "error_type": "stop",
        }
    )
    return rule


def score_command(file_hint: str, catalog_option: str | None) -> str:
    command = f"kpicard score {file_hint}"
    if catalog_option:
        command += f" --catalog {catalog_option}"
    return command


# --------------------------------------------------------------------------------------------
# The workbook


def write_template(
    role: Role,
    handle: BinaryIO,
    *,
    catalog_display: str,
    catalog_digest: str,
    catalog_option: str | None = None,
    role_digest: str | None = None,
) -> None:
    """Write the template workbook for `role` to `handle` (in memory: no scratch files).

    `role_digest` (sha256 of the role file) lets `score` tell "this role changed" apart from
    "some other role of the catalog changed", which the catalog digest cannot.
    """
    book = xlsxwriter.Workbook(
        handle,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    book.set_properties(
        {
            "title": f"kpicard actuals: {role.name}",
            "subject": f"Actuals for role {role.id}",
            "keywords": f"{ROLE_KEYWORD}{role.id} {DIGEST_KEYWORD}{catalog_digest}",
            "comments": f"Made by kpicard {__version__} from catalog {catalog_display}",
        }
    )
    book.set_custom_property(ROLE_PROPERTY, role.id)
    book.set_custom_property(DIGEST_PROPERTY, catalog_digest)
    if role_digest:
        book.set_custom_property(ROLE_DIGEST_PROPERTY, role_digest)
    book.set_custom_property(PROPERTY_TEMPLATE, TEMPLATE_VERSION)
    columns = template_columns(role)
    _actuals_sheet(book, columns)
    _instructions_sheet(book, role, columns, catalog_display, catalog_digest, catalog_option)
    book.close()


def _actuals_sheet(book: xlsxwriter.Workbook, columns: list[TemplateColumn]) -> None:
    sheet = book.add_worksheet(ACTUALS_SHEET)
    header = book.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "bottom": 1}
    )
    text = book.add_format({"num_format": "@"})  # ids like 00123 and periods like 2026-05 stay text
    longest = 1
    for col, column in enumerate(columns):
        sheet.write_string(0, col, column.header, header)
        if column.kpi is None:
            sheet.set_column(col, col, max(12.0, len(column.header) + 4.0), text)
            continue
        low, high = HEADER_WIDTH
        width = min(high, max(low, len(column.header) * 0.6 + 2))
        sheet.set_column(col, col, width)
        longest = max(longest, -(-len(column.header) // int(width)))
        first = xl_rowcol_to_cell(1, col, row_abs=False, col_abs=False)
        sheet.data_validation(1, col, MAX_ROWS - 1, col, validation(column.kpi, first))
    sheet.set_row(0, 15 * min(4, longest + 1))
    sheet.freeze_panes(1, 1)
    sheet.activate()


def _instructions_sheet(
    book: xlsxwriter.Workbook,
    role: Role,
    columns: list[TemplateColumn],
    catalog_display: str,
    catalog_digest: str,
    catalog_option: str | None,
) -> None:
    sheet = book.add_worksheet(INSTRUCTIONS_SHEET)
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    top = book.add_format({"valign": "top"})
    sheet.write_string(0, 0, f"Actuals for {role.name} ({role.id})", title)
    row = 2
    for line in instruction_lines(role, catalog_option):
        sheet.write_string(row, 0, line)
        row += 1
    row += 1
    for label, value in (("Catalog", catalog_display), ("Catalog digest", catalog_digest)):
        sheet.write_string(row, 0, label, bold)
        sheet.write_string(row, 1, value)
        row += 1
    row += 1
    sheet.write_string(row, 0, "What each column means", bold)
    row += 1
    headers = ["Column", "KRA", "KPI id", "Unit", "Direction", "Threshold", "Target", "Stretch"]
    headers += ["Allowed", "Description"]
    for col, text in enumerate(headers):
        sheet.write_string(row, col, text, header)
    for column in columns:
        row += 1
        for col, value in enumerate(column_facts(column)):
            sheet.write_string(row, col, value, wrap if col == len(headers) - 1 else top)
    widths = [38, 28, 24, 10, 44, 10, 10, 9, 26, 70]
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)


def instruction_lines(role: Role, catalog_option: str | None) -> list[str]:
    return [
        "How to fill in the Actuals sheet:",
        "1. One row per employee (and per period, when you keep several periods in one file).",
        "2. employee_id is required; name, team, manager and period are optional "
        "(period as text, e.g. 2026-05 or 2026-Q3).",
        "3. Type each KPI's measured value as a number in its column. Percentages: 95 or 95%. "
        "Select a cell to see what its KPI means and its target.",
        "4. Leave a cell empty when a KPI was not measured. By default it is left out of the "
        "score, and coverage shows how much was measured (--missing zero scores it 0).",
        "5. Keep the header row as it is: kpicard finds the KPIs by these column names.",
        f"6. Score the file: {score_command('this-file.xlsx', catalog_option)}",
        f"   The role ({role.id}) is stored in the file's properties, so --role is not needed.",
    ]


def column_facts(column: TemplateColumn) -> list[str]:
    kpi, kra = column.kpi, column.kra
    if kpi is None or kra is None:
        meaning = {
            "employee_id": "Employee id (required).",
            "name": "Employee name (optional).",
            "team": "Team (optional; --group-by team).",
            "manager": "Manager (optional; --group-by manager).",
            "period": "Review period, e.g. 2026-05 (optional; --period keeps one).",
        }[column.header]
        return [column.header, "", "", "", "", "", "", "", "text", meaning]
    return [
        column.header,
        kra.name,
        kpi.id,
        unit_suffix(kpi),
        direction_text(kpi),
        bound_text(kpi.threshold),
        bound_text(kpi.target),
        bound_text(kpi.stretch),
        allowed_text(kpi),
        " ".join((kpi.description or "").split()),
    ]
