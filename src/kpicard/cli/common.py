"""Pieces every command shares: loading the catalog in effect, output formats and writing."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kpicard.diagnostics import DiagnosticError, usage_error

if TYPE_CHECKING:  # loading a catalog pulls in pydantic and yaml: not on the --help path
    from kpicard.catalog.load import Catalog

CATALOG_HELP = "Catalog folder or role file (default: $KPICARD_CATALOG, else the bundled one)."


def open_catalog(option: str | None) -> Catalog:
    """The catalog in effect, fully valid, or a DiagnosticError listing every problem (exit 1)."""
    from kpicard.catalog.find import choose_catalog
    from kpicard.catalog.load import load_catalog, require_role_files

    choice = choose_catalog(option)
    catalog = load_catalog(choice.path)
    if catalog.report.has_errors:
        raise DiagnosticError(catalog.report.items)
    require_role_files(catalog)
    return catalog


def protected_paths(inputs: list[str], catalog: Catalog, *others: Path | str | None) -> list[str]:
    """Every file a run reads and must never write over: the actuals, the catalog's role files,
    and `others` (a --compare file, a manifest)."""
    return [
        *inputs,
        *(str(f.path) for f in catalog.files),
        *(str(o) for o in others if o is not None),
    ]


def role_or_error(catalog: Catalog, role_id: str):
    """The role with this id, or a usage error that lists the known roles."""
    import difflib

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


def output_format(fmt: str | None, output: Path | None, allowed: tuple[str, ...]) -> str:
    """`--format` if given, else the output file's extension, else the first allowed format."""
    from kpicard.outputs import MACRO_FREE, macro_name

    chosen = _chosen_format(fmt, output, allowed)
    if chosen == "xlsx" and output is not None and macro_name(output):
        raise usage_error(
            "usage.xlsm",
            f"{output.name}: {MACRO_FREE}",
            hint="Excel refuses an .xlsm file whose content is an ordinary workbook",
        )
    return chosen


def _chosen_format(fmt: str | None, output: Path | None, allowed: tuple[str, ...]) -> str:
    if fmt:
        fmt = fmt.lower()
        if fmt not in allowed:
            choices = ", ".join(allowed[:-1]) + f" or {allowed[-1]}"
            raise usage_error("usage.format", f"unknown format '{fmt}'; use {choices}")
        return fmt
    if output is not None and str(output) != "-":
        ext = output.suffix.lower().lstrip(".")
        ext = {"md": "markdown", "xlsm": "xlsx", "txt": "table"}.get(ext, ext)
        if ext in allowed:
            return ext
        raise usage_error(
            "usage.format",
            f"cannot tell the format from '{output.name}'",
            hint=f"give --format ({', '.join(allowed)})",
        )
    return allowed[0]
