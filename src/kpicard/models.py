"""The catalog models (what a role file may say) and the result models (what a scorecard is).

Catalog models are strict pydantic models: unknown keys are errors, numbers must be numbers
(never a quoted "95" or a boolean), NaN and infinities are refused. Rules that need positions
in the YAML file to be reported well (unique ids across KRAs, id equals file stem) live in
`kpicard.catalog.validate`; rules that belong to one field live here as field validators, so that
pydantic's error location points at that field's line.

Result models are plain slotted dataclasses: the engine builds millions of them for a large
batch, and pydantic validation would dominate the run time. `to_json` in `kpicard.render.json`
turns them into the document of SPEC section 5.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, NamedTuple, Protocol

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
WEIGHT_TOLERANCE = 1e-6

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
NONBLANK_PATTERN = r"\S"  # at least one character that is not white space
Text = Annotated[str, StringConstraints(min_length=1, pattern=NONBLANK_PATTERN)]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
Number = int | FiniteFloat
Unit = Literal[
    "percent", "ratio", "count", "hours", "days", "minutes", "currency", "score", "number"
]
Direction = Literal["higher", "lower", "range"]
Period = Literal["weekly", "monthly", "quarterly", "annual"]

UNIT_BOUNDS: dict[str, tuple[float | None, float | None]] = {
    "percent": (0.0, 100.0),
    "ratio": (0.0, 1.0),
    "count": (0.0, None),
    "hours": (0.0, None),
    "days": (0.0, None),
    "minutes": (0.0, None),
    "currency": (None, None),
    "score": (None, None),
    "number": (None, None),
}


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Band(_Strict):
    """A `range` KPI's target band or threshold floor pair."""

    min: Number
    max: Number

    @model_validator(mode="after")
    def _ordered(self) -> Band:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) must not be greater than max ({self.max})")
        return self


Bound = Number | Band


class RatingLevel(_Strict):
    level: int
    label: Text
    min_score: Number | None = None


DEFAULT_RATING_SCALE: tuple[RatingLevel, ...] = (
    RatingLevel(level=5, label="Outstanding", min_score=115),
    RatingLevel(level=4, label="Exceeds expectations", min_score=105),
    RatingLevel(level=3, label="Meets expectations", min_score=90),
    RatingLevel(level=2, label="Partially meets expectations", min_score=70),
    RatingLevel(level=1, label="Below expectations", min_score=0),
)


def _fmt(value: float | int) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _sums_to_100(weights: list[float]) -> bool:
    return math.isclose(math.fsum(weights), 100.0, rel_tol=0, abs_tol=WEIGHT_TOLERANCE)


def kpi_weights_problem(weights: list[tuple[str, float | None]]) -> str | None:
    """SPEC 1.3 for the KPI weights of one KRA, given as (kpi id, weight or None) pairs.

    A function of plain values, so that the loader can apply it to a KRA whose KPIs failed
    validation for other reasons (pydantic skips a list's validator when an item is invalid).
    """
    given = [w for _id, w in weights if w is not None]
    if given and len(given) != len(weights):
        missing = ", ".join(kpi_id for kpi_id, w in weights if w is None)
        return (
            f"KPI weights must be given for all KPIs of a KRA or for none; missing for: {missing}"
        )
    if given and not _sums_to_100(given):
        return f"KPI weights must sum to 100, they sum to {_fmt(math.fsum(given))}"
    return None


def kra_weights_problem(weights: list[float]) -> str | None:
    """SPEC 1.3 for the KRA weights of a role (see `kpi_weights_problem`)."""
    if not _sums_to_100(weights):
        return f"KRA weights must sum to 100, they sum to {_fmt(math.fsum(weights))}"
    return None


