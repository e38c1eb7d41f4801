"""The review manifest of `kpicard batch review.yaml`: one quarterly review, kept in git.

Read with the catalog's care (SPEC 1.3, 8): the strict positioned YAML reader (no duplicate keys,
anchors, tags or YAML 1.1 surprises), a strict pydantic model (unknown keys are errors with a
did-you-mean), and every problem reported at `file:line:col`, all of them in one run. Paths in
the manifest are relative to the manifest's folder, so a review runs the same from any folder.

A broken manifest is wrong usage of `batch` (exit 2), like an unknown option on the command
line; broken inputs are still exit 1.

```yaml
kpicard: 1
catalog: ../../catalog            # optional: else $KPICARD_CATALOG, else the bundled one
inputs:                          # files, folders, globs; relative to this file
  - teams/
  - {path: extra/north.xlsx, role: account-coordinator, sheet: Q3}
role: account-coordinator         # optional: else each row's `role` column
period: 2026-Q3                   # optional: keep only this period's rows
missing: exclude                  # exclude | zero | error
min_coverage: 0.5
cap: 120
group_by: [team, manager]         # one of team|manager|role, or a list
compare: q2-scores.json           # an earlier JSON output
movers: 5                         # how many top movers up and down
outputs:
  - {path: out/q3-scores.json}    # format from the extension unless `format:` says
  - {path: out/q3-review.md}
out_dir: out/teams                # one file per input plus summary.<ext>
format: csv                       # the out_dir format
keep_going: false
```
"""

from __future__ import annotations

import difflib
import glob
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from kpicard.catalog.load import display_path
from kpicard.catalog.yamlpos import Ambiguous, Path_, Positioned, YamlProblem, parse_positioned
from kpicard.diagnostics import Diagnostic, DiagnosticError, Location
from kpicard.models import SLUG_PATTERN, FiniteFloat
from kpicard.outputs import MACRO_FREE, READS_BACK, macro_name, reads_back

MAX_MANIFEST_BYTES = 1024 * 1024
INPUT_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xlsm")
FILE_FORMATS = ("json", "csv", "markdown", "xlsx", "table")
_EXTENSIONS = {
    "json": "json",
    "csv": "csv",
    "md": "markdown",
    "markdown": "markdown",
    "xlsx": "xlsx",
    "xlsm": "xlsx",
    "txt": "table",
}

