"""Load role files into validated `Role` models, with every problem reported at `file:line:col`.

A catalog is a folder of `<role-id>.yaml` files or a single file. Loading never stops at the
first broken file: each file's problems are collected into one `Report`, and the valid roles are
returned beside it.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kpicard.catalog.positioned import Schema, explain_validation, read_document, value_at
from kpicard.catalog.yamlpos import CATALOG, Path_, Positioned
from kpicard.diagnostics import Location, Report, usage_error
from kpicard.models import (
    KPI,
    KRA,
    Band,
    RatingLevel,
    Role,
    kpi_weights_problem,
    kra_weights_problem,
)

MAX_ROLE_FILE_BYTES = 5 * 1024 * 1024
ROLE_SUFFIXES = (".yaml", ".yml")


@dataclass(slots=True)
class RoleFile:
    """One role file: its text, parsed data with positions, and the model when it is valid."""

    path: Path
    display: str
    raw: bytes = b""
    doc: Positioned | None = None
    role: Role | None = None


@dataclass(slots=True)
class Catalog:
    path: Path
    display: str
    files: list[RoleFile]
    report: Report
    roles: dict[str, Role] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        """sha256 over the role files' names and bytes, so an output can name its catalog."""
        h = hashlib.sha256()
        for f in sorted(self.files, key=lambda f: f.path.name):
            h.update(f.path.name.encode() + b"\0" + f.raw + b"\0")
        return "sha256:" + h.hexdigest()

    def role_digest(self, role_id: str) -> str | None:
        """sha256 of one role file's bytes: it changes only when that role's file changes."""
        found = self.role_file(role_id)
        return None if found is None else "sha256:" + hashlib.sha256(found.raw).hexdigest()

    def role_file(self, role_id: str) -> RoleFile | None:
        return next((f for f in self.files if f.role and f.role.id == role_id), None)


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return rel if not rel.startswith("..") else str(path)


def role_files_in(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in ROLE_SUFFIXES and p.is_file())
    return [path]


def load_catalog(path: Path, display: str | None = None) -> Catalog:
    """Load every role file under `path` (a folder or one file); never raises for bad content."""
    report = Report()
    files = [load_role_file(p, report) for p in role_files_in(path)]
    catalog = Catalog(path=path, display=display or display_path(path), files=files, report=report)
    index_roles(catalog)
    return catalog


def index_roles(catalog: Catalog) -> None:
    """Fill `catalog.roles` from its valid role files, in file order.

    Two files declaring the same role id (demo.yaml and demo.yml) are an error on the second,
    and neither replaces the other. Every way of reading a catalog (a folder, a file, a git
    revision in `catalog diff`) ends here, so none of them skips this check.
    """
    for f in catalog.files:
        if f.role is None:
            continue
        if f.role.id in catalog.roles:
            first = catalog.role_file(f.role.id)
            assert first is not None
            position = (f.doc.where(("id",)) if f.doc else None) or (1, 1)
            catalog.report.error(
                "catalog.duplicate-role",
                f"role '{f.role.id}' is defined twice: {first.display} and {f.display}",
                Location(f.display, *position),
                hint="keep one file per role",
            )
            continue
        catalog.roles[f.role.id] = f.role


def require_role_files(catalog: Catalog) -> None:
    """A catalog without any role file is a usage error (exit 2): "ok" or "no changes" for a
    mistyped folder would pass a CI check that checks nothing."""
    if not catalog.files:
        raise usage_error("catalog.no-roles", f"no role files (*.yaml, *.yml) in {catalog.display}")


def load_role_text(raw: bytes, display: str, stem: str, report: Report) -> RoleFile:
    """Validate one role file's bytes; `stem` is what its id must be (the file name's stem).

    The file's diagnostics are added to `report` in line order.
    """
    local = Report()
    role_file = _validate_role_text(raw, display, stem, local)
    report.extend(sorted(local.items, key=lambda d: (d.location.line or 0, d.location.column or 0)))
    return role_file


def _validate_role_text(raw: bytes, display: str, stem: str, report: Report) -> RoleFile:
    role_file = RoleFile(path=Path(display), display=display, raw=raw)
    before = len(report.errors)
    doc = read_document(raw, display, CATALOG, report)  # duplicate keys are errors in `report`
    if doc is None:
        return role_file
    role_file.doc = doc
    _check_ids(doc, stem, display, report)
    try:
        role = Role.model_validate(doc.data)
    except ValidationError as exc:
        found = list(explain_validation(exc, doc.data, ROLE_SCHEMA))
        reported = {(message, path) for message, path, _at_key in found}
        found += [
            (message, path, True)
            for message, path in _weight_sums(doc.data)
            if (message, path) not in reported
        ]
        for message, path, at_key in found:
            line, col = doc.where(path, key=at_key) or (None, None)
            report.error(CATALOG.codes.invalid, message, Location(display, line, col))
        return role_file
    if len(report.errors) == before:
        role_file.role = role
    return role_file


