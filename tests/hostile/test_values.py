"""BAD_INPUTS 49-58: one cell, one actual - or an error at that cell. Never a different number.

Each value goes in one cell of an otherwise valid row; the test reads back the actual from the
JSON output or asserts the refusal at the cell (`team.csv:C2`)."""

from __future__ import annotations

import csv
import io
import json
import re

import openpyxl
import pytest

from .conftest import HEADER, Env, actuals

COLUMN = {"invoice-accuracy": 2, "share": 3, "tickets": 4, "revenue": 5, "response": 6}
LETTER = {"invoice-accuracy": "C", "share": "D", "tickets": "E", "revenue": "F", "response": "G"}
BASE = ["E1", "Ana", "95", "0.8", "20", "2000", "6"]


def one_cell(env: Env, kpi: str, text: str) -> str:
    cells = list(BASE)
    cells[COLUMN[kpi]] = text
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return env.write("team.csv", HEADER + "\n" + buffer.getvalue())


ACCEPTED = [
    # 49: percent spellings
    ("invoice-accuracy", "95%", 95.0),
    ("invoice-accuracy", "95 %", 95.0),
    ("invoice-accuracy", "95\u00a0%", 95.0),
    ("invoice-accuracy", "95.5\u202f%", 95.5),
    ("share", "80%", 0.8),
    # 50: thousands separators
    ("tickets", "1,234.5", 1234.5),
    ("tickets", "1,234,567", 1234567.0),
    # 51: currency
    ("revenue", "$1,200", 1200.0),
    ("revenue", "€1,200.50", 1200.5),
    ("revenue", "1200 USD", 1200.0),
    ("revenue", "-$5", -5.0),
    # 55: padding and the unicode minus
    ("tickets", "  12 ", 12.0),
    ("tickets", "\u00a012", 12.0),
    ("tickets", "12\t", 12.0),
    ("revenue", "\u22125", -5.0),
    ("revenue", "+5", 5.0),
    ("tickets", "1e2", 100.0),
    ("tickets", ".5", 0.5),
    ("invoice-accuracy", "100", 100.0),
    ("invoice-accuracy", "0", 0.0),
    ("share", "1", 1.0),
]


@pytest.mark.parametrize(("kpi", "text", "value"), ACCEPTED, ids=[repr(c[1]) for c in ACCEPTED])
def test_accepted_spellings(env: Env, kpi: str, text: str, value: float) -> None:
    assert actuals(env.scores(one_cell(env, kpi, text)))[kpi] == value


MISSING = ["N/A", "NA", "n/a", "na", "-", "\u2014", "\u2013", "", "  ", "\u00a0"]


@pytest.mark.parametrize("text", MISSING, ids=repr)
def test_52_missing_markers(env: Env, text: str) -> None:
    name = one_cell(env, "tickets", text)
    assert actuals(env.scores(name))["tickets"] is None
    zero = env.scores(name, "--missing", "zero")
    kpi = next(
        k for kra in zero["scorecards"][0]["kras"] for k in kra["kpis"] if k["id"] == "tickets"
    )
    assert (kpi["score"], kpi["status"]) == (0, "missing")
    env.refused(name, "--missing", "error", where="team.csv, row 2", says="no value for KPI")


