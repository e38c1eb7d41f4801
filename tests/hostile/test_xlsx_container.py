"""BAD_INPUTS 33-43 and SPEC 10: the xlsx container, end to end through the CLI.

Workbooks are built here with openpyxl or by writing the zip by hand (for what no library will
write: DTDs, missing parts, bombs). The pre-flight cases run in a child process under an
address-space limit and a timeout, so a regression fails the test instead of the machine."""

from __future__ import annotations

import io
import resource
import subprocess
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from .conftest import (
    HEADER_CELLS,
    MAIN_NS,
    PYTHON,
    Env,
    actuals,
    raw_xlsx,
    rows_xml,
    sheet_xml,
    subprocess_env,
)

ROW = ["E1", "Ana", 95, 0.8, 20, 2000, 6]


def book(env: Env, name: str = "team.xlsx", *, title: str = "Actuals", fill=None) -> str:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    if fill is None:
        ws.append(HEADER_CELLS)
        ws.append(ROW)
    else:
        fill(wb, ws)
    wb.save(env.root / name)
    return name


def simple_sheet(*extra_rows: list[object]) -> str:
    return sheet_xml(rows_xml([HEADER_CELLS, ROW, *extra_rows]))


# --- 33, 34: damaged and protected files ------------------------------------------------------


@pytest.mark.parametrize("keep", [0.5, 0.1, 0.95])
def test_33_truncated_workbook(env: Env, keep: float) -> None:
    data = (env.root / book(env)).read_bytes()
    env.write("cut.xlsx", data[: int(len(data) * keep)])
    env.refused("cut.xlsx", where="cut.xlsx", says="corrupt or truncated")


def test_33_damaged_sheet_xml(env: Env) -> None:
    broken = simple_sheet().replace("</sheetData>", "<row r='9'><c r='A9'>")
    env.write("bad.xlsx", raw_xlsx({"Actuals": broken}))
    env.refused("bad.xlsx", where="bad.xlsx!Actuals", says="corrupt or truncated")


def test_34_password_protected(env: Env) -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptedPackage".encode("utf-16-le")
    env.write("locked.xlsx", ole + bytes(1024))
    env.refused(
        "locked.xlsx", where="locked.xlsx", says="password-protected; save an unprotected copy"
    )


def test_34_zip_with_encrypted_parts(env: Env) -> None:
    data = bytearray(raw_xlsx({"Actuals": simple_sheet()}, compression=zipfile.ZIP_STORED))
    # Set the "encrypted" flag bit in every central directory and local header.
    for sig in (b"PK\x01\x02", b"PK\x03\x04"):
        at = data.find(sig)
        while at >= 0:
            flag_at = at + (8 if sig == b"PK\x01\x02" else 6)
            data[flag_at] |= 1
            at = data.find(sig, at + 4)
    env.write("enc.xlsx", bytes(data))
    env.refused("enc.xlsx", where="enc.xlsx", says="encrypted")


# --- 2 (xlsx side): disguised files -----------------------------------------------------------


def ods_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<x/>")
        archive.writestr("META-INF/manifest.xml", "<x/>")
    return buffer.getvalue()


def numbers_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Index/Document.iwa", "x")
        archive.writestr("Metadata/Properties.plist", "x")
    return buffer.getvalue()


XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "Workbook".encode("utf-16-le") + bytes(600)


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("legacy.xls", XLS, ["legacy Excel 97-2003 workbook", "save as .xlsx or CSV UTF-8"]),
        ("legacy.xlsx", XLS, ["really a legacy Excel 97-2003 workbook (.xls) named .xlsx"]),
        ("sheet.ods", ods_bytes(), ["OpenDocument spreadsheet", "save as .xlsx or CSV UTF-8"]),
        ("sheet.xlsx", ods_bytes(), ["really an OpenDocument spreadsheet (.ods) named .xlsx"]),
        ("sheet.numbers", numbers_bytes(), ["Apple Numbers document"]),
        ("text.xlsx", ",".join(HEADER_CELLS) + "\n", ["really a text file", "rename it to .csv"]),
        ("archive.xlsx", b"PK\x05\x06" + bytes(18), ["zip archive that is not an Excel workbook"]),
        (
            "picture.csv",
            b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
            ["binary file that is neither a workbook nor text"],
        ),
        ("report.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", ["kpicard reads .xlsx"]),
    ],
    ids=lambda v: v if isinstance(v, str) and "." in v and len(v) < 20 else "",
)
def test_02_disguised_and_unsupported_files(
    env: Env, name: str, content: bytes | str, says: list[str]
) -> None:
    env.write(name, content)
    env.refused(name, where=name, says=says)


