"""Read and score one input: a source + the catalog -> records -> scorecards.

`kpicard.app.run` calls this for each input of a run; nothing here prints or exits.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from kpicard.actuals import open_table
from kpicard.actuals.container import sniff_container
from kpicard.actuals.mapping import ReadOptions, Record, read_records
from kpicard.app.inputs import Source
from kpicard.catalog.load import Catalog
from kpicard.diagnostics import Diagnostic, KpicardError, Location, Report
from kpicard.models import Scorecard, ScoringOptions

PROGRESS_EVERY = 1024  # rows or records between two progress reports


class RunProgress(Protocol):
    """What a long run reports as it goes (a terminal progress bar listens; nothing else does)."""

    def reading(self, name: str, done: int, total: int) -> None:
        """`done` of `total` bytes of the input read."""

    def scoring(self, name: str, done: int, total: int) -> None:
        """`done` of `total` scorecards made."""


@dataclass(slots=True)
class InputResult:
    name: str
    records: list[Record]
    report: Report


def read_input(
    source: Source,
    catalog: Catalog,
    options: ReadOptions,
    progress: RunProgress | None = None,
) -> InputResult:
    """Read one input into records; container problems become diagnostics, not exceptions."""
    name = source.name
    report = Report()
    if source.role is not None:
        options = dataclasses.replace(options, role=source.role)
    with _on_disk(source) as path:
        options = _with_template_role(path, name, catalog, options, report)
        try:
            table = open_table(path, sheet=source.sheet, display=name)
            if progress is not None and table.progress is not None:
                where = table.progress
                table.rows = _reporting(table.rows, lambda: progress.reading(name, *where()))
            records, read_report = read_records(table, catalog.roles, options)
        except KpicardError as exc:
            if exc.kind == "usage":
                raise
            report.extend(exc.diagnostics)
            return InputResult(name, [], report)
    report.extend(read_report.items)
    return InputResult(name, records, report)


@contextlib.contextmanager
def _on_disk(source: Source) -> Iterator[str]:
    """The path to read: the file itself, or a stream copied to a temporary file (the xlsx
    pre-flight and the sniffer read a file, not a stream), removed once it has been read."""
    if source.stream is None:
        yield source.name
        return
    with tempfile.TemporaryDirectory(prefix="kpicard-") as folder:
        path = Path(folder) / "input"
        with path.open("wb") as handle:
            shutil.copyfileobj(source.stream, handle)
        # A stream without a file name is named by what its bytes are (a workbook or text).
        guess = ".xlsx" if sniff_container(path) == "xlsx" else ".csv"
        suffix = Path(source.name).suffix.lower() or guess
        yield str(path.rename(path.with_suffix(suffix)))


def _reporting(rows: Iterator, report: Callable[[], None]) -> Iterator:
    """The same rows, calling `report` every PROGRESS_EVERY rows and at the end."""
    for count, row in enumerate(rows, 1):
        if count % PROGRESS_EVERY == 0:
            report()
        yield row
    report()


def _with_template_role(
    path: str, name: str, catalog: Catalog, options: ReadOptions, report: Report
) -> ReadOptions:
    """A filled-in `kpicard template` workbook carries its role and catalog digest.

    Its role applies when no --role was given; a digest that differs from the catalog in use
    draws a warning, since the columns may no longer be the role's KPIs.
    """
    if path == "-":  # read_template_meta judges the rest by content
        return options
    from kpicard.actuals.template_meta import read_template_meta

    meta = read_template_meta(path)
    if meta is None:
        return options
    where = Location(file=name)
    # The role file's own digest says whether *this* role changed; the catalog digest (older
    # templates) also changes when any other role file does.
    made_from = meta.get("role_digest")
    in_use = catalog.role_digest(meta["role"])
    if made_from is None:
        made_from, in_use = meta.get("catalog_digest"), catalog.digest
    if made_from and made_from != in_use:
        report.warning(
            "input.template-catalog",
            f"this template was made from a different version of role '{meta['role']}' "
            "than the catalog in use",
            where,
            hint=f"check the columns still match, or make a new one with `kpicard template "
            f"{meta['role']}`",
        )
    if options.role is None and meta["role"] in catalog.roles:
        report.note("input.template-role", f"role '{meta['role']}' from the template", where)
        return dataclasses.replace(options, role=meta["role"])
    return options


def score_records(
    records: list[Record],
    catalog: Catalog,
    options: ScoringOptions,
    on_scored: Callable[[int, int], None] | None = None,
):
    """Score every record, releasing each record as it is scored.

    The list is emptied: a scorecard keeps only what it shows (and where its values came from),
    so a large input's records are freed while its scorecards are made, not after.
    `on_scored(done, total)` hears of the progress every PROGRESS_EVERY records.
    """
    from kpicard.engine import score_scorecard

    cards = []
    roles = catalog.roles
    total = len(records)
    records.reverse()
    while records:
        if on_scored is not None and len(cards) % PROGRESS_EVERY == 0:
            on_scored(len(cards), total)
        r = records.pop()
        card = score_scorecard(
            roles[r.role],
            r.values,
            options,
            employee=r.employee,
            source_of=r.sources,
            name=r.name,
            team=r.team,
            manager=r.manager,
            period=r.period,
            row=r.row,
        )
        card.file = r.sources.file
        cards.append(card)
    if on_scored is not None:
        on_scored(total, total)
    return cards


DuplicateKey = tuple[str, str, str | None]


def cross_input_duplicates(
    cards: Iterable[Scorecard], seen: dict[DuplicateKey, Scorecard]
) -> list[Diagnostic]:
    """Errors for scorecards whose employee, role and period an earlier input already had.

    Duplicates inside one file are found by the reader; this catches the same person in two
    files of a batch (SPEC 3.2), naming both places. `seen` carries the keys across inputs.
    """
    found = []
    for card in cards:
        key = (card.employee, card.role.id, card.period)
        first = seen.get(key)
        if first is None:
            seen[key] = card
            continue
        period = f" and period {card.period}" if card.period else ""
        found.append(
            Diagnostic(
                "input.duplicate-row",
                f"employee '{card.employee}' appears twice for role '{card.role.id}'{period}: "
                f"{first.file} row {first.row} and {card.file} row {card.row}",
                location=Location(file=card.file, row=card.row),
                hint="keep one row per employee, role and period across the inputs",
            )
        )
    return found


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector during a run, then freeze what the run made.

    A run allocates millions of small acyclic objects (cells, results); the collector's repeated
    passes over them cost 3-4x the scoring itself and free nothing. Freezing the survivors keeps
    later passes (while rendering) from walking them again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
