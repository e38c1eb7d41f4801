"""`kpicard score` / `explain` end to end: numbers worked out by hand from SPEC 2, the JSON
document of SPEC 5, and the CLI being a thin layer over the pipeline."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

import kpicard
from kpicard.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
BUNDLED = ROOT / "catalog"
runner = CliRunner()

ROLE = """\
kpicard: 1
id: mini
name: Mini Role
kras:
  - id: a
    name: A
    weight: 60
    kpis:
      - {id: a1, name: Accuracy, unit: percent, direction: higher, threshold: 50, target: 90,
         stretch: 100}
      - {id: a2, name: Response Time, unit: hours, direction: lower, threshold: 24, target: 8,
         stretch: 4}
  - id: b
    name: B
    weight: 40
    kpis:
      - {id: b1, name: Allocation, unit: number, direction: range,
         threshold: {min: 60, max: 115}, target: {min: 80, max: 95}}
"""

# By hand (SPEC 2.1-2.2, cap 120):
# E1: a1 = 95 -> 100 + 20 * (95 - 90) / (100 - 90) = 110
#     a2 = 16 -> 100 * (24 - 16) / (24 - 8) = 50
#     b1 = 100 -> 100 * (115 - 100) / (115 - 95) = 75
#     KRA a = (110 + 50) / 2 = 80; KRA b = 75; overall = (60 * 80 + 40 * 75) / 100 = 78
#     coverage 1.0; rating: 78 >= 70 -> level 2 "Partially meets expectations"
# E2: a1 = N/A, a2 = 4 -> at stretch -> 120; b1 empty
#     exclude: KRA a = 120 (coverage 0.5), KRA b none; overall = 120; coverage = 0.6 * 0.5 = 0.3
#              -> rating null (below the 0.5 minimum)
#     zero:    KRA a = (0 + 120) / 2 = 60, KRA b = 0; overall = (60 * 60 + 40 * 0) / 100 = 36;
#              coverage 1.0 -> level 1 "Below expectations"
ACTUALS = """\
employee_id,name,team,Accuracy (%),Response Time,Allocation
E1,Ana Ruiz,North,95,16,100
E2,Bo Li,South,N/A,4,
"""


@pytest.fixture
def mini(tmp_path: Path) -> tuple[Path, Path]:
    catalog = tmp_path / "cat"
    catalog.mkdir()
    (catalog / "mini.yaml").write_text(ROLE)
    actuals = tmp_path / "team.csv"
    actuals.write_text(ACTUALS)
    return catalog, actuals


def score_json(*args: str) -> dict:
    result = runner.invoke(app, ["score", *args, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_hand_worked_scores(mini: tuple[Path, Path]) -> None:
    catalog, actuals = mini
    data = score_json(str(actuals), "--role", "mini", "--catalog", str(catalog))
    e1, e2 = data["scorecards"]
    assert e1["score"] == pytest.approx(78, rel=1e-12)
    assert e1["coverage"] == 1.0
    assert e1["rating"] == {"level": 2, "label": "Partially meets expectations"}
    scores = {k["id"]: k["score"] for kra in e1["kras"] for k in kra["kpis"]}
    assert scores == pytest.approx({"a1": 110, "a2": 50, "b1": 75}, rel=1e-12)
    assert [k["score"] for k in e1["kras"]] == pytest.approx([80, 75], rel=1e-12)
    assert e2["score"] == pytest.approx(120, rel=1e-12)
    assert e2["coverage"] == pytest.approx(0.3, rel=1e-12)
    assert e2["rating"] is None
    assert e2["kras"][1]["score"] is None
    statuses = [k["status"] for kra in e2["kras"] for k in kra["kpis"]]
    assert statuses == ["missing", "met", "missing"]


def test_missing_zero(mini: tuple[Path, Path]) -> None:
    catalog, actuals = mini
    data = score_json(str(actuals), "-r", "mini", "--catalog", str(catalog), "--missing", "zero")
    e2 = data["scorecards"][1]
    assert e2["score"] == pytest.approx(36, rel=1e-12)
    assert e2["coverage"] == 1.0
    assert e2["rating"] == {"level": 1, "label": "Below expectations"}
    assert data["options"] == {"missing": "zero", "min_coverage": 0.5, "cap": 120.0}


def test_missing_error_names_the_cells(mini: tuple[Path, Path], tmp_path: Path) -> None:
    catalog, actuals = mini
    out = tmp_path / "out.json"
    result = runner.invoke(
        app,
        ["score", str(actuals), "-r", "mini", "--catalog", str(catalog), "--missing", "error"]
        + ["-o", str(out)],
    )
    assert result.exit_code == 1
    assert "no value for KPI 'Accuracy' of employee 'E2'" in result.stderr
    assert "no value for KPI 'Allocation' of employee 'E2'" in result.stderr
    assert not out.exists()


def test_min_coverage_and_cap(mini: tuple[Path, Path]) -> None:
    catalog, actuals = mini
    # cap 150: a1 = 100 + 50 * 5 / 10 = 125; KRA a = (125 + 50) / 2 = 87.5;
    # overall = (60 * 87.5 + 40 * 75) / 100 = 82.5
    data = score_json(str(actuals), "-r", "mini", "--catalog", str(catalog), "--cap", "150")
    assert data["scorecards"][0]["score"] == pytest.approx(82.5, rel=1e-12)
    # E2 has coverage 0.3: a rating with --min-coverage 0.3 (>= is inclusive), 120 -> level 5
    data = score_json(
        str(actuals), "-r", "mini", "--catalog", str(catalog), "--min-coverage", "0.3"
    )
    assert data["scorecards"][1]["rating"] == {"level": 5, "label": "Outstanding"}


def test_cli_json_equals_pipeline(mini: tuple[Path, Path]) -> None:
    catalog, actuals = mini
    data = score_json(str(actuals), "-r", "mini", "--catalog", str(catalog))
    result = kpicard.score([str(actuals)], role="mini", catalog=catalog)
    assert data == json.loads(result.to_json())


def test_worked_example_of_seed_004() -> None:
    # Bundled billing-staff targets (KRA billing-inquiries, weight 25, four equal KPIs, cap 120):
    # response 6 h, lower 24/8/4:    100 + 20 * (8 - 6) / (8 - 4)    = 110
    # CSAT 95 %, higher 75/90/98:     100 + 20 * (95 - 90) / (98 - 90) = 112.5
    # resolution 90 %, higher 70/85/95: 100 + 20 * (90 - 85) / (95 - 85) = 110
    # accuracy 98 %, higher 90/97/99:  100 + 20 * (98 - 97) / (99 - 97) = 110
    # KRA = (110 + 112.5 + 110 + 110) / 4 = 110.625 = overall (the only KRA measured)
    # coverage = 25 / 100 = 0.25 -> no rating under the default minimum 0.5;
    # with --min-coverage 0.25: 105 <= 110.625 < 115 -> level 4
    example = str(EXAMPLES / "billing-worked-example.csv")
    base = [example, "--role", "billing-staff", "--catalog", str(BUNDLED)]
    card = score_json(*base)["scorecards"][0]
    assert card["score"] == 110.625
    assert card["coverage"] == 0.25
    assert card["rating"] is None
    kpis = {k["name"]: k["score"] for k in card["kras"][0]["kpis"] if k["actual"] is not None}
    assert kpis == {
        "Response Time to Billing Inquiries": 110,
        "Customer Satisfaction Ratings": 112.5,
        "Resolution Rate of Billing Issues": 110,
        "Accuracy of Information Provided": 110,
    }
    card = score_json(*base, "--min-coverage", "0.25")["scorecards"][0]
    assert card["rating"] == {"level": 4, "label": "Exceeds expectations"}


SPEC5_SCHEMA = {
    "type": "object",
    "required": ["kpicard", "catalog", "options", "scorecards", "warnings"],
    "properties": {
        "kpicard": {"const": 1},
        "catalog": {
            "type": "object",
            "required": ["path", "digest"],
            "properties": {"digest": {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"}},
        },
        "options": {
            "type": "object",
            "required": ["missing", "min_coverage", "cap"],
            "properties": {"missing": {"enum": ["exclude", "zero", "error"]}},
        },
        "warnings": {"type": "array", "items": {"type": "string"}},
        "scorecards": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "employee",
                    "name",
                    "role",
                    "team",
                    "manager",
                    "period",
                    "score",
                    "coverage",
                    "rating",
                    "kras",
                ],
                "properties": {
                    "employee": {"type": "string"},
                    "score": {"type": ["number", "null"]},
                    "coverage": {"type": "number", "minimum": 0, "maximum": 1},
                    "rating": {
                        "oneOf": [
                            {"type": "null"},
                            {
                                "type": "object",
                                "required": ["level", "label"],
                                "properties": {
                                    "level": {"type": "integer"},
                                    "label": {"type": "string"},
                                },
                            },
                        ]
                    },
                    "kras": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["id", "name", "weight", "score", "coverage", "kpis"],
                            "properties": {
                                "kpis": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": [
                                            "id",
                                            "name",
                                            "unit",
                                            "direction",
                                            "weight",
                                            "actual",
                                            "threshold",
                                            "target",
                                            "stretch",
                                            "score",
                                            "status",
                                            "source",
                                        ],
                                        "properties": {
                                            "status": {
                                                "enum": ["met", "below", "missed", "missing"]
                                            },
                                            "source": {
                                                "oneOf": [
                                                    {"type": "null"},
                                                    {
                                                        "type": "object",
                                                        "required": ["file", "sheet", "cell"],
                                                    },
                                                ]
                                            },
                                        },
                                    },
                                }
                            },
                        },
                    },
                },
            },
        },
    },
}

EXAMPLE_RUNS = [
    ("billing-team.xlsx", "billing-staff"),
    ("account-administrators.csv", "account-administrator"),
    ("collection-team.csv", "collection-representative"),
    ("account-coordinators-long.csv", "account-coordinator"),
    ("billing-worked-example.csv", "billing-staff"),
]


@pytest.mark.parametrize(("name", "role"), EXAMPLE_RUNS)
def test_every_example_gives_spec5_json(name: str, role: str) -> None:
    path = str(EXAMPLES / name)
    data = score_json(path, "--role", role, "--catalog", str(BUNDLED))
    jsonschema.Draft7Validator(SPEC5_SCHEMA).validate(data)
    assert data["scorecards"], "an example must produce scorecards"
    assert data == json.loads(kpicard.score(path, role=role, catalog=BUNDLED).to_json())
    for card in data["scorecards"]:
        assert 0 <= card["coverage"] <= 1
        for kra in card["kras"]:
            assert sum(k["weight"] for k in kra["kpis"]) == pytest.approx(100)


def test_xlsx_percent_cells_are_points_and_sources_are_cells() -> None:
    data = score_json(
        str(EXAMPLES / "billing-team.xlsx"), "--role", "billing-staff", "--catalog", str(BUNDLED)
    )
    kpis = [
        k for kra in data["scorecards"][0]["kras"] for k in kra["kpis"] if k["unit"] == "percent"
    ]
    measured = [k for k in kpis if k["actual"] is not None]
    assert measured and all(1 < k["actual"] <= 100 for k in measured)
    source = measured[0]["source"]
    assert source["file"].endswith("billing-team.xlsx")
    assert source["sheet"] == "Actuals"
    assert (
        source["cell"][0].isalpha() and int(source["cell"].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) > 3
    )


def test_long_format_reads_like_wide(tmp_path: Path, mini: tuple[Path, Path]) -> None:
    catalog, _ = mini
    long = tmp_path / "long.csv"
    long.write_text(
        "employee_id,name,kpi,value\nE1,Ana Ruiz,a1,95\nE1,Ana Ruiz,Response Time,16\n"
        "E1,Ana Ruiz,allocation,100\n"
    )
    data = score_json(str(long), "-r", "mini", "--catalog", str(catalog))
    assert data["scorecards"][0]["score"] == pytest.approx(78, rel=1e-12)
    assert data["scorecards"][0]["kras"][1]["kpis"][0]["source"]["cell"] == "D4"


def test_csv_output_columns(mini: tuple[Path, Path]) -> None:
    catalog, actuals = mini
    result = runner.invoke(
        app, ["score", str(actuals), "-r", "mini", "--catalog", str(catalog), "--format", "csv"]
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "employee,name,role,team,manager,period,score,coverage,rating_level,rating_label,a,b"
    )
    assert lines[2] == "E2,Bo Li,mini,South,,,120.0,0.3,,,120.0,"


def test_table_output_is_plain_when_piped(mini: tuple[Path, Path]) -> None:
    catalog, actuals = mini
    result = runner.invoke(app, ["score", str(actuals), "-r", "mini", "--catalog", str(catalog)])
    assert result.exit_code == 0
    assert "\x1b[" not in result.stdout
    assert "insufficient data" in result.stdout
    assert "78.0" in result.stdout


def test_explain_shows_the_arithmetic(mini: tuple[Path, Path]) -> None:
    catalog, actuals = mini
    result = runner.invoke(
        app, ["explain", str(actuals), "-r", "mini", "-e", "E1", "--catalog", str(catalog)]
    )
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "100 + (120 - 100) x (95 - 90) / (100 - 90) = 110" in out
    assert "100 x (24 - 16) / (24 - 8) = 50" in out
    assert "100 x (115 - 100) / (115 - 95) = 75" in out
    assert "Overall = (60 x 80 + 40 x 75) / 100 = 78.0" in out
    assert "Rating: 2 Partially meets expectations" in out
    missing = runner.invoke(
        app, ["explain", str(actuals), "-r", "mini", "-e", "E9", "--catalog", str(catalog)]
    )
    assert missing.exit_code == 2
    assert f"no employee 'E9' in {actuals}" in missing.stderr
    assert "hint: found: E1, E2" in missing.stderr
    other_period = runner.invoke(
        app,
        ["explain", str(actuals), "-r", "mini", "-e", "E1", "--catalog", str(catalog)]
        + ["--period", "2026-Q4"],
    )
    assert other_period.exit_code == 2
    assert f"no employee 'E1' in {actuals} for period '2026-Q4'" in other_period.stderr
    assert "found:" not in other_period.stderr


def test_unknown_role_and_bad_options(mini: tuple[Path, Path]) -> None:
    catalog, actuals = mini
    result = runner.invoke(app, ["score", str(actuals), "-r", "minni", "--catalog", str(catalog)])
    assert result.exit_code == 2
    assert "unknown role 'minni'" in result.stderr and "did you mean 'mini'?" in result.stderr
    # With the catalog given, so that only the option can be what is wrong.
    options = ["score", str(actuals), "-r", "mini", "--catalog", str(catalog)]
    result = runner.invoke(app, [*options, "--cap", "90"])
    assert result.exit_code == 2 and "--cap" in result.stderr
    result = runner.invoke(app, [*options, "--missing", "drop"])
    assert result.exit_code == 2 and "drop" in result.stderr


def _xlsx_with_cached_formulas(path: Path) -> None:
    """A workbook as a spreadsheet program saves it: formulas with cached values, a percent
    number format, and a #DIV/0! error cell (written as XML, the way Excel stores it)."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<sheetData>"
        '<row r="1"><c r="A1" t="inlineStr"><is><t>employee_id</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>Accuracy</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>Response Time</t></is></c>'
        '<c r="D1" t="inlineStr"><is><t>Allocation</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>E1</t></is></c>'
        '<c r="B2" s="1"><f>19/20</f><v>0.95</v></c>'
        '<c r="C2"><f>8*2</f><v>16</v></c>'
        '<c r="D2"><v>100</v></c></row>'
        '<row r="3"><c r="A3" t="inlineStr"><is><t>E2</t></is></c>'
        '<c r="B3" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
        '<c r="C3"><v>4</v></c></row>'
        "</sheetData></worksheet>"
    )
    styles = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="1"><font/></fonts><fills count="1"><fill/></fills>'
        '<borders count="1"><border/></borders>'
        '<cellStyleXfs count="1"><xf/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="9" applyNumberFormat="1"/></cellXfs>'
        "</styleSheet>"
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Team" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/styles" Target="styles.xml"/></Relationships>'
    )
    root_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml"/></Types>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", root_rels)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", rels)
        z.writestr("xl/styles.xml", styles)
        z.writestr("xl/worksheets/sheet1.xml", sheet)


