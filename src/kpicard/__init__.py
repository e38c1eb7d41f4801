"""kpicard: KRA/KPI scorecards from a YAML role catalog and CSV/Excel actuals.

The public Python API (documented in docs/python-api.md); everything not in `__all__` is
private and may change:

    >>> import kpicard
    >>> result = kpicard.score("examples/billing-team.xlsx", role="billing-staff")
    >>> result.scorecards[0].employee
    'B-001'

Names are imported on first use, so `import kpicard` (and `kpicard --help`) stays quick.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Catalog",
    "CatalogError",
    "Diagnostic",
    "Explanation",
    "InputError",
    "KpicardError",
    "Location",
    "RunResult",
    "Severity",
    "UsageError",
    "__version__",
    "diff_catalogs",
    "explain",
    "load_catalog",
    "score",
]

if TYPE_CHECKING:
    from kpicard.app.explain import Explanation
    from kpicard.app.request import InputLike
    from kpicard.app.run import RunResult
    from kpicard.catalog.diff import RoleDiff
    from kpicard.catalog.load import Catalog
    from kpicard.diagnostics import (
        CatalogError,
        Diagnostic,
        InputError,
        KpicardError,
        Location,
        Severity,
        UsageError,
    )

_LAZY = {
    "Catalog": "kpicard.catalog.load",
    "RunResult": "kpicard.app.run",
    "Explanation": "kpicard.app.explain",
    **{
        name: "kpicard.diagnostics"
        for name in (
            "CatalogError",
            "Diagnostic",
            "InputError",
            "KpicardError",
            "Location",
            "Severity",
            "UsageError",
        )
    },
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'kpicard' has no attribute {name!r}")


def load_catalog(path: str | Path | None = None) -> Catalog:
    """The catalog at `path` (a folder of role files or one file), fully valid; with no path,
    the same lookup as the CLI: `$KPICARD_CATALOG`, else the bundled catalog.

    Raises CatalogError (every problem in `.diagnostics`) or UsageError (no such path)."""
    from kpicard.app.catalog import open_catalog

    return open_catalog(path)


def score(
    inputs: InputLike | Sequence[InputLike],
    *,
    role: str | None = None,
    catalog: str | Path | Catalog | None = None,
    **options: Any,
) -> RunResult:
    """Score actuals: what `kpicard score` does, as a RunResult.

    `inputs` is one or several paths (str or Path: files, folders, globs) or open binary
    files. Keyword options are the CLI's long options: period, sheet, id_column, missing,
    min_coverage, cap, skip_invalid, decimal_comma, group_by, compare, movers, keep_going.
    Invalid inputs raise InputError unless keep_going=True (then `result.failed` lists them).
    """
    from kpicard.app.run import run

    request = _request(inputs, role, catalog, options)
    loaded = catalog if _is_catalog(catalog) else None
    result = run(request, catalog=loaded)  # type: ignore[arg-type]
    if not request.keep_going:
        result.raise_for_errors()
    return result


def explain(
    inputs: InputLike | Sequence[InputLike],
    *,
    employee: str,
    role: str | None = None,
    catalog: str | Path | Catalog | None = None,
    **options: Any,
) -> Explanation:
    """One employee's scorecard with its arithmetic: `str(result)` is what `kpicard explain`
    prints. Options as for `score`."""
    from kpicard.app.explain import explain as explain_one

    request = _request(inputs, role, catalog, options)
    loaded = catalog if _is_catalog(catalog) else None
    return explain_one(request, employee, catalog=loaded)  # type: ignore[arg-type]


def diff_catalogs(
    old: str | Path | Catalog, new: str | Path | Catalog, *, role: str | None = None
) -> list[RoleDiff]:
    """What changed between two catalogs (folders, role files, or loaded catalogs): one
    RoleDiff per added, removed or changed role, each with its list of changes."""
    from kpicard.catalog import diff

    before, after = (c if _is_catalog(c) else load_catalog(c) for c in (old, new))
    return diff.diff_catalogs(before, after, role)  # type: ignore[arg-type]


def _is_catalog(value: object) -> bool:
    from kpicard.catalog.load import Catalog

    return isinstance(value, Catalog)


_GROUP_FIELDS = ("group_by",)


def _request(inputs: Any, role: str | None, catalog: Any, options: dict[str, Any]) -> Any:
    import dataclasses

    from kpicard.app.request import RunRequest, make_inputs
    from kpicard.diagnostics import usage_error

    private = {"inputs", "also_protected", "compare_display"}
    known = {f.name for f in dataclasses.fields(RunRequest)} - private
    unknown = sorted(set(options) - known)
    if unknown:
        raise usage_error(
            "usage.option",
            f"unknown option{'s' * (len(unknown) > 1)}: {', '.join(unknown)}",
            hint=f"options: {', '.join(sorted(known - {'role', 'catalog'}))}",
        )
    for name in _GROUP_FIELDS:
        if isinstance(options.get(name), str):
            options[name] = (options[name],)
        elif name in options:
            options[name] = tuple(options[name] or ())
    return RunRequest(
        make_inputs(inputs),
        role=role,
        catalog=None if _is_catalog(catalog) else catalog,
        **options,
    )
