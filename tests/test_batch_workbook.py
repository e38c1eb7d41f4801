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
    """On a terminal the bar shows each file's name; `[bold]` in a name is not rich markup."""
    import io

    from rich.console import Console

    from kpicard.render import progress as batch
    from kpicard.render import terminal as console

    screen = io.StringIO()
    monkeypatch.setattr(console, "stderr_is_terminal", lambda: True)
    monkeypatch.setattr(
        console, "err_console", lambda: Console(file=screen, force_terminal=True, width=100)
    )
    names = ["team[bold].csv", "[link=x]y.csv"]
    with batch.input_progress(names) as progress:
        assert progress is not None
        for name in names:
            progress.input_done(name)
            progress.progress.refresh()
    shown = screen.getvalue()
    assert "team[bold].csv" in shown and "[link=x]y.csv" in shown
    assert "2/2" in shown


def test_no_progress_for_one_small_input(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from kpicard.render import progress as batch
    from kpicard.render import terminal as console

    monkeypatch.setattr(console, "stderr_is_terminal", lambda: True)
    small = tmp_path / "team.csv"
    small.write_text("employee_id\nE1\n")
    with batch.input_progress([str(small)]) as progress:
        assert progress is None
    large = tmp_path / "big.csv"
    large.write_bytes(b"x" * batch.LARGE_INPUT_BYTES)
    with batch.input_progress([str(large)]) as progress:
        assert progress is not None and progress.large == {str(large)}
