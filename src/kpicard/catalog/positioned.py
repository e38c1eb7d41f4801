"""Every problem of a YAML document at `file:line:col`: the machinery role files and manifests
share.

`read_document` decodes the bytes, parses them with the strict positioned reader (`yamlpos`) and
reports what stops reading (not UTF-8, invalid YAML, anchors, tags, no document, a top level that
is no mapping) and every duplicate key. `explain_validation` turns pydantic's union-noisy error
list into one readable message per place. What differs between a role file and a manifest is a
`DocKind` (the codes and words of its diagnostics) and a `Schema` (which model sits where).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from kpicard.catalog.yamlpos import (
    Ambiguous,
    DocKind,
    Path_,
    Positioned,
    YamlProblem,
    parse_positioned,
)
from kpicard.diagnostics import Location, Report
from kpicard.models import NONBLANK_PATTERN

Shape = tuple[str, ...]  # a path with list indexes as "#": ("kras", "#", "kpis", "#")


@dataclass(frozen=True, slots=True)
class Schema:
    """Where each pydantic model sits in a document, and the words its messages use."""

    models: Mapping[Shape, type[BaseModel]]  # for "did you mean" and the allowed keys
    names: Mapping[type[BaseModel], str] = field(default_factory=dict)  # "... in this KPI"
    examples: Mapping[Shape, str] = field(default_factory=dict)  # "must be a mapping such as"
    empty: Mapping[str, str] = field(default_factory=dict)  # a list field that must not be empty
    ids: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # field: (noun, example)


def read_document(raw: bytes, display: str, kind: DocKind, report: Report) -> Positioned | None:
    """Decode and parse one document; None (with the error in `report`) unless it is a mapping.

    Duplicate keys are reported as errors, but the document is still returned so that its
    other problems are found in the same run.
    """
    text = _decode(raw, display, kind, report)
    if text is None:
        return None
    try:
        doc = parse_positioned(text, kind)
    except YamlProblem as problem:
        line, col = problem.position or (None, None)
        report.error(problem.code, problem.message, Location(display, line, col))
        return None
    if doc is None or doc.data is None:
        report.error(
            kind.codes.empty,
            f"empty {kind.file}: it holds no YAML document",
            Location(display, 1, 1),
            hint=kind.empty_hint,
        )
        return None
    if not isinstance(doc.data, dict):
        what = "a list" if isinstance(doc.data, list) else "a single value"
        report.error(
            kind.codes.shape,
            f"a {kind.file} must be a mapping of keys ({kind.keys}), not {what}",
            Location(display, *doc.values.get((), (1, 1))),
            hint=kind.shape_hint,
        )
        return None
    for path, first, second in doc.duplicates:
        report.error(
            kind.codes.duplicate_key,
            f"duplicate key '{path[-1]}' (first at line {first[0]}, again at line {second[0]}); "
            "only one may stay",
            Location(display, *second),
        )
    return doc


def _decode(raw: bytes, display: str, kind: DocKind, report: Report) -> str | None:
    """UTF-8 text (a BOM is dropped); an undecodable byte is an error at its line and column."""
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        report.error(
            kind.codes.encoding,
            f"not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded",
            Location(display, line, col),
            hint=f"save the {kind.file} as UTF-8",
        )
        return None


# --------------------------------------------------------------------------- pydantic errors


def shape_of(path: Path_) -> Shape:
    return tuple("#" if isinstance(p, int) else p for p in path)


def value_at(data: Any, path: Path_) -> Any:
    """The data at `path`, or None where the path does not exist."""
    node = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _existing(loc: tuple[Any, ...], data: Any) -> Path_:
    """The part of pydantic's `loc` that exists in the data: union tags (`InputSpec`, `str`,
    `list[...]`, `Band`) inside the path are skipped, and it stops where the data stops."""
    real: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        if (isinstance(node, dict) and isinstance(part, str) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
            real.append(part)
        elif isinstance(part, str) and i < len(loc) - 1:
            continue  # a union tag
        else:
            break
    return tuple(real)


def describe(value: Any) -> str:
    """A value as a message names it: "the text '120'", "the boolean true", "NaN (.nan)"."""
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


def explain_validation(
    exc: ValidationError, data: Any, schema: Schema
) -> Iterator[tuple[str, Path_, bool]]:
    """One readable (message, path, at_key) per place, from pydantic's error list.

    A union (a bound is a number or a band; a manifest input is text or a mapping) fails in
    each branch; the branch that got deeper into the data explains the problem, so errors of a
    shallower branch are dropped when a deeper one exists at or below the same place.
    """
    found: list[tuple[str, Path_, bool, bool]] = []  # message, path, at_key, from a union tag
    keyed: set[tuple[Path_, str, str]] = set()
    grouped: dict[Path_, list[dict[str, Any]]] = {}
    tagged: dict[Path_, bool] = {}
    for err in exc.errors():
        loc = tuple(err["loc"])
        if err["type"] in ("missing", "extra_forbidden"):
            parent = _existing(loc[:-1], data)
            name = str(loc[-1])
            if (parent, err["type"], name) in keyed:
                continue
            keyed.add((parent, err["type"], name))
            if err["type"] == "missing":
                message = f"missing required key '{name}'{_in_what(parent, schema)}"
                found.append((message, parent, False, False))
            else:
                found.append((_unknown_key(name, parent, schema), (*parent, name), True, False))
            continue
        path = _existing(loc, data)
        grouped.setdefault(path, []).append(err)
        tagged[path] = tagged.get(path, True) and len(path) < len(loc)
    for path, errors in grouped.items():
        value = value_at(data, path)
        at_key = isinstance(value, list | dict) and bool(path)
        found.append((_message(errors, path, value, schema), path, at_key, tagged[path]))
    for i, (message, path, at_key, from_union) in enumerate(found):
        explained_elsewhere = any(
            j != i and len(q) >= len(path) and q[: len(path)] == path
            for j, (_m, q, _k, _u) in enumerate(found)
        )
        if from_union and explained_elsewhere:
            continue
        yield message, path, at_key


def _in_what(parent: Path_, schema: Schema) -> str:
    name = schema.names.get(schema.models.get(shape_of(parent)))  # type: ignore[arg-type]
    return f" in this {name}" if name else ""


def _unknown_key(name: str, parent: Path_, schema: Schema) -> str:
    model = schema.models.get(shape_of(parent))
    message = f"unknown key '{name}'"
    if model is None:
        return message
    fields = list(model.model_fields)
    close = difflib.get_close_matches(name, fields, n=1, cutoff=0.6)
    if close:
        return f"{message}; did you mean '{close[0]}'?"
    return f"{message}; allowed keys: {', '.join(fields)}"


_NUMBER_TYPES = {"int_type", "float_type", "finite_number", "int_from_float"}


def _message(errors: list[dict[str, Any]], path: Path_, value: Any, schema: Schema) -> str:
    name = next((p for p in reversed(path) if isinstance(p, str)), "value")
    for err in errors:
        if err["type"] == "value_error":  # a model's own validator: its message is the message
            return str(err["msg"]).removeprefix("Value error, ")
    types = {e["type"] for e in errors}
    if "too_short" in types and name != "scale":
        return schema.empty.get(name, f"'{name}' must not be empty")
    patterns = {e.get("ctx", {}).get("pattern") for e in errors}
    if NONBLANK_PATTERN in patterns:
        return f"'{name}' must not be blank"
    if "string_pattern_mismatch" in types:
        noun, example = schema.ids.get(name, ("a valid id", "billing-inquiries"))
        return (
            f"'{value}' is not {noun}: use lowercase letters, digits and single hyphens "
            f"(like {example})"
        )
    if "literal_error" in types:
        expected = [e["ctx"]["expected"] for e in errors if e["type"] == "literal_error"]
        return f"'{name}' must be {' or '.join(dict.fromkeys(expected))}, got {describe(value)}"
    for bound in ("greater_than_equal", "less_than_equal"):
        if bound in types:
            err = next(e for e in errors if e["type"] == bound)
            limit = next(iter(err["ctx"].values()))
            word = "at least" if bound.startswith("greater") else "at most"
            return f"'{name}' must be {word} {limit}, got {value}"
    if "bool_type" in types:
        return f"'{name}' must be true or false, got {describe(value)}"
    if "string_type" in types:
        return f"'{name}' must be text, got {describe(value)} (quote it)"
    if "string_too_short" in types:
        return f"'{name}' must not be empty"
    if types & {"list_type", "tuple_type"}:
        return f"'{name}' must be a list, got {describe(value)}"
    if types & {"dict_type", "model_type"} and not types & _NUMBER_TYPES:
        example = schema.examples.get(shape_of(path))
        such = f" such as {example}" if example else ""
        return f"'{name}' must be a mapping{such}, got {describe(value)}"
    if types & _NUMBER_TYPES:
        if isinstance(value, float):
            return f"'{name}' must be a finite number, got {describe(value)}"
        if isinstance(value, Ambiguous):
            return f"'{name}' must be a plain number, got {describe(value)}"
        if isinstance(value, str):
            return f"'{name}' must be a number, got {describe(value)} (remove the quotes)"
        return f"'{name}' must be a number, got {describe(value)}"
    if types & {"too_long", "too_short"} and name == "scale":
        return "'scale' must be [low, high]"
    if "too_long" in types:
        return f"'{name}' has too many items"
    return "; ".join(str(e["msg"]) for e in errors)
