"""CSV output (SPEC 5): one row per scorecard, then one column per KRA score."""

from __future__ import annotations

import csv
import io

from kpicard.models import Scorecard, ScoreRun
from kpicard.render.safe import formula_safe

BASE_COLUMNS = [
    "employee",
    "name",
    "role",
    "team",
    "manager",
    "period",
    "score",
    "coverage",
    "rating_level",
    "rating_label",
]


def kra_columns(cards: list[Scorecard]) -> list[tuple[str, str, str]]:
    """(column name, role id, kra id) in catalog order; `<role>.<kra>` when roles are mixed."""
    roles = {}
    for card in cards:
        roles.setdefault(card.role.id, card.role)
    several = len(roles) > 1
    return [
        (f"{role.id}.{kra.id}" if several else kra.id, role.id, kra.id)
        for role in roles.values()
        for kra in role.kras
    ]


def _text(value: str | None) -> str | None:
    """Text cells get the formula guard; numbers and None (an empty cell) go out as they are."""
    return None if value is None else formula_safe(value)


def render_csv(run: ScoreRun) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = kra_columns(run.scorecards)
    writer.writerow(BASE_COLUMNS + [name for name, _r, _k in columns])
    # Where each role's KRA scores go: its KRAs are contiguous columns in catalog order, which
    # is also the order of a scorecard's `kras`, so a row's tail is one slice assignment.
    first = {}
    for i, (_name, role_id, _kra) in enumerate(columns):
        first.setdefault(role_id, i)
    width = len(columns)
    rows = []
    for card in run.scorecards:
        rating = card.rating
        tail: list[float | None] = [None] * width
        start = first[card.role.id]
        kras = card.kras
        tail[start : start + len(kras)] = [k.score for k in kras]
        rows.append(
            [
                _text(card.employee),
                _text(card.name),
                card.role.id,
                _text(card.team),
                _text(card.manager),
                _text(card.period),
                card.score,
                card.coverage,
                rating.level if rating else None,
                rating.label if rating else None,
                *tail,
            ]
        )
    writer.writerows(rows)
    return buffer.getvalue()
