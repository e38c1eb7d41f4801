"""Human-readable scorecards: terminal tables (rich on a terminal, plain text when piped),
markdown, and `explain`'s step-by-step arithmetic. Numbers are rounded here, for display only."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from kpicard.models import KPIResult, Role, Scorecard, ScoreRun
from kpicard.render.catalog import bound_text
from kpicard.render.safe import clean

INSUFFICIENT = "insufficient data"
_RATING_STYLE = {5: "bold green", 4: "green", 3: "default", 2: "yellow", 1: "red"}
_STATUS_STYLE = {"met": "green", "below": "yellow", "missed": "red", "missing": "dim"}


def fixed(value: float, digits: int, *, sign: bool = False) -> str:
    """`value` with `digits` decimals, rounded as a spreadsheet displays it.

    Python rounds an exact half to even (f"{101.25:.1f}" is 101.2) where Excel and LibreOffice
    round it away from zero (101.3): the terminal must not show a number other than the workbook
    sent to a manager. Only values at a half take the slower decimal path.
    """
    spec = f"{'+' if sign else ''}.{digits}f"
    scaled = abs(value) * 10**digits
    if not (abs(scaled - math.floor(scaled) - 0.5) < 1e-9 * max(1.0, scaled) and scaled < 1e15):
        return format(value, spec)
    exact = Decimal(f"{value:.15g}")  # what a spreadsheet computes with: 15 significant digits
    return format(exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP), spec)


def fmt_score(value: float | None) -> str:
    return "-" if value is None else fixed(value, 1)


def fmt_coverage(value: float) -> str:
    return f"{fixed(value * 100, 0)}%"


def fmt_number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def rating_text(card: Scorecard) -> str:
    return f"{card.rating.level} {card.rating.label}" if card.rating else INSUFFICIENT


def by_role(cards: Iterable[Scorecard]) -> dict[str, tuple[Role, list[Scorecard]]]:
    groups: dict[str, tuple[Role, list[Scorecard]]] = {}
    for card in cards:
        groups.setdefault(card.role.id, (card.role, []))[1].append(card)
    return groups


def summary_rows(role: Role, cards: list[Scorecard]) -> tuple[list[str], list[list[str]]]:
    headers = ["employee", "name", "score", "rating", "coverage", *(k.id for k in role.kras)]
    rows = [
        [
            card.employee,
            card.name or "",
            fmt_score(card.score),
            rating_text(card),
            fmt_coverage(card.coverage),
            *(fmt_score(k.score) for k in card.kras),
        ]
        for card in cards
    ]
    return headers, rows


def detail_rows(card: Scorecard) -> tuple[list[str], list[list[str]]]:
    headers = [
        "KRA",
        "KPI",
        "actual",
        "threshold",
        "target",
        "stretch",
        "weight",
        "score",
        "status",
    ]
    rows = []
    for kra in card.kras:
        for k in kra.kpis:
            rows.append(
                [
                    kra.kra.id,
                    k.kpi.name,
                    fmt_number(k.actual),
                    bound_text(k.kpi.threshold),
                    bound_text(k.kpi.target),
                    bound_text(k.kpi.stretch),
                    f"{k.weight:g}",
                    fmt_score(k.score),
                    k.status,
                ]
            )
    return headers, rows


def render_table(run: ScoreRun, *, detail: bool = False) -> None:
    """Print the scorecards on stdout: one table per role, and per employee with --detail."""
    from kpicard.render.terminal import out_console, plain_table, stdout_is_terminal

    groups = by_role(run.scorecards)
    if not stdout_is_terminal():
        out = sys.stdout
        for i, (role, cards) in enumerate(groups.values()):
            if i or len(groups) > 1:
                out.write(("\n" if i else "") + f"# {role.name} [{role.id}]\n")
            out.write(plain_table(*summary_rows(role, cards)))
            if detail:
                for card in cards:
                    out.write(f"\n## {clean(card.employee)} {clean(card.name or '')}\n")
                    out.write(plain_table(*detail_rows(card)))
        return
    from rich.table import Table
    from rich.text import Text

    console = out_console()
    for role, cards in groups.values():
        headers, rows = summary_rows(role, cards)
        table = Table(title=f"{role.name} [{role.id}]", title_justify="left")
        for h in headers:
            table.add_column(
                h, justify="right" if h not in ("employee", "name", "rating") else "left"
            )
        for card, row in zip(cards, rows, strict=True):
            style = _RATING_STYLE.get(card.rating.level if card.rating else 0, "dim")
            cells = [Text(clean(v)) for v in row]
            cells[3].stylize(style)
            table.add_row(*cells)
        console.print(table)
        if detail:
            for card in cards:
                dh, drows = detail_rows(card)
                dt = Table(
                    title=f"{clean(card.employee)} {clean(card.name or '')}", title_justify="left"
                )
                for h in dh:
                    dt.add_column(h, justify="left" if h in ("KRA", "KPI", "status") else "right")
                for r in drows:
                    cells = [Text(clean(v)) for v in r]
                    cells[-1].stylize(_STATUS_STYLE.get(r[-1], ""))
                    dt.add_row(*cells)
                console.print(dt)


def md_escape(text: str) -> str:
    """Text shown as itself in a markdown table: `|` cannot end a cell and `<b>` is no HTML in a
    pull-request comment (`<` escaped; `->` and `>=` stay readable)."""
    return clean(text).replace("|", "\\|").replace("<", "\\<")


def md_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(md_escape(h) for h in headers) + " |"]
    lines.append("|" + "|".join("---" for _ in headers) + "|")
    lines.extend("| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows)
    return "\n".join(lines) + "\n"


def render_markdown(run: ScoreRun, *, detail: bool = False) -> str:
    parts = []
    for role, cards in by_role(run.scorecards).values():
        parts.append(f"## {md_escape(role.name)} (`{role.id}`)\n\n")
        parts.append(md_table(*summary_rows(role, cards)))
        if detail:
            for card in cards:
                parts.append(f"\n### {md_escape(card.employee)} {md_escape(card.name or '')}\n\n")
                parts.append(md_table(*detail_rows(card)))
        parts.append("\n")
    return "".join(parts)


# --------------------------------------------------------------------------- explain


def kpi_formula(result: KPIResult, cap: float) -> str:
    """The arithmetic of SPEC 2.1 with this KPI's numbers filled in."""
    kpi, v, score = result.kpi, result.actual, result.score
    if v is None:
        return "no value" + (" (scored 0 under --missing zero)" if score == 0 else "")
    n = fmt_number
    if kpi.direction == "range":
        c, a, b, d = kpi.threshold.min, kpi.target.min, kpi.target.max, kpi.threshold.max  # type: ignore[union-attr]
        if a <= v <= b:
            return f"{n(v)} is inside the band {n(a)}..{n(b)} -> 100"
        if c < v < a:
            return f"100 x ({n(v)} - {n(c)}) / ({n(a)} - {n(c)}) = {score:.4g}"
        if b < v < d:
            return f"100 x ({n(d)} - {n(v)}) / ({n(d)} - {n(b)}) = {score:.4g}"
        return f"{n(v)} is outside the floors {n(c)}..{n(d)} -> 0"
    t, g, s = kpi.threshold, kpi.target, kpi.stretch
    higher = kpi.direction == "higher"
    beyond = (lambda x, y: x >= y) if higher else (lambda x, y: x <= y)
    if beyond(t, v):  # at or beyond the threshold, on the wrong side
        return f"{n(v)} is at or {'below' if higher else 'above'} the threshold {n(t)} -> 0"
    if not beyond(v, g):
        if higher:
            return f"100 x ({n(v)} - {n(t)}) / ({n(g)} - {n(t)}) = {score:.4g}"
        return f"100 x ({n(t)} - {n(v)}) / ({n(t)} - {n(g)}) = {score:.4g}"
    if s is None:
        return f"{n(v)} reaches the target {n(g)} (no stretch) -> 100"
    if beyond(v, s):
        return f"{n(v)} reaches the stretch {n(s)} -> cap {cap:g}"
    span = (
        f"({n(v)} - {n(g)}) / ({n(s)} - {n(g)})"
        if higher
        else f"({n(g)} - {n(v)}) / ({n(g)} - {n(s)})"
    )
    return f"100 + ({cap:g} - 100) x {span} = {score:.4g}"


