"""The exported workbook (SPEC 6): every produced file is read back with openpyxl.

Values must equal the JSON document of the same run; layout (frozen header, filters, tables,
number formats, conditional formats, charts) is checked cell range by cell range.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from kpicard.cli.main import app
from kpicard.models import ScoreRun, ScoringOptions
from kpicard.render import xlsx as xlsx_render

runner = CliRunner()

ALPHA = """\
kpicard: 1
id: alpha
name: Alpha Analyst
kras:
  - id: quality
    name: Quality of Work
    weight: 60
    kpis:
      - {id: accuracy, name: Accuracy Rate, unit: percent, direction: higher,
         threshold: 80, target: 95, stretch: 99, description: Share of correct items.}
      - {id: turnaround, name: Turnaround Time, unit: hours, direction: lower,
         threshold: 48, target: 24}
  - id: volume
    name: Volume
    weight: 40
    kpis:
      - {id: checks, name: Daily Checks, unit: count, direction: range,
         threshold: {min: 2, max: 15}, target: {min: 5, max: 10}, weight: 70}
      - {id: csat, name: Survey Score, unit: score, scale: [1, 5], direction: higher,
         threshold: 2, target: 4, weight: 30}
"""

BETA = """\
kpicard: 1
id: beta-role-with-a-rather-long-identifier
name: "Beta: Collections/Recovery [Senior] Representative"
rating_scale:
  - {level: 2, label: Good, min_score: 90}
  - {level: 1, label: Not yet, min_score: 0}
kras:
  - id: recovery
    name: Recovery
    weight: 100
    kpis:
      - {id: recovered, name: Amount Recovered, unit: currency, currency: EUR,
         direction: higher, threshold: 1000, target: 5000}
