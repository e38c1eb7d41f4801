"""Review-batch views over scorecards: group rollups, calibration and quarter-on-quarter deltas.

Pure data in, data out (SPEC 8): no terminal, CLI or Excel libraries, so that `score`, `batch`
and scripts share one arithmetic and every renderer shows the same numbers.

Decisions (README material):

- Rollup statistics (mean, median, min, max) are over the scorecards that have an overall score.
  A scorecard with no score (nothing measured) is counted in `count` and in `unscored`, never as
  a 0 that would drag a team's mean down. Its rating is null, so it counts as "insufficient
  data" in the rating distribution, like a scored card below the minimum coverage.
- A scorecard with no team (manager, ...) goes to a group whose key is None, shown "(none)" and
  listed last; groups are otherwise sorted by key.
- The rating distribution lists every (level, label) of the rating scales of the roles in the
  batch, highest level first, zeros included, so that groups line up column by column; then
  "insufficient data".
- `compare` matches employees by employee id + role: the period differs from quarter to quarter
  by design. An employee whose role changed shows as departed (old role) and new (new role).
  The previous document must hold one scorecard per employee and role; when it holds several
  (several periods), the latest period (by text order, so 2026-Q2 > 2026-Q1) is used, with a
  warning. The current batch must hold one per employee and role (filter with --period).
- Movers are the largest score changes, up and down separately (only changes != 0), top N each,
  ties broken by employee id so that the list is stable.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from kpicard.diagnostics import Diagnostic, InputError, KpicardError, Location, usage_error
from kpicard.models import Scorecard

GroupBy = Literal["team", "manager", "role"]
GROUP_BYS: tuple[str, ...] = ("team", "manager", "role")
INSUFFICIENT = "insufficient data"
DEFAULT_MOVERS = 5

Level = tuple[int, str]  # (level, label) of a rating scale


# --------------------------------------------------------------------------- rollups


@dataclass(slots=True, frozen=True)
class Distribution:
    """How many scorecards got each rating; `counts` follows `levels`, then `insufficient`."""

    levels: tuple[Level, ...]
    counts: tuple[int, ...]
    insufficient: int

    @property
    def total(self) -> int:
        return sum(self.counts) + self.insufficient

    def share(self, count: int) -> float:
        return count / self.total if self.total else 0.0


@dataclass(slots=True, frozen=True)
class GroupRollup:
    by: str
    key: str | None
    count: int
    scored: int
    unscored: int
    mean: float | None
    median: float | None
    min: float | None
    max: float | None
    ratings: Distribution


def _group_key(card: Scorecard, by: str) -> str | None:
    if by == "team":
        return card.team
    if by == "manager":
        return card.manager
    if by == "role":
        return card.role.id
    raise ValueError(f"cannot group by {by!r}; use one of {', '.join(GROUP_BYS)}")


def rating_levels(cards: Iterable[Scorecard]) -> tuple[Level, ...]:
    """Every (level, label) of the roles' scales in the batch, highest level first."""
    seen: dict[Level, None] = {}
    roles = {card.role.id: card.role for card in cards}
    for role in roles.values():
        for level in role.scale():
            seen.setdefault((level.level, level.label), None)
    return tuple(sorted(seen, key=lambda lv: (-lv[0], lv[1])))


def distribution(cards: Sequence[Scorecard], levels: tuple[Level, ...]) -> Distribution:
    counts = dict.fromkeys(levels, 0)
    insufficient = 0
    for card in cards:
        if card.rating is None:
            insufficient += 1
        else:
            key = (card.rating.level, card.rating.label)
            counts[key] = counts.get(key, 0) + 1
    return Distribution(levels, tuple(counts[lv] for lv in levels), insufficient)


def rollup(cards: Sequence[Scorecard], by: str, key: str | None, levels: tuple[Level, ...]):
    """Statistics of one group; see the module docstring for how unscored cards count."""
    scores = [c.score for c in cards if c.score is not None]
    n = len(scores)
    return GroupRollup(
        by=by,
        key=key,
        count=len(cards),
        scored=n,
        unscored=len(cards) - n,
        mean=math.fsum(scores) / n if n else None,
        median=statistics.median(scores) if n else None,
        min=min(scores) if n else None,
        max=max(scores) if n else None,
        ratings=distribution(cards, levels),
    )


