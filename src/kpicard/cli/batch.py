"""`kpicard batch review.yaml`: a manifest -> one RunRequest -> app -> outputs (SPEC 8).

By default nothing is written when any input is invalid (exit 1, every error printed).
`--keep-going` (or `keep_going: true`) writes the valid inputs' outputs and the summary of the
valid inputs, then exits 1.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from kpicard.cli.app import EXIT_INVALID, GuardedTyper


def batch(
    manifest_path: Path = typer.Argument(..., metavar="MANIFEST", help="The review manifest."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Check the manifest and every input; write nothing."
    ),
    keep_going: bool = typer.Option(
        False, "--keep-going", help="Write the valid inputs' outputs even if some are invalid."
    ),
) -> None:
    """Run a review batch described by a YAML manifest; its paths are relative to the manifest.

    Example: kpicard batch examples/q3-review/review.yaml --dry-run

    Keys: kpicard, inputs, catalog, role, period, missing, min_coverage, cap, group_by, compare,

    movers, outputs (a list of {path, format}), out_dir, format, detail, keep_going.

    Nothing is written when any input is invalid (exit 1); a broken manifest is exit 2.
    """
    from kpicard.app import outputs
    from kpicard.app.batch import manifest_request, manifest_targets
    from kpicard.app.manifest import load_manifest
    from kpicard.app.run import prepare
    from kpicard.render.progress import input_progress
    from kpicard.render.terminal import message, print_diagnostics, wrote

    manifest = load_manifest(manifest_path)
    request = manifest_request(manifest, keep_going=keep_going)
    prepared = prepare(request)
    targets = manifest_targets(manifest)
    with input_progress(prepared.names) as progress:
        result = prepared.execute(progress)
    print_diagnostics(result.diagnostics)
    if dry_run:
        from kpicard.render.plan import plan_lines

        paths = outputs.planned_paths(
            result.names, targets, manifest.out_dir, manifest.out_format, result.failed
        )
        sys.stdout.write("\n".join(plan_lines(manifest, result.catalog, result, paths)) + "\n")
        outputs.check_targets(paths, result.protected)
        if result.failed:
            raise typer.Exit(EXIT_INVALID)
        return
    if result.failed and not request.keep_going:
        count = len(result.names)
        message(
            f"{len(result.failed)} of {count} input{'s' * (count != 1)} invalid; "
            "nothing written (keep_going: true or --keep-going writes the valid ones)"
        )
        raise typer.Exit(EXIT_INVALID)
    if not result.per_input:
        message("no valid input; nothing written")
        raise typer.Exit(EXIT_INVALID)
    detail = manifest.model.detail
    files = outputs.planned_files(
        result, targets, manifest.out_dir, manifest.out_format, detail=detail
    )
    outputs.write_files(files, result.protected, wrote)  # says each file as it writes it
    if not targets and manifest.out_dir is None:
        from kpicard.render.batch import print_sections
        from kpicard.render.text import render_table

        render_table(result.summary, detail=detail)
        print_sections(result.views)
    if result.failed:
        for name in result.failed:
            message(f"not written: the output of {name} (invalid input)")
        raise typer.Exit(EXIT_INVALID)


def register(app: GuardedTyper) -> None:
    app.command("batch")(batch)
