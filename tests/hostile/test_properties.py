"""Properties of the value parser and the parts of the engine tests/test_engine.py leaves out.

Value parser (SPEC 3.2): `compile_parser`'s fast path and `parse_actual` agree on every input;
a plain ASCII float string within the unit's bounds reads as `float(s)`; nothing ever reads as
NaN or infinity; text holding a non-ASCII digit never reads as a number.
Engine: `lower` is the mirror image of `higher`; `--missing zero` never scores above `exclude`;
the rating never drops when the score rises.
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kpicard.actuals.grid import UNCACHED, CellError, Percent
from kpicard.actuals.values import ValueProblem, compile_parser, parse_actual
from kpicard.engine import kpi_score, rate, score_scorecard
from kpicard.models import KPI, Role, ScoringOptions

settings.register_profile(
    "hostile", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
PROFILE = settings.get_profile("hostile")

UNITS: dict[str, dict[str, Any]] = {
    "percent": {"threshold": 50, "target": 90},
    "ratio": {"threshold": 0.5, "target": 0.9},
    "count": {"threshold": 1, "target": 9},
    "currency": {"threshold": 1, "target": 9},
    "number": {"threshold": -5, "target": 5},
    "score": {"threshold": 2, "target": 4, "scale": [1, 5]},
}


def kpi(unit: str) -> KPI:
    return KPI.model_validate(
        {"id": "k", "name": "K", "unit": unit, "direction": "higher", **UNITS[unit]}
    )


KPIS = {unit: kpi(unit) for unit in UNITS}
units = st.sampled_from(sorted(UNITS))

NUMBERY = "0123456789.,-+eE%$€ \u00a0\u2212_"
number_like = st.text(alphabet=NUMBERY, max_size=12)
anything = st.text(max_size=16)
cells = st.one_of(
    st.none(),
    number_like,
    anything,
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.booleans(),
    st.floats(allow_nan=True).map(Percent),
    st.sampled_from([CellError("#DIV/0!"), CellError("#N/A"), UNCACHED]),
    st.datetimes(),
)


def outcome(parse, cell: Any) -> tuple[str, Any]:
    try:
        value = parse(cell)
    except ValueProblem as problem:
        return ("problem", problem.message)
    return ("value", value)


@PROFILE
@given(units, st.booleans(), cells)
@example("number", False, "1e400")
@example("percent", False, "95%")
@example("percent", True, "95,5")
@example("number", True, "1.5")
@example("number", False, "nan")
@example("number", False, "\uff19")
@example("number", False, " 12 ")
@example("number", False, 10**400)
@example("count", False, -(10**400))
def test_fast_path_agrees_with_the_full_rules(unit: str, decimal_comma: bool, cell: Any) -> None:
    k = KPIS[unit]
    fast = outcome(compile_parser(k, decimal_comma=decimal_comma), cell)
    slow = outcome(lambda c: parse_actual(c, k, decimal_comma=decimal_comma), cell)
    assert fast[0] == slow[0], (fast, slow)
    if fast[0] == "value":
        assert fast[1] == slow[1] or (fast[1] is None and slow[1] is None)


@PROFILE
@given(units, st.booleans(), cells)
def test_never_nan_or_infinite(unit: str, decimal_comma: bool, cell: Any) -> None:
    kind, value = outcome(compile_parser(KPIS[unit], decimal_comma=decimal_comma), cell)
    if kind == "value" and value is not None:
        assert isinstance(value, float) and math.isfinite(value)
        low, high = KPIS[unit].bounds()
        assert (low is None or value >= low) and (high is None or value <= high)


@PROFILE
@given(units, st.floats(allow_nan=False, allow_infinity=False))
def test_ascii_float_strings_within_bounds_read_as_float(unit: str, x: float) -> None:
    k = KPIS[unit]
    low, high = k.bounds()
    for text in (repr(x), f"{x:.6f}", f"{x:e}", str(x)):
        expected = float(text)
        if (low is not None and expected < low) or (high is not None and expected > high):
            continue
        assert compile_parser(k)(text) == expected
        assert parse_actual(text, k) == expected


@PROFILE
@given(units, st.integers(min_value=0, max_value=10**6))
def test_grouped_thousands_read_as_the_number(unit: str, n: int) -> None:
    k = KPIS[unit]
    low, high = k.bounds()
    if (low is not None and n < low) or (high is not None and n + 0.25 > high):
        return
    assert compile_parser(k)(f"{n:,}") == n
    assert compile_parser(k)(f"{n:,}.25") == n + 0.25


NON_ASCII_DIGITS = [chr(c) for c in range(0x80, 0x10000) if chr(c).isdigit()]


@PROFILE
@given(
    units,
    st.booleans(),
    st.text(alphabet="0123456789.,-%", max_size=6),
    st.sampled_from(NON_ASCII_DIGITS),
    st.text(alphabet="0123456789.,-%", max_size=6),
)
def test_non_ascii_digits_never_parse(
    unit: str, decimal_comma: bool, before: str, digit: str, after: str
) -> None:
    text = before + digit + after
    kind, value = outcome(compile_parser(KPIS[unit], decimal_comma=decimal_comma), text)
    assert kind == "problem", (text, value)


@PROFILE
@given(st.floats(min_value=0, max_value=1, allow_nan=False))
def test_percent_cells_read_as_points_rounded_to_12_digits(x: float) -> None:
    value = parse_actual(Percent(x), KPIS["percent"])
    assert value == float(f"{x * 100:.12g}")
    assert parse_actual(Percent(x), KPIS["ratio"]) == x


# --- engine -----------------------------------------------------------------------------------

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
points = st.lists(finite, min_size=3, max_size=3, unique=True).map(sorted)
caps = st.floats(min_value=100, max_value=1000)


def _kpi(direction: str, t: float, g: float, s: float | None) -> KPI:
    data: dict[str, Any] = {
        "id": "k",
        "name": "K",
        "unit": "number",
        "direction": direction,
        "threshold": t,
        "target": g,
    }
    if s is not None:
        data["stretch"] = s
    return KPI.model_validate(data)


@PROFILE
@given(points, st.booleans(), finite, caps)
def test_lower_is_the_mirror_of_higher(p: list[float], stretch: bool, v: float, cap: float) -> None:
    t, g, s = p
    up = _kpi("higher", t, g, s if stretch else None)
    down = _kpi("lower", -t, -g, -s if stretch else None)
    assert math.isclose(kpi_score(up, v, cap), kpi_score(down, -v, cap), rel_tol=1e-9, abs_tol=1e-9)


@st.composite
def role_and_values(draw: Any) -> tuple[Role, dict[str, float | None]]:
    n_kras = draw(st.integers(1, 3))
    raw = draw(st.lists(st.integers(1, 9), min_size=n_kras, max_size=n_kras))
    kras, values = [], {}
    for i, w in enumerate(raw):
        kpis = []
        for j in range(draw(st.integers(1, 3))):
            kid = f"k{i}-{j}"
            kpis.append(
                {
                    "id": kid,
                    "name": kid.upper(),
                    "unit": "number",
                    "direction": "higher",
                    "threshold": 0,
                    "target": 100,
                    "stretch": 150,
                }
            )
            values[kid] = draw(st.none() | st.floats(-50, 200))
        kras.append({"id": f"r{i}", "name": f"R{i}", "weight": 100 * w / sum(raw), "kpis": kpis})
    role = Role.model_validate({"kpicard": 1, "id": "p", "name": "P", "kras": kras})
    return role, values


@PROFILE
@given(role_and_values())
def test_missing_zero_never_scores_above_exclude(
    case: tuple[Role, dict[str, float | None]],
) -> None:
    role, values = case
    zero = score_scorecard(role, values, ScoringOptions(missing="zero"), employee="e")
    exclude = score_scorecard(role, values, ScoringOptions(missing="exclude"), employee="e")
    assert zero.coverage == 1.0 or math.isclose(zero.coverage, 1.0)
    if exclude.score is None:
        assert zero.score == 0
    else:
        assert zero.score <= exclude.score + 1e-9 * max(1.0, abs(exclude.score))


@PROFILE
@given(role_and_values(), st.floats(0, 1))
def test_rating_never_drops_as_the_score_rises(
    case: tuple[Role, dict[str, float | None]], cov: float
) -> None:
    role, _values = case
    levels = [
        rate(role, s, 1.0, cov)
        for s in (0, 50, 69.99, 70, 89.99, 90, 104.99, 105, 114.99, 115, 120)
    ]
    ranks = [lv.level for lv in levels if lv is not None]
    assert ranks == sorted(ranks) and len(ranks) == len(levels)
    assert rate(role, 120, cov - 1e-9 if cov > 0 else 0, cov) is None or cov == 0