def group_rollups(scorecards: Sequence[Scorecard], by: str) -> list[GroupRollup]:
    """One rollup per distinct team/manager/role, sorted by key, the no-key group last."""
    levels = rating_levels(scorecards)
    groups: dict[str | None, list[Scorecard]] = {}
    for card in scorecards:
        groups.setdefault(_group_key(card, by), []).append(card)
    keys = sorted((k for k in groups if k is not None), key=lambda k: (k.casefold(), k))
    if None in groups:
        keys.append(None)  # type: ignore[arg-type]
    return [rollup(groups[k], by, k, levels) for k in keys]


@dataclass(slots=True, frozen=True)
class Calibration:
    """The batch's rating distribution and each group's, for a calibration meeting."""

    levels: tuple[Level, ...]
    overall: GroupRollup
    groups: tuple[GroupRollup, ...]


def calibration(scorecards: Sequence[Scorecard], groups: Sequence[GroupRollup]) -> Calibration:
    levels = rating_levels(scorecards)
    overall = rollup(scorecards, "all", None, levels)
    return Calibration(levels, overall, tuple(groups))


# --------------------------------------------------------------------------- comparison


@dataclass(slots=True, frozen=True)
class PreviousKRA:
    id: str
    name: str | None
    score: float | None


@dataclass(slots=True, frozen=True)
class PreviousCard:
    """The part of an earlier JSON scorecard a comparison needs."""

    employee: str
    role: str
    name: str | None
    team: str | None
    manager: str | None
    period: str | None
    score: float | None
    rating: Level | None
    kras: tuple[PreviousKRA, ...]


@dataclass(slots=True, frozen=True)
class PreviousRun:
    source: str
    catalog_digest: str | None
    options: Mapping[str, Any]
    cards: tuple[PreviousCard, ...]


@dataclass(slots=True, frozen=True)
class KRADelta:
    id: str
    name: str | None
    before: float | None
    now: float | None

    @property
    def delta(self) -> float | None:
        return None if self.before is None or self.now is None else self.now - self.before


@dataclass(slots=True, frozen=True)
class EmployeeDelta:
    employee: str
    role: str
    name: str | None
    team: str | None
    manager: str | None
    period_before: str | None
    period: str | None
    before: float | None
    now: float | None
    rating_before: Level | None
    rating: Level | None
    kras: tuple[KRADelta, ...]

    @property
    def delta(self) -> float | None:
        return None if self.before is None or self.now is None else self.now - self.before

    @property
    def level_delta(self) -> int | None:
        if self.rating_before is None or self.rating is None:
            return None
        return self.rating[0] - self.rating_before[0]


@dataclass(slots=True, frozen=True)
class Person:
    """An employee present on one side only (new or departed)."""

    employee: str
    role: str
    name: str | None
    team: str | None
    period: str | None
    score: float | None
    rating: Level | None


@dataclass(slots=True)
class Comparison:
    previous: str
    same_catalog: bool | None
    employees: list[EmployeeDelta]
    new: list[Person]
    departed: list[Person]
    up: list[EmployeeDelta]
    down: list[EmployeeDelta]
    warnings: list[str] = field(default_factory=list)


def _fail(source: str, message: str, hint: str | None = None) -> KpicardError:
    return InputError(
        [Diagnostic("compare.invalid", message, location=Location(file=source), hint=hint)]
    )


_NOT_KPICARD = "is this a `kpicard score --format json` output?"


