"""What a run is asked to do: the inputs and every option, checked once for every caller.

`score`, `batch` (one request per manifest), `explain`, `catalog diff --impact` and the Python
API all build a `RunRequest`; `kpicard.app.run.run` turns it into a `RunResult`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal

from kpicard.diagnostics import usage_error

Missing = Literal["exclude", "zero", "error"]
MISSING_POLICIES: tuple[str, ...] = ("exclude", "zero", "error")
GROUP_BY: tuple[str, ...] = ("team", "manager", "role")


@dataclass(frozen=True, slots=True)
class Input:
    """One input as given: a path (a file, folder or glob; `-` is standard input) or an open
    binary file, with the role and sheet of its own (a manifest entry can give them)."""

    source: str | BinaryIO
    role: str | None = None
    sheet: str | None = None


InputLike = str | Path | BinaryIO | Input


@dataclass(frozen=True, slots=True)
class RunRequest:
    """Everything a run needs; the defaults are the CLI's defaults."""

    inputs: tuple[Input, ...]
    role: str | None = None
    catalog: str | Path | None = None
    period: str | None = None
    sheet: str | None = None
    id_column: str | None = None
    missing: Missing = "exclude"
    min_coverage: float = 0.5
    cap: float = 120.0
    skip_invalid: bool = False
    decimal_comma: bool = False
    group_by: tuple[str, ...] = ()
    compare: str | Path | None = None
    compare_display: str | None = None
    movers: int = 5
    keep_going: bool = False
    # Files that no output may replace besides the inputs, catalog and --compare (a manifest).
    also_protected: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        check_options(self)


def make_inputs(inputs: InputLike | Sequence[InputLike]) -> tuple[Input, ...]:
    """Inputs as `Input` values: a lone path or file is a list of one."""
    if isinstance(inputs, str | Path | Input) or hasattr(inputs, "read"):
        inputs = [inputs]  # type: ignore[list-item]
    made = []
    for item in inputs:  # type: ignore[union-attr]
        if isinstance(item, Input):
            made.append(item)
        elif isinstance(item, Path):
            made.append(Input(str(item)))
        else:
            made.append(Input(item))  # type: ignore[arg-type]
    return tuple(made)


def check_options(request: RunRequest) -> None:
    """Usage errors (exit 2) for option values no run can use."""
    if request.missing not in MISSING_POLICIES:
        raise usage_error(
            "usage.missing",
            f"unknown missing-value policy '{request.missing}'; use exclude, zero or error",
        )
    if not isinstance(request.min_coverage, int | float) or not 0 <= request.min_coverage <= 1:
        raise usage_error(
            "usage.min-coverage", f"--min-coverage must be 0..1, got {request.min_coverage}"
        )
    if not isinstance(request.cap, int | float) or not 100 <= request.cap < math.inf:
        raise usage_error("usage.cap", f"--cap must be a number of at least 100, got {request.cap}")
    if request.movers < 1:
        raise usage_error("usage.movers", f"--movers must be at least 1, got {request.movers}")
    for by in request.group_by:
        if by not in GROUP_BY:
            raise usage_error("usage.group-by", f"unknown group '{by}'; use {', '.join(GROUP_BY)}")
    if not request.inputs:
        raise usage_error("usage.no-input", "no input given")