REFUSED = [
    # 50: decimal comma without the option
    ("tickets", "1.234,5", "looks like a decimal comma"),
    ("tickets", "0,95", "looks like a decimal comma"),
    # a first group of 0 is never thousands: 0,500 is half of something, not 500
    ("response", "0,500", "'0,500' looks like a decimal comma"),
    ("revenue", "$0,500", "looks like a decimal comma"),
    ("tickets", "01,234", "looks like a decimal comma"),
    # 51: currency outside a currency KPI
    ("tickets", "$1,200", "is not a number"),
    ("invoice-accuracy", "€5", "is not a number"),
    ("tickets", "5%", "is a percentage but KPI 'Tickets Closed' is measured in count"),
    # 53: an error value typed as text is not missing
    ("tickets", "#DIV/0!", "is an error value"),
    ("tickets", "#N/A", "is an error value"),
    ("tickets", "#REF!", "is an error value"),
    # 54: things Python's float() would take, and words
    ("tickets", "nan", "'nan' is not a number"),
    ("tickets", "NaN", "is not a number"),
    ("tickets", "inf", "'inf' is not a number"),
    ("tickets", "-Infinity", "is not a number"),
    ("tickets", "1_000", "'1_000' is not a number"),
    ("tickets", "1e400", "'1e400' is too large to be a number"),
    ("tickets", "TRUE", "'TRUE' is not a number"),
    ("tickets", "yes", "'yes' is not a number"),
    ("tickets", "0x10", "is not a number"),
    ("tickets", "1 000", "is not a number"),
    ("tickets", "12abc", "is not a number"),
    ("tickets", "2024-01-31", "is not a number"),
    ("tickets", "1,23", "looks like a decimal comma"),
    ("tickets", "1,2345", "looks like a decimal comma"),
    ("tickets", "12,34,567", "is not a number"),
    # digits of other scripts are never read
    ("tickets", "\u0669\u0665", "uses digits other than 0-9"),
    ("tickets", "\uff19\uff15", "uses digits other than 0-9"),
    ("tickets", "9\u0665", "uses digits other than 0-9"),
    # 56: outside the unit's bounds
    ("invoice-accuracy", "120", "120 is outside the bounds of percent (0..100)"),
    ("invoice-accuracy", "100.0001", "outside the bounds of percent"),
    ("invoice-accuracy", "-1%", "outside the bounds of percent"),
    ("share", "1.5", "1.5 is outside the bounds of ratio (0..1)"),
    ("tickets", "-3", "-3 is outside the bounds of count (0..)"),
    ("response", "\u22121", "-1 is outside the bounds of hours"),
]


@pytest.mark.parametrize(("kpi", "text", "says"), REFUSED, ids=[repr(c[1]) for c in REFUSED])
def test_refused_values_name_the_cell(env: Env, kpi: str, text: str, says: str) -> None:
    env.refused(one_cell(env, kpi, text), where=f"team.csv:{LETTER[kpi]}2", says=says)


def test_skip_invalid_turns_refusals_into_warnings(env: Env) -> None:
    name = one_cell(env, "tickets", "#DIV/0!")
    result = env.invoke(name, "--skip-invalid", "--format", "json")
    assert result.exit_code == 0
    assert "team.csv:E2: warning:" in result.stderr and "treated as missing" in result.stderr


def test_decimal_comma_option_and_a_decimal_point(env: Env) -> None:
    name = one_cell(env, "tickets", "1.5")
    env.refused(name, "--decimal-comma", where="team.csv:E2", says="has a decimal point")
    name = env.write("team.csv", HEADER + '\nE1,Ana,"95,5",1,"1.234,5",2000,6\n')
    values = actuals(env.scores(name, "--decimal-comma"))
    assert (values["invoice-accuracy"], values["tickets"]) == (95.5, 1234.5)
    # "0.500" with decimal commas is not 500 thousands-grouped: a first group is never 0
    name = one_cell(env, "response", "0.500")
    env.refused(name, "--decimal-comma", where="team.csv:G2", says="has a decimal point")
    name = env.write("team.csv", HEADER + '\nE1,Ana,95,"0,8",20,2000,"0,500"\n')
    assert actuals(env.scores(name, "--decimal-comma"))["response"] == 0.5


def test_many_errors_are_all_reported(env: Env) -> None:
    rows = [f"E{i},N,x{i},0.8,20,2000,6" for i in range(1, 51)]
    result = env.refused(env.csv(rows))
    assert len(re.findall(r"team\.csv:C\d+: error:", result.stderr)) == 50


# --- 49, 54 in a workbook: typed cells --------------------------------------------------------


def workbook(env: Env, fill) -> str:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Actuals"
    ws.append(HEADER.split(","))
    fill(ws)
    wb.save(env.root / "team.xlsx")
    return "team.xlsx"


