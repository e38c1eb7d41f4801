"""BAD_INPUTS 1-8: paths, outputs, pipes, signals and bugs - the exit codes of SPEC 4."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import HEADER, PREVIOUS, PYTHON, Env, subprocess_env

ROW = "E1,Ana,95,0.8,20,2000,6"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --- 1: inputs that cannot be read -----------------------------------------------------------


def test_01_missing_input(env: Env) -> None:
    env.refused("nope.csv", code=2, says="input file not found: nope.csv")


def test_01_folder_without_actuals(env: Env) -> None:
    (env.root / "empty").mkdir()
    env.refused("empty", code=2, says="no .csv, .tsv or .xlsx files in empty")


def test_01_folder_for_explain(env: Env) -> None:
    (env.root / "dir").mkdir()
    from kpicard.cli.main import app

    from .conftest import runner

    result = runner.invoke(app, ["explain", "dir", "-r", "mini", "-e", "E1", "--catalog", "cat"])
    assert result.exit_code == 2, result.stderr
    assert "dir is a folder" in result.stderr and "Traceback" not in result.stderr


def test_01_glob_without_match(env: Env) -> None:
    env.refused("q3/*.csv", code=2, says="no file matches q3/*.csv")


@pytest.mark.skipif(IS_ROOT, reason="root reads any file")
def test_01_unreadable_input(env: Env) -> None:
    name = env.csv([ROW])
    os.chmod(env.root / name, 0)
    env.refused(name, code=2, says="cannot read team.csv")


def test_01_unreadable_input_when_access_says_no(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    """What an unreadable file does where chmod cannot show it (CI runs as root)."""
    name = env.csv([ROW])
    real_access = os.access

    def access(path: object, mode: int, *args: object, **kwargs: object) -> bool:
        if mode == os.R_OK and str(path).endswith(name):
            return False
        return real_access(path, mode, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)
    env.refused(name, code=2, says="cannot read team.csv: permission denied")


def test_01_input_that_fails_to_open(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    """access() says yes but open() says no (ACLs, a race): still exit 2 with the reason."""
    name = env.csv([ROW])
    real_open = Path.open

    def refuse(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if self.name == name:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", refuse)
    env.refused(name, code=2, says="cannot read team.csv: Permission denied")


def test_01_missing_catalog(env: Env) -> None:
    from kpicard.cli.main import app

    from .conftest import runner

    name = env.csv([ROW])
    result = runner.invoke(app, ["score", name, "--role", "mini", "--catalog", "nocat"])
    assert result.exit_code == 2 and "catalog not found: nocat" in result.stderr


def test_01_broken_catalog_is_exit_1_and_writes_nothing(env: Env) -> None:
    (env.catalog / "mini.yaml").write_text("kpicard: 1\nid: mini\nname: x\nkras:\n\t- a\n")
    env.refused(env.csv([ROW]), where="cat/mini.yaml:5:1", says="invalid YAML")


# --- 3: never over an input ------------------------------------------------------------------


@pytest.mark.parametrize("how", ["same", "dot-slash", "absolute", "symlink", "hardlink"])
def test_03_output_equal_to_an_input(env: Env, how: str) -> None:
    name = env.csv([ROW])
    before = (env.root / name).read_bytes()
    target = {
        "same": name,
        "dot-slash": f"./{name}",
        "absolute": str(env.root / name),
        "symlink": "link.csv",
        "hardlink": "hard.csv",
    }[how]
    if how == "symlink":
        os.symlink(name, env.root / "link.csv")
    if how == "hardlink":
        os.link(env.root / name, env.root / "hard.csv")
    result = env.invoke(name, "--format", "csv", "-o", target)
    assert result.exit_code == 2, result.stderr
    assert "refusing to overwrite an input" in result.stderr
    assert (env.root / name).read_bytes() == before
    assert temp_files(env.root) == []


def test_03_output_equal_to_the_compare_file(env: Env) -> None:
    """The earlier JSON a run compares against is an input too (SPEC 4: never over an input)."""
    earlier = env.invoke(env.csv([ROW]), "--format", "json")
    assert earlier.exit_code == 0, earlier.stderr
    env.write("prev.json", earlier.stdout)
    result = env.invoke("team.csv", "--compare", "prev.json", "--format", "json", "-o", "prev.json")
    assert result.exit_code == 2, result.stderr
    assert "output prev.json is the input prev.json" in result.stderr
    assert (env.root / "prev.json").read_text() == earlier.stdout


def test_03_output_equal_to_a_catalog_role_file(env: Env) -> None:
    before = (env.catalog / "mini.yaml").read_bytes()
    result = env.invoke(env.csv([ROW]), "--format", "json", "-o", "cat/mini.yaml")
    assert result.exit_code == 2, result.stderr
    assert "output cat/mini.yaml is the input cat/mini.yaml" in result.stderr
    assert (env.catalog / "mini.yaml").read_bytes() == before


def test_03_output_equal_to_a_later_input(env: Env) -> None:
    a, b = env.csv([ROW], name="a.csv"), env.csv([ROW.replace("E1", "E2")], name="b.csv")
    result = env.invoke(a, b, "--format", "json", "-o", b)
    assert result.exit_code == 2 and "is the input b.csv" in result.stderr


# --- 4: outputs that cannot be written -------------------------------------------------------


def test_04_output_into_a_missing_folder(env: Env) -> None:
    result = env.invoke(env.csv([ROW]), "--format", "json", "-o", "nodir/x.json")
    assert result.exit_code == 2 and "folder nodir does not exist" in result.stderr
    assert not (env.root / "nodir").exists()


def test_04_output_onto_a_folder(env: Env) -> None:
    result = env.invoke(env.csv([ROW]), "--format", "json", "-o", "out")
    assert result.exit_code == 2 and "output out is a folder" in result.stderr
    env.assert_output_untouched()


def test_04_output_without_a_known_extension(env: Env) -> None:
    result = env.invoke(env.csv([ROW]), "-o", "scores.pdf")
    assert result.exit_code == 2 and "cannot tell the format" in result.stderr
    assert not (env.root / "scores.pdf").exists()


@pytest.mark.parametrize("args", [["-o", "report.xlsm"], ["--format", "xlsx", "-o", "r.XLSM"]])
def test_04_xlsm_output_is_refused(env: Env, args: list[str]) -> None:
    """An ordinary workbook named .xlsm is a file Excel refuses to open."""
    result = env.invoke(env.csv([ROW]), *args)
    assert result.exit_code == 2, result.stderr
    assert "kpicard writes workbooks without macros; name it .xlsx" in result.stderr
    assert not list(env.root.glob("*.xlsm")) and not list(env.root.glob("*.XLSM"))


@pytest.mark.skipif(IS_ROOT, reason="root writes into read-only folders")
def test_04_output_into_a_read_only_folder(env: Env) -> None:
    folder = env.root / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = env.invoke(env.csv([ROW]), "--format", "json", "-o", "ro/x.json")
        assert result.exit_code == 2 and "read-only" in result.stderr
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_04_output_folder_refuses_the_temporary_file(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a read-only folder does when access() says yes (root, ACLs, a race)."""
    import tempfile

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    result = env.invoke(env.csv([ROW]), "--format", "json", "-o", "out/result.json")
    assert result.exit_code == 2, result.stderr
    assert "cannot write out/result.json: Permission denied" in result.stderr
    env.assert_output_untouched()


