"""The review manifest: strict validation at file:line:col, relative paths, what gets written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kpicard.app.manifest import load_manifest
from kpicard.app.outputs import out_stems
from kpicard.cli import batch as batch_cli
from kpicard.cli.main import app
from kpicard.diagnostics import KpicardError

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "catalog"
HEADER = "employee_id,name,team,period,NPS,CSAT,Client Feedback\n"

if "batch" not in {c.name for c in app.registered_commands}:
    batch_cli.register(app)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def review(tmp_path: Path, body: str) -> Path:
    return write(tmp_path / "review" / "review.yaml", f"kpicard: 1\ncatalog: {CATALOG}\n{body}")


def errors(path: Path) -> list[str]:
    with pytest.raises(KpicardError) as info:
        load_manifest(path)
    assert info.value.kind == "usage"
    return [f"{d.location}: {d.message}" for d in info.value.diagnostics]


@pytest.fixture
def teams(tmp_path: Path) -> Path:
    folder = tmp_path / "review" / "teams"
    write(
        folder / "north.csv",
        HEADER + "E1,Ana,North,2026-Q3,30,85,90\nE2,Ben,North,2026-Q3,10,80,75\n",
    )
    write(folder / "south.csv", HEADER + "E3,Cy,South,2026-Q3,45,90,95\n")
    return folder


def test_valid_manifest_resolves_paths_against_its_folder(
    tmp_path: Path, teams: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = review(
        tmp_path,
        "inputs: [teams/]\nrole: account-coordinator\ngroup_by: team\n"
        "outputs:\n  - {path: out/scores.json}\n  - {path: out/review.txt}\n"
        "out_dir: out/teams\nformat: csv\n",
    )
    monkeypatch.chdir(tmp_path)  # another folder than the manifest's
    m = load_manifest(path)
    assert [Path(n).resolve() for n in m.inputs] == sorted(teams.resolve().glob("*.csv"))
    assert [(t.path.resolve(), t.format) for t in m.outputs] == [
        ((tmp_path / "review/out/scores.json").resolve(), "json"),
        ((tmp_path / "review/out/review.txt").resolve(), "table"),
    ]
    assert m.out_dir is not None and m.out_dir.resolve() == (tmp_path / "review/out/teams")
    assert m.out_format == "csv" and m.group_by == ["team"]
    assert [t.role for t in m.targets] == ["account-coordinator"] * 2


def test_unknown_key_has_did_you_mean_and_position(tmp_path: Path, teams: Path) -> None:
    path = review(tmp_path, "inputs: [teams/]\ngroup_bye: team\noutputs:\n  - {pth: a.json}\n")
    found = errors(path)
    assert any(e.endswith(":4:1: unknown key 'group_bye'; did you mean 'group_by'?") for e in found)
    assert any(e.endswith(":6:6: unknown key 'pth'; did you mean 'path'?") for e in found)
    assert any(e.endswith(":6:5: missing required key 'path'") for e in found)


def test_every_error_has_its_line_and_column(tmp_path: Path, teams: Path) -> None:
    path = review(
        tmp_path,
        "inputs:\n  - teams/\n  - {role: account-coordinator}\n"
        "  - {path: teams/north.csv, role: Nope}\n"
        "min_coverage: 1.5\ncap: '120'\nmissing: skip\ngroup_by: [team, division]\n"
        "keep_going: yes\nformat: csv\n",
    )
    found = errors(path)
    expected = [
        "5:5: missing required key 'path'",
        "6:35: 'Nope' is not a role id",
        "7:15: 'min_coverage' must be at most 1",
        "8:6: 'cap' must be a number, got the text '120'",
        "9:10: 'missing' must be 'exclude', 'zero' or 'error', got the text 'skip'",
        "10:18: 'group_by' must be 'team', 'manager' or 'role', got the text 'division'",
        "11:13: 'keep_going' must be true or false, got the text 'yes'",
        "12:1: 'format' is the format of out_dir",
    ]
    assert len(found) == len(expected), found
    for want, got in zip(expected, found, strict=True):
        assert f":{want}" in got


def test_paths_are_checked_once_the_manifest_is_valid(tmp_path: Path, teams: Path) -> None:
    path = review(
        tmp_path,
        "inputs:\n  - teams/\n  - nowhere/*.csv\n  - {path: gone.csv}\ncompare: q2.json\n",
    )
    found = errors(path)
    assert [e.split(":", 1)[1] for e in found] == [
        "5:5: no file matches nowhere/*.csv",
        "6:12: input not found: gone.csv (paths are relative to the manifest's folder)",
        "7:10: previous scores not found: q2.json",
    ]


def test_yaml_problems_are_positioned(tmp_path: Path) -> None:
    path = review(tmp_path, "inputs: &a [x.csv]\n")
    (only,) = errors(path)
    assert ":3:9: anchor '&a' refused" in only
    dup = review(tmp_path, "inputs: [a.csv]\ninputs: [b.csv]\n")
    assert any(":4:1: duplicate key 'inputs'" in e for e in errors(dup))


def test_output_over_an_input_is_refused(tmp_path: Path, teams: Path) -> None:
    path = review(
        tmp_path,
        "inputs: [teams/]\nrole: account-coordinator\noutputs: [{path: teams/north.csv}]\n",
    )
    assert any("is a file this batch reads; refusing to overwrite it" in e for e in errors(path))


@pytest.mark.parametrize(
    ("outputs", "compare"),
    [("[{path: review.yaml, format: json}]", ""), ("[{path: prev.json}]", "compare: prev.json\n")],
    ids=["the-manifest", "the-compare-file"],
)
def test_output_over_a_file_the_batch_reads_is_refused(
    tmp_path: Path, teams: Path, outputs: str, compare: str
) -> None:
    write(tmp_path / "review" / "prev.json", '{"kpicard": 1, "scorecards": []}')
    path = review(
        tmp_path, f"inputs: [teams/]\nrole: account-coordinator\n{compare}outputs: {outputs}\n"
    )
    found = errors(path)
    assert any("is a file this batch reads; refusing to overwrite it" in e for e in found), found


def test_xlsm_output_is_refused(tmp_path: Path, teams: Path) -> None:
    path = review(
        tmp_path, "inputs: [teams/]\nrole: account-coordinator\noutputs: [{path: out/r.xlsm}]\n"
    )
    assert any(
        ":5:18: 'out/r.xlsm': kpicard writes workbooks without macros" in e for e in errors(path)
    )


def test_output_over_a_catalog_role_file_is_refused(tmp_path: Path, teams: Path) -> None:
    catalog = tmp_path / "review" / "cat"
    catalog.mkdir()
    role_file = catalog / "account-coordinator.yaml"
    role_file.write_bytes((CATALOG / "account-coordinator.yaml").read_bytes())
    before = role_file.read_bytes()
    path = write(
        tmp_path / "review" / "review.yaml",
        "kpicard: 1\ncatalog: cat\ninputs: [teams/]\nrole: account-coordinator\n"
        "outputs: [{path: cat/account-coordinator.yaml, format: json}]\n",
    )
    result = _run(str(path))
    assert result.exit_code == 2, result.stderr
    assert "refusing to overwrite an input" in result.stderr
    assert role_file.read_bytes() == before


def _run(*args: str):
    return CliRunner().invoke(app, ["batch", *args])


def test_a_broken_input_means_nothing_is_written(tmp_path: Path, teams: Path) -> None:
    write(teams / "west.csv", HEADER + "E9,Zed,West,2026-Q3,abc,85,90\n")
    path = review(
        tmp_path,
        "inputs: [teams/]\nrole: account-coordinator\noutputs: [{path: out/all.json}]\n"
        "out_dir: out/teams\n",
    )
    result = _run(str(path))
    assert result.exit_code == 1, result.output
    assert "west.csv:E2: error:" in result.stderr and "nothing written" in result.stderr
    assert not (tmp_path / "review" / "out").exists()


def test_keep_going_writes_the_valid_inputs_and_exits_1(tmp_path: Path, teams: Path) -> None:
    write(teams / "west.csv", HEADER + "E9,Zed,West,2026-Q3,abc,85,90\n")
    path = review(
        tmp_path,
        "inputs: [teams/]\nrole: account-coordinator\noutputs: [{path: out/all.json}]\n"
        "out_dir: out/teams\nformat: json\nkeep_going: true\n",
    )
    result = _run(str(path))
    assert result.exit_code == 1, result.output
    out = tmp_path / "review" / "out"
    assert sorted(p.name for p in (out / "teams").iterdir()) == [
        "north.json",
        "south.json",
        "summary.json",
    ]
    summary = json.loads((out / "all.json").read_text(encoding="utf-8"))
    assert [c["employee"] for c in summary["scorecards"]] == ["E1", "E2", "E3"]
    left_out = "west.csv: warning: left out of this run (invalid input)"
    assert any(left_out in w for w in summary["warnings"])
    assert "not written: the output of" in result.stderr and "west.csv" in result.stderr
    # the same without keep_going in the manifest, but with the flag
    path.write_text(path.read_text().replace("keep_going: true\n", ""), encoding="utf-8")
    assert _run(str(path), "--keep-going").exit_code == 1
    assert _run(str(path)).exit_code == 1


def test_dry_run_writes_nothing(tmp_path: Path, teams: Path) -> None:
    path = review(
        tmp_path, "inputs: [teams/]\nrole: account-coordinator\noutputs: [{path: out/a.md}]\n"
    )
    result = _run(str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would write" in result.stdout and "out/a.md (markdown)" in result.stdout
    assert not (tmp_path / "review" / "out").exists()


def test_out_dir_names_never_collide(tmp_path: Path) -> None:
    stems = out_stems(["a/team.csv", "b/team.csv", "summary.csv", "c/x.csv", "d/x.xlsx"])
    assert stems == {
        "a/team.csv": "a--team",
        "b/team.csv": "b--team",
        "summary.csv": "summary-2",
        "c/x.csv": "c--x",
        "d/x.xlsx": "d--x",
    }
    assert len(set(stems.values())) == len(stems)


@pytest.mark.parametrize("order", ["named-sheet-first", "named-sheet-second"])
def test_one_workbook_listed_with_two_sheets_is_refused(
    tmp_path: Path, teams: Path, order: str
) -> None:
    """Each input is one sheet: the second entry would silently replace the first."""
    entries = ["{path: teams/east.xlsx, sheet: Q3 East}", "teams/east.xlsx"]
    if order == "named-sheet-second":
        entries.reverse()
    (teams / "east.xlsx").write_bytes(b"")  # the manifest checks paths, not contents, here
    path = review(tmp_path, f"inputs: [{', '.join(entries)}]\nrole: account-coordinator\n")
    found = errors(path)
    assert any("teams/east.xlsx is already an input" in e for e in found), found
    assert any("kpicard reads one sheet per input" in e for e in found), found


def test_dry_run_refuses_what_the_real_run_would(tmp_path: Path, teams: Path) -> None:
    """An output onto a catalog role file: the real run refuses it (exit 2), so the dry run
    must not say all is well."""
    catalog = tmp_path / "review" / "cat"
    catalog.mkdir()
    role_file = catalog / "account-coordinator.yaml"
    role_file.write_bytes((CATALOG / "account-coordinator.yaml").read_bytes())
    path = write(
        tmp_path / "review" / "review.yaml",
        "kpicard: 1\ncatalog: cat\ninputs: [teams/]\nrole: account-coordinator\n"
        "outputs: [{path: cat/account-coordinator.yaml, format: json}]\n",
    )
    before = role_file.read_bytes()
    dry = _run(str(path), "--dry-run")
    assert dry.exit_code == 2, dry.output
    assert "refusing to overwrite an input" in dry.stderr
    assert role_file.read_bytes() == before


def test_out_dir_on_an_input_folder_is_refused(tmp_path: Path, teams: Path) -> None:
    """A second run would read the first run's outputs as actuals."""
    path = review(
        tmp_path, "inputs: [teams/]\nrole: account-coordinator\nout_dir: teams\nformat: xlsx\n"
    )
    assert any("out_dir 'teams' is an input folder" in e for e in errors(path))
    result = CliRunner().invoke(
        app, ["score", str(teams), "-r", "account-coordinator", "--out-dir", str(teams)]
    )
    assert result.exit_code == 2 and "is an input folder" in result.stderr