"""

ALPHA_CSV = """\
employee_id,name,team,period,Accuracy Rate (%),Turnaround Time,Daily Checks,Survey Score
E1,Ana Ruiz,North,2026-Q3,97,20,7,4.5
E2,=1+1,South,2026-Q3,85,30,12,3
E3,+cmd|' /C calc'!A0,North,2026-Q3,,,,
E4,-2+3,South,2026-Q3,,,3,
E5,@SUM(A1),North,2026-Q3,99.5,50,20,1
"""


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    folder = tmp_path / "catalog"
    folder.mkdir()
    (folder / "alpha.yaml").write_text(ALPHA, encoding="utf-8")
    (folder / "beta-role-with-a-rather-long-identifier.yaml").write_text(BETA, encoding="utf-8")
    return folder


@pytest.fixture
def actuals(tmp_path: Path) -> Path:
    path = tmp_path / "team.csv"
    path.write_text(ALPHA_CSV, encoding="utf-8")
    return path


def score(*args: str) -> Any:
    result = runner.invoke(app, ["score", *args])
    return result


def export(tmp_path: Path, catalog: Path, inputs: list[Path], *extra: str) -> tuple[Path, dict]:
    """Score to .xlsx and to JSON with the same options; return the workbook and the document."""
    out = tmp_path / "report.xlsx"
    names = [str(p) for p in inputs]
    common = ["--catalog", str(catalog), *extra]
    result = score(*names, *common, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "wrote" in result.stderr
    result = score(*names, *common, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return out, json.loads(result.stdout)


@pytest.fixture
def report(tmp_path: Path, catalog: Path, actuals: Path) -> tuple[Path, dict]:
    return export(tmp_path, catalog, [actuals], "--role", "alpha")


def rows(sheet: Any) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def rating_text(card: dict) -> str:
    return card["rating"]["label"] if card["rating"] else "insufficient data"


# --------------------------------------------------------------------------------------------
# Summary


def test_sheets_in_spec_order(report: tuple[Path, dict]) -> None:
    book = openpyxl.load_workbook(report[0])
    assert book.sheetnames == ["Summary", "Detail", "Charts", "Catalog"]


def test_summary_values_equal_the_json_document(report: tuple[Path, dict]) -> None:
    path, doc = report
    sheet = openpyxl.load_workbook(path)["Summary"]
    header, *data = rows(sheet)
    assert header == (
        "Employee",
        "Name",
        "Team",
        "Manager",
        "Period",
        "Score",
        "Rating",
        "Level",
        "Coverage",
        "Quality of Work",
        "Volume",
    )
    assert len(data) == len(doc["scorecards"]) == 5
    for row, card in zip(data, doc["scorecards"], strict=True):
        assert row[0] == card["employee"]
        assert row[1] == card["name"]
        assert row[2] == card["team"]
        assert row[3] == card["manager"]
        assert row[4] == card["period"]
        assert row[5] == card["score"]  # unrounded: exactly the JSON float
        assert row[6] == rating_text(card)
        assert row[7] == (card["rating"]["level"] if card["rating"] else None)
        assert row[8] == card["coverage"]
        assert list(row[9:]) == [k["score"] for k in card["kras"]]
    assert data[2][5] is None  # E3 measured nothing: no score, an empty cell


def test_summary_layout(report: tuple[Path, dict]) -> None:
    sheet = openpyxl.load_workbook(report[0])["Summary"]
    assert sheet.freeze_panes == "B2"
    table = sheet.tables["Scorecards"]
    assert table.ref == "A1:K6"
    assert table.autoFilter is not None and table.autoFilter.ref == "A1:K6"
    assert sheet.auto_filter.ref is None  # a sheet filter over a table would need a repair
    assert sheet["F2"].number_format == "0.0"
    assert sheet["J2"].number_format == "0.0"
    assert sheet["I2"].number_format == "0%"
    assert sheet["H2"].number_format == "0"
    rules = {str(cf.sqref): [r.type for r in cf.rules] for cf in sheet.conditional_formatting}
    assert rules["F2:F6 J2:J6 K2:K6"] == ["colorScale"]
    assert rules["G2:G6"] == ["cellIs"]
    scale = next(cf for cf in sheet.conditional_formatting if str(cf.sqref).startswith("F2"))
    values = [v.val for v in scale.rules[0].colorScale.cfvo]
    assert [float(v) for v in values] == [0, 100, 120]
    for letter, header in zip("ABCDEFGHIJK", rows(sheet)[0], strict=True):
        assert sheet.column_dimensions[letter].width >= len(header)  # fitted, filter button too
    assert sheet.column_dimensions["B"].width >= len("+cmd|' /C calc'!A0")


def test_formula_like_text_is_never_a_formula(report: tuple[Path, dict]) -> None:
    path, doc = report
    sheet = openpyxl.load_workbook(path)["Summary"]
    names = [row[1] for row in rows(sheet)[1:]]
    assert names == [c["name"] for c in doc["scorecards"]]
    assert {"=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"} <= set(names)
    with zipfile.ZipFile(path) as archive:
        parts = [n for n in archive.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]
        assert len(parts) == 4
        for name in parts:
            xml = archive.read(name).decode("utf-8")
            assert not re.search(r"<f[ >]", xml), name


def test_only_the_detail_sheets_stream(report: tuple[Path, dict]) -> None:
    """Detail is written in XlsxWriter's constant-memory mode (inline strings, row by row);
    the other sheets are not, so Summary can hold an Excel table. Guards the per-sheet switch,
    which relies on XlsxWriter reading the workbook's flag when a sheet is added."""
    with zipfile.ZipFile(report[0]) as archive:
        summary = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
        detail = archive.read("xl/worksheets/sheet2.xml").decode("utf-8")
    assert 't="inlineStr"' in detail and 't="s"' not in detail
    assert 't="s"' in summary and 't="inlineStr"' not in summary


def test_a_cell_never_exceeds_excels_text_limit() -> None:
    assert len(xlsx_render.cell_text("x" * 40_000)) == 32_767
    assert xlsx_render.cell_text("=A1") == "=A1"


# --------------------------------------------------------------------------------------------
# Detail


def test_detail_rows_equal_the_json_document(report: tuple[Path, dict]) -> None:
    path, doc = report
    sheet = openpyxl.load_workbook(path)["Detail"]
    header, *data = rows(sheet)
    assert header == (
        "Employee",
        "Name",
        "Period",
        "KRA",
        "KPI",
        "Unit",
        "Direction",
        "Actual",
        "Threshold",
        "Target",
        "Stretch",
        "Weight",
        "Score",
        "Status",
    )
    expected = []
    for card in doc["scorecards"]:
        for kra in card["kras"]:
            for kpi in kra["kpis"]:
                band = isinstance(kpi["target"], dict)
                expected.append(
                    (
                        card["employee"],
                        card["name"],
                        card["period"],
                        kra["name"],
                        kpi["name"],
                        kpi["actual"],
                        "2..15" if band else kpi["threshold"],
                        "5..10" if band else kpi["target"],
                        kpi["stretch"],
                        kpi["weight"],
                        kpi["score"],
                        kpi["status"],
                    )
                )
    got = [(*r[:5], *r[7:]) for r in data]
    assert got == expected
    units = {r[4]: r[5] for r in data}
    assert units == {
        "Accuracy Rate": "%",
        "Turnaround Time": "hours",
        "Daily Checks": "count",
        "Survey Score": "score 1..5",
    }


