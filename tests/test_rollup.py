"""Group rollups and calibration against numbers worked by hand (SPEC 8)."""

from __future__ import annotations

import pytest

from kpicard.models import DEFAULT_RATING_SCALE, Rating, Role, Scorecard
from kpicard.render.batch import extra_data, groups_csv, groups_rows, plain_sections
from kpicard.rollup import BatchViews, calibration, group_rollups

ROLE = Role.model_validate(
    {
        "kpicard": 1,
        "id": "tiny",
        "name": "Tiny",
        "kras": [
            {
                "id": "k",
                "name": "K",
                "weight": 100,
                "kpis": [
                    {
                        "id": "x",
                        "name": "X",
                        "unit": "number",
                        "direction": "higher",
                        "threshold": 0,
                        "target": 100,
                    }
                ],
            }
        ],
    }
)


def _rating(score: float | None) -> Rating | None:
    """The default scale (SPEC 1.4): the highest level whose min_score <= score."""
    if score is None:
        return None
    level = next(r for r in DEFAULT_RATING_SCALE if score >= (r.min_score or 0))
    return Rating(level.level, level.label)


def card(emp: str, score: float | None, team: str | None, *, rated: bool = True) -> Scorecard:
    return Scorecard(
        employee=emp,
        role=ROLE,
        score=score,
        coverage=1.0 if rated else 0.25,
        rating=_rating(score) if rated else None,
        kras=[],
        team=team,
        manager="M1" if emp < "E5" else "M2",
    )


CARDS = [
    # team A: 70 (level 2), 95 (3), 110 (4), 88 (2)
    card("E1", 70.0, "A"),
    card("E2", 95.0, "A"),
    card("E3", 110.0, "A"),
    card("E4", 88.0, "A"),
    # team B: 60 (1), 120 (5), 99 (3), and one with nothing measured (no score, no rating)
    card("E5", 60.0, "B"),
    card("E6", 120.0, "B"),
    card("E7", 99.0, "B"),
    card("E8", None, "B"),
    # no team: 105 with coverage below the minimum (scored, but "insufficient data")
    card("E9", 105.0, None, rated=False),
]


def test_team_rollups_match_the_hand_computed_numbers() -> None:
    a, b, none = group_rollups(CARDS, "team")
    # A: sorted 70, 88, 95, 110 -> even count, median (88 + 95) / 2 = 91.5;
    #    mean (70 + 95 + 110 + 88) / 4 = 363 / 4 = 90.75; min 70; max 110
    assert (a.key, a.count, a.scored, a.unscored) == ("A", 4, 4, 0)
    assert (a.mean, a.median, a.min, a.max) == (90.75, 91.5, 70.0, 110.0)
    # B: the unscored E8 counts in count and unscored only; sorted 60, 99, 120 -> odd count,
    #    median 99; mean (60 + 120 + 99) / 3 = 279 / 3 = 93
    assert (b.key, b.count, b.scored, b.unscored) == ("B", 4, 3, 1)
    assert (b.mean, b.median, b.min, b.max) == (93.0, 99.0, 60.0, 120.0)
    # the group without a team comes last
    assert none.key is None and none.count == 1 and none.median == 105.0


def test_rating_distribution_lists_every_level_and_insufficient_data() -> None:
    a, b, none = group_rollups(CARDS, "team")
    assert a.ratings.levels == tuple((r.level, r.label) for r in DEFAULT_RATING_SCALE)
    # levels 5..1: A has one 4 (110), one 3 (95), two 2s (70, 88)
    assert a.ratings.counts == (0, 1, 1, 2, 0) and a.ratings.insufficient == 0
    # B: 120 -> 5, 99 -> 3, 60 -> 1, the unscored E8 -> insufficient data
    assert b.ratings.counts == (1, 0, 1, 0, 1) and b.ratings.insufficient == 1
    # E9 is scored (105) but below the minimum coverage: insufficient data, yet in the stats
    assert none.ratings.counts == (0, 0, 0, 0, 0) and none.ratings.insufficient == 1
    assert sum(g.ratings.total for g in (a, b, none)) == len(CARDS)


def test_grouping_by_manager_and_role() -> None:
    m1, m2 = group_rollups(CARDS, "manager")
    assert (m1.key, m1.count, m2.key, m2.count) == ("M1", 4, "M2", 5)
    # M2: 60, 120, 99, 105 scored (E8 unscored) -> sorted 60, 99, 105, 120 -> median 102
    assert m2.median == 102.0 and m2.unscored == 1
    (role,) = group_rollups(CARDS, "role")
    assert role.key == "tiny" and role.count == 9 and role.scored == 8


def test_unknown_group_by_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot group by"):
        group_rollups(CARDS, "department")


def test_empty_group_has_no_statistics() -> None:
    (only,) = group_rollups([card("E8", None, "B")], "team")
    assert (only.count, only.scored, only.mean, only.median, only.min, only.max) == (
        1,
        0,
        None,
        None,
        None,
        None,
    )


def test_calibration_covers_the_batch_and_each_group() -> None:
    groups = group_rollups(CARDS, "team")
    cal = calibration(CARDS, groups)
    # whole batch: 5: E6; 4: E3; 3: E2, E7; 2: E1, E4; 1: E5; insufficient: E8, E9
    assert cal.overall.ratings.counts == (1, 1, 2, 2, 1)
    assert cal.overall.ratings.insufficient == 2
    assert [g.key for g in cal.groups] == ["A", "B", None]


def test_renderers_show_the_same_numbers() -> None:
    groups = group_rollups(CARDS, "team")
    views = BatchViews(groups=groups, calibration=calibration(CARDS, groups))
    data = extra_data(views)["groups"]
    assert data[0]["median"] == 91.5 and data[1]["unscored"] == 1
    assert data[1]["ratings"][-1] == {"level": None, "label": "insufficient data", "count": 1}
    header, rows = groups_rows(groups)
    assert header[-6:] == [
        "rating_5",
        "rating_4",
        "rating_3",
        "rating_2",
        "rating_1",
        "insufficient_data",
    ]
    assert rows[0][:9] == ["team", "A", 4, 4, 0, 90.75, 91.5, 70.0, 110.0]
    assert groups_csv(groups).splitlines()[3].startswith("team,,1,1,0,105.0,105.0")
    text = plain_sections(views)
    assert "# Groups by team" in text and "(none)" in text
    # piped text draws bars with '#', never block characters
    assert "#####" in text and "█" not in text


def test_group_table_names_levels_when_roles_use_different_scales() -> None:
    """Two scales both have a level 3: the header must say which one each column counts."""
    from kpicard.render.batch import group_table

    scale = [
        {"level": 3, "label": "Strong", "min_score": 100},
        {"level": 2, "label": "Solid", "min_score": 80},
        {"level": 1, "label": "Weak"},
    ]
    three = Role.model_validate(
        {**ROLE.model_dump(exclude_none=True), "id": "three", "rating_scale": scale}
    )
    mixed = [*CARDS, Scorecard("F1", three, 105.0, 1.0, Rating(3, "Strong"), [], team="A")]
    header, _rows = group_table(group_rollups(mixed, "team"))
    assert "3 Strong" in header and "3 Meets expectations" in header
    header, _rows = group_table(group_rollups(CARDS, "team"))
    assert header[-6:] == ["5", "4", "3", "2", "1", "n/a"]