# --- 5: a write that fails half-way ----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "csv", "markdown", "xlsx"])
def test_05_disk_full_half_way_leaves_the_earlier_file(
    env: Env, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    import kpicard.outputs

    target = env.out_dir / f"result.{'md' if fmt == 'markdown' else fmt}"
    target.write_bytes(PREVIOUS)
    real_fdopen = os.fdopen

    class HalfFull:
        """A file that takes 100 bytes, then reports the disk full."""

        def __init__(self, handle) -> None:
            self.handle, self.written = handle, 0

        def write(self, data: bytes) -> int:
            if self.written + len(data) > 100:
                self.handle.write(bytes(data[: 100 - self.written]))
                raise OSError(errno.ENOSPC, "No space left on device")
            self.written += len(data)
            return self.handle.write(data)

        def __getattr__(self, name: str):
            return getattr(self.handle, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

    monkeypatch.setattr(
        kpicard.outputs.os, "fdopen", lambda *a, **k: HalfFull(real_fdopen(*a, **k))
    )
    rows = [f"E{i},Name {i},95,0.8,20,2000,6" for i in range(200)]
    result = env.invoke(env.csv(rows), "-o", str(target.relative_to(env.root)))
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "No space left on device; the earlier file is unchanged" in result.stderr
    assert target.read_bytes() == PREVIOUS
    assert temp_files(env.out_dir) == []


def test_05_fsync_failure(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    import kpicard.outputs

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(kpicard.outputs.os, "fsync", full)
    result = env.invoke(env.csv([ROW]), "--format", "json", "-o", "out/result.json")
    assert result.exit_code == 2 and "No space left on device" in result.stderr
    env.assert_output_untouched()


def test_05_interrupt_while_writing_removes_the_temporary_file(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kpicard.outputs

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(kpicard.outputs.os, "fsync", interrupted)
    result = env.invoke(env.csv([ROW]), "--format", "json", "-o", "out/result.json")
    assert result.exit_code == 130 and "interrupted" in result.stderr
    env.assert_output_untouched()


def test_05_successful_write_replaces_atomically_with_normal_permissions(env: Env) -> None:
    result = env.invoke(env.csv([ROW]), "--format", "json", "-o", "out/result.json")
    assert result.exit_code == 0, result.stderr
    assert env.out.read_bytes().startswith(b"{")
    assert env.out.stat().st_mode & 0o777 == 0o666 & ~_umask()
    assert temp_files(env.out_dir) == []


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --- 6, 7: pipes and signals, in a real process -----------------------------------------------


def big_csv(env: Env, rows: int = 5000) -> str:
    return env.csv([f"E{i},Name {i},95,0.8,20,2000,6" for i in range(rows)], name="big.csv")


@pytest.mark.parametrize("fmt", ["csv", "table", "json"])
def test_06_closed_pipe_is_quiet(env: Env, fmt: str) -> None:
    name = big_csv(env)
    script = (
        f"'{PYTHON}' -m kpicard score {name} --role mini --catalog cat --format {fmt} | head -1;"
        ' echo "status=${PIPESTATUS[0]}" >&2'
    )
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=env.root,
        capture_output=True,
        text=True,
        timeout=60,
        env=subprocess_env(),
    )
    status = result.stderr.strip().splitlines()[-1]
    assert status in ("status=0", "status=141"), result.stderr
    assert result.stderr.strip() == status, result.stderr  # nothing else: no traceback
    assert len(result.stdout.splitlines()) == 1


def test_07_ctrl_c_while_reading_stdin(env: Env) -> None:
    child = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "kpicard",
            "score",
            "-",
            "--role",
            "mini",
            "--catalog",
            "cat",
            "--format",
            "json",
            "-o",
            "out/result.json",
        ],
        cwd=env.root,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=subprocess_env(),
    )
    assert child.stdin is not None
    child.stdin.write((HEADER + "\n" + ROW + "\n").encode())
    child.stdin.flush()
    time.sleep(1.5)  # imports done, blocked reading the rest of stdin
    child.send_signal(signal.SIGINT)
    _out, err = child.communicate(timeout=20)
    assert child.returncode == 130, err
    assert b"interrupted" in err and b"Traceback" not in err
    env.assert_output_untouched()


INTERRUPT_WHILE_WRITING = """
import os, signal, sys
import kpicard.render.xlsx as xlsx
real = xlsx.write_report
def slow(run, handle, *rest, **options):
    handle.write(b"PK partial bytes")
    os.kill(os.getpid(), signal.SIGINT)
    real(run, handle, *rest, **options)
xlsx.write_report = slow
sys.argv = ["kpicard", *sys.argv[1:]]
from kpicard.cli.main import run
run()
"""


def test_07_ctrl_c_while_writing_leaves_no_temporary_file(env: Env) -> None:
    target = env.out_dir / "report.xlsx"
    target.write_bytes(PREVIOUS)
    name = big_csv(env, 50)
    result = subprocess.run(
        [
            PYTHON,
            "-c",
            INTERRUPT_WHILE_WRITING,
            "score",
            name,
            "--role",
            "mini",
            "--catalog",
            "cat",
            "-o",
            "out/report.xlsx",
        ],
        cwd=env.root,
        capture_output=True,
        text=True,
        timeout=60,
        env=subprocess_env(),
    )
    assert result.returncode == 130, result.stderr
    assert "Traceback" not in result.stderr
    assert target.read_bytes() == PREVIOUS
    assert temp_files(env.out_dir) == []


# --- 8: internal errors ------------------------------------------------------------------------


def _broken_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    import kpicard.engine

    def boom(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("simulated bug")

    monkeypatch.setattr(kpicard.engine, "score_scorecard", boom)


def test_08_internal_error_is_one_line_and_exit_3(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    _broken_engine(monkeypatch)
    result = env.invoke(env.csv([ROW]), "--format", "json", "-o", "out/result.json")
    assert result.exit_code == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "internal error: ZeroDivisionError: simulated bug" in lines[0]
    assert "--debug" in lines[0] and "Traceback" not in result.stderr
    env.assert_output_untouched()


def test_08_debug_shows_the_traceback(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    from kpicard.cli.main import app

    from .conftest import runner

    _broken_engine(monkeypatch)
    name = env.csv([ROW])
    result = runner.invoke(app, ["--debug", "score", name, "--role", "mini", "--catalog", "cat"])
    assert result.exit_code == 3
    assert "Traceback (most recent call last)" in result.stderr
    assert "ZeroDivisionError: simulated bug" in result.stderr


def test_08_internal_error_in_a_real_process(env: Env) -> None:
    script = (
        "import kpicard.engine as e, sys\n"
        "def boom(*a, **k): raise RuntimeError('simulated')\n"
        "e.score_scorecard = boom\n"
        "sys.argv = ['kpicard', *sys.argv[1:]]\n"
        "from kpicard.cli.main import run\nrun()\n"
    )
    result = subprocess.run(
        [PYTHON, "-c", script, "score", env.csv([ROW]), "--role", "mini", "--catalog", "cat"],
        cwd=env.root,
        capture_output=True,
        text=True,
        timeout=60,
        env=subprocess_env(),
    )
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_usage_errors_are_exit_2(env: Env) -> None:
    name = env.csv([ROW])
    for args in (["--format", "pdf"], ["--min-coverage", "2"], ["--cap", "50"], ["--bogus"]):
        result = env.invoke(name, *args)
        assert result.exit_code == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_04_a_failure_part_way_says_what_was_already_written(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--out-dir writes one file per input and a summary; if the third write fails, the first
    two are new and the run has said so."""
    import kpicard.outputs as outputs
    from kpicard.diagnostics import usage_error

    a, b = env.csv([ROW], name="a.csv"), env.csv([ROW.replace("E1", "E2")], name="b.csv")
    real = outputs.write_atomic
    done: list[str] = []

    def fail_third(path: Path, write) -> None:  # type: ignore[no-untyped-def]
        if len(done) == 2:  # what write_atomic raises when the disk is full, say
            raise usage_error("output.unwritable", f"cannot write {path}: No space left")
        real(path, write)
        done.append(path.name)

    monkeypatch.setattr(outputs, "write_atomic", fail_third)
    result = env.invoke(a, b, "--format", "json", "--out-dir", "res")
    assert result.exit_code == 2
    assert "cannot write res/summary.json: No space left" in result.stderr
    assert "wrote res/a.json" in result.stderr and "wrote res/b.json" in result.stderr
    assert "wrote res/summary.json" not in result.stderr


def test_04_output_through_a_symlink_replaces_its_target(env: Env) -> None:
    """The link stays a link (a shared report path often is one); its target gets the data."""
    target = env.root / "reports" / "latest.json"
    target.parent.mkdir()
    target.write_text("old")
    os.symlink(target, env.root / "link.json")
    result = env.invoke(env.csv([ROW]), "--format", "json", "-o", "link.json")
    assert result.exit_code == 0, result.stderr
    assert (env.root / "link.json").is_symlink()
    assert target.read_text().startswith("{")
    assert temp_files(env.root) == [] and temp_files(target.parent) == []


def test_04_read_only_output_file_is_refused(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    """chmod 444 means "do not touch"; access() is patched because CI runs as root."""
    out = env.root / "kept.json"
    out.write_text("keep me")
    out.chmod(0o444)
    real_access = os.access

    def access(path: object, mode: int, *args: object, **kwargs: object) -> bool:
        if mode == os.W_OK and str(path).endswith("kept.json"):
            return False
        return real_access(path, mode, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)
    result = env.invoke(env.csv([ROW]), "--format", "json", "-o", "kept.json")
    assert result.exit_code == 2
    assert "cannot write kept.json: the file is read-only" in result.stderr
    assert out.read_text() == "keep me"
