"""Shared pieces of the hostile-input tests: a small catalog, a scratch folder to run in, and
helpers that assert what BAD_INPUTS.md demands of every refusal.

Every case runs `kpicard` end to end (CliRunner on `kpicard.cli.main.app`, or a real process
where signals and pipes matter) from inside a temporary folder, so messages name files the way
a user typed them (`team.csv:C3`, `team.xlsx!Sheet1!C3`).
"""

from __future__ import annotations

import io
import json
import os
import sys
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from kpicard.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"

ROLE = """\
kpicard: 1
id: mini
name: Mini Role
kras:
  - id: quality
    name: Quality
    weight: 50
    kpis:
      - {id: invoice-accuracy, name: Invoice Accuracy Rate, unit: percent, direction: higher,
         threshold: 80, target: 95, stretch: 99}
      - {id: share, name: Share Done, unit: ratio, direction: higher, threshold: 0.5,
         target: 0.9}
  - id: volume
    name: Volume
    weight: 50
    kpis:
      - {id: tickets, name: Tickets Closed, unit: count, direction: higher, threshold: 10,
         target: 50}
      - {id: revenue, name: Revenue, unit: currency, direction: higher, threshold: 1000,
         target: 5000}
      - {id: response, name: Response Time, unit: hours, direction: lower, threshold: 24,
         target: 8}
"""

OTHER = """\
kpicard: 1
id: other
name: Other Role
kras:
  - id: main
    name: Main
    weight: 100
    kpis:
      - {id: tickets, name: Tickets Closed, unit: count, direction: higher, threshold: 10,
         target: 50}
"""

HEADER = "employee_id,name,Invoice Accuracy Rate,Share Done,Tickets Closed,Revenue,Response Time"
PREVIOUS = b"an earlier output that must survive\n"

runner = CliRunner()


class Env:
    """A scratch folder (the working directory) with a catalog and an earlier output file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.catalog = root / "cat"
        self.catalog.mkdir()
        (self.catalog / "mini.yaml").write_text(ROLE, encoding="utf-8")
        (self.catalog / "other.yaml").write_text(OTHER, encoding="utf-8")
        self.out_dir = root / "out"
        self.out_dir.mkdir()
        self.out = self.out_dir / "result.json"
        self.out.write_bytes(PREVIOUS)

    def write(self, name: str, data: bytes | str) -> str:
        """Write a file in the scratch folder; return the name to pass on the command line."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8", newline="")
        else:
            path.write_bytes(data)
        return name

    def csv(self, rows: Sequence[str], name: str = "team.csv", header: str = HEADER) -> str:
        return self.write(name, "\n".join([header, *rows]) + "\n")

    def invoke(self, *args: str, stdin: bytes | str | None = None, role: bool = True) -> Result:
        argv = ["score", *args, "--catalog", "cat"]
        if role and "--role" not in args and "-r" not in args:
            argv += ["--role", "mini"]
        return runner.invoke(app, argv, input=stdin)

    def refused(
        self,
        *args: str,
        where: str | None = None,
        says: str | Iterable[str] = (),
        code: int = 1,
        stdin: bytes | str | None = None,
        role: bool = True,
    ) -> Result:
        """Run with `-o out/result.json`; assert the refusal and that no output changed."""
        result = self.invoke(*args, "-o", "out/result.json", stdin=stdin, role=role)
        assert_clean_failure(result, code)
        if where is not None:
            assert f"{where}: error: " in result.stderr, result.stderr
        for fragment in [says] if isinstance(says, str) else says:
            assert fragment in result.stderr, result.stderr
        self.assert_output_untouched()
        return result

    def scores(self, *args: str, stdin: bytes | str | None = None) -> dict[str, Any]:
        """Run with `--format json` to stdout; the parsed document (exit 0 asserted)."""
        result = self.invoke(*args, "--format", "json", stdin=stdin)
        assert result.exit_code == 0, result.stderr
        assert "Traceback" not in result.stderr
        return json.loads(result.stdout)

    def assert_output_untouched(self) -> None:
        assert self.out.read_bytes() == PREVIOUS
        assert sorted(p.name for p in self.out_dir.iterdir()) == ["result.json"]


