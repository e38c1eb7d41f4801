"""SPEC 9 `catalog diff`: the kinds of change that had no test of their own -- direction, unit,
threshold, stretch, role period, KPI period and KRA rename -- between two folders and between two
commits of a real git repository, in json, markdown and text, and `--exit-code`.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kpicard.cli.main import app

runner = CliRunner()

OLD = """\
kpicard: 1
id: ops
name: Operations
period: monthly
kras:
  - id: service
    name: Service
    weight: 60
    kpis:
      - id: backlog
        name: Open Backlog
        unit: count
        direction: higher
        threshold: 10
        target: 40
      - id: on-time
        name: On-time Ratio
        unit: ratio
        direction: higher
        threshold: 0.8
        target: 0.95
        stretch: 0.99
  - id: quality
    name: Quality
    weight: 40
    kpis:
      - id: response-time
        name: Response Time
        unit: hours
        direction: lower
        threshold: 24
        target: 8
        stretch: 4
        period: weekly
"""


def replace_all(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


# Each edit is a tuple of (old text, new text) pairs applied to OLD.
# the role's period
ROLE_PERIOD = (("period: monthly", "period: quarterly"),)
# backlog: higher -> lower, threshold and target swapped (10/40 -> 40/10), so both sides are valid
DIRECTION = (
    (
        "        direction: higher\n        threshold: 10\n        target: 40\n",
        "        direction: lower\n        threshold: 40\n        target: 10\n",
    ),
)
# on-time: ratio -> percent, every value times 100
UNIT = (
    ("unit: ratio", "unit: percent"),
    ("threshold: 0.8\n", "threshold: 80\n"),
    ("target: 0.95\n", "target: 95\n"),
    ("stretch: 0.99\n", "stretch: 99\n"),
)
# response-time: threshold 24 -> 36, stretch 4 -> 2, its own period weekly -> annual
THRESHOLD = (("threshold: 24", "threshold: 36"),)
STRETCH = (("stretch: 4", "stretch: 2"),)
KPI_PERIOD = (("period: weekly", "period: annual"),)
# KRA quality keeps its id, changes its name
KRA_RENAME = (("name: Quality", "name: Service Quality"),)

NEW = replace_all(
    OLD, *ROLE_PERIOD, *DIRECTION, *UNIT, *THRESHOLD, *STRETCH, *KPI_PERIOD, *KRA_RENAME
)

# (target, kind, id, kra, field, old, new) -- kra is the KRA a KPI is in (None for role and KRA)
EXPECTED = [
    ("role", "changed", "ops", None, "period", "monthly", "quarterly"),
    ("kra", "renamed", "quality", None, "name", "Quality", "Service Quality"),
    ("kpi", "changed", "backlog", "service", "direction", "higher", "lower"),
    ("kpi", "changed", "backlog", "service", "threshold", 10, 40),
    ("kpi", "changed", "backlog", "service", "target", 40, 10),
    ("kpi", "changed", "on-time", "service", "unit", "ratio", "percent"),
    ("kpi", "changed", "on-time", "service", "threshold", 0.8, 80),
    ("kpi", "changed", "on-time", "service", "target", 0.95, 95),
    ("kpi", "changed", "on-time", "service", "stretch", 0.99, 99),
    ("kpi", "changed", "response-time", "quality", "threshold", 24, 36),
    ("kpi", "changed", "response-time", "quality", "stretch", 4, 2),
    ("kpi", "changed", "response-time", "quality", "period", "weekly", "annual"),
]

# The wording of each change, one per EXPECTED row (how a reviewer reads it).
MESSAGES = [
    "role ops period: monthly -> quarterly",
    "KRA quality renamed 'Quality' -> 'Service Quality'",
    "KPI backlog direction: higher -> lower",
    "KPI backlog threshold: 10 -> 40",
    "KPI backlog target: 40 -> 10",
    "KPI on-time unit: ratio -> percent",
    "KPI on-time threshold: 0.8 -> 80",
    "KPI on-time target: 0.95 -> 95",
    "KPI on-time stretch: 0.99 -> 99",
    "KPI response-time threshold: 24 -> 36",
    "KPI response-time stretch: 4 -> 2",
    "KPI response-time period: weekly -> annual",
]


def diff(*args: str):
    return runner.invoke(app, ["catalog", "diff", *args])


def as_rows(doc: dict) -> list[tuple]:
    return [
        (c["target"], c["kind"], c["id"], c["kra"], c["field"], c["old"], c["new"])
        for role in doc["roles"]
        for c in role["changes"]
    ]


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path/old and tmp_path/new holding ops.yaml; the current folder is tmp_path."""
    for name, text in (("old", OLD), ("new", NEW)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "ops.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KPICARD_CATALOG", raising=False)
    return tmp_path


