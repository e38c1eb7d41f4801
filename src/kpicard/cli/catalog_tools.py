"""`kpicard catalog diff | fmt | lint | schema | textconv`: the catalog as code (SPEC 9).

Kept apart from `kpicard.cli.catalog` (browse and validate) and added to that app by
`register(app)`, so each half can change without touching the other.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from kpicard.cli import catalog_diff
from kpicard.cli.app import GuardedTyper
from kpicard.cli.options import CATALOG_HELP, choice
from kpicard.diagnostics import CatalogError, Location, usage_error

# --------------------------------------------------------------------------- fmt


def _role_paths(paths: list[Path] | None, catalog: str | None) -> list[Path]:
    from kpicard.catalog.find import choose_catalog
    from kpicard.catalog.load import role_files_in

    if not paths:
        paths = [choose_catalog(catalog).path]
    files: list[Path] = []
    for p in paths:
        if not p.exists():
            raise usage_error("catalog.missing", f"no such file or folder: {p}")
        files.extend(role_files_in(p))
    return files


def fmt(
    paths: list[Path] = typer.Argument(
        None, metavar="PATH", help="Role files or catalog folders (default: the catalog in effect)."
    ),
    check: bool = typer.Option(
        False, "--check", help="Write nothing; exit 1 listing files that would change."
    ),
    show_diff: bool = typer.Option(
        False, "--diff", help="Write nothing; print a unified diff; exit 1 if any."
    ),
    catalog: str = typer.Option(None, "--catalog", help=CATALOG_HELP),
) -> None:
    """Rewrite role files in the canonical key order and layout, keeping every comment.

    Invalid files are refused (their errors are printed). Idempotent.

    Examples:

      kpicard catalog fmt catalog/

      kpicard catalog fmt --check catalog/
    """
    import difflib

    from kpicard.catalog.fmt import FormatError, format_text
    from kpicard.catalog.load import display_path, load_role_file
    from kpicard.diagnostics import Report
    from kpicard.outputs import write_text_atomic
    from kpicard.render.terminal import message, print_diagnostics

    report = Report()
    changed: list[str] = []
    files = _role_paths(paths, catalog)
    for path in files:
        role_file = load_role_file(path, report)
        if role_file.role is None:
            continue
        text = role_file.raw.decode("utf-8-sig")
        try:
            formatted = format_text(text)
        except FormatError as exc:
            # The formatter checks its own output; when it cannot keep every comment (several
            # comments inside one { } or [ ] spread over lines), the file is left as it is.
            report.error(
                "catalog.fmt",
                f"cannot format this file: {exc}",
                Location(role_file.display),
                hint="put comments inside a multi-line { } or [ ] on their own lines above it, "
                "or write it in block style",
            )
            continue
        if formatted == text:
            continue
        changed.append(role_file.display)
        if show_diff:
            sys.stdout.writelines(
                difflib.unified_diff(
                    text.splitlines(keepends=True),
                    formatted.splitlines(keepends=True),
                    f"a/{display_path(path)}",
                    f"b/{display_path(path)}",
                )
            )
        elif check:
            sys.stdout.write(f"would reformat {role_file.display}\n")
        else:
            write_text_atomic(path, formatted)
    print_diagnostics(report.items)
    verb = "would reformat" if check or show_diff else "reformatted"
    message(f"{verb} {len(changed)} of {len(files)} role file(s)")
    if report.has_errors:
        raise CatalogError([])
    if changed and (check or show_diff):
        raise typer.Exit(1)


# --------------------------------------------------------------------------- lint


def lint(
    paths: list[Path] = typer.Argument(
        None, metavar="PATH", help="Role files or catalog folders (default: the catalog in effect)."
    ),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 when there is any finding."),
    fmt: str = typer.Option("text", "--format", "-f", help="text or github (annotations)."),
    catalog: str = typer.Option(None, "--catalog", help=CATALOG_HELP),
) -> None:
    """SMART checks of each KPI and catalog smells, each finding with a code and a fix hint.

    Specific, measurable, achievable, relevant, time-bound; smells: tiny weights, single-KPI
    KRAs, near-duplicate names. Codes: docs/catalogs-in-git.md.

    Findings are warnings: exit 0 unless --strict. Invalid files: errors, exit 1.

    Examples:

      kpicard catalog lint catalog/

      kpicard catalog lint --strict --format github catalog/
    """
    from kpicard.catalog.lint import lint_role
    from kpicard.catalog.load import load_role_file
    from kpicard.diagnostics import Report
    from kpicard.render.terminal import message, print_diagnostics

    out_format = choice(fmt, ("text", "github"), "format")
    files = _role_paths(paths, catalog)
    report = Report()
    role_files = [load_role_file(p, report) for p in files]
    if report.has_errors:
        if out_format == "github":
            from kpicard.catalog.lint import github_error

            sys.stdout.write("".join(github_error(d) + "\n" for d in report.errors))
        raise CatalogError(report.items)
    findings = [f for rf in role_files for f in lint_role(rf)]
    if out_format == "github":
        sys.stdout.write("".join(f.github() + "\n" for f in findings))
    else:
        _print_findings(findings)
    files_hit = len({f.file for f in findings})
    print_diagnostics(report.items)
    message(f"{len(findings)} finding(s) in {files_hit} of {len(files)} role file(s)")
    if strict and findings:
        raise typer.Exit(1)


def _print_findings(findings) -> None:
    """The findings on stdout (they are the command's data), as the diagnostics are printed."""
    from kpicard.render.terminal import out_console, print_diagnostic_lines

    print_diagnostic_lines((f.diagnostic() for f in findings), out_console())


# --------------------------------------------------------------------------- schema, textconv


def schema(
    output: Path = typer.Option(None, "--output", "-o", help="Write to this file."),
) -> None:
    """Print the JSON Schema (draft-07) of a role file, for editors and other tools.

    Example: kpicard catalog schema -o schema/role.schema.json
    """
    from kpicard.catalog.schema import render_schema

    text = render_schema()
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        return
    from kpicard.outputs import check_output, write_text_atomic
    from kpicard.render.terminal import message

    check_output(output, [])
    write_text_atomic(output, text)
    message(f"wrote {output}")


def textconv(
    file: Path = typer.Argument(
        ..., metavar="FILE", help="A role file (git passes a temporary copy)."
    ),
) -> None:
    """Print a role file as a semantic outline, one fact per line: git's diff driver.

    Set up with: git config diff.kpicard.textconv "kpicard catalog textconv" and a
    .gitattributes line `catalog/*.yaml diff=kpicard`. A file that is not a valid role is
    printed as it is, after its errors as `#` lines, so that git diff still works.

    Example: kpicard catalog textconv catalog/billing-staff.yaml
    """
    from kpicard.catalog.load import load_role_text
    from kpicard.catalog.yamlpos import YamlProblem, parse_positioned
    from kpicard.diagnostics import Report
    from kpicard.render.catalog_diff import outline

    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise usage_error("catalog.unreadable", f"cannot read {file}: {exc.strerror}") from None
    stem = file.stem
    try:
        doc = parse_positioned(raw.decode("utf-8-sig"))
        if doc is not None and isinstance(doc.data, dict) and isinstance(doc.data.get("id"), str):
            stem = doc.data["id"]  # git's temporary copy has another name than the role
    except (UnicodeDecodeError, YamlProblem):
        pass
    report = Report()
    role_file = load_role_text(raw, str(file), stem, report)
    if role_file.role is not None:
        sys.stdout.write(outline(role_file.role))
        return
    errors = "".join(f"# kpicard: {d.render().splitlines()[0]}\n" for d in report.errors)
    sys.stdout.write(errors + raw.decode("utf-8", errors="replace"))


def register(app: GuardedTyper) -> None:
    """Add the catalog-as-code commands to the `kpicard catalog` app."""
    app.command("diff")(catalog_diff.diff)
    app.command("fmt")(fmt)
    app.command("lint")(lint)
    app.command("schema")(schema)
    app.command("textconv")(textconv)