def test_49_percent_formatted_cells(env: Env) -> None:
    def fill(ws) -> None:
        ws.append(["E1", "Ana", 0.95, 0.8, 20, 2000, 6])
        ws.append(["E2", "Bo", 0.57, 0.8, 20, 2000, 6])
        for ref in ("C2", "D2", "C3"):
            ws[ref].number_format = "0%"

    doc = env.scores(workbook(env, fill))
    assert actuals(doc, "E1")["invoice-accuracy"] == 95
    assert actuals(doc, "E1")["share"] == 0.8  # a ratio KPI keeps the stored fraction
    assert actuals(doc, "E2")["invoice-accuracy"] == 57  # not 56.99999999999999


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (True, "TRUE is a boolean, not a number"),
        ("2024-01-31", "a date (2024-01-31) is not a number"),
        ("=1/0", "formula without a cached value"),
    ],
    ids=["bool", "date", "formula"],
)
def test_54_typed_cells_in_a_numeric_kpi(env: Env, value: object, says: str) -> None:
    import datetime

    def fill(ws) -> None:
        cell = datetime.date.fromisoformat(value) if value == "2024-01-31" else value
        ws.append(["E1", "Ana", 95, 0.8, cell, 2000, 6])

    env.refused(workbook(env, fill), where="team.xlsx!Actuals!E2", says=says)


# --- 57, 58: names are data, never markup, escapes or formulas --------------------------------

HOSTILE_NAMES = [
    '=HYPERLINK("http://x","y")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\x1b[2J\x1b[31mred",
    "[/bold]",
    "[link=http://x]y",
    "\u202eevil",
]


