"""`kpicard batch review.yaml` and the batch pieces `score` shares (SPEC 8).

- `score_each` scores every input on its own through `kpicard.pipeline.score_inputs`, so that
  each error names its input and one broken file does not hide the others' results.
- `write_out_dir` writes one output per input plus `summary.<ext>`, atomically.
- `input_progress` is the progress display: on a terminal only, on stderr, gone when done.

By default nothing is written when any input is invalid (exit 1, every error printed).
`--keep-going` (or `keep_going: true`) writes the valid inputs' outputs and the summary of the
valid inputs, then exits 1.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from kpicard.cli.app import EXIT_INVALID, GuardedTyper
from kpicard.diagnostics import Diagnostic, DiagnosticError, usage_error
from kpicard.render.safe import EXTENSION_OF

if TYPE_CHECKING:
    from kpicard.models import ScoreRun, ScoringOptions

RESERVED_STEMS = ("summary", "summary.groups", "summary.comparison")

# --------------------------------------------------------------------------- scoring


@dataclass(slots=True)
class EachResult:
    """Per-input runs of the valid inputs and diagnostics of the invalid ones (input order)."""

    runs: dict[str, ScoreRun] = field(default_factory=dict)
    failed: dict[str, list[Diagnostic]] = field(default_factory=dict)

    def diagnostics(self) -> list[Diagnostic]:
        found = [d for run in self.runs.values() for d in run.diagnostics]
        return found + [d for ds in self.failed.values() for d in ds]


def score_each(
    names: Sequence[str],
    catalog,
    scoring: ScoringOptions,
    reading,
    *,
    sheet: str | None = None,
    overrides: Mapping[str, tuple[str | None, str | None]] | None = None,
    progress: Any = None,
) -> EachResult:
    """`score_inputs` per input; invalid inputs are collected, usage errors (exit 2) raised.

    `overrides` maps an input to its own (role, sheet), e.g. from a manifest entry.
    """
    from kpicard.pipeline import gc_paused

    result = EachResult()
    with gc_paused():  # as for one big input: the collector would walk every earlier result
        _score_each(names, catalog, scoring, reading, sheet, overrides, progress, result)
    return result


def _score_each(
    names: Sequence[str],
    catalog,
    scoring: ScoringOptions,
    reading,
    sheet: str | None,
    overrides: Mapping[str, tuple[str | None, str | None]] | None,
    progress: Any,
    result: EachResult,
) -> None:
    from dataclasses import replace

    from kpicard.pipeline import cross_input_duplicates, score_inputs

    seen: dict = {}
    for name in names:
        options, its_sheet = reading, sheet
        if overrides and name in overrides:
            role, its_sheet = overrides[name]
            options = replace(reading, role=role)
        try:
            run = score_inputs(
                [name], catalog, scoring, options, sheet=its_sheet, progress=progress
            )
        except DiagnosticError as exc:
            if exc.kind == "usage":
                raise
            result.failed[name] = exc.diagnostics
        else:
            duplicates = []
            if len(names) > 1:  # inside one input the reader has already checked
                duplicates = cross_input_duplicates(run.scorecards, seen)
            if duplicates:
                result.failed[name] = duplicates
            else:
                result.runs[name] = run
        if progress is not None:
            progress.input_done(name)


def merge_runs(
    runs: Mapping[str, ScoreRun], catalog, scoring: ScoringOptions, left_out: Sequence[str] = ()
) -> ScoreRun:
    """The summary: every valid input's scorecards and warnings, in input order.

    `left_out` names the invalid inputs a --keep-going run skipped: the summary says so itself,
    so that a report read later does not pass for the whole review.
    """
    from kpicard.models import ScoreRun

    skipped = [f"{name}: left out of this run (invalid input)" for name in left_out]
    return ScoreRun(
        scorecards=[c for run in runs.values() for c in run.scorecards],
        options=scoring,
        catalog_path=catalog.display,
        catalog_digest=catalog.digest,
        warnings=[w for run in runs.values() for w in run.warnings] + skipped,
        diagnostics=[d for run in runs.values() for d in run.diagnostics],
    )


def require_period_rows(summary: ScoreRun, period: str | None) -> None:
    """With --period, at least one input must have rows of that period (exit 1 otherwise).

    One input without them is only a warning: a team may have no rows for a quarter.
    """
    if period is not None and not summary.scorecards:
        from kpicard.diagnostics import input_error

        raise input_error(
            "input.no-period-rows",
            f"no input has rows of period '{period}'",
            hint="periods are matched exactly as written in the period column, e.g. 2026-Q3",
        )


# --------------------------------------------------------------------------- out-dir


def out_stems(names: Sequence[str]) -> dict[str, str]:
    """Each input's output stem: its own stem; folder-prefixed (`north--team`) when two inputs
    share a stem; `-2`, `-3`... when still taken, or when it is a summary file's name."""
    stems = {n: ("stdin" if n == "-" else Path(n).stem) for n in names}
    counts: dict[str, int] = {}
    for s in stems.values():
        counts[s] = counts.get(s, 0) + 1
    for n, s in stems.items():
        if counts[s] > 1 and n != "-":
            parent = Path(n).resolve().parent.name or "root"
            stems[n] = f"{parent}--{s}"
    taken: set[str] = set(RESERVED_STEMS)
    final: dict[str, str] = {}
    for n, s in stems.items():
        candidate, i = s, 1
        while candidate.casefold() in {t.casefold() for t in taken}:
            i += 1
            candidate = f"{s}-{i}"
        taken.add(candidate)
        final[n] = candidate
    return final


