"""`catalog fmt`: one canonical key order and layout for role files, comments kept.

Why not a round-trip library: ruamel.yaml (tested, 0.19) stores a full-line comment as the
trailing comment of the *previous* key, so reordering keys moves `# about name` above `id`; and
it keeps whatever block/flow style the author used, so it cannot make a file canonical. This
module instead re-emits the validated document itself and carries comments over by position:

- a full-line comment (and a blank line) belongs to the next key or list item below it, and
  moves with it; comments above the first key stay at the top of the file, comments after the
  last node stay at the end;
- an end-of-line comment belongs to the node it follows on that line;
- each scalar keeps its source spelling (quotes, `>-` folding, `8` vs `8.0`), only re-indented,
  so formatting changes order and layout, never a word. Inside flow collections a string that is
  not flow-safe is written double-quoted.

Layout: 2-space indentation, block sequences indented under their key (`  - `), flow style for
bands (`{min: .., max: ..}`), `scale`, `aliases` and rating levels, no `---`, LF line ends,
at most one blank line in a row. After formatting, the output is parsed again and must hold
exactly the same data; otherwise the formatter refuses (a bug, never a silent change).
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from kpicard.catalog.yamlpos import Path_, parse_positioned

ROLE_ORDER = (
    "kpicard", "id", "name", "summary", "period", "responsibilities", "qualifications",
    "skills", "rating_scale", "kras",
)  # fmt: skip
KRA_ORDER = ("id", "name", "statement", "summary", "weight", "kpis")
KPI_ORDER = (
    "id", "name", "description", "unit", "currency", "scale", "direction", "threshold",
    "target", "stretch", "weight", "period", "aliases",
)  # fmt: skip
BAND_ORDER = ("min", "max")
LEVEL_ORDER = ("level", "label", "min_score")

_ORDER: dict[tuple[str, ...], tuple[str, ...]] = {
    (): ROLE_ORDER,
    ("kras", "#"): KRA_ORDER,
    ("kras", "#", "kpis", "#"): KPI_ORDER,
    ("kras", "#", "kpis", "#", "threshold"): BAND_ORDER,
    ("kras", "#", "kpis", "#", "target"): BAND_ORDER,
    ("rating_scale", "#"): LEVEL_ORDER,
}
_FLOW_SHAPES = {
    ("kras", "#", "kpis", "#", "threshold"),
    ("kras", "#", "kpis", "#", "target"),
    ("kras", "#", "kpis", "#", "scale"),
    ("kras", "#", "kpis", "#", "aliases"),
    ("rating_scale", "#"),
}
_NOT_FLOW_SAFE = re.compile(r"[,\[\]{}]|: |:\Z| #|\A[-?:!&*|>'\"%@`#]")


class FormatError(Exception):
    """The formatter could not reproduce the file's data (a bug: nothing is written)."""


def _shape(path: Path_) -> tuple[str, ...]:
    return tuple("#" if isinstance(p, int) else p for p in path)


def _is_flow(path: Path_) -> bool:
    return _shape(path) in _FLOW_SHAPES


@dataclass(slots=True)
class _Scalar:
    start: int
    end: int
    style: str | None


@dataclass(slots=True)
class _Source:
    """Spans and positions from the event stream, plus the comments and blank lines."""

    text: str
    scalars: dict[Path_, _Scalar] = field(default_factory=dict)
    anchors: list[tuple[int, int, int, Path_]] = field(default_factory=list)  # line, col, len
    marks: list[tuple[int, int, int, Path_]] = field(default_factory=list)  # keys and values
    spans: list[tuple[int, int]] = field(default_factory=list)  # every scalar, keys included
    before: dict[Path_, list[str]] = field(default_factory=dict)
    after: dict[Path_, list[str]] = field(default_factory=dict)
    header: list[str] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)


def _walk(text: str) -> _Source:
    source = _Source(text)
    events = iter(yaml.parse(text, Loader=yaml.SafeLoader))

    def node(event: yaml.Event, path: Path_) -> None:
        line, col = event.start_mark.line, event.start_mark.column
        source.marks.append((line, col, len(path), path))
        if isinstance(event, yaml.ScalarEvent):
            start, end = event.start_mark.index, event.end_mark.index
            source.scalars[path] = _Scalar(start, end, event.style)
            source.spans.append((start, end))
        elif isinstance(event, yaml.SequenceStartEvent):
            i = 0
            while not isinstance(nxt := next(events), yaml.SequenceEndEvent):
                item = (*path, i)
                source.anchors.append((nxt.start_mark.line, nxt.start_mark.column, len(item), item))
                node(nxt, item)
                i += 1
        elif isinstance(event, yaml.MappingStartEvent):
            while not isinstance(key := next(events), yaml.MappingEndEvent):
                child = (*path, key.value)
                mark = key.start_mark
                source.anchors.append((mark.line, mark.column, len(child), child))
                source.marks.append((mark.line, mark.column, len(child), child))
                source.spans.append((mark.index, key.end_mark.index))
                node(next(events), child)

    for event in events:
        if isinstance(event, yaml.DocumentStartEvent):
            node(next(events), ())
    source.anchors.sort()
    source.marks.sort()
    source.spans.sort()
    return source


