"""`kpicard catalog ...`: browse and check role definitions."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from kpicard.cli.app import new_app
from kpicard.cli.options import CATALOG_HELP

app = new_app(
    help="Browse and check the role catalog.\n\n"
    "Examples:\n\n"
    "  kpicard catalog list\n\n"
    "  kpicard catalog show billing-staff\n\n"
    "  kpicard catalog validate my-catalog/",
    no_args_is_help=True,
)


@app.command("list")
def list_roles(catalog: str = typer.Option(None, "--catalog", help=CATALOG_HELP)) -> None:
    """List the roles: id, name, number of KRAs and KPIs, review period.

    Example: kpicard catalog list --catalog my-catalog/
    """
    from kpicard.app.catalog import open_catalog
    from kpicard.render.catalog import role_list

    cat = open_catalog(catalog)
    role_list(list(cat.roles.values()))


@app.command("show")
def show(
    role: str = typer.Argument(..., metavar="ROLE", help="Role id, e.g. billing-staff."),
    catalog: str = typer.Option(None, "--catalog", help=CATALOG_HELP),
    fmt: str = typer.Option("tree", "--format", "-f", help="tree, json or yaml."),
) -> None:
    """Show one role: KRAs with weights, KPIs with direction, threshold, target, stretch, unit.

    Example: kpicard catalog show billing-staff --format json
    """
    from kpicard.app.catalog import open_catalog, role_or_error
    from kpicard.diagnostics import usage_error
    from kpicard.render.catalog import role_data, role_tree

    cat = open_catalog(catalog)
    the_role = role_or_error(cat, role)
    if fmt == "tree":
        role_tree(the_role)
    elif fmt == "json":
        sys.stdout.write(json.dumps(role_data(the_role), indent=2, ensure_ascii=False) + "\n")
    elif fmt == "yaml":
        import yaml

        sys.stdout.write(yaml.safe_dump(role_data(the_role), sort_keys=False, allow_unicode=True))
    else:
        raise usage_error("usage.format", f"unknown format '{fmt}'; use tree, json or yaml")


@app.command("validate")
def validate(
    path: Path = typer.Argument(
        None, metavar="PATH", help="Catalog folder or role file (default: the catalog in effect)."
    ),
    catalog: str = typer.Option(None, "--catalog", help=CATALOG_HELP),
) -> None:
    """Check role files against the catalog format; report every problem of every file.

    Exit 0 when valid, 1 when not. Example: kpicard catalog validate catalog/
    """
    from kpicard.catalog.find import choose_catalog
    from kpicard.catalog.load import load_catalog, require_role_files
    from kpicard.diagnostics import CatalogError
    from kpicard.render.terminal import message, print_diagnostics

    choice = choose_catalog(str(path) if path else catalog)
    cat = load_catalog(choice.path)
    require_role_files(cat)
    if cat.report.has_errors:
        files = len({d.location.file for d in cat.report.errors if d.location})
        raise CatalogError(
            [*cat.report.items, _summary(len(cat.report.errors), files, len(cat.files))]
        )
    print_diagnostics(cat.report.items)
    message(f"ok: {len(cat.files)} role file(s) valid in {cat.display}")


def _summary(errors: int, bad_files: int, files: int):
    from kpicard.diagnostics import Diagnostic, Severity

    return Diagnostic(
        "catalog.summary",
        f"{errors} error(s) in {bad_files} of {files} role file(s)",
        Severity.NOTE,
    )


@app.command("path")
def path_cmd(catalog: str = typer.Option(None, "--catalog", help=CATALOG_HELP)) -> None:
    """Print which catalog is in effect (and why) as a path on stdout.

    Example: KPICARD_CATALOG=my-catalog/ kpicard catalog path
    """
    from kpicard.catalog.find import choose_catalog
    from kpicard.render.terminal import message

    choice = choose_catalog(catalog)
    sys.stdout.write(f"{choice.path}\n")
    message(f"(from {choice.origin})")
