"""The CSV reader: every case is generated here, as bytes written to a temporary file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpicard.actuals.csv_reader import FIELD_LIMIT, open_csv
from kpicard.diagnostics import KpicardError, Location, Report

Rows = list[tuple[int, list[object]]]
FIXTURE_OK = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)


def read(tmp_path: Path, data: bytes, name: str = "team.csv", **kw: str) -> tuple[Rows, Report]:
    path = tmp_path / name
    path.write_bytes(data)
    table = open_csv(path, name, **kw)
    assert (table.file, table.sheet, table.cell_ref) == (name, None, "csv")
    return [(row.number, row.cells) for row in table.rows], table.report


def refused(tmp_path: Path, data: bytes, name: str = "team.csv") -> KpicardError:
    with pytest.raises(KpicardError) as caught:
        read(tmp_path, data, name)
    return caught.value


# --- Encodings -----------------------------------------------------------------------------------


def test_utf8_bom_is_stripped_so_the_first_header_is_found(tmp_path: Path) -> None:
    rows, report = read(tmp_path, b"\xef\xbb\xbfemployee_id,score\r\nE1,95\r\n")
    assert rows == [(1, ["employee_id", "score"]), (2, ["E1", "95"])]
    assert report.items == []


@pytest.mark.parametrize(
    "data",
    [
        "employee_id,score\r\nE1,95\r\n".encode("utf-16"),  # with BOM, as Excel writes it
        b"\xfe\xff" + "employee_id\tscore\r\n".encode("utf-16-be"),
        "employee_id,score\r\nE1,95\r\n".encode("utf-16-le"),  # no BOM
        "employee_id,score\r\nE1,95\r\n".encode("utf-16-be"),
    ],
    ids=["utf16-bom-le", "utf16-bom-be", "utf16-le", "utf16-be"],
)
def test_utf16_is_refused_with_the_save_as_hint(tmp_path: Path, data: bytes) -> None:
    error = refused(tmp_path, data)
    (diagnostic,) = error.diagnostics
    assert diagnostic.code == "csv.encoding"
    assert "team.csv" in diagnostic.message and "UTF-16" in diagnostic.message
    assert diagnostic.hint and "save as CSV UTF-8" in diagnostic.hint
    assert diagnostic.location == Location(file="team.csv")


def test_cp1252_byte_names_its_row_and_column(tmp_path: Path) -> None:
    data = b"employee_id,name,score\nE1,Ann,90\nE2,Bob,80\nE3,Caf\x80,70\nE4,Dee,60\n"
    path = tmp_path / "team.csv"
    path.write_bytes(data)
    table = open_csv(path, "team.csv")
    seen = []
    with pytest.raises(KpicardError) as caught:
        for row in table.rows:
            seen.append(row.number)
    assert seen == [1, 2, 3]
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.location == Location(file="team.csv", row=4, cell_column="B")
    assert "0x80" in diagnostic.message and "row 4" in diagnostic.message
    assert diagnostic.hint and "save as CSV UTF-8" in diagnostic.hint


def test_bad_byte_after_a_multiline_cell_names_the_spreadsheet_row(tmp_path: Path) -> None:
    data = b'id,note\nE1,"two\nlines"\nE2,ok\nE3,\xe9t\xe9\n'
    with pytest.raises(KpicardError) as caught:
        read(tmp_path, data)
    assert caught.value.diagnostics[0].location == Location(file="team.csv", row=4, cell_column="B")


def test_empty_file_has_no_header(tmp_path: Path) -> None:
    for data in (b"", b"\xef\xbb\xbf", b"\r\n\n"):
        (diagnostic,) = refused(tmp_path, data).diagnostics
        assert diagnostic.code == "csv.empty"
        assert diagnostic.message.startswith("empty file: no header")


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00xl/workbook.xml", "Excel workbook (.xlsx)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "Excel 97-2003 workbook (.xls)"),
        (
            b"PK\x03\x04" + bytes(26) + b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet",
            "(.ods)",
        ),
    ],
)
def test_disguised_workbooks_say_what_they_are(tmp_path: Path, data: bytes, said: str) -> None:
    (diagnostic,) = refused(tmp_path, data).diagnostics
    assert diagnostic.code == "csv.not-csv"
    assert said in diagnostic.message and "team.csv" in diagnostic.message
    assert diagnostic.hint


# --- Delimiters ----------------------------------------------------------------------------------


def test_excel_sep_line_is_honoured_and_keeps_file_row_numbers(tmp_path: Path) -> None:
    rows, report = read(tmp_path, b"sep=;\r\nemployee_id;score\r\nE1;95,5\r\n")
    assert rows == [(2, ["employee_id", "score"]), (3, ["E1", "95,5"])]
    assert report.items == []


def test_semicolon_with_decimal_commas_is_never_split_on_the_comma(tmp_path: Path) -> None:
    data = b"employee_id;name;score\nE1;Ann;95,5\nE2;Bob;88,25\nE3;Cy;70\n"
    rows, _ = read(tmp_path, data)
    assert rows == [
        (1, ["employee_id", "name", "score"]),
        (2, ["E1", "Ann", "95,5"]),
        (3, ["E2", "Bob", "88,25"]),
        (4, ["E3", "Cy", "70"]),
    ]


def test_one_decimal_comma_row_still_sniffs_semicolon(tmp_path: Path) -> None:
    rows, _ = read(tmp_path, b"id;score\nE1;95,5\n")
    assert rows == [(1, ["id", "score"]), (2, ["E1", "95,5"])]


def test_tab_delimited(tmp_path: Path) -> None:
    rows, report = read(tmp_path, b"employee_id\tname\tscore\nE1\tSmith, Ann\t95\n", "t.tsv")
    assert rows == [(1, ["employee_id", "name", "score"]), (2, ["E1", "Smith, Ann", "95"])]
    assert report.items == []


def test_tsv_preference_gives_way_to_what_the_file_holds(tmp_path: Path) -> None:
    rows, report = read(tmp_path, b"employee_id,score\nE1,95\n", "t.tsv", delimiter="\t")
    assert rows == [(1, ["employee_id", "score"]), (2, ["E1", "95"])]
    (note,) = report.items
    assert note.code == "csv.delimiter" and "comma" in note.message


def test_single_column_tsv_keeps_the_preferred_tab(tmp_path: Path) -> None:
    rows, report = read(tmp_path, b"employee_id\nE1\nE2\n", "t.tsv", delimiter="\t")
    assert rows == [(1, ["employee_id"]), (2, ["E1"]), (3, ["E2"])]
    assert report.items == []


def test_title_lines_above_the_header_do_not_decide_the_delimiter(tmp_path: Path) -> None:
    data = (
        b"Billing team, Q3 review\n"
        b"\n"
        b"Prepared by: Ops, Finance\n"
        b"employee_id;name;accuracy;tickets\n"
        b"E1;Ann;95,5;12\n"
        b"E2;Bob;88,0;9\n"
    )
    rows, _ = read(tmp_path, data)
    assert rows == [
        (1, ["Billing team, Q3 review"]),
        (3, ["Prepared by: Ops, Finance"]),
        (4, ["employee_id", "name", "accuracy", "tickets"]),
        (5, ["E1", "Ann", "95,5", "12"]),
        (6, ["E2", "Bob", "88,0", "9"]),
    ]


# --- Quotes, NUL, long cells ---------------------------------------------------------------------


def test_unterminated_quote_is_reported_and_later_rows_survive(tmp_path: Path) -> None:
    data = b'employee_id,score\nE1,90\nE2,"80\nE3,70\nE4,60\n'
    rows, report = read(tmp_path, data)
    assert rows == [
        (1, ["employee_id", "score"]),
        (2, ["E1", "90"]),
        (4, ["E3", "70"]),
        (5, ["E4", "60"]),
    ]
    (error,) = report.errors
    assert error.code == "csv.unterminated-quote"
    assert "unterminated quote starting on row 3" in error.message
    assert error.location == Location(file="team.csv", row=3, cell_column="B")


def test_unterminated_quote_in_a_big_file_stops_at_the_limit(tmp_path: Path) -> None:
    data = b'employee_id,score\nE1,"90\n' + b"E9,1\n" * 30_000 + b"E2,80\n"
    rows, report = read(tmp_path, data)
    assert rows[0] == (1, ["employee_id", "score"])
    assert rows[1] == (3, ["E9", "1"])
    assert rows[-1] == (30_003, ["E2", "80"])
    assert len(rows) == 30_002
    (error,) = report.errors
    assert "unterminated quote starting on row 2" in error.message
    assert error.location == Location(file="team.csv", row=2, cell_column="B")


def test_embedded_newline_is_one_row_and_later_errors_name_the_right_row(tmp_path: Path) -> None:
    data = b'employee_id,note,score\r\nE1,"line one\r\nline two",90\r\nE2,ok,8\x000\r\n'
    rows, report = read(tmp_path, data)
    assert rows == [
        (1, ["employee_id", "note", "score"]),
        (2, ["E1", "line one\r\nline two", "90"]),
        (3, ["E2", "ok", None]),
    ]
    (error,) = report.errors
    assert error.code == "csv.nul"
    assert error.location == Location(file="team.csv", row=3, cell_column="C")


def test_nul_byte_names_row_and_column(tmp_path: Path) -> None:
    rows, report = read(tmp_path, b"employee_id,score\nE1,9\x005\nE2,80\n")
    assert rows == [(1, ["employee_id", "score"]), (2, ["E1", None]), (3, ["E2", "80"])]
    (error,) = report.errors
    assert "NUL" in error.message and "row 2, column B" in error.message
    assert error.location == Location(file="team.csv", row=2, cell_column="B")


@pytest.mark.parametrize("quoted", [False, True])
def test_cell_longer_than_the_limit_is_refused(tmp_path: Path, quoted: bool) -> None:
    big = b"x" * 200_000
    cell = b'"' + big + b'"' if quoted else big
    rows, report = read(tmp_path, b"employee_id,note,score\nE1," + cell + b",5\nE2,ok,6\n")
    assert rows == [
        (1, ["employee_id", "note", "score"]),
        (2, ["E1", None, "5"]),
        (3, ["E2", "ok", "6"]),
    ]
    (error,) = report.errors
    assert error.code == "csv.cell-too-long"
    assert error.location == Location(file="team.csv", row=2, cell_column="B")
    assert "200,000" in error.message


def test_cell_of_exactly_the_limit_is_fine(tmp_path: Path) -> None:
    rows, report = read(tmp_path, b"id,note\nE1," + b"y" * FIELD_LIMIT + b"\n")
    assert rows[1] == (2, ["E1", "y" * FIELD_LIMIT])
    assert report.items == []


# --- Blank rows, empty cells, line endings, stdin ------------------------------------------------


def test_blank_lines_skip_silently_and_delimiter_rows_warn_once(tmp_path: Path) -> None:
    data = b"employee_id,score\n\nE1,90\n,,\n   \n,\nE2,\n"
    rows, report = read(tmp_path, data)
    assert rows == [(1, ["employee_id", "score"]), (3, ["E1", "90"]), (7, ["E2", None])]
    (warning,) = report.items
    assert warning.code == "csv.empty-rows" and not warning.is_error
    assert "2 rows" in warning.message and "row 4" in warning.message
    assert warning.location == Location(file="team.csv", row=4)


def test_trailing_empty_cells_are_kept_as_none(tmp_path: Path) -> None:
    rows, _ = read(tmp_path, b'id,a,b\nE1,,\nE2,"",3,\n')
    assert rows == [(1, ["id", "a", "b"]), (2, ["E1", None, None]), (3, ["E2", None, "3", None])]


def test_stdin_stream_reads_like_a_file() -> None:
    stream = io.BytesIO(b"\xef\xbb\xbfemployee_id;score\r\nE1;95,5\r\n")
    table = open_csv(stream, "<stdin>")
    assert [(r.number, r.cells) for r in table.rows] == [
        (1, ["employee_id", "score"]),
        (2, ["E1", "95,5"]),
    ]
    assert not stream.closed  # standard input belongs to the caller


def test_stdin_stream_longer_than_the_sniffed_head() -> None:
    body = b"".join(b"E%d,%d\n" % (i, i % 100) for i in range(20_000))
    table = open_csv(io.BytesIO(b"employee_id,score\n" + body), "<stdin>")
    rows = list(table.rows)
    assert len(rows) == 20_001 and rows[-1].number == 20_001
    assert rows[-1].cells == ["E19999", "99"]


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(KpicardError) as caught:
        open_csv(tmp_path / "nope.csv", "nope.csv")
    assert caught.value.kind == "usage"


# --- Properties --------------------------------------------------------------------------------

HEADER = ["employee_id", "kpi_a", "kpi_b", "kpi_c", "kpi_d"]
cell_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8
)


@st.composite
def tables(draw: st.DrawFn, alphabet: st.SearchStrategy[str] = cell_text) -> list[list[str]]:
    width = draw(st.integers(2, len(HEADER)))
    body = draw(st.lists(st.lists(alphabet, min_size=width, max_size=width), max_size=8))
    return [HEADER[:width], *body]


def expected(table: list[list[str]]) -> Rows:
    """What the reader must give back: empty cells as None, all-empty rows skipped."""
    return [
        (number, [cell or None for cell in row])
        for number, row in enumerate(table, start=1)
        if any(row)
    ]


def written(table: list[list[str]], delimiter: str, ending: str = "\r\n") -> bytes:
    """Rows as csv.writer quotes them, joined by `ending`.

    Each row is written with the "\r\n" terminator so that a cell holding either character is
    quoted: Python 3.11's writer quotes only the characters of the terminator in use.
    """
    lines = []
    for row in table:
        out = io.StringIO(newline="")
        csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerow(row)
        lines.append(out.getvalue().removesuffix("\r\n"))
    return "".join(line + ending for line in lines).encode("utf-8")


@FIXTURE_OK
@given(table=tables(), delimiter=st.sampled_from([",", ";", "\t"]))
def test_any_table_written_by_csv_writer_reads_back(
    tmp_path: Path, table: list[list[str]], delimiter: str
) -> None:
    rows, report = read(tmp_path, written(table, delimiter))
    assert rows == expected(table)
    assert not report.errors


@FIXTURE_OK
@given(
    table=tables(st.text(st.sampled_from('ab ,;"\r\n1.5'), max_size=6)),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
    final_newline=st.booleans(),
)
def test_line_endings_do_not_change_rows(
    tmp_path: Path, table: list[list[str]], ending: str, final_newline: bool
) -> None:
    data = written(table, ",", ending)
    if not final_newline:
        data = data.removesuffix(ending.encode())
    rows, report = read(tmp_path, data)
    assert rows == expected(table)
    assert not report.errors