def _diagnostics(path: Path) -> list:
    with pytest.raises(KpicardError) as info:
        load_manifest(path)
    assert info.value.kind == "usage"
    return info.value.diagnostics


@pytest.mark.parametrize(
    ("body", "where", "name"),
    [
        ('inputs: [teams/]\nid_column: "  "\n', "4:12", "id_column"),
        ("inputs: [teams/]\nrole: '  '\n", "4:7", "role"),
        ('inputs: [teams/]\nperiod: "\\t"\n', "4:9", "period"),
        ('inputs: [teams/]\nsheet: " "\n', "4:8", "sheet"),
        ('inputs: [teams/]\ncompare: "   "\n', "4:10", "compare"),
        ('inputs: ["  "]\n', "3:10", "inputs"),
        ('inputs:\n  - {path: " ", sheet: Q3}\n', "4:12", "path"),
        ('inputs:\n  - {path: teams/north.csv, sheet: "  "}\n', "4:36", "sheet"),
        ('inputs: [teams/]\noutputs: [{path: "  "}]\n', "4:18", "path"),
        ('inputs: [teams/]\nout_dir: "  "\n', "4:10", "out_dir"),
    ],
)
def test_a_text_field_of_only_spaces_is_refused_at_its_place(
    tmp_path: Path, teams: Path, body: str, where: str, name: str
) -> None:
    path = review(tmp_path, body)
    found = _diagnostics(path)
    wanted = f"{path.name}:{where}"
    blank = [d for d in found if "must not be blank" in d.message or "not a role id" in d.message]
    assert blank, [d.render() for d in found]
    (d,) = blank
    assert str(d.location).endswith(wanted), d.render()
    assert d.code == "manifest.invalid"
    assert f"'{name}' must not be blank" == d.message or name == "role"  # role: not a role id
    result = CliRunner().invoke(app, ["batch", str(path), "--dry-run"])
    assert result.exit_code == 2, result.output
    assert wanted in result.stderr


