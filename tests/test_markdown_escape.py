"""One markdown escaper (kpicard.render.safe.md_escape) for every markdown kpicard writes: score
tables, batch reports and `catalog diff --format markdown` show text as itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from kpicard.cli.main import app
from kpicard.render.safe import clean, md_escape

runner = CliRunner()

NASTY = r"a|b *bold* _em_ `code` <b>x</b> \| [link](http://e)"
ESCAPED = r"a\|b \*bold\* \_em\_ \`code\` \<b>x\</b> \\\| [link\](http://e)"


def test_md_escape_escapes_what_markdown_would_read() -> None:
    assert md_escape(NASTY) == ESCAPED
    assert md_escape("-> >= [x] 1,500,000") == "-> >= [x] 1,500,000"  # readable as it is
    # cleaned first: ESC becomes the text \x1b, whose backslash is then escaped
    assert md_escape("line\none\x1b[2J") == r"line one\\x1b[2J"


@given(st.text(max_size=40))
def test_an_escaped_cell_never_ends_a_table_cell(text: str) -> None:
    escaped = md_escape(text)
    # every | is preceded by an odd number of backslashes: the text cannot split the cell
    for match in re.finditer(r"(\\*)\|", escaped):
        assert len(match.group(1)) % 2 == 1, escaped
    assert re.sub(r"\\(.)", r"\1", escaped) == clean(text)  # and it reads back as the text


ROLE = """\
kpicard: 1
id: demo
name: Demo
kras:
  - id: main
    name: Main
    weight: 100
    kpis:
      - {id: tickets, name: Tickets, unit: count, direction: higher, threshold: 0, target: 10}
"""


@pytest.fixture
def catalogs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for side, name in (("old", "Demo"), ("new", "Demo *new* | _v2_")):
        (tmp_path / side).mkdir()
        (tmp_path / side / "demo.yaml").write_text(
            ROLE.replace("name: Demo", f"name: '{name}'"), encoding="utf-8"
        )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KPICARD_CATALOG", raising=False)
    return tmp_path


def test_score_and_catalog_diff_markdown_escape_alike(catalogs: Path) -> None:
    diff = runner.invoke(app, ["catalog", "diff", "old", "new", "--format", "markdown"])
    assert diff.exit_code == 0, diff.stderr
    # the heading and the table cell spell the name the same way
    assert r"### `demo` Demo \*new\* \| \_v2\_ (changed)" in diff.stdout
    assert r"| ~ | role demo renamed 'Demo' -> 'Demo \*new\* \| \_v2\_' |" in diff.stdout

    (catalogs / "team.csv").write_text(f"employee_id,name,tickets\nE1,{NASTY},5\n", "utf-8")
    score = runner.invoke(
        app, ["score", "team.csv", "-r", "demo", "--catalog", "new", "--format", "markdown"]
    )
    assert score.exit_code == 0, score.stderr
    assert r"## Demo \*new\* \| \_v2\_ (`demo`)" in score.stdout
    assert f"| E1 | {ESCAPED} |" in score.stdout
