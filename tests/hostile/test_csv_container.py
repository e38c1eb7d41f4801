"""BAD_INPUTS 23-32: the CSV container - encodings, delimiters, quotes, odd bytes, odd lines."""

from __future__ import annotations

import pytest

from .conftest import HEADER, Env, actuals

ROW = "E1,Ana,95,0.8,20,2000,6"


def test_23_utf8_bom_before_the_header(env: Env) -> None:
    name = env.write("team.csv", "\ufeff" + HEADER + "\n" + ROW + "\n")
    doc = env.scores(name)
    assert doc["scorecards"][0]["employee"] == "E1"
    assert actuals(doc)["invoice-accuracy"] == 95


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-16", True), ("utf-16-le", False), ("utf-16-be", False), ("utf-32", True)],
)
def test_24_utf16_is_refused_with_the_fix(env: Env, encoding: str, bom: bool) -> None:
    data = (HEADER + "\r\n" + ROW + "\r\n").encode(encoding)
    assert data.startswith((b"\xff\xfe", b"\xfe\xff")) == bom or encoding == "utf-32"
    name = env.write("team.csv", data)
    env.refused(name, where="team.csv", says=["not UTF-8", "save as CSV UTF-8"])


def test_24_legacy_single_byte_encoding_names_the_byte(env: Env) -> None:
    data = (HEADER + "\n" + ROW + "\n").encode() + b"E2,Jos\xe9,95,0.8,20,2000,6\n"
    name = env.write("team.csv", data)
    env.refused(name, where="team.csv:B3", says=["byte 0xE9 in row 3, column B", "CSV UTF-8"])


def test_earlier_errors_survive_a_reader_that_stops(env: Env) -> None:
    data = (HEADER + "\nE1,Ana,x,0.8,20,2000,6\n").encode() + b"E2,Jos\xe9,95,0.8,20,2000,6\n"
    name = env.write("team.csv", data)
    env.refused(name, says=["team.csv:C2: error: 'x' is not a number", "team.csv:B3: error:"])


SEMI_HEADER = HEADER.replace(",", ";")


def test_25_semicolons_with_decimal_commas_without_the_option(env: Env) -> None:
    name = env.write("team.csv", SEMI_HEADER + "\nE1;Ana;95,5;0,8;20;2000;6\n")
    result = env.refused(name, where="team.csv:C2", says="'95,5' looks like a decimal comma")
    assert "--decimal-comma" in result.stderr
    assert "team.csv:D2: error: '0,8'" in result.stderr
    assert "955" not in result.stderr


def test_25_semicolons_with_decimal_commas_with_the_option(env: Env) -> None:
    name = env.write("team.csv", SEMI_HEADER + "\nE1;Ana;95,5;0,8;20;1.234,5;6\n")
    values = actuals(env.scores(name, "--decimal-comma"))
    assert values == {
        "invoice-accuracy": 95.5,
        "share": 0.8,
        "tickets": 20,
        "revenue": 1234.5,
        "response": 6,
    }


def test_25_excel_sep_line_is_honoured(env: Env) -> None:
    name = env.write("team.csv", "sep=;\n" + SEMI_HEADER + "\nE1;Ana;95;0.8;20;2000;x\n")
    env.refused(name, where="team.csv:G3", says="'x' is not a number")


def test_25_comma_file_with_a_decimal_comma_cell_is_never_two_cells(env: Env) -> None:
    name = env.csv(['E1,Ana,"95,5",0.8,20,2000,6'])
    env.refused(name, where="team.csv:C2", says="looks like a decimal comma")


def test_26_unterminated_quote_names_its_row_and_keeps_later_rows(env: Env) -> None:
    name = env.csv(
        [ROW, 'E2,"Bo,95,0.8,20,2000,6', "E3,Cy,95,0.8,20,2000,6", "E4,Di,95,0.8,20,2000,x"]
    )
    env.refused(
        name,
        where="team.csv:B3",
        says=["unterminated quote starting on row 3", "team.csv:G5: error: 'x' is not a number"],
    )


def test_26_unterminated_quote_past_the_field_limit(env: Env) -> None:
    filler = [f"E{i},N,95,0.8,20,2000,6" for i in range(3, 6000)]
    name = env.csv([ROW, 'E2,"Bo,95,0.8,20,2000,6', *filler, "E9999,Z,95,0.8,20,2000,x"])
    result = env.refused(name, where="team.csv:B3", says="unterminated quote starting on row 3")
    assert "team.csv:G6001: error: 'x' is not a number" in result.stderr


