"""BAD_INPUTS 44-48: finding the header and matching its columns."""

from __future__ import annotations

import pytest

from .conftest import HEADER, Env, actuals

ROW = "E1,Ana,95,0.8,20,2000,6"


def test_44_missing_id_column_lists_the_columns_found(env: Env) -> None:
    name = env.csv([ROW], header=HEADER.replace("employee_id", "who"))
    env.refused(
        name,
        where="team.csv, row 1",
        says=["no id column", "columns found: who, name, Invoice Accuracy Rate", "--id-column"],
    )


def test_44_id_column_option(env: Env) -> None:
    name = env.csv([ROW], header=HEADER.replace("employee_id", "Staff No."))
    assert env.scores(name, "--id-column", "staff no")["scorecards"][0]["employee"] == "E1"


@pytest.mark.parametrize(
    "header", [" Employee ID ", "EMPLOYEE_ID", "employee-id", "Employee.Id", "emp_id", "ID"]
)
def test_45_id_header_spellings(env: Env, header: str) -> None:
    name = env.csv([ROW], header=HEADER.replace("employee_id", header))
    assert env.scores(name)["scorecards"][0]["employee"] == "E1"


@pytest.mark.parametrize(
    "kpi_header",
    [
        "invoice-accuracy",
        "Invoice Accuracy Rate (%)",
        "INVOICE_ACCURACY_RATE",
        " invoice  accuracy rate ",
    ],
)
def test_45_kpi_header_spellings(env: Env, kpi_header: str) -> None:
    name = env.csv([ROW], header=HEADER.replace("Invoice Accuracy Rate", kpi_header))
    assert actuals(env.scores(name))["invoice-accuracy"] == 95


def test_46_two_headers_for_one_kpi_name_both_columns(env: Env) -> None:
    name = env.csv([ROW + ",96"], header=HEADER + ",invoice-accuracy")
    env.refused(
        name,
        where="team.csv, column H",
        says="columns C ('Invoice Accuracy Rate') and H ('invoice-accuracy') both mean KPI",
    )


def test_47_unknown_column_warns_with_a_suggestion(env: Env) -> None:
    name = env.csv([ROW + ",96"], header=HEADER + ",Invioce Accuracy Rate")
    result = env.invoke(name, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "team.csv, column H: warning: column 'Invioce Accuracy Rate' matches no KPI" in (
        result.stderr
    )
    assert "did you mean 'Invoice Accuracy Rate'?" in result.stderr
    assert result.stderr.count("Invioce") == 1  # once, not per row


@pytest.mark.parametrize(
    ("header", "row", "where"),
    [
        (HEADER + ",", ROW + ",96", "team.csv:H1"),
        (HEADER.replace(",name,", ",,"), ROW, "team.csv:B1"),
    ],
    ids=["trailing", "middle"],
)
def test_48_blank_header_over_data(env: Env, header: str, row: str, where: str) -> None:
    env.refused(env.csv([row], header=header), where=where, says="has data but no header")


def test_48_blank_header_over_an_empty_column_is_fine(env: Env) -> None:
    name = env.csv([ROW + ","], header=HEADER + ",")
    assert actuals(env.scores(name))["tickets"] == 20


def test_header_below_a_title_keeps_file_row_numbers(env: Env) -> None:
    name = env.write(
        "team.csv", "Q3 review,,\nprepared by HR\n\n" + HEADER + "\nE1,Ana,95,0.8,20,2000,x\n"
    )
    env.refused(name, where="team.csv:G5", says="'x' is not a number")


def test_header_past_the_search_window(env: Env) -> None:
    notes = "".join(f"note {i}\n" for i in range(25))
    name = env.write("team.csv", notes + HEADER + "\n" + ROW + "\n")
    env.refused(name, where="team.csv, row 1", says="in the first 20 rows")


def test_no_kpi_column_at_all(env: Env) -> None:
    name = env.csv(["E1,Ana,x"], header="employee_id,name,Something")
    env.refused(name, where="team.csv, row 1", says="no column matches a KPI of role 'mini'")


def test_long_format_unknown_kpi_and_duplicate(env: Env) -> None:
    name = env.write(
        "long.csv",
        "employee,kpi,value\nE1,tickets,20\nE1,Tickts Closed,5\nE1,tickets,21\n",
    )
    result = env.refused(
        name,
        where="long.csv:B4",
        says="KPI 'Tickets Closed' appears twice for employee 'E1': rows 2 and 4",
    )
    assert "did you mean 'Tickets Closed'?" in result.stderr