def test_02_xlsx_renamed_csv(env: Env) -> None:
    env.write("team.csv", (env.root / book(env)).read_bytes())
    env.refused("team.csv", where="team.csv", says=["Excel workbook (.xlsx)", "rename it to .xlsx"])


# --- 38, 39: sheets ---------------------------------------------------------------------------


def test_38_listed_sheet_part_missing(env: Env) -> None:
    data = raw_xlsx({"Actuals": simple_sheet()}, drop=["xl/worksheets/sheet1.xml"])
    env.write("gone.xlsx", data)
    env.refused(
        "gone.xlsx", where="gone.xlsx!Actuals", says="its part xl/worksheets/sheet1.xml is missing"
    )


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/_rels/workbook.xml.rels"])
def test_38_workbook_parts_missing(env: Env, part: str) -> None:
    env.write("gone.xlsx", raw_xlsx({"Actuals": simple_sheet()}, drop=[part]))
    env.refused("gone.xlsx", where="gone.xlsx", says=f"the workbook has no {part} part")


def test_38_no_visible_sheet(env: Env) -> None:
    data = raw_xlsx(
        {"A": simple_sheet(), "B": simple_sheet()}, states={"A": "hidden", "B": "veryHidden"}
    )
    env.write("hidden.xlsx", data)
    env.refused("hidden.xlsx", where="hidden.xlsx", says=["no visible worksheet", "'A', 'B'"])


