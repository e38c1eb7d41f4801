"""Scoring: KPI scores, roll-up to KRAs and the overall score, coverage and rating (SPEC 2).

Pure functions with no I/O. This module imports only the standard library and
`kpicard.models`, so that batch scripts and the JSON/CSV paths never pay for the terminal or
Excel libraries (tests/test_layering.py keeps it that way).

Speed matters: a review batch scores 100k employees x 20 KPIs. `compile_role` turns a role into
a `RolePlan` once (per-KPI scorer closures, weights as floats, the rating scale as tuples), and
`score_scorecard` reuses it from a small cache, so that scoring one scorecard is just the
arithmetic plus building the result objects.

Exactness: every sum is a `math.fsum`, so the result does not depend on KPI order. Inside a KRA
the weighted mean uses the catalog's *relative* weights (1 for each KPI of an equal-weight KRA,
the given percentages otherwise) rather than 100/n: the mean is mathematically the same, but
"every KPI at target" then gives exactly 100, not 99.99999999999999. Likewise coverage divides
by the sum of the KRA weights rather than by the literal 100 (they are equal within 1e-6 by
validation), so that coverage is exactly 1.0 when every KPI has a value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from kpicard.models import (
    KPI,
    KRA,
    Band,
    KPIResult,
    KRAResult,
    Rating,
    Role,
    Scorecard,
    ScoringOptions,
    Source,
)

__all__ = [
    "KPIPlan",
    "KRAPlan",
    "RolePlan",
    "compile_kpi",
    "compile_role",
    "kpi_score",
    "kpi_status",
    "mean_of_terms",
    "rate",
    "score_scorecard",
    "weighted_mean",
]

Scorer = Callable[[float, float], float]
"""A compiled KPI: (actual value, cap) -> score."""

_fsum = math.fsum
_BELOW_100 = math.nextafter(100.0, 0.0)  # the best float for "short of target"


# --------------------------------------------------------------------------- KPI scores


def _check_number(value: float) -> None:
    # NaN compares false with everything and would slip through to a 100; refuse it loudly.
    if value != value:
        raise ValueError("cannot score NaN: an actual value must be a number")


def _higher(t: float, g: float, s: float | None) -> Scorer:
    # Multiply first, divide last: for integer-ish inputs only the division rounds, so the score
    # is the correctly rounded one (t=0, g=100, v=90 gives exactly 90, not 90.00000000000001).
    # The clamps catch the last-ulp overshoot a hair short of target or stretch, keeping the
    # score monotone and a value short of target below 100. (Conditionals, not min(): hot path.)
    span = g - t
    if s is None:

        def score(v: float, cap: float) -> float:
            if v != v:
                _check_number(v)
            if v <= t:
                return 0.0
            if v < g:
                r = 100.0 * (v - t) / span
                return r if r < _BELOW_100 else _BELOW_100
            return 100.0

        return score

    stretch_span = s - g

    def score_stretch(v: float, cap: float) -> float:
        if v != v:
            _check_number(v)
        if v <= t:
            return 0.0
        if v < g:
            r = 100.0 * (v - t) / span
            return r if r < _BELOW_100 else _BELOW_100
        if v < s:
            r = 100.0 + (cap - 100.0) * (v - g) / stretch_span
            return r if r < cap else cap
        return cap

    return score_stretch


def _lower(t: float, g: float, s: float | None) -> Scorer:
    # The mirror image of `_higher`: smaller is better, threshold above target above stretch.
    span = t - g
    if s is None:

        def score(v: float, cap: float) -> float:
            if v != v:
                _check_number(v)
            if v >= t:
                return 0.0
            if v > g:
                r = 100.0 * (t - v) / span
                return r if r < _BELOW_100 else _BELOW_100
            return 100.0

        return score

    stretch_span = g - s

    def score_stretch(v: float, cap: float) -> float:
        if v != v:
            _check_number(v)
        if v >= t:
            return 0.0
        if v > g:
            r = 100.0 * (t - v) / span
            return r if r < _BELOW_100 else _BELOW_100
        if v > s:
            r = 100.0 + (cap - 100.0) * (g - v) / stretch_span
            return r if r < cap else cap
        return cap

    return score_stretch


def _range(c: float, a: float, b: float, d: float) -> Scorer:
    # 100 on the band [a, b], linear down to 0 at the floors c and d; the cap never applies.
    low_span = a - c
    high_span = d - b

    def score(v: float, cap: float) -> float:
        if v != v:
            _check_number(v)
        if v < a:
            if not v > c:
                return 0.0
            r = 100.0 * (v - c) / low_span
            return r if r < _BELOW_100 else _BELOW_100
        if v > b:
            if not v < d:
                return 0.0
            r = 100.0 * (d - v) / high_span
            return r if r < _BELOW_100 else _BELOW_100
        return 100.0

    return score


def compile_kpi(kpi: KPI) -> Scorer:
    """The scoring function of one KPI (SPEC 2.1), with its targets bound once."""
    threshold, target = kpi.threshold, kpi.target
    if kpi.direction == "range":
        if not isinstance(threshold, Band) or not isinstance(target, Band):
            raise ValueError(f"KPI {kpi.id!r}: a 'range' KPI needs min/max bands")
        return _range(
            float(threshold.min), float(target.min), float(target.max), float(threshold.max)
        )
    if isinstance(threshold, Band) or isinstance(target, Band):
        raise ValueError(f"KPI {kpi.id!r}: a '{kpi.direction}' KPI needs single-number targets")
    stretch = None if kpi.stretch is None else float(kpi.stretch)
    make = _higher if kpi.direction == "higher" else _lower
    return make(float(threshold), float(target), stretch)


def kpi_score(kpi: KPI, value: float, cap: float = 120.0) -> float:
    """The score of one actual value (SPEC 2.1): 0 at threshold, 100 at target, `cap` at stretch.

    Raises ValueError for NaN, which has no place on the scale, and for a cap below 100.
    """
    _check_cap(cap)
    return compile_kpi(kpi)(value, cap)


def _check_cap(cap: float) -> None:
    # A cap under 100 would make beating the target score less than meeting it.
    if not cap >= 100.0 or math.isinf(cap):
        raise ValueError(f"the cap must be a finite number >= 100, got {cap}")


def kpi_status(score: float | None) -> str:
    """`met` (>= 100), `below` (0 < score < 100), `missed` (0) or `missing` (no score)."""
    if score is None:
        return "missing"
    if score >= 100.0:
        return "met"
    if score > 0.0:
        return "below"
    return "missed"


# --------------------------------------------------------------------------- roll-up helpers


def weighted_mean(weights: list[float], scores: list[float]) -> float | None:
    """sum(w * s) / sum(w) with exact sums; None when there is nothing to average."""
    return mean_of_terms([w * s for w, s in zip(weights, scores, strict=True)], weights)


def mean_of_terms(terms: list[float], weights: list[float]) -> float | None:
    """sum(terms) / sum(weights), the terms being weight x score already (the scoring loop
    makes them as it goes); None when there is nothing to average."""
    return _fsum(terms) / _fsum(weights) if weights else None


def rate(role: Role, score: float | None, coverage: float, min_coverage: float) -> Rating | None:
    """The highest level whose min_score (absent = 0) is <= score, if coverage suffices.

    Plain float comparisons of unrounded values (SPEC 2.1): 89.99999 is not 90.
    """
    if score is None or not coverage >= min_coverage:
        return None
    return _rate_levels(_levels(role), score)


def _levels(role: Role) -> tuple[tuple[float, Rating], ...]:
    return tuple(
        (float(level.min_score or 0), Rating(level.level, level.label)) for level in role.scale()
    )


def _rate_levels(levels: tuple[tuple[float, Rating], ...], score: float) -> Rating | None:
    # `levels` is highest first and min_score increases with the level, so the first hit wins.
    for min_score, rating in levels:
        if min_score <= score:
            return rating
    return None


# --------------------------------------------------------------------------- compiled roles


@dataclass(slots=True, frozen=True)
class KPIPlan:
    kpi: KPI
    id: str
    weight: float  # effective weight inside the KRA, shown in results (100/n when equal)
    relative: float  # weight used for the arithmetic (1.0 when equal, else as given)
    scorer: Scorer


@dataclass(slots=True, frozen=True)
class KRAPlan:
    kra: KRA
    weight: float
    kpis: tuple[KPIPlan, ...]
    total: float  # fsum of the relative KPI weights


@dataclass(slots=True, frozen=True)
class RolePlan:
    role: Role
    kras: tuple[KRAPlan, ...]
    total: float  # fsum of the KRA weights (100 within 1e-6)
    levels: tuple[tuple[float, Rating], ...]  # (min_score, rating), highest level first
    flat: tuple[KPIPlan, ...] = ()  # every KPI of the role, in KRA order


def _compile_kra(kra: KRA) -> KRAPlan:
    effective = kra.kpi_weights()
    equal = kra.kpis[0].weight is None
    relative = [1.0] * len(kra.kpis) if equal else effective
    kpis = tuple(
        KPIPlan(kpi, kpi.id, w, r, compile_kpi(kpi))
        for kpi, w, r in zip(kra.kpis, effective, relative, strict=True)
    )
    return KRAPlan(kra, float(kra.weight), kpis, _fsum(relative))


_PLANS: dict[int, RolePlan] = {}
_PLAN_CACHE_SIZE = 256


def compile_role(role: Role) -> RolePlan:
    """The role's scoring plan, built once per Role object and cached.

    Keyed by id(role); the plan keeps the role alive, so the id cannot be reused while cached.
    Roles are frozen models, so a cached plan never goes stale.
    """
    plan = _PLANS.get(id(role))
    if plan is not None and plan.role is role:
        return plan
    kras = tuple(_compile_kra(kra) for kra in role.kras)
    flat = tuple(kp for kra in kras for kp in kra.kpis)
    plan = RolePlan(role, kras, _fsum(k.weight for k in kras), _levels(role), flat)
    if len(_PLANS) >= _PLAN_CACHE_SIZE:
        _PLANS.clear()
    _PLANS[id(role)] = plan
    return plan


# --------------------------------------------------------------------------- scorecards


def score_scorecard(
    role: Role,
    values: Mapping[str, float | None],
    options: ScoringOptions,
    *,
    employee: str,
    sources: Mapping[str, Source] | None = None,
    source_of: Callable[[str], Source | None] | None = None,
    name: str | None = None,
    team: str | None = None,
    manager: str | None = None,
    period: str | None = None,
    row: int | None = None,
) -> Scorecard:
    """Score one employee's actuals against a role (SPEC 2.1-2.2).

    `values` maps KPI id -> actual; an absent key or None is a missing value, handled by
    `options.missing`: "exclude" leaves it out of the KRA mean and of coverage, "zero" scores it 0
    (status "missing") and counts it as present. Under "error" the caller must report missing
    values as input errors before scoring; if one still reaches the engine it raises ValueError,
    as it does for a NaN actual or a cap below 100.

    Where each actual came from is `sources[kpi_id]` or `source_of(kpi_id)`; it is looked up only
    when the KPI results are built, which happens on first access to `KRAResult.kpis`.
    """
    plan = compile_role(role)
    cap = options.cap
    _check_cap(cap)
    policy = options.missing
    zero_missing = policy == "zero"
    error_missing = policy == "error"
    get = values.get
    lookup = source_of if source_of is not None else (sources.get if sources else None)

    kra_results: list[KRAResult] = []
    kra_weights: list[float] = []  # of KRAs with a score
    kra_terms: list[float] = []  # w_kra * kra_score
    coverage_terms: list[float] = []  # w_kra * fraction present
    actuals: list[float | None] = []  # every KPI of the role, in plan order
    scores: list[float | None] = []
    lazy = _KeptScores(plan, actuals, scores, lookup)

    for kra_plan in plan.kras:
        start = len(scores)
        weights: list[float] = []
        terms: list[float] = []
        for kp in kra_plan.kpis:
            value = get(kp.id)
            actuals.append(value)
            if value is None:
                if zero_missing:
                    scores.append(0.0)
                    weights.append(kp.relative)
                    terms.append(0.0)
                    continue
                if error_missing:
                    raise ValueError(
                        f"employee {employee!r}: no value for KPI {kp.id!r} under "
                        "--missing error (report it as an input error before scoring)"
                    )
                scores.append(None)
                continue
            score = kp.scorer(value, cap)
            scores.append(score)
            weights.append(kp.relative)
            terms.append(kp.relative * score)

        if weights:
            present = kra_plan.total if len(weights) == len(kra_plan.kpis) else _fsum(weights)
            kra_score: float | None = _fsum(terms) / present
            fraction = present / kra_plan.total
            kra_weights.append(kra_plan.weight)
            kra_terms.append(kra_plan.weight * kra_score)
            coverage_terms.append(kra_plan.weight * fraction)
        else:
            kra_score = None
            fraction = 0.0
        kra_results.append(KRAResult(kra_plan.kra, kra_score, fraction, lazy=lazy, start=start))

    overall = mean_of_terms(kra_terms, kra_weights)
    coverage = _fsum(coverage_terms) / plan.total
    rating = (
        _rate_levels(plan.levels, overall)
        if overall is not None and coverage >= options.min_coverage
        else None
    )
    return Scorecard(
        employee=employee,
        role=role,
        score=overall,
        coverage=coverage,
        rating=rating,
        kras=kra_results,
        name=name,
        team=team,
        manager=manager,
        period=period,
        row=row,
    )


class _KeptScores:
    """What scoring kept of one scorecard, to build its per-KPI results on demand."""

    __slots__ = ("actuals", "lookup", "plan", "scores")

    def __init__(
        self,
        plan: RolePlan,
        actuals: list[float | None],
        scores: list[float | None],
        lookup: Callable[[str], Source | None] | None,
    ) -> None:
        self.plan = plan
        self.actuals = actuals
        self.scores = scores
        self.lookup = lookup

    def kpi_results(self, start: int, count: int) -> list[KPIResult]:
        lookup = self.lookup
        results = []
        for i in range(start, start + count):
            kp, value, score = self.plan.flat[i], self.actuals[i], self.scores[i]
            status = "missing" if value is None else kpi_status(score)
            source = lookup(kp.id) if lookup is not None and value is not None else None
            results.append(KPIResult(kp.kpi, kp.weight, value, score, status, source))
        return results
