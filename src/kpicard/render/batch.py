"""Group rollups, calibration and comparisons in every output format (SPEC 8).

The scorecards keep their own renderers; this module renders what `--group-by` and `--compare`
add. Decisions (README material):

- JSON: two additive top-level keys, present only when asked for: `groups` (a list of rollups,
  each naming its `by`) and `comparison`. Schema version stays 1 (SPEC 5: keys only grow).
- CSV holds one table, so stdout carries the scorecards only. With an output file `X.csv`, the
  rollups go to `X.groups.csv` and the comparison to `X.comparison.csv` beside it (under
  `--out-dir`, beside `summary.csv`).
- Markdown and plain text append sections after the scorecards; a terminal gets rich tables and
  a calibration bar chart of block characters; piped text uses `#` bars and no colour.
- xlsx: `groups_rows` / `comparison_rows` give header + rows of raw values for `Groups` and
  `Comparison` sheets.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kpicard.render.numbers import fixed, fmt_change, fmt_score
from kpicard.render.safe import clean, formula_safe, md_escape
from kpicard.render.text import md_table
from kpicard.rollup import (
    INSUFFICIENT,
    BatchViews,
    Calibration,
    Comparison,
    Distribution,
    EmployeeDelta,
    GroupRollup,
    Level,
    Person,
)

BAR_WIDTH = 30
NO_KEY = "(none)"
_EIGHTHS = " ▏▎▍▌▋▊▉"


# --------------------------------------------------------------------------- JSON


def _level_data(level: Level | None) -> dict[str, Any] | None:
    return None if level is None else {"level": level[0], "label": level[1]}


def distribution_data(dist: Distribution) -> list[dict[str, Any]]:
    items = [
        {"level": lv, "label": label, "count": n}
        for (lv, label), n in zip(dist.levels, dist.counts, strict=True)
    ]
    items.append({"level": None, "label": INSUFFICIENT, "count": dist.insufficient})
    return items


def group_data(group: GroupRollup) -> dict[str, Any]:
    return {
        "by": group.by,
        "key": group.key,
        "count": group.count,
        "scored": group.scored,
        "unscored": group.unscored,
        "mean": group.mean,
        "median": group.median,
        "min": group.min,
        "max": group.max,
        "ratings": distribution_data(group.ratings),
    }


def _delta_data(e: EmployeeDelta) -> dict[str, Any]:
    return {
        "employee": e.employee,
        "name": e.name,
        "role": e.role,
        "team": e.team,
        "manager": e.manager,
        "period_before": e.period_before,
        "period": e.period,
        "score_before": e.before,
        "score": e.now,
        "change": e.delta,
        "rating_before": _level_data(e.rating_before),
        "rating": _level_data(e.rating),
        "level_change": e.level_delta,
        "kras": [
            {
                "id": k.id,
                "name": k.name,
                "score_before": k.before,
                "score": k.now,
                "change": k.delta,
            }
            for k in e.kras
        ],
    }


def _person_data(p: Person) -> dict[str, Any]:
    return {
        "employee": p.employee,
        "name": p.name,
        "role": p.role,
        "team": p.team,
        "period": p.period,
        "score": p.score,
        "rating": _level_data(p.rating),
    }


def _mover_data(e: EmployeeDelta) -> dict[str, Any]:
    return {
        "employee": e.employee,
        "name": e.name,
        "role": e.role,
        "score_before": e.before,
        "score": e.now,
        "change": e.delta,
    }


def comparison_data(c: Comparison) -> dict[str, Any]:
    return {
        "previous": c.previous,
        "same_catalog": c.same_catalog,
        "matched": len(c.employees),
        "employees": [_delta_data(e) for e in c.employees],
        "new": [_person_data(p) for p in c.new],
        "departed": [_person_data(p) for p in c.departed],
        "movers": {"up": [_mover_data(e) for e in c.up], "down": [_mover_data(e) for e in c.down]},
        "warnings": list(c.warnings),
    }


def extra_data(views: BatchViews | None) -> dict[str, Any]:
    """The top-level keys to pass as `extra` to `run_to_data` / `render_json`."""
    extra: dict[str, Any] = {}
    if views is None:
        return extra
    if views.groups:
        extra["groups"] = [group_data(g) for g in views.groups]
    if views.comparison is not None:
        extra["comparison"] = comparison_data(views.comparison)
    return extra


# --------------------------------------------------------------------------- rows (CSV, xlsx)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_")


def rating_columns(levels: Sequence[Level]) -> list[str]:
    """`rating_5`, ...; `rating_5_outstanding` when two scales share a level number."""
    numbers = [lv for lv, _ in levels]
    return [
        f"rating_{lv}" if numbers.count(lv) == 1 else f"rating_{lv}_{_slug(label)}"
        for lv, label in levels
    ] + ["insufficient_data"]


GROUP_COLUMNS = ["group_by", "group", "count", "scored", "unscored", "mean", "median", "min", "max"]


def groups_rows(groups: Sequence[GroupRollup]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of raw values (None for empty) for a `Groups` sheet or groups.csv."""
    if not groups:
        return [*GROUP_COLUMNS, "insufficient_data"], []
    levels = groups[0].ratings.levels
    header = GROUP_COLUMNS + rating_columns(levels)
    rows = [
        [
            g.by,
            g.key,
            g.count,
            g.scored,
            g.unscored,
            g.mean,
            g.median,
            g.min,
            g.max,
            *g.ratings.counts,
            g.ratings.insufficient,
        ]
        for g in groups
    ]
    return header, rows


