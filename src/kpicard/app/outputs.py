"""Where a run's outputs go and how they are written: one plan for `score -o`, `--out-dir`,
a manifest's `outputs` and `out_dir`, and `RunResult.write`.

Every file is rendered in memory first and every target checked (a folder, read-only, a file
the run reads) before the first one is written; each is written atomically and reported to
`on_written` as it lands, so that a failure part-way leaves a trail of what is already new.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kpicard import outputs as writing
from kpicard.diagnostics import usage_error
from kpicard.outputs import READS_BACK, check_output, reads_back
from kpicard.render.formats import extension

if TYPE_CHECKING:
    from kpicard.app.run import RunResult

RESERVED_STEMS = ("summary", "summary.groups", "summary.comparison")

OnWritten = Callable[[Path], None]


@dataclass(frozen=True, slots=True)
class OutputTarget:
    """One file to write with the summary in `format`."""

    path: Path
    format: str


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
    taken: set[str] = {t.casefold() for t in RESERVED_STEMS}
    final: dict[str, str] = {}
    for n, s in stems.items():
        candidate, i = s, 1
        while candidate.casefold() in taken:
            i += 1
            candidate = f"{s}-{i}"
        taken.add(candidate.casefold())
        final[n] = candidate
    return final


def out_dir_plan(names: Sequence[str], out_dir: Path, fmt: str) -> dict[str, Path]:
    """Where each input's output and the summary go (`""` is the summary's key).

    Stems are planned over every input, valid or not, so that an input's file name does not
    change when another input fails."""
    ext = extension(fmt)
    plan = {n: out_dir / f"{stem}.{ext}" for n, stem in out_stems(names).items()}
    plan[""] = out_dir / f"summary.{ext}"
    return plan


def check_out_dir(out_dir: Path, inputs: Sequence[str | Path]) -> None:
    """Usage errors for an --out-dir that is a file or one of the input folders."""
    if out_dir.exists() and not out_dir.is_dir():
        raise usage_error("output.not-a-folder", f"--out-dir {out_dir} is not a folder")
    if reads_back(out_dir, [Path(i) for i in inputs]):
        raise usage_error(
            "usage.out-dir",
            f"--out-dir {out_dir} {READS_BACK}",
            hint="write the outputs to another folder",
        )


def with_companions(path: Path, fmt: str, data: bytes, result: RunResult) -> dict[Path, bytes]:
    """The file itself and, for CSV, the `.groups.csv` / `.comparison.csv` beside it."""
    files = {path: data}
    if fmt == "csv":
        from kpicard.render.batch import companion_paths

        for companion, text in companion_paths(path, result.views).items():
            files[companion] = text.encode("utf-8")
    return files


def planned_files(
    result: RunResult,
    targets: Sequence[OutputTarget] = (),
    out_dir: Path | None = None,
    out_format: str | None = None,
    *,
    detail: bool = False,
) -> dict[Path, bytes]:
    """Every file a run writes, rendered: each target, and under `out_dir` one file per valid
    input plus `summary.<ext>` (an invalid input's output is never written)."""
    from kpicard.render.formats import render_document

    files: dict[Path, bytes] = {}
    for target in targets:
        data = result.render(target.format, detail=detail)
        files.update(with_companions(target.path, target.format, data, result))
    if out_dir is not None and out_format is not None:
        plan = out_dir_plan(result.names, out_dir, out_format)
        for name, run in result.per_input.items():
            files[plan[name]] = render_document(run, out_format, None, detail)
        summary = result.render(out_format, detail=detail)
        files.update(with_companions(plan[""], out_format, summary, result))
    return files


def planned_paths(
    names: Sequence[str],
    targets: Sequence[OutputTarget],
    out_dir: Path | None,
    out_format: str | None,
    failed: Mapping[str, object] = {},
) -> list[Path]:
    """The paths `planned_files` would write, without rendering (for --dry-run)."""
    paths = [t.path for t in targets]
    if out_dir is not None and out_format is not None:
        plan = out_dir_plan(names, out_dir, out_format)
        paths += [p for name, p in plan.items() if name not in failed]
    return paths


def check_targets(paths: Sequence[Path], protected: Sequence[str]) -> None:
    """What writing would refuse (exit 2), checked before anything is read or written:
    a folder, a read-only file, a file the run reads. Folders still to be made are fine."""
    for path in paths:
        if path.parent.is_dir():
            check_output(path, protected)


def write_files(
    files: Mapping[Path, bytes], protected: Sequence[str], on_written: OnWritten | None = None
) -> list[Path]:
    """Check every target first (folder, read-only, an input), then write each atomically."""
    for path in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        check_output(path, protected)
    written = []
    for path, data in files.items():
        writing.write_atomic(path, lambda handle, data=data: handle.write(data))
        written.append(path)
        if on_written is not None:
            on_written(path)  # as it happens: a later failure leaves a trail
    return written


def write_result(
    result: RunResult,
    path: Path,
    fmt: str,
    *,
    detail: bool = False,
    on_written: OnWritten | None = None,
) -> list[Path]:
    """`result` in `fmt` to `path` (plus CSV companions), never over a file the run read."""
    if fmt == "xlsx" and str(path) == "-":
        raise usage_error("usage.xlsx-needs-output", "--format xlsx needs -o FILE.xlsx")
    files = planned_files(result, [OutputTarget(path, fmt)], detail=detail)
    return write_files(files, result.protected, on_written)