def out_dir_plan(names: Sequence[str], out_dir: Path, fmt: str) -> dict[str, Path]:
    """Where each input's output and the summary go (`""` is the summary's key)."""
    ext = EXTENSION_OF[fmt]
    plan = {n: out_dir / f"{stem}.{ext}" for n, stem in out_stems(names).items()}
    plan[""] = out_dir / f"summary.{ext}"
    return plan


def write_files(files: Mapping[Path, bytes], inputs: Sequence[str]) -> list[Path]:
    """Check every target first (folder, read-only, an input), then write each atomically."""
    from kpicard.outputs import check_output, write_atomic

    for path in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        check_output(path, inputs)
    from kpicard.manifest import display_path
    from kpicard.render.terminal import message

    written = []
    for path, data in files.items():
        write_atomic(path, lambda handle, data=data: handle.write(data))
        written.append(path)
        message(f"wrote {display_path(path)}")  # as it happens: a later failure leaves a trail
    return written


def write_out_dir(
    runs_per_input: Mapping[str, ScoreRun],
    summary: ScoreRun,
    out_dir: Path,
    fmt: str,
    render: Callable[[ScoreRun, str], bytes],
    *,
    companions: Mapping[str, bytes] | None = None,
    inputs: Sequence[str] | None = None,
    protected: Sequence[str] | None = None,
) -> list[Path]:
    """One output per input (same stem, `fmt`), `summary.<ext>` and `companions` (file name ->
    bytes, e.g. summary.groups.csv); returns the paths written.

    Only valid inputs belong in `runs_per_input`: the caller decides (keep-going or not) before
    calling. Stems are planned over `inputs` (default: the runs' names) so that an input's file
    name does not change when another input fails. The folder is created when missing.
    `protected` lists the files that must not be written over (default: the inputs).
    """
    names = list(inputs) if inputs is not None else list(runs_per_input)
    plan = out_dir_plan(names, out_dir, fmt)
    files: dict[Path, bytes] = {plan[n]: render(run, fmt) for n, run in runs_per_input.items()}
    files[plan[""]] = render(summary, fmt)
    for name, data in (companions or {}).items():
        files[out_dir / name] = data
    return write_files(files, names if protected is None else protected)


# --------------------------------------------------------------------------- the command


def _print_each(result: EachResult) -> None:
    from kpicard.render.terminal import print_diagnostics

    print_diagnostics(result.diagnostics())


def _plan_lines(manifest, cat, each: EachResult | None) -> list[str]:
    m = manifest.model
    lines = [f"manifest  {manifest.display}", f"catalog   {cat.display} ({cat.digest[:19]}...)"]
    lines.append(f"inputs    {len(manifest.inputs)}")
    for target in manifest.targets:
        name = target.name
        state = f"  role {target.role}" if target.role else "  role column"
        if each is not None:
            if name in each.failed:
                errors = sum(d.is_error for d in each.failed[name])
                state += f", invalid ({errors} error{'s' * (errors != 1)})"
            else:
                state += f", {len(each.runs[name].scorecards)} scorecards"
        lines.append(f"  {name}{state}")
    lines.append(f"period    {m.period or '(all)'}")
    lines.append(f"options   missing={m.missing} min_coverage={m.min_coverage} cap={m.cap}")
    if manifest.group_by:
        lines.append(f"group by  {', '.join(manifest.group_by)}")
    if manifest.compare_display:
        lines.append(f"compare   {manifest.compare_display} (top {m.movers} movers)")
    from kpicard.manifest import display_path

    def companions(path: Path) -> list[str]:
        kinds = (["groups"] if manifest.group_by else []) + (["comparison"] if m.compare else [])
        return [f"  {display_path(path.with_name(f'{path.stem}.{k}.csv'))} (csv)" for k in kinds]

    targets = []
    for t in manifest.outputs:
        targets.append(f"  {t.display} ({t.format})")
        targets += companions(t.path) if t.format == "csv" else []
    if manifest.out_dir is not None:
        plan = out_dir_plan(manifest.inputs, manifest.out_dir, manifest.out_format)
        failed = each.failed if each is not None else {}
        targets += [
            f"  {display_path(p)} ({manifest.out_format})"
            for name, p in plan.items()
            if name not in failed  # an invalid input's output is never written
        ]
        targets += companions(plan[""]) if manifest.out_format == "csv" else []
    lines.append("would write" if targets else "output    table on standard output")
    lines.extend(targets)
    return lines


