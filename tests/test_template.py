"""Data-entry templates (SPEC 7): layout, validation rules, properties, and the round trip."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import typer
from typer.testing import CliRunner

from kpicard.actuals.mapping import normalise_header
from kpicard.actuals.template_meta import read_template_meta
from kpicard.catalog.load import load_catalog
from kpicard.cli import main as cli_main
from kpicard.cli import score as score_cli
from kpicard.cli import template as template_cli
from kpicard.cli.app import new_app
from kpicard.render import template as template_render

runner = CliRunner()

ROLE = """\
kpicard: 1
id: desk
name: Service Desk Agent
kras:
  - id: service
    name: Service
    weight: 50
    kpis:
      - {id: first-fix, name: First Contact Resolution, unit: percent, direction: higher,
         threshold: 50, target: 70, stretch: 85,
         description: Share of tickets solved in the first contact.}
      - {id: handle-time, name: Average Handle Time, unit: minutes, direction: lower,
         threshold: 30, target: 12, aliases: [AHT]}
      - {id: csat, name: Survey Score, unit: score, scale: [1, 5], direction: higher,
         threshold: 3, target: 4.5}
  - id: money
    name: Money
    weight: 50
    kpis:
      - {id: upsell, name: Upsell Revenue, unit: currency, currency: EUR, direction: higher,
         threshold: 0, target: 2000}
      - {id: team, name: Team, unit: number, direction: range,
         threshold: {min: -10, max: 10}, target: {min: -2, max: 2}}
      - {id: error-ratio, name: Survey Score (again), unit: ratio, direction: lower,
         threshold: 0.2, target: 0.05,
         description: "{long}"}
