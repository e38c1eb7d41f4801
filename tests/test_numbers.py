"""One way to spell a number for people (kpicard.render.numbers): `1,500,000`, never `1.5e+06`,
in `catalog show`, `score --detail`, `explain` and `catalog diff` alike."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from typer.testing import CliRunner

from kpicard.cli.main import app
from kpicard.render.numbers import (
    bound_text,
    fixed,
    fmt_change,
    fmt_number,
    fmt_score,
    number,
    percent_text,
)

runner = CliRunner()

# Revenue in USD: threshold 1.5 million, target 2 million; a tiny share weight to show that
# small numbers keep their digits too. (:g printed 1.5e+06 and 2e+06 here.)
ROLE = """\
kpicard: 1
id: sales
name: Sales
period: quarterly
kras:
  - id: revenue
    name: Revenue
    weight: 100
    kpis:
      - id: booked
        name: Booked Revenue
        unit: currency
        currency: USD
        direction: higher
        threshold: 1500000
        target: 2000000
        stretch: 2500000.5
"""

ACTUALS = "employee_id,name,booked\nS1,Sam,1750000\n"
E_NOTATION = re.compile(r"\de[+-]?\d", re.IGNORECASE)


@pytest.fixture
def sales(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "sales.yaml").write_text(ROLE, encoding="utf-8")
    (tmp_path / "team.csv").write_text(ACTUALS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KPICARD_CATALOG", raising=False)
    return catalog


def ok(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    assert not E_NOTATION.search(result.stdout), result.stdout
    return result.stdout


def test_catalog_show_writes_large_numbers_with_separators(sales: Path) -> None:
    out = ok(["catalog", "show", "sales", "--catalog", str(sales)])
    assert "threshold 1,500,000, target 2,000,000, stretch 2,500,000.5, weight 100%" in out


def test_score_detail_writes_large_numbers_with_separators(sales: Path) -> None:
    out = ok(["score", "team.csv", "-r", "sales", "--catalog", str(sales), "--detail"])
    row = next(line for line in out.splitlines() if line.startswith("revenue"))
    cells = re.split(r"\s{2,}", row.strip())
    # KRA, KPI, actual, threshold, target, stretch, weight, score, status
    assert cells[2:7] == ["1,750,000", "1,500,000", "2,000,000", "2,500,000.5", "100"]


def test_explain_writes_large_numbers_with_separators(sales: Path) -> None:
    out = ok(["explain", "team.csv", "-r", "sales", "-e", "S1", "--catalog", str(sales)])
    assert "higher, threshold 1,500,000, target 2,000,000, stretch 2,500,000.5" in out
    assert "Booked Revenue: actual 1,750,000 from team.csv" in out
    assert "100 x (1,750,000 - 1,500,000) / (2,000,000 - 1,500,000) = 50" in out


def test_catalog_diff_writes_large_numbers_with_separators(sales: Path, tmp_path: Path) -> None:
    new = tmp_path / "new"
    new.mkdir()
    (new / "sales.yaml").write_text(
        ROLE.replace("threshold: 1500000", "threshold: 1250000"), encoding="utf-8"
    )
    out = ok(["catalog", "diff", str(sales), str(new)])
    assert "  ~ KPI booked threshold: 1,500,000 -> 1,250,000" in out.splitlines()
    markdown = ok(["catalog", "diff", str(sales), str(new), "--format", "markdown"])
    assert "| ~ | KPI booked threshold: 1,500,000 -> 1,250,000 |" in markdown
    outline = ok(["catalog", "textconv", str(new / "sales.yaml")])
    assert "    threshold: 1,250,000\n    target: 2,000,000\n" in outline


def test_the_spelling_rules() -> None:
    assert number(1500000) == number(1500000.0) == "1,500,000"
    assert number(0.00002) == "0.00002"  # :g wrote 2e-05
    assert number(100 / 3) == "33.333333" and percent_text(100 / 3) == "33.333333%"
    assert number(-0.0000001) == "0"  # not -0
    assert number(None) == "-" and bound_text(None) == "-"
    assert fmt_number(2 / 3) == "0.6667" and fmt_number(12345.5) == "12,345.5"
    assert fmt_score(101.25) == "101.3"  # half away from zero, as a spreadsheet shows it
    assert fmt_change(0.04) == "0.0" and fmt_change(31.55) == "+31.6" and fmt_change(None) == "-"


@given(
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=6),
)
@example(1500000.0, 6)
@example(1e-7, 6)
@example(2.5e-5, 4)
@example(-123456789.125, 2)
def test_number_is_never_e_notation_and_reads_back_to_its_precision(
    value: float, digits: int
) -> None:
    text = number(value, digits)
    assert "e" not in text.lower() and "inf" not in text.lower()
    assert re.fullmatch(r"-?\d{1,3}(,\d{3})*(\.\d*[1-9])?", text), text
    shown = Decimal(text.replace(",", ""))
    # within half a unit of the last decimal shown (plus the 15-digit spreadsheet rounding)
    assert abs(shown - Decimal(value)) <= Decimal(5).scaleb(-digits - 1) + Decimal(
        abs(value) * 1e-14
    )
    assert text == number(float(shown), digits)  # showing the shown value changes nothing


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(0, 4))
def test_fixed_keeps_every_decimal_and_rounds_like_number(value: float, digits: int) -> None:
    text = fixed(value, digits, group=True)
    assert "e" not in text.lower()
    assert len(text.rpartition(".")[2]) == digits if digits else "." not in text
    trimmed = number(value, digits)
    assert math.isclose(
        float(trimmed.replace(",", "")), float(text.replace(",", "")), abs_tol=1e-12
    )
