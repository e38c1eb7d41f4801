"""The JSON document of SPEC 5 (schema version 1): the one serialisation of a ScoreRun.

Every other machine-readable output (CSV, workbooks) shows a subset of this document, and a test
checks that `kpicard score --format json` equals `run_to_data` of the engine's result.
"""

from __future__ import annotations

import json
from typing import Any

from kpicard.models import Band, KPIResult, KRAResult, Scorecard, ScoreRun

SCHEMA_VERSION = 1


def _bound(value: Any) -> Any:
    if isinstance(value, Band):
        return {"min": value.min, "max": value.max}
    return value


def kpi_data(result: KPIResult) -> dict[str, Any]:
    kpi = result.kpi
    source = result.source
    return {
        "id": kpi.id,
        "name": kpi.name,
        "unit": kpi.unit,
        "direction": kpi.direction,
        "weight": result.weight,
        "actual": result.actual,
        "threshold": _bound(kpi.threshold),
        "target": _bound(kpi.target),
        "stretch": kpi.stretch,
        "score": result.score,
        "status": result.status,
        "source": None
        if source is None
        else {"file": source.file, "sheet": source.sheet, "cell": source.cell},
    }


def kra_data(result: KRAResult) -> dict[str, Any]:
    return {
        "id": result.kra.id,
        "name": result.kra.name,
        "weight": result.kra.weight,
        "score": result.score,
        "coverage": result.coverage,
        "kpis": [kpi_data(k) for k in result.kpis],
    }


def scorecard_data(card: Scorecard) -> dict[str, Any]:
    return {
        "employee": card.employee,
        "name": card.name,
        "role": card.role.id,
        "team": card.team,
        "manager": card.manager,
        "period": card.period,
        "score": card.score,
        "coverage": card.coverage,
        "rating": None
        if card.rating is None
        else {"level": card.rating.level, "label": card.rating.label},
        "kras": [kra_data(k) for k in card.kras],
    }


def diagnostic_data(diagnostic: Any) -> dict[str, Any]:
    """One diagnostic as data: `warnings` says the same as text; this keeps the code and the
    place apart, for scripts (SPEC 5's key set only grows)."""
    where = diagnostic.location
    location = None
    if where is not None:
        location = {
            "file": where.file,
            "sheet": where.sheet,
            "row": where.row,
            # a spreadsheet column letter, or the column number in a YAML file (with `line`)
            "column": where.cell_column if where.cell_column is not None else where.column,
            "line": where.line,
        }
    return {
        "code": diagnostic.code,
        "severity": diagnostic.severity.value,
        "message": diagnostic.message,
        "hint": diagnostic.hint,
        "location": location,
    }


def run_to_data(run: ScoreRun, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kpicard": SCHEMA_VERSION,
        "catalog": {"path": run.catalog_path, "digest": run.catalog_digest},
        "options": {
            "missing": run.options.missing,
            "min_coverage": run.options.min_coverage,
            "cap": run.options.cap,
        },
        "scorecards": [scorecard_data(c) for c in run.scorecards],
        "warnings": list(run.warnings),
        "diagnostics": [diagnostic_data(d) for d in run.diagnostics],
    }
    if extra:
        data.update(extra)
    return data


def render_json(run: ScoreRun, extra: dict[str, Any] | None = None) -> str:
    return json.dumps(run_to_data(run, extra), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