"""


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    folder = tmp_path / "catalog"
    folder.mkdir()
    long = "Very long description. " * 40
    (folder / "desk.yaml").write_text(ROLE.replace("{long}", long), encoding="utf-8")
    return folder


def cli() -> typer.Typer:
    """The root app once `template` is registered there; until then, the same commands."""
    names = {c.name for c in cli_main.app.registered_commands}
    if "template" in names:
        return cli_main.app
    app = new_app()
    score_cli.register(app)
    template_cli.register(app)
    return app


def invoke(*args: str) -> Any:
    return runner.invoke(cli(), list(args))


def make_template(tmp_path: Path, catalog: Path, role: str = "desk") -> Path:
    out = tmp_path / "team.xlsx"
    result = invoke("template", role, "--catalog", str(catalog), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "wrote" in result.stderr
    return out


EXPECTED_HEADERS = [
    "employee_id",
    "name",
    "team",
    "manager",
    "period",
    "First Contact Resolution (%)",
    "Average Handle Time (minutes)",
    "Survey Score (score 1..5)",
    "Upsell Revenue (EUR)",
    "team (number)",  # the name "Team" would read as the team column: the id is used
    "error-ratio (ratio)",  # "Survey Score (again)" would match Survey Score: the id is used
]


# --------------------------------------------------------------------------------------------
# CSV


def test_csv_header_on_stdout_and_in_a_file(tmp_path: Path, catalog: Path) -> None:
    result = invoke("template", "desk", "--catalog", str(catalog))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ",".join(EXPECTED_HEADERS) + "\n"
    out = tmp_path / "team.csv"
    result = invoke("template", "desk", "--catalog", str(catalog), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes() == b"\xef\xbb\xbf" + result_bytes(EXPECTED_HEADERS)


def test_filled_csv_template_scores_with_no_options(tmp_path: Path, catalog: Path) -> None:
    """SPEC 7: the CSV template is a header row only, so the role comes from its columns."""
    (catalog / "other.yaml").write_text(
        "kpicard: 1\nid: other\nname: Other\nkras:\n  - id: k\n    name: K\n    weight: 100\n"
        "    kpis:\n      - {id: aht, name: Average Handle Time, unit: minutes,"
        " direction: lower, threshold: 30, target: 12}\n",
        encoding="utf-8",
    )
    out = tmp_path / "team.csv"
    assert invoke("template", "desk", "--catalog", str(catalog), "-o", str(out)).exit_code == 0
    # every KPI at target: 70, 12, 4.5, 2000, 0 (inside the band), 0.05 -> 100 each
    with out.open("a", encoding="utf-8") as handle:
        handle.write("E1,Ana,North,Mo,2026-11,70,12,4.5,2000,0,0.05\n")
    result = invoke("score", str(out), "--catalog", str(catalog), "--format", "json")
    assert result.exit_code == 0, result.stderr
    card = json.loads(result.stdout)["scorecards"][0]
    assert (card["role"], card["score"], card["coverage"]) == ("desk", 100.0, 1.0)
    assert "role 'desk' from the columns" in result.stderr


def result_bytes(headers: list[str]) -> bytes:
    return (",".join(headers) + "\n").encode("utf-8")


def test_every_header_names_its_kpi_for_the_reader(catalog: Path) -> None:
    role = load_catalog(catalog).roles["desk"]
    columns = template_render.template_columns(role)
    for column in columns[5:]:
        assert column.kpi is not None
        key = normalise_header(column.header)
        assert key in {normalise_header(column.kpi.name), normalise_header(column.kpi.id)}
    assert [c.header for c in columns] == EXPECTED_HEADERS


def test_bundled_role_headers_carry_their_units() -> None:
    result = invoke("template", "billing-staff")
    assert result.exit_code == 0, result.stderr
    assert "Invoice Accuracy Rate (%)" in result.stdout.split(",")


# --------------------------------------------------------------------------------------------
# The workbook


def test_actuals_sheet_layout(tmp_path: Path, catalog: Path) -> None:
    book = openpyxl.load_workbook(make_template(tmp_path, catalog))
    assert book.sheetnames == ["Actuals", "Instructions"]
    sheet = book["Actuals"]
    assert [c.value for c in sheet[1]] == EXPECTED_HEADERS
    assert all(c.data_type == "s" for c in sheet[1])
    assert sheet.freeze_panes == "B2"
    assert sheet.column_dimensions["A"].width >= len("employee_id")
    assert 12 <= sheet.column_dimensions["F"].width <= 26
    ids, meta = sheet.column_dimensions["A"], sheet.column_dimensions["B"]
    assert ids.number_format == "@"  # 00123 and 2026-05 stay text
    assert (meta.number_format, meta.min, meta.max) == ("@", 2, 5)
    assert sheet.column_dimensions["F"].number_format == "General"
    assert sheet.max_row == 1


def test_a_validation_rule_per_kpi_column(tmp_path: Path, catalog: Path) -> None:
    sheet = openpyxl.load_workbook(make_template(tmp_path, catalog))["Actuals"]
    rules = {str(dv.sqref).split(":")[0]: dv for dv in sheet.data_validations.dataValidation}
    assert sorted(rules) == ["F2", "G2", "H2", "I2", "J2", "K2"]
    assert all(str(dv.sqref).endswith("1048576") for dv in rules.values())
    percent = rules["F2"]
    assert (percent.type, percent.operator or "between") == ("decimal", "between")
    assert (float(percent.formula1), float(percent.formula2)) == (0, 100)
    minutes = rules["G2"]
    assert (minutes.type, minutes.operator, float(minutes.formula1)) == (
        "decimal",
        "greaterThanOrEqual",
        0,
    )
    scale = rules["H2"]
    assert (float(scale.formula1), float(scale.formula2)) == (1, 5)
    money = rules["I2"]
    assert (money.type, money.formula1) == ("custom", "ISNUMBER(I2)")
    ratio = rules["K2"]
    assert (float(ratio.formula1), float(ratio.formula2)) == (0, 1)
    for dv in rules.values():
        assert dv.allow_blank
        assert dv.showInputMessage and dv.showErrorMessage
        assert dv.errorStyle in (None, "stop")
        assert dv.prompt.startswith("Target ")
        assert len(dv.prompt) <= 255 and len(dv.promptTitle) <= 32
        assert len(dv.error) <= 255 and "leave the cell empty" in dv.error
    assert percent.promptTitle == "First Contact Resolution"
    assert percent.prompt == (
        "Target 70 %: higher is better; scores 0 at or below 50, stretch 85. Type 95 or 95%.\n"
        "Share of tickets solved in the first contact."
    )
    assert "lower is better" in minutes.prompt
    assert rules["J2"].prompt.startswith("Target -2..2 number: best within -2..2")
    assert rules["K2"].prompt.endswith("…")  # a long description is cut at Excel's limit


def test_instructions_explain_columns_and_the_command(tmp_path: Path, catalog: Path) -> None:
    sheet = openpyxl.load_workbook(make_template(tmp_path, catalog))["Instructions"]
    text = "\n".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)
    assert f"kpicard score this-file.xlsx --catalog {catalog}" in text
    assert "Leave a cell empty" in text
    assert "Share of tickets solved in the first contact." in text
    assert "higher is better" in text and "EUR" in text


def test_properties_carry_role_and_catalog_digest(tmp_path: Path, catalog: Path) -> None:
    path = make_template(tmp_path, catalog)
    digest = load_catalog(catalog).digest
    book = openpyxl.load_workbook(path)
    props = {p.name: p.value for p in book.custom_doc_props.props}
    assert props["kpicard-role"] == "desk"
    assert props["kpicard-catalog-digest"] == digest
    assert f"kpicard-role:desk kpicard-catalog:{digest}" == book.properties.keywords
    role_digest = "sha256:" + hashlib.sha256((catalog / "desk.yaml").read_bytes()).hexdigest()
    assert props["kpicard-role-digest"] == role_digest
    assert read_template_meta(path) == {
        "role": "desk",
        "catalog_digest": digest,
        "role_digest": role_digest,
    }


# --------------------------------------------------------------------------------------------
# read_template_meta on untrusted files


def rezip(source: Path, target: Path, replace: dict[str, bytes | None]) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename in replace:
                data = replace[info.filename]
                if data is not None:
                    new.writestr(info.filename, data)
            else:
                new.writestr(info, old.read(info))
    return target


def test_meta_falls_back_to_the_core_keywords(tmp_path: Path, catalog: Path) -> None:
    path = make_template(tmp_path, catalog)
    plain = rezip(path, tmp_path / "plain.xlsx", {"docProps/custom.xml": None})
    assert read_template_meta(plain) == {
        "role": "desk",
        "catalog_digest": load_catalog(catalog).digest,
        "role_digest": None,
    }


def test_meta_is_none_for_anything_else(tmp_path: Path, catalog: Path) -> None:
    path = make_template(tmp_path, catalog)
    csv_file = tmp_path / "a.csv"
    csv_file.write_text("employee_id\nE1\n", encoding="utf-8")
    assert read_template_meta(csv_file) is None
    assert read_template_meta(tmp_path / "missing.xlsx") is None
    assert read_template_meta(tmp_path) is None
    truncated = tmp_path / "cut.xlsx"
    truncated.write_bytes(path.read_bytes()[:300])
    assert read_template_meta(truncated) is None
    bare = rezip(
        path, tmp_path / "bare.xlsx", {"docProps/custom.xml": None, "docProps/core.xml": None}
    )
    assert read_template_meta(bare) is None
    book = openpyxl.Workbook()
    book.save(tmp_path / "other.xlsx")
    assert read_template_meta(tmp_path / "other.xlsx") is None


def test_meta_refuses_entities_and_huge_parts(tmp_path: Path, catalog: Path) -> None:
    path = make_template(tmp_path, catalog)
    secret = tmp_path / "secret.txt"
    secret.write_text("desk", encoding="utf-8")
    evil = (
        '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "'
        + secret.as_uri()
        + '">]><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        'docPropsVTypes"><property name="kpicard-role" pid="2" fmtid="x">'
        "<vt:lpwstr>&x;</vt:lpwstr></property></Properties>"
    ).encode()
    hostile = rezip(
        path,
        tmp_path / "hostile.xlsx",
        {"docProps/custom.xml": evil, "docProps/core.xml": None},
    )
    assert read_template_meta(hostile) is None
    huge = rezip(
        path,
        tmp_path / "huge.xlsx",
        {"docProps/custom.xml": b"<a>" + b" " * 2_000_000 + b"</a>", "docProps/core.xml": None},
    )
    assert read_template_meta(huge) is None
    bad_role = rezip(
        path,
        tmp_path / "bad.xlsx",
        {
            "docProps/custom.xml": zipfile.ZipFile(path)
            .read("docProps/custom.xml")
            .replace(b">desk<", b">../etc<"),
            "docProps/core.xml": None,
        },
    )
    assert read_template_meta(bad_role) is None


# --------------------------------------------------------------------------------------------
# Usage errors and safe writing


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["-f", "xlsx"], "needs a file name"),
        (["-o", "-", "-f", "xlsx"], "needs a file name"),
        (["-o", "{tmp}/nowhere/t.xlsx"], "does not exist"),
        (["-o", "{tmp}/folder.xlsx"], "is a folder"),
        (["-o", "{tmp}/t.xlsm"], "without macros; name it .xlsx"),
        (["-o", "{tmp}/t.ods"], "cannot tell the format"),
    ],
)
def test_usage_errors_exit_2_and_create_nothing(
    tmp_path: Path, catalog: Path, args: list[str], needle: str
) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    (tmp_path / "folder.xlsx").mkdir()
    before = sorted(tmp_path.iterdir())
    result = invoke("template", "desk", "--catalog", str(catalog), *args)
    assert result.exit_code == 2, result.stderr
    assert needle in result.stderr
    assert sorted(tmp_path.iterdir()) == before


def test_unknown_role_is_a_usage_error(catalog: Path) -> None:
    result = invoke("template", "dessk", "--catalog", str(catalog))
    assert result.exit_code == 2
    assert "did you mean 'desk'?" in result.stderr


def test_a_full_disk_leaves_the_earlier_template(
    tmp_path: Path, catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kpicard import outputs

    out = tmp_path / "team.xlsx"
    out.write_bytes(b"earlier")

    def full(handle: Any) -> None:
        handle.write(b"PK\x03\x04 partial")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(template_render, "write_template", lambda role, handle, **kw: full(handle))
    assert outputs.write_atomic  # the command writes through write_atomic
    result = invoke("template", "desk", "--catalog", str(catalog), "-o", str(out))
    assert result.exit_code == 2
    assert "No space left on device" in result.stderr
    assert out.read_bytes() == b"earlier"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalog", "team.xlsx"]


# --------------------------------------------------------------------------------------------
# Round trip: fill the template in, score it


def fill(path: Path) -> Path:
    """Type values as a manager would, incl. a percent-formatted cell and a text-looking id."""
    book = openpyxl.load_workbook(path)
    sheet = book["Actuals"]
    sheet.append(["00123", "Ana Ruiz", "North", "Bo", "2026-05", 0.8, 10, 4.8, 2500, 0, 0.04])
    sheet["F2"].number_format = "0%"
    sheet.append(["E2", "Eve", "South", "Bo", "2026-05", 60, 20, None, None, 5, None])
    filled = path.with_name("filled.xlsx")
    book.save(filled)
    return filled


def check_scores(doc: dict) -> None:
    first, second = doc["scorecards"]
    assert first["employee"] == "00123"
    kpis = {k["id"]: k for kra in first["kras"] for k in kra["kpis"]}
    assert kpis["first-fix"]["actual"] == 80  # 80% as a percent-formatted 0.8
    assert kpis["first-fix"]["score"] == pytest.approx(100 + 20 * 10 / 15)
    assert kpis["handle-time"]["actual"] == 10
    assert kpis["team"]["score"] == 100
    assert kpis["error-ratio"]["actual"] == 0.04
    assert second["coverage"] == pytest.approx(0.5 * 2 / 3 + 0.5 / 3)


def test_a_filled_template_scores_with_role(tmp_path: Path, catalog: Path) -> None:
    filled = fill(make_template(tmp_path, catalog))
    result = invoke(
        "score", str(filled), "--catalog", str(catalog), "--role", "desk", "--format", "json"
    )
    assert result.exit_code == 0, result.stderr
    assert "unknown column" not in result.stderr.lower()
    check_scores(json.loads(result.stdout))


def test_a_filled_template_scores_with_no_options(
    tmp_path: Path, catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    filled = fill(make_template(tmp_path, catalog))
    monkeypatch.setenv("KPICARD_CATALOG", str(catalog))
    result = invoke("score", str(filled), "--format", "json")
    assert result.exit_code == 0, result.stderr
    check_scores(json.loads(result.stdout))
    # another role of the catalog changes: the template's role did not, so no warning
    (catalog / "other.yaml").write_text(
        ROLE.replace("{long}", "x").replace("id: desk", "id: other"), encoding="utf-8"
    )
    result = invoke("score", str(filled), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "different version" not in result.stderr
    # the template's own role file changes: warned
    (catalog / "desk.yaml").write_text(
        (catalog / "desk.yaml").read_text(encoding="utf-8") + "# edited\n", encoding="utf-8"
    )
    result = invoke("score", str(filled), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "made from a different version of role 'desk'" in result.stderr


def test_write_template_directly_to_a_buffer(catalog: Path) -> None:
    cat = load_catalog(catalog)
    buffer = io.BytesIO()
    template_render.write_template(
        cat.roles["desk"], buffer, catalog_display="c", catalog_digest=cat.digest
    )
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames == ["Actuals", "Instructions"]


def test_libreoffice_keeps_the_role_when_it_saves_a_template(tmp_path: Path, catalog: Path) -> None:
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("soffice not installed: apt-get install libreoffice-calc-nogui to run this")
    filled = fill(make_template(tmp_path, catalog))
    outdir = tmp_path / "saved"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(outdir),
            str(filled),
        ],
        capture_output=True,
        timeout=90,
    )
    saved = outdir / "filled.xlsx"
    assert saved.exists()
    meta = read_template_meta(saved)
    assert meta is not None and meta["role"] == "desk"
    sheet = openpyxl.load_workbook(saved)["Actuals"]
    assert len(sheet.data_validations.dataValidation) == 6