Text = Annotated[str, StringConstraints(min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Number = int | FiniteFloat
GroupBy = Literal["team", "manager", "role"]
Format = Literal["json", "csv", "markdown", "xlsx", "table"]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class InputSpec(_Strict):
    """An input with its own role or sheet: `{path: north.csv, role: account-coordinator}`."""

    path: Text
    role: Slug | None = None
    sheet: Text | None = None


class OutputSpec(_Strict):
    path: Text
    format: Format | None = None


class Manifest(_Strict):
    kpicard: Literal[1]
    catalog: Text | None = None
    inputs: list[Text | InputSpec] = Field(min_length=1)
    role: Slug | None = None
    period: Text | None = None
    sheet: Text | None = None
    id_column: Text | None = None
    decimal_comma: bool = False
    skip_invalid: bool = False
    missing: Literal["exclude", "zero", "error"] = "exclude"
    min_coverage: Annotated[Number, Field(ge=0, le=1)] = 0.5
    cap: Annotated[Number, Field(ge=100)] = 120
    group_by: GroupBy | list[GroupBy] = Field(default_factory=list)
    compare: Text | None = None
    movers: Annotated[int, Field(ge=1)] = 5
    outputs: list[OutputSpec] = Field(default_factory=list)
    out_dir: Text | None = None
    format: Format | None = None
    detail: bool = False
    keep_going: bool = False


@dataclass(slots=True, frozen=True)
class OutputTarget:
    path: Path
    format: str
    display: str


@dataclass(slots=True, frozen=True)
class InputTarget:
    """One input file (display path) with the role and sheet its manifest entry gives."""

    name: str
    role: str | None
    sheet: str | None


@dataclass(slots=True)
class ResolvedManifest:
    """A valid manifest with its paths resolved against the manifest's folder."""

    path: Path
    display: str
    model: Manifest
    targets: list[InputTarget]
    catalog: str | None
    compare: Path | None
    compare_display: str | None
    outputs: list[OutputTarget] = field(default_factory=list)
    out_dir: Path | None = None
    out_format: str | None = None

    @property
    def inputs(self) -> list[str]:
        return [t.name for t in self.targets]

    @property
    def group_by(self) -> list[str]:
        g = self.model.group_by
        return [g] if isinstance(g, str) else list(dict.fromkeys(g))


# --------------------------------------------------------------------------- errors


class _Errors:
    """Collects manifest diagnostics at positions of the parsed document."""

    def __init__(self, display: str, doc: Positioned | None = None) -> None:
        self.display = display
        self.doc = doc
        self.items: list[Diagnostic] = []

    def at(
        self,
        path: Path_,
        message: str,
        *,
        key: bool = False,
        hint: str | None = None,
        code: str = "manifest.invalid",
    ) -> None:
        line, col = (self.doc.where(path, key=key) if self.doc else None) or (None, None)
        self.items.append(
            Diagnostic(code, message, location=Location(self.display, line, col), hint=hint)
        )

    def raise_if_any(self) -> None:
        if self.items:
            self.items.sort(key=lambda d: (d.location.line or 0, d.location.column or 0))  # type: ignore[union-attr]
            raise DiagnosticError(self.items, kind="usage")


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, Ambiguous):
        return f"'{value}' ({value.reason})"
    if isinstance(value, str):
        return f"the text '{value}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing (null)"
    return f"the number {value}"


def _existing(loc: tuple[Any, ...], data: Any) -> Path_:
    """The part of pydantic's `loc` that exists in the data: union tags (`InputSpec`, `str`,
    `list[...]`) inside the path are skipped, and it stops where the data stops."""
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


def _value_at(data: Any, path: Path_) -> Any:
    for part in path:
        data = data[part]  # paths come from `_existing`, so they exist
    return data


_FIELDS = {(): Manifest, ("outputs", "#"): OutputSpec, ("inputs", "#"): InputSpec}


def _fields_for(parent: Path_) -> list[str]:
    shape = tuple("#" if isinstance(p, int) else p for p in parent)
    model = _FIELDS.get(shape)
    return list(model.model_fields) if model else []


def _message(errors: list[dict[str, Any]], path: Path_, value: Any) -> str:
    name = next((p for p in reversed(path) if isinstance(p, str)), "value")
    types = {e["type"] for e in errors}
    if "literal_error" in types:
        expected = [e["ctx"]["expected"] for e in errors if e["type"] == "literal_error"]
        return f"'{name}' must be {' or '.join(dict.fromkeys(expected))}, got {_describe(value)}"
    for kind in ("greater_than_equal", "less_than_equal"):
        if kind in types:
            err = next(e for e in errors if e["type"] == kind)
            bound = next(iter(err["ctx"].values()))
            word = "at least" if kind.startswith("greater") else "at most"
            return f"'{name}' must be {word} {bound}, got {value}"
    if "string_pattern_mismatch" in types:
        return f"'{value}' is not a role id: use lowercase letters, digits and single hyphens"
    if "too_short" in types or "string_too_short" in types:
        return f"'{name}' must not be empty"
    if "bool_type" in types:
        return f"'{name}' must be true or false, got {_describe(value)}"
    if types & {"int_type", "float_type", "finite_number", "int_from_float"}:
        if isinstance(value, str):
            return f"'{name}' must be a number, got {_describe(value)}"
        return f"'{name}' must be a finite number, got {_describe(value)}"
    if "string_type" in types:
        return f"'{name}' must be text, got {_describe(value)} (quote it)"
    if "list_type" in types:
        return f"'{name}' must be a list, got {_describe(value)}"
    if types & {"model_type", "dict_type"}:
        return (
            f"'{name}' must be a mapping such as {{path: out/scores.json}}, got {_describe(value)}"
        )
    return "; ".join(str(e["msg"]) for e in errors)


def explain_validation(exc: ValidationError, data: Any) -> Iterable[tuple[str, Path_, bool]]:
    """One readable (message, path, at_key) per place, from pydantic's error list.

    A union (`inputs` items are text or a mapping; `group_by` is a name or a list) fails in
    each branch; the branch that got deeper into the data explains the problem, so errors of a
    shallower branch are dropped when a deeper one exists below the same place.
    """
    found: list[tuple[str, Path_, bool, bool]] = []  # message, path, at_key, from a union tag
    grouped: dict[Path_, list[dict[str, Any]]] = {}
    tagged: dict[Path_, bool] = {}
    for err in exc.errors():
        loc = tuple(err["loc"])
        if err["type"] in ("missing", "extra_forbidden"):
            parent = _existing(loc[:-1], data)
            name = str(loc[-1])
            if err["type"] == "missing":
                found.append((f"missing required key '{name}'", parent, False, False))
                continue
            fields = _fields_for(parent)
            close = difflib.get_close_matches(name, fields, n=1, cutoff=0.6)
            tail = f"did you mean '{close[0]}'?" if close else f"allowed keys: {', '.join(fields)}"
            found.append((f"unknown key '{name}'; {tail}", (*parent, name), True, False))
            continue
        path = _existing(loc, data)
        grouped.setdefault(path, []).append(err)
        tagged[path] = tagged.get(path, True) and len(path) < len(loc)
    for path, errors in grouped.items():
        value = _value_at(data, path)
        at_key = isinstance(value, list | dict) and bool(path)
        found.append((_message(errors, path, value), path, at_key, tagged[path]))
    for i, (message, path, at_key, from_union) in enumerate(found):
        explained_elsewhere = any(
            j != i and len(q) >= len(path) and q[: len(path)] == path
            for j, (_m, q, _k, _u) in enumerate(found)
        )
        if from_union and explained_elsewhere:
            continue
        yield message, path, at_key


# --------------------------------------------------------------------------- loading


def _read(path: Path, display: str) -> str:
    errors = _Errors(display)
    if not path.exists():
        errors.at((), f"manifest not found: {display}", code="manifest.missing")
    elif path.is_dir():
        errors.at((), f"{display} is a folder; give the manifest file", code="manifest.missing")
    elif path.stat().st_size > MAX_MANIFEST_BYTES:
        errors.at((), "manifest is larger than 1 MB", code="manifest.too-large")
    errors.raise_if_any()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DiagnosticError(
            [Diagnostic("manifest.unreadable", f"cannot read {display}: {exc.strerror}")],
            kind="usage",
        ) from None
    try:
        return raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        errors.at((), "not UTF-8: save the manifest as UTF-8", code="manifest.encoding")
        errors.raise_if_any()
        raise AssertionError("unreachable") from None


def parse_manifest(text: str, display: str) -> tuple[Manifest, Positioned]:
    """Validate a manifest's text; DiagnosticError (usage) with every problem at line:col."""
    errors = _Errors(display)
    try:
        doc = parse_positioned(text)
    except YamlProblem as problem:
        line, col = problem.position or (None, None)
        code = problem.code.replace("catalog.", "manifest.")
        message = problem.message.replace("a catalog", "a manifest").replace(
            "role file", "manifest"
        )
        raise DiagnosticError(
            [Diagnostic(code, message, location=Location(display, line, col))], kind="usage"
        ) from None
    if doc is None or not isinstance(doc.data, dict):
        errors.doc = doc
        errors.at(
            (),
            "a manifest must be a mapping of keys (kpicard, inputs, outputs, ...)",
            hint="see `kpicard batch --help` for an example",
        )
        errors.raise_if_any()
    assert doc is not None
    errors.doc = doc
    for path, first, _second in doc.duplicates:
        errors.items.append(
            Diagnostic(
                "manifest.duplicate-key",
                f"duplicate key '{path[-1]}' (first at line {first[0]}); only one may stay",
                location=Location(display, *_second),
            )
        )
    if "format" in doc.data and "out_dir" not in doc.data:
        errors.at(
            ("format",),
            "'format' is the format of out_dir; give out_dir too, or put "
            "format: in each entry of outputs",
            key=True,
        )
    try:
        model = Manifest.model_validate(doc.data)
    except ValidationError as exc:
        for message, path, at_key in explain_validation(exc, doc.data):
            errors.at(path, message, key=at_key)
        errors.raise_if_any()
        raise AssertionError("unreachable") from None
    errors.raise_if_any()
    return model, doc


def _format_of(spec: OutputSpec) -> str | None:
    if spec.format is not None:
        return spec.format
    return _EXTENSIONS.get(Path(spec.path).suffix.lower().lstrip("."))


def _expand(entry: str, base: Path) -> tuple[list[str], str | None]:
    """The input files an `inputs` entry names (display paths), or why it names none."""
    path = base / entry
    if path.is_file():
        return [display_path(path)], None
    if path.is_dir():
        found = sorted(
            display_path(p)
            for p in path.iterdir()
            if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES and not p.name.startswith(".")
        )
        return found, None if found else f"no .csv, .tsv or .xlsx files in {entry}"
    if glob.has_magic(entry):
        found = sorted(display_path(Path(p)) for p in glob.glob(str(path)) if Path(p).is_file())
        return found, None if found else f"no file matches {entry}"
    return [], f"input not found: {entry} (paths are relative to the manifest's folder)"


def resolve(model: Manifest, doc: Positioned, path: Path, display: str) -> ResolvedManifest:
    """Resolve paths against the manifest's folder and check what needs the file system."""
    base = path.parent
    errors = _Errors(display, doc)
    targets: dict[str, InputTarget] = {}
    for i, entry in enumerate(model.inputs):
        spec = entry if isinstance(entry, InputSpec) else InputSpec(path=entry)
        found, problem = _expand(spec.path, base)
        if problem:
            where = ("inputs", i, "path") if isinstance(entry, InputSpec) else ("inputs", i)
            errors.at(where, problem, code="manifest.input")
        for name in found:
            # a file named twice (a folder, then the file with its role) takes the later entry,
            # but two different sheets of one workbook would silently lose one of them
            sheet = spec.sheet or model.sheet
            earlier = targets.get(name)
            if earlier is not None and earlier.sheet != sheet:
                errors.at(
                    ("inputs", i),
                    f"{name} is already an input (sheet {earlier.sheet or 'first visible'!r}); "
                    "kpicard reads one sheet per input",
                    hint="save the other sheet as its own file, or run a second manifest",
                    code="manifest.input",
                )
                continue
            targets[name] = InputTarget(name, spec.role or model.role, sheet)
    inputs = list(targets)
    catalog = None
    if model.catalog is not None:
        cat_path = base / model.catalog
        if not cat_path.exists():
            errors.at(("catalog",), f"catalog not found: {model.catalog}", code="manifest.path")
        catalog = display_path(cat_path)
    compare = None
    if model.compare is not None:
        compare = base / model.compare
        if not compare.is_file():
            errors.at(
                ("compare",), f"previous scores not found: {model.compare}", code="manifest.path"
            )
    outputs: list[OutputTarget] = []
    seen: dict[Path, int] = {}
    # Everything the batch reads: never an output (the catalog is checked when it is loaded).
    input_paths = {Path(n).resolve() for n in inputs} | {path.resolve()}
    if compare is not None:
        input_paths.add(compare.resolve())
    for i, spec in enumerate(model.outputs):
        target = base / spec.path
        fmt = _format_of(spec)
        if fmt is None:
            errors.at(
                ("outputs", i, "path"),
                f"cannot tell the format of '{spec.path}'",
                hint=f"add format: ({', '.join(FILE_FORMATS)})",
            )
            continue
        if fmt == "xlsx" and macro_name(target):
            errors.at(("outputs", i, "path"), f"'{spec.path}': {MACRO_FREE}")
        resolved = target.resolve()
        if resolved in seen:
            errors.at(
                ("outputs", i, "path"),
                f"'{spec.path}' is also output {seen[resolved] + 1}; each output needs "
                "its own file",
            )
        if resolved in input_paths:
            errors.at(
                ("outputs", i, "path"),
                f"output '{spec.path}' is a file this batch reads; refusing to overwrite it",
            )
        if target.is_dir():
            errors.at(("outputs", i, "path"), f"output '{spec.path}' is a folder")
        seen[resolved] = i
        outputs.append(OutputTarget(target, fmt, display_path(target)))
    out_dir = None
    if model.out_dir is not None:
        out_dir = base / model.out_dir
        if out_dir.exists() and not out_dir.is_dir():
            errors.at(("out_dir",), f"out_dir '{model.out_dir}' is a file, not a folder")
        entries = [base / (e if isinstance(e, str) else e.path) for e in model.inputs]
        if reads_back(out_dir, entries):
            errors.at(
                ("out_dir",),
                f"out_dir '{model.out_dir}' {READS_BACK}",
                hint="write the outputs to another folder",
            )
    errors.raise_if_any()
    return ResolvedManifest(
        path=path,
        display=display,
        model=model,
        targets=list(targets.values()),
        catalog=catalog,
        compare=compare,
        compare_display=display_path(compare) if compare is not None else None,
        outputs=outputs,
        out_dir=out_dir,
        out_format=(model.format or "json") if out_dir is not None else None,
    )


def load_manifest(path: Path) -> ResolvedManifest:
    """Read, validate and resolve a manifest; DiagnosticError (exit 2) with every problem."""
    display = display_path(path)
    model, doc = parse_manifest(_read(path, display), display)
    return resolve(model, doc, path, display)
