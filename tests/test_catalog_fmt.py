"""`catalog fmt`: canonical order and layout, comments kept, idempotent, --check/--diff."""

from __future__ import annotations

import random
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kpicard.catalog.find import bundled_catalog
from kpicard.catalog.fmt import KPI_ORDER, KRA_ORDER, ROLE_ORDER, format_text
from kpicard.catalog.yamlpos import parse_positioned
from kpicard.cli import catalog as catalog_cli
from kpicard.cli.catalog_tools import register
from kpicard.cli.main import app

if not any(c.name == "fmt" for c in catalog_cli.app.registered_commands):
    register(catalog_cli.app)

runner = CliRunner()

MESSY = """\
# yaml-language-server: $schema=../schema/role.schema.json
# Demo role, header comment.

name: Demo Role   # shown in reports
id: demo
kpicard: 1
kras:
- kpis:
  - target: 8
    # the promise to customers
    threshold: 24
    name: Response Time
    id: response-time
    direction: lower
    unit: hours
    aliases:
    - Avg response time
    - "Response time, hours"
  - {id: csat, name: Customer Satisfaction, unit: percent,
     direction: higher, threshold: 70, target: 90}
  weight: 100
  statement: >-
    Answer customers quickly
    and well.
  id: service
  name: Service
period: quarterly
# the end
"""

CANONICAL = """\
# yaml-language-server: $schema=../schema/role.schema.json
# Demo role, header comment.

kpicard: 1
id: demo
name: Demo Role  # shown in reports
period: quarterly
kras:
  - id: service
    name: Service
    statement: >-
      Answer customers quickly
      and well.
    weight: 100
    kpis:
      - id: response-time
        name: Response Time
        unit: hours
        direction: lower
        # the promise to customers
        threshold: 24
        target: 8
        aliases: [Avg response time, "Response time, hours"]
      - id: csat
        name: Customer Satisfaction
        unit: percent
        direction: higher
        threshold: 70
        target: 90
# the end
"""


def test_canonical_order_layout_and_comments() -> None:
    assert format_text(MESSY) == CANONICAL
    assert format_text(CANONICAL) == CANONICAL
    assert parse_positioned(CANONICAL).data == parse_positioned(MESSY).data


def test_ranges_scales_and_rating_levels_are_flow() -> None:
    text = """\
kpicard: 1
id: demo
name: Demo
rating_scale:
  - label: Good
    level: 2
    min_score: 80
  - level: 1
    label: Poor
kras:
  - id: a
    name: A
    weight: 100
    kpis:
      - id: band
        name: Band
        unit: count
        direction: range
        target:
          max: 10
          min: 5  # ideal
        threshold: {max: 15, min: 2}
      - id: survey
        name: Survey
        unit: score
        scale:
          - 1
          - 5
        direction: higher
        threshold: 2
        target: 4
"""
    out = format_text(text)
    assert "  - {level: 2, label: Good, min_score: 80}\n  - {level: 1, label: Poor}\n" in out
    assert "        threshold: {min: 2, max: 15}\n" in out
    assert "        target: {min: 5, max: 10}  # ideal\n" in out
    assert "        scale: [1, 5]\n" in out
    assert format_text(out) == out


VALID_ROLE = {
    "kpicard": 1,
    "id": "demo",
    "name": "Demo Role",
    "summary": "What the role is for, in one paragraph: serve, check, report.",
    "period": "monthly",
    "skills": ["Patience", "yes"],
    "rating_scale": [
        {"level": 2, "label": "Good", "min_score": 80},
        {"level": 1, "label": "Poor", "min_score": 0},
    ],
    "kras": [
        {
            "id": "service",
            "name": "Service",
            "statement": "Serve: quickly, # politely.",
            "weight": 60,
            "kpis": [
                {
                    "id": "response-time",
                    "name": "Response Time",
                    "description": "Hours to the first answer.",
                    "unit": "hours",
                    "direction": "lower",
                    "threshold": 24,
                    "target": 8,
                    "stretch": 4.5,
                    "weight": 40,
                    "aliases": ["Avg: response time", "RT"],
                },
                {
                    "id": "band",
                    "name": "Checks",
                    "unit": "count",
                    "direction": "range",
                    "threshold": {"min": 2, "max": 15},
                    "target": {"min": 5, "max": 10},
                    "weight": 60,
                    "period": "weekly",
                },
            ],
        },
        {
            "id": "quality",
            "name": "Quality",
            "weight": 40,
            "kpis": [
                {
                    "id": "nps",
                    "name": "NPS",
                    "unit": "score",
                    "scale": [-100, 100],
                    "direction": "higher",
                    "threshold": 0,
                    "target": 40,
                },
            ],
        },
    ],
}


