"""`catalog diff` on real git repositories: exactly the expected changes, in every format."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kpicard.cli import catalog as catalog_cli
from kpicard.cli.catalog_tools import register
from kpicard.cli.main import app

if not any(c.name == "diff" for c in catalog_cli.app.registered_commands):
    register(catalog_cli.app)

runner = CliRunner()

OLD = """\
kpicard: 1
id: demo
name: Demo Role
period: monthly
kras:
  - id: service
    name: Service
    weight: 60
    kpis:
      - id: response-time
        name: Response Time
        unit: hours
        direction: lower
        threshold: 24
        target: 8
        stretch: 4
      - id: csat
        name: Customer Satisfaction
        unit: percent
        direction: higher
        threshold: 70
        target: 90
      - id: first-contact
        name: First Contact Resolution
        unit: percent
        direction: higher
        threshold: 50
        target: 80
  - id: quality
    name: Quality
    weight: 40
    kpis:
      - id: accuracy
        name: Accuracy
        unit: percent
        direction: higher
        threshold: 90
        target: 98
        stretch: 99.5
"""

# weights 60/40 -> 50/30 (+ growth 20); csat target 90 -> 85; accuracy renamed; response-time
# moved to quality; first-contact removed; a rating scale that lowers "meets" to 80.
NEW = """\
kpicard: 1
id: demo
name: Demo Role
period: monthly
rating_scale:
  - {level: 5, label: Outstanding, min_score: 115}
  - {level: 4, label: Exceeds expectations, min_score: 105}
  - {level: 3, label: Meets expectations, min_score: 80}
  - {level: 2, label: Partially meets expectations, min_score: 60}
  - {level: 1, label: Below expectations, min_score: 0}
kras:
  - id: service
    name: Service
    weight: 50
    kpis:
      - id: csat
        name: Customer Satisfaction
        unit: percent
        direction: higher
        threshold: 70
        target: 85
  - id: quality
    name: Quality
    weight: 30
    kpis:
      - id: accuracy
        name: Invoice Accuracy
        unit: percent
        direction: higher
        threshold: 90
        target: 98
        stretch: 99.5
      - id: response-time
        name: Response Time
        unit: hours
        direction: lower
        threshold: 24
        target: 8
        stretch: 4
  - id: growth
    name: Growth
    weight: 20
    kpis:
      - id: upsell
        name: Upsell Deals
        unit: count
        direction: higher
        threshold: 0
        target: 10
