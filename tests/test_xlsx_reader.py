"""The xlsx reader on generated workbooks: normal ones from openpyxl, hostile ones by hand.

Each hostile workbook is a minimal valid package (`_package`) with one part replaced, so a test
fails for the reason it names and not because the package was incomplete.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from kpicard.actuals.container import describe_refusal, sniff_container
from kpicard.actuals.grid import UNCACHED, CellError, Percent
from kpicard.actuals.xlsx import open_xlsx
from kpicard.diagnostics import KpicardError

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RELNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SECRET = "kpicard-secret-7f3a"


# ------------------------------------------------------------------------------------------
# Builders


def _sheet_xml(rows: str, head: str = "") -> str:
    return f'<?xml version="1.0"?>{head}<worksheet {NS}><sheetData>{rows}</sheetData></worksheet>'


def _package(
    path: Path,
    sheet: str | bytes | None = None,
    *,
    shared: str | None = None,
    styles: str | None = None,
    workbook: str | None = None,
    skip: tuple[str, ...] = (),
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """A minimal xlsx whose parts can be swapped for hostile ones."""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types '
        'xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>",
        "xl/workbook.xml": workbook
        or f'<?xml version="1.0"?><workbook {NS} {RELNS}><sheets>'
        '<sheet name="Actuals" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
        f'<Relationship Id="rId3" Type="{REL}/styles" Target="styles.xml"/>'
        "</Relationships>",
        "xl/worksheets/sheet1.xml": sheet
        if sheet is not None
        else _sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'),
        "xl/sharedStrings.xml": shared
        or f'<?xml version="1.0"?><sst {NS}><si><t>employee_id</t></si></sst>',
    }
    if styles is not None:
        parts["xl/styles.xml"] = styles
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in parts.items():
            if name not in skip:
                archive.writestr(name, data)
    return path


def _read(path: Path, sheet: str | None = None) -> list[tuple[int, list[object]]]:
    table = open_xlsx(path, path.name, sheet)
    return [(row.number, row.cells) for row in table.rows]


def _error(path: Path, sheet: str | None = None) -> KpicardError:
    with pytest.raises(KpicardError) as caught:
        _read(path, sheet)
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.location is not None and diagnostic.location.file == path.name
    assert diagnostic.hint
    return caught.value


def _text(error: KpicardError) -> str:
    return "\n".join(d.render() for d in error.diagnostics)


# ------------------------------------------------------------------------------------------
# Normal workbooks


def test_values_types_and_row_numbers(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Actuals"
    ws["A1"] = "Team scorecard Q3"  # title row, then a blank row 2
    ws.append([])
    ws.append(["employee_id", "rate", "when", "calc", "flag", "bad"])
    ws.append([123, 0.95, datetime(2026, 3, 31, 12, 30), "=1+1", True, "=1/0"])
    ws["B4"].number_format = "0%"
    ws["C4"].number_format = "yyyy-mm-dd hh:mm"
    ws["D6"] = -7
    ws["E6"] = 2.5
    wb.save(tmp_path / "t.xlsx")

    rows = _read(tmp_path / "t.xlsx")
    assert [n for n, _ in rows] == [1, 3, 4, 6]
    assert rows[0][1] == ["Team scorecard Q3"]
    _, cells = rows[2]
    assert cells[0] == 123 and type(cells[0]) is int
    assert isinstance(cells[1], Percent) and cells[1] == 0.95
    assert cells[2] == datetime(2026, 3, 31, 12, 30)
    assert cells[3] is UNCACHED and cells[5] is UNCACHED  # openpyxl caches no formula result
    assert cells[4] is True
    assert rows[3][1] == [None, None, None, -7, 2.5]
    assert type(rows[3][1][3]) is int


def test_error_cells_and_cached_formula(tmp_path: Path) -> None:
    sheet = _sheet_xml(
        '<row r="2"><c r="B2" t="e"><v>#DIV/0!</v></c><c r="C2" t="e"><f>NA()</f><v>#N/A</v></c>'
        '<c r="D2"><f>1+1</f><v>2</v></c><c r="E2" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>'
        '<c r="F2" t="inlineStr"><is><r><t>x</t></r><r><t xml:space="preserve"> y</t></r>'
        "<rPh><t>PHONETIC</t></rPh></is></c>"
        '<c r="G2" t="d"><v>2026-01-02T03:04:05</v></c><c r="H2" t="b"><v>0</v></c></row>'
    )
    rows = _read(_package(tmp_path / "e.xlsx", sheet))
    cells = rows[0][1]
    assert cells[1] == CellError("#DIV/0!") and isinstance(cells[1], CellError)
    assert cells[2] == "#N/A" and isinstance(cells[2], CellError)
    assert cells[3] == 2
    assert cells[4] == "ab"
    assert cells[5] == "x y"
    assert cells[6] == datetime(2026, 1, 2, 3, 4, 5)
    assert cells[7] is False


def test_shared_strings_rich_text_and_escapes(tmp_path: Path) -> None:
    shared = (
        f'<?xml version="1.0"?><sst {NS}><si><t>plain</t></si>'
        "<si><r><rPr><b/></rPr><t>bo</t></r><r><t>ld</t></r><rPh><t>ph</t></rPh></si>"
        "<si><t>line_x000D_break _x005F_x000D_ &amp; &lt;ok&gt;</t></si></sst>"
    )
    sheet = _sheet_xml(
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
        '<c r="C1" t="s"><v>2</v></c></row>'
    )
    rows = _read(_package(tmp_path / "s.xlsx", sheet, shared=shared))
    assert rows == [(1, ["plain", "bold", "line\rbreak _x000D_ & <ok>"])]


def test_custom_percent_and_date_formats(tmp_path: Path) -> None:
    styles = (
        f'<?xml version="1.0"?><styleSheet {NS}><numFmts count="3">'
        '<numFmt numFmtId="164" formatCode="0.0%"/>'
        '<numFmt numFmtId="165" formatCode="[$-409]d\\-mmm\\-yy;@"/>'
        '<numFmt numFmtId="166" formatCode="#,##0 &quot;days&quot;"/></numFmts>'
        '<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/>'
        '<xf numFmtId="166"/><xf numFmtId="10"/><xf numFmtId="14"/></cellXfs></styleSheet>'
    )
    sheet = _sheet_xml(
        '<row r="1"><c r="A1" s="1"><v>0.57</v></c><c r="B1" s="2"><v>45000</v></c>'
        '<c r="C1" s="3"><v>12</v></c><c r="D1" s="4"><v>0.5</v></c><c r="E1" s="5"><v>61</v></c>'
        '<c r="F1" s="5"><v>1</v></c></row>'
    )
    cells = _read(_package(tmp_path / "f.xlsx", sheet, styles=styles))[0][1]
    assert isinstance(cells[0], Percent) and cells[0] == 0.57
    assert cells[1] == datetime(2023, 3, 15)
    assert cells[2] == 12 and type(cells[2]) is int  # "days" is quoted text, not a date
    assert isinstance(cells[3], Percent)
    assert cells[4] == datetime(1900, 3, 1) and cells[5] == datetime(1900, 1, 1)


def test_1904_date_system(tmp_path: Path) -> None:
    workbook = (
        f'<?xml version="1.0"?><workbook {NS} {RELNS}><workbookPr date1904="1"/><sheets>'
        '<sheet name="Actuals" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    styles = (
        f'<?xml version="1.0"?><styleSheet {NS}>'
        '<cellXfs><xf/><xf numFmtId="14"/></cellXfs></styleSheet>'
    )
    sheet = _sheet_xml('<row r="1"><c r="A1" s="1"><v>0</v></c><c r="B1" s="1"><v>1</v></c></row>')
    cells = _read(_package(tmp_path / "d.xlsx", sheet, styles=styles, workbook=workbook))[0][1]
    assert cells == [datetime(1904, 1, 1), datetime(1904, 1, 2)]


def test_namespace_prefix_and_missing_refs(tmp_path: Path) -> None:
    sheet = (
        '<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main"><x:sheetData><x:row><x:c><x:v>1</x:v></x:c><x:c/>'
        '<x:c><x:v>3</x:v></x:c></x:row><x:row><x:c r="B2"><x:v>4</x:v></x:c></x:row>'
        "</x:sheetData></x:worksheet>"
    )
    assert _read(_package(tmp_path / "p.xlsx", sheet)) == [(1, [1, None, 3]), (2, [None, 4])]


def test_sheet_choice_hidden_and_case_insensitive(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    wb.active["A1"] = "hidden notes"
    wb.active.sheet_state = "hidden"
    actuals = wb.create_sheet("Actuals")
    actuals["A1"] = "employee_id"
    wb.create_sheet("Other")["A1"] = "other"
    wb.active = 1
    wb.save(tmp_path / "h.xlsx")

    table = open_xlsx(tmp_path / "h.xlsx", "h.xlsx")
    assert table.sheet == "Actuals" and table.sheets == ["Notes", "Actuals", "Other"]
    assert [r.cells for r in table.rows] == [["employee_id"]]

    table = open_xlsx(tmp_path / "h.xlsx", "h.xlsx", sheet="actuals")
    assert table.sheet == "Actuals"
    assert any("matched sheet 'Actuals'" in d.message for d in table.report.items)
    list(table.rows)

    error = _error(tmp_path / "h.xlsx", sheet="Budget")
    assert error.kind == "invalid"
    assert "'Notes', 'Actuals', 'Other'" in _text(error)


def test_no_visible_sheet(tmp_path: Path) -> None:
    workbook = (
        f'<?xml version="1.0"?><workbook {NS} {RELNS}><sheets><sheet name="A" sheetId="1" '
        'state="hidden" r:id="rId1"/></sheets></workbook>'
    )
    assert "no visible worksheet" in _text(_error(_package(tmp_path / "n.xlsx", workbook=workbook)))


def test_missing_parts(tmp_path: Path) -> None:
    path = _package(tmp_path / "m.xlsx", skip=("xl/worksheets/sheet1.xml",))
    assert "sheet 'Actuals' is listed but its part" in _text(_error(path))
    path = _package(tmp_path / "w.xlsx", skip=("xl/workbook.xml",))
    assert "no xl/workbook.xml part" in _text(_error(path))
    path = _package(tmp_path / "r.xlsx", skip=("xl/_rels/workbook.xml.rels",))
    assert "workbook.xml.rels" in _text(_error(path))


def test_integer_id_stays_int(tmp_path: Path) -> None:
    sheet = _sheet_xml('<row r="2"><c r="A2"><v>123</v></c><c r="B2"><v>123.0</v></c></row>')
    cells = _read(_package(tmp_path / "i.xlsx", sheet))[0][1]
    assert type(cells[0]) is int and str(cells[0]) == "123"
    assert type(cells[1]) is float


def test_million_formatted_empty_rows_are_fast(tmp_path: Path) -> None:
    body = ['<row r="1"><c r="A1" t="s"><v>0</v></c></row>']
    body += [
        f'<row r="{r}" spans="1:5" s="3" customFormat="1"><c r="A{r}" s="3"/></row>'
        for r in range(2, 1_000_001)
    ]
    path = _package(tmp_path / "e.xlsx", _sheet_xml("".join(body)))
    start = time.perf_counter()
    assert _read(path) == [(1, ["employee_id"])]
    assert time.perf_counter() - start < 10


# ------------------------------------------------------------------------------------------
# Hostile workbooks


def test_truncated_file(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["employee_id"])
    wb.save(tmp_path / "full.xlsx")
    data = (tmp_path / "full.xlsx").read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(data[: len(data) // 2])
    assert sniff_container(cut) == "xlsx"
    error = _error(cut)
    assert error.kind == "invalid" and "corrupt or truncated" in _text(error)


def test_password_protected(tmp_path: Path) -> None:
    # An OLE2 header followed by an EncryptedPackage directory name, as Excel writes it.
    path = tmp_path / "p.xlsx"
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptedPackage".encode("utf-16-le")
    )
    assert sniff_container(path) == "encrypted-ooxml"
    assert "password-protected; save an unprotected copy" in _text(_error(path))


ZIP_BOMB_SCRIPT = textwrap.dedent(
    """
    import resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, (600 * 2**20, 600 * 2**20))
    from pathlib import Path
    from kpicard.actuals.xlsx import open_xlsx
    from kpicard.diagnostics import KpicardError
    start = time.perf_counter()
    try:
        for row in open_xlsx(Path(sys.argv[1]), "bomb.xlsx").rows:
            pass
    except KpicardError as exc:
        print("REFUSED", exc)
    # VmHWM, not ru_maxrss: the latter survives exec and would report pytest's own peak.
    status = Path("/proc/self/status").read_text().split("VmHWM:")[1]
    peak_kb = int(status.split()[0])
    print(f"SECONDS {time.perf_counter() - start:.3f} PEAK_MB {peak_kb / 1024:.0f}")
    """
)


def test_zip_bomb_refused_fast_and_small(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    _package(path, skip=("xl/worksheets/sheet1.xml",))
    # A 520 MB sheet made of one repeated row (compresses ~1000:1 to ~0.5 MB).
    row = b'<row><c t="s"><v>0</v></c></row>'
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as out:
            out.write(_sheet_xml("").encode()[:-30])
            block = row * 32768
            for _ in range(520 * 2**20 // len(block)):
                out.write(block)
    assert path.stat().st_size < 2 * 2**20
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    result = subprocess.run(
        [sys.executable, "-c", ZIP_BOMB_SCRIPT, str(path)],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "REFUSED" in result.stdout and "zip bomb" in result.stdout
    seconds = float(result.stdout.split("SECONDS ")[1].split()[0])
    peak = float(result.stdout.split("PEAK_MB ")[1].split()[0])
    assert seconds < 1.0 and peak < 100


def test_ratio_check_per_part(tmp_path: Path) -> None:
    rows = '<row r="1"><c r="A1"><v>1</v></c></row>' + "<row/>" * 600_000
    path = _package(tmp_path / "r.xlsx", _sheet_xml(rows))
    assert "zip bomb" in _text(_error(path))


LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)


def _secret_file(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    return secret


@pytest.mark.parametrize("where", ["sheet", "shared"])
def test_billion_laughs_refused(tmp_path: Path, where: str) -> None:
    sheet = _sheet_xml(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row>', LAUGHS
    )
    shared = f'<?xml version="1.0"?>{LAUGHS}<sst {NS}><si><t>&lol3;</t></si></sst>'
    path = _package(
        tmp_path / "l.xlsx",
        sheet if where == "sheet" else None,
        shared=shared if where == "shared" else None,
    )
    start = time.perf_counter()
    text = _text(_error(path))
    assert "unsafe XML" in text and "lollol" not in text
    assert time.perf_counter() - start < 1


@pytest.mark.parametrize("where", ["sheet", "shared"])
def test_external_entity_refused_and_secret_not_shown(
    tmp_path: Path, where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = _secret_file(tmp_path)
    dtd = f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    sheet = _sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>', dtd)
    shared = f'<?xml version="1.0"?>{dtd}<sst {NS}><si><t>&xxe;</t></si></sst>'
    path = _package(
        tmp_path / "x.xlsx",
        sheet if where == "sheet" else None,
        shared=shared if where == "shared" else None,
    )
    text = _text(_error(path))
    captured = capsys.readouterr()
    assert "unsafe XML" in text
    assert SECRET not in text + captured.out + captured.err


def test_undeclared_entity_is_corrupt_not_a_crash(tmp_path: Path) -> None:
    sheet = _sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>&nope;</t></is></c></row>')
    assert "corrupt" in _text(_error(_package(tmp_path / "u.xlsx", sheet)))


def test_far_cell_and_dimension_refused(tmp_path: Path) -> None:
    sheet = _sheet_xml('<row r="1"><c r="A1"><v>1</v></c><c r="XFD1048577"><v>2</v></c></row>')
    text = _text(_error(_package(tmp_path / "far.xlsx", sheet)))
    assert "XFD1048577" in text and "beyond" in text
    sheet = _sheet_xml('<row r="1"><c r="XFE1"><v>2</v></c></row>')
    assert "beyond" in _text(_error(_package(tmp_path / "col.xlsx", sheet)))
    sheet = (
        f'<?xml version="1.0"?><worksheet {NS}>'
        '<dimension ref="A1:B2000000"/><sheetData/></worksheet>'
    )
    error = _error(_package(tmp_path / "dim.xlsx", sheet))
    assert "1,048,576 rows" in _text(error)
    sheet = _sheet_xml('<row r="1048577"><c><v>2</v></c></row>')
    assert "outside" in _text(_error(_package(tmp_path / "row.xlsx", sheet)))


def test_huge_cell_text_refused(tmp_path: Path) -> None:
    big = "x" * 1_200_000
    stored = zipfile.ZIP_STORED  # not the ratio rule: the string limit must catch this
    sheet = _sheet_xml(f'<row r="1"><c r="A1" t="inlineStr"><is><t>{big}</t></is></c></row>')
    assert "more than 1,000,000 characters" in _text(
        _error(_package(tmp_path / "t.xlsx", sheet, compression=stored))
    )
    shared = f'<?xml version="1.0"?><sst {NS}><si><t>{big}</t></si></sst>'
    assert "longer than" in _text(
        _error(_package(tmp_path / "s.xlsx", shared=shared, compression=stored))
    )


def test_bad_value_names_the_cell(tmp_path: Path) -> None:
    sheet = _sheet_xml('<row r="7"><c r="D7"><v>12abc</v></c></row>')
    error = _error(_package(tmp_path / "v.xlsx", sheet))
    location = error.diagnostics[0].location
    assert location is not None and (location.sheet, location.row, location.cell_column) == (
        "Actuals",
        7,
        "D",
    )


# ------------------------------------------------------------------------------------------
# Container sniffing


def test_sniff_and_refuse_disguised_files(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.save(tmp_path / "real.xlsx")
    renamed = tmp_path / "real.csv"
    renamed.write_bytes((tmp_path / "real.xlsx").read_bytes())
    csv_as_xlsx = tmp_path / "team.xlsx"
    csv_as_xlsx.write_text("employee_id,score\nE1,95\n")
    utf16 = tmp_path / "u16.csv"
    utf16.write_bytes("employee_id\tscore\r\n".encode("utf-16"))
    xls = tmp_path / "old.xls"
    xls.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "Workbook".encode("utf-16-le")
    )
    ods = tmp_path / "sheet.ods"
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<x/>")
    numbers = tmp_path / "sheet.numbers"
    with zipfile.ZipFile(numbers, "w") as archive:
        archive.writestr("Index/Document.iwa", b"\x00\x01")

    assert sniff_container(tmp_path / "real.xlsx") == "xlsx"
    assert describe_refusal("xlsx", tmp_path / "real.xlsx") is None
    assert sniff_container(utf16) == "text"
    assert describe_refusal("text", utf16) is None  # the CSV reader refuses UTF-16 itself
    expectations = {
        renamed: ("xlsx", "rename it to .xlsx"),
        csv_as_xlsx: ("text", "rename it to .csv"),
        xls: ("xls", "save as .xlsx or CSV UTF-8"),
        ods: ("ods", "save as .xlsx or CSV UTF-8"),
        numbers: ("numbers", "save as .xlsx or CSV UTF-8"),
    }
    for path, (kind, hint) in expectations.items():
        assert sniff_container(path) == kind, path
        error = describe_refusal(kind, path)
        assert error is not None and error.kind == "invalid"
        assert hint in (error.diagnostics[0].hint or ""), path
        # open_xlsx on a disguised file says what it is, too.
        if path.suffix == ".xlsx":
            assert "really a text file" in _text(_error(path))


def test_empty_and_binary(tmp_path: Path) -> None:
    empty = tmp_path / "e.xlsx"
    empty.write_bytes(b"")
    assert sniff_container(empty) == "empty"
    assert describe_refusal("empty", empty) is not None
    blob = tmp_path / "b.csv"
    blob.write_bytes(bytes(range(256)) * 10)
    assert sniff_container(blob) == "binary"
    assert "binary" in describe_refusal("binary", blob).diagnostics[0].message  # type: ignore[union-attr]