class KPI(_Strict):
    id: Slug
    name: Text
    description: Text | None = None
    unit: Unit
    currency: Text | None = None
    scale: Annotated[list[Number], Field(min_length=2, max_length=2)] | None = None
    direction: Direction
    threshold: Bound
    target: Bound
    stretch: Number | None = None
    weight: Number | None = None
    period: Period | None = None
    aliases: list[Text] = Field(default_factory=list)

    @field_validator("scale")
    @classmethod
    def _scale_ordered(cls, scale: list[float] | None, info: ValidationInfo):
        if scale is not None and not scale[0] < scale[1]:
            raise ValueError(f"scale must be [low, high] with low < high, got {list(scale)}")
        if scale is not None and info.data.get("unit") not in (None, "score"):
            raise ValueError("scale is only for unit 'score'")
        return scale

    @field_validator("threshold")
    @classmethod
    def _threshold_shape(cls, threshold: Bound, info: ValidationInfo) -> Bound:
        direction = info.data.get("direction")
        if direction == "range" and not isinstance(threshold, Band):
            raise ValueError("a 'range' KPI needs threshold: {min: .., max: ..}")
        if direction in ("higher", "lower") and isinstance(threshold, Band):
            raise ValueError(f"a '{direction}' KPI needs a single number as threshold")
        _check_bounds(threshold, info)
        return threshold

    @field_validator("target")
    @classmethod
    def _target_order(cls, target: Bound, info: ValidationInfo) -> Bound:
        direction = info.data.get("direction")
        threshold = info.data.get("threshold")
        if direction == "range":
            if not isinstance(target, Band):
                raise ValueError("a 'range' KPI needs target: {min: .., max: ..}")
            if isinstance(threshold, Band) and not (
                threshold.min < target.min <= target.max < threshold.max
            ):
                raise ValueError(
                    "a 'range' KPI needs threshold.min < target.min <= target.max < "
                    f"threshold.max, got threshold {{min: {_fmt(threshold.min)}, max: "
                    f"{_fmt(threshold.max)}}} and target {{min: {_fmt(target.min)}, max: "
                    f"{_fmt(target.max)}}}"
                )
        elif direction in ("higher", "lower"):
            if isinstance(target, Band):
                raise ValueError(f"a '{direction}' KPI needs a single number as target")
            if isinstance(threshold, int | float):
                if direction == "higher" and not threshold < target:
                    raise ValueError(
                        f"for 'higher', threshold ({_fmt(threshold)}) must be below target "
                        f"({_fmt(target)})"
                    )
                if direction == "lower" and not threshold > target:
                    raise ValueError(
                        f"for 'lower', threshold ({_fmt(threshold)}) must be above target "
                        f"({_fmt(target)})"
                    )
        _check_bounds(target, info)
        return target

    @field_validator("stretch")
    @classmethod
    def _stretch_order(cls, stretch: float | None, info: ValidationInfo) -> float | None:
        if stretch is None:
            return None
        direction = info.data.get("direction")
        target = info.data.get("target")
        if direction == "range":
            raise ValueError("a 'range' KPI has no stretch")
        if isinstance(target, int | float):
            if direction == "higher" and not target < stretch:
                raise ValueError(
                    f"for 'higher', stretch ({_fmt(stretch)}) must be above target ({_fmt(target)})"
                )
            if direction == "lower" and not target > stretch:
                raise ValueError(
                    f"for 'lower', stretch ({_fmt(stretch)}) must be below target ({_fmt(target)})"
                )
        _check_bounds(stretch, info)
        return stretch

    @field_validator("weight")
    @classmethod
    def _positive_weight(cls, weight: float | None) -> float | None:
        if weight is not None and weight <= 0:
            raise ValueError(f"weight must be positive, got {_fmt(weight)}")
        return weight

    @field_validator("currency")
    @classmethod
    def _currency_only_for_currency(cls, currency: str | None, info: ValidationInfo):
        if currency is not None and info.data.get("unit") not in (None, "currency"):
            raise ValueError("currency is only for unit 'currency'")
        return currency

    def bounds(self) -> tuple[float | None, float | None]:
        """The values an actual of this KPI may take (None: unbounded on that side)."""
        if self.unit == "score" and self.scale is not None:
            return (float(self.scale[0]), float(self.scale[1]))
        return UNIT_BOUNDS[self.unit]

    def unit_label(self) -> str:
        if self.unit == "currency" and self.currency:
            return self.currency
        if self.unit == "percent":
            return "%"
        if self.unit == "score" and self.scale is not None:
            return f"score {_fmt(self.scale[0])}..{_fmt(self.scale[1])}"
        return self.unit


