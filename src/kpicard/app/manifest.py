"""The review manifest of `kpicard batch review.yaml`: one quarterly review, kept in git.

Read with the catalog's care (SPEC 1.3, 8) and the catalog's own machinery
(`kpicard.catalog.positioned`): the strict positioned YAML reader (no duplicate keys, anchors,
tags or YAML 1.1 surprises), a strict pydantic model (unknown keys are errors with a
did-you-mean; text fields must not be empty or blank), and every problem reported at
`file:line:col`, all of them in one run, with `manifest.*` codes (the `MANIFEST` document kind).
Paths in the manifest are relative to the manifest's folder, so a review runs the same from any
folder.

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

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kpicard.app.inputs import expand_entry
from kpicard.catalog.load import display_path
from kpicard.catalog.positioned import Schema, explain_validation, read_document
from kpicard.catalog.yamlpos import DocCodes, DocKind, Path_, Positioned
from kpicard.diagnostics import Diagnostic, Location, Report, UsageError
from kpicard.models import FiniteFloat, Slug, Text
from kpicard.outputs import READS_BACK, reads_back
from kpicard.render.formats import FILE_FORMATS, MACRO_FREE, format_of_path, is_macro_name

MAX_MANIFEST_BYTES = 1024 * 1024

# Text (kpicard.models): not empty and not only white space, like the catalog's names.
Number = int | FiniteFloat
GroupBy = Literal["team", "manager", "role"]
Format = Literal[FILE_FORMATS]  # type: ignore[valid-type]


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

MANIFEST = DocKind(
    file="manifest",
    whole="a manifest",
    keys="kpicard, inputs, outputs, ...",
    codes=DocCodes(
        syntax="manifest.syntax",
        alias="manifest.alias",
        tag="manifest.tag",
        documents="manifest.documents",
        depth="manifest.depth",
        key="manifest.key",
        unsupported="manifest.unsupported-yaml",
        encoding="manifest.encoding",
        empty="manifest.invalid",
        shape="manifest.invalid",
        duplicate_key="manifest.duplicate-key",
        invalid="manifest.invalid",
    ),
    empty_hint="see `kpicard batch --help` for an example",
    shape_hint="see `kpicard batch --help` for an example",
)
MANIFEST_SCHEMA = Schema(
    models={(): Manifest, ("outputs", "#"): OutputSpec, ("inputs", "#"): InputSpec},
    examples={
        ("outputs", "#"): "{path: out/scores.json}",
        ("inputs", "#"): "{path: teams/north.csv, role: account-coordinator}",
    },
    ids={"role": ("a role id", "account-coordinator")},
)


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
            raise UsageError(self.items)


# --------------------------------------------------------------------------- loading


def _read(path: Path, display: str) -> bytes:
    errors = _Errors(display)
    if not path.exists():
        errors.at((), f"manifest not found: {display}", code="manifest.missing")
    elif path.is_dir():
        errors.at((), f"{display} is a folder; give the manifest file", code="manifest.missing")
    elif path.stat().st_size > MAX_MANIFEST_BYTES:
        errors.at((), "manifest is larger than 1 MB", code="manifest.too-large")
    errors.raise_if_any()
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(
            [Diagnostic("manifest.unreadable", f"cannot read {display}: {exc.strerror}")]
        ) from None


def parse_manifest(raw: bytes, display: str) -> tuple[Manifest, Positioned]:
    """Validate a manifest's bytes; KpicardError (usage) with every problem at line:col."""
    report = Report()
    doc = read_document(raw, display, MANIFEST, report)
    if doc is None:
        _raise_usage(report)
    assert doc is not None
    errors = _Errors(display, doc)
    errors.items.extend(report.items)  # duplicate keys
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
        for message, path, at_key in explain_validation(exc, doc.data, MANIFEST_SCHEMA):
            errors.at(path, message, key=at_key, code=MANIFEST.codes.invalid)
        errors.raise_if_any()
        raise AssertionError("unreachable") from None
    errors.raise_if_any()
    return model, doc


def _raise_usage(report: Report) -> None:
    """A broken manifest is wrong usage of `batch`: exit 2."""
    raise UsageError(report.items)


def _format_of(spec: OutputSpec) -> str | None:
    if spec.format is not None:
        return spec.format
    return format_of_path(spec.path)


def resolve(model: Manifest, doc: Positioned, path: Path, display: str) -> ResolvedManifest:
    """Resolve paths against the manifest's folder and check what needs the file system."""
    base = path.parent
    errors = _Errors(display, doc)
    targets: dict[str, InputTarget] = {}
    for i, entry in enumerate(model.inputs):
        spec = entry if isinstance(entry, InputSpec) else InputSpec(path=entry)
        found, problem = expand_entry(spec.path, base)
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
        if fmt == "xlsx" and is_macro_name(target):
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
    """Read, validate and resolve a manifest; KpicardError (exit 2) with every problem."""
    display = display_path(path)
    model, doc = parse_manifest(_read(path, display), display)
    return resolve(model, doc, path, display)
