"""The scoring engine against SPEC 2.1-2.2.

Every expected number below was worked out by hand from the SPEC's formulas (the arithmetic is
in the comment next to it), never copied from the program's output.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpicard.engine import (
    compile_role,
    kpi_score,
    kpi_status,
    rate,
    score_scorecard,
    weighted_mean,
)
from kpicard.models import KPI, Rating, Role, ScoringOptions, Source

settings.register_profile("engine", max_examples=150, deadline=None)
settings.load_profile("engine")

EXACT = 1e-12


# --------------------------------------------------------------------------- builders


def make_kpi(kpi_id: str = "k", **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": kpi_id,
        "name": kpi_id.upper(),
        "unit": "number",
        "direction": "higher",
        "threshold": 0,
        "target": 100,
    }
    data.update(fields)
    return data


def higher(t: float = 60, g: float = 80, s: float | None = 95) -> KPI:
    fields: dict[str, Any] = {"direction": "higher", "threshold": t, "target": g}
    if s is not None:
        fields["stretch"] = s
    return KPI.model_validate(make_kpi(**fields))


def lower(t: float = 24, g: float = 8, s: float | None = 4) -> KPI:
    fields: dict[str, Any] = {"direction": "lower", "threshold": t, "target": g}
    if s is not None:
        fields["stretch"] = s
    return KPI.model_validate(make_kpi(**fields))


def band(c: float = 10, a: float = 20, b: float = 30, d: float = 50) -> KPI:
    return KPI.model_validate(
        make_kpi(direction="range", threshold={"min": c, "max": d}, target={"min": a, "max": b})
    )


def make_role(kras: list[dict[str, Any]], rating_scale: list[dict[str, Any]] | None = None) -> Role:
    data: dict[str, Any] = {"kpicard": 1, "id": "test-role", "name": "Test role", "kras": kras}
    if rating_scale is not None:
        data["rating_scale"] = rating_scale
    return Role.model_validate(data)


def two_kra_role() -> Role:
    """KRA a (60 %): a1 weight 70, a2 weight 30. KRA b (40 %): b1..b3, equal weights.

    Every KPI is `higher` with threshold 0 and target 100 and no stretch, so for 0..100 the
    score equals the value and the roll-up arithmetic can be checked by hand.
    """
    return make_role(
        [
            {
                "id": "a",
                "name": "A",
                "weight": 60,
                "kpis": [make_kpi("a1", weight=70), make_kpi("a2", weight=30)],
            },
            {
                "id": "b",
                "name": "B",
                "weight": 40,
                "kpis": [make_kpi("b1"), make_kpi("b2"), make_kpi("b3")],
            },
        ]
    )


def one_kpi_role(**fields: Any) -> Role:
    """One KRA with one KPI `k` (higher, 0 -> 100, no stretch): overall score == value."""
    return make_role(
        [{"id": "only", "name": "Only", "weight": 100, "kpis": [make_kpi("k")]}], **fields
    )


ALL_PRESENT = {"a1": 80, "a2": 50, "b1": 90, "b2": 60, "b3": 30}
SOME_MISSING = {"a1": 80, "a2": None, "b1": 90, "b2": 60}  # a2 None, b3 absent


def score(role: Role, values: dict[str, float | None], **options: Any):
    return score_scorecard(role, values, ScoringOptions(**options), employee="E1")


# --------------------------------------------------------------------------- 2.1 higher


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (50, 0.0),  # below threshold
        (60, 0.0),  # at threshold
        (60.5, 2.5),  # just inside: 100 * 0.5 / 20
        (70, 50.0),  # 100 * 10 / 20
        (79, 95.0),  # 100 * 19 / 20
        (80, 100.0),  # at target
        (90, 340 / 3),  # 100 + 20 * 10 / 15 = 113.333...
        (92, 116.0),  # 100 + 20 * 12 / 15
        (95, 120.0),  # at stretch: cap
        (1000, 120.0),  # beyond stretch: cap
    ],
)
def test_higher_with_stretch(value: float, expected: float) -> None:
    assert kpi_score(higher(), value) == pytest.approx(expected, rel=EXACT, abs=0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (60, 0.0),
        (75, 75.0),  # 100 * 15 / 20
        (80, 100.0),  # at target
        (95, 100.0),  # no stretch: anything at or beyond target is 100
        (1e9, 100.0),
    ],
)
def test_higher_without_stretch(value: float, expected: float) -> None:
    assert kpi_score(higher(s=None), value) == pytest.approx(expected, rel=EXACT, abs=0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (70, 50.0),  # below target the cap plays no part
        (80, 100.0),
        (90, 400 / 3),  # 100 + 50 * 10 / 15 = 133.333...
        (95, 150.0),  # at stretch: the custom cap
        (200, 150.0),
    ],
)
def test_higher_custom_cap_150(value: float, expected: float) -> None:
    assert kpi_score(higher(), value, cap=150) == pytest.approx(expected, rel=EXACT, abs=0)


def test_a_hair_short_of_target_is_not_met() -> None:
    # t=0, g=0.1, v = the float just below 0.1: 100 * v / 0.1 rounds up to 100.0, but v < g
    kpi = higher(t=0, g=0.1, s=None)
    just_short = math.nextafter(0.1, 0.0)
    assert kpi_score(kpi, just_short) < 100.0
    assert kpi_status(kpi_score(kpi, just_short)) == "below"


def test_exact_score_on_round_numbers() -> None:
    # t=0, g=100, v=90: 100 * 90 / 100 = 90 exactly; a rating boundary must not see 89.999...
    assert kpi_score(higher(t=0, g=100, s=None), 90) == 90.0


# --------------------------------------------------------------------------- 2.1 lower


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (30, 0.0),  # worse than threshold
        (24, 0.0),  # at threshold
        (23, 6.25),  # just inside: 100 * 1 / 16
        (16, 50.0),  # 100 * 8 / 16
        (8, 100.0),  # at target
        (6, 110.0),  # 100 + 20 * 2 / 4 (the SPEC 5 example: 6 h -> 110)
        (5, 115.0),  # 100 + 20 * 3 / 4
        (4, 120.0),  # at stretch
        (0, 120.0),  # beyond stretch
    ],
)
def test_lower_with_stretch(value: float, expected: float) -> None:
    assert kpi_score(lower(), value) == pytest.approx(expected, rel=EXACT, abs=0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(24, 0.0), (12, 75.0), (8, 100.0), (2, 100.0)],  # 12: 100 * 12 / 16
)
def test_lower_without_stretch(value: float, expected: float) -> None:
    assert kpi_score(lower(s=None), value) == pytest.approx(expected, rel=EXACT, abs=0)


def test_lower_custom_cap_150() -> None:
    # 100 + 50 * 2 / 4 = 125; at stretch 150
    assert kpi_score(lower(), 6, cap=150) == pytest.approx(125.0, rel=EXACT)
    assert kpi_score(lower(), 4, cap=150) == 150.0


# --------------------------------------------------------------------------- 2.1 range


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (5, 0.0),  # outside the low floor
        (10, 0.0),  # at the low floor
        (11, 10.0),  # just inside: 100 * 1 / 10
        (15, 50.0),  # rising slope: 100 * 5 / 10
        (19.5, 95.0),  # just short of edge a: 100 * 9.5 / 10
        (20, 100.0),  # band edge a
        (25, 100.0),  # inside the band
        (30, 100.0),  # band edge b
        (30.5, 97.5),  # just past edge b: 100 * 19.5 / 20
        (31, 95.0),  # falling slope: 100 * 19 / 20
        (40, 50.0),  # 100 * 10 / 20
        (45, 25.0),  # 100 * 5 / 20
        (50, 0.0),  # at the high floor
        (60, 0.0),  # beyond it
    ],
)
def test_range(value: float, expected: float) -> None:
    assert kpi_score(band(), value) == pytest.approx(expected, rel=EXACT, abs=0)


def test_range_ignores_cap_and_allows_a_point_band() -> None:
    assert kpi_score(band(), 25, cap=150) == 100.0
    point = band(c=0, a=5, b=5, d=10)
    assert kpi_score(point, 5) == 100.0
    assert kpi_score(point, 2.5) == pytest.approx(50.0, rel=EXACT)  # 100 * 2.5 / 5
    assert kpi_score(point, 7.5) == pytest.approx(50.0, rel=EXACT)  # 100 * 2.5 / 5


def test_nan_and_bad_cap_are_refused() -> None:
    with pytest.raises(ValueError):
        kpi_score(higher(), float("nan"))
    with pytest.raises(ValueError):
        kpi_score(higher(), 90, cap=99)
    assert kpi_score(higher(), float("inf")) == 120.0
    assert kpi_score(higher(), float("-inf")) == 0.0


# --------------------------------------------------------------------------- status


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "missing"),
        (0.0, "missed"),
        (5e-324, "below"),
        (50.0, "below"),
        (99.99999999999999, "below"),
        (100.0, "met"),
        (120.0, "met"),
    ],
)
def test_status_boundaries(value: float | None, expected: str) -> None:
    assert kpi_status(value) == expected


def test_status_in_a_scorecard() -> None:
    card = score(two_kra_role(), {"a1": 0, "a2": 100, "b1": 50})
    statuses = [k.status for kra in card.kras for k in kra.kpis]
    assert statuses == ["missed", "met", "below", "missing", "missing"]


# --------------------------------------------------------------------------- roll-up


def test_all_present() -> None:
    card = score(two_kra_role(), ALL_PRESENT)
    a, b = card.kras
    assert a.score == pytest.approx(71.0, rel=EXACT)  # (70*80 + 30*50) / 100
    assert b.score == pytest.approx(60.0, rel=EXACT)  # (90 + 60 + 30) / 3
    assert card.score == pytest.approx(66.6, rel=EXACT)  # 0.6*71 + 0.4*60 = 42.6 + 24
    assert card.coverage == 1.0
    assert a.coverage == 1.0 and b.coverage == 1.0
    assert card.rating == Rating(1, "Below expectations")  # 66.6 < 70
    # effective weights; actuals stay as given
    assert [k.weight for k in a.kpis] == [70.0, 30.0]
    assert [k.weight for k in b.kpis] == pytest.approx([100 / 3] * 3, rel=EXACT)
    assert [k.actual for k in a.kpis] == [80, 50]
    assert card.employee == "E1" and card.role.id == "test-role"


def test_exclude_renormalises_kra_and_overall() -> None:
    card = score(two_kra_role(), SOME_MISSING)
    a, b = card.kras
    assert a.score == pytest.approx(80.0, rel=EXACT)  # only a1: 70*80 / 70
    assert b.score == pytest.approx(75.0, rel=EXACT)  # (90 + 60) / 2
    assert card.score == pytest.approx(78.0, rel=EXACT)  # (60*80 + 40*75) / 100 = 7800 / 100
    assert a.coverage == pytest.approx(0.7, rel=EXACT)  # 70 / 100
    assert b.coverage == pytest.approx(2 / 3, rel=EXACT)  # 2 of 3 equal weights
    # 0.6 * 0.7 + 0.4 * 2/3 = 0.42 + 0.2666... = 103/150
    assert card.coverage == pytest.approx(103 / 150, rel=EXACT)
    assert card.rating == Rating(2, "Partially meets expectations")  # 70 <= 78 < 90
    missing = a.kpis[1]
    assert (missing.actual, missing.score, missing.status) == (None, None, "missing")
    assert missing.weight == 30.0


def test_missing_is_the_default_policy() -> None:
    assert ScoringOptions().missing == "exclude"


def test_zero_scores_missing_as_zero_and_counts_them_present() -> None:
    card = score(two_kra_role(), SOME_MISSING, missing="zero")
    a, b = card.kras
    assert a.score == pytest.approx(56.0, rel=EXACT)  # (70*80 + 30*0) / 100
    assert b.score == pytest.approx(50.0, rel=EXACT)  # (90 + 60 + 0) / 3
    assert card.score == pytest.approx(53.6, rel=EXACT)  # 0.6*56 + 0.4*50 = 33.6 + 20
    assert card.coverage == 1.0
    assert a.coverage == 1.0 and b.coverage == 1.0
    zeroed = [k for kra in card.kras for k in kra.kpis if k.actual is None]
    assert [(k.kpi.id, k.score, k.status) for k in zeroed] == [
        ("a2", 0.0, "missing"),
        ("b3", 0.0, "missing"),
    ]


def test_error_policy_raises_on_a_missing_value() -> None:
    with pytest.raises(ValueError, match="a2"):
        score(two_kra_role(), SOME_MISSING, missing="error")
    card = score(two_kra_role(), ALL_PRESENT, missing="error")
    assert card.score == pytest.approx(66.6, rel=EXACT)  # as in test_all_present


def test_kra_with_nothing_measured() -> None:
    card = score(two_kra_role(), {"a1": 80, "a2": 50})
    a, b = card.kras
    assert a.score == pytest.approx(71.0, rel=EXACT)  # (70*80 + 30*50) / 100
    assert (b.score, b.coverage) == (None, 0.0)
    assert card.score == pytest.approx(71.0, rel=EXACT)  # overall over KRA a only
    assert card.coverage == pytest.approx(0.6, rel=EXACT)  # 60/100 * 1 + 40/100 * 0
    assert card.rating == Rating(2, "Partially meets expectations")  # 71 >= 70
    stricter = score(two_kra_role(), {"a1": 80, "a2": 50}, min_coverage=0.7)
    assert stricter.score == card.score and stricter.rating is None  # 0.6 < 0.7


def test_coverage_with_unequal_kpi_weights() -> None:
    # Only a2 (weight 30 of KRA a) and b1 (1 of 3 in KRA b): 0.6 * 0.3 + 0.4 * 1/3 = 0.18 + 0.1333
    card = score(two_kra_role(), {"a2": 40, "b1": 10})
    assert card.kras[0].coverage == pytest.approx(0.3, rel=EXACT)
    assert card.coverage == pytest.approx(0.18 + 0.4 / 3, rel=EXACT)
    # overall: (60*40 + 40*10) / 100 = 28
    assert card.score == pytest.approx(28.0, rel=EXACT)
    assert card.rating is None  # coverage 0.3133 < 0.5


def test_nothing_measured() -> None:
    for values in ({}, dict.fromkeys(ALL_PRESENT)):
        card = score(two_kra_role(), values)
        assert card.score is None
        assert card.rating is None
        assert card.coverage == 0.0
        assert all(kra.score is None for kra in card.kras)


def test_stretch_scores_lift_the_kra_above_100() -> None:
    role = make_role(
        [
            {
                "id": "x",
                "name": "X",
                "weight": 100,
                "kpis": [
                    make_kpi("hi", threshold=60, target=80, stretch=95),
                    make_kpi("lo", direction="lower", threshold=24, target=8, stretch=4),
                ],
            }
        ]
    )
    card = score(role, {"hi": 95, "lo": 6})
    # (120 + 110) / 2 = 115 -> Outstanding (min 115)
    assert card.score == pytest.approx(115.0, rel=EXACT)
    assert card.rating == Rating(5, "Outstanding")
    capped = score(role, {"hi": 95, "lo": 6}, cap=150)
    assert capped.score == pytest.approx(137.5, rel=EXACT)  # (150 + 125) / 2


def test_explicit_equal_weights_equal_no_weights() -> None:
    given = make_role(
        [
            {
                "id": "x",
                "name": "X",
                "weight": 100,
                "kpis": [make_kpi(f"k{i}", weight=25) for i in range(4)],
            }
        ]
    )
    equal = make_role(
        [{"id": "x", "name": "X", "weight": 100, "kpis": [make_kpi(f"k{i}") for i in range(4)]}]
    )
    values = {"k0": 10, "k1": 35, "k2": 80}
    # (10 + 35 + 80) / 3 = 41.666...
    assert score(given, values).score == pytest.approx(125 / 3, rel=EXACT)
    assert score(equal, values).score == pytest.approx(125 / 3, rel=EXACT)


def test_every_kpi_at_target_is_exactly_100() -> None:
    # three equal weights (100/3 each): the mean must still be exactly 100, not 99.999...
    card = score(two_kra_role(), dict.fromkeys(ALL_PRESENT, 100))
    assert card.score == 100.0
    assert [kra.score for kra in card.kras] == [100.0, 100.0]


def test_eleven_equal_kpis_at_90_rate_exactly_90() -> None:
    # the mean of eleven 90s is 90; with weights of 100/11 each a naive sum(w*s)/sum(w) gives
    # 89.99999999999999 and would drop the rating to "Partially meets expectations"
    role = make_role(
        [{"id": "x", "name": "X", "weight": 100, "kpis": [make_kpi(f"k{i}") for i in range(11)]}]
    )
    card = score(role, {f"k{i}": 90 for i in range(11)})
    assert card.score == 90.0
    assert card.rating == Rating(3, "Meets expectations")


def test_scorecard_coverage_exactly_at_the_minimum_is_rated() -> None:
    role = make_role(
        [
            {"id": "x", "name": "X", "weight": 50, "kpis": [make_kpi("x1")]},
            {"id": "y", "name": "Y", "weight": 50, "kpis": [make_kpi("y1")]},
        ]
    )
    card = score(role, {"x1": 90})
    assert card.coverage == 0.5  # 50/100 * 1 + 50/100 * 0
    assert card.rating == Rating(3, "Meets expectations")  # 0.5 >= 0.5
    assert score(role, {"x1": 90}, min_coverage=0.5000001).rating is None


def test_sources_and_identity_fields_are_carried() -> None:
    src = Source("team.xlsx", "Sheet1", "D2")
    card = score_scorecard(
        two_kra_role(),
        ALL_PRESENT,
        ScoringOptions(),
        employee="E9",
        sources={"a1": src},
        name="Ana",
        team="T",
        manager="M",
        period="2026-Q3",
        row=7,
    )
    assert card.kras[0].kpis[0].source is src
    assert card.kras[0].kpis[1].source is None
    assert (card.employee, card.name, card.team, card.manager, card.period, card.row) == (
        "E9",
        "Ana",
        "T",
        "M",
        "2026-Q3",
        7,
    )


def test_compiled_plan_is_reused() -> None:
    role = two_kra_role()
    assert compile_role(role) is compile_role(role)


# --------------------------------------------------------------------------- rating


@pytest.mark.parametrize(
    ("overall", "level"),
    [
        (0.0, 1),
        (69.99999, 1),
        (70.0, 2),
        (89.99999, 2),
        (90.0, 3),
        (104.99999999999999, 3),
        (105.0, 4),
        (115.0, 5),
        (120.0, 5),
    ],
)
def test_default_rating_boundaries(overall: float, level: int) -> None:
    rating = rate(one_kpi_role(), overall, 1.0, 0.5)
    assert rating is not None and rating.level == level


def test_rating_labels_and_coverage_boundary() -> None:
    role = one_kpi_role()
    assert rate(role, 90.0, 1.0, 0.5) == Rating(3, "Meets expectations")
    assert rate(role, 90.0, 0.5, 0.5) == Rating(3, "Meets expectations")  # exactly the minimum
    assert rate(role, 90.0, 0.4999, 0.5) is None
    assert rate(role, None, 1.0, 0.5) is None


def test_rating_of_a_scorecard_at_exactly_90() -> None:
    # v = 90 on 0 -> 100: 100 * 90 / 100 = 90 exactly -> Meets expectations, not Partially
    assert score(one_kpi_role(), {"k": 90}).rating == Rating(3, "Meets expectations")
    assert score(one_kpi_role(), {"k": 89.99999}).rating == Rating(
        2, "Partially meets expectations"
    )


def test_custom_rating_scale() -> None:
    role = one_kpi_role(
        rating_scale=[
            {"level": 1, "label": "Not yet"},  # min_score absent counts as 0
            {"level": 2, "label": "On track", "min_score": 50},
            {"level": 3, "label": "Star", "min_score": 100},
        ]
    )
    assert rate(role, 0.0, 1.0, 0.5) == Rating(1, "Not yet")
    assert rate(role, 49.9, 1.0, 0.5) == Rating(1, "Not yet")
    assert rate(role, 50.0, 1.0, 0.5) == Rating(2, "On track")
    assert rate(role, 100.0, 1.0, 0.5) == Rating(3, "Star")
    assert score(role, {"k": 100}).rating == Rating(3, "Star")  # 100 * 100 / 100 = 100


# --------------------------------------------------------------------------- properties

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
caps = st.floats(min_value=100, max_value=1000)
points3 = st.lists(finite, min_size=3, max_size=3, unique=True).map(sorted)
points4 = st.lists(finite, min_size=4, max_size=4, unique=True).map(sorted)
any_finite = st.floats(allow_nan=False, allow_infinity=False)


@given(points3, st.booleans(), any_finite, caps)
def test_score_is_within_0_and_cap(p: list[float], stretch: bool, v: float, cap: float) -> None:
    t, g, s = p
    for kpi in (higher(t, g, s if stretch else None), lower(s, g, t if stretch else None)):
        assert 0.0 <= kpi_score(kpi, v, cap) <= cap


@given(points3, st.booleans(), finite, finite, caps)
def test_higher_is_monotone(p: list[float], stretch: bool, v1: float, v2: float, cap: float):
    t, g, s = p
    kpi = higher(t, g, s if stretch else None)
    lo, hi = sorted((v1, v2))
    assert kpi_score(kpi, lo, cap) <= kpi_score(kpi, hi, cap)


@given(points3, st.booleans(), finite, finite, caps)
def test_lower_is_antitone(p: list[float], stretch: bool, v1: float, v2: float, cap: float):
    s, g, t = p
    kpi = lower(t, g, s if stretch else None)
    lo, hi = sorted((v1, v2))
    assert kpi_score(kpi, lo, cap) >= kpi_score(kpi, hi, cap)


@given(points3, finite)
def test_below_target_stays_below_100(p: list[float], v: float) -> None:
    t, g, _ = p
    if t < v < g:
        assert kpi_score(higher(t, g, None), v) < 100.0


@given(points4, st.booleans(), st.data())
def test_range_is_100_on_the_band_and_never_above(p: list[float], point: bool, data: Any):
    c, a, b, d = p
    if point:
        b = a
    kpi = band(c, a, b, d)
    inside = data.draw(st.floats(min_value=a, max_value=b))
    assert kpi_score(kpi, inside) == 100.0
    anywhere = data.draw(any_finite)
    assert 0.0 <= kpi_score(kpi, anywhere, 150) <= 100.0


def _shares(draw: Any, n: int) -> list[float]:
    raw = draw(st.lists(st.integers(1, 50), min_size=n, max_size=n))
    total = sum(raw)
    return [100 * r / total for r in raw]


@st.composite
def roles_and_values(draw: Any) -> tuple[Role, dict[str, float | None]]:
    n_kras = draw(st.integers(1, 4))
    kra_weights = _shares(draw, n_kras)
    kras: list[dict[str, Any]] = []
    values: dict[str, float | None] = {}
    for i, weight in enumerate(kra_weights):
        n_kpis = draw(st.integers(1, 4))
        kpi_weights = _shares(draw, n_kpis) if draw(st.booleans()) else [None] * n_kpis
        kpis = []
        for j, kpi_weight in enumerate(kpi_weights):
            kpi_id = f"k{i}-{j}"
            fields: dict[str, Any] = {"stretch": 130} if draw(st.booleans()) else {}
            if kpi_weight is not None:
                fields["weight"] = kpi_weight
            kpis.append(make_kpi(kpi_id, **fields))
            values[kpi_id] = draw(st.none() | st.floats(-50, 200))
        kras.append({"id": f"kra{i}", "name": f"KRA {i}", "weight": weight, "kpis": kpis})
    return make_role(kras), values


def _close_or_within(x: float, low: float, high: float) -> bool:
    # A weighted mean can overshoot its extremes by the last ulp of the rounded products.
    slack = 1e-12 * max(1.0, abs(low), abs(high))
    return low - slack <= x <= high + slack


@given(roles_and_values())
def test_overall_lies_between_kra_scores(case: tuple[Role, dict[str, float | None]]) -> None:
    role, values = case
    card = score(role, values)
    kra_scores = [kra.score for kra in card.kras if kra.score is not None]
    if not kra_scores:
        assert card.score is None and card.rating is None
        return
    assert card.score is not None
    assert _close_or_within(card.score, min(kra_scores), max(kra_scores))
    for kra in card.kras:
        scores = [k.score for k in kra.kpis if k.score is not None]
        if kra.score is not None:
            assert _close_or_within(kra.score, min(scores), max(scores))


@given(roles_and_values())
def test_coverage_is_a_fraction_and_full_when_all_present(
    case: tuple[Role, dict[str, float | None]],
) -> None:
    role, values = case
    card = score(role, values)
    assert 0.0 <= card.coverage <= 1.0
    assert all(0.0 <= kra.coverage <= 1.0 for kra in card.kras)
    filled = {k: (50.0 if v is None else v) for k, v in values.items()}
    assert score(role, filled).coverage == 1.0
    assert score(role, values, missing="zero").coverage == 1.0


@given(
    st.lists(st.tuples(st.floats(0.01, 100), st.floats(0, 150)), min_size=1, max_size=8),
    st.floats(0.001, 1000),
)
def test_scaling_weights_leaves_the_mean_unchanged(
    pairs: list[tuple[float, float]], factor: float
) -> None:
    weights = [w for w, _ in pairs]
    scores = [s for _, s in pairs]
    base = weighted_mean(weights, scores)
    scaled = weighted_mean([w * factor for w in weights], scores)
    assert base is not None and scaled == pytest.approx(base, rel=1e-9, abs=1e-9)
    assert weighted_mean([], []) is None