def _check_bounds(value: Bound, info: ValidationInfo) -> None:
    unit = info.data.get("unit")
    if unit is None:
        return
    low, high = UNIT_BOUNDS[unit]
    scale = info.data.get("scale")
    if unit == "score" and scale is not None:
        low, high = scale
    values = [value.min, value.max] if isinstance(value, Band) else [value]
    for number in values:
        if (low is not None and number < low) or (high is not None and number > high):
            span = f"[{_fmt(low) if low is not None else '-inf'}, "
            span += f"{_fmt(high) if high is not None else 'inf'}]"
            raise ValueError(f"{_fmt(number)} is outside the bounds of unit '{unit}' {span}")


class KRA(_Strict):
    id: Slug
    name: Text
    statement: Text | None = None
    summary: Text | None = None
    weight: Number
    kpis: list[KPI] = Field(min_length=1)

    @field_validator("weight")
    @classmethod
    def _positive_weight(cls, weight: float) -> float:
        if weight <= 0:
            raise ValueError(f"KRA weight must be positive, got {_fmt(weight)}")
        return weight

    @field_validator("kpis")
    @classmethod
    def _kpi_weights(cls, kpis: list[KPI]) -> list[KPI]:
        problem = kpi_weights_problem([(k.id, k.weight) for k in kpis])
        if problem:
            raise ValueError(problem)
        return kpis

    def kpi_weights(self) -> list[float]:
        """Effective weights of the KPIs: as given, or equal shares of 100."""
        if self.kpis[0].weight is None:
            share = 100.0 / len(self.kpis)
            return [share] * len(self.kpis)
        return [float(k.weight) for k in self.kpis]  # type: ignore[arg-type]


class Role(_Strict):
    kpicard: Literal[1]
    id: Slug
    name: Text
    summary: Text | None = None
    period: Period = "monthly"
    responsibilities: list[Text] | None = None
    qualifications: list[Text] | None = None
    skills: list[Text] | None = None
    rating_scale: list[RatingLevel] | None = None
    kras: list[KRA] = Field(min_length=1)

    @field_validator("kpicard", mode="before")
    @classmethod
    def _format_version(cls, value: object) -> object:
        # Literal[1] alone would take `true` and `1.0`, which equal 1 in Python.
        if type(value) is not int:
            raise ValueError(
                "'kpicard' must be the integer 1 (the catalog format version), got "
                + ("a boolean" if isinstance(value, bool) else repr(value))
            )
        return value

    @field_validator("kras")
    @classmethod
    def _kra_weights(cls, kras: list[KRA]) -> list[KRA]:
        problem = kra_weights_problem([k.weight for k in kras])
        if problem:
            raise ValueError(problem)
        return kras

    @field_validator("rating_scale")
    @classmethod
    def _rating_scale(cls, scale: list[RatingLevel] | None) -> list[RatingLevel] | None:
        if scale is None:
            return None
        if not scale:
            raise ValueError("rating_scale must list at least one level")
        levels = [r.level for r in scale]
        if len(set(levels)) != len(levels):
            raise ValueError("rating_scale levels must be distinct")
        labels = [r.label for r in scale]
        if len(set(labels)) != len(labels):
            raise ValueError("rating_scale labels must be distinct")
        ordered = sorted(scale, key=lambda r: r.level)
        lowest = ordered[0]
        if lowest.min_score not in (None, 0):
            raise ValueError(
                f"the lowest level ({lowest.level}) must have min_score 0 or none, "
                f"got {_fmt(lowest.min_score)}"
            )
        for below, above in itertools.pairwise(ordered):
            if above.min_score is None:
                raise ValueError(f"level {above.level} needs a min_score")
            if not (below.min_score or 0) < above.min_score:
                raise ValueError(
                    "min_score must increase strictly with the level: level "
                    f"{above.level} has {_fmt(above.min_score)}, level {below.level} has "
                    f"{_fmt(below.min_score or 0)}"
                )
        return scale

    def scale(self) -> tuple[RatingLevel, ...]:
        """The rating levels, highest first."""
        levels = self.rating_scale if self.rating_scale is not None else DEFAULT_RATING_SCALE
        return tuple(sorted(levels, key=lambda r: r.level, reverse=True))

    def kpi_period(self, kpi: KPI) -> str:
        return kpi.period or self.period

    def all_kpis(self) -> list[tuple[KRA, KPI]]:
        return [(kra, kpi) for kra in self.kras for kpi in kra.kpis]