def _kra_change_columns(c: Comparison) -> list[tuple[str, str, str]]:
    """(column, role, kra id) in first-seen order; `<role>.<kra>` when roles are mixed."""
    seen: dict[tuple[str, str], None] = {}
    for e in c.employees:
        for k in e.kras:
            seen.setdefault((e.role, k.id), None)
    several = len({role for role, _ in seen}) > 1
    return [
        (f"{role}.{kra}_change" if several else f"{kra}_change", role, kra) for role, kra in seen
    ]


COMPARISON_COLUMNS = [
    "status",
    "employee",
    "name",
    "role",
    "team",
    "period_before",
    "period",
    "score_before",
    "score",
    "change",
    "rating_level_before",
    "rating_label_before",
    "rating_level",
    "rating_label",
    "level_change",
]


def comparison_rows(c: Comparison) -> tuple[list[str], list[list[Any]]]:
    """One row per employee: matched, then new, then departed; KRA changes as columns."""
    kra_cols = _kra_change_columns(c)
    header = COMPARISON_COLUMNS + [name for name, _r, _k in kra_cols]
    rows: list[list[Any]] = []
    blank_kras: list[Any] = [None] * len(kra_cols)
    for e in c.employees:
        changes = {(e.role, k.id): k.delta for k in e.kras}
        rb, rn = e.rating_before, e.rating
        rows.append(
            [
                "matched",
                e.employee,
                e.name,
                e.role,
                e.team,
                e.period_before,
                e.period,
                e.before,
                e.now,
                e.delta,
                rb[0] if rb else None,
                rb[1] if rb else None,
                rn[0] if rn else None,
                rn[1] if rn else None,
                e.level_delta,
                *(changes.get((r, k)) for _n, r, k in kra_cols),
            ]
        )
    for status, people in (("new", c.new), ("departed", c.departed)):
        for p in people:
            before = status == "departed"
            rt = p.rating
            rows.append(
                [
                    status,
                    p.employee,
                    p.name,
                    p.role,
                    p.team,
                    p.period if before else None,
                    None if before else p.period,
                    p.score if before else None,
                    None if before else p.score,
                    None,
                    rt[0] if rt and before else None,
                    rt[1] if rt and before else None,
                    rt[0] if rt and not before else None,
                    rt[1] if rt and not before else None,
                    None,
                    *blank_kras,
                ]
            )
    return header, rows


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    return formula_safe(str(value))


def rows_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_csv_cell(v) for v in row] for row in rows)
    return buffer.getvalue()


def groups_csv(groups: Sequence[GroupRollup]) -> str:
    return rows_csv(*groups_rows(groups))


def comparison_csv(c: Comparison) -> str:
    return rows_csv(*comparison_rows(c))


def companion_paths(main: Path, views: BatchViews | None) -> dict[Path, str]:
    """For a CSV output `X.csv`: `X.groups.csv` and `X.comparison.csv` with their text."""
    files: dict[Path, str] = {}
    if views is None:
        return files
    if views.groups:
        files[main.with_name(f"{main.stem}.groups.csv")] = groups_csv(views.groups)
    if views.comparison is not None:
        files[main.with_name(f"{main.stem}.comparison.csv")] = comparison_csv(views.comparison)
    return files


# --------------------------------------------------------------------------- display text


def _key(key: str | None) -> str:
    return NO_KEY if key is None else key


def _rating_text(level: Level | None) -> str:
    return INSUFFICIENT if level is None else f"{level[0]} {level[1]}"


def level_headers(levels: Sequence[Level]) -> list[str]:
    return [f"{lv} {label}" for lv, label in levels] + [INSUFFICIENT]


