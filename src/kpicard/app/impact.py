"""`catalog diff --impact`: the same actuals scored under two catalog versions, paired by
employee, role and period, so a reviewer sees whose score and rating a change moves."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from kpicard.app.request import Input, RunRequest
from kpicard.app.run import prepare, reading_options, score_each, scoring_options
from kpicard.catalog.diff import Impact, ImpactRow
from kpicard.catalog.load import Catalog
from kpicard.diagnostics import Diagnostic, KpicardError, Severity
from kpicard.models import Scorecard

Key = tuple[str, str, str | None]


def impact(
    actuals: Sequence[Input],
    old: Catalog,
    new: Catalog,
    role: str | None,
    request: RunRequest | None = None,
) -> Impact:
    """Score the actuals under both catalogs and pair the scorecards by employee, role, period.

    `request` carries the scoring options (missing, cap, min coverage...); its inputs are
    replaced by `actuals`."""
    base = dataclasses.replace(request or RunRequest(tuple(actuals)), inputs=tuple(actuals))
    sides = [_side("old", old, new, role, base), _side("new", new, old, role, base)]
    before, after = ({_key(c): c for c in cards} for cards, _ in sides)
    rows = []
    for key in list(before) + [k for k in after if k not in before]:
        a, b = before.get(key), after.get(key)
        card = b or a
        assert card is not None
        rows.append(
            ImpactRow(
                employee=key[0],
                name=card.name,
                role=key[1],
                period=key[2],
                old_score=a.score if a else None,
                new_score=b.score if b else None,
                old_rating=_rating(a),
                new_rating=_rating(b),
            )
        )
    rows.sort(key=_impact_order)
    seen: set[str] = set()
    warnings = []
    for d in sides[0][1] + sides[1][1]:
        if d.render() not in seen:
            seen.add(d.render())
            warnings.append(d)
    return Impact(rows, warnings)


def _side(
    label: str, catalog: Catalog, other: Catalog, role: str | None, request: RunRequest
) -> tuple[list[Scorecard], list[Diagnostic]]:
    """The scorecards and warnings of one side; nobody has a score on a side without the role
    (it was added or removed), and rows of a role only the other side has are left out."""
    if role is not None and role not in catalog.roles:
        return [], []
    request = dataclasses.replace(request, role=role)
    try:
        prepared = prepare(request, catalog)
        only_there = frozenset(set(other.roles) - set(catalog.roles))
        reading = reading_options(request, skip_roles=only_there)
        runs, failed = score_each(prepared.sources, catalog, scoring_options(request), reading)
        if failed:
            raise KpicardError([d for ds in failed.values() for d in ds])
    except KpicardError as exc:
        note = Diagnostic(
            "diff.impact",
            f"the actuals cannot be scored under the {label} catalog ({catalog.display})",
            Severity.NOTE,
        )
        raise type(exc)([*exc.diagnostics, note], exc.kind) from None
    cards = [c for run in runs.values() for c in run.scorecards]
    return cards, [d for run in runs.values() for d in run.diagnostics]


def _key(card: Scorecard) -> Key:
    return (card.employee, card.role.id, card.period)


def _rating(card: Scorecard | None) -> tuple[int, str] | None:
    if card is None or card.rating is None:
        return None
    return (card.rating.level, card.rating.label)


def _impact_order(row: ImpactRow) -> tuple[int, float, str, str]:
    delta = row.delta
    size = float("inf") if delta is None and row.moved else abs(delta or 0.0)
    return (0 if row.moved else 1, -size, row.employee, row.period or "")
