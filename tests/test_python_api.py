"""The public Python API: the examples of docs/python-api.md run as written, `kpicard.score`
equals the CLI for every example and for a batch job, and errors are exceptions, never exits."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kpicard
from kpicard.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "python-api.md"
runner = CliRunner()


def test_the_pages_examples_run(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 6, "the page lost its examples"
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(PAGE), "exec"), namespace)
    printed = capsys.readouterr().out
    assert "B-001 Nadia Rahman 56.2 Below expectations" in printed
    assert "input.value 2 B" in printed


def test_all_lists_only_names_that_exist() -> None:
    for name in kpicard.__all__:
        assert getattr(kpicard, name) is not None
    with pytest.raises(AttributeError):
        kpicard.pipeline  # noqa: B018 - private names are not reachable as attributes


def test_importing_kpicard_loads_nothing_heavy() -> None:
    code = (
        "import sys, kpicard; print(sorted(m for m in ('yaml', 'pydantic', 'openpyxl', "
        "'rich', 'kpicard.engine') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


EXAMPLES = [
    ("billing-team.xlsx", "billing-staff"),
    ("collection-team.csv", "collection-representative"),
    ("account-coordinators-long.csv", "account-coordinator"),
    ("account-administrators.csv", "account-administrator"),
    ("billing-worked-example.csv", "billing-staff"),
]


@pytest.mark.parametrize(("name", "role"), EXAMPLES)
def test_score_to_json_is_the_clis_json(name: str, role: str) -> None:
    path = str(ROOT / "examples" / name)
    cli = runner.invoke(app, ["score", path, "--role", role, "--format", "json"])
    assert cli.exit_code == 0, cli.stderr
    assert json.loads(cli.stdout) == json.loads(kpicard.score(path, role=role).to_json())


def test_an_open_file_scores_like_its_path() -> None:
    path = ROOT / "examples" / "billing-team.xlsx"
    by_path = kpicard.score(path, role="billing-staff").to_data()
    with path.open("rb") as handle:
        by_file = kpicard.score(handle, role="billing-staff").to_data()
    assert by_file == by_path
    text = (ROOT / "examples" / "collection-team.csv").read_bytes()
    stream = kpicard.score(io.BytesIO(text), role="collection-representative")
    first = stream.scorecards[0].kras[0].kpis[0].source
    assert first is not None and first.file == "<stream>" and first.cell.endswith("2")


def test_errors_are_exceptions_with_diagnostics_never_exits() -> None:
    with pytest.raises(kpicard.UsageError) as unknown:
        kpicard.score(ROOT / "examples" / "billing-team.xlsx", role="nobody")
    assert unknown.value.diagnostics[0].code == "role.unknown"
    with pytest.raises(kpicard.UsageError):
        kpicard.score(ROOT / "examples" / "billing-team.xlsx", role="billing-staff", cap=50)
    with pytest.raises(kpicard.UsageError) as typo:
        kpicard.score(ROOT / "examples" / "billing-team.xlsx", role="billing-staff", capp=130)
    assert "capp" in typo.value.diagnostics[0].message
    with pytest.raises(kpicard.UsageError):
        kpicard.score(ROOT / "examples" / "no-such-file.csv", role="billing-staff")
    bad = io.BytesIO(b"employee_id,Customer Satisfaction Ratings\nE1,lots\nE2,#N/A!\n")
    with pytest.raises(kpicard.InputError) as invalid:
        kpicard.score(bad, role="billing-staff")
    assert [d.location.row for d in invalid.value.diagnostics if d.is_error] == [2, 3]
    assert isinstance(invalid.value, kpicard.KpicardError)


def test_a_broken_catalog_is_a_catalog_error(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text("kpicard: 1\nid: x\nname: X\nkras: []\n", encoding="utf-8")
    with pytest.raises(kpicard.CatalogError) as broken:
        kpicard.load_catalog(tmp_path)
    assert broken.value.diagnostics and broken.value.diagnostics[0].location.file


def test_keep_going_returns_the_valid_inputs(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("employee_id,Customer Satisfaction Ratings\nE1,95\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("employee_id,Customer Satisfaction Ratings\nE2,lots\n", encoding="utf-8")
    result = kpicard.score([good, bad], role="billing-staff", keep_going=True)
    assert not result.ok and list(result.failed) == [str(bad)]
    assert [c.employee for c in result.scorecards] == ["E1"]


def test_write_refuses_an_input_and_infers_the_format(tmp_path: Path) -> None:
    source = tmp_path / "team.csv"
    source.write_text("employee_id,Customer Satisfaction Ratings\nE1,95\n", encoding="utf-8")
    result = kpicard.score(source, role="billing-staff")
    with pytest.raises(kpicard.UsageError):
        result.write(source)
    assert result.write(tmp_path / "out.json") == [tmp_path / "out.json"]
    written = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert written == result.to_data()
    with pytest.raises(kpicard.UsageError):
        result.write(tmp_path / "out.pdf")