def test_detail_layout_and_status_fills(report: tuple[Path, dict]) -> None:
    sheet = openpyxl.load_workbook(report[0])["Detail"]
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == "A1:N21"
    rules = {str(cf.sqref): [r.type for r in cf.rules] for cf in sheet.conditional_formatting}
    assert rules == {"M2:M21": ["colorScale"]}
    assert sheet["M2"].number_format == "0.0"
    fills = {}
    for row in sheet.iter_rows(min_row=2, min_col=14, max_col=14):
        cell = row[0]
        fills.setdefault(cell.value, cell.fill.fgColor.rgb)
    assert set(fills) == {"met", "below", "missed", "missing"}
    assert fills["met"].endswith("C6EFCE")  # green
    assert fills["below"].endswith("FFEB9C")  # amber
    assert fills["missed"].endswith("FFC7CE")  # red
    assert fills["missing"].endswith("D9D9D9")  # grey


def test_detail_continues_on_further_sheets_past_the_row_limit(
    tmp_path: Path, catalog: Path, actuals: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx_render, "DETAIL_ROWS_PER_SHEET", 6)
    path, doc = export(tmp_path, catalog, [actuals], "--role", "alpha")
    book = openpyxl.load_workbook(path)
    details = [n for n in book.sheetnames if n.startswith("Detail")]
    assert details == ["Detail", "Detail (2)", "Detail (3)", "Detail (4)"]  # 20 rows: 6+6+6+2
    assert book.sheetnames[-2:] == ["Charts", "Catalog"]
    data = []
    for name in details:
        header, *part = rows(book[name])
        assert header[0] == "Employee" and header[-1] == "Status"
        assert book[name].freeze_panes == "B2"
        assert book[name].auto_filter.ref == f"A1:N{len(part) + 1}"
        data.extend(part)
    assert [len(rows(book[n])) - 1 for n in details] == [6, 6, 6, 2]
    assert [r[-2] for r in data] == [
        k["score"] for c in doc["scorecards"] for kra in c["kras"] for k in kra["kpis"]
    ]


# --------------------------------------------------------------------------------------------
# Charts, Catalog, properties


def test_charts_show_the_rating_distribution_and_kra_averages(
    report: tuple[Path, dict],
) -> None:
    path, doc = report
    sheet = openpyxl.load_workbook(path)["Charts"]
    assert len(sheet._charts) == 2
    kinds = sorted(chart.barDir for chart in sheet._charts)
    assert kinds == ["bar", "col"]
    table = rows(sheet)
    ratings = {r[0]: r[1] for r in table[1:7]}
    assert list(ratings) == [
        "Outstanding",
        "Exceeds expectations",
        "Meets expectations",
        "Partially meets expectations",
        "Below expectations",
        "insufficient data",
    ]
    expected: dict[str, int] = dict.fromkeys(ratings, 0)
    for card in doc["scorecards"]:
        expected[rating_text(card)] += 1
    assert ratings == expected
    assert table[8][:3] == ("KRA", "Average score", "Scorecards")
    for offset, kra_id in enumerate(["quality", "volume"]):
        scores = [
            k["score"]
            for c in doc["scorecards"]
            for k in c["kras"]
            if k["id"] == kra_id and k["score"] is not None
        ]
        _label, mean, count = table[9 + offset][:3]
        assert count == len(scores)
        assert mean == pytest.approx(sum(scores) / len(scores), rel=1e-12)


def test_catalog_sheet_traces_the_catalog_version(report: tuple[Path, dict]) -> None:
    path, doc = report
    book = openpyxl.load_workbook(path)
    table = rows(book["Catalog"])
    facts = {r[0]: r[1] for r in table[:6]}
    assert facts["Catalog"] == doc["catalog"]["path"]
    assert facts["Digest"] == doc["catalog"]["digest"]
    assert facts["Cap"] == 120
    kpi_rows = {r[3]: r for r in table if r[3] in ("accuracy", "turnaround", "checks", "csat")}
    assert kpi_rows["checks"][7:10] == ("2..15", "5..10", None)
    assert kpi_rows["accuracy"][7:10] == (80, 95, 99)
    assert kpi_rows["checks"][11] == 70
    assert kpi_rows["turnaround"][11] == 50  # effective weight: equal shares
    props = {p.name: p.value for p in book.custom_doc_props.props}
    assert props["kpicard-catalog-digest"] == doc["catalog"]["digest"]


