"""A review batch: a manifest is one RunRequest plus the outputs it writes."""

from __future__ import annotations

from kpicard.app.manifest import ResolvedManifest
from kpicard.app.outputs import OutputTarget
from kpicard.app.request import Input, RunRequest


def manifest_request(manifest: ResolvedManifest, *, keep_going: bool = False) -> RunRequest:
    """The run a manifest describes; each input entry keeps its own role and sheet."""
    m = manifest.model
    return RunRequest(
        tuple(Input(t.name, role=t.role, sheet=t.sheet) for t in manifest.targets),
        role=m.role,
        catalog=manifest.catalog,
        period=m.period,
        sheet=m.sheet,
        id_column=m.id_column,
        missing=m.missing,
        min_coverage=float(m.min_coverage),
        cap=float(m.cap),
        skip_invalid=m.skip_invalid,
        decimal_comma=m.decimal_comma,
        group_by=tuple(manifest.group_by),
        compare=manifest.compare,
        compare_display=manifest.compare_display,
        movers=m.movers,
        keep_going=keep_going or m.keep_going,
        also_protected=(str(manifest.path),),
    )


def manifest_targets(manifest: ResolvedManifest) -> list[OutputTarget]:
    return [OutputTarget(t.path, t.format) for t in manifest.outputs]
