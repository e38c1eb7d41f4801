"""The one table of output formats: names, file extensions, and the writer of each.

`score`, `batch`, the manifest, `template` and `-o` inference all read it, so a format is
added or renamed in one place.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kpicard.diagnostics import usage_error

if TYPE_CHECKING:
    from kpicard.models import ScoreRun
    from kpicard.rollup import BatchViews


@dataclass(frozen=True, slots=True)
class OutputFormat:
    name: str
    extension: str  # what `--out-dir` names its files with
    reads: tuple[str, ...]  # the extensions `-o FILE` infers this format from
    text: bool = True  # can go to standard output


FORMATS: dict[str, OutputFormat] = {
    f.name: f
    for f in (
        OutputFormat("table", "txt", ("txt",)),
        OutputFormat("json", "json", ("json",)),
        OutputFormat("csv", "csv", ("csv",)),
        OutputFormat("markdown", "md", ("md", "markdown")),
        OutputFormat("xlsx", "xlsx", ("xlsx", "xlsm"), text=False),
    )
}
SCORE_FORMATS = ("table", "json", "csv", "markdown", "xlsx")
TEMPLATE_FORMATS = ("csv", "xlsx")
FILE_FORMATS = ("json", "csv", "markdown", "xlsx", "table")  # a manifest's `outputs`

MACRO_FREE = "kpicard writes workbooks without macros; name it .xlsx"


def extension(fmt: str) -> str:
    return FORMATS[fmt].extension


def format_of_path(path: Path | str) -> str | None:
    """The format a file name asks for (`.md` is markdown, `.txt` the plain table), or None."""
    suffix = Path(path).suffix.lower().lstrip(".")
    return next((f.name for f in FORMATS.values() if suffix in f.reads), None)


def is_macro_name(path: Path | str) -> bool:
    """An .xlsm name: Excel refuses a workbook without macros under it (see MACRO_FREE)."""
    return Path(path).suffix.lower() == ".xlsm"


def choose_format(fmt: str | None, output: Path | None, allowed: tuple[str, ...]) -> str:
    """`--format` if given, else the output file's extension, else the first allowed format."""
    chosen = _chosen(fmt, output, allowed)
    if chosen == "xlsx" and output is not None and is_macro_name(output):
        raise usage_error(
            "usage.xlsm",
            f"{output.name}: {MACRO_FREE}",
            hint="Excel refuses an .xlsm file whose content is an ordinary workbook",
        )
    return chosen


def _chosen(fmt: str | None, output: Path | None, allowed: tuple[str, ...]) -> str:
    if fmt:
        fmt = fmt.lower()
        if fmt not in allowed:
            choices = ", ".join(allowed[:-1]) + f" or {allowed[-1]}"
            raise usage_error("usage.format", f"unknown format '{fmt}'; use {choices}")
        return fmt
    if output is not None and str(output) != "-":
        found = format_of_path(output)
        if found in allowed:
            return found
        raise usage_error(
            "usage.format",
            f"cannot tell the format from '{output.name}'",
            hint=f"give --format ({', '.join(allowed)})",
        )
    return allowed[0]


def render_document(
    run: ScoreRun, fmt: str, views: BatchViews | None = None, detail: bool = False
) -> bytes:
    """One output file's bytes: the scorecards in `fmt` plus the views where `fmt` holds them.

    `table` is exactly the plain text a pipe gets; CSV holds the scorecards only (the views go
    to companion files, see `kpicard.render.batch.companion_paths`).
    """
    from kpicard.render import batch

    if fmt == "json":
        from kpicard.render.json import render_json

        return render_json(run, batch.extra_data(views)).encode("utf-8")
    if fmt == "csv":
        from kpicard.render.csv import render_csv

        return render_csv(run).encode("utf-8")
    if fmt == "markdown":
        from kpicard.render.text import render_markdown

        text = render_markdown(run, detail=detail) + batch.markdown_sections(views)
        return text.encode("utf-8")
    if fmt == "xlsx":
        from kpicard.render.xlsx import write_report

        buffer = io.BytesIO()
        write_report(run, buffer, batch.xlsx_sheets(views))
        return buffer.getvalue()
    if fmt == "table":
        from kpicard.render.text import plain_text

        text = plain_text(run, detail=detail) + batch.plain_sections(views, warnings=False)
        return text.encode("utf-8")
    raise ValueError(f"unknown format {fmt!r}")
