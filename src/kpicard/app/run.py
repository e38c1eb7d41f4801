"""One run: a RunRequest in, a RunResult out; nothing printed, nothing exits.

The steps are those of every scoring command: resolve the catalog and the inputs, read and
score each input on its own (so that each error names its input and one broken file does not
hide the others' results), find people who appear in two inputs, merge, roll up, compare.

Usage problems (an unknown role, a missing file) raise `UsageError` at once and a broken
catalog `CatalogError`; invalid inputs are collected in `RunResult.failed`, so that the CLI's
`--keep-going` can still write the valid ones. `kpicard.score` raises `InputError` for them.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kpicard.actuals.mapping import ReadOptions
from kpicard.app.catalog import catalog_files, open_catalog, role_or_error
from kpicard.app.inputs import Source, expand_inputs
from kpicard.app.read import (
    DuplicateKey,
    RunProgress,
    cross_input_duplicates,
    gc_paused,
    read_input,
    score_records,
)
from kpicard.app.request import RunRequest
from kpicard.catalog.load import Catalog
from kpicard.diagnostics import Diagnostic, InputError, Location, Severity, input_error
from kpicard.models import Scorecard, ScoreRun, ScoringOptions
from kpicard.rollup import BatchViews, PreviousRun


@dataclass(slots=True)
class RunResult:
    """What a run produced: the scorecards of every valid input, the rollups and comparison
    asked for, every diagnostic, and the identity of the catalog used.

    `to_json()` is exactly what `kpicard score --format json` prints for the same run, and
    `write(path)` writes any format the CLI writes.
    """

    request: RunRequest
    catalog: Catalog
    summary: ScoreRun  # every valid input's scorecards and warnings: what outputs show
    per_input: dict[str, ScoreRun]  # the valid inputs' own runs, for --out-dir
    failed: dict[str, list[Diagnostic]]  # each invalid input's diagnostics
    names: list[str]  # every input read, in order
    views: BatchViews | None = None
    protected: list[str] = field(default_factory=list)  # files no output may replace

    @property
    def scorecards(self) -> list[Scorecard]:
        return self.summary.scorecards

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Every diagnostic of the run: the valid inputs' warnings and notes, the invalid
        inputs' errors, then the comparison's warnings (another catalog version, ...)."""
        found = [d for run in self.per_input.values() for d in run.diagnostics]
        found += [d for ds in self.failed.values() for d in ds]
        return found + view_warnings(self.views)

    @property
    def ok(self) -> bool:
        """True when every input was valid."""
        return not self.failed

    @property
    def groups(self) -> list[Any]:
        return self.views.groups if self.views else []

    @property
    def comparison(self) -> Any:
        return self.views.comparison if self.views else None

    @property
    def catalog_path(self) -> str:
        return self.catalog.display

    @property
    def catalog_digest(self) -> str:
        return self.catalog.digest

    def to_data(self) -> dict[str, Any]:
        """The JSON document (SPEC 5) as Python data."""
        from kpicard.render.batch import extra_data
        from kpicard.render.json import run_to_data

        return run_to_data(self.summary, extra_data(self.views))

    def to_json(self) -> str:
        """The JSON document as `kpicard score --format json` prints it."""
        return self.render("json").decode("utf-8")

    def render(self, fmt: str, *, detail: bool = False) -> bytes:
        """The bytes of one output in `fmt` (table, json, csv, markdown, xlsx)."""
        from kpicard.render.formats import FORMATS, render_document

        if fmt not in FORMATS:
            from kpicard.diagnostics import usage_error

            raise usage_error("usage.format", f"unknown format '{fmt}'; use {', '.join(FORMATS)}")
        return render_document(self.summary, fmt, self.views, detail)

    def write(
        self, path: str | Path, format: str | None = None, *, detail: bool = False
    ) -> list[Path]:
        """Write the output to `path` (format from `format`, else the extension), atomically,
        never over an input; a CSV gets its `.groups.csv` / `.comparison.csv` companions.
        Returns the files written."""
        from kpicard.app.outputs import write_result
        from kpicard.render.formats import SCORE_FORMATS, choose_format

        target = Path(path)
        fmt = choose_format(format, target, SCORE_FORMATS)
        return write_result(self, target, fmt, detail=detail)

    def raise_for_errors(self) -> None:
        """InputError with every invalid input's diagnostics, when there are any."""
        if self.failed:
            raise InputError([d for ds in self.failed.values() for d in ds])


def view_warnings(views: BatchViews | None) -> list[Diagnostic]:
    """The comparison's warnings as diagnostics."""
    comparison = getattr(views, "comparison", None)
    if comparison is None:
        return []
    return [Diagnostic("compare.warning", text, Severity.WARNING) for text in comparison.warnings]


@dataclass(slots=True)
class PreparedRun:
    """A request whose catalog, inputs and --compare file are resolved and checked: what the
    CLI needs to refuse a bad output path before any input is read."""

    request: RunRequest
    catalog: Catalog
    sources: list[Source]
    previous: PreviousRun | None

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.sources]

    @property
    def protected(self) -> list[str]:
        """Every file the run reads, which no output may replace."""
        request = self.request
        others = [str(request.compare)] if request.compare is not None else []
        return [*self.names, *catalog_files(self.catalog), *others, *request.also_protected]

    def execute(
        self, progress: RunProgress | None = None, *, require_rows: bool = True
    ) -> RunResult:
        """Read, score, merge, roll up and compare. With `require_rows`, a --period that no
        input has is an InputError (explain says "no employee ... for period" instead)."""
        return _execute(self, progress, require_rows)