def test_27_embedded_newline_is_one_row_and_later_rows_keep_their_numbers(env: Env) -> None:
    name = env.csv(['E1,"Ana\nRuiz",95,0.8,20,2000,6', "E2,Bo,95,0.8,20,2000,6"])
    doc = env.scores(name)
    assert doc["scorecards"][0]["name"] == "Ana\nRuiz"
    name = env.csv(['E1,"Ana\nRuiz",95,0.8,20,2000,6', "E2,Bo,95,0.8,20,2000,x"])
    env.refused(name, where="team.csv:G3", says="'x' is not a number")


def test_28_nul_byte_in_a_field(env: Env) -> None:
    name = env.csv(["E1,A\x00na,95,0.8,20,2000,6", "E2,Bo,95,0.8,20,2000,6"])
    env.refused(name, where="team.csv:B2", says="NUL byte in row 2, column B")


def test_28_field_of_200000_characters(env: Env) -> None:
    name = env.csv(["E1," + "a" * 200_000 + ",95,0.8,20,2000,6", "E2,Bo,95,0.8,20,2000,x"])
    result = env.refused(name, where="team.csv:B2", says="holds 200,000 characters")
    assert "team.csv:G3: error: 'x'" in result.stderr


def test_28_field_at_the_limit_is_read(env: Env) -> None:
    name = env.csv(["E1," + "a" * 100_000 + ",95,0.8,20,2000,6"])
    assert len(env.scores(name)["scorecards"][0]["name"]) == 100_000


@pytest.mark.parametrize(
    ("content", "where", "says"),
    [
        ("", "team.csv", "empty file: no header"),
        ("\ufeff", "team.csv", "empty file: no header"),
        ("\n\n  \n", "team.csv", "empty file: no header"),
        (HEADER + "\n", "team.csv, row 1", "no data rows below the header"),
        (HEADER + "\n,,,,,,\n\n", "team.csv, row 1", "no data rows below the header"),
    ],
    ids=["empty", "bom-only", "blank-lines", "header-only", "header-and-commas"],
)
def test_29_empty_file_and_header_only(env: Env, content: str, where: str, says: str) -> None:
    env.refused(env.write("team.csv", content), where=where, says=says)


def test_30_blank_lines_skipped_and_comma_rows_warned(env: Env) -> None:
    name = env.write(
        "team.csv", HEADER + "\n\n" + ROW + "\n,,,,,,\n   \n\nE2,Bo,90,0.8,20,2000,6\n"
    )
    result = env.invoke(name, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "team.csv, row 4: warning: 1 row holding only delimiters skipped" in result.stderr
    assert "blank" not in result.stderr
    import json

    assert [c["employee"] for c in json.loads(result.stdout)["scorecards"]] == ["E1", "E2"]


def test_31_line_endings_give_identical_results(env: Env) -> None:
    rows = [HEADER, ROW, 'E2,"Bo, Li",90,0.7,30,3000,12']
    docs = []
    for i, (sep, end) in enumerate([("\n", "\n"), ("\r\n", "\r\n"), ("\r", "\r"), ("\n", "")]):
        name = env.write(f"t{i}.csv", sep.join(rows) + end)
        doc = env.scores(name)
        for card in doc["scorecards"]:
            for kra in card["kras"]:
                for kpi in kra["kpis"]:
                    kpi["source"] = kpi["source"] and kpi["source"]["cell"]
        docs.append(doc)
    assert all(doc == docs[0] for doc in docs[1:])
    assert [c["name"] for c in docs[0]["scorecards"]] == ["Ana", "Bo, Li"]


@pytest.mark.parametrize(
    ("row", "cells"),
    [(ROW + ",7", 8), ("E1,Ana,95", 3), ("E1", 1)],
    ids=["more", "fewer", "id-only"],
)
def test_32_ragged_rows_name_the_row(env: Env, row: str, cells: int) -> None:
    name = env.csv(["E0,Zed,95,0.8,20,2000,6", row])
    env.refused(name, where="team.csv, row 3", says=f"row has {cells} cells but the header has 7")


def test_32_a_trailing_empty_cell_is_not_ragged(env: Env) -> None:
    assert actuals(env.scores(env.csv([ROW + ","])))["response"] == 6


def test_stdin_is_csv_and_named(env: Env) -> None:
    doc = env.scores("-", stdin=HEADER + "\n" + ROW + "\n")
    assert actuals(doc)["tickets"] == 20
    env.refused("-", stdin=HEADER + "\nE1,Ana,95,0.8,20,2000,x\n", where="<stdin>:G2")


def test_tsv_and_pipe_delimiters(env: Env) -> None:
    tab = env.write("team.tsv", HEADER.replace(",", "\t") + "\n" + ROW.replace(",", "\t") + "\n")
    assert actuals(env.scores(tab))["revenue"] == 2000
    pipe = env.write("p.csv", HEADER.replace(",", "|") + "\n" + ROW.replace(",", "|") + "\n")
    assert actuals(env.scores(pipe))["revenue"] == 2000