def _opt_text(value: Any, where: str, source: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise _fail(source, f"{where} must be text or null, got {type(value).__name__}", _NOT_KPICARD)


def _opt_number(value: Any, where: str, source: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(source, f"{where} must be a number or null, got {value!r}", _NOT_KPICARD)
    return float(value)


def _rating(value: Any, where: str, source: str) -> Level | None:
    if value is None:
        return None
    if (
        isinstance(value, dict)
        and isinstance(value.get("level"), int)
        and not isinstance(value.get("level"), bool)
        and isinstance(value.get("label"), str)
    ):
        return (value["level"], value["label"])
    raise _fail(source, f"{where} must be null or {{level, label}}, got {value!r}", _NOT_KPICARD)


def _card(raw: Any, i: int, source: str) -> PreviousCard:
    where = f"scorecards[{i}]"
    if not isinstance(raw, dict):
        raise _fail(source, f"{where} must be an object", _NOT_KPICARD)
    for key in ("employee", "role"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise _fail(source, f"{where}.{key} must be non-empty text", _NOT_KPICARD)
    kras_raw = raw.get("kras", [])
    if not isinstance(kras_raw, list):
        raise _fail(source, f"{where}.kras must be a list", _NOT_KPICARD)
    kras = []
    for j, kra in enumerate(kras_raw):
        kw = f"{where}.kras[{j}]"
        if not isinstance(kra, dict) or not isinstance(kra.get("id"), str):
            raise _fail(source, f"{kw} must be an object with an id", _NOT_KPICARD)
        kras.append(
            PreviousKRA(
                kra["id"],
                _opt_text(kra.get("name"), f"{kw}.name", source),
                _opt_number(kra.get("score"), f"{kw}.score", source),
            )
        )
    return PreviousCard(
        employee=raw["employee"],
        role=raw["role"],
        name=_opt_text(raw.get("name"), f"{where}.name", source),
        team=_opt_text(raw.get("team"), f"{where}.team", source),
        manager=_opt_text(raw.get("manager"), f"{where}.manager", source),
        period=_opt_text(raw.get("period"), f"{where}.period", source),
        score=_opt_number(raw.get("score"), f"{where}.score", source),
        rating=_rating(raw.get("rating"), f"{where}.rating", source),
        kras=tuple(kras),
    )


def parse_previous(data: Any, source: str) -> PreviousRun:
    """Check an earlier JSON output's shape (SPEC 5) and keep what a comparison needs.

    Raises KpicardError (exit 1) naming the file and the first broken place.
    """
    if not isinstance(data, dict):
        raise _fail(source, "the previous scores must be a JSON object", _NOT_KPICARD)
    version = data.get("kpicard")
    if "kpicard" not in data:
        raise _fail(source, "no 'kpicard' key: not a kpicard JSON output", _NOT_KPICARD)
    if isinstance(version, bool) or not isinstance(version, int):
        raise _fail(source, f"'kpicard' must be the schema version 1, got {version!r}")
    if version != 1:
        raise _fail(
            source,
            f"schema version {version} is not supported; this kpicard reads version 1",
            "re-export the previous scores with this version of kpicard",
        )
    cards_raw = data.get("scorecards")
    if not isinstance(cards_raw, list):
        raise _fail(source, "'scorecards' must be a list", _NOT_KPICARD)
    catalog = data.get("catalog")
    digest = catalog.get("digest") if isinstance(catalog, dict) else None
    options = data.get("options") if isinstance(data.get("options"), dict) else {}
    return PreviousRun(
        source=source,
        catalog_digest=digest if isinstance(digest, str) else None,
        options=options,
        cards=tuple(_card(raw, i, source) for i, raw in enumerate(cards_raw)),
    )


def load_previous(path: Path, display: str | None = None) -> PreviousRun:
    """Read and check a previous JSON output; unreadable -> exit 2, malformed -> exit 1."""
    source = display or str(path)
    if not path.exists():
        raise usage_error("compare.missing", f"previous scores not found: {source}")
    if path.is_dir():
        raise usage_error("compare.is-folder", f"{source} is a folder; give a JSON file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise usage_error("compare.unreadable", f"cannot read {source}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise _fail(source, "not UTF-8 text: not a kpicard JSON output", _NOT_KPICARD) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            [
                Diagnostic(
                    "compare.invalid",
                    f"not valid JSON: {exc.msg}",
                    location=Location(file=source, line=exc.lineno, column=exc.colno),
                    hint=_NOT_KPICARD,
                )
            ]
        ) from None
    return parse_previous(data, source)


def _latest(cards: Iterable[PreviousCard]) -> tuple[dict[tuple[str, str], PreviousCard], int]:
    """One previous card per (employee, role): the latest period; and how many were dropped."""
    chosen: dict[tuple[str, str], PreviousCard] = {}
    dropped = 0
    for card in cards:
        key = (card.employee, card.role)
        old = chosen.get(key)
        if old is None:
            chosen[key] = card
            continue
        dropped += 1
        if (card.period or "") > (old.period or ""):
            chosen[key] = card
    return chosen, dropped


def _level(card: Scorecard) -> Level | None:
    return None if card.rating is None else (card.rating.level, card.rating.label)


def _employee_delta(card: Scorecard, old: PreviousCard) -> EmployeeDelta:
    old_kras = {k.id: k for k in old.kras}
    kras = [
        KRADelta(
            k.kra.id,
            k.kra.name,
            old_kras[k.kra.id].score if k.kra.id in old_kras else None,
            k.score,
        )
        for k in card.kras
    ]
    now_ids = {k.kra.id for k in card.kras}
    kras.extend(KRADelta(k.id, k.name, k.score, None) for k in old.kras if k.id not in now_ids)
    return EmployeeDelta(
        employee=card.employee,
        role=card.role.id,
        name=card.name,
        team=card.team,
        manager=card.manager,
        period_before=old.period,
        period=card.period,
        before=old.score,
        now=card.score,
        rating_before=old.rating,
        rating=_level(card),
        kras=tuple(kras),
    )


def _check_unique(current: Sequence[Scorecard]) -> None:
    seen: dict[tuple[str, str], Scorecard] = {}
    for card in current:
        key = (card.employee, card.role.id)
        if key in seen:
            periods = f"periods {seen[key].period} and {card.period}"
            raise usage_error(
                "compare.ambiguous",
                f"employee '{card.employee}' (role {card.role.id}) has several scorecards in this "
                f"batch ({periods}); a comparison needs one per employee and role",
                hint="keep one period with --period (or `period:` in the manifest)",
            )
        seen[key] = card


def compare(
    current: Sequence[Scorecard],
    previous: PreviousRun | Mapping[str, Any],
    *,
    top: int = DEFAULT_MOVERS,
    catalog_digest: str | None = None,
    source: str = "previous scores",
) -> Comparison:
    """Per-employee and per-KRA changes against an earlier run; see the module docstring."""
    prev = previous if isinstance(previous, PreviousRun) else parse_previous(previous, source)
    _check_unique(current)
    by_key, dropped = _latest(prev.cards)
    warnings: list[str] = []
    if dropped:
        warnings.append(
            f"{prev.source} holds several periods for {dropped} employee(s); "
            "each is compared with their latest period there"
        )
    same_catalog = None
    if catalog_digest is not None and prev.catalog_digest is not None:
        same_catalog = catalog_digest == prev.catalog_digest
        if not same_catalog:
            warnings.append(
                f"{prev.source} was scored with another catalog version "
                f"({prev.catalog_digest[:19]}...); changes may come from the catalog, "
                "not from performance"
            )
    employees: list[EmployeeDelta] = []
    new: list[Person] = []
    matched: set[tuple[str, str]] = set()
    for card in current:
        key = (card.employee, card.role.id)
        old = by_key.get(key)
        if old is None:
            new.append(
                Person(
                    card.employee,
                    card.role.id,
                    card.name,
                    card.team,
                    card.period,
                    card.score,
                    _level(card),
                )
            )
            continue
        matched.add(key)
        employees.append(_employee_delta(card, old))
    departed = [
        Person(c.employee, c.role, c.name, c.team, c.period, c.score, c.rating)
        for key, c in by_key.items()
        if key not in matched
    ]
    moved = [e for e in employees if e.delta is not None]
    up = sorted((e for e in moved if e.delta > 0), key=lambda e: (-e.delta, e.employee, e.role))  # type: ignore[operator]
    down = sorted((e for e in moved if e.delta < 0), key=lambda e: (e.delta, e.employee, e.role))  # type: ignore[operator]
    return Comparison(
        previous=prev.source,
        same_catalog=same_catalog,
        employees=employees,
        new=new,
        departed=departed,
        up=up[:top],
        down=down[:top],
        warnings=warnings,
    )


# --------------------------------------------------------------------------- all views


@dataclass(slots=True)
class BatchViews:
    """What `--group-by` and `--compare` add to a run; empty views add nothing anywhere."""

    groups: list[GroupRollup] = field(default_factory=list)
    calibration: Calibration | None = None
    comparison: Comparison | None = None

    def __bool__(self) -> bool:
        return bool(self.groups) or self.comparison is not None


def build_views(
    scorecards: Sequence[Scorecard],
    group_by: Sequence[str] = (),
    previous: PreviousRun | None = None,
    *,
    top: int = DEFAULT_MOVERS,
    catalog_digest: str | None = None,
) -> BatchViews:
    """Rollups for each `group_by` (in order), the calibration view, and the comparison."""
    groups = [g for by in group_by for g in group_rollups(scorecards, by)]
    return BatchViews(
        groups=groups,
        calibration=calibration(scorecards, groups) if group_by else None,
        comparison=None
        if previous is None
        else compare(scorecards, previous, top=top, catalog_digest=catalog_digest),
    )
