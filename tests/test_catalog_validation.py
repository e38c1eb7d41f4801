"""SPEC 1.3: every validation rule, through the CLI, with the file:line:col it must name."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kpicard.cli.main import app

runner = CliRunner()

VALID = """\
kpicard: 1
id: demo
name: Demo Role
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


def validate(tmp_path: Path, text: str, name: str = "demo.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return runner.invoke(app, ["catalog", "validate", str(path)]), path


def test_valid_role_passes(tmp_path: Path) -> None:
    result, _ = validate(tmp_path, VALID)
    assert result.exit_code == 0, result.stderr
    assert "ok: 1 role file(s) valid" in result.stderr


# (description, text, "line:col", message fragment)
CASES = [
    (
        "typo key with did-you-mean",
        VALID.replace("        stretch: 4\n", "        stretch: 4\n        wieght: 50\n"),
        "16:9",
        "unknown key 'wieght'; did you mean 'weight'?",
    ),
    (
        "typo treshold",
        VALID.replace("        threshold: 70", "        treshold: 70"),
        "20:9",
        "unknown key 'treshold'; did you mean 'threshold'?",
    ),
    (
        "duplicate key inside a KPI names both lines",
        VALID.replace("        target: 8\n", "        target: 8\n        target: 12\n"),
        "15:9",
        "duplicate key 'target' (first at line 14, again at line 15)",
    ),
    (
        "role id must equal file stem",
        VALID.replace("id: demo", "id: other"),
        "2:5",
        "role id 'other' must equal the file name's stem 'demo'",
    ),
    (
        "same KPI id in two KRAs",
        VALID.replace("      - id: accuracy", "      - id: csat"),
        "26:13",
        "KPI id 'csat' is the same id at line 16",
    ),
    (
        "duplicate KRA id",
        VALID.replace("  - id: quality", "  - id: service"),
        "22:9",
        "KRA id 'service' is the same id at line 5",
    ),
    (
        "KPI id differing only by case is not a slug and collides",
        VALID.replace("      - id: accuracy", "      - id: CSAT"),
        "26:13",
        "'CSAT' is not a valid id",
    ),
    (
        "empty name",
        VALID.replace("name: Quality", 'name: ""'),
        "23:11",
        "'name' must not be empty",
    ),
    (
        "KRA weights sum to 99.9",
        VALID.replace("weight: 40", "weight: 39.9"),
        "4:1",
        "KRA weights must sum to 100, they sum to 99.9",
    ),
    (
        "KRA weights sum to 100.1",
        VALID.replace("weight: 40", "weight: 40.1"),
        "4:1",
        "KRA weights must sum to 100, they sum to 100.1",
    ),
    (
        "negative KRA weight",
        VALID.replace("weight: 60", "weight: -60").replace("weight: 40", "weight: 160"),
        "7:13",
        "KRA weight must be positive",
    ),
    (
        "KPI weights all or none",
        VALID.replace("        stretch: 4\n", "        stretch: 4\n        weight: 50\n"),
        "8:5",
        "KPI weights must be given for all KPIs of a KRA or for none; missing for: csat",
    ),
    (
        "KPI weights sum to 100",
        VALID.replace("        stretch: 4\n", "        stretch: 4\n        weight: 50\n").replace(
            "        target: 90\n", "        target: 90\n        weight: 40\n"
        ),
        "8:5",
        "KPI weights must sum to 100, they sum to 90",
    ),
    (
        "higher: threshold below target",
        VALID.replace("threshold: 70", "threshold: 95"),
        "21:17",
        "for 'higher', threshold (95) must be below target (90)",
    ),
    (
        "lower: threshold above target",
        VALID.replace("threshold: 24", "threshold: 6"),
        "14:17",
        "for 'lower', threshold (6) must be above target (8)",
    ),
    (
        "lower: stretch below target",
        VALID.replace("stretch: 4", "stretch: 9"),
        "15:18",
        "for 'lower', stretch (9) must be below target (8)",
    ),
    (
        "higher: stretch above target",
        VALID.replace("stretch: 99.5", "stretch: 97"),
        "32:18",
        "for 'higher', stretch (97) must be above target (98)",
    ),
    (
        "range needs bands in order",
        VALID.replace(
            "        direction: higher\n        threshold: 90\n        target: 98\n"
            "        stretch: 99.5\n",
            "        direction: range\n        threshold: {min: 90, max: 99}\n"
            "        target: {min: 89, max: 95}\n",
        ),
        "31:9",
        "a 'range' KPI needs threshold.min < target.min <= target.max < threshold.max",
    ),
    (
        "range has no stretch",
        VALID.replace(
            "        direction: higher\n        threshold: 90\n        target: 98\n",
            "        direction: range\n        threshold: {min: 80, max: 99}\n"
            "        target: {min: 90, max: 95}\n",
        ),
        "32:18",
        "a 'range' KPI has no stretch",
    ),
    (
        "percent target out of bounds",
        VALID.replace("stretch: 99.5", "stretch: 120"),
        "32:18",
        "120 is outside the bounds of unit 'percent' [0, 100]",
    ),
    (
        "quoted number",
        VALID.replace("weight: 40", 'weight: "40"'),
        "24:13",
        "'weight' must be a number, got the text '40' (remove the quotes)",
    ),
    (
        "boolean number",
        VALID.replace("weight: 40", "weight: true"),
        "24:13",
        "'weight' must be a number, got the boolean true",
    ),
    (
        "nan weight",
        VALID.replace("weight: 40", "weight: .nan"),
        "24:13",
        "'weight' must be a finite number, got NaN",
    ),
    (
        "inf target",
        VALID.replace("target: 98", "target: .inf"),
        "31:17",
        "'target' must be a finite number",
    ),
    (
        "sexagesimal target",
        VALID.replace("target: 8", "target: 6:00"),
        "14:17",
        "'target' must be a plain number, got '6:00' (YAML 1.1 reads it as base 60)",
    ),
    (
        "octal target",
        VALID.replace("target: 8", "target: 010"),
        "14:17",
        "'target' must be a plain number, got '010' (YAML 1.1 reads a leading zero as octal)",
    ),
    (
        "direction: no stays text",
        VALID.replace("direction: lower", "direction: no"),
        "12:20",
        "'direction' must be 'higher', 'lower' or 'range', got the text 'no'",
    ),
    (
        "anchor refused",
        VALID.replace("threshold: 70", "threshold: &t 70"),
        "20:20",
        "anchor '&t' refused",
    ),
    (
        "tag refused",
        VALID.replace("name: Quality", "name: !!python/object/apply:os.system ['true']"),
        "23:11",
        "tag 'tag:yaml.org,2002:python/object/apply:os.system' refused",
    ),
    (
        "missing target",
        VALID.replace("        target: 90\n", ""),
        "16:9",
        "missing required key 'target' in this KPI",
    ),
    (
        "KRA without KPIs",
        VALID.replace(
            "    kpis:\n      - id: accuracy", "    kpis: []\n      # - id: accuracy"
        ).split("      # - id")[0],
        "25:5",
        "a KRA needs at least one KPI",
    ),
    (
        "role without KRAs",
        "kpicard: 1\nid: demo\nname: Demo\nkras: []\n",
        "4:1",
        "a role needs at least one KRA",
    ),
    (
        "rating scale levels must increase",
        VALID.replace(
            "kras:\n",
            "rating_scale:\n  - {level: 2, label: Good, min_score: 50}\n"
            "  - {level: 1, label: Poor, min_score: 60}\nkras:\n",
        ),
        "4:1",
        "the lowest level (1) must have min_score 0 or none",
    ),
    (
        "rating scale distinct labels",
        VALID.replace(
            "kras:\n",
            "rating_scale:\n  - {level: 2, label: Good, min_score: 50}\n"
            "  - {level: 1, label: Good}\nkras:\n",
        ),
        "4:1",
        "rating_scale labels must be distinct",
    ),
    ("format version", VALID.replace("kpicard: 1", "kpicard: 2"), "1:10", "'kpicard' must be 1"),
    # `true` and `1.0` equal 1 in Python; the version must still be the integer 1.
    (
        "format version boolean",
        VALID.replace("kpicard: 1", "kpicard: true"),
        "1:10",
        "'kpicard' must be the integer 1 (the catalog format version), got a boolean",
    ),
    (
        "format version float",
        VALID.replace("kpicard: 1", "kpicard: 1.0"),
        "1:10",
        "'kpicard' must be the integer 1 (the catalog format version), got 1.0",
    ),
    (
        "blank role name",
        VALID.replace("name: Demo Role", 'name: "   "'),
        "3:7",
        "'name' must not be blank",
    ),
    (
        "blank KRA name",
        VALID.replace("name: Quality", 'name: "\\t"'),
        "23:11",
        "'name' must not be blank",
    ),
    (
        "empty KPI name",
        VALID.replace("name: Accuracy", 'name: ""'),
        "27:15",
        "'name' must not be empty",
    ),
]


@pytest.mark.parametrize(
    ("text", "position", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_rule_reports_its_place(
    tmp_path: Path, text: str, position: str, fragment: str
) -> None:
    result, path = validate(tmp_path, text)
    assert result.exit_code == 1, result.stderr
    assert f"{path}:{position}: error: {fragment}" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_several_defects_are_all_reported(tmp_path: Path) -> None:
    text = (
        VALID.replace("weight: 40", 'weight: "40"')
        .replace("threshold: 70", "treshold: 70")
        .replace("target: 8", "target: 010")
    )
    result, path = validate(tmp_path, text)
    assert result.exit_code == 1
    assert f"{path}:14:17:" in result.stderr
    assert f"{path}:20:9:" in result.stderr
    assert f"{path}:24:13:" in result.stderr
    assert "4 error(s) in 1 of 1 role file(s)" in result.stderr


def test_errors_of_all_files_in_one_run(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        VALID.replace("id: demo", "id: a").replace("weight: 40", "weight: 4")
    )
    (tmp_path / "b.yaml").write_text(
        VALID.replace("id: demo", "id: b").replace("target: 8", "target: x")
    )
    (tmp_path / "c.yaml").write_text(VALID.replace("id: demo", "id: c"))
    result = runner.invoke(app, ["catalog", "validate", str(tmp_path)])
    assert result.exit_code == 1
    assert "a.yaml:4:1:" in result.stderr
    assert "b.yaml:14:17:" in result.stderr
    assert "2 error(s) in 2 of 3 role file(s)" in result.stderr


@pytest.mark.parametrize(
    ("content", "position", "fragment"),
    [
        (b"", "1:1", "empty role file"),
        (b"# only a comment\n", "1:1", "empty role file"),
        (b"- a\n- b\n", "1:1", "not a list"),
        (b"just text\n", "1:1", "not a single value"),
        (b"kpicard: 1\nid: demo\n---\nkpicard: 1\n", "3:1", "several YAML documents"),
        (b"kpicard: 1\nname: caf\x80\n", "2:10", "not UTF-8: byte 0x80"),
        (b"kpicard: 1\nkras:\n\t- id: a\n", "3:1", "found character '\\t'"),
        (b"kpicard: 1\nkras: [1, 2\nname: x\n", "2:7", "while parsing a flow sequence"),
        (b'kpicard: 1\nname: "open\nid: demo\n', "2:7", "while scanning a quoted scalar"),
        (b"[" * 1000, "1:66", "nesting deeper than 64 levels"),
    ],
)
def test_broken_yaml_files(tmp_path: Path, content: bytes, position: str, fragment: str) -> None:
    path = tmp_path / "demo.yaml"
    path.write_bytes(content)
    result = runner.invoke(app, ["catalog", "validate", str(path)])
    assert result.exit_code == 1, result.stderr
    assert f"{path}:{position}: error:" in result.stderr, result.stderr
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr


def test_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + VALID.encode())
    result = runner.invoke(app, ["catalog", "validate", str(path)])
    assert result.exit_code == 0, result.stderr


def test_python_tag_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "demo.yaml"
    path.write_text(f'name: !!python/object/apply:os.system ["touch {marker}"]\n')
    result = runner.invoke(app, ["catalog", "validate", str(path)])
    assert result.exit_code == 1
    assert not marker.exists()


def test_billion_laughs_refused_fast(tmp_path: Path) -> None:
    import time

    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{', '.join(['*' + prev] * 9)}]")
    path = tmp_path / "demo.yaml"
    path.write_text("\n".join(lines) + "\n")
    start = time.perf_counter()
    result = runner.invoke(app, ["catalog", "validate", str(path)])
    assert time.perf_counter() - start < 1.0
    assert result.exit_code == 1
    assert "anchor '&a' refused" in result.stderr


def test_oversized_file_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_bytes(b"# " + b"x" * (6 * 1024 * 1024) + b"\n")
    result = runner.invoke(app, ["catalog", "validate", str(path)])
    assert result.exit_code == 1
    assert "limit is 5 MB" in result.stderr


def test_yes_no_stay_text_for_text_fields(tmp_path: Path) -> None:
    text = VALID.replace("id: service", "id: no").replace("name: Service", "name: yes")
    result, _ = validate(tmp_path, text)
    assert result.exit_code == 0, result.stderr
    shown = runner.invoke(
        app, ["catalog", "show", "demo", "--catalog", str(tmp_path), "--format", "json"]
    )
    import json

    kra = json.loads(shown.stdout)["kras"][0]
    assert (kra["id"], kra["name"]) == ("no", "yes")


def test_weights_summing_within_tolerance_pass(tmp_path: Path) -> None:
    text = VALID.replace("weight: 60", "weight: 33.34").replace("weight: 40", "weight: 33.33")
    text += (
        "  - id: third\n    name: Third\n    weight: 33.33\n    kpis:\n"
        "      - {id: k3, name: K3, unit: count, direction: higher, threshold: 1, target: 5}\n"
    )
    result, _ = validate(tmp_path, text)
    assert result.exit_code == 0, result.stderr


def test_one_role_in_two_files_is_an_error(tmp_path: Path) -> None:
    """demo.yaml and demo.yml both say `id: demo`: neither may silently replace the other."""
    (tmp_path / "demo.yaml").write_text(VALID)
    (tmp_path / "demo.yml").write_text(VALID.replace("name: Demo Role", "name: Other Demo"))
    result = runner.invoke(app, ["catalog", "validate", str(tmp_path)])
    assert result.exit_code == 1
    assert (
        f"{tmp_path / 'demo.yml'}:2:5: error: role 'demo' is defined twice: "
        f"{tmp_path / 'demo.yaml'} and {tmp_path / 'demo.yml'}"
    ) in result.stderr
    listed = runner.invoke(app, ["catalog", "list", "--catalog", str(tmp_path)])
    assert listed.exit_code == 1 and "Other Demo" not in listed.stdout


def test_a_folder_without_role_files_is_not_valid(tmp_path: Path) -> None:
    """`ok: 0 role files` would let a mistyped folder pass a CI check."""
    (tmp_path / "notes.txt").write_text("not a role")
    result = runner.invoke(app, ["catalog", "validate", str(tmp_path)])
    assert result.exit_code == 2
    assert f"no role files (*.yaml, *.yml) in {tmp_path}" in result.stderr
