"""The checked-in JSON Schema is current, and every bundled role file satisfies it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator
from typer.testing import CliRunner

from kpicard.catalog.schema import build_schema, render_schema
from kpicard.cli import catalog as catalog_cli
from kpicard.cli.catalog_tools import register
from kpicard.cli.main import app

if not any(c.name == "schema" for c in catalog_cli.app.registered_commands):
    register(catalog_cli.app)

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_FILE = ROOT / "schema" / "role.schema.json"
BUNDLED = sorted((ROOT / "catalog").glob("*.yaml"))

runner = CliRunner()


def test_checked_in_schema_is_current() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == render_schema(), (
        "schema/role.schema.json is stale: run `kpicard catalog schema -o schema/role.schema.json`"
    )


def test_schema_command_prints_it() -> None:
    result = runner.invoke(app, ["catalog", "schema"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == render_schema()


def test_schema_is_valid_draft7_closed_and_described() -> None:
    schema = build_schema()
    Draft7Validator.check_schema(schema)
    for name in ("KRA", "KPI", "Band", "RatingLevel"):
        definition = schema["definitions"][name]
        assert definition["additionalProperties"] is False
        assert all("description" in p for p in definition["properties"].values()), name
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_role_files_validate(path: Path) -> None:
    assert path.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../schema/role.schema.json\n"
    )
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = list(Draft7Validator(build_schema()).iter_errors(data))
    assert errors == []


def test_schema_catches_a_typo_and_a_wrong_type() -> None:
    data = yaml.safe_load(BUNDLED[0].read_text(encoding="utf-8"))
    data["kras"][0]["wieght"] = data["kras"][0].pop("weight")
    data["kras"][0]["kpis"][0]["target"] = "95"
    messages = sorted(e.message for e in Draft7Validator(build_schema()).iter_errors(data))
    assert any("'wieght' was unexpected" in m for m in messages)
    assert any("'weight' is a required property" in m for m in messages)
    assert any("'95'" in m for m in messages)


def test_schema_output_option(tmp_path: Path) -> None:
    out = tmp_path / "role.schema.json"
    result = runner.invoke(app, ["catalog", "schema", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert json.loads(out.read_text(encoding="utf-8")) == build_schema()
