"""The engine stays a pure layer: no terminal, CLI, Excel or YAML libraries behind it.

Batch scripts and the JSON path import `kpicard.engine` directly; pulling in rich or openpyxl
there would cost start-up time and tie scoring to presentation.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
ENGINE = SRC / "kpicard" / "engine.py"
FORBIDDEN = ("rich", "typer", "click", "openpyxl", "yaml", "ruamel")


def test_importing_the_engine_loads_no_presentation_or_io_library() -> None:
    code = (
        "import sys, kpicard.engine\n"
        f"print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})))"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.split() == []


def _imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            # a relative import (`from .models import ...`) is an import from the package
            if node.level:
                modules.add(f"kpicard.{node.module or ''}".rstrip("."))
            else:
                modules.add(node.module or "")
    return modules


def test_engine_source_imports_only_stdlib_and_models() -> None:
    modules = _imported_modules(ENGINE)
    assert modules, "the scan found no imports at all; is it reading the right file?"
    assert not {m for m in modules if m.split(".")[0] in FORBIDDEN}
    allowed = set(sys.stdlib_module_names) | {"kpicard"}
    outside = {m for m in modules if m.split(".")[0] not in allowed}
    assert outside == set()
    kpicard_modules = {m for m in modules if m.split(".")[0] == "kpicard"}
    assert kpicard_modules <= {"kpicard.models"}


# (typer itself imports pydantic to render a command's help, so pydantic is not checked here)
HEAVY_FOR_STARTUP = (
    "openpyxl",
    "xlsxwriter",
    "yaml",
    "kpicard.models",
    "kpicard.engine",
    "defusedxml",
)


def test_help_and_version_import_nothing_heavy() -> None:
    """`kpicard --help` / `--version` stay fast: no workbook, model or YAML library on that path."""
    code = (
        "import sys\n"
        "from kpicard.cli.main import app\n"
        "for args in (['--version'], ['--help'], ['score', '--help']):\n"
        "    try:\n"
        "        app(args, prog_name='kpicard')\n"
        "    except SystemExit:\n"
        "        pass\n"
        f"print([m for m in {HEAVY_FOR_STARTUP!r} if m in sys.modules], file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stderr.strip().splitlines()[-1] == "[]", result.stderr