def test_39_sheet_name_case_is_matched_with_a_note(env: Env) -> None:
    name = book(env)
    result = env.invoke(name, "--sheet", "actuals", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "team.xlsx!Actuals: note: --sheet 'actuals' matched sheet 'Actuals'" in result.stderr


def test_39_unknown_sheet_lists_the_sheets(env: Env) -> None:
    data = raw_xlsx({"Notes": simple_sheet(), "Actuals": simple_sheet()})
    env.write("two.xlsx", data)
    env.refused(
        "two.xlsx", "--sheet", "Q3", where="two.xlsx", says="its sheets are: 'Notes', 'Actuals'"
    )


def test_39_hidden_sheets_are_never_picked(env: Env) -> None:
    decoy = sheet_xml(rows_xml([HEADER_CELLS, ["E9", "Decoy", 1, 0.1, 1, 1, 1]]))
    data = raw_xlsx({"Old": decoy, "Actuals": simple_sheet()}, states={"Old": "hidden"})
    env.write("two.xlsx", data)
    doc = env.scores("two.xlsx")
    assert [c["employee"] for c in doc["scorecards"]] == ["E1"]
    assert doc["scorecards"][0]["kras"][0]["kpis"][0]["source"]["sheet"] == "Actuals"
    hidden = env.scores("two.xlsx", "--sheet", "Old")  # named explicitly: read
    assert [c["employee"] for c in hidden["scorecards"]] == ["E9"]


# --- 40, 41: formulas and error cells -----------------------------------------------------------


def test_40_formula_without_cached_value(env: Env) -> None:
    def fill(wb, ws) -> None:
        ws.append(HEADER_CELLS)
        ws.append(["E1", "Ana", "=90+5", 0.8, 20, 2000, 6])

    env.refused(
        book(env, fill=fill),
        where="team.xlsx!Actuals!C2",
        says=["formula without a cached value", "open and save the file in a spreadsheet program"],
    )


def test_40_formula_with_cached_value_is_used(env: Env) -> None:
    cells = '<c r="C2"><f>90+5</f><v>95</v></c>'
    body = rows_xml([HEADER_CELLS]) + (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>E1</t></is></c>'
        f'{cells}<c r="D2"><v>0.8</v></c><c r="E2"><v>20</v></c>'
        '<c r="F2"><v>2000</v></c><c r="G2"><v>6</v></c></row>'
    )
    env.write("f.xlsx", raw_xlsx({"Actuals": sheet_xml(body)}))
    assert actuals(env.scores("f.xlsx"))["invoice-accuracy"] == 95


@pytest.mark.parametrize("error", ["#DIV/0!", "#N/A", "#REF!", "#VALUE!"])
def test_41_error_cells_name_the_cell(env: Env, error: str) -> None:
    body = rows_xml([HEADER_CELLS]) + (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>E1</t></is></c>'
        f'<c r="E2" t="e"><f>1/0</f><v>{error}</v></c></row>'
    )
    env.write("e.xlsx", raw_xlsx({"Actuals": sheet_xml(body)}))
    env.refused("e.xlsx", where="e.xlsx!Actuals!E2", says=f"Excel error value {error}")


def test_41_error_cell_with_skip_invalid_is_a_warning(env: Env) -> None:
    body = rows_xml([HEADER_CELLS]) + (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>E1</t></is></c>'
        '<c r="E2" t="e"><v>#N/A</v></c></row>'
    )
    env.write("e.xlsx", raw_xlsx({"Actuals": sheet_xml(body)}))
    result = env.invoke("e.xlsx", "--skip-invalid", "--format", "json")
    assert result.exit_code == 0 and "e.xlsx!Actuals!E2: warning:" in result.stderr


# --- 42, 43: layout -----------------------------------------------------------------------------


def test_42_title_and_blank_rows_above_the_header(env: Env) -> None:
    def fill(wb, ws) -> None:
        ws.append(["Billing team - Q3 actuals"])
        ws.append([])
        ws.append(["prepared by HR", None, None])
        ws.append([])
        ws.append(HEADER_CELLS)
        ws.append(["E1", "Ana", 95, 0.8, 20, 2000, "six"])

    env.refused(book(env, fill=fill), where="team.xlsx!Actuals!G6", says="'six' is not a number")


def test_43_million_formatted_empty_rows(env: Env) -> None:
    body = rows_xml([HEADER_CELLS, ROW]).encode()
    empty = b"".join(
        b'<row r="%d" spans="1:7" s="1" customFormat="1"><c r="A%d" s="1"/><c r="G%d" s="1"/></row>'
        % (r, r, r)
        for r in range(3, 1_000_003)
    )
    xml = sheet_xml("\x00").encode().replace(b"\x00", body + empty)
    env.write("fmt.xlsx", raw_xlsx({"Actuals": xml.decode()}))
    start = time.perf_counter()
    doc = env.scores("fmt.xlsx")
    assert time.perf_counter() - start < 10
    assert [c["employee"] for c in doc["scorecards"]] == ["E1"]


def test_numeric_header_and_shared_strings(env: Env) -> None:
    shared = (
        f'<?xml version="1.0"?><sst xmlns="{MAIN_NS}">'
        + "".join(f"<si><t>{h}</t></si>" for h in HEADER_CELLS)
        + "</sst>"
    )
    head = "".join(f'<c r="{chr(65 + i)}1" t="s"><v>{i}</v></c>' for i in range(7))
    body = f'<row r="1">{head}</row>' + rows_xml([ROW], first=2)
    env.write("s.xlsx", raw_xlsx({"Actuals": sheet_xml(body)}, shared=shared))
    assert actuals(env.scores("s.xlsx"))["tickets"] == 20
    bad = f'<row r="1">{head}<c r="H1" t="s"><v>99</v></c></row>' + rows_xml([ROW], first=2)
    env.write("s2.xlsx", raw_xlsx({"Actuals": sheet_xml(bad)}, shared=shared))
    env.refused("s2.xlsx", where="s2.xlsx!Actuals!H1", says="shared string 99 does not exist")


# --- 35-37 and SPEC 10: the pre-flight, in a child process with limits ------------------------

MEMORY_LIMIT = 1024 * 2**20  # address space: python + imports need ~400 MB of it
PEAK_SCRIPT = """
import os, sys, time
from pathlib import Path
start = time.perf_counter()
def report():
    hwm = Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0]
    seconds = time.perf_counter() - start
    Path(os.environ["PEAK_FILE"]).write_text(f"{int(hwm) / 1024:.1f} {seconds:.3f}")
import atexit
atexit.register(report)
sys.argv = ["kpicard", *sys.argv[1:]]
from kpicard.cli.main import run
run()
"""


def limited_run(
    env: Env, *args: str, timeout: float = 20
) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """`kpicard score ARGS` in a child under RLIMIT_AS; (result, peak RSS MB, seconds in run)."""
    peak_file = env.root / "peak.txt"

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    result = subprocess.run(
        [
            PYTHON,
            "-c",
            PEAK_SCRIPT,
            "score",
            *args,
            "--role",
            "mini",
            "--catalog",
            "cat",
            "-o",
            "out/result.json",
        ],
        cwd=env.root,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**subprocess_env(), "PEAK_FILE": str(peak_file)},
        preexec_fn=limit,
    )
    peak, seconds = (float(x) for x in peak_file.read_text().split())
    return result, peak, seconds


