"""`kpicard batch examples/q3-review/review.yaml` end to end, through the CLI as a user runs it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import kpicard
from kpicard.app.request import Input
from kpicard.cli import batch as batch_cli
from kpicard.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "q3-review"
BAR_CHARACTERS = set("━█▏▎▍▌▋▊▉")

if "batch" not in {c.name for c in app.registered_commands}:
    batch_cli.register(app)


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A copy of the example (its outputs go to out/, never into the repository)."""
    shutil.copytree(
        EXAMPLE, tmp_path / "examples" / "q3-review", ignore=shutil.ignore_patterns("out")
    )
    (tmp_path / "catalog").symlink_to(ROOT / "catalog", target_is_directory=True)
    return tmp_path / "examples" / "q3-review"


def _run(*args: str):
    return CliRunner().invoke(app, ["batch", *args])


def _without_paths(data: Any) -> Any:
    """The document minus what depends on the working folder (source files, catalog path)."""
    if isinstance(data, dict):
        return {
            k: _without_paths(v) for k, v in data.items() if k not in ("source", "path", "previous")
        }
    if isinstance(data, list):
        return [_without_paths(v) for v in data]
    return data


def test_batch_writes_every_output(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(example.parent.parent)  # the "repository root" of the copy
    result = _run("examples/q3-review/review.yaml")
    assert result.exit_code == 0, result.output
    out = example / "out"
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written == [
        "q3-review.md",
        "q3-scores.comparison.csv",
        "q3-scores.csv",
        "q3-scores.groups.csv",
        "q3-scores.json",
        "teams/billing.csv",
        "teams/collections.csv",
        "teams/north.csv",
        "teams/south.csv",
        "teams/summary.comparison.csv",
        "teams/summary.csv",
        "teams/summary.groups.csv",
    ]
    for name in written:
        assert f"wrote examples/q3-review/out/{name}" in result.stderr
    assert result.stdout == ""  # data went to files; messages to stderr
    # CliRunner is not a terminal: no progress bar, no bar characters on stderr
    assert not BAR_CHARACTERS & set(result.stderr)


def test_json_equals_the_pipeline_result(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(example.parent.parent)
    assert _run("examples/q3-review/review.yaml").exit_code == 0
    got = json.loads((example / "out" / "q3-scores.json").read_text(encoding="utf-8"))
    # the same job through the Python API, as a script would run it
    teams = "examples/q3-review/teams/"
    result = kpicard.score(
        [
            f"{teams}billing.csv",
            f"{teams}collections.csv",
            Input(f"{teams}north.csv", role="account-coordinator"),
            f"{teams}south.csv",
        ],
        catalog="catalog",
        period="2026-Q3",
        group_by=["team", "manager"],
        compare="examples/q3-review/q2-scores.json",
    )
    assert got == json.loads(result.to_json())
    c = got["comparison"]
    assert [p["employee"] for p in c["new"]] == ["AC106"]
    assert [p["employee"] for p in c["departed"]] == ["BS306"]
    assert c["matched"] == len(got["scorecards"]) - 1
    assert len(c["movers"]["up"]) == 5 and len(c["movers"]["down"]) == 5
    assert {g["by"] for g in got["groups"]} == {"team", "manager"}


def test_same_result_from_another_folder(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(example.parent.parent)
    assert _run("examples/q3-review/review.yaml").exit_code == 0
    first = json.loads((example / "out" / "q3-scores.json").read_text(encoding="utf-8"))
    first_csv = (example / "out" / "teams" / "summary.groups.csv").read_bytes()
    elsewhere = example.parent.parent / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = _run(str(example / "review.yaml"))
    assert result.exit_code == 0, result.output
    again = json.loads((example / "out" / "q3-scores.json").read_text(encoding="utf-8"))
    assert _without_paths(again) == _without_paths(first)
    assert (example / "out" / "teams" / "summary.groups.csv").read_bytes() == first_csv


def test_dry_run_lists_the_plan(example: Path) -> None:
    result = _run(str(example / "review.yaml"), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would write" in result.stdout and "summary.csv (csv)" in result.stdout
    assert not (example / "out").exists()


def test_a_broken_manifest_is_a_usage_error(example: Path) -> None:
    manifest = example / "review.yaml"
    text = manifest.read_text(encoding="utf-8")
    line = text.splitlines().index("movers: 5") + 1
    manifest.write_text(text.replace("movers: 5", "mover: 5"), encoding="utf-8")
    result = _run(str(manifest))
    assert result.exit_code == 2
    assert "unknown key 'mover'; did you mean 'movers'?" in result.stderr
    assert f"review.yaml:{line}:1:" in result.stderr
