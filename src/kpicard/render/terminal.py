"""Terminal output: data to stdout, messages to stderr, colour only on a terminal.

Both consoles have markup and emoji codes off: table titles, column headers and plain strings
often hold names from catalogs and spreadsheets, and rich would read `[/bold]` in them as markup
(a MarkupError) or `[mini]` as a style tag (silently dropped). Styles come from `Text` objects.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from kpicard.diagnostics import Diagnostic, Severity
from kpicard.render.safe import clean

if TYPE_CHECKING:
    from rich.console import Console


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


@contextlib.contextmanager
def working(what: str, *, long: bool) -> Iterator[None]:
    """A spinner on stderr saying `what` is being done, when the work is `long` and stderr is a
    terminal; nothing otherwise. `what` is plain text, never markup."""
    if not long or not stderr_is_terminal():
        yield
        return
    from rich.text import Text

    with err_console().status(Text(clean(what))):
        yield


def _console(stream: str) -> Console:
    """A rich console on the current stdout or stderr (made per use: tests swap the streams).

    Colour and wrapping only on a terminal and never with NO_COLOR; markup and emoji codes off,
    so text from input files is never read as rich markup.
    """
    from rich.console import Console

    terminal = stderr_is_terminal() if stream == "stderr" else stdout_is_terminal()
    return Console(
        stderr=stream == "stderr",
        file=sys.stdout if stream == "stdout" else None,
        highlight=False,
        markup=False,
        emoji=False,
        no_color="NO_COLOR" in os.environ or not terminal,
        force_terminal=None if terminal else False,
        width=None if terminal else 10_000,
        soft_wrap=not terminal,
    )


def err_console() -> Console:
    return _console("stderr")


def out_console() -> Console:
    return _console("stdout")


_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}


def print_diagnostics(diagnostics: Iterable[Diagnostic]) -> None:
    """Print diagnostics to stderr, one per line (hint indented below), user text escaped."""
    print_diagnostic_lines(diagnostics, err_console())


def print_diagnostic_lines(diagnostics: Iterable[Diagnostic], console: Console) -> None:
    """`where: severity: message [code]` per diagnostic, as `Diagnostic.render()` spells it,
    styled; the code lets a user look the message up in docs/diagnostics.md."""
    from rich.text import Text

    for d in diagnostics:
        line = Text()
        where = str(d.location) if d.location else ""
        if where:
            line.append(clean(where), style="bold")
            line.append(": ")
        line.append(d.severity.value, style=_STYLE[d.severity])
        line.append(": ")
        line.append(clean(d.message))
        line.append(f" [{d.code}]", style="dim")
        console.print(line)
        if d.hint:
            console.print(Text("  hint: " + clean(d.hint), style="dim"))


def message(text: str, style: str | None = None) -> None:
    """A status message on stderr (never on stdout, which carries data)."""
    from rich.text import Text

    err_console().print(Text(text, style=style or ""))


def plain_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Stable, uncoloured, aligned text columns for pipes and tests."""
    cells = [[clean(h) for h in headers]] + [
        [clean("" if v is None else v) for v in row] for row in rows
    ]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines) + "\n"


def wrote(path: object) -> None:
    """Say on stderr that a file was written, as the user would type its path."""
    from pathlib import Path

    from kpicard.catalog.load import display_path

    message(f"wrote {display_path(Path(str(path)))}")
