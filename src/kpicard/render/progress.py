"""Progress on a terminal: bars on stderr while inputs are read and scored, gone when done.

The run layer reports through the `RunProgress` protocol; this is the one listener.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

LARGE_INPUT_BYTES = 1_000_000  # a single input this big gets its own bar (about 10k rows)


class TerminalProgress:
    """Progress bars on stderr: inputs done (for several inputs), and reading then scoring for
    each large input. File names are shown as plain text, never as rich markup."""

    def __init__(self, progress: Any, names: Sequence[str], large: set[str]) -> None:
        self.progress = progress
        self.inputs = (
            progress.add_task("scoring", total=len(names), name="", count=f"0/{len(names)}")
            if len(names) > 1
            else None
        )
        self.large = large  # the inputs that get a bar of their own
        self.file_task: Any = None
        self.stage = ""
        self.done = 0
        self.count = len(names)

    def _show(self, name: str, stage: str, done: int, total: int) -> None:
        if name not in self.large or total <= 0:
            return
        percent = f"{100 * min(done, total) // total}%"
        if self.file_task is None:
            from kpicard.render.safe import clean

            self.file_task = self.progress.add_task(
                stage, total=total, name=clean(Path(name).name), count=percent
            )
            self.stage = ""
        self.progress.update(
            self.file_task, description=stage, completed=done, total=total, count=percent
        )
        if stage != self.stage:  # show each stage at once, not at the next 0.1 s refresh
            self.stage = stage
            self.progress.refresh()

    def reading(self, name: str, done: int, total: int) -> None:
        self._show(name, "reading", done, total)

    def scoring(self, name: str, done: int, total: int) -> None:
        self._show(name, "scoring", done, total)

    def input_done(self, name: str) -> None:
        from kpicard.render.safe import clean

        if self.file_task is not None:
            self.progress.remove_task(self.file_task)
            self.file_task = None
        self.done += 1
        if self.inputs is not None:
            self.progress.update(
                self.inputs,
                advance=1,
                name=clean(Path(name).name),
                count=f"{self.done}/{self.count}",
            )


def _input_size(name: str) -> int:
    try:
        return 0 if name == "-" else Path(name).stat().st_size
    except OSError:
        return 0


@contextlib.contextmanager
def input_progress(names: Sequence[str]) -> Iterator[TerminalProgress | None]:
    """Progress bars on stderr for several inputs or a large one; None unless stderr is a
    terminal, or when the work is too small to need one."""
    from kpicard.render.terminal import stderr_is_terminal

    if not stderr_is_terminal():
        yield None
        return
    large = {n for n in names if _input_size(n) >= LARGE_INPUT_BYTES}
    if len(names) < 2 and not large:
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn

    from kpicard.render.terminal import err_console

    with Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TextColumn("{task.fields[count]}", markup=False),
        TextColumn("{task.fields[name]}", markup=False),  # file names are not markup
        console=err_console(),
        transient=True,
    ) as progress:
        yield TerminalProgress(progress, names, large)
