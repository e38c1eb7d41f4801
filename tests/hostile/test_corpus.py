"""BAD_INPUTS 63: every real workbook of the shared corpus through `kpicard score FILE --role
billing-staff`, with the bundled catalog.

Files run in four child processes (each under an address-space limit and a timeout), each of which
loops over its share with CliRunner on `kpicard.cli.main.app`: four imports, not 130. Each file
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

SHARDS = 4  # child processes; each loads the catalog per file, so the work parallelises well

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
    shards = [FILES[i::SHARDS] for i in range(SHARDS)]
    children = [
        subprocess.Popen(
            [PYTHON, "-c", LOOP, *map(str, shard)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            preexec_fn=limit,
            cwd=CORPUS,
        )
        for shard in shards
    ]
    outcomes = []
    try:
        for child in children:
            out, err = child.communicate(timeout=60)
            assert child.returncode == 0, err[-3000:]
            outcomes.extend(json.loads(out))
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
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