# --------------------------------------------------------------------------------------------
# Mixed roles and sheet names


def test_mixed_roles_get_one_summary_sheet_per_role(
    tmp_path: Path, catalog: Path, actuals: Path
) -> None:
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(
        "employee_id,name,role,Accuracy Rate,Amount Recovered\n"
        "E1,Ana,alpha,97,\n"
        "E2,Bo,beta-role-with-a-rather-long-identifier,,4000\n"
        "E3,Cy,alpha,90,\n",
        encoding="utf-8",
    )
    path, doc = export(tmp_path, catalog, [mixed])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [
        "Summary",
        "Alpha Analyst",
        "Beta Collections Recovery Senio",
        "Detail",
        "Charts",
        "Catalog",
    ]
    header, *data = rows(book["Summary"])
    assert header[:3] == ("Employee", "Name", "Role")
    assert "Quality of Work" not in header
    assert [r[2] for r in data] == [c["role"] for c in doc["scorecards"]]
    alpha_header, *alpha = rows(book["Alpha Analyst"])
    assert alpha_header[-2:] == ("Quality of Work", "Volume")
    assert [r[0] for r in alpha] == ["E1", "E3"]
    beta_header, *beta = rows(book["Beta Collections Recovery Senio"])
    assert beta_header[-1] == "Recovery"
    assert beta[0][-1] == doc["scorecards"][1]["kras"][0]["score"]
    assert len({t for s in book for t in s.tables}) == 3  # every table name is unique
    assert rows(book["Detail"])[0][2] == "Role"
    ratings = [r[0] for r in rows(book["Charts"])[1:9]]
    assert ratings == [  # both scales, highest level first, then no rating
        "Outstanding",
        "Exceeds expectations",
        "Meets expectations",
        "Partially meets expectations",
        "Good",
        "Below expectations",
        "Not yet",
        "insufficient data",
    ]


def test_sheet_names_are_legal_and_unique() -> None:
    taken: set[str] = set()
    names = [xlsx_render.sheet_name(w, taken) for w in ["Summary", "summary", "a/b:c*d?[e]\\f"]]
    names.append(xlsx_render.sheet_name("x" * 40, taken))
    names.append(xlsx_render.sheet_name("x" * 40, taken))
    assert names[:3] == ["Summary", "summary (2)", "a b c d e f"]
    assert all(len(n) <= 31 for n in names)
    assert len({n.casefold() for n in names}) == len(names)
    assert xlsx_render.unique_headers(["Score", "score", "Score"]) == [
        "Score",
        "score (2)",
        "Score (3)",
    ]


def test_a_role_named_like_a_fixed_sheet_gets_another_name(tmp_path: Path) -> None:
    from kpicard.models import Role

    def role(role_id: str, name: str) -> Role:
        kpi = {"id": "k", "name": "K", "unit": "count", "direction": "higher"}
        kpi |= {"threshold": 0, "target": 10}
        kra = {"id": "a", "name": "A", "weight": 100, "kpis": [kpi]}
        return Role.model_validate({"kpicard": 1, "id": role_id, "name": name, "kras": [kra]})

    from kpicard.engine import score_scorecard

    options = ScoringOptions()
    cards = [
        score_scorecard(role("r1", "Catalog"), {"k": 5}, options, employee="E1"),
        score_scorecard(role("r2", "detail"), {"k": 5}, options, employee="E2"),
    ]
    path = tmp_path / "r.xlsx"
    with path.open("wb") as handle:
        xlsx_render.write_report(ScoreRun(cards, options, "c", "sha256:x"), handle)
    assert openpyxl.load_workbook(path).sheetnames == [
        "Summary",
        "Catalog (role)",  # not "Catalog (2)": "Detail (2)" is Detail's continuation sheet
        "detail (role)",
        "Detail",
        "Charts",
        "Catalog",
    ]


