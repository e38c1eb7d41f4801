"""Writing output files safely: atomically, never over an input, with clear exit-2 errors.

A file is written to a temporary file in the target folder and renamed into place, so a failure
half-way (disk full, Ctrl-C) leaves any earlier file byte-identical and no temporary file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from kpicard.diagnostics import usage_error

READS_BACK = "is an input folder: the next run would read its outputs as actuals"


def reads_back(out_dir: Path, inputs: Iterable[Path]) -> bool:
    """Whether `out_dir` is one of the input folders (see READS_BACK)."""
    target = out_dir.resolve()
    return any(p.is_dir() and p.resolve() == target for p in inputs)


def check_output(path: Path, inputs: Iterable[str]) -> None:
    """Usage errors for an output path that cannot or must not be written (BAD_INPUTS 3, 4)."""
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise usage_error("output.is-folder", f"output {path} is a folder; give a file name")
    if not parent.exists():
        raise usage_error(
            "output.no-folder", f"cannot write {path}: folder {parent} does not exist"
        )
    if not parent.is_dir():
        raise usage_error("output.no-folder", f"cannot write {path}: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise usage_error("output.read-only", f"cannot write {path}: folder {parent} is read-only")
    if path.is_file() and not os.access(path, os.W_OK):
        # The rename would replace it anyway; a read-only file is someone's "do not touch".
        raise usage_error("output.read-only", f"cannot write {path}: the file is read-only")
    for name in inputs:
        if name == "-" or not path.exists():
            continue
        source = Path(name)
        with contextlib.suppress(OSError):
            if source.exists() and os.path.samefile(source, path):
                raise usage_error(
                    "output.is-input",
                    f"output {path} is the input {name}; refusing to overwrite an input",
                    hint="choose another output file name",
                )


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Call `write` on a temporary file beside `path`, then rename it over `path`.

    A symbolic link is written through (its target is replaced, the link stays a link).
    """
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    parent = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise usage_error("output.unwritable", f"cannot write {path}: {exc.strerror}") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _default_mode())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise usage_error(
                "output.write-failed",
                f"writing {path} failed: {exc.strerror or exc}; the earlier file is unchanged",
            ) from None
        raise


def write_text_atomic(path: Path, text: str) -> None:
    write_atomic(path, lambda handle: handle.write(text.encode("utf-8")))
