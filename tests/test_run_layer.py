"""The run layer's defects of issue 11, each pinned: the same table piped and in a .txt file,
one list of diagnostics behind the JSON warnings, explain with score's options, and globs
accepted the same way by score and batch."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kpicard.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
TEAMS = ROOT / "examples" / "q3-review" / "teams"
runner = CliRunner()


def test_a_txt_file_holds_exactly_the_piped_table(tmp_path: Path) -> None:
    args = ["score", str(TEAMS), "--period", "2026-Q3", "--group-by", "team"]
    args += ["--role", "account-coordinator"]
    piped = runner.invoke(app, args)
    assert piped.exit_code == 0, piped.stderr
    assert "# Account Coordinator [account-coordinator]" in piped.stdout  # several roles
    written = runner.invoke(app, [*args, "-o", str(tmp_path / "scores.txt")])
    assert written.exit_code == 0, written.stderr
    assert (tmp_path / "scores.txt").read_text(encoding="utf-8") == piped.stdout


def test_json_warnings_are_the_diagnostics_as_text(tmp_path: Path) -> None:
    team = tmp_path / "team.csv"
    team.write_text(
        "employee_id,Customer Satisfaction Ratings,Mystery column\nE1,95,3\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["score", str(team), "-r", "billing-staff", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert len(doc["warnings"]) == len(doc["diagnostics"]) >= 1
    unknown = next(d for d in doc["diagnostics"] if d["code"] == "input.unknown-column")
    assert unknown["severity"] == "warning"
    assert unknown["location"]["file"] == str(team) and unknown["location"]["column"] == "C"
    assert any("Mystery column" in w and "[input.unknown-column]" in w for w in doc["warnings"])


def test_explain_takes_the_id_column_and_infers_the_role(tmp_path: Path) -> None:
    team = tmp_path / "team.csv"
    team.write_text(
        "Staff no,role,Customer Satisfaction Ratings\nE7,billing-staff,95\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["explain", str(team), "-e", "E7", "--id-column", "Staff no"])
    assert result.exit_code == 0, result.stderr
    # CSAT 95 %, higher 75/90/98: 100 + 20 x (95 - 90) / (98 - 90) = 112.5
    assert "= 112.5" in result.stdout and "role Billing Staff [billing-staff]" in result.stdout
    skipped = tmp_path / "bad.csv"
    skipped.write_text("employee_id,Customer Satisfaction Ratings\nE1,lots\n", encoding="utf-8")
    args = ["explain", str(skipped), "-e", "E1", "-r", "billing-staff"]
    assert runner.invoke(app, args).exit_code == 1
    lenient = runner.invoke(app, [*args, "--skip-invalid"])
    assert lenient.exit_code == 0 and "no value" in lenient.stdout


def test_score_and_batch_accept_the_same_glob(tmp_path: Path) -> None:
    for name in ("north.csv", "south.csv"):
        (tmp_path / name).write_bytes((TEAMS / name).read_bytes())
    pattern = str(tmp_path / "*.csv")
    by_score = runner.invoke(
        app, ["score", pattern, "-r", "account-coordinator", "-f", "json", "--period", "2026-Q3"]
    )
    assert by_score.exit_code == 0, by_score.stderr
    manifest = tmp_path / "review.yaml"
    manifest.write_text(
        "kpicard: 1\ninputs: ['*.csv']\nrole: account-coordinator\nperiod: 2026-Q3\n"
        "outputs: [{path: out.json}]\n",
        encoding="utf-8",
    )
    by_batch = runner.invoke(app, ["batch", str(manifest)])
    assert by_batch.exit_code == 0, by_batch.stderr
    batch_doc = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    score_doc = json.loads(by_score.stdout)
    ids = [c["employee"] for c in score_doc["scorecards"]]
    assert ids == [c["employee"] for c in batch_doc["scorecards"]] and len(ids) > 3
