"""Readers release what they open, and a bug inside a reader is a bug (issue 11).

A workbook or CSV file is closed when its rows are exhausted, when the table is closed (or used
as a context manager), when a consumer stops early, and when a table that was never read is
dropped: no `ResourceWarning`, no file descriptor left behind. A reader's own exception (a bug)
is never reported as a corrupt file: it reaches the CLI's guard (exit 3), while a damaged
workbook stays exit 1.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kpicard.actuals import open_table
from kpicard.actuals.mapping import ReadOptions, read_records
from kpicard.actuals.template_meta import read_template_meta
from kpicard.catalog.load import load_catalog
from kpicard.cli.main import app
from kpicard.diagnostics import KpicardError

ROOT = Path(__file__).resolve().parents[1]
XLSX = ROOT / "examples" / "billing-team.xlsx"
CSV = ROOT / "examples" / "collection-team.csv"
FD_DIR = Path("/proc/self/fd")

needs_proc = pytest.mark.skipif(not FD_DIR.is_dir(), reason="counts descriptors in /proc")


def _open_fds() -> int:
    return len(os.listdir(FD_DIR))


def _consume(table, how: str) -> None:
    if how == "all":
        list(table.rows)
    elif how == "one":
        next(iter(table.rows))
    elif how == "close":
        next(iter(table.rows))
        table.close()


@needs_proc
@pytest.mark.filterwarnings("error::ResourceWarning")
@pytest.mark.parametrize("path", [XLSX, CSV], ids=["xlsx", "csv"])
@pytest.mark.parametrize("how", ["all", "one", "none", "close"])
def test_a_table_leaves_no_file_open(path: Path, how: str) -> None:
    gc.disable()  # a run pauses the collector: closing must not depend on it
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ResourceWarning)
            before = _open_fds()
            table = open_table(str(path))
            _consume(table, how)
            del table
            assert _open_fds() == before
            gc.collect()
    finally:
        gc.enable()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []


@needs_proc
@pytest.mark.filterwarnings("error::ResourceWarning")
def test_a_table_is_a_context_manager() -> None:
    before = _open_fds()
    with open_table(str(XLSX)) as table:
        next(iter(table.rows))
        assert _open_fds() > before
    assert _open_fds() == before
    table.close()  # twice is harmless


@needs_proc
@pytest.mark.filterwarnings("error::ResourceWarning")
@pytest.mark.parametrize("path", [XLSX, CSV], ids=["xlsx", "csv"])
def test_read_records_closes_the_table_even_when_it_stops_early(path: Path) -> None:
    catalog = load_catalog(ROOT / "catalog")
    before = _open_fds()
    table = open_table(str(path))
    # An id column that is not there: the reader gives up at the header, rows unread.
    read_records(table, catalog.roles, ReadOptions(id_column="no-such-column"))
    assert _open_fds() == before
    read_records(open_table(str(path)), catalog.roles, ReadOptions())
    assert _open_fds() == before


@needs_proc
@pytest.mark.filterwarnings("error::ResourceWarning")
def test_a_refused_workbook_leaves_no_file_open(tmp_path: Path) -> None:
    bomb = tmp_path / "cut.xlsx"
    bomb.write_bytes(XLSX.read_bytes()[: XLSX.stat().st_size // 2])
    before = _open_fds()
    for _ in range(3):
        with pytest.raises(KpicardError):
            open_table(str(bomb))
        assert read_template_meta(bomb) is None
    assert _open_fds() == before


_RUN_THEN_COLLECT = (
    "import gc, runpy, sys\n"
    "sys.argv = ['kpicard', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('kpicard', run_name='__main__')\n"
    "finally:\n"
    "    gc.unfreeze()\n"  # a run freezes what it made: collect it, so a leak would warn here
    "    gc.collect()\n"
)


@pytest.mark.parametrize(
    "args",
    [
        ["score", str(XLSX), "--role", "billing-staff"],
        ["score", str(XLSX)],  # the role from the template's metadata or the columns
        ["score", str(CSV)],
    ],
    ids=["xlsx", "xlsx-no-role", "csv"],
)
def test_score_under_dev_mode_raises_no_resource_warning(args: list[str]) -> None:
    env = {**os.environ, "KPICARD_CATALOG": "", "NO_COLOR": "1"}
    for command in (["-m", "kpicard"], ["-c", _RUN_THEN_COLLECT]):
        result = subprocess.run(
            [sys.executable, "-W", "error::ResourceWarning", "-X", "dev", *command, *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
        assert result.returncode == 0, result.stderr
        assert "ResourceWarning" not in result.stderr, result.stderr
        assert "Traceback" not in result.stderr, result.stderr


# --- a bug in a reader is exit 3; a damaged file exit 1 ---------------------------------------


@pytest.mark.parametrize("error", [TypeError, ValueError, KeyError, LookupError, RuntimeError])
def test_a_bug_in_the_xlsx_reader_is_an_internal_error(
    monkeypatch: pytest.MonkeyPatch, error: type[Exception]
) -> None:
    import kpicard.actuals.xlsx as xlsx

    def broken(*args: object, **kwargs: object) -> None:
        raise error("simulated bug")

    monkeypatch.setattr(xlsx, "_format_kind", broken)  # runs while the styles part is read
    monkeypatch.setenv("KPICARD_CATALOG", "")
    result = CliRunner().invoke(app, ["score", str(XLSX), "--role", "billing-staff"])
    assert result.exit_code == 3, result.output
    assert "internal error" in result.stderr and "simulated bug" in result.stderr
    assert "corrupt" not in result.stderr


@pytest.mark.parametrize("error", [TypeError, ValueError, KeyError, IndexError])
def test_a_bug_while_streaming_a_sheet_is_an_internal_error(
    monkeypatch: pytest.MonkeyPatch, error: type[Exception]
) -> None:
    import kpicard.actuals.xlsx as xlsx

    def broken(text: str) -> str:
        raise error("simulated bug")

    monkeypatch.setattr(xlsx, "_unescape", broken)  # runs for every text cell of the sheet
    monkeypatch.setenv("KPICARD_CATALOG", "")
    result = CliRunner().invoke(app, ["score", str(XLSX), "--role", "billing-staff"])
    assert result.exit_code == 3, result.output
    assert "internal error" in result.stderr and "corrupt" not in result.stderr


def test_a_truncated_workbook_is_still_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cut = tmp_path / "cut.xlsx"
    data = XLSX.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    monkeypatch.setenv("KPICARD_CATALOG", "")
    result = CliRunner().invoke(app, ["score", str(cut), "--role", "billing-staff"])
    assert result.exit_code == 1, result.output
    assert "corrupt or truncated" in result.stderr


# --- one sniffer: container.py judges what bytes are, for files and streams alike --------------


def test_the_stream_sniffer_agrees_with_the_file_sniffer(tmp_path: Path) -> None:
    import io

    from kpicard.actuals.container import sniff_container, sniff_head
    from kpicard.actuals.csv_reader import open_csv

    samples = {
        "book.xlsx": XLSX.read_bytes(),
        "team.csv": CSV.read_bytes(),
        "report.pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
        "legacy.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(500)
        + "Workbook".encode("utf-16-le"),
        "empty.csv": b"",
    }
    for name, data in samples.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert sniff_head(data[: 64 * 1024]) == sniff_container(path), name
    with pytest.raises(KpicardError) as info:
        open_csv(io.BytesIO(samples["book.xlsx"]), "<stdin>")  # a workbook piped in
    assert info.value.diagnostics[0].code == "csv.not-csv"
    assert "Excel workbook (.xlsx)" in info.value.diagnostics[0].message


def test_template_metadata_is_judged_by_content_not_name(tmp_path: Path) -> None:
    from kpicard.render.template import write_template

    catalog = load_catalog(ROOT / "catalog")
    role = next(iter(catalog.roles.values()))
    book = tmp_path / "filled"  # no extension: the content says it is a workbook
    with book.open("wb") as handle:
        write_template(role, handle, catalog_display="catalog", catalog_digest=catalog.digest)
    meta = read_template_meta(book)
    assert meta is not None and meta["role"] == role.id
    text = tmp_path / "team.xlsx"  # a name that promises a workbook, and CSV inside
    text.write_bytes(CSV.read_bytes())
    assert read_template_meta(text) is None