def _occupied_lines(source: _Source) -> set[int]:
    """Lines inside multi-line scalars: their blank lines and `#` are content, not trivia."""
    text = source.text
    lines: set[int] = set()
    for start, end in source.spans:
        body = text[start:end].rstrip()
        first = text.count("\n", 0, start)
        last = first + body.count("\n")
        lines.update(range(first + 1, last + 1))
    return lines


def _comment_start(source: _Source, line_start: int, line: str) -> int | None:
    """Column of a comment on this line, skipping `#` inside scalars and `a#b`."""
    starts = [s for s, _ in source.spans]
    for col, ch in enumerate(line):
        if ch != "#" or (col > 0 and line[col - 1] not in " \t"):
            continue
        index = line_start + col
        i = bisect.bisect_right(starts, index) - 1
        if i >= 0 and source.spans[i][0] <= index < source.spans[i][1]:
            continue
        return col
    return None


def _lift(path: Path_) -> Path_:
    """Comments inside a flow collection belong to the collection (written on one line)."""
    for n in range(1, len(path) + 1):
        if _is_flow(path[:n]):
            return path[:n]
    return path


def _collect_trivia(source: _Source) -> None:
    occupied = _occupied_lines(source)
    pending: list[str] = []
    mark_keys = [(m[0], m[1], m[2]) for m in source.marks]
    offset = 0
    for n, line in enumerate(source.text.split("\n")):
        line_start, offset = offset, offset + len(line) + 1
        if n in occupied:
            continue
        if not line.strip():
            pending.append("")
            continue
        col = _comment_start(source, line_start, line)
        if col is not None and not line[:col].strip():
            pending.append(line[col:].rstrip())
            continue
        if pending:  # the comment lines above belong to the first node on or after this line
            _attach_before(source, n, pending)
            pending = []
        if col is None:
            continue
        i = bisect.bisect_left(mark_keys, (n, col, 0)) - 1
        comment = line[col:].rstrip()
        if i < 0:
            source.header.append(comment)
        else:
            source.after.setdefault(_lift(source.marks[i][3]), []).append(comment)
    source.footer.extend(pending)


def _attach_before(source: _Source, line: int, lines: list[str]) -> None:
    i = bisect.bisect_left(source.anchors, (line, -1, -1, ()))
    if i == 0:
        source.header.extend(lines)  # above the first key: the file's header
    elif i >= len(source.anchors):
        source.footer.extend(lines)
    else:
        source.before.setdefault(_lift(source.anchors[i][3]), []).extend(lines)


def comments(text: str) -> list[str]:
    """Every comment of a YAML text, in a stable order (to check that none is lost)."""
    source = _walk(_normalise(text))
    _collect_trivia(source)
    found = [*source.header, *source.footer]
    for group in (source.before, source.after):
        for lines in group.values():
            found.extend(lines)
    return sorted(c for c in found if c)


