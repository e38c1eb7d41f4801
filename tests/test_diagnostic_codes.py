"""One registry of diagnostic codes (kpicard.diagnostics.REGISTRY), checked four ways.

1. docs/diagnostics.md is what `registry_markdown()` makes (not stale).
2. A static AST scan of src/kpicard finds every code the source spells out: arguments of the
   calls that make diagnostics (`Diagnostic`, `Report.error/warning/note`, `usage_error`, ...),
   `code=` keywords and defaults, `code = "..."`, and any string literal of a registered area's
   shape (`input.something`, `KP123`) anywhere outside docstrings. Each must be registered, at the
   severity the call makes. Codes built at run time (f-strings, `"catalog." + x`, `.replace`)
   must be listed in `DERIVED` with the registered codes they produce.
3. Every registered code has the pattern `area.kebab-case` (lint: `KPnnn`) and is used: found
   by the scan, or marked `dynamic=True` and produced by a `DERIVED` site.
4. At run time, tests/conftest.py fails any test that makes an unregistered diagnostic.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from kpicard.diagnostics import CODES, REGISTRY, VARIES, registry_markdown

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "kpicard"
PAGE = ROOT / "docs" / "diagnostics.md"

CODE_PATTERN = re.compile(r"^[a-z]+\.[a-z0-9]+(?:-[a-z0-9]+)*$")
LINT_PATTERN = re.compile(r"^KP\d{3}$")
SEVERITIES = {"error", "warning", "note", VARIES}

# Calls whose string arguments may hold a code, and the severity they give it (None: unknown
# here, e.g. `Diagnostic(...)` reads its `severity` argument).
PRODUCERS: dict[str, str | None] = {
    "Diagnostic": None,
    "error": "error",
    "warning": "warning",
    "note": "note",
    "usage_error": "error",
    "input_error": "error",
    "refuse": "error",  # actuals/xlsx.py: an input_error
    "_refuse_at": "error",
    "at": "error",  # manifest.py: _Errors.at
    "YamlProblem": "error",
    "Finding": "warning",  # catalog/lint.py
    "add": "warning",  # catalog/lint.py: _Linter.add
}
# A string looks like a code (in a producer's arguments): a dotted word, no spaces.
LOOKS_LIKE_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9]*\.[A-Za-z0-9_.-]+$|^KP\d+$")
FILE_SUFFIX = re.compile(r"\.(csv|tsv|txt|xlsx|xlsm|xls|xml|json|ya?ml|md|zip|bin|py|rels)$")

# Run-time derivations of codes: (file under src/kpicard, the site's text) -> what it produces.
# None today: the YAML reader's codes are spelled out per document kind (yamlpos.DocCodes).
DERIVED: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Site:
    code: str  # the literal code, or the source text of a derivation
    file: str
    line: int
    severity: str | None  # what the call makes, when the scan can tell
    derived: bool = False


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _str(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _call_severity(call: ast.Call, name: str) -> str | None:
    if name != "Diagnostic":
        return PRODUCERS[name]
    args = list(call.args[2:3]) + [k.value for k in call.keywords if k.arg == "severity"]
    for arg in args:
        named = isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name)
        if named and arg.value.id == "Severity":
            return arg.attr.lower()
        return None  # a variable
    return "error"  # the default


def scan_source(text: str, file: str, areas: set[str]) -> list[Site]:
    """Every code (and code derivation) the source spells out; see the module docstring."""
    tree = ast.parse(text)
    skip = _docstrings(tree)
    area_code = re.compile(rf"^(?:{'|'.join(sorted(areas))})\.[A-Za-z0-9_-]+$|^KP\d{{3}}$")
    area_prefix = re.compile(rf"^(?:{'|'.join(sorted(areas))})\.")
    found: dict[int, Site] = {}  # by id(node): a literal is reported once, most precise first

    def literal(node: ast.AST, severity: str | None, *, loose: bool) -> None:
        value = _str(node)
        if value is None or id(node) in found:
            return
        # in a code position any dotted word is a code; elsewhere only a registered area's shape
        # (and not a file name such as input.csv)
        if loose:
            is_code = bool(LOOKS_LIKE_CODE.match(value))
        else:
            is_code = bool(area_code.match(value)) and not FILE_SUFFIX.search(value)
        if is_code:
            found[id(node)] = Site(value, file, node.lineno, severity)

    def derived(node: ast.AST) -> None:
        found[id(node)] = Site(ast.unparse(node), file, node.lineno, None, derived=True)

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            if name in PRODUCERS:
                severity = _call_severity(node, name)
                for arg in node.args:
                    literal(arg, severity, loose=True)
            for kw in node.keywords:
                if kw.arg == "code":
                    literal(kw.value, PRODUCERS.get(name), loose=True)
            # "catalog.x".replace(...), code.replace("catalog.", "manifest.")
            method = node.func.attr if isinstance(node.func, ast.Attribute) else ""
            if method in ("replace", "format") and any(
                area_prefix.match(_str(a) or "") for a in node.args
            ):
                derived(node)
                for a in node.args:
                    found.setdefault(id(a), found[id(node)])
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            a = node.args
            positional = a.posonlyargs + a.args
            with_default = positional[len(positional) - len(a.defaults) :]
            pairs = list(zip(with_default, a.defaults, strict=True))
            pairs += [(k, d) for k, d in zip(a.kwonlyargs, a.kw_defaults, strict=True) if d]
            for arg, default in pairs:
                if arg.arg == "code":
                    literal(default, None, loose=True)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if node.value is not None and any(
                _name(t) == "code" for t in targets if isinstance(t, ast.Name | ast.Attribute)
            ):
                literal(node.value, None, loose=True)
        elif isinstance(node, ast.JoinedStr):
            head = node.values[0] if node.values else None
            if head is not None and area_prefix.match(_str(head) or ""):
                derived(node)
                found.setdefault(id(head), found[id(node)])
        elif (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Add)
            and area_prefix.match(_str(node.left) or "")
            and _str(node.right) is None
        ):
            derived(node)
            found.setdefault(id(node.left), found[id(node)])
    for node in ast.walk(tree):
        if id(node) not in skip:
            literal(node, None, loose=False)
    return sorted(set(found.values()), key=lambda s: (s.file, s.line, s.code))


def scan_tree() -> list[Site]:
    """The scan of src/kpicard, but for diagnostics.py: the registry itself, not a user of it."""
    areas = {c.area for c in REGISTRY} - {"lint"}
    sites: list[Site] = []
    for path in sorted(SRC.rglob("*.py")):
        if path == SRC / "diagnostics.py":
            continue
        sites += scan_source(
            path.read_text(encoding="utf-8"), path.relative_to(SRC).as_posix(), areas
        )
    return sites


def problems(sites: list[Site], codes=CODES, derived=DERIVED) -> list[str]:
    """What is wrong with the sites against the registry, one line each (empty: all good)."""
    out = []
    for s in sites:
        where = f"src/kpicard/{s.file}:{s.line}"
        if s.derived:
            if (s.file, s.code) not in derived:
                out.append(
                    f"{where}: code built at run time ({s.code}): spell codes out, or add the "
                    "site to DERIVED with the codes it makes registered as dynamic=True"
                )
            continue
        entry = codes.get(s.code)
        if entry is None:
            out.append(f"{where}: code '{s.code}' is not in REGISTRY (src/kpicard/diagnostics.py)")
        elif s.severity and entry.severity not in (s.severity, VARIES):
            out.append(
                f"{where}: '{s.code}' is made as {s.severity}; REGISTRY says {entry.severity}"
            )
    return out


@pytest.fixture(scope="module")
def sites() -> list[Site]:
    return scan_tree()


# --------------------------------------------------------------------------- the page


def test_the_page_is_generated_from_the_registry():
    assert PAGE.read_text(encoding="utf-8") == registry_markdown(), (
        "docs/diagnostics.md is stale: python -m kpicard.diagnostics > docs/diagnostics.md"
    )


def test_the_page_has_a_table_per_area():
    page = registry_markdown()
    for area in {c.area for c in REGISTRY}:
        assert f"\n## {area}: " in page
    assert "do not edit; regenerate with" in page.splitlines()[0]
    assert all(f"| `{c.code}` | {c.severity} |" in page for c in REGISTRY)


# --------------------------------------------------------------------------- the registry


def test_registered_codes_follow_the_pattern():
    bad = [
        c.code
        for c in REGISTRY
        if not (LINT_PATTERN if c.area == "lint" else CODE_PATTERN).match(c.code)
    ]
    assert not bad, f"codes must be area.kebab-case (lint: KPnnn): {bad}"


def test_registry_is_sorted_by_area_without_duplicates_and_says_what_each_means():
    keys = [(c.area, c.code) for c in REGISTRY]
    assert keys == sorted(keys)
    assert len(CODES) == len(REGISTRY)
    assert all(c.severity in SEVERITIES for c in REGISTRY)
    assert all(c.meaning and "\n" not in c.meaning and len(c.meaning) <= 100 for c in REGISTRY)


# --------------------------------------------------------------------------- the source


def test_every_code_in_the_source_is_registered(sites):
    assert not problems(sites), "\n".join(problems(sites))


def test_no_registered_code_is_unused(sites):
    spelled = {s.code for s in sites if not s.derived}
    unused = [c.code for c in REGISTRY if not c.dynamic and c.code not in spelled]
    assert not unused, f"registered but used nowhere (remove, or mark dynamic=True): {unused}"
    stale = [c.code for c in REGISTRY if c.dynamic and c.code in spelled]
    assert not stale, f"marked dynamic but spelled out in the source: {stale}"


def test_the_derived_codes_are_exactly_the_dynamic_ones(sites):
    assert {(s.file, s.code) for s in sites if s.derived} == set(DERIVED)


def test_every_document_kind_has_its_codes_registered():
    """Role files and manifests share the positioned reader; each kind spells its codes."""
    from dataclasses import astuple

    from kpicard.app.manifest import MANIFEST
    from kpicard.catalog.yamlpos import CATALOG

    for kind, area in ((CATALOG, "catalog."), (MANIFEST, "manifest.")):
        codes = astuple(kind.codes)
        assert all(c.startswith(area) and c in CODES for c in codes), codes


# --------------------------------------------------------------------------- the scanner


SNIPPET = '''
"""A docstring naming input.in-a-docstring is prose, not a code."""
from kpicard.diagnostics import Diagnostic, Report, Severity, usage_error

def read(report: Report, kind: str, code: str = "input.param-default") -> None:
    report.error("input.value", "fine: registered")
    report.warning("input.brand-new", "not registered")
    report.note("input.value", "registered as an error, made as a note")
    raise usage_error("usage.new_thing", "an outlier spelling")

def more(kind):
    Diagnostic("compare.warning", "ok", Severity.WARNING)
    Diagnostic("compare.warning", "wrong severity")
    Diagnostic(f"input.{kind}", "built at run time")
    Diagnostic("input." + kind, "built at run time too")
    code = "csv.assigned"
    RULES = {"x": "csv.in-a-table"}
    path = "input.csv"  # a file name, not a code
    return "summary.groups"  # not a registered area, not in a code position
'''


def test_scanner_finds_codes_in_every_position():
    sites = scan_source(SNIPPET, "snippet.py", {"input", "csv", "compare", "usage"})
    spelled = {(s.code, s.severity) for s in sites if not s.derived}
    assert spelled == {
        ("input.param-default", None),
        ("input.value", "error"),
        ("input.brand-new", "warning"),
        ("input.value", "note"),
        ("usage.new_thing", "error"),
        ("compare.warning", "warning"),
        ("compare.warning", "error"),
        ("csv.assigned", None),
        ("csv.in-a-table", None),
    }
    assert sorted(s.code for s in sites if s.derived) == ["'input.' + kind", "f'input.{kind}'"]


def test_scanner_fails_on_unregistered_codes_and_wrong_severities():
    sites = scan_source(SNIPPET, "snippet.py", {"input", "csv", "compare", "usage"})
    found = "\n".join(problems(sites))
    for expected in (
        "snippet.py:5: code 'input.param-default' is not in REGISTRY",
        "snippet.py:7: code 'input.brand-new' is not in REGISTRY",
        "snippet.py:8: 'input.value' is made as note; REGISTRY says error",
        "snippet.py:9: code 'usage.new_thing' is not in REGISTRY",
        "snippet.py:13: 'compare.warning' is made as error; REGISTRY says warning",
        "snippet.py:14: code built at run time (f'input.{kind}')",
        "snippet.py:15: code built at run time ('input.' + kind)",
        "snippet.py:16: code 'csv.assigned' is not in REGISTRY",
        "snippet.py:17: code 'csv.in-a-table' is not in REGISTRY",
    ):
        assert expected in found, found
    assert "input.csv" not in found and "summary.groups" not in found
    assert "in-a-docstring" not in found
    assert len(problems(sites)) == 9


# --------------------------------------------------------------------------- at run time


def test_an_unregistered_code_is_recorded_at_run_time_not_raised():
    from kpicard.diagnostics import Diagnostic, Severity, unregistered_seen

    d = Diagnostic("input.never-registered", "still printed")
    Diagnostic("input.value", "registered, at another severity", Severity.NOTE)
    Diagnostic("input.sheet", "registered as varies", Severity.NOTE)
    assert d.render() == "error: still printed [input.never-registered]"
    assert unregistered_seen == [("input.never-registered", "error"), ("input.value", "note")]
    unregistered_seen.clear()  # the autouse fixture would fail this test otherwise


def test_the_terminal_prints_each_code_as_render_spells_it(capsys):
    """Every printed message ends with its code, so a user can look it up in the page."""
    from kpicard.diagnostics import Diagnostic, Location, Severity
    from kpicard.render.terminal import print_diagnostics

    printed = [
        Diagnostic(
            "input.value",
            "'abc' is not a number (KPI 'NPS')",
            location=Location("team.csv", row=7, cell_column="C"),
            hint="type a number",
        ),
        Diagnostic("compare.warning", "another catalog version", Severity.WARNING),
    ]
    print_diagnostics(printed)
    err = capsys.readouterr().err
    assert (
        err.splitlines()[0] == "team.csv:C7: error: 'abc' is not a number (KPI 'NPS') [input.value]"
    )
    assert err == "".join(d.render() + "\n" for d in printed)
