"""`kpicard batch --dry-run`: what a manifest would read and write, as plain lines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol


class _Result(Protocol):
    failed: Mapping[str, Sequence[Any]]
    per_input: Mapping[str, Any]


def plan_lines(
    manifest: Any, catalog: Any, result: _Result | None, paths: Sequence[Path]
) -> list[str]:
    """The manifest, catalog, each input with its role and state, options, and `paths` (what
    the run would write; an invalid input's output is left out by the caller)."""
    from kpicard.catalog.load import display_path

    m = manifest.model
    lines = [
        f"manifest  {manifest.display}",
        f"catalog   {catalog.display} ({catalog.digest[:19]}...)",
        f"inputs    {len(manifest.inputs)}",
    ]
    for target in manifest.targets:
        state = f"  role {target.role}" if target.role else "  role column"
        if result is not None:
            if target.name in result.failed:
                errors = sum(d.is_error for d in result.failed[target.name])
                state += f", invalid ({errors} error{'s' * (errors != 1)})"
            else:
                state += f", {len(result.per_input[target.name].scorecards)} scorecards"
        lines.append(f"  {target.name}{state}")
    lines.append(f"period    {m.period or '(all)'}")
    lines.append(f"options   missing={m.missing} min_coverage={m.min_coverage} cap={m.cap}")
    if manifest.group_by:
        lines.append(f"group by  {', '.join(manifest.group_by)}")
    if manifest.compare_display:
        lines.append(f"compare   {manifest.compare_display} (top {m.movers} movers)")
    kinds = (["groups"] if manifest.group_by else []) + (["comparison"] if m.compare else [])
    formats = {t.path: t.format for t in manifest.outputs}
    shown = []
    for path in paths:
        fmt = formats.get(path, manifest.out_format)
        shown.append(f"  {display_path(path)} ({fmt})")
        is_summary = path not in formats and path.stem == "summary"
        if fmt == "csv" and (path in formats or is_summary):
            shown += [
                f"  {display_path(path.with_name(f'{path.stem}.{k}.csv'))} (csv)" for k in kinds
            ]
    lines.append("would write" if shown else "output    table on standard output")
    return lines + shown
