"""Load role files into validated `Role` models, with every problem reported at `file:line:col`.

A catalog is a folder of `<role-id>.yaml` files or a single file. Loading never stops at the
first broken file: each file's problems are collected into one `Report`, and the valid roles are
returned beside it.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from kpicard.catalog.yamlpos import Ambiguous, Path_, Positioned, YamlProblem, parse_positioned
from kpicard.diagnostics import Location, Report, usage_error
from kpicard.models import (
    KPI,
    KRA,
    NONBLANK_PATTERN,
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
    text = _decode(raw, display, report)
    if text is None:
        return role_file
    try:
        doc = parse_positioned(text)
    except YamlProblem as problem:
        line, col = problem.position or (None, None)
        report.error(problem.code, problem.message, Location(display, line, col))
        return role_file
    if doc is None or doc.data is None:
        report.error(
            "catalog.empty",
            "empty role file: it holds no YAML document",
            Location(display, 1, 1),
            hint="start from `kpicard catalog show billing-staff --format yaml`",
        )
        return role_file
    role_file.doc = doc
    before = len(report.errors)
    if not isinstance(doc.data, dict):
        kind = "a list" if isinstance(doc.data, list) else "a single value"
        report.error(
            "catalog.shape",
            f"a role file must be a mapping of keys (kpicard, id, name, kras, ...), not {kind}",
            Location(display, *doc.values.get((), (1, 1))),
        )
        return role_file
    _report_duplicates(doc, display, report)
    _check_ids(doc, stem, display, report)
    try:
        role = Role.model_validate(doc.data)
    except ValidationError as exc:
        found = list(_explain(exc, doc.data))
        reported = {(message, path) for message, path, _at_key in found}
        found += [
            (message, path, True)
            for message, path in _weight_sums(doc.data)
            if (message, path) not in reported
        ]
        for message, path, at_key in found:
            line, col = doc.where(path, key=at_key) or (None, None)
            report.error("catalog.invalid", message, Location(display, line, col))
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


def _decode(raw: bytes, display: str, report: Report) -> str | None:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        report.error(
            "catalog.encoding",
            f"not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded",
            Location(display, line, col),
            hint="save the file as UTF-8",
        )
        return None


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


def _report_duplicates(doc: Positioned, display: str, report: Report) -> None:
    for path, first, second in doc.duplicates:
        report.error(
            "catalog.duplicate-key",
            f"duplicate key '{path[-1]}' (first at line {first[0]}, again at line {second[0]}); "
            "only one may stay",
            Location(display, *second),
        )


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
        same = (
            "the same"
            if _data_at_path(doc.data, seen[folded]) == value
            else "a case-variant of the"
        )
        report.error(
            "catalog.duplicate-id",
            f"{what} id '{value}' is {same} id at line {first_line}; {what} ids must be unique "
            "in the role",
            Location(display, *doc.where(path)),
        )
    else:
        seen[folded] = path


# --------------------------------------------------------------------------- pydantic errors

_MODEL_AT_DEPTH: dict[tuple[str, ...], type[BaseModel]] = {
    (): Role,
    ("kras", "#"): KRA,
    ("kras", "#", "kpis", "#"): KPI,
    ("rating_scale", "#"): RatingLevel,
    ("kras", "#", "kpis", "#", "threshold"): Band,
    ("kras", "#", "kpis", "#", "target"): Band,
}


def _shape(path: Path_) -> tuple[str, ...]:
    return tuple("#" if isinstance(p, int) else p for p in path)


def _real_path(loc: tuple[Any, ...], data: Any) -> tuple[Path_, tuple[Any, ...]]:
    """Split pydantic's `loc` into the part that exists in the data and the rest (union tags)."""
    real: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        if (isinstance(node, dict) and isinstance(part, str) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
        else:
            return tuple(real), loc[i:]
        real.append(part)
    return tuple(real), ()


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, Ambiguous):
        return f"'{value}' ({value.reason})"
    if isinstance(value, str):
        return f"the text '{value}'"
    if isinstance(value, float) and value != value:
        return "NaN (.nan)"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return "an infinity (.inf)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing (null)"
    return f"the number {value}"


_NUMBER_TYPES = {"int_type", "float_type", "finite_number", "int_from_float", "model_type"}


