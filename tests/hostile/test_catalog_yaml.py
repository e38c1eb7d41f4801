"""BAD_INPUTS 9-22, the cases tests/test_catalog_validation.py does not already run end to end:
the catalog through `kpicard score` (exit 1, nothing written), billion laughs under a memory
limit, and what fuzzing found (control characters, integers too large for a float)."""

from __future__ import annotations

import resource
import subprocess

import pytest

from kpicard.cli.main import app

from .conftest import PYTHON, ROLE, Env, runner, subprocess_env

ROLE_TEXT = ROLE

ROW = "E1,Ana,95,0.8,20,2000,6"


def set_role(env: Env, text: str) -> None:
    (env.catalog / "mini.yaml").write_text(text, encoding="utf-8")


def mini_with(old: str, new: str) -> str:
    assert old in ROLE_TEXT, old
    return ROLE_TEXT.replace(old, new)


@pytest.mark.parametrize(
    ("old", "new", "where", "says"),
    [
        ("name: Mini Role", "name: Mini\x13Role", "cat/mini.yaml:3:11", "control character U+0013"),
        (
            "threshold: 80,",
            "threshold: 1" + "0" * 400 + ",",
            "cat/mini.yaml:10:21",
            "too large to compute with",
        ),
        (
            "target: 50}",
            "target: 12345678901234567890}",
            "cat/mini.yaml:18:18",
            "too large to compute with",
        ),
        ("target: 50}", "target: 1e300}", "cat/mini.yaml:18:18", "too large to compute with"),
        ("threshold: 10,\n", "\n", "cat/mini.yaml:17:9", "missing required key 'threshold'"),
        ("kpicard: 1\n", "kpicard: 1\n<<: {name: x}\n", "cat/mini.yaml:2:1", "unknown key '<<'"),
        ("weight: 50\n", "weight: 50\n    weight: 50\n", "cat/mini.yaml:8:5", "duplicate key"),
    ],
    ids=[
        "control-char",
        "huge-int",
        "20-digit-int",
        "1e300",
        "no-threshold",
        "merge-key",
        "dup-key",
    ],
)
def test_broken_catalog_through_score(env: Env, old: str, new: str, where: str, says: str) -> None:
    set_role(env, mini_with(old, new))
    env.refused(env.csv([ROW]), where=where, says=says)


def test_errors_of_every_role_file_in_one_score_run(env: Env) -> None:
    set_role(env, mini_with("weight: 50\n", "weight: 5\n"))
    (env.catalog / "other.yaml").write_text("kpicard: 1\nid: other\nname: [\n")
    result = env.refused(env.csv([ROW]), says="KRA weights must sum to 100")
    assert "cat/other.yaml:" in result.stderr


def test_on_and_off_stay_text(env: Env) -> None:
    set_role(env, mini_with("id: quality", "id: on").replace("name: Quality", "name: off"))
    doc = env.scores(env.csv([ROW]))
    assert doc["scorecards"][0]["kras"][0]["id"] == "on"
    assert doc["scorecards"][0]["kras"][0]["name"] == "off"


def test_python_tag_through_score_runs_nothing(env: Env) -> None:
    marker = env.root / "pwned"
    set_role(
        env,
        mini_with("name: Mini Role", f'name: !!python/object/apply:os.system ["touch {marker}"]'),
    )
    env.refused(env.csv([ROW]), where="cat/mini.yaml:3:7", says="refused")
    assert not marker.exists()


def test_bom_role_file_scores(env: Env) -> None:
    (env.catalog / "mini.yaml").write_bytes(b"\xef\xbb\xbf" + ROLE_TEXT.encode())
    assert env.scores(env.csv([ROW]))["scorecards"][0]["employee"] == "E1"


LAUGHS = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{chr(97 + i)}: &{chr(97 + i)} [{', '.join(['*' + chr(96 + i)] * 9)}]" for i in range(1, 9)]
)


def test_15_billion_laughs_in_a_limited_child(env: Env) -> None:
    (env.catalog / "mini.yaml").write_text(LAUGHS + "\n")
    assert len(LAUGHS) < 600

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1024 * 2**20, 1024 * 2**20))

    script = (
        "import sys, time, pathlib\nstart = time.perf_counter()\n"
        "sys.argv = ['kpicard', 'catalog', 'validate', 'cat']\n"
        "from kpicard.cli.main import app\n"
        "try:\n    app()\nexcept SystemExit as e:\n    code = e.code\n"
        "hwm = pathlib.Path('/proc/self/status').read_text().split('VmHWM:')[1].split()[0]\n"
        "print(code, int(hwm) // 1024, round(time.perf_counter() - start, 3))\n"
    )
    done = subprocess.run(
        [PYTHON, "-c", script],
        cwd=env.root,
        capture_output=True,
        text=True,
        timeout=30,
        env=subprocess_env(),
        preexec_fn=limit,
    )
    code, peak_mb, seconds = done.stdout.split()
    assert code == "1" and "anchor '&a' refused" in done.stderr
    assert float(seconds) < 1 and int(peak_mb) < 100, done.stdout


def test_catalog_validate_names_control_character(env: Env) -> None:
    path = env.catalog / "mini.yaml"
    path.write_bytes(ROLE_TEXT.encode().replace(b"name: Mini Role", b"name: Mini \x07Role"))
    result = runner.invoke(app, ["catalog", "validate", "cat"])
    assert result.exit_code == 1
    assert "cat/mini.yaml:3:12: error: control character U+0007" in result.stderr


@pytest.mark.parametrize("text", ["e1", "E5", ".e1", "e0"])
def test_exponent_without_a_mantissa_is_text(env: Env, text: str) -> None:
    """Found by atheris: `name: e1` crashed the YAML reader (float('e1'))."""
    set_role(env, mini_with("name: Quality", f"name: {text}"))
    doc = env.scores(env.csv([ROW]))
    assert doc["scorecards"][0]["kras"][0]["name"] == text
