"""`catalog diff` in words: the text lines, the markdown comment, the JSON document, and the
one-fact-per-line outline that `catalog textconv` gives git.

`kpicard.catalog.diff` finds the changes and returns them as data (`RoleDiff`, `Change`, and
`Impact` for `--impact`); everything a person or a tool reads is spelled here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kpicard.catalog.diff import KRA_TEXTS, ROLE_TEXTS, Change, RoleDiff, summary
from kpicard.catalog.load import Catalog
from kpicard.models import KPI, Band, Role
from kpicard.render.numbers import bound_text, fmt_change, fmt_score, number
from kpicard.render.safe import md_escape

if TYPE_CHECKING:  # data of `--impact`; only its attributes are read here
    from kpicard.catalog.diff import Impact, ImpactRow


# --------------------------------------------------------------------------- wording


def num(value: Any) -> str:
    """A catalog value as `catalog show` spells it (`1,500,000`, `33.333333`; see
    `kpicard.render.numbers`), a band as `min..max`, and `none` where there is none."""
    if value is None:
        return "none"
    if isinstance(value, Band):
        return bound_text(value)
    return number(value)


def _value(field_name: str | None, value: Any) -> str:
    if field_name == "rating_scale":
        return ", ".join(f"{r['level']} {r['label']} >= {num(r['min_score'])}" for r in value)
    if field_name == "scale" and value is not None:
        return f"[{num(value[0])}, {num(value[1])}]"
    if field_name in ("weight",) and value is not None:
        return f"{num(value)}%"
    if field_name in ("name", "kra") and value is not None:
        return f"'{value}'" if field_name == "name" else str(value)
    return num(value)


SIGNS = {"added": "+", "removed": "-", "moved": ">", "renamed": "~", "changed": "~"}


def describe(change: Change) -> str:
    """One line of plain English for a change (without its sign)."""
    what = {"role": "role", "kra": "KRA", "kpi": "KPI"}[change.target]
    subject = f"{what} {change.id}"
    if change.kind == "added":
        if change.target == "role":
            return (
                f"role {change.id} added: {change.new['kras']} KRA(s), {change.new['kpis']} KPI(s)"
            )
        where = f" to KRA {change.kra}" if change.kra else ""
        return f"{subject} added{where}, weight {num(change.new)}%"
    if change.kind == "removed":
        if change.target == "role":
            return (
                f"role {change.id} removed (had {change.old['kras']} KRA(s), "
                f"{change.old['kpis']} KPI(s))"
            )
        where = f" from KRA {change.kra}" if change.kra else ""
        return f"{subject} removed{where} (weight was {num(change.old)}%)"
    if change.kind == "moved":
        return f"{subject} moved from KRA {change.old} to KRA {change.new}"
    if change.kind == "renamed":
        return f"{subject} renamed '{change.old}' -> '{change.new}'"
    if change.minor:
        return f"{subject} {change.field} text changed"
    return (
        f"{subject} {change.field}: {_value(change.field, change.old)} -> "
        f"{_value(change.field, change.new)}"
    )


def header_line(old: Catalog, new: Catalog, diffs: list[RoleDiff]) -> str:
    s = summary(diffs)
    if not diffs:
        return f"no changes in meaning: {old.display} -> {new.display}"
    return (
        f"{old.display} -> {new.display}: {s['roles_changed']} role(s) changed, "
        f"{s['roles_added']} added, {s['roles_removed']} removed; {s['major']} change(s), "
        f"{s['minor']} text change(s)"
    )


def role_heading(d: RoleDiff) -> str:
    if d.status != "changed":
        return f"{describe(d.changes[0])}: {d.name}"
    return f"role {d.id} ({d.name}): {len(d.changes)} change(s)"


def render_text_lines(diffs: list[RoleDiff]) -> list[tuple[int, str, str]]:
    """(indent, sign, text) lines of the text output, for the plain and the coloured printer."""
    lines: list[tuple[int, str, str]] = []
    for d in diffs:
        lines.append((0, {"added": "+", "removed": "-"}.get(d.status, "~"), role_heading(d)))
        if d.status != "changed":
            continue
        for c in d.changes:
            lines.append((2, "." if c.minor else SIGNS[c.kind], describe(c)))
    return lines


# --------------------------------------------------------------------------- impact


def _rating_text(rating: tuple[int, str] | None, score: float | None) -> str:
    if rating is not None:
        return f"{rating[0]} {rating[1]}"
    # No score at all: nothing measured, or the role is not in that catalog.
    return "-" if score is None else "insufficient data"


IMPACT_HEADERS = ["employee", "name", "role", "period", "old", "new", "change", "old rating",
                  "new rating"]  # fmt: skip


def impact_rows(result: Impact, only_moved: bool = True) -> list[list[str]]:
    """Scores rounded as the tables and workbooks round them (`fmt_score`, `fmt_change`)."""
    return [
        [
            r.employee,
            r.name or "",
            r.role,
            r.period or "",
            fmt_score(r.old_score),
            fmt_score(r.new_score),
            fmt_change(r.delta),
            _rating_text(r.old_rating, r.old_score),
            _rating_text(r.new_rating, r.new_score),
        ]
        for r in result.rows
        if r.moved or not only_moved
    ]


def impact_summary_line(result: Impact) -> str:
    s = result.summary()
    return (
        f"{s['employees']} employee(s) scored: {s['score_changed']} change score, "
        f"{s['rating_changed']} change rating ({s['rating_up']} up, {s['rating_down']} down)"
    )


# --------------------------------------------------------------------------- text (terminal)

_SIGN_STYLE = {"+": "green", "-": "red", ">": "cyan", "~": "yellow", ".": "dim"}


def print_text(old: Catalog, new: Catalog, diffs: list[RoleDiff], result: Impact | None) -> None:
    """The text output on stdout: coloured signs on a terminal, plain lines when piped."""
    from rich.text import Text

    from kpicard.render.safe import clean
    from kpicard.render.terminal import out_console, plain_table

    console = out_console()
    console.print(Text(clean(header_line(old, new, diffs)), style="bold"))
    for indent, sign, text in render_text_lines(diffs):
        line = Text(" " * indent)
        line.append(sign, style=_SIGN_STYLE[sign])
        line.append(" " + clean(text), style="bold" if indent == 0 else "")
        console.print(line)
    if result is not None:
        console.print(Text(""))
        console.print(Text(clean(impact_summary_line(result)), style="bold"))
        rows = impact_rows(result)
        if rows:
            console.print(Text(plain_table(IMPACT_HEADERS, rows).rstrip("\n")))


# --------------------------------------------------------------------------- markdown


def render_markdown(
    old: Catalog, new: Catalog, diffs: list[RoleDiff], result: Impact | None
) -> str:
    from kpicard.render.text import md_table

    parts = [f"## Catalog changes: `{old.display}` → `{new.display}`\n\n"]
    parts.append(md_escape(header_line(old, new, diffs)) + "\n\n")
    for d in diffs:
        parts.append(f"### `{d.id}` {md_escape(d.name)} ({d.status})\n\n")
        if d.status != "changed":
            parts.append(md_escape(describe(d.changes[0])) + "\n\n")
            continue
        rows = [["·" if c.minor else SIGNS[c.kind], describe(c)] for c in d.changes]
        parts.append(md_table(["", "change"], rows) + "\n")
    if result is not None:
        parts.append("### Impact on scores\n\n")
        parts.append(md_escape(impact_summary_line(result)) + "\n\n")
        rows = impact_rows(result)
        if rows:
            parts.append(md_table(IMPACT_HEADERS, rows) + "\n")
    return "".join(parts).rstrip("\n") + "\n"


# --------------------------------------------------------------------------- json


def to_json(old: Catalog, new: Catalog, diffs: list[RoleDiff], result: Impact | None) -> dict:
    """The JSON document (schema version 1; keys only grow, see docs/catalogs-in-git.md).

    A document for tools, built here and not in `kpicard.catalog.diff` because each change
    carries its `message`, the sentence the text output prints.
    """
    doc: dict[str, Any] = {
        "kpicard": 1,
        "old": {"catalog": old.display, "digest": old.digest},
        "new": {"catalog": new.display, "digest": new.digest},
        "changed": bool(diffs),
        "summary": summary(diffs),
        "roles": [
            {
                "id": d.id,
                "name": d.name,
                "status": d.status,
                "changes": [change_json(c) for c in d.changes],
            }
            for d in diffs
        ],
        "impact": None,
    }
    if result is not None:
        doc["impact"] = {
            "summary": result.summary(),
            "employees": [_impact_json(r) for r in result.rows],
        }
    return doc


def change_json(change: Change) -> dict[str, Any]:
    return {
        "role": change.role,
        "target": change.target,
        "kind": change.kind,
        "id": change.id,
        "kra": change.kra,
        "field": change.field,
        "old": _plain(change.old),
        "new": _plain(change.new),
        "minor": change.minor,
        "message": describe(change),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Band):
        return {"min": value.min, "max": value.max}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return value


def _impact_json(row: ImpactRow) -> dict[str, Any]:
    def side(score: float | None, rating: tuple[int, str] | None) -> dict[str, Any]:
        return {
            "score": score,
            "rating": None if rating is None else {"level": rating[0], "label": rating[1]},
        }

    return {
        "employee": row.employee,
        "name": row.name,
        "role": row.role,
        "period": row.period,
        "old": side(row.old_score, row.old_rating),
        "new": side(row.new_score, row.new_rating),
        "delta": row.delta,
        "rating_change": row.rating_move,
    }


# --------------------------------------------------------------------------- textconv


def outline(role: Role) -> str:
    """A stable, one-fact-per-line view of a role for `git diff` (the textconv driver).

    Every value that scoring reads stands on its own line under its KRA and KPI, so a line diff
    of two outlines is a semantic diff; effective values are spelled out (a KPI's weight when the
    catalog leaves it to equal shares, its period when it inherits the role's).
    """
    lines = [f"role {role.id}", f"  name: {role.name}", f"  period: {role.period}"]
    if role.summary:
        lines.append(f"  summary: {role.summary}")
    for title in ROLE_TEXTS[1:]:
        for item in getattr(role, title) or []:
            lines.append(f"  {title}: {item}")
    origin = "" if role.rating_scale is not None else " (default)"
    for level in role.scale():
        lines.append(
            f"  rating {level.level}: {level.label} >= {num(level.min_score or 0)}{origin}"
        )
    for kra in role.kras:
        lines.append(f"kra {kra.id}")
        lines.append(f"  name: {kra.name}")
        lines.append(f"  weight: {num(kra.weight)}%")
        for name in KRA_TEXTS:
            if getattr(kra, name):
                lines.append(f"  {name}: {getattr(kra, name)}")
        for kpi, weight in zip(kra.kpis, kra.kpi_weights(), strict=True):
            lines.extend(_kpi_outline(role, kpi, weight))
    # One fact, one line: a multi-line description keeps its breaks as a visible \n.
    return "\n".join(_one_line(line) for line in lines) + "\n"


def _one_line(fact: str) -> str:
    return fact.replace("\r\n", "\n").rstrip("\n").replace("\n", "\\n").replace("\r", "\\r")


def _kpi_outline(role: Role, kpi: KPI, weight: float) -> list[str]:
    equal = " (equal share)" if kpi.weight is None else ""
    inherited = " (role)" if kpi.period is None else ""
    lines = [f"  kpi {kpi.id}", f"    name: {kpi.name}"]
    if kpi.description:
        lines.append(f"    description: {kpi.description}")
    lines.append(f"    unit: {kpi.unit_label() if kpi.unit != 'percent' else 'percent'}")
    lines.append(f"    direction: {kpi.direction}")
    lines.append(f"    threshold: {num(kpi.threshold)}")
    lines.append(f"    target: {num(kpi.target)}")
    if kpi.stretch is not None:
        lines.append(f"    stretch: {num(kpi.stretch)}")
    lines.append(f"    weight: {num(weight)}%{equal}")
    lines.append(f"    period: {role.kpi_period(kpi)}{inherited}")
    lines.extend(f"    alias: {alias}" for alias in kpi.aliases)
    return lines
