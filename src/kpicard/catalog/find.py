"""Which catalog is in effect: `--catalog`, else `$KPICARD_CATALOG`, else the bundled one."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kpicard.diagnostics import usage_error

ENV_VAR = "KPICARD_CATALOG"


@dataclass(frozen=True, slots=True)
class CatalogChoice:
    path: Path
    origin: str  # "--catalog" | "$KPICARD_CATALOG" | "bundled"


def bundled_catalog() -> Path:
    """The catalog shipped in the wheel, or the repository's `catalog/` in a source checkout."""
    packaged = Path(__file__).resolve().parent.parent / "_catalog"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "catalog"


def choose_catalog(option: str | None) -> CatalogChoice:
    """Resolve the catalog path; a given path that does not exist is a usage error (exit 2)."""
    if option:
        choice = CatalogChoice(Path(option), "--catalog")
    elif os.environ.get(ENV_VAR):
        choice = CatalogChoice(Path(os.environ[ENV_VAR]), f"${ENV_VAR}")
    else:
        choice = CatalogChoice(bundled_catalog(), "bundled")
    if not choice.path.exists():
        raise usage_error(
            "catalog.missing",
            f"catalog not found: {choice.path} (from {choice.origin})",
            hint="give a folder of role files or one role file",
        )
    return choice