def group_table(groups: Sequence[GroupRollup]) -> tuple[list[str], list[list[str]]]:
    """Display rows of the rollups of one `by`: statistics then the rating counts."""
    levels = groups[0].ratings.levels
    header = [groups[0].by, "count", "unscored", "mean", "median", "min", "max"]
    numbers = [lv for lv, _ in levels]
    if len(set(numbers)) == len(numbers):
        header += [str(lv) for lv in numbers] + ["n/a"]
    else:  # roles with different rating scales: "3" alone would not say which level
        header += [f"{lv} {label}" for lv, label in levels] + ["n/a"]
    rows = [
        [
            _key(g.key),
            str(g.count),
            str(g.unscored),
            fmt_score(g.mean),
            fmt_score(g.median),
            fmt_score(g.min),
            fmt_score(g.max),
            *(str(n) for n in g.ratings.counts),
            str(g.ratings.insufficient),
        ]
        for g in groups
    ]
    return header, rows


def by_dimension(groups: Sequence[GroupRollup]) -> dict[str, list[GroupRollup]]:
    out: dict[str, list[GroupRollup]] = {}
    for g in groups:
        out.setdefault(g.by, []).append(g)
    return out


def bar(share: float, *, blocks: bool, width: int = BAR_WIDTH) -> str:
    """A horizontal bar `share` (0..1) of `width` cells; eighth blocks on a terminal, else `#`."""
    if not blocks:
        return "#" * round(share * width)
    eighths = round(share * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


def calibration_lines(cal: Calibration, *, blocks: bool) -> list[str]:
    """The rating distribution of the batch and of each group, as labelled bars."""
    labels = level_headers(cal.levels)
    width = max(len(label) for label in labels)
    lines: list[str] = []
    for title, group in [("all", cal.overall), *((f"{g.by} {_key(g.key)}", g) for g in cal.groups)]:
        dist = group.ratings
        lines.append(f"{clean(title)} ({dist.total})")
        for label, n in zip(labels, (*dist.counts, dist.insufficient), strict=True):
            share = dist.share(n)
            row = f"  {label.ljust(width)} {n:>5} {share * 100:>4.0f}%  {bar(share, blocks=blocks)}"
            lines.append(row.rstrip())
        lines.append("")
    return lines


def mover_table(movers: Sequence[EmployeeDelta]) -> tuple[list[str], list[list[str]]]:
    header = ["employee", "name", "role", "before", "now", "change", "rating"]
    rows = [
        [
            e.employee,
            e.name or "",
            e.role,
            fmt_score(e.before),
            fmt_score(e.now),
            fmt_change(e.delta),
            _rating_change(e),
        ]
        for e in movers
    ]
    return header, rows


def _rating_change(e: EmployeeDelta, *, short: bool = False) -> str:
    """`3 Meets expectations -> 4 Exceeds expectations`; levels only (`3 -> 4`) when short."""
    if short:
        before, now = (("n/a" if r is None else str(r[0])) for r in (e.rating_before, e.rating))
        return now if before == now else f"{before} -> {now}"
    if e.rating_before == e.rating:
        return _rating_text(e.rating)
    return f"{_rating_text(e.rating_before)} -> {_rating_text(e.rating)}"


def change_tables(c: Comparison) -> list[tuple[str, list[str], list[list[str]]]]:
    """Per role: every matched employee's score, rating and KRA changes."""
    per_role: dict[str, list[EmployeeDelta]] = {}
    for e in c.employees:
        per_role.setdefault(e.role, []).append(e)
    tables = []
    for role, people in per_role.items():
        kra_ids: dict[str, None] = {}
        for e in people:
            for k in e.kras:
                kra_ids.setdefault(k.id, None)
        header = ["employee", "name", "before", "now", "change", "rating", *kra_ids]
        rows = []
        for e in people:
            changes = {k.id: k.delta for k in e.kras}
            rows.append(
                [
                    e.employee,
                    e.name or "",
                    fmt_score(e.before),
                    fmt_score(e.now),
                    fmt_change(e.delta),
                    _rating_change(e, short=True),
                    *(fmt_change(changes.get(k)) for k in kra_ids),
                ]
            )
        tables.append((role, header, rows))
    return tables


def _people_rows(people: Sequence[Person]) -> tuple[list[str], list[list[str]]]:
    header = ["employee", "name", "role", "team", "period", "score", "rating"]
    rows = [
        [
            p.employee,
            p.name or "",
            p.role,
            p.team or "",
            p.period or "",
            fmt_score(p.score),
            _rating_text(p.rating),
        ]
        for p in people
    ]
    return header, rows


def comparison_summary(c: Comparison) -> str:
    return (
        f"compared with {c.previous}: {len(c.employees)} matched, {len(c.new)} new, "
        f"{len(c.departed)} departed"
    )


def _sections(
    views: BatchViews, *, warnings: bool = True
) -> list[tuple[str, list[str], list[list[str]]] | str]:
    """The views as a sequence of titled tables and free lines, for every text renderer.

    `warnings=False` leaves out the comparison's warnings: on standard output they would mix
    messages into data, so the command prints them to standard error instead.
    """
    parts: list[tuple[str, list[str], list[list[str]]] | str] = []
    for by, groups in by_dimension(views.groups).items():
        parts.append((f"Groups by {by}", *group_table(groups)))
    c = views.comparison
    if c is not None:
        parts.append(comparison_summary(c))
        if warnings:
            parts.extend(c.warnings)
        if c.up:
            parts.append(("Largest movers up", *mover_table(c.up)))
        if c.down:
            parts.append(("Largest movers down", *mover_table(c.down)))
        if c.new:
            parts.append(("New", *_people_rows(c.new)))
        if c.departed:
            parts.append(("Departed", *_people_rows(c.departed)))
        for role, header, rows in change_tables(c):
            parts.append((f"Changes: {role}", header, rows))
    return parts


def plain_sections(views: BatchViews | None, *, warnings: bool = True) -> str:
    """Stable uncoloured text for pipes and `.txt` files."""
    from kpicard.render.terminal import plain_table

    if not views:
        return ""
    out: list[str] = []
    for part in _sections(views, warnings=warnings):
        if isinstance(part, str):
            out.append(clean(part) + "\n")
        else:
            title, header, rows = part
            out.append(f"\n# {title}\n" + plain_table(header, rows))
    if views.calibration is not None:
        out.append("\n# Calibration: rating distribution\n")
        out.append("\n".join(calibration_lines(views.calibration, blocks=False)))
    return "".join(out)


def calibration_md(cal: Calibration) -> str:
    header = ["group", *level_headers(cal.levels)]
    rows = []
    for title, g in [("all", cal.overall), *((f"{x.by} {_key(x.key)}", x) for x in cal.groups)]:
        d = g.ratings
        rows.append(
            [title] + [f"{n} ({fixed(d.share(n) * 100, 0)}%)" for n in (*d.counts, d.insufficient)]
        )
    return md_table(header, rows)


def markdown_sections(views: BatchViews | None) -> str:
    """Extra `##` sections to append to the scorecards' markdown."""
    if not views:
        return ""
    out: list[str] = []
    for part in _sections(views):
        if isinstance(part, str):
            out.append(md_escape(part) + "\n\n")
        else:
            title, header, rows = part
            out.append(f"## {md_escape(title)}\n\n" + md_table(header, rows) + "\n")
    if views.calibration is not None:
        out.append("## Calibration: rating distribution\n\n" + calibration_md(views.calibration))
        out.append("\n")
    return "".join(out)


def print_sections(views: BatchViews | None) -> None:
    """On a terminal: rich tables and block-character bars; piped: `plain_sections`."""
    import sys

    from kpicard.render.terminal import out_console, stdout_is_terminal

    if not views:
        return
    if not stdout_is_terminal():
        sys.stdout.write(plain_sections(views, warnings=False))
        return
    from rich.table import Table
    from rich.text import Text

    console = out_console()
    for part in _sections(views, warnings=False):
        if isinstance(part, str):
            console.print(Text(clean(part)))
            continue
        title, header, rows = part
        table = Table(title=title, title_justify="left")
        for i, h in enumerate(header):
            table.add_column(clean(h), justify="left" if i == 0 or h in _LEFT else "right")
        for row in rows:
            cells = [Text(clean(v)) for v in row]
            for cell, h in zip(cells, header, strict=True):
                if h == "change" or h.endswith("_change") or title.startswith("Changes"):
                    if cell.plain.startswith("+") and cell.plain != "+0.0":
                        cell.stylize("green")
                    elif cell.plain.startswith("-") and cell.plain not in ("-", "-0.0"):
                        cell.stylize("red")
            table.add_row(*cells)
        console.print(table)
    if views.calibration is not None:
        console.print(Text("Calibration: rating distribution", style="bold"))
        for line in calibration_lines(views.calibration, blocks=True):
            console.print(Text(line))


_LEFT = {"name", "role", "rating", "team", "period", "employee"}


# --------------------------------------------------------------------------- whole documents


def xlsx_sheets(views: BatchViews | None) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The `Groups` and `Comparison` sheets a workbook gets for a batch's views."""
    sheets: list[tuple[str, list[str], list[list[Any]]]] = []
    if views is None:
        return sheets
    if views.groups:
        header, rows = groups_rows(views.groups)
        sheets.append(("Groups", list(header), [list(r) for r in rows]))
    if views.comparison is not None:
        header, rows = comparison_rows(views.comparison)
        sheets.append(("Comparison", list(header), [list(r) for r in rows]))
    return sheets