def _explain(exc: ValidationError, data: Any) -> Iterable[tuple[str, Path_, bool]]:
    """One readable message per place, from pydantic's (union-noisy) error list.

    Yields (message, path, point_at_key).
    """
    grouped: dict[Path_, list[dict[str, Any]]] = {}
    for err in exc.errors():
        loc = tuple(err["loc"])
        if err["type"] in ("missing", "extra_forbidden"):
            real, _ = _real_path(loc[:-1], data)
            grouped.setdefault((*real, "\0" + err["type"], loc[-1]), []).append(err)
            continue
        real, _rest = _real_path(loc, data)
        grouped.setdefault(real, []).append(err)
    for path, errors in grouped.items():
        if len(path) >= 2 and isinstance(path[-2], str) and path[-2].startswith("\0"):
            kind, name, parent = path[-2][1:], path[-1], path[:-2]
            if kind == "missing":
                yield f"missing required key '{name}'{_in_what(parent)}", parent, False
            else:
                yield _unknown_key(str(name), parent), (*parent, name), True
            continue
        at_key = isinstance(_data_at_path(data, path), list | dict) and bool(path)
        yield _message_for(errors, path, data), path, at_key


def _in_what(parent: Path_) -> str:
    model = _MODEL_AT_DEPTH.get(_shape(parent))
    names = {Role: "role", KRA: "KRA", KPI: "KPI", RatingLevel: "rating level", Band: "band"}
    return f" in this {names[model]}" if model in names else ""


def _unknown_key(name: str, parent: Path_) -> str:
    model = _MODEL_AT_DEPTH.get(_shape(parent))
    message = f"unknown key '{name}'"
    if model is not None:
        fields = list(model.model_fields)
        close = difflib.get_close_matches(name, fields, n=1, cutoff=0.6)
        if close:
            return f"{message}; did you mean '{close[0]}'?"
        return f"{message}; allowed keys: {', '.join(fields)}"
    return message


def _message_for(errors: list[dict[str, Any]], path: Path_, data: Any) -> str:
    value = _data_at_path(data, path)
    field_name = next((p for p in reversed(path) if isinstance(p, str)), "value")
    for err in errors:
        if err["type"] == "value_error":
            return str(err["msg"]).removeprefix("Value error, ")
    types = {e["type"] for e in errors}
    if "too_short" in types and field_name != "scale":
        what = {"kras": "a role needs at least one KRA", "kpis": "a KRA needs at least one KPI"}
        return what.get(field_name, f"'{field_name}' must not be empty")
    patterns = {e.get("ctx", {}).get("pattern") for e in errors}
    if NONBLANK_PATTERN in patterns:
        return f"'{field_name}' must not be blank"
    if types & {"string_pattern_mismatch"}:
        return (
            f"'{value}' is not a valid id: use lowercase letters, digits and single hyphens "
            "(like billing-inquiries)"
        )
    if "literal_error" in types:
        expected = next(e for e in errors if e["type"] == "literal_error")["ctx"]["expected"]
        return f"'{field_name}' must be {expected}, got {_describe(value)}"
    if types & {"string_type"}:
        return f"'{field_name}' must be text, got {_describe(value)} (quote it)"
    if types & {"string_too_short"}:
        return f"'{field_name}' must not be empty"
    if types & {"list_type", "tuple_type"}:
        return f"'{field_name}' must be a list, got {_describe(value)}"
    if types & {"dict_type"} and not types & _NUMBER_TYPES:
        return f"'{field_name}' must be a mapping, got {_describe(value)}"
    if types & _NUMBER_TYPES:
        if isinstance(value, float):
            return f"'{field_name}' must be a finite number, got {_describe(value)}"
        if isinstance(value, Ambiguous):
            return f"'{field_name}' must be a plain number, got {_describe(value)}"
        if isinstance(value, str):
            return f"'{field_name}' must be a number, got {_describe(value)} (remove the quotes)"
        return f"'{field_name}' must be a number, got {_describe(value)}"
    if types & {"too_long", "too_short"} and field_name == "scale":
        return "'scale' must be [low, high]"
    if "too_long" in types:
        return f"'{field_name}' has too many items"
    return "; ".join(str(e["msg"]) for e in errors)


def _data_at_path(data: Any, path: Path_) -> Any:
    node = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node
