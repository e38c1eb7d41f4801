"""Every real workbook in the shared corpus ends in rows or a clear KpicardError, quickly.

The corpus (calamine's test files) is not part of this repository; the test skips without it.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kpicard.actuals.container import describe_refusal, sniff_container
from kpicard.actuals.xlsx import open_xlsx
from kpicard.diagnostics import KpicardError

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "spreadsheets"
FILES = (
    sorted(p for p in CORPUS.glob("*") if p.suffix.lower() not in (".md", ""))
    if (CORPUS.is_dir())
    else []
)


def outcome(path: Path) -> str:
    """'rows:N', 'refused:<code>' or 'error:<code>' for one file, as the CLI would see it."""
    kind = sniff_container(path)
    refusal = describe_refusal(kind, path, path.name)
    if refusal is not None:
        return f"refused:{refusal.diagnostics[0].code}"
    try:
        table = open_xlsx(path, path.name)
        count = sum(1 for _ in table.rows)
    except KpicardError as exc:
        assert exc.diagnostics and exc.diagnostics[0].location is not None
        return f"error:{exc.diagnostics[0].code}"
    return f"rows:{count}"


@pytest.mark.skipif(not FILES, reason="corpus folder not present")
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_file_ends_cleanly(path: Path) -> None:
    start = time.perf_counter()
    result = outcome(path)
    assert result.split(":")[0] in ("rows", "refused", "error")
    assert time.perf_counter() - start < 5, f"{path.name} took too long"