def test_both_sides_are_valid(folders: Path) -> None:
    for side in ("old", "new"):
        result = runner.invoke(app, ["catalog", "validate", side])
        assert result.exit_code == 0, result.stderr


def test_json_lists_exactly_the_changes(folders: Path) -> None:
    result = diff("old", "new", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["changed"] is True
    assert (doc["old"]["catalog"], doc["new"]["catalog"]) == ("old", "new")
    assert [(r["id"], r["name"], r["status"]) for r in doc["roles"]] == [
        ("ops", "Operations", "changed")
    ]
    rows = as_rows(doc)
    assert sorted(rows, key=repr) == sorted(EXPECTED, key=repr)
    assert len(rows) == len(EXPECTED)  # nothing twice
    changes = doc["roles"][0]["changes"]
    assert {c["message"] for c in changes} == set(MESSAGES)
    assert all(c["role"] == "ops" and c["minor"] is False for c in changes)
    assert doc["summary"] == {
        "roles_added": 0,
        "roles_removed": 0,
        "roles_changed": 1,
        "changes": 12,
        "major": 12,
        "minor": 0,
    }
    assert doc["impact"] is None


def test_markdown_has_one_row_per_change(folders: Path) -> None:
    result = diff("old", "new", "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    md = result.stdout
    assert md.startswith("## Catalog changes: `old` → `new`")
    assert "### `ops` Operations (changed)" in md
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in md.splitlines()
        if line.startswith("| ")
    ]
    rows = [r for r in rows if r != ["", "change"]]
    # rating text is markdown-escaped; none of these messages holds | * or _
    assert sorted(r[1] for r in rows) == sorted(MESSAGES)
    assert {r[0] for r in rows} == {"~"}


def test_text_has_one_line_per_change(folders: Path) -> None:
    result = diff("old", "new")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "old -> new: 1 role(s) changed, 0 added, 0 removed; 12 change(s), 0 text change(s)"
    )
    assert lines[1] == "~ role ops (Operations): 12 change(s)"
    assert sorted(lines[2:]) == sorted(f"  ~ {m}" for m in MESSAGES)


def test_reverse_diff_swaps_old_and_new(folders: Path) -> None:
    doc = json.loads(diff("new", "old", "--format", "json").stdout)
    assert sorted(as_rows(doc), key=repr) == sorted(
        [(t, k, i, kra, f, b, a) for t, k, i, kra, f, a, b in EXPECTED], key=repr
    )


