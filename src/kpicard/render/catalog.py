"""Show roles: the list of roles, one role as a tree, one role as plain data."""

from __future__ import annotations

import sys
from typing import Any

from kpicard.models import KPI, Role
from kpicard.render.numbers import bound_text, number, percent_text


def role_data(role: Role) -> dict[str, Any]:
    """The role as plain data in the catalog's key order (for JSON/YAML output)."""
    data = role.model_dump(mode="json", exclude_none=True)
    for kra in data["kras"]:
        for kpi in kra["kpis"]:
            if not kpi.get("aliases"):
                kpi.pop("aliases", None)
    return data


def kpi_line(kpi: KPI, weight: float) -> str:
    arrow = {"higher": "higher is better", "lower": "lower is better", "range": "within band"}
    return (
        f"{kpi.name} [{kpi.id}] ({kpi.unit_label()}, {arrow[kpi.direction]}): "
        f"threshold {bound_text(kpi.threshold)}, target {bound_text(kpi.target)}, "
        f"stretch {bound_text(kpi.stretch)}, weight {percent_text(weight)}"
    )


def role_list(roles: list[Role]) -> None:
    from kpicard.render.terminal import out_console, plain_table, stdout_is_terminal

    headers = ["id", "name", "KRAs", "KPIs", "period"]
    rows = [
        [r.id, r.name, len(r.kras), sum(len(k.kpis) for k in r.kras), r.period]
        for r in sorted(roles, key=lambda r: r.id)
    ]
    if not stdout_is_terminal():
        sys.stdout.write(plain_table(headers, rows))
        return
    from rich.table import Table

    table = Table(*headers, title="Roles")
    for row in rows:
        table.add_row(*(str(v) for v in row))
    out_console().print(table)


def role_tree(role: Role) -> None:
    """A readable outline of the role; rich tree on a terminal, indented text when piped."""
    lines: list[tuple[int, str]] = [(0, f"{role.name} [{role.id}], reviewed {role.period}")]
    if role.summary:
        lines.append((1, role.summary))
    for title, items in (
        ("Responsibilities", role.responsibilities),
        ("Qualifications", role.qualifications),
        ("Skills", role.skills),
    ):
        if items:
            lines.append((1, f"{title}:"))
            lines.extend((2, f"- {item}") for item in items)
    for kra in role.kras:
        lines.append((1, f"KRA {kra.name} [{kra.id}], weight {percent_text(kra.weight)}"))
        if kra.statement:
            lines.append((2, kra.statement))
        for kpi, weight in zip(kra.kpis, kra.kpi_weights(), strict=True):
            lines.append((2, "KPI " + kpi_line(kpi, weight)))
    scale = ", ".join(f"{r.level} {r.label} >= {number(r.min_score or 0)}" for r in role.scale())
    lines.append((1, f"Rating scale: {scale}"))
    from kpicard.render.terminal import out_console, stdout_is_terminal

    if not stdout_is_terminal():
        sys.stdout.write("".join("  " * depth + text + "\n" for depth, text in lines))
        return
    from rich.text import Text
    from rich.tree import Tree

    tree = Tree(Text(lines[0][1], style="bold"))
    stack = [tree]
    for depth, text in lines[1:]:
        del stack[depth:]
        style = "bold" if text.startswith("KRA ") else ""
        stack.append(stack[-1].add(Text(text, style=style)))
    out_console().print(tree)
