"""`catalog lint`: each finding on its own, with its code and file:line:col."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kpicard.cli import catalog as catalog_cli
from kpicard.cli.catalog_tools import register
from kpicard.cli.main import app

if not any(c.name == "lint" for c in catalog_cli.app.registered_commands):
    register(catalog_cli.app)

runner = CliRunner()

CLEAN = """\
kpicard: 1
id: demo
name: Demo Role
period: monthly
kras:
  - id: service
    name: Service
    statement: Answer customers quickly and well.
    weight: 50
    kpis:
      - id: response-time
        name: Response Time
        description: Business hours from an inquiry to its first answer.
        unit: hours
        direction: lower
        threshold: 24
        target: 8
        stretch: 4
      - id: csat
        name: Customer Satisfaction
        description: Share of 4-5 answers to the survey after each inquiry.
        unit: percent
        direction: higher
        threshold: 70
        target: 90
        stretch: 98
  - id: quality
    name: Quality
    statement: Bill correctly the first time.
    weight: 50
    kpis:
      - id: accuracy
        name: Invoice Accuracy
        description: Share of invoices that needed no correction.
        unit: percent
        direction: higher
        threshold: 90
        target: 97
        stretch: 99
      - id: disputes
        name: Billing Disputes
        description: Disputes opened by customers in the month.
        unit: count
        direction: lower
        threshold: 10
        target: 3
        stretch: 1
"""


def lint(tmp_path: Path, text: str, *extra: str):
    path = tmp_path / "demo.yaml"
    path.write_text(text, encoding="utf-8")
    return runner.invoke(app, ["catalog", "lint", str(path), *extra]), str(path)


def findings(output: str) -> list[str]:
    return [line for line in output.splitlines() if not line.startswith("  hint:")]


def test_clean_role_has_no_findings(tmp_path: Path) -> None:
    result, _ = lint(tmp_path, CLEAN, "--strict")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert "0 finding(s) in 0 of 1 role file(s)" in result.stderr


CASES = [
    pytest.param(
        CLEAN.replace(
            "        description: Business hours from an inquiry to its first answer.\n", ""
        ),
        "11:9",
        "KP101",
        "KPI 'response-time' has no description",
        id="KP101-specific-kpi",
    ),
    pytest.param(
        CLEAN.replace("    statement: Bill correctly the first time.\n", ""),
        "27:5",
        "KP102",
        "KRA 'quality' has no statement",
        id="KP102-specific-kra",
    ),
    pytest.param(
        CLEAN.replace("unit: count", "unit: number"),
        "43:9",
        "KP201",
        "KPI 'disputes' has the vague unit 'number'",
        id="KP201-measurable-number",
    ),
    pytest.param(
        CLEAN.replace("unit: count", "unit: score"),
        "43:9",
        "KP202",
        "KPI 'disputes' is a score without a scale",
        id="KP202-measurable-scale",
    ),
    pytest.param(
        CLEAN.replace("unit: count", "unit: currency"),
        "43:9",
        "KP203",
        "KPI 'disputes' is money without a currency",
        id="KP203-measurable-currency",
    ),
    pytest.param(
        CLEAN.replace("stretch: 98", "stretch: 100"),
        "26:9",
        "KP301",
        "KPI 'csat' reaches its cap only at 100, the highest value a percent can take",
        id="KP301-achievable-stretch",
    ),
    pytest.param(
        CLEAN.replace("target: 3\n        stretch: 1\n", "target: 0\n"),
        "46:9",
        "KP302",
        "KPI 'disputes' has its target at 0, the lowest value a count can take",
        id="KP302-achievable-target",
    ),
    pytest.param(
        CLEAN.replace("period: monthly\n", ""),
        "2:1",
        "KP501",
        "role 'demo' has no period, so 4 KPI(s) without their own period are reviewed",
        id="KP501-time-bound",
    ),
    pytest.param(
        CLEAN.replace(
            "weight: 50\n    kpis:\n      - id: response-time",
            "weight: 50\n    kpis:\n      - id: response-time\n        weight: 4",
        ).replace("        stretch: 98\n", "        stretch: 98\n        weight: 96\n", 1),
        "12:9",
        "KP901",
        "KPI 'response-time' weighs 4 % of KRA 'service' (under 5 %)",
        id="KP901-tiny-weight",
    ),
    pytest.param(
        CLEAN.replace("Customer Satisfaction", "Response Times"),
        "20:9",
        "KP903",
        "KPI 'csat' is named almost like 'response-time' ('Response Times' / 'Response Time')",
        id="KP903-near-duplicate",
    ),
]


@pytest.mark.parametrize(("text", "where", "code", "message"), CASES)
def test_each_finding(tmp_path: Path, text: str, where: str, code: str, message: str) -> None:
    result, path = lint(tmp_path, text)
    assert result.exit_code == 0, result.stderr  # warnings do not fail
    lines = findings(result.stdout)
    assert len(lines) == 1, result.stdout
    assert lines[0].startswith(f"{path}:{where}: warning: {message}")
    assert lines[0].endswith(f"[{code}]")
    assert "  hint: " in result.stdout
    strict, _ = lint(tmp_path, text, "--strict")
    assert strict.exit_code == 1


def test_single_kpi_kra(tmp_path: Path) -> None:
    text = CLEAN.replace("weight: 50", "weight: 80", 1).replace("weight: 50", "weight: 20")
    start = text.index("      - id: disputes")
    text = text[:start]
    result, path = lint(tmp_path, text)
    # quality keeps one KPI (accuracy), weighing 20 % overall: only KP902 at its `kpis:` key
    assert findings(result.stdout) == [
        f"{path}:31:5: warning: KRA 'quality' is measured by a single KPI [KP902]"
    ]


def test_github_annotations(tmp_path: Path) -> None:
    text = CLEAN.replace("stretch: 98", "stretch: 100")
    result, path = lint(tmp_path, text, "--format", "github")
    assert result.exit_code == 0
    assert result.stdout == (
        f"::warning file={path},line=26,col=9,title=kpicard KP301::KPI 'csat' reaches its cap "
        "only at 100, the highest value a percent can take: only perfection scores the cap "
        "(set the stretch a little short of perfect)\n"
    )


def test_invalid_file_is_an_error(tmp_path: Path) -> None:
    result, path = lint(tmp_path, CLEAN.replace("target: 90", "target: 60"))
    assert result.exit_code == 1
    assert f"{path}:25:17: error: for 'higher', threshold (70) must be below target (60)" in (
        result.stderr
    )


def test_bundled_catalog_lints_without_errors() -> None:
    result = runner.invoke(app, ["catalog", "lint"])
    assert result.exit_code == 0, result.stderr
    assert "KP1" not in result.stdout  # the bundled catalog fills every description


def test_github_format_annotates_invalid_files_too(tmp_path: Path) -> None:
    """In CI an invalid role file must show on the pull request, not only in the log."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "kpicard: 1\nid: bad\nname: B\nkras:\n  - id: k\n    name: K\n    weight: 90\n"
        "    kpis:\n      - {id: a, name: A, unit: count, direction: higher, threshold: 1,"
        " target: 2}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["catalog", "lint", "--format", "github", str(bad)])
    assert result.exit_code == 1
    assert result.stdout == (
        f"::error file={bad},line=4,col=1,title=kpicard catalog.invalid::"
        "KRA weights must sum to 100, they sum to 90\n"
    )