def prepare(request: RunRequest, catalog: Catalog | None = None) -> PreparedRun:
    """Resolve the catalog (or use `catalog`), check the roles named, expand the inputs and
    read the --compare file. Raises UsageError, CatalogError or InputError."""
    cat = open_catalog(catalog if catalog is not None else request.catalog)
    for role in {request.role, *(i.role for i in request.inputs)} - {None}:
        role_or_error(cat, role)  # type: ignore[arg-type]
    sources = [
        dataclasses.replace(s, sheet=s.sheet or request.sheet)
        for s in expand_inputs(request.inputs)
    ]
    previous = None
    if request.compare is not None:
        from kpicard.catalog.load import display_path
        from kpicard.rollup import load_previous

        compare = Path(request.compare)
        previous = load_previous(compare, request.compare_display or display_path(compare))
    return PreparedRun(request, cat, sources, previous)


def run(
    request: RunRequest, *, catalog: Catalog | None = None, progress: RunProgress | None = None
) -> RunResult:
    """Prepare and execute a request."""
    return prepare(request, catalog).execute(progress)


def scoring_options(request: RunRequest) -> ScoringOptions:
    return ScoringOptions(
        missing=request.missing, min_coverage=float(request.min_coverage), cap=float(request.cap)
    )


def reading_options(request: RunRequest, **extra: Any) -> ReadOptions:
    return ReadOptions(
        role=request.role,
        id_column=request.id_column,
        period=request.period,
        decimal_comma=request.decimal_comma,
        skip_invalid=request.skip_invalid,
        missing=request.missing,
        **extra,
    )


def _execute(prepared: PreparedRun, progress: RunProgress | None, require_rows: bool) -> RunResult:
    request, catalog = prepared.request, prepared.catalog
    scoring = scoring_options(request)
    with gc_paused():  # the collector would walk every earlier result again and again
        per_input, failed = score_each(
            prepared.sources, catalog, scoring, reading_options(request), progress
        )
    summary = merge_runs(per_input, catalog, scoring, list(failed))
    result = RunResult(
        request=request,
        catalog=catalog,
        summary=summary,
        per_input=per_input,
        failed=failed,
        names=prepared.names,
        protected=prepared.protected,
    )
    if failed and not request.keep_going:
        return result
    try:
        if require_rows:
            require_period_rows(summary, request.period, any_valid=bool(per_input))
    except InputError as exc:  # with the warnings that say which periods each input has
        raise InputError([*result.diagnostics, *exc.diagnostics]) from None
    if request.group_by or prepared.previous is not None:
        from kpicard.rollup import build_views

        result.views = build_views(
            summary.scorecards,
            list(dict.fromkeys(request.group_by)),
            prepared.previous,
            top=request.movers,
            catalog_digest=catalog.digest,
        )
    return result


def score_each(
    sources: Sequence[Source],
    catalog: Catalog,
    scoring: ScoringOptions,
    reading: ReadOptions,
    progress: RunProgress | None = None,
) -> tuple[dict[str, ScoreRun], dict[str, list[Diagnostic]]]:
    """Each input read and scored on its own: (runs of the valid inputs, diagnostics of the
    invalid ones), in input order. A person already scored from an earlier input makes the
    later input invalid, naming both places."""
    runs: dict[str, ScoreRun] = {}
    failed: dict[str, list[Diagnostic]] = {}
    seen: dict[DuplicateKey, Scorecard] = {}
    for source in sources:
        name = source.name
        result = read_input(source, catalog, reading, progress)
        diagnostics = result.report.items
        if any(d.is_error for d in diagnostics):
            failed[name] = diagnostics
        else:
            on_scored = functools.partial(progress.scoring, name) if progress else None
            cards = score_records(result.records, catalog, scoring, on_scored)
            duplicates = cross_input_duplicates(cards, seen) if len(sources) > 1 else []
            if duplicates:
                failed[name] = duplicates
            else:
                runs[name] = ScoreRun(
                    scorecards=cards,
                    options=scoring,
                    catalog_path=catalog.display,
                    catalog_digest=catalog.digest,
                    diagnostics=diagnostics,
                )
        del result
        if progress is not None:
            progress.input_done(name)
    return runs, failed


def merge_runs(
    runs: dict[str, ScoreRun],
    catalog: Catalog,
    scoring: ScoringOptions,
    left_out: Sequence[str] = (),
) -> ScoreRun:
    """The summary: every valid input's scorecards and warnings, in input order.

    `left_out` names the invalid inputs a --keep-going run skipped: the summary says so itself,
    so that a report read later does not pass for the whole review.
    """
    skipped = [
        Diagnostic(
            "input.left-out",
            "left out of this run (invalid input)",
            Severity.WARNING,
            Location(file=name),
        )
        for name in left_out
    ]
    return ScoreRun(
        scorecards=[c for run in runs.values() for c in run.scorecards],
        options=scoring,
        catalog_path=catalog.display,
        catalog_digest=catalog.digest,
        diagnostics=[d for run in runs.values() for d in run.diagnostics] + skipped,
    )


def require_period_rows(summary: ScoreRun, period: str | None, *, any_valid: bool) -> None:
    """With --period, at least one input must have rows of that period (InputError otherwise).

    One input without them is only a warning: a team may have no rows for a quarter.
    """
    if period is not None and any_valid and not summary.scorecards:
        raise input_error(
            "input.no-period-rows",
            f"no input has rows of period '{period}'",
            hint="periods are matched exactly as written in the period column, e.g. 2026-Q3",
        )