def test_58_formula_names_are_text_in_csv_output(env: Env) -> None:
    rows = [f"E{i},{json_quote(n)},95,0.8,20,2000,6" for i, n in enumerate(HOSTILE_NAMES[:4])]
    result = env.invoke(env.csv(rows), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    names = [row["name"] for row in csv.DictReader(io.StringIO(result.stdout))]
    assert names == ["'" + n for n in HOSTILE_NAMES[:4]]


def test_58_formula_names_are_text_in_xlsx_output(env: Env) -> None:
    rows = [
        f"{json_quote('=E' + str(i))},{json_quote(n)},95,0.8,20,2000,6"
        for i, n in enumerate(HOSTILE_NAMES[:4])
    ]
    result = env.invoke(env.csv(rows), "-o", "report.xlsx")
    assert result.exit_code == 0, result.stderr
    book = openpyxl.load_workbook(env.root / "report.xlsx")
    texts = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    for cell in texts:
        if isinstance(cell.value, str) and cell.value.lstrip("'")[:1] in "=+-@":
            assert cell.data_type == "s", (cell.coordinate, cell.value)
    shown = {c.value for c in texts if isinstance(c.value, str)}
    assert all(any(n in s for s in shown) for n in HOSTILE_NAMES[:4])
    assert not any(c.data_type == "f" for c in texts if str(c.value).startswith(("=E", "=H")))


def json_quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _visible(text: str) -> str:
    """Output with rich's own colour codes (SGR) removed: what remains must hold no ESC."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


@pytest.mark.parametrize("detail", [False, True], ids=["summary", "detail"])
def test_57_terminal_table_shows_escapes_and_markup_as_text(
    env: Env, monkeypatch: pytest.MonkeyPatch, detail: bool
) -> None:
    import kpicard.render.terminal as console

    monkeypatch.setattr(console, "stdout_is_terminal", lambda: True)
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "250")
    rows = [f"E{i}\x1b[2J,{json_quote(n)},95,0.8,20,2000,6" for i, n in enumerate(HOSTILE_NAMES)]
    result = env.invoke(env.csv(rows), *(["--detail"] if detail else []))
    assert result.exit_code == 0, result.stdout + result.stderr
    out = result.stdout
    assert "\x1b[" in out, "the table should be styled: a terminal was forced"
    assert "\x1b" not in _visible(out)
    assert "\x9b" not in out and "\u202e" not in out
    for shown in ("E0\\x1b[2J", "[/bold]", "[link=http://x]y", "\\x1b[31mred", "\\u202eevil"):
        assert shown in out
    assert "\x1b]8;" not in out  # no hyperlink was made


def test_57_piped_table_and_markdown_are_escaped(env: Env) -> None:
    rows = [f"E{i},{json_quote(n)},95,0.8,20,2000,6" for i, n in enumerate(HOSTILE_NAMES)]
    name = env.csv(rows)
    for fmt in ("table", "markdown"):
        result = env.invoke(name, "--format", fmt, "--detail")
        assert result.exit_code == 0, result.stderr
        assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
        assert "[/bold]" in result.stdout  # the text itself, never eaten as rich markup


def test_57_messages_on_stderr_are_escaped(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    import kpicard.render.terminal as console

    monkeypatch.setattr(console, "stderr_is_terminal", lambda: True)
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR")
    name = one_cell(env, "tickets", "\x1b]8;;http://evil\x07[/bold]x")
    result = env.refused(name, where=None, says="[/bold]x")
    assert "\x1b" not in _visible(result.stderr) and "\x07" not in result.stderr


# --- SPEC 3.2: a percent column of fractions draws one warning and is scored as written --------

FRACTIONS_WARNING = "column 'Invoice Accuracy Rate': these look like fractions; write 95 or 95%"


def accuracy_rows(*cells: str) -> list[str]:
    return [f"E{i},P{i},{cell},0.8,20,2000,6" for i, cell in enumerate(cells, 1)]


def fraction_warnings(doc: dict) -> list[str]:
    return [w for w in doc["warnings"] if "look like fractions" in w]


def test_percent_column_of_fractions_warns_once_and_scores_as_written(env: Env) -> None:
    doc = env.scores(env.csv(accuracy_rows("0.95", "0.8", "", "1")))
    assert len(fraction_warnings(doc)) == 1
    assert FRACTIONS_WARNING in fraction_warnings(doc)[0]
    assert actuals(doc, "E1")["invoice-accuracy"] == 0.95
    card = next(c for c in doc["scorecards"] if c["employee"] == "E1")
    kpi = next(k for kra in card["kras"] for k in kra["kpis"] if k["id"] == "invoice-accuracy")
    assert kpi["score"] == 0.0  # 0.95 is below the threshold of 80 points


@pytest.mark.parametrize(
    "cells",
    [("0.95", "95"), ("0.5", "1.5", "0.2"), ("", ""), ("N/A", "")],
    ids=["one-real-percentage", "one-above-1-in-the-middle", "empty", "markers-only"],
)
def test_percent_column_with_a_value_above_1_or_no_values_is_quiet(env: Env, cells) -> None:
    assert fraction_warnings(env.scores(env.csv(accuracy_rows(*cells)))) == []


def test_fractions_in_a_ratio_column_are_quiet(env: Env) -> None:
    """`share` is a ratio KPI: fractions are what it takes."""
    assert fraction_warnings(env.scores(env.csv(accuracy_rows("95", "90")))) == []


def test_fractions_are_checked_per_role_with_a_role_column(env: Env) -> None:
    header = HEADER.replace("name,", "name,role,")
    rows = ["E1,Ana,mini,0.9,0.8,20,2000,6", "E2,Bo,other,,,20,,", "E3,Cy,mini,0.7,0.8,20,2000,6"]
    result = env.invoke(env.csv(rows, header=header), "--format", "json", role=False)
    assert result.exit_code == 0, result.stderr
    assert len(fraction_warnings(json.loads(result.stdout))) == 1


def test_percent_formatted_cells_are_not_fractions(env: Env) -> None:
    """0.95 shown as 95% is read as 95 points: no warning. Unformatted 0.95 does warn."""

    def formatted(ws) -> None:
        ws.append(["E1", "Ana", 0.95, 0.8, 20, 2000, 6])
        ws["C2"].number_format = "0%"

    assert fraction_warnings(env.scores(workbook(env, formatted))) == []

    def plain(ws) -> None:
        ws.append(["E1", "Ana", 0.95, 0.8, 20, 2000, 6])

    assert len(fraction_warnings(env.scores(workbook(env, plain)))) == 1