"""

THIRD = 100 / 3
EXPECTED = {
    ("role", "changed", "demo", "rating_scale"),
    ("kra", "changed", "service", "weight"),
    ("kra", "changed", "quality", "weight"),
    ("kra", "added", "growth", None),
    ("kpi", "removed", "first-contact", None),
    ("kpi", "added", "upsell", None),
    ("kpi", "moved", "response-time", "kra"),
    ("kpi", "changed", "response-time", "weight"),
    ("kpi", "changed", "csat", "target"),
    ("kpi", "changed", "csat", "weight"),
    ("kpi", "renamed", "accuracy", "name"),
    ("kpi", "changed", "accuracy", "weight"),
}

ACTUALS = """\
employee_id,name,response-time,csat,first-contact,accuracy,upsell
E1,Ana,6,80,65,98,5
E2,Ben,8,90,80,98,10
E3,Cy,12,85,50,95,8
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with two commits of catalog/demo.yaml: OLD, then NEW."""
    root = tmp_path / "repo"
    (root / "catalog").mkdir(parents=True)
    git(root, "init", "-q")
    git(root, "config", "user.name", "Test")
    git(root, "config", "user.email", "test@example.com")
    git(root, "config", "commit.gpgsign", "false")
    (root / "catalog" / "demo.yaml").write_text(OLD, encoding="utf-8")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "old")
    git(root, "tag", "v1")
    (root / "catalog" / "demo.yaml").write_text(NEW, encoding="utf-8")
    git(root, "commit", "-q", "-a", "-m", "new")
    (root / "team.csv").write_text(ACTUALS, encoding="utf-8")
    monkeypatch.chdir(root)
    monkeypatch.delenv("KPICARD_CATALOG", raising=False)
    return root


def diff(*args: str):
    return runner.invoke(app, ["catalog", "diff", *args])


def as_json(*args: str) -> dict:
    result = diff(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def change_keys(doc: dict) -> set[tuple]:
    return {
        (c["target"], c["kind"], c["id"], c["field"])
        for role in doc["roles"]
        for c in role["changes"]
    }


def test_revisions_list_exactly_the_changes(repo: Path) -> None:
    doc = as_json("HEAD~1", "HEAD")
    assert change_keys(doc) == EXPECTED
    assert doc["changed"] is True
    assert doc["old"]["catalog"] == "HEAD~1:catalog"
    assert doc["summary"] == {
        "roles_added": 0,
        "roles_removed": 0,
        "roles_changed": 1,
        "changes": 12,
        "major": 12,
        "minor": 0,
    }
    by_key = {(c["id"], c["field"]): c for c in doc["roles"][0]["changes"]}
    assert (by_key[("csat", "target")]["old"], by_key[("csat", "target")]["new"]) == (90, 85)
    weight = by_key[("response-time", "weight")]
    assert weight["old"] == pytest.approx(THIRD) and weight["new"] == 50
    assert by_key[("response-time", "kra")]["old"] == "service"
    assert by_key[("response-time", "kra")]["new"] == "quality"
    assert by_key[("accuracy", "name")]["new"] == "Invoice Accuracy"
    assert by_key[("first-contact", None)]["kra"] == "service"
    assert by_key[("demo", "rating_scale")]["new"][2] == {
        "level": 3,
        "label": "Meets expectations",
        "min_score": 80,
    }


def test_text_output_one_line_per_change(repo: Path) -> None:
    result = diff("v1", "HEAD")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("v1:catalog -> HEAD:catalog: 1 role(s) changed")
    assert lines[1] == "~ role demo (Demo Role): 12 change(s)"
    assert "  ~ KPI csat target: 90 -> 85" in lines
    assert "  > KPI response-time moved from KRA service to KRA quality" in lines
    assert "  ~ KPI accuracy renamed 'Accuracy' -> 'Invoice Accuracy'" in lines
    assert "  - KPI first-contact removed from KRA service (weight was 33.333333%)" in lines
    assert "  + KRA growth added, weight 20%" in lines
    assert "  ~ KRA service weight: 60% -> 50%" in lines
    assert len(lines) == 2 + 12
    assert "\x1b[" not in result.stdout  # no colour when not on a terminal


def test_markdown_table_holds_the_same_changes(repo: Path) -> None:
    result = diff("HEAD~1", "HEAD", "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    md = result.stdout
    assert md.startswith("## Catalog changes: `HEAD~1:catalog` → `HEAD:catalog`")
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in md.splitlines()
        if line.startswith("| ") and not line.startswith("|  | change")
    ]
    rows = [r for r in rows if r != ["", "change"]]
    json_doc = as_json("HEAD~1", "HEAD")
    messages = [c["message"] for c in json_doc["roles"][0]["changes"]]
    # markdown escapes what it would read as syntax: `rating\_scale` shows as rating_scale
    assert [re.sub(r"\\(.)", r"\1", r[1]) for r in rows] == messages
    assert "role demo rating\\_scale: " in md
    signs = {r[1]: r[0] for r in rows}
    assert signs["KPI upsell added to KRA growth, weight 100%"] == "+"
    assert signs["KPI response-time moved from KRA service to KRA quality"] == ">"


def test_exit_code(repo: Path) -> None:
    assert diff("HEAD~1", "HEAD", "--exit-code").exit_code == 1
    same = diff("HEAD", "HEAD", "--exit-code")
    assert same.exit_code == 0, same.stderr
    assert same.stdout.startswith("no changes in meaning")
    # the working tree folder against the revision that it equals
    assert diff("HEAD", "catalog", "--exit-code").exit_code == 0
    assert diff("v1", "catalog/demo.yaml", "--exit-code").exit_code == 1


def test_rev_colon_path_and_text_only_changes(repo: Path) -> None:
    (repo / "catalog" / "demo.yaml").write_text(
        NEW.replace("name: Growth\n", "name: Growth\n    statement: Grow the accounts.\n"),
        encoding="utf-8",
    )
    doc = as_json("HEAD:catalog", "catalog")
    assert change_keys(doc) == {("kra", "changed", "growth", "statement")}
    assert doc["summary"]["minor"] == 1 and doc["summary"]["major"] == 0
    text = diff("HEAD:catalog", "catalog").stdout
    assert "  . KRA growth statement text changed" in text


def test_roles_added_and_removed(repo: Path) -> None:
    other = OLD.replace("id: demo", "id: other")
    (repo / "catalog" / "other.yaml").write_text(other, encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "other")
    doc = as_json("v1", "HEAD")
    statuses = {r["id"]: r["status"] for r in doc["roles"]}
    assert statuses == {"demo": "changed", "other": "added"}
    back = as_json("HEAD", "v1", "--role", "other")
    assert [(r["id"], r["status"]) for r in back["roles"]] == [("other", "removed")]
    assert back["roles"][0]["changes"][0]["old"] == {"kras": 2, "kpis": 4}


def test_impact_hand_worked(repo: Path) -> None:
    """Scores under both catalogs, worked out by hand from SPEC 2.1-2.2 (cap 120).

    OLD (service 60: response-time, csat, first-contact equal; quality 40: accuracy):
      E1: rt lower 24/8/4 at 6 -> 100 + 20*(8-6)/(8-4) = 110; csat 70/90 at 80 -> 50;
          fc 50/80 at 65 -> 50; service (110+50+50)/3 = 70; accuracy 90/98 at 98 -> 100;
          overall .6*70 + .4*100 = 82 -> level 2 (70 <= 82 < 90)
      E2: all at target -> 100 everywhere, overall 100 -> level 3
      E3: rt at 12 -> 100*(24-12)/(24-8) = 75; csat 85 -> 75; fc 50 -> 0; service 50;
          accuracy 95 -> 100*5/8 = 62.5; overall .6*50 + .4*62.5 = 55 -> level 1
    NEW (service 50: csat 70/85; quality 30: accuracy, rt; growth 20: upsell 0/10; meets >= 80,
         partially >= 60):
      E1: csat 80 -> 100*10/15 = 66.67; quality (100+110)/2 = 105; upsell 5 -> 50;
          overall .5*66.67 + .3*105 + .2*50 = 33.33 + 31.5 + 10 = 74.83 -> level 2
      E2: csat 90 >= 85 -> 100 (no stretch); quality 100; upsell 10 -> 100; overall 100 -> 3
      E3: csat 85 -> 100; quality (62.5+75)/2 = 68.75; upsell 8 -> 80;
          overall 50 + 20.625 + 16 = 86.625 -> level 3 (up from 1)
    """
    doc = as_json("HEAD~1", "HEAD", "--impact", "team.csv", "--role", "demo")
    impact = doc["impact"]
    rows = {r["employee"]: r for r in impact["employees"]}
    assert rows["E1"]["old"]["score"] == pytest.approx(82)
    assert rows["E1"]["new"]["score"] == pytest.approx(33 + 1 / 3 + 31.5 + 10)
    assert rows["E1"]["rating_change"] == "same"
    assert rows["E2"]["old"]["score"] == pytest.approx(100)
    assert rows["E2"]["new"]["score"] == pytest.approx(100)
    assert rows["E3"]["old"]["score"] == pytest.approx(55)
    assert rows["E3"]["new"]["score"] == pytest.approx(86.625)
    assert rows["E3"]["old"]["rating"] == {"level": 1, "label": "Below expectations"}
    assert rows["E3"]["new"]["rating"] == {"level": 3, "label": "Meets expectations"}
    assert rows["E3"]["delta"] == pytest.approx(31.625)
    # sorted by the size of the change
    assert [r["employee"] for r in impact["employees"]] == ["E3", "E1", "E2"]
    assert impact["summary"] == {
        "employees": 3,
        "score_changed": 2,
        "rating_changed": 1,
        "rating_up": 1,
        "rating_down": 0,
    }


def test_impact_text(repo: Path) -> None:
    result = diff("HEAD~1", "HEAD", "--impact", "team.csv", "--role", "demo")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "3 employee(s) scored: 2 change score, 1 change rating (1 up, 0 down)" in out
    e3 = next(line for line in out.splitlines() if line.startswith("E3"))
    assert re.split(r"\s{2,}", e3) == [
        "E3",
        "Cy",
        "demo",
        "55.0",
        "86.6",
        "+31.6",
        "1 Below expectations",
        "3 Meets expectations",
    ]
    assert not any(line.startswith("E2") for line in out.splitlines())  # unchanged: left out


def test_invalid_side_reports_diagnostics(repo: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "demo.yaml").write_text(OLD.replace("weight: 60", "wieght: 60"), encoding="utf-8")
    result = diff("HEAD", str(broken))
    assert result.exit_code == 1
    assert "demo.yaml:8:5: error: unknown key 'wieght'; did you mean 'weight'?" in result.stderr
    # the same error read from a revision names the revision
    (repo / "catalog" / "demo.yaml").write_text((broken / "demo.yaml").read_text("utf-8"), "utf-8")
    git(repo, "commit", "-q", "-a", "-m", "broken")
    result = diff("v1", "HEAD")
    assert result.exit_code == 1
    assert "HEAD:catalog/demo.yaml:8:5: error: unknown key 'wieght'" in result.stderr


def test_one_role_in_two_files_at_a_revision_is_an_error(repo: Path) -> None:
    """demo.yaml and demo.yml both say `id: demo`: read from git as from a folder, the second
    file is an error, not a silent replacement of the first (the same check, one place)."""
    twin = NEW.replace("name: Demo Role", "name: Other Demo")
    (repo / "catalog" / "demo.yml").write_text(twin, encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "a second file for role demo")
    for side, where in (("HEAD", "HEAD:catalog/"), ("catalog", "catalog/")):
        result = diff("v1", side)
        assert result.exit_code == 1, (side, result.stdout)
        assert (
            f"{where}demo.yml:2:5: error: role 'demo' is defined twice: "
            f"{where}demo.yaml and {where}demo.yml"
        ) in result.stderr
        assert "Other Demo" not in result.stdout


def test_bad_arguments_are_usage_errors(repo: Path) -> None:
    result = diff("no-such-rev", "HEAD")
    assert result.exit_code == 2
    assert "'no-such-rev' is neither an existing path nor a git revision" in result.stderr
    assert diff("HEAD:nowhere", "HEAD").exit_code == 2
    assert diff("HEAD", "HEAD", "--format", "xml").exit_code == 2


def test_textconv_outline_drives_git_diff(repo: Path) -> None:
    """A real `git diff` through the textconv driver shows values, not YAML lines."""
    result = runner.invoke(app, ["catalog", "textconv", "catalog/demo.yaml"])
    assert result.exit_code == 0, result.stderr
    assert "  kpi csat\n    name: Customer Satisfaction\n" in result.stdout
    assert "    weight: 100% (equal share)\n    period: monthly (role)\n" in result.stdout

    launcher = repo.parent / "kpicard-launcher.py"
    launcher.write_text(
        textwrap.dedent(
            """\
            from kpicard.cli import catalog as c
            from kpicard.cli.catalog_tools import register
            from kpicard.cli.main import app
            if not any(x.name == "textconv" for x in c.app.registered_commands):
                register(c.app)
            app(prog_name="kpicard")
            """
        ),
        encoding="utf-8",
    )
    (repo / ".gitattributes").write_text("catalog/*.yaml diff=kpicard\n", encoding="utf-8")
    git(
        repo, "config", "diff.kpicard.textconv", f'"{sys.executable}" "{launcher}" catalog textconv'
    )
    out = git(repo, "diff", "v1", "HEAD", "--", "catalog/demo.yaml")
    lines = out.splitlines()
    assert "-    target: 90" in lines and "+    target: 85" in lines
    assert "-    name: Accuracy" in lines and "+    name: Invoice Accuracy" in lines
    assert "+  rating 3: Meets expectations >= 80" in lines


def test_impact_when_a_role_is_added_or_removed(repo: Path) -> None:
    """A role on one side only: its people have no score there, and that is no input error.

    OTHER (added in HEAD): one KRA, one KPI `tickets`, higher 0 -> 10; T1 at 5 -> 50.
    """
    other = (
        "kpicard: 1\nid: other\nname: Other\nkras:\n  - id: main\n    name: Main\n"
        "    weight: 100\n    kpis:\n      - {id: tickets, name: Tickets, unit: count,"
        " direction: higher, threshold: 0, target: 10}\n"
    )
    (repo / "catalog" / "other.yaml").write_text(other, encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "other role")
    (repo / "mixed.csv").write_text(
        "employee_id,name,role,csat,accuracy,tickets\nE1,Ana,demo,80,98,\nT1,Tom,other,,,5\n",
        encoding="utf-8",
    )
    (repo / "tickets.csv").write_text("employee_id,tickets\nT1,5\n", encoding="utf-8")
    only_new = as_json("HEAD~1", "HEAD", "--impact", "tickets.csv", "--role", "other")
    (row,) = only_new["impact"]["employees"]
    assert (row["old"]["score"], row["new"]["score"]) == (None, 50.0)
    doc = as_json("HEAD~1", "HEAD", "--impact", "mixed.csv")
    rows = {r["employee"]: r for r in doc["impact"]["employees"]}
    assert rows["T1"]["old"]["score"] is None and rows["T1"]["new"]["score"] == 50.0
    back = as_json("HEAD", "HEAD~1", "--impact", "mixed.csv")
    rows = {r["employee"]: r for r in back["impact"]["employees"]}
    assert rows["T1"]["old"]["score"] == 50.0 and rows["T1"]["new"]["score"] is None
    text = diff("HEAD", "HEAD~1", "--impact", "mixed.csv")
    t1 = next(line for line in text.stdout.splitlines() if line.startswith("T1"))
    assert re.split(r"\s{2,}", t1)[-2:] == ["1 Below expectations", "-"]


def test_outline_keeps_one_fact_per_line_for_multi_line_text(tmp_path: Path) -> None:
    role_file = tmp_path / "r1.yaml"
    role_file.write_text(
        "kpicard: 1\nid: r1\nname: R\nkras:\n  - id: k\n    name: K\n    weight: 100\n"
        "    kpis:\n      - id: a\n        name: A\n        description: |\n"
        "          Line one.\n          Line two.\n        unit: count\n"
        "        direction: higher\n        threshold: 1\n        target: 2\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["catalog", "textconv", str(role_file)])
    assert result.exit_code == 0, result.stderr
    assert "    description: Line one.\\nLine two.\n" in result.stdout
    assert all(line.startswith(("role ", "kra ", "  ")) for line in result.stdout.splitlines())
