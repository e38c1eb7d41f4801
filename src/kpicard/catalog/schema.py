"""`catalog schema`: the JSON Schema of a role file, generated from the `Role` model.

Generated, never written by hand, so that it cannot drift from validation; a test compares the
checked-in `schema/role.schema.json` with `render_schema()`. Editors (the YAML language server
behind VS Code and others) read it through each role file's first line
`# yaml-language-server: $schema=../schema/role.schema.json` for completion and checks.

Post-processing: draft-07 (`definitions` instead of `$defs`, which editors support best), every
object closed with `additionalProperties: false`, and a description on every key, taken from the
catalog format (SPEC 1.1). Rules across keys (weights summing to 100, threshold < target <
stretch, unique ids) cannot be said in JSON Schema; `kpicard catalog validate` checks them.
"""

from __future__ import annotations

import json
from typing import Any

from kpicard.models import Role

SCHEMA_ID = "https://kpicard.dev/schema/role.schema.json"

DESCRIPTIONS: dict[str, dict[str, str]] = {
    "Role": {
        "": "A role: its KRAs (weighted areas of responsibility) and the KPIs that measure them. "
        "One role per file, named <role-id>.yaml.",
        "kpicard": "Catalog format version; 1.",
        "id": "Role id: a slug like billing-staff; must equal the file name's stem.",
        "name": "The role's display name.",
        "summary": "One paragraph on what the role is for.",
        "period": "Default review period of the role's KPIs (default: monthly).",
        "responsibilities": "Job description duties, one per item.",
        "qualifications": "Qualifications, one per item.",
        "skills": "Skills, one per item.",
        "rating_scale": "Rating levels by overall score; the default scale applies when absent. "
        "Levels and labels distinct, min_score strictly increasing with the level, the lowest "
        "level's min_score 0 or absent.",
        "kras": "Key Responsibility Areas; their weights sum to 100.",
    },
    "KRA": {
        "": "A Key Responsibility Area and the KPIs that measure it.",
        "id": "KRA id: a slug, unique in the role.",
        "name": "The KRA's display name.",
        "statement": "The KRA statement: the outcome this area is responsible for.",
        "summary": "A short description of the area.",
        "weight": "Percent of the role's overall score; the KRA weights of a role sum to 100.",
        "kpis": "The KPIs of this KRA (at least one).",
    },
    "KPI": {
        "": "A Key Performance Indicator: a measured value with its threshold, target and stretch.",
        "id": "KPI id: a slug, unique in the whole role; also accepted as a column header.",
        "name": "The KPI's display name; also accepted as a column header.",
        "description": "What is measured, how, and from which source.",
        "unit": "percent (0-100), ratio (0-1), count, hours, days, minutes, currency, score "
        "(with scale) or number.",
        "currency": "Currency code for unit currency, e.g. USD.",
        "scale": "[low, high] of a unit score, e.g. [1, 5] or [-100, 100] for NPS.",
        "direction": "higher: more is better; lower: less is better; range: inside a band.",
        "threshold": "Worst acceptable value: scores 0 at and beyond it. For range: "
        "{min, max} floors around the target band.",
        "target": "The value that scores 100. For range: the band {min, max} that scores 100.",
        "stretch": "Optional: the value that scores the cap (120 by default); not for range.",
        "weight": "Percent inside its KRA; give it for all KPIs of the KRA or for none "
        "(then equal); given weights sum to 100.",
        "period": "Review period; overrides the role's period.",
        "aliases": "Extra column headers that mean this KPI.",
    },
    "Band": {
        "": "A band {min, max} for a range KPI's target or threshold.",
        "min": "Lower end.",
        "max": "Upper end.",
    },
    "RatingLevel": {
        "": "One rating level.",
        "level": "The level number; higher is better.",
        "label": "The level's label, e.g. Meets expectations.",
        "min_score": "Lowest overall score that earns this level.",
    },
}


def _close(node: Any) -> None:
    """`additionalProperties: false` on every object that lists its properties."""
    if isinstance(node, dict):
        if "properties" in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close(value)
    elif isinstance(node, list):
        for value in node:
            _close(value)


def _describe(model: dict[str, Any], texts: dict[str, str]) -> None:
    if "" in texts:
        model["description"] = texts[""]
    for key, prop in model.get("properties", {}).items():
        if key in texts:
            prop["description"] = texts[key]


def _refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: (v.replace("#/$defs/", "#/definitions/") if k == "$ref" else _refs(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_refs(v) for v in node]
    return node


def build_schema() -> dict[str, Any]:
    """The role file schema as a dict (draft-07)."""
    raw = Role.model_json_schema()
    definitions = raw.pop("$defs", {})
    _describe(raw, DESCRIPTIONS["Role"])
    for name, model in definitions.items():
        _describe(model, DESCRIPTIONS.get(name, {}))
    _close(raw)
    _close(definitions)
    raw.pop("title", None)
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "kpicard role file",
        **raw,
        "definitions": definitions,
    }
    return _refs(schema)


def render_schema() -> str:
    """The schema as the text checked in at schema/role.schema.json."""
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"