def source_text(result: KPIResult) -> str:
    src = result.source
    if src is None:
        return ""
    return f"{src.file}{'!' + src.sheet if src.sheet else ''} {src.cell}"


def explain_lines(card: Scorecard, run: ScoreRun) -> list[str]:
    cap, min_cov = run.options.cap, run.options.min_coverage
    lines = [
        f"{clean(card.employee)} {clean(card.name or '')} - role {card.role.name} "
        f"[{card.role.id}]" + (f", period {clean(card.period)}" if card.period else ""),
        "",
    ]
    for kra in card.kras:
        lines.append(f"KRA {kra.kra.name} [{kra.kra.id}] (weight {kra.kra.weight:g}%)")
        for k in kra.kpis:
            where = f" from {source_text(k)}" if k.source else ""
            lines.append(
                f"  {k.kpi.name}: actual {fmt_number(k.actual)}{where}; {k.kpi.direction}, "
                f"threshold {bound_text(k.kpi.threshold)}, target {bound_text(k.kpi.target)}, "
                f"stretch {bound_text(k.kpi.stretch)}"
            )
            lines.append(f"    score = {kpi_formula(k, cap)}  [{k.status}], weight {k.weight:g}")
        present = [k for k in kra.kpis if k.score is not None]
        if present:
            terms = " + ".join(f"{k.weight:g} x {k.score:.4g}" for k in present)
            total = sum(k.weight for k in present)
            lines.append(f"  KRA score = ({terms}) / {total:g} = {fmt_score(kra.score)}")
        else:
            lines.append("  KRA score: no values, not counted")
        lines.append(f"  KRA coverage {fmt_coverage(kra.coverage)}")
        lines.append("")
    scored = [k for k in card.kras if k.score is not None]
    if scored:
        terms = " + ".join(f"{k.kra.weight:g} x {k.score:.4g}" for k in scored)
        total = sum(k.kra.weight for k in scored)
        lines.append(f"Overall = ({terms}) / {total:g} = {fmt_score(card.score)}")
    else:
        lines.append("Overall: nothing measured")
    lines.append(
        "Coverage = sum of KRA weight x share of KPI weight measured = "
        f"{fmt_coverage(card.coverage)} (minimum for a rating {fmt_coverage(min_cov)})"
    )
    if card.rating is None:
        lines.append(f"Rating: {INSUFFICIENT}")
    else:
        level = next(r for r in card.role.scale() if r.level == card.rating.level)
        lines.append(
            f"Rating: {card.rating.level} {card.rating.label} (the highest level whose minimum "
            f"{level.min_score or 0:g} <= {fmt_score(card.score)})"
        )
    return lines
