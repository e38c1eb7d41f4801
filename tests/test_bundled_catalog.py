"""The catalog shipped inside the package is the repository's `catalog/`, found from any folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import kpicard
from kpicard.catalog.find import bundled_catalog
from kpicard.catalog.load import load_catalog

ROOT = Path(__file__).resolve().parents[1]
ROLES = [
    "account-administrator",
    "account-coordinator",
    "billing-staff",
    "collection-representative",
]


def test_bundled_catalog_is_the_repository_catalog() -> None:
    shipped = load_catalog(bundled_catalog())
    repo = load_catalog(ROOT / "catalog")
    assert not shipped.report.has_errors
    assert sorted(shipped.roles) == ROLES
    assert shipped.digest == repo.digest


INSTALLED = not Path(kpicard.__file__).resolve().is_relative_to(ROOT / "src")


@pytest.mark.skipif(not INSTALLED, reason="kpicard runs from the source tree (editable install)")
def test_installed_package_carries_its_catalog() -> None:
    """CI installs the wheel (`pip install .[test]`): the roles must be inside the package, not
    found through a checkout beside it."""
    package = Path(kpicard.__file__).resolve().parent
    assert bundled_catalog() == package / "_catalog"
    assert sorted(p.stem for p in bundled_catalog().glob("*.yaml")) == ROLES


def test_catalog_list_from_another_folder(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "KPICARD_CATALOG"}
    result = subprocess.run(
        [sys.executable, "-m", "kpicard", "catalog", "list"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    listed = [line.split()[0] for line in result.stdout.splitlines()[1:]]
    assert listed == ROLES
    check = subprocess.run(
        [sys.executable, "-m", "kpicard", "catalog", "validate"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stderr


def test_env_var_and_option_choose_the_catalog(tmp_path: Path) -> None:
    (tmp_path / "only.yaml").write_text(
        "kpicard: 1\nid: only\nname: Only\nkras:\n  - id: k\n    name: K\n    weight: 100\n"
        "    kpis:\n      - {id: a, name: A, unit: count, direction: higher, threshold: 1,"
        " target: 5}\n"
    )
    env = {**os.environ, "KPICARD_CATALOG": str(tmp_path)}
    run = [sys.executable, "-m", "kpicard", "catalog", "path"]
    by_env = subprocess.run(run, env=env, capture_output=True, text=True, timeout=60)
    assert by_env.stdout.strip() == str(tmp_path)
    assert "$KPICARD_CATALOG" in by_env.stderr
    by_option = subprocess.run(
        [*run, "--catalog", str(ROOT / "catalog")], env=env, capture_output=True, text=True
    )
    assert by_option.stdout.strip() == str(ROOT / "catalog")
    assert "--catalog" in by_option.stderr