def assert_clean_failure(result: Result, code: int) -> None:
    """The exit code, a message, and no traceback anywhere."""
    text = result.stdout + result.stderr
    assert result.exit_code == code, f"exit {result.exit_code}\n{text}"
    assert result.stderr.strip(), "a refusal must say why"
    assert "Traceback" not in text
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)


def actuals(doc: dict[str, Any], employee: str = "E1") -> dict[str, float | None]:
    """KPI id -> actual of one employee's scorecard in a JSON document."""
    card = next(c for c in doc["scorecards"] if c["employee"] == employee)
    return {k["id"]: k["actual"] for kra in card["kras"] for k in kra["kpis"]}


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Env:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KPICARD_CATALOG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    return Env(tmp_path)


# --- Workbooks built by code -----------------------------------------------------------------

CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def sheet_xml(rows_xml: str, head: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{head}'
        f'<worksheet xmlns="{MAIN_NS}"><sheetData>{rows_xml}</sheetData></worksheet>'
    )


def raw_xlsx(
    sheets: dict[str, str],
    *,
    shared: str | None = None,
    states: dict[str, str] | None = None,
    drop: Iterable[str] = (),
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A minimal workbook from sheet XML written by hand (for what openpyxl will not write)."""
    states = states or {}
    files: dict[str, str] = {}
    overrides = [
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    ]
    book_sheets, rels = [], []
    for i, (name, xml) in enumerate(sheets.items(), start=1):
        state = f' state="{states[name]}"' if name in states else ""
        book_sheets.append(f'<sheet name="{name}" sheetId="{i}"{state} r:id="rId{i}"/>')
        rels.append(
            f'<Relationship Id="rId{i}" Type="{DOC_REL}/worksheet" '
            f'Target="worksheets/sheet{i}.xml"/>'
        )
        files[f"xl/worksheets/sheet{i}.xml"] = xml
    if shared is not None:
        rels.append(
            f'<Relationship Id="rIdS" Type="{DOC_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        )
        files["xl/sharedStrings.xml"] = shared
    files["[Content_Types].xml"] = (
        f'<?xml version="1.0"?><Types xmlns="{CT_NS}">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/>' + "".join(overrides) + "</Types>"
    )
    files["_rels/.rels"] = (
        f'<?xml version="1.0"?><Relationships xmlns="{REL_NS}">'
        f'<Relationship Id="rId1" Type="{DOC_REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    files["xl/workbook.xml"] = (
        f'<?xml version="1.0"?><workbook xmlns="{MAIN_NS}" xmlns:r="{DOC_REL}"><sheets>'
        + "".join(book_sheets)
        + "</sheets></workbook>"
    )
    files["xl/_rels/workbook.xml.rels"] = (
        f'<?xml version="1.0"?><Relationships xmlns="{REL_NS}">'
        + "".join(rels)
        + "</Relationships>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, text in files.items():
            if name not in drop:
                archive.writestr(name, text)
    return buffer.getvalue()


def cell_xml(ref: str, value: object) -> str:
    """One `<c>`: numbers as numbers, text as an inline string."""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    from xml.sax.saxutils import escape

    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def rows_xml(rows: Sequence[Sequence[object]], first: int = 1) -> str:
    from kpicard.actuals.grid import column_letter

    out = []
    for number, row in enumerate(rows, start=first):
        cells = "".join(
            cell_xml(f"{column_letter(i)}{number}", v) for i, v in enumerate(row) if v is not None
        )
        out.append(f'<row r="{number}">{cells}</row>')
    return "".join(out)


HEADER_CELLS = HEADER.split(",")


def subprocess_env() -> dict[str, str]:
    """Environment for `python -m kpicard` in a child process."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
        "NO_COLOR": "1",
        "KPICARD_CATALOG": "",
    }


PYTHON = sys.executable
