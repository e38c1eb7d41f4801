"""Human-readable scorecards: terminal tables (rich on a terminal, plain text when piped),
markdown, and `explain`'s step-by-step arithmetic. Numbers are rounded for display only, and
spelled by `kpicard.render.numbers`."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence

from kpicard.models import KPIResult, Role, Scorecard, ScoreRun
from kpicard.render.numbers import (
    bound_text,
    fmt_coverage,
    fmt_number,
    fmt_score,
    fmt_term,
    number,
    percent_text,
)
from kpicard.render.safe import clean, md_escape

INSUFFICIENT = "insufficient data"
_RATING_STYLE = {5: "bold green", 4: "green", 3: "default", 2: "yellow", 1: "red"}
_STATUS_STYLE = {"met": "green", "below": "yellow", "missed": "red", "missing": "dim"}


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
                    number(k.weight),
                    fmt_score(k.score),
                    k.status,
                ]
            )
    return headers, rows


def plain_text(run: ScoreRun, *, detail: bool = False) -> str:
    """The stable plain table a pipe gets, and `-o scores.txt` writes: one table per role (with
    a `# role` heading when there are several), and per employee with `detail`."""
    from kpicard.render.terminal import plain_table

    groups = by_role(run.scorecards)
    out: list[str] = []
    for i, (role, cards) in enumerate(groups.values()):
        if i or len(groups) > 1:
            out.append(("\n" if i else "") + f"# {role.name} [{role.id}]\n")
        out.append(plain_table(*summary_rows(role, cards)))
        if detail:
            for card in cards:
                out.append(f"\n## {clean(card.employee)} {clean(card.name or '')}\n")
                out.append(plain_table(*detail_rows(card)))
    return "".join(out)


def render_table(run: ScoreRun, *, detail: bool = False) -> None:
    """Print the scorecards on stdout: one table per role, and per employee with --detail."""
    from kpicard.render.terminal import out_console, stdout_is_terminal

    groups = by_role(run.scorecards)
    if not stdout_is_terminal():
        sys.stdout.write(plain_text(run, detail=detail))
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
    """The arithmetic of SPEC 2.1 with this KPI's numbers filled in (the actual `x` as the
    detail table shows it, the catalog's values as `catalog show` does)."""
    kpi, v, score = result.kpi, result.actual, result.score
    if v is None:
        return "no value" + (" (scored 0 under --missing zero)" if score == 0 else "")
    x, n = fmt_number(v), number
    if kpi.direction == "range":
        c, a, b, d = kpi.threshold.min, kpi.target.min, kpi.target.max, kpi.threshold.max  # type: ignore[union-attr]
        if a <= v <= b:
            return f"{x} is inside the band {n(a)}..{n(b)} -> 100"
        if c < v < a:
            return f"100 x ({x} - {n(c)}) / ({n(a)} - {n(c)}) = {fmt_term(score)}"
        if b < v < d:
            return f"100 x ({n(d)} - {x}) / ({n(d)} - {n(b)}) = {fmt_term(score)}"
        return f"{x} is outside the floors {n(c)}..{n(d)} -> 0"
    t, g, s = kpi.threshold, kpi.target, kpi.stretch
    higher = kpi.direction == "higher"
    beyond = (lambda x, y: x >= y) if higher else (lambda x, y: x <= y)
    if beyond(t, v):  # at or beyond the threshold, on the wrong side
        return f"{x} is at or {'below' if higher else 'above'} the threshold {n(t)} -> 0"
    if not beyond(v, g):
        if higher:
            return f"100 x ({x} - {n(t)}) / ({n(g)} - {n(t)}) = {fmt_term(score)}"
        return f"100 x ({n(t)} - {x}) / ({n(t)} - {n(g)}) = {fmt_term(score)}"
    if s is None:
        return f"{x} reaches the target {n(g)} (no stretch) -> 100"
    if beyond(v, s):
        return f"{x} reaches the stretch {n(s)} -> cap {n(cap)}"
    span = (
        f"({x} - {n(g)}) / ({n(s)} - {n(g)})" if higher else f"({n(g)} - {x}) / ({n(g)} - {n(s)})"
    )
    return f"100 + ({n(cap)} - 100) x {span} = {fmt_term(score)}"


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
        lines.append(f"KRA {kra.kra.name} [{kra.kra.id}] (weight {percent_text(kra.kra.weight)})")
        for k in kra.kpis:
            where = f" from {source_text(k)}" if k.source else ""
            lines.append(
                f"  {k.kpi.name}: actual {fmt_number(k.actual)}{where}; {k.kpi.direction}, "
                f"threshold {bound_text(k.kpi.threshold)}, target {bound_text(k.kpi.target)}, "
                f"stretch {bound_text(k.kpi.stretch)}"
            )
            lines.append(
                f"    score = {kpi_formula(k, cap)}  [{k.status}], weight {number(k.weight)}"
            )
        present = [k for k in kra.kpis if k.score is not None]
        if present:
            terms = " + ".join(f"{number(k.weight)} x {fmt_term(k.score)}" for k in present)
            total = sum(k.weight for k in present)
            lines.append(f"  KRA score = ({terms}) / {number(total)} = {fmt_score(kra.score)}")
        else:
            lines.append("  KRA score: no values, not counted")
        lines.append(f"  KRA coverage {fmt_coverage(kra.coverage)}")
        lines.append("")
    scored = [k for k in card.kras if k.score is not None]
    if scored:
        terms = " + ".join(f"{number(k.kra.weight)} x {fmt_term(k.score)}" for k in scored)
        total = sum(k.kra.weight for k in scored)
        lines.append(f"Overall = ({terms}) / {number(total)} = {fmt_score(card.score)}")
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
            f"{number(level.min_score or 0)} <= {fmt_score(card.score)})"
        )
    return lines
