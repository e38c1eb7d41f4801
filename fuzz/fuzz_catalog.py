"""Fuzz the catalog loader: mutated role files (the bundled roles as seeds) into
`load_role_text`, which must never raise - every problem is a diagnostic at `file:line:col`.

    python fuzz/fuzz_catalog.py --seconds 600
    python fuzz/fuzz_catalog.py --atheris -- -max_total_time=600   # coverage-guided
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _mutate import mutate_yaml

from kpicard.catalog.load import load_role_text
from kpicard.diagnostics import Report

ROOT = Path(__file__).resolve().parents[1]
SEEDS = [p.read_bytes() for p in sorted((ROOT / "catalog").glob("*.yaml"))] or [
    b"kpicard: 1\nid: demo\nname: D\nkras:\n  - {id: a, name: A, weight: 100, kpis: []}\n"
]


def run_catalog(data: bytes) -> None:
    """One role file: load_role_text must report, never raise; a valid role must be usable."""
    report = Report()
    role_file = load_role_text(data, "role.yaml", "billing-staff", report)
    for d in report.items:
        assert d.location is not None and d.location.file == "role.yaml", d
        line = d.location.line
        lines = len(data.decode("utf-8", "replace").splitlines())  # YAML breaks at CR, NEL too
        assert line is None or 1 <= line <= lines + 2, d
        d.render()
    if role_file.role is not None:
        assert not report.has_errors
        from kpicard.engine import score_scorecard
        from kpicard.models import ScoringOptions

        values = {
            k.id: k.target if isinstance(k.target, float | int) else None
            for _kra, k in role_file.role.all_kpis()
        }
        score_scorecard(role_file.role, values, ScoringOptions(), employee="e")


def loop(seconds: float, seed: int = 0) -> int:
    rnd = random.Random(seed)
    count = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        data = mutate_yaml(rnd.choice(SEEDS), rnd)
        try:
            run_catalog(data)
        except Exception:
            saved = Path(f"fuzz-finding-catalog-{seed}-{count}.yaml")
            saved.write_bytes(data)
            print(f"finding saved to {saved}", file=sys.stderr)
            raise
        count += 1
    return count


def atheris_main(argv: list[str]) -> None:
    import atheris

    atheris.instrument_all()  # coverage feedback over every module loaded so far (kpicard too)

    atheris.Setup([sys.argv[0], *argv], run_catalog)
    atheris.Fuzz()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--atheris", action="store_true", help="coverage-guided (pip install atheris)"
    )
    args, rest = parser.parse_known_args()
    if args.atheris:
        atheris_main([a for a in rest if a != "--"])
    else:
        start = time.monotonic()
        total = loop(args.seconds, args.seed)
        print(f"{total} role files in {time.monotonic() - start:.0f} s, no finding")
