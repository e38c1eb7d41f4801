"""Command-line behaviour that SPEC 4, 5 and 8 promise and no other test pinned: NO_COLOR and
plain piped output, the batch progress bar on a terminal, `--version`, the JSON of a `range`
KPI, CSV columns across roles, `--out-dir`, and bad option values.

Terminal behaviour runs a real process on a pseudo-terminal (stdout and stderr are the pty's
slave; the master is read until EOF); the rest runs through typer's CliRunner, whose stdout and
stderr are separate. Every expected score is worked out by hand from SPEC 2.1-2.2.
"""

from __future__ import annotations

import csv
import fcntl
import importlib.metadata
import io
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from hostile.conftest import OTHER
from hostile.conftest import ROLE as MINI  # the two-role catalog of the hostile tests
from typer.testing import CliRunner

from kpicard.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
runner = CliRunner()

# A range KPI: band [a, b] = [40, 60], floors c = 10, d = 100 (SPEC 1.3: c < a <= b < d).
BAND = """\
kpicard: 1
id: band
name: Band Role
kras:
  - id: load
    name: Load
    weight: 100
    kpis:
      - {id: utilisation, name: Utilisation, unit: number, direction: range,
         threshold: {min: 10, max: 100}, target: {min: 40, max: 60}}
"""

HEADER = "employee_id,name,Invoice Accuracy Rate,Share Done,Tickets Closed,Revenue,Response Time"
# By hand (SPEC 2.1, cap 120), role mini:
# E1: every KPI exactly at target -> 100 each; KRAs 100, 100; overall 100; coverage 1.0;
#     100 >= 90 -> level 3 "Meets expectations".
# E2: accuracy 87.5 -> 100 * (87.5 - 80) / (95 - 80) = 50; share 0.7 -> 100 * 0.2 / 0.4 = 50;
#     tickets 30 -> 100 * 20 / 40 = 50; revenue 3000 -> 100 * 2000 / 4000 = 50;
#     response 16 -> 100 * (24 - 16) / (24 - 8) = 50; KRAs 50, 50; overall 50;
#     50 < 70 -> level 1 "Below expectations".
ROW_E1 = "95,0.9,50,5000,8"
ROW_E2 = "87.5,0.7,30,3000,16"


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch working directory holding the catalog folder `cat` (mini, other, band)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KPICARD_CATALOG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")  # CliRunner is no terminal anyway
    cat = tmp_path / "cat"
    cat.mkdir()
    (cat / "mini.yaml").write_text(MINI, encoding="utf-8")
    (cat / "other.yaml").write_text(OTHER, encoding="utf-8")
    (cat / "band.yaml").write_text(BAND, encoding="utf-8")
    return tmp_path


def write_csv(path: Path, rows: list[str], header: str = HEADER) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return os.path.relpath(path)


# --------------------------------------------------------------------------- real processes


def child_env(no_color: bool) -> dict[str, str]:
    """The environment of `python -m kpicard`: this tree's source, a colour terminal type, and
    none of the variables that force or forbid colour unless asked."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "NO_COLOR",
            "FORCE_COLOR",
            "TTY_COMPATIBLE",
            "TTY_INTERACTIVE",
            "CLICOLOR_FORCE",
            "COLUMNS",
            "LINES",
            "KPICARD_CATALOG",
        }
    }
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])
    env["TERM"] = "xterm-256color"
    if no_color:
        env["NO_COLOR"] = "1"
    return env


KPICARD = [sys.executable, "-m", "kpicard"]


def run_on_pty(args: list[str], cwd: Path, *, no_color: bool = False, timeout: float = 30):
    """Run kpicard with stdout and stderr on a pseudo-terminal; (exit code, all it wrote)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    try:
        child = subprocess.Popen(
            KPICARD + args,
            cwd=cwd,
            env=child_env(no_color),
            stdin=subprocess.DEVNULL,
            stdout=slave,
            stderr=slave,
            close_fds=True,
        )
    finally:
        os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([master], [], [], max(left, 0))
            if not ready:
                child.kill()
                child.wait()
                pytest.fail(f"kpicard {args} still running after {timeout} s")
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed its end of the terminal
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
    code = child.wait(timeout=timeout)
    return code, b"".join(chunks).decode("utf-8", "replace")


