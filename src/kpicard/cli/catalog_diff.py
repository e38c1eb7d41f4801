"""`kpicard catalog diff OLD NEW`: what a catalog change means, optionally scored (--impact)."""

from __future__ import annotations

import json
import sys

import typer

from kpicard.cli.options import CATALOG_HELP, choice
from kpicard.diagnostics import usage_error


def diff(
    old: str = typer.Argument(
        ..., metavar="OLD", help="Folder, role file, git revision or REV:folder."
    ),
    new: str = typer.Argument(
        ..., metavar="NEW", help="Folder, role file, git revision or REV:folder."
    ),
    fmt: str = typer.Option("text", "--format", "-f", help="text, markdown or json."),
    exit_code: bool = typer.Option(
        False, "--exit-code", help="Exit 1 when something changed in meaning (like git diff)."
    ),
    impact: list[str] = typer.Option(
        None,
        "--impact",
        help="Actuals (CSV/xlsx, folder or glob; repeat for more) to score under both "
        "catalogs: whose score and rating change.",
    ),
    role: str = typer.Option(None, "--role", "-r", help="Only this role (and its actuals)."),
    path: str = typer.Option(
        None,
        "--path",
        help="Catalog folder to read at a revision (default: the catalog in effect).",
    ),
    catalog: str = typer.Option(None, "--catalog", help=CATALOG_HELP),
) -> None:
    """Show what a catalog change means for each role, and optionally for people's scores.

    Per role: KRAs and KPIs added, removed, renamed and moved, and changed weights, directions,
    units, thresholds, targets, stretches, periods and rating scales.

    An existing path is read as a folder or file; anything else is a git revision of the
    catalog in the current repository, read without a checkout.

    Examples:

      kpicard catalog diff HEAD~1 HEAD

      kpicard catalog diff main catalog/ --format markdown > comment.md

      kpicard catalog diff v2026.1 HEAD --impact q3/team.csv --role billing-staff
    """
    from kpicard.catalog import diff as d

    out_format = choice(fmt, ("text", "markdown", "json"), "format")
    before = d.resolve_side(old, path, catalog)
    after = d.resolve_side(new, path, catalog)
    d.check_valid(before, after)
    if role is not None and role not in before.roles and role not in after.roles:
        raise usage_error(
            "role.unknown", f"role '{role}' is in neither {before.display} nor {after.display}"
        )
    diffs = d.diff_catalogs(before, after, role)
    result = None
    if impact:
        from kpicard.app.impact import impact as score_impact
        from kpicard.app.request import make_inputs
        from kpicard.render.terminal import print_diagnostics

        result = score_impact(make_inputs(impact), before, after, role)
        print_diagnostics(result.warnings)
    from kpicard.render import catalog_diff as words

    if out_format == "json":
        doc = words.to_json(before, after, diffs, result)
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    elif out_format == "markdown":
        sys.stdout.write(words.render_markdown(before, after, diffs, result))
    else:
        words.print_text(before, after, diffs, result)
    if exit_code and diffs:
        raise typer.Exit(1)