def test_exit_code(folders: Path) -> None:
    assert diff("old", "new", "--exit-code").exit_code == 1
    assert diff("old", "new", "--exit-code", "--format", "json").exit_code == 1
    assert diff("old", "new").exit_code == 0  # without --exit-code a change is not a failure
    same = diff("old", "old", "--exit-code")
    assert same.exit_code == 0, same.stderr
    assert same.stdout.startswith("no changes in meaning: old -> old")
    assert diff("new", "new", "--exit-code", "--format", "json").exit_code == 0
    # a file against the folder that holds it
    assert diff("new/ops.yaml", "new", "--exit-code").exit_code == 0


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        (DIRECTION, EXPECTED[2:5]),
        (UNIT, EXPECTED[5:9]),
        (THRESHOLD, [EXPECTED[9]]),
        (STRETCH, [EXPECTED[10]]),
        (ROLE_PERIOD, [EXPECTED[0]]),
        (KPI_PERIOD, [EXPECTED[11]]),
        (KRA_RENAME, [EXPECTED[1]]),
    ],
    ids=["direction", "unit", "threshold", "stretch", "role-period", "kpi-period", "kra-rename"],
)
def test_each_change_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pairs: tuple, expected: list
) -> None:
    """Each edit on its own yields only its own change(s): no change leaks into another."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "ops.yaml").write_text(OLD, encoding="utf-8")
    (tmp_path / "b" / "ops.yaml").write_text(replace_all(OLD, *pairs), encoding="utf-8")
    result = diff("a", "b", "--format", "json", "--exit-code")
    assert result.exit_code == 1, result.stderr
    assert sorted(as_rows(json.loads(result.stdout)), key=repr) == sorted(expected, key=repr)


# SPEC 9 lists what changed *in meaning*. Weights are compared as effective weights, and so are
# periods: a KPI that spells out the period it already inherits from its role is no change.
def test_explicit_period_equal_to_inherited_is_no_change(folders: Path) -> None:
    explicit = ("        target: 40\n", "        target: 40\n        period: monthly\n")
    same = replace_all(OLD, explicit)
    (folders / "explicit").mkdir()
    (folders / "explicit" / "ops.yaml").write_text(same, encoding="utf-8")
    result = diff("old", "explicit", "--exit-code")
    assert result.exit_code == 0, result.stdout


def test_dropping_an_explicit_period_reports_the_inherited_one(folders: Path) -> None:
    """weekly spelled out, then removed in a monthly role: the KPI is now reviewed monthly."""
    weekly = replace_all(
        OLD, ("        target: 40\n", "        target: 40\n        period: weekly\n")
    )
    (folders / "weekly").mkdir()
    (folders / "weekly" / "ops.yaml").write_text(weekly, encoding="utf-8")
    result = diff("weekly", "old", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert as_rows(json.loads(result.stdout)) == [
        ("kpi", "changed", "backlog", "service", "period", "weekly", "monthly")
    ]


# --------------------------------------------------------------------------- git revisions


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
    }
    return subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def test_git_revisions_report_a_direction_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    (repo / "catalog").mkdir(parents=True)
    git(repo, "init", "-q")
    role = repo / "catalog" / "ops.yaml"
    role.write_text(OLD, encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "ops role")
    role.write_text(replace_all(OLD, *DIRECTION), encoding="utf-8")
    git(repo, "commit", "-q", "-a", "-m", "backlog: lower is better")
    monkeypatch.chdir(repo)
    monkeypatch.delenv("KPICARD_CATALOG", raising=False)

    result = diff("HEAD~1", "HEAD", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert (doc["old"]["catalog"], doc["new"]["catalog"]) == ("HEAD~1:catalog", "HEAD:catalog")
    assert sorted(as_rows(doc), key=repr) == sorted(EXPECTED[2:5], key=repr)

    text = diff("HEAD~1", "HEAD")
    assert text.exit_code == 0, text.stderr
    assert "  ~ KPI backlog direction: higher -> lower" in text.stdout.splitlines()
    assert diff("HEAD~1", "HEAD", "--exit-code").exit_code == 1
    assert diff("HEAD", "HEAD", "--exit-code").exit_code == 0
    # the working tree equals HEAD
    assert diff("HEAD", "catalog", "--exit-code").exit_code == 0

    # From a subfolder of the repository: the same changes, not two empty catalogs.
    monkeypatch.chdir(repo / "catalog")
    for args in (["HEAD~1", "HEAD", "--path", "."], ["HEAD~1:catalog", "HEAD:catalog"]):
        inside = diff(*args, "--format", "json")
        assert inside.exit_code == 0, inside.stderr
        assert sorted(as_rows(json.loads(inside.stdout)), key=repr) == sorted(
            EXPECTED[2:5], key=repr
        )


def test_an_empty_catalog_is_no_side_of_a_diff(folders: Path) -> None:
    """Two empty folders have "no changes": a false pass for a CI step. Refused like validate."""
    (folders / "empty").mkdir()
    result = diff("empty", "old", "--exit-code")
    assert result.exit_code == 2
    assert "no role files (*.yaml, *.yml) in empty" in result.stderr