def run_piped(args: list[str], cwd: Path, *, timeout: float = 30) -> subprocess.CompletedProcess:
    """Run kpicard with stdout and stderr on pipes (no terminal), colour not forbidden."""
    return subprocess.run(
        KPICARD + args,
        cwd=cwd,
        env=child_env(no_color=False),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


SGR = re.compile(r"\x1b\[([0-9;:]*)m")


def strip_escapes(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;:?]*[A-Za-z]", "", text)


def colour_codes(text: str) -> list[str]:
    """The SGR sequences that set a colour: 30-39/40-49 (incl. 38;5;n / 38;2;r;g;b, default
    39/49), bright 90-97/100-107, underline colour 58. Bold, italic, dim and reset are not."""
    found = []
    for match in SGR.finditer(text):
        params = [int(p) if p else 0 for p in re.split("[;:]", match.group(1))]
        if any(30 <= p <= 49 or 90 <= p <= 97 or 100 <= p <= 107 or p == 58 for p in params):
            found.append(match.group(0))
    return found


def test_colour_code_detector() -> None:
    # the detector itself: colours are found, bold/italic/reset are not
    assert colour_codes("\x1b[31mred\x1b[0m \x1b[38;5;237mgrey\x1b[0m") == [
        "\x1b[31m",
        "\x1b[38;5;237m",
    ]
    assert colour_codes("\x1b[1mbold\x1b[0m \x1b[3mitalic\x1b[0m \x1b[2mdim\x1b[0m") == []


# --------------------------------------------------------------------------- 1. NO_COLOR


@pytest.fixture
def colourful(work: Path) -> list[str]:
    """A score run whose table has a coloured rating (level 1 is red) and whose stderr has a
    warning (an unknown column), so both consoles have something to colour."""
    write_csv(
        work / "team.csv",
        [f"E1,Ana,{ROW_E1},42", f"E2,Bo,{ROW_E2},40"],
        header=HEADER + ",Shoe Size",
    )
    return ["score", "team.csv", "--role", "mini", "--catalog", "cat"]


def test_terminal_output_is_coloured(work: Path, colourful: list[str]) -> None:
    code, out = run_on_pty(colourful, work)
    assert code == 0, out
    assert "Below expectations" in out and "Shoe Size" in out
    assert colour_codes(out), repr(out)


def test_no_color_removes_every_colour_on_a_terminal(work: Path, colourful: list[str]) -> None:
    code, out = run_on_pty(colourful, work, no_color=True)
    assert code == 0, out
    # the same content, still on a terminal (bold and boxes may stay), but no colour at all
    assert "Below expectations" in out and "Meets expectations" in out
    assert "Shoe Size" in out and "warning" in out
    assert colour_codes(out) == [], repr(out)


def test_piped_output_has_no_escape_sequences(work: Path, colourful: list[str]) -> None:
    result = run_piped(colourful, work)
    assert result.returncode == 0, result.stderr
    assert "Below expectations" in result.stdout
    assert "warning" in result.stderr and "Shoe Size" in result.stderr
    assert "\x1b" not in result.stdout, repr(result.stdout)
    assert "\x1b" not in result.stderr, repr(result.stderr)


# --------------------------------------------------------------------------- 2. progress bar


@pytest.fixture
def seven_inputs(work: Path) -> list[str]:
    names = [write_csv(work / f"f{i}.csv", [f"E{i},Name {i},{ROW_E1}"]) for i in range(1, 8)]
    return ["score", *names, "--role", "mini", "--catalog", "cat", "--format", "json"]


def test_batch_shows_progress_on_a_terminal(work: Path, seven_inputs: list[str]) -> None:
    code, out = run_on_pty([*seven_inputs, "-o", "out.json"], work)
    assert code == 0, out
    assert "scoring" in out, repr(out)
    assert "/7" in out, repr(out)  # the count of inputs done, out of 7
    assert "wrote out.json" in out
    doc = json.loads((work / "out.json").read_text(encoding="utf-8"))
    assert [c["employee"] for c in doc["scorecards"]] == [f"E{i}" for i in range(1, 8)]


def test_batch_shows_no_progress_when_piped(work: Path, seven_inputs: list[str]) -> None:
    result = run_piped([*seven_inputs, "-o", "out.json"], work)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "scoring" not in result.stderr
    assert "/7" not in result.stderr
    assert "\x1b" not in result.stderr and "\r" not in result.stderr
    assert "━" not in result.stderr
    assert "wrote out.json" in result.stderr
    assert len(json.loads((work / "out.json").read_text(encoding="utf-8"))["scorecards"]) == 7


@pytest.fixture
def one_large_input(work: Path) -> list[str]:
    """One CSV just over the 1 MB at which a single input gets its own bar (padded names)."""
    pad = "x" * 200
    rows = [f"E{i},Name {i} {pad},{ROW_E1}" for i in range(5200)]
    name = write_csv(work / "big.csv", rows)
    assert (work / name).stat().st_size > 1_000_000
    return ["score", name, "--role", "mini", "--catalog", "cat", "--format", "csv"]


def test_one_large_input_shows_reading_and_scoring_on_a_terminal(
    work: Path, one_large_input: list[str]
) -> None:
    code, out = run_on_pty([*one_large_input, "-o", "out.csv"], work)
    assert code == 0, out
    text = strip_escapes(out)
    assert "reading" in text and "scoring" in text and "big.csv" in text, repr(out)
    assert (work / "out.csv").read_text(encoding="utf-8").count("\n") == 5201


def test_one_large_input_shows_nothing_when_piped(work: Path, one_large_input: list[str]) -> None:
    result = run_piped([*one_large_input, "-o", "out.csv"], work)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "wrote out.csv\n"


def test_a_long_workbook_export_shows_a_spinner_only_on_a_terminal(work: Path) -> None:
    rows = [f"E{i},Name {i},{ROW_E1}" for i in range(600)]
    args = ["score", write_csv(work / "team.csv", rows), "-r", "mini", "--catalog", "cat"]
    code, out = run_on_pty([*args, "-o", "out.xlsx"], work)
    assert code == 0, out
    assert "writing out.xlsx (600 scorecards)" in strip_escapes(out)
    piped = run_piped([*args, "-o", "again.xlsx"], work)
    assert piped.returncode == 0 and piped.stderr == "wrote again.xlsx\n", piped.stderr


# --------------------------------------------------------------------------- 3. --version


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"kpicard {importlib.metadata.version('kpicard')}\n"


# --------------------------------------------------------------------------- 4. range KPI

# By hand (SPEC 2.1, range; a = 40, b = 60, c = 10, d = 100). One KPI in one KRA of weight 100,
# so the KRA and overall scores equal the KPI score; coverage 1.0 for every row.
BAND_CASES = {
    "E1": (50, 100.0, "met"),  # inside the band
    "E2": (40, 100.0, "met"),  # the band's lower edge a: a <= v <= b
    "E3": (60, 100.0, "met"),  # the band's upper edge b
    "E4": (25, 50.0, "below"),  # c < v < a: 100 * (25 - 10) / (40 - 10) = 50
    "E5": (19, 30.0, "below"),  # 100 * (19 - 10) / (40 - 10) = 30
    "E6": (85, 37.5, "below"),  # b < v < d: 100 * (100 - 85) / (100 - 60) = 37.5
    "E7": (10, 0.0, "missed"),  # v = c: otherwise 0
    "E8": (100, 0.0, "missed"),  # v = d: otherwise 0
}


def test_range_kpi_json(work: Path) -> None:
    rows = [f"{e},Name {e},{v}" for e, (v, _s, _st) in BAND_CASES.items()]
    write_csv(work / "band.csv", rows, header="employee_id,name,Utilisation")
    result = runner.invoke(
        app, ["score", "band.csv", "--role", "band", "--catalog", "cat", "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    cards = json.loads(result.stdout)["scorecards"]
    assert [c["employee"] for c in cards] == list(BAND_CASES)
    for card in cards:
        value, expected, status = BAND_CASES[card["employee"]]
        (kra,) = card["kras"]
        (kpi,) = kra["kpis"]
        assert kpi["direction"] == "range"
        assert kpi["target"] == {"min": 40, "max": 60}
        assert kpi["threshold"] == {"min": 10, "max": 100}
        assert kpi["stretch"] is None
        assert kpi["actual"] == value
        assert kpi["score"] == pytest.approx(expected, rel=1e-12, abs=1e-12), card["employee"]
        assert kpi["status"] == status, card["employee"]
        assert kra["score"] == pytest.approx(expected, rel=1e-12, abs=1e-12)
        assert card["score"] == pytest.approx(expected, rel=1e-12, abs=1e-12)
        assert card["coverage"] == 1.0


# --------------------------------------------------------------------------- 5. CSV columns

BASE = "employee,name,role,team,manager,period,score,coverage,rating_level,rating_label"


def test_csv_columns_with_mixed_roles(work: Path) -> None:
    # other/E2: tickets 30 -> 100 * (30 - 10) / (50 - 10) = 50; overall 50 -> level 1.
    write_csv(
        work / "mixed.csv",
        [f"E1,Ana,mini,{ROW_E1}", "E2,Bo,other,,,30,,", f"E3,Cy,mini,{ROW_E2}"],
        header="employee_id,name,role" + HEADER.removeprefix("employee_id,name"),
    )
    result = runner.invoke(app, ["score", "mixed.csv", "--catalog", "cat", "--format", "csv"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == BASE + ",mini.quality,mini.volume,other.main"
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["employee"] for r in rows] == ["E1", "E2", "E3"]
    assert [r["role"] for r in rows] == ["mini", "other", "mini"]

    e1, e2, e3 = rows
    assert float(e1["score"]) == pytest.approx(100, rel=1e-12)
    assert (e1["rating_level"], e1["rating_label"]) == ("3", "Meets expectations")
    assert float(e1["mini.quality"]) == pytest.approx(100, rel=1e-12)
    assert float(e1["mini.volume"]) == pytest.approx(100, rel=1e-12)
    assert e1["other.main"] == ""
    # the other role's row: empty cells under mini's KRAs
    assert (e2["mini.quality"], e2["mini.volume"]) == ("", "")
    assert float(e2["other.main"]) == pytest.approx(50, rel=1e-12)
    assert float(e2["score"]) == pytest.approx(50, rel=1e-12)
    assert (e2["rating_level"], e2["rating_label"]) == ("1", "Below expectations")
    assert (e2["team"], e2["manager"], e2["period"]) == ("", "", "")
    assert float(e3["mini.quality"]) == pytest.approx(50, rel=1e-12)
    assert float(e3["mini.volume"]) == pytest.approx(50, rel=1e-12)
    assert float(e3["score"]) == pytest.approx(50, rel=1e-12)
    assert e3["other.main"] == ""


def test_csv_columns_with_one_role_are_plain_kra_ids(work: Path) -> None:
    write_csv(work / "team.csv", [f"E1,Ana,{ROW_E1}", f"E2,Bo,{ROW_E2}"])
    result = runner.invoke(
        app, ["score", "team.csv", "--role", "mini", "--catalog", "cat", "--format", "csv"]
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == BASE + ",quality,volume"
    assert len(lines) == 3


# --------------------------------------------------------------------------- 6. --out-dir


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_out_dir_writes_one_output_per_input_and_a_summary(work: Path) -> None:
    write_csv(work / "q" / "team-a.csv", [f"A1,Ana,{ROW_E1}", f"A2,Bo,{ROW_E2}"])
    write_csv(work / "q" / "team-b.csv", [f"B1,Cy,{ROW_E2}"])
    result = runner.invoke(
        app,
        ["score", "q/", "--out-dir", "out", "-f", "json", "--role", "mini", "--catalog", "cat"],
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    out = work / "out"
    names = ["team-a.json", "team-b.json", "summary.json"]
    assert sorted(p.name for p in out.iterdir()) == sorted(names)
    for name in names:  # each path written is named on stderr
        assert str(Path("out") / name) in result.stderr, result.stderr
    a, b, summary = (load(out / n) for n in names)
    assert [c["employee"] for c in a["scorecards"]] == ["A1", "A2"]
    assert [c["employee"] for c in b["scorecards"]] == ["B1"]
    assert [c["score"] for c in a["scorecards"] + b["scorecards"]] == pytest.approx(
        [100, 50, 50], rel=1e-12
    )
    assert summary["scorecards"] == a["scorecards"] + b["scorecards"]


def test_out_dir_prefixes_stems_shared_by_two_inputs(work: Path) -> None:
    write_csv(work / "q1" / "t1.csv", [f"N1,Ana,{ROW_E1}"])
    write_csv(work / "q2" / "t1.csv", [f"S1,Bo,{ROW_E2}"])
    result = runner.invoke(
        app,
        ["score", "q*/t1.csv", "--out-dir", "out", "-f", "json", "--role", "mini"]
        + ["--catalog", "cat"],
    )
    assert result.exit_code == 0, result.stderr
    out = work / "out"
    names = ["q1--t1.json", "q2--t1.json", "summary.json"]
    assert sorted(p.name for p in out.iterdir()) == sorted(names)
    for name in names:
        assert str(Path("out") / name) in result.stderr, result.stderr
    first, second, summary = (load(out / n) for n in names)
    assert [c["employee"] for c in first["scorecards"]] == ["N1"]
    assert [c["employee"] for c in second["scorecards"]] == ["S1"]
    assert summary["scorecards"] == first["scorecards"] + second["scorecards"]
    assert [c["score"] for c in summary["scorecards"]] == pytest.approx([100, 50], rel=1e-12)


# --------------------------------------------------------------------------- 7. bad values


@pytest.mark.parametrize(
    ("option", "says"),
    [
        (["--missing", "maybe"], ["maybe", "exclude", "zero", "error"]),
        (["--min-coverage", "1.5"], ["--min-coverage", "0..1", "1.5"]),
        (["--cap", "90"], ["--cap", "100", "90"]),
        # not an internal error (exit 3): the user typed it
        (["--cap", "nan"], ["--cap", "100", "nan"]),
        (["--cap", "inf"], ["--cap", "100", "inf"]),
        (["--min-coverage", "nan"], ["--min-coverage", "0..1", "nan"]),
    ],
)
def test_bad_option_values_are_usage_errors(work: Path, option: list[str], says: list[str]) -> None:
    write_csv(work / "team.csv", [f"E1,Ana,{ROW_E1}"])
    result = runner.invoke(
        app, ["score", "team.csv", "--role", "mini", "--catalog", "cat", *option, "-o", "x.json"]
    )
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    for fragment in says:
        assert fragment in result.stderr, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout == ""
    assert not (work / "x.json").exists()


# --------------------------------------------------------------------------- help and usage errors

BOX = set("╭╮╰╯│─")


@pytest.mark.parametrize(
    "args", [["score", "team.csv", "--bogus"], ["--help"], ["score", "--help"]], ids=str
)
def test_help_and_usage_errors_are_plain_text_when_piped(work: Path, args: list[str]) -> None:
    """SPEC 4: boxes and colour only on a terminal - Typer's panels included."""
    done = run_piped(args, work)
    text = done.stdout + done.stderr
    assert "Usage: kpicard" in text
    assert not BOX & set(text), text
    assert "\x1b" not in text


def test_usage_errors_keep_their_panel_on_a_terminal(work: Path) -> None:
    code, text = run_on_pty(["score", "team.csv", "--bogus"], work)
    assert code == 2
    assert "No such option: --bogus" in strip_escapes(text)
    assert BOX & set(text)


# --------------------------------------------------------------------------- --compare warnings


def test_compare_warning_goes_to_stderr_in_every_output(work: Path) -> None:
    """A previous file scored with another catalog version: the warning is never lost in a file
    output, and never mixed into data on stdout (SPEC 4: warnings on stderr)."""
    team = write_csv(work / "team.csv", [f"E1,Ana,{ROW_E1}"])
    base = ["score", team, "--role", "mini", "--catalog", "cat"]
    first = runner.invoke(app, [*base, "--format", "json", "-o", "prev.json"])
    assert first.exit_code == 0, first.stderr
    (work / "cat" / "mini.yaml").write_text(MINI.replace("name: Mini", "name: Mini v2", 1))
    says = "prev.json was scored with another catalog version"
    for output in (["-o", "now.csv"], ["-o", "now.xlsx"], ["--format", "table"]):
        result = runner.invoke(app, [*base, "--compare", "prev.json", *output])
        assert result.exit_code == 0, result.stderr
        assert says in result.stderr, output
        assert says not in result.stdout, output
    as_json = runner.invoke(app, [*base, "--compare", "prev.json", "--format", "json"])
    assert any(says in w for w in json.loads(as_json.stdout)["comparison"]["warnings"])