def test_spreadsheet_saved_file(tmp_path: Path, mini: tuple[Path, Path]) -> None:
    catalog, _ = mini
    book = tmp_path / "saved.xlsx"
    _xlsx_with_cached_formulas(book)
    out = tmp_path / "out.json"
    result = runner.invoke(
        app, ["score", str(book), "-r", "mini", "--catalog", str(catalog), "-o", str(out)]
    )
    assert result.exit_code == 1
    assert f"{book}!Team!B3: error: Excel error value #DIV/0!" in result.stderr
    assert not out.exists()
    result = runner.invoke(
        app,
        ["score", str(book), "-r", "mini", "--catalog", str(catalog), "--skip-invalid"]
        + ["--format", "json"],
    )
    assert result.exit_code == 0, result.stderr
    e1 = json.loads(result.stdout)["scorecards"][0]
    # cached 0.95 in a 0% cell = 95 points; 16 h; allocation 100: the hand-worked 78 again
    assert e1["score"] == pytest.approx(78, rel=1e-12)
    assert "Team!B3" in result.stderr and "treated as missing" in result.stderr


@pytest.mark.skipif(shutil.which("soffice") is None, reason="soffice not installed")
def test_file_saved_by_libreoffice(tmp_path: Path, mini: tuple[Path, Path]) -> None:
    """LibreOffice recalculates and stores cached values: a real spreadsheet program's file."""
    openpyxl = pytest.importorskip("openpyxl")
    catalog, _ = mini
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Team"
    ws.append(["employee_id", "Accuracy", "Response Time", "Allocation"])
    ws.append(["E1", "=19/20", "=8*2", 100])
    ws["B2"].number_format = "0%"
    ws.append(["E2", "=1/0", 4, None])
    source = tmp_path / "made.xlsx"
    book.save(source)
    outdir = tmp_path / "lo"
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--calc",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(outdir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    saved = outdir / "made.xlsx"
    result = runner.invoke(
        app,
        [
            "score",
            str(saved),
            "-r",
            "mini",
            "--catalog",
            str(catalog),
            "--skip-invalid",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["scorecards"][0]["score"] == pytest.approx(78, rel=1e-12)
    assert "Team!B3" in result.stderr and "#DIV/0!" in result.stderr


def test_role_column_scores_each_row_against_its_own_role(tmp_path: Path) -> None:
    """The same KPI id in two roles with different units: each row uses its own role's KPI."""
    catalog = tmp_path / "cat"
    catalog.mkdir()
    (catalog / "mini.yaml").write_text(ROLE)
    (catalog / "other.yaml").write_text(
        "kpicard: 1\nid: other\nname: Other\nkras:\n  - id: x\n    name: X\n    weight: 100\n"
        "    kpis:\n      - {id: a1, name: Rating, unit: score, scale: [1, 5], direction: higher,"
        " threshold: 2, target: 4}\n"
    )
    actuals = tmp_path / "mixed.csv"
    # mini's a1 is a percent: 95 -> 110 (as in the hand-worked test); other's a1 is a 1-5
    # score: 3 -> 100 * (3 - 2) / (4 - 2) = 50
    actuals.write_text("employee_id,role,a1\nE1,mini,95\nE2,other,3\nE3,,95\n")
    for extra in ([], ["--role", "mini"]):
        result = runner.invoke(
            app, ["score", str(actuals), "--catalog", str(catalog), "--format", "json", *extra]
        )
        if not extra:
            # E3 has no role and no --role: an input error naming the row
            assert result.exit_code == 1
            assert "mixed.csv:B4" in result.stderr
            continue
        assert result.exit_code == 0, result.stderr
        cards = {c["employee"]: c for c in json.loads(result.stdout)["scorecards"]}
        assert cards["E1"]["kras"][0]["kpis"][0]["score"] == pytest.approx(110, rel=1e-12)
        assert cards["E2"]["score"] == pytest.approx(50, rel=1e-12)
        assert cards["E3"]["role"] == "mini"


def test_text_cells_with_error_values_or_uncached_formulas(
    tmp_path: Path, mini: tuple[Path, Path]
) -> None:
    """An id or name that is an Excel error or a formula without a cached value is an error at
    its cell, never the text "UNCACHED" or "#NAME?"; a date in the period column reads as ISO."""
    import datetime

    openpyxl = pytest.importorskip("openpyxl")
    catalog, _ = mini
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Team"
    ws.append(["employee_id", "name", "period", "Accuracy"])
    ws.append(["E1", "=UPPER(A2)", "2026-Q3", 95])  # openpyxl stores no cached value
    ws.append(["E2", "Bo", datetime.datetime(2026, 9, 1), 95])
    path = tmp_path / "names.xlsx"
    book.save(path)
    result = runner.invoke(app, ["score", str(path), "-r", "mini", "--catalog", str(catalog)])
    assert result.exit_code == 1
    assert f"{path}!Team!B2: error: a formula without a cached value where text is expected" in (
        result.stderr
    )
    ws["B2"] = "Ana"
    book.save(path)
    data = score_json(str(path), "-r", "mini", "--catalog", str(catalog))
    assert [c["period"] for c in data["scorecards"]] == ["2026-Q3", "2026-09-01"]


def test_wrong_role_is_named() -> None:
    """A file of another role: one error that names the role its columns belong to."""
    result = runner.invoke(
        app,
        ["score", str(EXAMPLES / "collection-team.csv"), "--role", "account-coordinator"]
        + ["--catalog", str(BUNDLED)],
    )
    assert result.exit_code == 1
    assert "no column matches a KPI of role 'account-coordinator'" in result.stderr
    assert "did you mean --role collection-representative?" in result.stderr
    assert result.stderr.count("warning") == 0


def test_many_unknown_columns_fold_into_one_warning() -> None:
    result = runner.invoke(
        app,
        ["score", str(EXAMPLES / "account-administrators.csv"), "--role", "billing-staff"]
        + ["--catalog", str(BUNDLED), "--format", "csv"],
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("match no KPI") == 1
    assert "39 columns match no KPI and are ignored: F 'Data entry accuracy rate'" in result.stderr
    assert "did you mean --role account-administrator?" in result.stderr


@pytest.mark.parametrize(
    ("value", "digits", "shown"),
    [(101.25, 1, "101.3"), (101.24999, 1, "101.2"), (2.675, 2, "2.68"), (12.5, 0, "13")]
    + [(0.35, 1, "0.4"), (99.95, 1, "100.0"), (100.0, 1, "100.0"), (-0.25, 1, "-0.3")],
)
def test_display_rounds_halves_away_from_zero_like_spreadsheets(
    value: float, digits: int, shown: str
) -> None:
    """The table must show what the workbook's 0.0 format shows (Python alone rounds 101.25
    to 101.2; Excel and LibreOffice show 101.3)."""
    from kpicard.render.numbers import fixed

    assert fixed(value, digits) == shown


def test_table_and_workbook_show_the_same_rounded_score(tmp_path: Path) -> None:
    # CSAT 90.5 (threshold 75, target 90, stretch 98): 100 + 20 x 0.5 / 8 = 101.25 exactly;
    # its KRA has four KPIs, one measured: coverage 0.25 x 1/4 = 6.25% -> shown as 6%.
    actuals = tmp_path / "rnd.csv"
    actuals.write_text("employee_id,Customer Satisfaction Ratings\nE1,90.5\n")
    options = [str(actuals), "--role", "billing-staff", "--min-coverage", "0"]
    result = runner.invoke(app, ["score", *options, "--format", "markdown"])
    assert result.exit_code == 0, result.stderr
    assert "| 101.3 |" in result.stdout and "101.2" not in result.stdout
    assert "| 6% |" in result.stdout