def assert_refused_in_child(result: subprocess.CompletedProcess[str], env: Env, says: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert says in result.stderr, result.stderr
    env.assert_output_untouched()


def bomb(path: Path, megabytes: int, row: bytes, *, declared_ok: bool = True) -> None:
    """A workbook whose one sheet expands to `megabytes` of `row` repeated."""
    data = raw_xlsx({"Actuals": sheet_xml("")}, drop=["xl/worksheets/sheet1.xml"])
    path.write_bytes(data)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as out:
            out.write(f'<?xml version="1.0"?><worksheet xmlns="{MAIN_NS}"><sheetData>'.encode())
            block = row * (2**20 // len(row))
            for _ in range(megabytes):
                out.write(block)
            out.write(b"</sheetData></worksheet>")


def test_35_zip_bomb_refused_fast_and_small(env: Env) -> None:
    bomb(env.root / "bomb.xlsx", 520, b"<row><c><v>1</v></c></row>")
    assert (env.root / "bomb.xlsx").stat().st_size < 2 * 2**20
    result, peak, seconds = limited_run(env, "bomb.xlsx")
    assert_refused_in_child(result, env, "zip bomb")
    assert seconds < 2 and peak < 100, (seconds, peak)


def test_35_zip_bomb_under_the_total_but_over_the_ratio(env: Env) -> None:
    bomb(env.root / "ratio.xlsx", 150, b"<row><c><v>1</v></c></row>")
    result, peak, seconds = limited_run(env, "ratio.xlsx")
    assert_refused_in_child(result, env, "expands")
    assert seconds < 2 and peak < 100, (seconds, peak)


def test_35_zip_bomb_that_lies_about_its_size(env: Env) -> None:
    path = env.root / "liar.xlsx"
    bomb(path, 300, b"<row><c><v>1</v></c></row>")
    data = bytearray(path.read_bytes())
    # Declare the sheet 1,000 bytes long in the central directory (zip64 extra holds the truth).
    at = data.find(b"PK\x01\x02", 0)
    while at >= 0:
        name_len = int.from_bytes(data[at + 28 : at + 30], "little")
        if data[at + 46 : at + 46 + name_len] == b"xl/worksheets/sheet1.xml":
            extra_len = int.from_bytes(data[at + 30 : at + 32], "little")
            extra = at + 46 + name_len
            data[extra + 4 : extra + 12] = (1000).to_bytes(8, "little")
            del extra_len
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    result, peak, seconds = limited_run(env, "liar.xlsx")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert seconds < 2 and peak < 100, (seconds, peak)
    env.assert_output_untouched()


def test_36_one_cell_of_300_mb(env: Env) -> None:
    path = env.root / "cell.xlsx"
    data = raw_xlsx({"Actuals": sheet_xml("")}, drop=["xl/worksheets/sheet1.xml"])
    path.write_bytes(data)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as out:
            out.write(
                f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1">'
                '<c r="A1" t="inlineStr"><is><t>'.encode()
            )
            block = b"x" * 2**20
            for _ in range(300):
                out.write(block)
            out.write(b"</t></is></c></row></sheetData></worksheet>")
    result, peak, seconds = limited_run(env, "cell.xlsx")
    assert_refused_in_child(result, env, "refused")
    assert seconds < 2 and peak < 100, (seconds, peak)


def test_36_two_million_characters_stored_uncompressed(env: Env) -> None:
    big = "x" * 2_000_000
    sheet = sheet_xml(
        rows_xml([HEADER_CELLS])
        + f'<row r="2"><c r="B2" t="inlineStr"><is><t>{big}</t></is></c></row>'
    )
    env.write("long.xlsx", raw_xlsx({"Actuals": sheet}, compression=zipfile.ZIP_STORED))
    env.refused("long.xlsx", where="long.xlsx!Actuals!B2", says="more than 1,000,000 characters")


LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)
SECRET = "kpicard-test-secret-7f3a"


@pytest.mark.parametrize("where", ["sheet", "shared", "workbook", "rels"])
@pytest.mark.parametrize("kind", ["laughs", "external"])
def test_37_dtd_and_entities_refused(env: Env, where: str, kind: str) -> None:
    secret = env.root / "secret.txt"
    secret.write_text(SECRET)
    dtd = LAUGHS if kind == "laughs" else f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    ref = "&lol9;" if kind == "laughs" else "&xxe;"
    text_cell = f'<row r="3"><c r="B3" t="inlineStr"><is><t>{ref}</t></is></c></row>'
    sheet = simple_sheet()
    shared = None
    if where == "sheet":
        sheet = sheet_xml(rows_xml([HEADER_CELLS, ROW]) + text_cell, head=dtd)
    elif where == "shared":
        shared = f'<?xml version="1.0"?>{dtd}<sst xmlns="{MAIN_NS}"><si><t>{ref}</t></si></sst>'
    data = raw_xlsx({"Actuals": sheet}, shared=shared)
    if where in ("workbook", "rels"):
        part = "xl/workbook.xml" if where == "workbook" else "_rels/.rels"
        data = _replace_part(
            data,
            part,
            lambda xml: xml.replace('<?xml version="1.0"?>', f'<?xml version="1.0"?>{dtd}'),
        )
    env.write("dtd.xlsx", data)
    start = time.perf_counter()
    result = env.refused("dtd.xlsx", where="dtd.xlsx", says="declares a DTD or entities")
    assert time.perf_counter() - start < 1
    assert SECRET not in result.stdout + result.stderr
    assert "lollol" not in result.stderr


def _replace_part(data: bytes, name: str, change) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            content = src.read(info)
            if info.filename == name:
                content = change(content.decode()).encode()
            dst.writestr(info.filename, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("cells", "cell", "says"),
    [
        ('<c r="XFE3"><v>2</v></c>', "XFE3", "cell XFE3 lies beyond Excel's last column XFD"),
        ('<c r="A1048577"><v>2</v></c>', "A3", "cell A1048577 lies beyond Excel's last row"),
        ('<c r="A99999999999999999999"><v>2</v></c>', "A3", "beyond Excel's last row"),
    ],
    ids=["column", "row", "huge-row"],
)
def test_far_cells_refused(env: Env, cells: str, cell: str, says: str) -> None:
    sheet = sheet_xml(rows_xml([HEADER_CELLS, ROW]) + f'<row r="3">{cells}</row>')
    env.write("far.xlsx", raw_xlsx({"Actuals": sheet}))
    env.refused("far.xlsx", where=f"far.xlsx!Actuals!{cell}", says=says)


def test_far_dimension_refused_but_full_sheet_allowed(env: Env) -> None:
    far = (
        f'<?xml version="1.0"?><worksheet xmlns="{MAIN_NS}"><dimension ref="A1:XFE2000000"/>'
        f"<sheetData>{rows_xml([HEADER_CELLS, ROW])}</sheetData></worksheet>"
    )
    env.write("dim.xlsx", raw_xlsx({"Actuals": far}))
    env.refused("dim.xlsx", where="dim.xlsx!Actuals", says="1,048,576 rows x 16,384 columns")
    full = far.replace("XFE2000000", "XFD1048576")
    env.write("full.xlsx", raw_xlsx({"Actuals": full}))
    assert actuals(env.scores("full.xlsx"))["tickets"] == 20


def test_far_cell_on_every_row_is_refused_quickly(env: Env) -> None:
    """One value in column XFD per row: a 1 MB file that would pad 200,000 rows to 16,384."""
    rows = "".join(f'<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>' for r in range(3, 200_000))
    env.write("sparse.xlsx", raw_xlsx({"Actuals": sheet_xml(rows_xml([HEADER_CELLS, ROW]) + rows)}))
    result, peak, seconds = limited_run(env, "sparse.xlsx")
    assert_refused_in_child(result, env, "values lie far apart")
    assert seconds < 3 and peak < 150, (seconds, peak)


def test_a_real_far_cell_is_read(env: Env) -> None:
    sheet = sheet_xml(
        rows_xml([HEADER_CELLS, ROW])
        + '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>end</t></is></c></row>'
    )
    env.write("end.xlsx", raw_xlsx({"Actuals": sheet}))
    env.refused("end.xlsx", where="end.xlsx!Actuals!XFD1", says="has data but no header")


def test_many_parts_refused(env: Env) -> None:
    buffer = io.BytesIO(raw_xlsx({"Actuals": simple_sheet()}))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_STORED) as archive:
        for i in range(20_001):
            archive.writestr(f"junk/{i}", b"")
    env.write("parts.xlsx", buffer.getvalue())
    env.refused("parts.xlsx", where="parts.xlsx", says="parts (limit 20,000)")
