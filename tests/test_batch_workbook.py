"""A review batch's rollups and comparison reach the workbook as `Groups` and `Comparison`
sheets, with the same numbers as the JSON output."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from kpicard.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
Q3 = ROOT / "examples" / "q3-review"
runner = CliRunner()


def test_groups_and_comparison_sheets(tmp_path: Path) -> None:
    args = [
        "score",
        str(Q3 / "teams" / "south.csv"),
        str(Q3 / "teams" / "billing.csv"),
        "--catalog",
        str(ROOT / "catalog"),
        "--period",
        "2026-Q3",
        "--group-by",
        "team",
        "--compare",
        str(Q3 / "q2-scores.json"),
    ]
    as_json = runner.invoke(app, [*args, "--format", "json"])
    assert as_json.exit_code == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    report = tmp_path / "review.xlsx"
    result = runner.invoke(app, [*args, "-o", str(report)])
    assert result.exit_code == 0, result.stderr
    book = openpyxl.load_workbook(report)
    assert book.sheetnames.index("Groups") < book.sheetnames.index("Detail")
    groups = book["Groups"]
    header = [c.value for c in groups[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in groups.iter_rows(2)]
    by_key = {(g["by"], g["key"]): g for g in data["groups"]}
    assert len(rows) == len(by_key)
    for row in rows:
        group = by_key[(row["group_by"], row["group"])]
        assert row["count"] == group["count"]
        for stat in ("mean", "median", "min", "max"):  # None (all unscored) is an empty cell
            assert row[stat] == (None if group[stat] is None else pytest.approx(group[stat]))
    assert groups.freeze_panes == "A2" and groups.auto_filter.ref
    comparison = book["Comparison"]
    header = [c.value for c in comparison[1]]
    matched = {
        r[header.index("employee")]: r
        for r in comparison.iter_rows(2, values_only=True)
        if r[header.index("status")] == "matched"
    }
    for employee in data["comparison"]["employees"]:
        row = matched[employee["employee"]]
        for key in ("score", "score_before"):
            expected = employee[key]
            assert row[header.index(key)] == (None if expected is None else pytest.approx(expected))


def test_progress_bar_takes_file_names_as_plain_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal the bar shows each file's name; `[/b]` in a name is not rich markup."""
    from kpicard.cli import batch, console

    monkeypatch.setattr(console, "stderr_is_terminal", lambda: True)
    with batch.input_progress(2) as advance:
        advance("team[/b].csv")
        advance("[link=x]y.csv")
