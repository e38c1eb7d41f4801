"""Quarter-on-quarter comparison against an earlier JSON output (SPEC 5, 8)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kpicard.diagnostics import KpicardError
from kpicard.models import KRAResult, Rating, Role, Scorecard
from kpicard.render.batch import comparison_csv, comparison_rows, extra_data, plain_sections
from kpicard.rollup import BatchViews, compare, load_previous

ROLE = Role.model_validate(
    {
        "kpicard": 1,
        "id": "tiny",
        "name": "Tiny",
        "kras": [
            {
                "id": kra,
                "name": kra.upper(),
                "weight": 50,
                "kpis": [
                    {
                        "id": f"{kra}-x",
                        "name": f"{kra} X",
                        "unit": "number",
                        "direction": "higher",
                        "threshold": 0,
                        "target": 100,
                    }
                ],
            }
            for kra in ("a", "b")
        ],
    }
)
KRA_A, KRA_B = ROLE.kras

MEETS = Rating(3, "Meets expectations")
PARTLY = Rating(2, "Partially meets expectations")
EXCEEDS = Rating(4, "Exceeds expectations")


def now(emp: str, score: float | None, a: float | None, b: float | None, rating) -> Scorecard:
    return Scorecard(
        employee=emp,
        role=ROLE,
        score=score,
        coverage=1.0,
        rating=rating,
        kras=[KRAResult(KRA_A, a, 1.0, []), KRAResult(KRA_B, b, 1.0, [])],
        name=f"Name {emp}",
        team="T",
        period="2026-Q3",
    )


def before(emp: str, score, a, b, rating, period: str = "2026-Q2", role: str = "tiny"):
    return {
        "employee": emp,
        "name": f"Name {emp}",
        "role": role,
        "team": "T",
        "manager": None,
        "period": period,
        "score": score,
        "coverage": 1.0,
        "rating": None if rating is None else {"level": rating.level, "label": rating.label},
        "kras": [{"id": "a", "score": a}, {"id": "b", "score": b}],
    }


def document(cards: list[dict[str, Any]], digest: str = "sha256:old") -> dict[str, Any]:
    return {
        "kpicard": 1,
        "catalog": {"path": "catalog", "digest": digest},
        "options": {"missing": "exclude", "min_coverage": 0.5, "cap": 120},
        "scorecards": cards,
        "warnings": [],
    }


CURRENT = [
    now("E1", 95.0, 90.0, 100.0, MEETS),  # up 10 from 85 (a +10, b +10), rating 2 -> 3
    now("E2", 80.0, 70.0, 90.0, PARTLY),  # down 12.5 from 92.5, rating 3 -> 2
    now("E3", 106.0, 112.0, 100.0, EXCEEDS),  # up 1 from 105, rating unchanged
    now("E4", 91.0, 91.0, 91.0, MEETS),  # unchanged
    now("E5", 70.0, 70.0, 70.0, PARTLY),  # new
]
PREVIOUS = document(
    [
        before("E1", 85.0, 80.0, 90.0, PARTLY),
        before("E2", 92.5, 95.0, 90.0, MEETS),
        before("E3", 105.0, 110.0, 100.0, EXCEEDS),
        before("E4", 91.0, 91.0, 91.0, MEETS),
        before("E6", 88.0, 88.0, 88.0, PARTLY),  # departed
    ]
)


def test_deltas_per_employee_and_kra() -> None:
    c = compare(CURRENT, PREVIOUS)
    by = {e.employee: e for e in c.employees}
    assert sorted(by) == ["E1", "E2", "E3", "E4"]
    # E1: 95 - 85 = +10; KRA a 90 - 80 = +10, b 100 - 90 = +10; level 3 - 2 = +1
    assert by["E1"].delta == 10.0 and by["E1"].level_delta == 1
    assert [(k.id, k.delta) for k in by["E1"].kras] == [("a", 10.0), ("b", 10.0)]
    # E2: 80 - 92.5 = -12.5; a 70 - 95 = -25, b 90 - 90 = 0; level 2 - 3 = -1
    assert by["E2"].delta == -12.5 and by["E2"].level_delta == -1
    assert [k.delta for k in by["E2"].kras] == [-25.0, 0.0]
    assert by["E2"].period_before == "2026-Q2" and by["E2"].period == "2026-Q3"
    assert by["E4"].delta == 0.0 and by["E4"].level_delta == 0


def test_new_departed_and_movers() -> None:
    c = compare(CURRENT, PREVIOUS, top=2)
    assert [p.employee for p in c.new] == ["E5"]
    assert [p.employee for p in c.departed] == ["E6"]
    # up: E1 +10, E3 +1 (E4's 0 is no move); down: E2 -12.5
    assert [(e.employee, e.delta) for e in c.up] == [("E1", 10.0), ("E3", 1.0)]
    assert [(e.employee, e.delta) for e in c.down] == [("E2", -12.5)]
    assert compare(CURRENT, PREVIOUS, top=1).up[0].employee == "E1"


def test_role_change_is_departed_and_new() -> None:
    prev = document([before("E1", 85.0, 80.0, 90.0, PARTLY, role="other-role")])
    c = compare(CURRENT[:1], prev)
    assert not c.employees
    assert [p.role for p in c.new] == ["tiny"] and [p.role for p in c.departed] == ["other-role"]


def test_missing_scores_give_no_delta() -> None:
    prev = document([before("E1", None, None, 90.0, None)])
    (e,) = compare([now("E1", 95.0, 90.0, 100.0, MEETS)], prev).employees
    assert e.delta is None and e.level_delta is None
    assert [k.delta for k in e.kras] == [None, 10.0]


def test_several_previous_periods_use_the_latest_with_a_warning() -> None:
    prev = document(
        [
            before("E1", 60.0, 60.0, 60.0, PARTLY, period="2026-Q1"),
            before("E1", 85.0, 80.0, 90.0, PARTLY, period="2026-Q2"),
        ]
    )
    c = compare(CURRENT[:1], prev)
    assert c.employees[0].before == 85.0
    assert any("several periods" in w for w in c.warnings)


def test_current_batch_needs_one_scorecard_per_employee() -> None:
    twice = [CURRENT[0], now("E1", 90.0, 90.0, 90.0, MEETS)]
    with pytest.raises(KpicardError) as info:
        compare(twice, PREVIOUS)
    assert info.value.kind == "usage" and "several scorecards" in str(info.value)


def test_other_catalog_is_flagged() -> None:
    c = compare(CURRENT, PREVIOUS, catalog_digest="sha256:new")
    assert c.same_catalog is False and any("another catalog" in w for w in c.warnings)
    assert compare(CURRENT, PREVIOUS, catalog_digest="sha256:old").same_catalog is True


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be a JSON object"),
        ({"scorecards": []}, "no 'kpicard' key"),
        ({"kpicard": 2, "scorecards": []}, "schema version 2 is not supported"),
        ({"kpicard": "1", "scorecards": []}, "'kpicard' must be the schema version 1"),
        ({"kpicard": 1}, "'scorecards' must be a list"),
        ({"kpicard": 1, "scorecards": [{"role": "tiny"}]}, "scorecards[0].employee"),
        (
            {"kpicard": 1, "scorecards": [{"employee": "E1", "role": "tiny", "score": "95"}]},
            "scorecards[0].score must be a number or null",
        ),
        (
            {
                "kpicard": 1,
                "scorecards": [{"employee": "E1", "role": "tiny", "rating": {"level": "3"}}],
            },
            "scorecards[0].rating",
        ),
    ],
)
def test_a_broken_previous_document_is_explained(data: Any, message: str) -> None:
    with pytest.raises(KpicardError) as info:
        compare(CURRENT, data, source="q2.json")
    (d,) = info.value.diagnostics
    assert info.value.kind == "invalid" and message in d.message
    assert str(d.location) == "q2.json"


def test_previous_file_errors(tmp_path: Path) -> None:
    broken = tmp_path / "q2.json"
    broken.write_text('{"kpicard": 1,\n  "scorecards": [,]}', encoding="utf-8")
    with pytest.raises(KpicardError) as info:
        load_previous(broken, "q2.json")
    assert str(info.value.diagnostics[0].location) == "q2.json:2:18"
    with pytest.raises(KpicardError) as missing:
        load_previous(tmp_path / "nope.json")
    assert missing.value.kind == "usage"
    good = tmp_path / "good.json"
    good.write_text(json.dumps(PREVIOUS), encoding="utf-8")
    assert len(load_previous(good).cards) == 5


def test_comparison_renders_in_every_format() -> None:
    c = compare(CURRENT, PREVIOUS, top=2)
    data = extra_data(BatchViews(comparison=c))["comparison"]
    assert data["matched"] == 4 and data["movers"]["up"][0]["change"] == 10.0
    assert data["employees"][0]["kras"][0] == {
        "id": "a",
        "name": "A",
        "score_before": 80.0,
        "score": 90.0,
        "change": 10.0,
    }
    json.dumps(data, allow_nan=False)
    header, rows = comparison_rows(c)
    assert header[-2:] == ["a_change", "b_change"]
    assert [r[0] for r in rows] == ["matched"] * 4 + ["new", "departed"]
    assert rows[0][7:10] == [85.0, 95.0, 10.0]
    assert comparison_csv(c).splitlines()[1].startswith("matched,E1,Name E1,tiny,T,2026-Q2")
    text = plain_sections(BatchViews(comparison=c))
    assert "4 matched, 1 new, 1 departed" in text and "+10.0" in text and "-12.5" in text
