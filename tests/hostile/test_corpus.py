"""BAD_INPUTS 63: every real workbook of the shared corpus through `kpicard score FILE --role
billing-staff`, with the bundled catalog.

All files run in ONE child process (under an address-space limit and an overall timeout) that
loops over them with CliRunner on `kpicard.cli.main.app`, one import instead of 130. Each file
must end in exit 0 (a result), 1 (a clear refusal) or 2 (a usage error), with a message on
stderr when it fails and never a traceback or exit 3, each within seconds.
"""

from __future__ import annotations

import json
import resource
import subprocess
from pathlib import Path

import pytest

from .conftest import PYTHON, ROOT, subprocess_env

CORPUS = ROOT.parent / "shared" / "corpus" / "spreadsheets"
FILES = (
    sorted(p for p in CORPUS.glob("*") if p.is_file() and p.suffix.lower() != ".md")
    if CORPUS.is_dir()
    else []
)

LOOP = """
import json, sys, time
from typer.testing import CliRunner
from kpicard.cli.main import app
runner = CliRunner()
out = []
for path in sys.argv[1:]:
    start = time.perf_counter()
    result = runner.invoke(app, ["score", path, "--role", "billing-staff", "--format", "json"])
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    out.append({
        "file": path, "exit": result.exit_code, "seconds": time.perf_counter() - start,
        "stderr": result.stderr[-2000:], "crashed": repr(result.exception) if crashed else None,
    })
print(json.dumps(out))
"""


@pytest.mark.skipif(not FILES, reason="corpus folder not present")
def test_63_every_corpus_file_ends_cleanly() -> None:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))

    env = subprocess_env()
    env.pop("KPICARD_CATALOG", None)
    done = subprocess.run(
        [PYTHON, "-c", LOOP, *map(str, FILES)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        preexec_fn=limit,
        cwd=CORPUS,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    outcomes = json.loads(done.stdout)
    assert len(outcomes) == len(FILES)
    bad = []
    for o in outcomes:
        name = Path(o["file"]).name
        if o["crashed"] or o["exit"] not in (0, 1, 2) or "Traceback" in o["stderr"]:
            bad.append(f"{name}: exit {o['exit']} {o['crashed'] or ''} {o['stderr'][-300:]}")
        elif o["exit"] != 0 and (name not in o["stderr"] and "error" not in o["stderr"]):
            bad.append(f"{name}: exit {o['exit']} without a message naming it")
        elif o["seconds"] > 5:
            bad.append(f"{name}: {o['seconds']:.1f} s")
    assert not bad, "\n".join(bad)
    # Legacy and foreign formats are refused with what they are and what to save them as.
    for o in outcomes:
        suffix = Path(o["file"]).suffix.lower()
        if suffix in (".xls", ".ods", ".xlsb"):
            assert o["exit"] == 1, o
            assert "save" in o["stderr"] or "corrupt" in o["stderr"], o