def _shuffled(node, rnd: random.Random):
    if isinstance(node, dict):
        keys = list(node)
        rnd.shuffle(keys)
        return {k: _shuffled(node[k], rnd) for k in keys}
    if isinstance(node, list):
        return [_shuffled(v, rnd) for v in node]
    return node


def _key_orders(node, path=()):
    if isinstance(node, dict):
        yield path, list(node)
        for k, v in node.items():
            yield from _key_orders(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _key_orders(v, (*path, i))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32),
    flow=st.sampled_from([False, True, None]),
    width=st.sampled_from([40, 80, 1000]),
)
def test_idempotent_and_canonical_for_any_key_order(
    seed: int, flow: bool | None, width: int
) -> None:
    data = _shuffled(VALID_ROLE, random.Random(seed))
    text = yaml.safe_dump(
        data, sort_keys=False, default_flow_style=flow, width=width, allow_unicode=True
    )
    once = format_text(text)
    assert format_text(once) == once
    parsed = parse_positioned(once).data
    assert parsed == VALID_ROLE
    orders = dict(_key_orders(parsed))
    assert orders[()] == [k for k in ROLE_ORDER if k in VALID_ROLE]
    assert orders[("kras", 0)] == [k for k in KRA_ORDER if k in VALID_ROLE["kras"][0]]
    kpi = VALID_ROLE["kras"][0]["kpis"][0]
    assert orders[("kras", 0, "kpis", 0)] == [k for k in KPI_ORDER if k in kpi]


def _write(tmp_path: Path, text: str, name: str = "demo.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_check_diff_and_write(tmp_path: Path) -> None:
    path = _write(tmp_path, MESSY)
    check = runner.invoke(app, ["catalog", "fmt", "--check", str(tmp_path)])
    assert check.exit_code == 1
    assert check.stdout == f"would reformat {path}\n"
    assert path.read_text(encoding="utf-8") == MESSY  # --check writes nothing

    shown = runner.invoke(app, ["catalog", "fmt", "--diff", str(path)])
    assert shown.exit_code == 1
    assert shown.stdout.startswith(f"--- a/{path}\n+++ b/{path}\n")
    assert "+kpicard: 1\n" in shown.stdout

    done = runner.invoke(app, ["catalog", "fmt", str(path)])
    assert done.exit_code == 0, done.stderr
    assert path.read_text(encoding="utf-8") == CANONICAL
    assert "reformatted 1 of 1 role file(s)" in done.stderr
    again = runner.invoke(app, ["catalog", "fmt", "--check", str(path)])
    assert again.exit_code == 0 and again.stdout == ""


def test_invalid_file_is_refused(tmp_path: Path) -> None:
    bad = MESSY.replace("weight: 100", "weight: 90")
    path = _write(tmp_path, bad)
    result = runner.invoke(app, ["catalog", "fmt", str(path)])
    assert result.exit_code == 1
    assert "KRA weights must sum to 100, they sum to 90" in result.stderr
    assert path.read_text(encoding="utf-8") == bad


SEVERAL_FLOW_COMMENTS = """\
kpicard: 1
id: t5
name: T
rating_scale:
  - {level: 2,   # top
     label: Hi, min_score: 90}   # hi
  - {level: 1, label: Lo}
kras:
  - id: k1
    name: K1
    weight: 100
    kpis:
      - {id: p1, name: P1, unit: count, direction: higher, threshold: 1, target: 5}
"""


def test_a_file_fmt_cannot_keep_every_comment_of_is_refused_not_a_crash(tmp_path: Path) -> None:
    """Two comments in one multi-line flow mapping: left as it is, with a hint (exit 1, not 3),
    and the other files of the folder are still formatted."""
    odd = _write(tmp_path, SEVERAL_FLOW_COMMENTS, "t5.yaml")
    messy = _write(tmp_path, MESSY)
    for flags in (["--check"], ["--diff"], []):
        result = runner.invoke(app, ["catalog", "fmt", *flags, str(tmp_path)])
        assert result.exit_code == 1, result.stderr
        assert f"{odd}: error: cannot format this file" in result.stderr
        assert "on their own lines above it" in result.stderr
    assert odd.read_text(encoding="utf-8") == SEVERAL_FLOW_COMMENTS
    assert messy.read_text(encoding="utf-8") == CANONICAL


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    assert runner.invoke(app, ["catalog", "fmt", str(tmp_path / "nope")]).exit_code == 2


def test_bundled_catalog_is_formatted() -> None:
    result = runner.invoke(app, ["catalog", "fmt", "--check", str(bundled_catalog())])
    assert result.exit_code == 0, result.stdout + result.stderr
