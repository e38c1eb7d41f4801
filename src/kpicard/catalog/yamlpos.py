"""A strict YAML reader that keeps the position of every node.

Plain YAML loaders are too forgiving for a catalog that people review as code: they keep the last
of two duplicate keys, expand anchors (and billion-laughs bombs), construct arbitrary objects from
tags, and read YAML 1.1 surprises (`6:00` as 360, `010` as 8, `no` as False). This reader walks
PyYAML's event stream itself, refuses all of those with a position, and resolves plain scalars by
a small, explicit schema:

- `null`, `~`, empty -> None; `true`/`false` (any case spelling YAML 1.2 allows) -> bool
- decimal integers without leading zeros -> int (beyond 2**53, where floats lose digits and
  `float()` overflows, -> `Ambiguous`); decimal floats -> float; `.nan`/`.inf` -> float
  (refused later as not finite, with the position)
- anything that YAML 1.1 would have turned into a number (`010`, `6:00`, `0x1f`, `1_000`) ->
  `Ambiguous`, a str subclass that validation reports as an error in a numeric field
- everything else, including `yes`/`no`/`on`/`off`, -> str

Catalog role files and `batch` manifests are both read this way. What differs is a `DocKind`
parameter: the codes of the document's diagnostics (`catalog.alias`, `manifest.alias`) and the
words of its messages ("a role file holds exactly one", "a manifest holds exactly one").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

MAX_DEPTH = 64
_MAX_EXACT_INT = 2**53  # scores are floats: larger integers lose digits or overflow

Path_ = tuple[str | int, ...]
Position = tuple[int, int]  # 1-based line, column

_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)\Z")
# A mantissa with a digit, then an optional exponent: `1.`, `.5`, `1e3` - never `e0` or `.e1`.
_FLOAT = re.compile(r"[-+]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")
_SPECIAL_FLOATS = {
    ".nan": float("nan"),
    ".NaN": float("nan"),
    ".NAN": float("nan"),
    ".inf": float("inf"),
    ".Inf": float("inf"),
    ".INF": float("inf"),
    "+.inf": float("inf"),
    "+.Inf": float("inf"),
    "+.INF": float("inf"),
    "-.inf": float("-inf"),
    "-.Inf": float("-inf"),
    "-.INF": float("-inf"),
}
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_AMBIGUOUS = [
    (re.compile(r"[-+]?0[0-9_]+(\.[0-9]*)?\Z"), "YAML 1.1 reads a leading zero as octal"),
    (re.compile(r"[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?\Z"), "YAML 1.1 reads it as base 60"),
    (re.compile(r"[-+]?0[xob][0-9a-fA-F_]+\Z"), "it is a hexadecimal, octal or binary literal"),
    (re.compile(r"[-+]?[0-9][0-9_]*_[0-9_]*(\.[0-9_]*)?\Z"), "underscores in numbers are YAML 1.1"),
]


class Ambiguous(str):
    """A plain scalar that some YAML loaders read as a number and others as text."""

    reason: str

    def __new__(cls, value: str, reason: str) -> Ambiguous:
        obj = super().__new__(cls, value)
        obj.reason = reason
        return obj


@dataclass(frozen=True, slots=True)
class DocCodes:
    """The diagnostic code of each problem a positioned YAML document can have (spelled out,
    so the code registry's scan of the source sees every one)."""

    syntax: str  # invalid YAML, a control character
    alias: str  # an anchor or alias
    tag: str  # a YAML tag
    documents: str  # several documents in one file
    depth: str  # nesting too deep
    key: str  # a mapping key that is not a plain scalar
    unsupported: str  # any other YAML construct the reader does not take
    encoding: str  # not UTF-8
    empty: str  # no document at all
    shape: str  # the top level is not a mapping
    duplicate_key: str  # a key twice in one mapping
    invalid: str  # the data breaks the document's schema


@dataclass(frozen=True, slots=True)
class DocKind:
    """What kind of document is read: its codes and the words its messages use."""

    file: str  # one such file, in messages: "role file", "manifest"
    whole: str  # what is spelled out in full: "a catalog", "a manifest"
    keys: str  # its top-level keys, for "must be a mapping of keys (...)"
    codes: DocCodes
    empty_hint: str | None = None  # with "empty role file: it holds no YAML document"
    shape_hint: str | None = None  # with "a role file must be a mapping of keys (...)"


CATALOG = DocKind(
    file="role file",
    whole="a catalog",
    keys="kpicard, id, name, kras, ...",
    codes=DocCodes(
        syntax="catalog.syntax",
        alias="catalog.alias",
        tag="catalog.tag",
        documents="catalog.documents",
        depth="catalog.depth",
        key="catalog.key",
        unsupported="catalog.unsupported-yaml",
        encoding="catalog.encoding",
        empty="catalog.empty",
        shape="catalog.shape",
        duplicate_key="catalog.duplicate-key",
        invalid="catalog.invalid",
    ),
    empty_hint="start from `kpicard catalog show billing-staff --format yaml`",
)


class YamlProblem(Exception):
    """A problem that stops reading the file, with its position."""

    def __init__(
        self, message: str, position: Position | None, code: str = "catalog.unsupported-yaml"
    ):
        super().__init__(message)
        self.message = message
        self.position = position
        self.code = code


@dataclass(slots=True)
class Positioned:
    """A document's data and where each part of it is.

    `values[path]` is where the value at `path` starts; `keys[path]` is where the key of a mapping
    entry stands. The empty path is the document's root.
    """

    data: Any
    values: dict[Path_, Position] = field(default_factory=dict)
    keys: dict[Path_, Position] = field(default_factory=dict)
    duplicates: list[tuple[Path_, Position, Position]] = field(default_factory=list)

    def where(self, path: Path_, *, key: bool = False) -> Position | None:
        """The position of `path` (or of its key), falling back to the nearest ancestor."""
        probe = tuple(path)
        if key and probe in self.keys:
            return self.keys[probe]
        while probe:
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get((), (1, 1))


def resolve_plain(text: str) -> Any:
    """Resolve a plain (unquoted) scalar by kpicard's explicit schema (see module docstring)."""
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    if _INT.match(text):
        value = int(text)
        if abs(value) > _MAX_EXACT_INT:
            return Ambiguous(text, "more than 15 digits: too large to compute with exactly")
        return value
    for pattern, reason in _AMBIGUOUS:
        if pattern.match(text):
            return Ambiguous(text, reason)
    if _FLOAT.match(text):
        number = float(text)
        if math.isfinite(number) and abs(number) > _MAX_EXACT_INT:
            # 1e308 is finite, but `target - threshold` overflows to inf and scores silently 0.
            return Ambiguous(text, "more than 15 digits: too large to compute with exactly")
        return number
    return text


def _pos(mark: yaml.Mark) -> Position:
    return (mark.line + 1, mark.column + 1)


def _check_event(event: yaml.Event, kind: DocKind) -> None:
    anchor = getattr(event, "anchor", None)
    if isinstance(event, yaml.AliasEvent):
        raise YamlProblem(
            f"alias '*{event.anchor}' refused: {kind.whole} spells everything out "
            "(no anchors or aliases)",
            _pos(event.start_mark),
            kind.codes.alias,
        )
    if anchor is not None:
        raise YamlProblem(
            f"anchor '&{anchor}' refused: {kind.whole} spells everything out "
            "(no anchors or aliases)",
            _pos(event.start_mark),
            kind.codes.alias,
        )
    tag = getattr(event, "tag", None)
    if tag is not None and tag != "!":
        raise YamlProblem(
            f"tag '{tag}' refused: {kind.whole} holds plain data only (no YAML tags)",
            _pos(event.start_mark),
            kind.codes.tag,
        )


class _Builder:
    """Turns a flat event stream into Python data plus positions, checking as it goes."""

    def __init__(self, events: Any, kind: DocKind) -> None:
        self.events = events
        self.kind = kind
        self.doc = Positioned(data=None)

    def next(self) -> yaml.Event:
        event = next(self.events)
        _check_event(event, self.kind)
        return event

    def build(self) -> Positioned | None:
        event = self.next()
        assert isinstance(event, yaml.StreamStartEvent)
        event = self.next()
        if isinstance(event, yaml.StreamEndEvent):
            return None
        assert isinstance(event, yaml.DocumentStartEvent)
        self.doc.data = self.node(self.next(), (), 0)
        self.next()  # DocumentEndEvent
        event = self.next()
        if not isinstance(event, yaml.StreamEndEvent):
            raise YamlProblem(
                f"several YAML documents in one file: a {self.kind.file} holds exactly one",
                _pos(event.start_mark),
                self.kind.codes.documents,
            )
        return self.doc

    def node(self, event: yaml.Event, path: Path_, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise YamlProblem(
                f"nesting deeper than {MAX_DEPTH} levels",
                _pos(event.start_mark),
                self.kind.codes.depth,
            )
        self.doc.values[path] = _pos(event.start_mark)
        if isinstance(event, yaml.ScalarEvent):
            return resolve_plain(event.value) if event.style is None else event.value
        if isinstance(event, yaml.SequenceStartEvent):
            items: list[Any] = []
            while not isinstance(nxt := self.next(), yaml.SequenceEndEvent):
                items.append(self.node(nxt, (*path, len(items)), depth + 1))
            return items
        if isinstance(event, yaml.MappingStartEvent):
            return self.mapping(path, depth)
        raise YamlProblem(
            f"unexpected YAML event {event}", _pos(event.start_mark), self.kind.codes.unsupported
        )

    def mapping(self, path: Path_, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        while not isinstance(key_event := self.next(), yaml.MappingEndEvent):
            if not isinstance(key_event, yaml.ScalarEvent):
                raise YamlProblem(
                    "a mapping key must be a plain name",
                    _pos(key_event.start_mark),
                    self.kind.codes.key,
                )
            key = key_event.value
            key_pos = _pos(key_event.start_mark)
            child = (*path, key)
            if key in result:
                self.doc.duplicates.append((child, self.doc.keys[child], key_pos))
                self.node(self.next(), (*path, f"\0dup{len(self.doc.duplicates)}"), depth + 1)
                continue
            self.doc.keys[child] = key_pos
            result[key] = self.node(self.next(), child, depth + 1)
        return result


def parse_positioned(text: str, kind: DocKind = CATALOG) -> Positioned | None:
    """Parse one YAML document strictly; None when the file holds no document at all.

    Raises YamlProblem for syntax errors (at the construct's line), anchors, aliases, tags,
    several documents and excessive nesting, with `kind`'s codes and words.
    """
    codes = kind.codes
    try:
        return _Builder(yaml.parse(text, Loader=yaml.SafeLoader), kind).build()
    except yaml.MarkedYAMLError as exc:
        mark = exc.context_mark or exc.problem_mark
        problem = exc.problem or "invalid YAML"
        context = f"{exc.context} " if exc.context else ""
        where = ""
        if exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
            where = f" (line {exc.problem_mark.line + 1})"
        message = f"invalid YAML: {context}{problem}{where}".replace("\t", "\\t")
        raise YamlProblem(message, _pos(mark) if mark else None, codes.syntax) from None
    except yaml.reader.ReaderError as exc:
        # A control character (anything YAML calls non-printable): not a MarkedYAMLError, so it
        # carries only a character offset into `text`.
        at = min(max(exc.position, 0), len(text))
        line = text.count("\n", 0, at) + 1
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        raise YamlProblem(
            f"control character U+{exc.character:04X} is not allowed in a YAML file",
            (line, column),
            codes.syntax,
        ) from None
    except yaml.YAMLError as exc:  # any other way PyYAML can give up
        raise YamlProblem(f"invalid YAML: {exc}", None, codes.syntax) from None
    except RecursionError:
        raise YamlProblem(f"nesting deeper than {MAX_DEPTH} levels", None, codes.depth) from None
