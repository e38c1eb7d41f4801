"""Time `score_scorecard` on 100k scorecards of a 20-KPI role (median of 3 runs).

Run: PYTHONPATH=src .venv/bin/python benchmarks/engine_bench.py [N]
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from typing import Any

from kpicard.engine import score_scorecard
from kpicard.models import Role, ScoringOptions


def build_role() -> Role:
    """Four KRAs of five KPIs each, mixing directions, stretches and weight styles."""
    kras: list[dict[str, Any]] = []
    for k in range(4):
        kpis: list[dict[str, Any]] = []
        for i in range(5):
            kpi: dict[str, Any] = {"id": f"k{k}-{i}", "name": f"KPI {k}.{i}", "unit": "number"}
            if i % 3 == 0:
                kpi |= {"direction": "higher", "threshold": 60, "target": 80, "stretch": 95}
            elif i % 3 == 1:
                kpi |= {"direction": "lower", "threshold": 24, "target": 8}
            else:
                kpi |= {
                    "direction": "range",
                    "threshold": {"min": 10, "max": 50},
                    "target": {"min": 20, "max": 30},
                }
            if k % 2:
                kpi["weight"] = 20
            kpis.append(kpi)
        kras.append({"id": f"kra{k}", "name": f"KRA {k}", "weight": 25, "kpis": kpis})
    return Role.model_validate({"kpicard": 1, "id": "bench", "name": "Bench", "kras": kras})


def build_values(role: Role, n: int) -> list[dict[str, float | None]]:
    rng = random.Random(4)
    ids = [kpi.id for _, kpi in role.all_kpis()]
    return [
        {kid: (None if rng.random() < 0.05 else rng.uniform(0, 110)) for kid in ids}
        for _ in range(n)
    ]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    role = build_role()
    rows = build_values(role, n)
    options = ScoringOptions()
    times: list[float] = []
    for _ in range(3):
        start = time.perf_counter()
        for i, values in enumerate(rows):
            score_scorecard(role, values, options, employee=f"E{i}")
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(
        f"{n} scorecards x 20 KPIs: median {median:.3f} s "
        f"({median / n * 1e6:.2f} us per scorecard; runs {', '.join(f'{t:.3f}' for t in times)})"
    )


if __name__ == "__main__":
    main()