def load_role_file(path: Path, report: Report) -> RoleFile:
    display = display_path(path)
    try:
        size = path.stat().st_size
        if size > MAX_ROLE_FILE_BYTES:
            report.error(
                "catalog.too-large",
                f"role file is {size / 1024 / 1024:.1f} MB; the limit is 5 MB",
                Location(display),
            )
            return RoleFile(path=path, display=display)
        raw = path.read_bytes()
    except OSError as exc:
        report.error(
            "catalog.unreadable", f"cannot read role file: {exc.strerror}", Location(display)
        )
        return RoleFile(path=path, display=display)
    role_file = load_role_text(raw, display, path.stem, report)
    role_file.path = path
    return role_file


def _plain_number(value: Any) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


def _weight_sums(data: dict[str, Any]) -> Iterable[tuple[str, Path_]]:
    """The weight rules of SPEC 1.3 applied to raw data, for a role that failed validation.

    Pydantic does not run a list's validator when one of its items is invalid, so a KRA weight
    sum of 99 beside a broken KPI would go unreported until the KPI is fixed. Lists whose
    weights are not all plain numbers are left to the type errors already reported.
    """
    kras = data.get("kras")
    if not isinstance(kras, list) or not all(isinstance(k, dict) for k in kras):
        return
    kra_weights = [k.get("weight") for k in kras]
    if kras and all(_plain_number(w) for w in kra_weights):
        problem = kra_weights_problem(kra_weights)  # type: ignore[arg-type]
        if problem:
            yield problem, ("kras",)
    for i, kra in enumerate(kras):
        kpis = kra.get("kpis")
        if not isinstance(kpis, list) or not kpis or not all(isinstance(k, dict) for k in kpis):
            continue
        pairs = [(str(k.get("id")), k.get("weight")) for k in kpis]
        if all(w is None or _plain_number(w) for _id, w in pairs):
            problem = kpi_weights_problem(pairs)
            if problem:
                yield problem, ("kras", i, "kpis")


def _check_ids(doc: Positioned, stem: str, display: str, report: Report) -> None:
    """Ids that must be unique across the role, and the role id that must equal the file stem."""
    data = doc.data
    role_id = data.get("id")
    if isinstance(role_id, str) and role_id != stem:
        report.error(
            "catalog.id-stem",
            f"role id '{role_id}' must equal the file name's stem '{stem}'",
            Location(display, *doc.where(("id",))),
            hint=f"rename the file to {role_id}.yaml or set id: {stem}",
        )
    kras = data.get("kras")
    if not isinstance(kras, list):
        return
    seen_kra: dict[str, Path_] = {}
    seen_kpi: dict[str, Path_] = {}
    for i, kra in enumerate(kras):
        if not isinstance(kra, dict):
            continue
        _check_unique(doc, kra.get("id"), ("kras", i, "id"), seen_kra, "KRA", display, report)
        kpis = kra.get("kpis")
        if not isinstance(kpis, list):
            continue
        for j, kpi in enumerate(kpis):
            if isinstance(kpi, dict):
                path = ("kras", i, "kpis", j, "id")
                _check_unique(doc, kpi.get("id"), path, seen_kpi, "KPI", display, report)


def _check_unique(
    doc: Positioned,
    value: Any,
    path: Path_,
    seen: dict[str, Path_],
    what: str,
    display: str,
    report: Report,
) -> None:
    if not isinstance(value, str):
        return
    folded = value.casefold()
    if folded in seen:
        first_line = doc.where(seen[folded])[0]
        same = "the same" if value_at(doc.data, seen[folded]) == value else "a case-variant of the"
        report.error(
            "catalog.duplicate-id",
            f"{what} id '{value}' is {same} id at line {first_line}; {what} ids must be unique "
            "in the role",
            Location(display, *doc.where(path)),
        )
    else:
        seen[folded] = path


# --------------------------------------------------------------------------- pydantic errors

ROLE_SCHEMA = Schema(
    models={
        (): Role,
        ("kras", "#"): KRA,
        ("kras", "#", "kpis", "#"): KPI,
        ("rating_scale", "#"): RatingLevel,
        ("kras", "#", "kpis", "#", "threshold"): Band,
        ("kras", "#", "kpis", "#", "target"): Band,
    },
    names={Role: "role", KRA: "KRA", KPI: "KPI", RatingLevel: "rating level", Band: "band"},
    empty={"kras": "a role needs at least one KRA", "kpis": "a KRA needs at least one KPI"},
)
