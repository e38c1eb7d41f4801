"""Which files a run reads: one expansion of files, folders, globs and `-` for every command.

`score`, `batch` (relative to the manifest's folder), `catalog diff --impact` and the Python API
all expand their inputs here, so they accept the same things.
"""

from __future__ import annotations

import glob
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from kpicard.app.request import Input
from kpicard.catalog.load import display_path
from kpicard.diagnostics import usage_error

INPUT_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xlsm")
STDIN = "-"


@dataclass(frozen=True, slots=True)
class Source:
    """One file to read: its name as messages show it, and an open stream when it is not a
    path on disk (standard input is the name `-` with no stream: the reader opens it)."""

    name: str
    stream: BinaryIO | None = None
    role: str | None = None
    sheet: str | None = None


def expand_entry(entry: str, base: Path | None = None) -> tuple[list[str], str | None]:
    """The files one entry names, or why it names none.

    A file is itself; a folder gives its actuals files (sorted, hidden ones left out); a glob
    its matching files (sorted). With `base` (a manifest's folder) entries are relative to it
    and names are shown relative to the working folder.
    """
    path = Path(entry) if base is None else base / entry
    shown = (lambda p: str(p)) if base is None else display_path
    if entry == STDIN and base is None:
        return [STDIN], None
    if path.is_file():
        return [entry if base is None else display_path(path)], None
    if path.is_dir():
        found = sorted(
            shown(p)
            for p in path.iterdir()
            if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES and not p.name.startswith(".")
        )
        return found, None if found else f"no .csv, .tsv or .xlsx files in {entry}"
    if glob.has_magic(entry):
        found = sorted(shown(Path(p)) for p in glob.glob(str(path)) if Path(p).is_file())
        return found, None if found else f"no file matches {entry}"
    if base is not None:
        return [], f"input not found: {entry} (paths are relative to the manifest's folder)"
    return [], f"input file not found: {entry}"


_PROBLEM_CODES = {"no .csv": "input.empty-folder", "no file ": "input.no-match"}


def expand_inputs(inputs: Sequence[Input]) -> list[Source]:
    """Every file the inputs name, each once (the first mention counts), in order.

    A missing file, an empty folder or a glob without matches is a usage error (exit 2); an
    open binary file is read as it is, named by its `name` when it has one.
    """
    sources: list[Source] = []
    for item in inputs:
        if not isinstance(item.source, str):
            sources.append(Source(_stream_name(item.source), item.source, item.role, item.sheet))
            continue
        found, problem = expand_entry(item.source)
        if problem is not None:
            code = next((c for p, c in _PROBLEM_CODES.items() if problem.startswith(p)), None)
            raise usage_error(code or "input.missing", problem)
        sources.extend(Source(name, None, item.role, item.sheet) for name in found)
    if sum(s.name == STDIN and s.stream is None for s in sources) > 1:
        raise usage_error("usage.stdin", "standard input (-) can be read only once")
    return once_each(sources)


def _stream_name(stream: BinaryIO) -> str:
    name = getattr(stream, "name", None)
    return name if isinstance(name, str) and name else "<stream>"


def once_each(sources: list[Source]) -> list[Source]:
    """The sources without repeats: `teams/ teams/north.csv` names north.csv twice, and reading
    it twice would make every row of it a duplicate of itself. The first mention counts."""
    seen: set[str] = set()
    unique = []
    for source in sources:
        if source.stream is not None:
            key = f"stream:{id(source.stream)}"
        else:
            key = source.name if source.name == STDIN else os.path.realpath(source.name)
        if key not in seen:
            seen.add(key)
            unique.append(source)
    return unique


def buffered(stream: BinaryIO) -> BinaryIO:
    """A seekable copy of a stream when it is not seekable (a pipe, a socket)."""
    if stream.seekable():
        return stream
    return io.BytesIO(stream.read())
