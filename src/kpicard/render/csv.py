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
    for card in run.scorecards:
        kra_scores = {(card.role.id, k.kra.id): k.score for k in card.kras}
        rating = card.rating
        writer.writerow(
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
                *[kra_scores.get((r, k)) for _n, r, k in columns],
            ]
        )
    return buffer.getvalue()
