"""The catalog a run uses: the same lookup for every command and for `kpicard.load_catalog`."""

from __future__ import annotations

import difflib
from pathlib import Path

from kpicard.catalog.find import choose_catalog
from kpicard.catalog.load import Catalog, load_catalog, require_role_files
from kpicard.diagnostics import CatalogError, usage_error
from kpicard.models import Role


def open_catalog(option: str | Path | Catalog | None = None) -> Catalog:
    """The catalog in effect, fully valid, or a CatalogError listing every problem (exit 1).

    `option` is a path (`--catalog`), an already loaded Catalog, or None: then
    `$KPICARD_CATALOG`, else the bundled catalog.
    """
    if isinstance(option, Catalog):
        catalog = option
    else:
        choice = choose_catalog(None if option is None else str(option))
        catalog = load_catalog(choice.path)
    if catalog.report.has_errors:
        raise CatalogError(catalog.report.items)
    require_role_files(catalog)
    return catalog


def role_or_error(catalog: Catalog, role_id: str) -> Role:
    """The role with this id, or a usage error that lists the known roles."""
    if role_id in catalog.roles:
        return catalog.roles[role_id]
    known = sorted(catalog.roles)
    close = difflib.get_close_matches(role_id, known, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise usage_error(
        "role.unknown",
        f"unknown role '{role_id}' (catalog: {catalog.display})",
        hint=f"{hint}known roles: {', '.join(known)}",
    )


def catalog_files(catalog: Catalog) -> list[str]:
    """The catalog's role files: a run must never write over them."""
    return [str(f.path) for f in catalog.files]
