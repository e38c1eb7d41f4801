"""BAD_INPUTS 59-62: rows - duplicates, ids typed as numbers, blank ids, unknown roles."""

from __future__ import annotations

import json

import openpyxl

from .conftest import HEADER, Env

ROW = "E1,Ana,95,0.8,20,2000,6"


def test_59_same_employee_twice_names_both_rows(env: Env) -> None:
    name = env.csv([ROW, "E2,Bo,95,0.8,20,2000,6", ROW.replace("Ana", "Ana again")])
    env.refused(name, where="team.csv:A4", says=["'E1'", "rows 2 and 4"])


def test_59_same_employee_in_two_periods_is_fine(env: Env) -> None:
    name = env.csv(
        ["E1,Ana,2026-07,95,0.8,20,2000,6", "E1,Ana,2026-08,90,0.8,20,2000,6"],
        header=HEADER.replace("name,", "name,period,"),
    )
    doc = env.scores(name)
    assert [c["period"] for c in doc["scorecards"]] == ["2026-07", "2026-08"]
    only = env.scores(name, "--period", "2026-08")
    assert [c["period"] for c in only["scorecards"]] == ["2026-08"]


PERIOD_HEADER = HEADER.replace("name,", "name,period,")


def test_period_that_no_input_has_is_an_error_that_says_which_periods_exist(env: Env) -> None:
    name = env.csv(
        ["E1,Ana,2026-07,95,0.8,20,2000,6", "E2,Bo,2026-08,90,0.8,20,2000,6"], header=PERIOD_HEADER
    )
    result = env.refused(name, "--period", "2026-09", says="no input has rows of period '2026-09'")
    assert "team.csv: warning: no rows of period '2026-09'; its periods: 2026-07, 2026-08" in (
        result.stderr
    )
    assert "no data rows" not in result.stderr


def test_period_missing_from_one_input_of_a_batch_is_a_warning(env: Env) -> None:
    july = env.csv(["E1,Ana,2026-07,95,0.8,20,2000,6"], name="july.csv", header=PERIOD_HEADER)
    both = env.csv(
        ["E2,Bo,2026-07,90,0.8,20,2000,6", "E2,Bo,2026-08,80,0.8,20,2000,6"],
        name="both.csv",
        header=PERIOD_HEADER,
    )
    nocol = env.csv([ROW.replace("E1", "E3")], name="nocol.csv")
    result = env.invoke(july, both, nocol, "--period", "2026-08", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert [(c["employee"], c["period"]) for c in doc["scorecards"]] == [("E2", "2026-08")]
    assert "july.csv: warning: no rows of period '2026-08'; its periods: 2026-07" in result.stderr
    assert "nocol.csv: warning: no rows of period '2026-08'; its rows have no period" in (
        result.stderr
    )


def test_59_duplicate_across_two_files(env: Env) -> None:
    a = env.csv([ROW], name="a.csv")
    b = env.csv([ROW], name="b.csv")
    env.refused(a, b, says=["'E1'", "a.csv", "b.csv"])


def test_the_same_file_named_twice_is_read_once(env: Env) -> None:
    """A folder and a file in it, or one file spelt two ways, is one input - not duplicates."""
    env.csv([ROW], name="q3/a.csv")
    env.csv([ROW.replace("E1", "E2")], name="q3/b.csv")
    doc = env.scores("q3", "q3/a.csv", "./q3/a.csv", "q3/*.csv")
    assert [c["employee"] for c in doc["scorecards"]] == ["E1", "E2"]


def test_60_numeric_id_from_excel_is_text_without_dot_zero(env: Env) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER.split(","))
    ws.append([123, "Ana", 95, 0.8, 20, 2000, 6])
    ws.append([124.0, "Bo", 95, 0.8, 20, 2000, 6])
    ws.append([4.5, "Cy", 95, 0.8, 20, 2000, 6])
    wb.save(env.root / "team.xlsx")
    doc = env.scores("team.xlsx")
    assert [c["employee"] for c in doc["scorecards"]] == ["123", "124", "4.5"]


def test_60_numeric_ids_collide_as_text(env: Env) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(HEADER.split(","))
    ws.append([123, "Ana", 95, 0.8, 20, 2000, 6])
    ws.append(["123", "Ana", 95, 0.8, 20, 2000, 6])
    wb.save(env.root / "team.xlsx")
    env.refused("team.xlsx", where="team.xlsx!Sheet1!A3", says="rows 2 and 3")


def test_61_blank_id_on_a_row_with_values(env: Env) -> None:
    name = env.csv([ROW, ",Bo,95,0.8,20,2000,6", "  ,Cy,95,0.8,20,2000,6"])
    result = env.refused(name, where="team.csv:A3", says="row has values but no employee id")
    assert "team.csv:A4: error:" in result.stderr


def test_62_unknown_role_in_a_role_column(env: Env) -> None:
    header = HEADER.replace("name,", "name,role,")
    name = env.csv(["E1,Ana,mini,95,0.8,20,2000,6", "E2,Bo,minni,95,0.8,20,2000,6"], header=header)
    env.refused(
        name,
        where="team.csv:C3",
        says=["unknown role 'minni'", "did you mean 'mini'?", "known roles: mini, other"],
        role=False,
    )


def test_62_role_column_scores_each_row_against_its_role(env: Env) -> None:
    header = HEADER.replace("name,", "name,role,")
    name = env.csv(["E1,Ana,mini,95,0.8,20,2000,6", "E2,Bo,other,,,30,,"], header=header)
    result = env.invoke(name, "--format", "json", role=False)
    assert result.exit_code == 0, result.stderr
    cards = __import__("json").loads(result.stdout)["scorecards"]
    assert [(c["employee"], c["role"]) for c in cards] == [("E1", "mini"), ("E2", "other")]


def test_62_no_role_at_all(env: Env) -> None:
    """Without --role and a role column, only columns that are exactly one role's KPIs name
    it (a filled CSV template); these are three of mini's five, so which role is unknown."""
    header = "employee_id,name,Invoice Accuracy Rate,Share Done,Tickets Closed"
    rows = ["E1,Ana,95,0.8,20"]
    env.refused(
        env.csv(rows, header=header), where="team.csv, row 1", says="pass --role", role=False
    )


def test_columns_that_are_all_of_one_roles_kpis_name_the_role(env: Env) -> None:
    """All five of mini's KPIs; `other` has only Tickets Closed, which leaves columns over."""
    result = env.invoke(env.csv([ROW]), "--format", "json", role=False)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["scorecards"][0]["role"] == "mini"
    assert "note: role 'mini' from the columns" in result.stderr


def test_unknown_role_option_is_usage(env: Env) -> None:
    env.refused(env.csv([ROW]), "--role", "minni", code=2, says="did you mean 'mini'?")


def test_keep_going_with_every_input_invalid_writes_nothing(env: Env) -> None:
    """An empty summary must not replace an earlier good one."""
    bad = env.csv(["E1,Ana,abc,0.8,20,2000,6"], name="bad.csv")
    result = env.refused(bad, "--keep-going", says="no valid input; nothing written")
    assert "Traceback" not in result.stderr


def test_keep_going_report_names_the_inputs_left_out(env: Env) -> None:
    good = env.csv([ROW], name="good.csv")
    bad = env.csv(["E2,Bo,abc,0.8,20,2000,6"], name="bad.csv")
    result = env.invoke(good, bad, "--keep-going", "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert [c["employee"] for c in doc["scorecards"]] == ["E1"]
    left_out = "bad.csv: warning: left out of this run (invalid input) [input.left-out]"
    assert left_out in doc["warnings"]