# --------------------------------------------------------------------------- results


class Source(NamedTuple):
    """Where an actual value came from (a tuple: millions are made for a large batch)."""

    file: str
    sheet: str | None
    cell: str


class KPIResult(NamedTuple):
    """One KPI of one scorecard (a tuple: a batch makes one per employee and KPI)."""

    kpi: KPI
    weight: float
    actual: float | None
    score: float | None
    status: str  # met | below | missed | missing
    source: Source | None = None


class KRAResult:
    """One KRA of one scorecard.

    Its per-KPI results are built on first access when the engine passes `lazy` (an object with
    `kpi_results(start, count)`, shared by the KRAs of one scorecard) instead of `kpis`: summary
    outputs (CSV, tables, rollups) never ask for them, and building them for every KPI of a large
    batch took a third of the run time and most of its memory.
    """

    __slots__ = ("_kpis", "_lazy", "_start", "coverage", "kra", "score")

    def __init__(
        self,
        kra: KRA,
        score: float | None,
        coverage: float,
        kpis: list[KPIResult] | None = None,
        *,
        lazy: LazyKPIResults | None = None,
        start: int = 0,
    ) -> None:
        if (kpis is None) == (lazy is None):
            raise ValueError("give either kpis or lazy")
        self.kra = kra
        self.score = score
        self.coverage = coverage
        self._kpis = kpis
        self._lazy = lazy
        self._start = start

    @property
    def kpis(self) -> list[KPIResult]:
        if self._kpis is None:
            self._kpis = self._lazy.kpi_results(self._start, len(self.kra.kpis))  # type: ignore[union-attr]
            self._lazy = None
        return self._kpis

    def __repr__(self) -> str:
        return f"KRAResult({self.kra.id!r}, score={self.score!r}, coverage={self.coverage!r})"


class LazyKPIResults(Protocol):
    def kpi_results(self, start: int, count: int) -> list[KPIResult]: ...


@dataclass(slots=True, frozen=True)
class Rating:
    level: int
    label: str


@dataclass(slots=True)
class Scorecard:
    employee: str
    role: Role
    score: float | None
    coverage: float
    rating: Rating | None
    kras: list[KRAResult]
    name: str | None = None
    team: str | None = None
    manager: str | None = None
    period: str | None = None
    row: int | None = None
    file: str | None = None  # the input it was read from (with `row`, for messages)


@dataclass(slots=True, frozen=True)
class ScoringOptions:
    missing: Literal["exclude", "zero", "error"] = "exclude"
    min_coverage: float = 0.5
    cap: float = 120.0


@dataclass(slots=True)
class ScoreRun:
    """Everything one `score` run produced: what the JSON document and every renderer show."""

    scorecards: list[Scorecard]
    options: ScoringOptions
    catalog_path: str
    catalog_digest: str
    # The run's warnings and notes as Diagnostic objects (kpicard.diagnostics): the one list.
    diagnostics: list[Any] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        """The JSON document's `warnings`: each diagnostic as one line of text."""
        return [d.render() for d in self.diagnostics]