def test_a_blank_catalog_path_is_refused(tmp_path: Path, teams: Path) -> None:
    path = write(
        tmp_path / "review" / "review.yaml", "kpicard: 1\ncatalog: '  '\ninputs: [teams/]\n"
    )
    (d,) = _diagnostics(path)
    assert str(d.location).endswith("review.yaml:2:10")
    assert d.message == "'catalog' must not be blank"


@pytest.mark.parametrize(
    ("text", "code", "says"),
    [
        ("kpicard: 1\ninputs: &a [x.csv]\n", "manifest.alias", "refused: a manifest spells"),
        ("kpicard: 1\ninputs: !!set {x.csv}\n", "manifest.tag", "a manifest holds plain data"),
        ("kpicard: 1\n---\nkpicard: 1\n", "manifest.documents", "a manifest holds exactly one"),
        ("kpicard: 1\ninputs: [x.csv\n", "manifest.syntax", "invalid YAML"),
        ("kpicard: 1\n? [a]\n: 1\n", "manifest.key", "a mapping key must be a plain name"),
        ("kpicard: 1\ninputs: " + "[" * 100 + "]" * 100 + "\n", "manifest.depth", "nesting"),
        ("- kpicard: 1\n", "manifest.invalid", "a manifest must be a mapping of keys"),
        ("# only a comment\n", "manifest.invalid", "empty manifest"),
        ("kpicard: 1\nrole: caf\xe9\n", "manifest.encoding", "not UTF-8"),
        ("kpicard: 1\nkpicard: 1\ninputs: [x]\n", "manifest.duplicate-key", "duplicate key"),
    ],
)
def test_manifest_problems_have_manifest_codes_and_words(
    tmp_path: Path, text: str, code: str, says: str
) -> None:
    """The catalog's reader, told it reads a manifest: no 'catalog' or 'role file' wording."""
    path = tmp_path / "review.yaml"
    path.write_bytes(text.encode("latin-1"))
    found = _diagnostics(path)
    assert any(d.code == code and says in d.message for d in found), [d.render() for d in found]
    for d in found:
        assert d.code.startswith("manifest."), d.render()
        assert "catalog" not in d.message and "role file" not in d.message, d.render()
        assert d.location is not None and d.location.line is not None, d.render()