def test_an_empty_run_still_makes_a_valid_workbook(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    run = ScoreRun([], ScoringOptions(), "catalog", "sha256:" + "0" * 64)
    with path.open("wb") as handle:
        xlsx_render.write_report(run, handle)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", "Detail", "Charts", "Catalog"]
    assert book["Summary"].tables["Scorecards"].ref == "A1:I2"


# --------------------------------------------------------------------------------------------
# Safe writing (BAD_INPUTS 3-5)


class _DiskFull:
    """A file handle that fills up after `room` bytes, as a full disk does."""

    def __init__(self, handle: Any, room: int) -> None:
        self._handle = handle
        self._room = room

    def write(self, data: bytes) -> int:
        if len(data) > self._room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._room -= len(data)
        return self._handle.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)

    def __enter__(self) -> _DiskFull:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()


def test_a_write_failing_half_way_leaves_the_earlier_file_untouched(
    tmp_path: Path, catalog: Path, actuals: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    from kpicard import outputs

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    out = tmp_path / "out" / "report.xlsx"
    out.parent.mkdir()
    out.write_bytes(b"the earlier report")
    real_fdopen = os.fdopen
    monkeypatch.setattr(
        outputs.os, "fdopen", lambda fd, mode: _DiskFull(real_fdopen(fd, mode), 2000)
    )
    result = score(str(actuals), "--catalog", str(catalog), "--role", "alpha", "-o", str(out))
    assert result.exit_code == 2, result.stderr
    assert "No space left on device" in result.stderr
    assert "Traceback" not in result.stderr
    assert out.read_bytes() == b"the earlier report"
    assert sorted(p.name for p in out.parent.iterdir()) == ["report.xlsx"]
    assert list(scratch.iterdir()) == []  # XlsxWriter's scratch files are gone too


def test_output_equal_to_an_input_or_in_a_missing_folder_is_refused(
    tmp_path: Path, catalog: Path, report: tuple[Path, dict]
) -> None:
    path = report[0]
    before = path.read_bytes()
    link = tmp_path / "link.xlsx"
    link.symlink_to(path)
    result = score(str(path), "--catalog", str(catalog), "--role", "alpha", "-o", str(link))
    assert result.exit_code == 2
    assert path.read_bytes() == before
    missing = tmp_path / "nowhere" / "r.xlsx"
    result = score(str(path), "--catalog", str(catalog), "--role", "alpha", "-o", str(missing))
    assert result.exit_code == 2
    assert not missing.parent.exists()


# --------------------------------------------------------------------------------------------
# LibreOffice opens it and computes the same numbers


def test_libreoffice_reads_the_same_summary_numbers(
    tmp_path: Path, report: tuple[Path, dict]
) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("soffice not installed: apt-get install libreoffice-calc-nogui to run this")
    path, doc = report
    outdir = tmp_path / "lo"
    profile = (tmp_path / "lo-profile").as_uri()
    # Field separator ',', quote '"', UTF-8, and full precision rather than "as shown".
    filter_options = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false"
    completed = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            filter_options,
            "--outdir",
            str(outdir),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=90,
    )
    converted = outdir / "report.csv"
    assert converted.exists(), completed.stderr + completed.stdout
    table = list(csv.reader(converted.open(encoding="utf-8")))
    assert table[0][:9] == [
        "Employee",
        "Name",
        "Team",
        "Manager",
        "Period",
        "Score",
        "Rating",
        "Level",
        "Coverage",
    ]
    for row, card in zip(table[1:], doc["scorecards"], strict=True):
        assert row[0] == card["employee"]
        assert row[1] == card["name"]  # still text, never evaluated
        if card["score"] is None:
            assert row[5] == ""
        else:
            assert float(row[5]) == pytest.approx(card["score"], rel=1e-12)
        assert float(row[8].rstrip("%")) / (100 if row[8].endswith("%") else 1) == pytest.approx(
            card["coverage"], rel=1e-12
        )
        assert row[6] == rating_text(card)


@pytest.mark.parametrize(("role", "sheet"), [("Detail", "Detail (role)"), ("Sales", "Sales")])
def test_a_role_named_like_a_report_sheet_gets_a_clear_name(role: str, sheet: str) -> None:
    """ "Detail (2)" is the name of Detail's continuation sheet, never a role's."""
    assert xlsx_render._role_sheet(role) == sheet
    taken = {"summary", "detail"}
    assert xlsx_render.sheet_name(xlsx_render._role_sheet(role), taken) == sheet