def _check_planned_outputs(manifest, protected: list[str]) -> None:
    """What the real run would refuse before writing (exit 2): an output that is a folder, is
    read-only, or is a file the batch reads. Folders still to be made are fine."""
    from kpicard.outputs import check_output

    paths = [t.path for t in manifest.outputs]
    if manifest.out_dir is not None:
        paths += out_dir_plan(manifest.inputs, manifest.out_dir, manifest.out_format).values()
    for path in paths:
        if path.parent.is_dir():
            check_output(path, protected)


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
    from kpicard.actuals.mapping import ReadOptions
    from kpicard.cli.common import open_catalog, protected_paths, role_or_error
    from kpicard.manifest import load_manifest
    from kpicard.render.progress import input_progress
    from kpicard.render.terminal import message
    from kpicard.rollup import build_views, load_previous

    manifest = load_manifest(manifest_path)
    m = manifest.model
    keep_going = keep_going or m.keep_going
    cat = open_catalog(manifest.catalog)
    for role in {t.role for t in manifest.targets if t.role is not None}:
        role_or_error(cat, role)
    previous = None
    if manifest.compare is not None:
        previous = load_previous(manifest.compare, manifest.compare_display)
    from kpicard.models import ScoringOptions

    scoring = ScoringOptions(
        missing=m.missing, min_coverage=float(m.min_coverage), cap=float(m.cap)
    )
    reading = ReadOptions(
        role=m.role,
        id_column=m.id_column,
        period=m.period,
        decimal_comma=m.decimal_comma,
        skip_invalid=m.skip_invalid,
        missing=m.missing,
    )
    with input_progress(manifest.inputs) as progress:
        each = score_each(
            manifest.inputs,
            cat,
            scoring,
            reading,
            overrides={t.name: (t.role, t.sheet) for t in manifest.targets},
            progress=progress,
        )
    _print_each(each)
    protected = protected_paths(manifest.inputs, cat, manifest.compare, manifest.path)
    if dry_run:
        sys.stdout.write("\n".join(_plan_lines(manifest, cat, each)) + "\n")
        _check_planned_outputs(manifest, protected)
        if each.failed:
            raise typer.Exit(EXIT_INVALID)
        return
    if each.failed and not keep_going:
        bad = len(each.failed)
        message(
            f"{bad} of {len(manifest.inputs)} input{'s' * (len(manifest.inputs) != 1)} invalid; "
            "nothing written (keep_going: true or --keep-going writes the valid ones)"
        )
        raise typer.Exit(EXIT_INVALID)
    if not each.runs:
        message("no valid input; nothing written")
        raise typer.Exit(EXIT_INVALID)
    summary = merge_runs(each.runs, cat, scoring, list(each.failed))
    require_period_rows(summary, m.period)
    views = build_views(
        summary.scorecards,
        manifest.group_by,
        previous,
        top=m.movers,
        catalog_digest=cat.digest,
    )
    from kpicard.render.terminal import print_view_warnings

    print_view_warnings(views)
    _write_all(manifest, each, summary, views, protected)  # says each file as it writes it
    if not manifest.outputs and manifest.out_dir is None:
        _print_stdout(summary, views, m.detail)
    if each.failed:
        for name in each.failed:
            message(f"not written: the output of {name} (invalid input)")
        raise typer.Exit(EXIT_INVALID)


def _write_all(
    manifest, each: EachResult, summary: ScoreRun, views, protected: list[str]
) -> list[Path]:
    """Render every output in memory, check every target, then write them one by one."""
    from kpicard.render.batch import companion_paths, render_document

    detail = manifest.model.detail
    files: dict[Path, bytes] = {}
    for target in manifest.outputs:
        files[target.path] = _render(summary, target.format, views, detail)
        if target.format == "csv":
            files.update(
                {p: t.encode("utf-8") for p, t in companion_paths(target.path, views).items()}
            )
    if manifest.out_dir is not None:
        fmt = manifest.out_format
        plan = out_dir_plan(manifest.inputs, manifest.out_dir, fmt)
        for name, run in each.runs.items():
            files[plan[name]] = render_document(run, fmt, None, detail)
        files[plan[""]] = _render(summary, fmt, views, detail)
        if fmt == "csv":
            companions = companion_paths(plan[""], views)
            files.update({p: t.encode("utf-8") for p, t in companions.items()})
    return write_files(files, protected)


def _render(run: ScoreRun, fmt: str, views, detail: bool) -> bytes:
    from kpicard.render.batch import render_document

    try:
        return render_document(run, fmt, views, detail)
    except ModuleNotFoundError as exc:
        if exc.name == "kpicard.render.xlsx":
            raise usage_error("output.xlsx", "xlsx output is not available yet") from None
        raise


def _print_stdout(summary: ScoreRun, views, detail: bool) -> None:
    from kpicard.render.batch import print_sections
    from kpicard.render.text import render_table

    render_table(summary, detail=detail)
    print_sections(views)


def register(app: GuardedTyper) -> None:
    app.command("batch")(batch)