class _Emitter:
    def __init__(self, source: _Source, data: Any) -> None:
        self.source = source
        self.data = data
        self.lines: list[str] = []

    # -- trivia

    def trivia(self, path: Path_, indent: int) -> None:
        for line in self.source.before.get(path, []):
            self.lines.append(" " * indent + line if line else "")

    def eol(self, path: Path_, text: str) -> str:
        comments = self.source.after.get(path)
        return f"{text}  {' '.join(comments)}" if comments else text

    # -- scalars

    def scalar_lines(self, path: Path_, value: Any, indent: int) -> list[str]:
        """The scalar's source spelling: first line, then lines already indented."""
        info = self.source.scalars.get(path)
        if info is None:
            return [json.dumps(value, ensure_ascii=False)]
        raw = self.source.text[info.start : info.end]
        if info.style in ("|", ">"):
            return self._block_scalar(raw, value, indent)
        parts = raw.rstrip().split("\n")
        if len(parts) == 1:
            return [parts[0] if parts[0] else "null"] if not raw else [parts[0]]
        rest = [" " * indent + p.strip() if p.strip() else "" for p in parts[1:]]
        return [parts[0].rstrip(), *rest]

    def _block_scalar(self, raw: str, value: Any, indent: int) -> list[str]:
        header, _, body = raw.partition("\n")
        indicator = header.split("#")[0].strip()
        if any(ch.isdigit() for ch in indicator):
            return [json.dumps(value, ensure_ascii=False)]
        content = body.split("\n")
        if "+" not in indicator:
            while content and not content[-1].strip():
                content.pop()
        elif content and content[-1] == "":
            content.pop()  # the final line break, which the emitter writes itself
        filled = [c for c in content if c.strip()]
        old = len(filled[0]) - len(filled[0].lstrip(" ")) if filled else 0
        out = [header.rstrip()]
        out.extend(" " * indent + c[old:].rstrip() if c.strip() else "" for c in content)
        return out

    def flow_scalar(self, path: Path_, value: Any) -> str:
        info = self.source.scalars.get(path)
        if info is None:
            return json.dumps(value, ensure_ascii=False)
        raw = self.source.text[info.start : info.end]
        if "\n" in raw or info.style in ("|", ">"):
            return json.dumps(value, ensure_ascii=False)
        if not raw:
            return "null"
        if info.style is None and isinstance(value, str) and _NOT_FLOW_SAFE.search(raw):
            return json.dumps(value, ensure_ascii=False)
        return raw

    def flow(self, path: Path_, value: Any) -> str:
        if isinstance(value, dict):
            keys = _ordered_keys(path, value)
            inner = ", ".join(f"{k}: {self.flow((*path, k), value[k])}" for k in keys)
            return "{" + inner + "}"
        if isinstance(value, list):
            return "[" + ", ".join(self.flow((*path, i), v) for i, v in enumerate(value)) + "]"
        return self.flow_scalar(path, value)

    # -- structure

    def mapping(self, path: Path_, value: dict[str, Any], indent: int, dash: int | None) -> None:
        """Write a block mapping; with `dash`, its first key shares the `- ` line at that col."""
        for n, key in enumerate(_ordered_keys(path, value)):
            child = (*path, key)
            if n == 0 and dash is not None:
                prefix = " " * dash + "- "
            else:
                self.trivia(child, indent)
                prefix = " " * indent
            self.entry(child, key, value[key], indent, prefix)

    def entry(self, path: Path_, key: str, value: Any, indent: int, prefix: str) -> None:
        head = f"{prefix}{key}:"
        if _is_flow(path) and isinstance(value, dict | list):
            self.lines.append(self.eol(path, f"{head} {self.flow(path, value)}"))
        elif isinstance(value, list):
            if not value:
                self.lines.append(self.eol(path, f"{head} []"))
                return
            self.lines.append(self.eol(path, head))
            self.sequence(path, value, indent + 2)
        elif isinstance(value, dict):
            self.lines.append(self.eol(path, head))
            self.mapping(path, value, indent + 2, None)
        else:
            first, *rest = self.scalar_lines(path, value, indent + 2)
            self.lines.append(self.eol(path, f"{head} {first}".rstrip()))
            self.lines.extend(rest)

    def sequence(self, path: Path_, items: list[Any], dash: int) -> None:
        for i, item in enumerate(items):
            child = (*path, i)
            self.trivia(child, dash)
            if isinstance(item, dict) and not _is_flow(child) and item:
                first = (*child, _ordered_keys(child, item)[0])
                self.trivia(first, dash)
                mark = len(self.lines)
                self.mapping(child, item, dash + 2, dash)
                self.lines[mark] = self.eol(child, self.lines[mark])
            elif isinstance(item, dict | list):
                self.lines.append(self.eol(child, " " * dash + "- " + self.flow(child, item)))
            else:
                first, *rest = self.scalar_lines(child, item, dash + 2)
                self.lines.append(self.eol(child, f"{' ' * dash}- {first}".rstrip()))
                self.lines.extend(rest)

    def document(self) -> str:
        self.lines.extend(self.source.header)
        if isinstance(self.data, dict):
            self.mapping((), self.data, 0, None)
        self.lines.extend(self.source.footer)
        return _squeeze(self.lines)


def _squeeze(lines: list[str]) -> str:
    """At most one blank line in a row, none at the start or end, one final newline."""
    out: list[str] = []
    for line in lines:
        if line == "" and (not out or out[-1] == ""):
            continue
        out.append(line.rstrip() if not line.strip() else line)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def _ordered_keys(path: Path_, value: dict[str, Any]) -> list[str]:
    order = _ORDER.get(_shape(path), ())
    known = [k for k in order if k in value]
    return known + [k for k in value if k not in order]


def _normalise(text: str) -> str:
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _same(a: Any, b: Any) -> bool:
    """Equal data with equal types (8 and 8.0 are different spellings of different types)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return set(a) == set(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def format_text(text: str) -> str:
    """The canonical form of a valid role file's text (raises FormatError if it cannot be)."""
    text = _normalise(text)
    before = parse_positioned(text)
    if before is None:
        raise FormatError("empty document")
    source = _walk(text)
    _collect_trivia(source)
    out = _Emitter(source, before.data).document()
    after = parse_positioned(out)
    if after is None or not _same(before.data, after.data):
        raise FormatError("the formatted text would hold different data")
    if comments(out) != comments(text):
        raise FormatError("the formatted text would lose or change a comment")
    return out
