"""`explain`: one person's scorecard with the run it came from, for the arithmetic to show."""

from __future__ import annotations

from dataclasses import dataclass

from kpicard.app.request import RunRequest
from kpicard.app.run import RunResult, prepare
from kpicard.catalog.load import Catalog
from kpicard.diagnostics import Diagnostic, UsageError, usage_error
from kpicard.models import Scorecard


@dataclass(slots=True)
class Explanation:
    """One scorecard and how it was computed; `str()` is what `kpicard explain` prints."""

    scorecard: Scorecard
    result: RunResult

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.result.diagnostics

    def lines(self) -> list[str]:
        from kpicard.render.text import explain_lines

        return explain_lines(self.scorecard, self.result.summary)

    def __str__(self) -> str:
        return "\n".join(self.lines()) + "\n"


def explain(request: RunRequest, employee: str, *, catalog: Catalog | None = None) -> Explanation:
    """The scorecard of `employee`; a usage error when the inputs have none or several (one
    per period: then `period` picks one), carrying the run's warnings before the refusal.
    Invalid inputs raise InputError."""
    result = prepare(request, catalog).execute(require_rows=False)
    result.raise_for_errors()
    cards = [c for c in result.scorecards if c.employee == employee]
    if not cards:
        names = ", ".join(result.names)
        where = names + (f" for period '{request.period}'" if request.period else "")
        known = ", ".join(c.employee for c in result.scorecards[:10])
        more = ", ..." if len(result.scorecards) > 10 else ""
        refusal = usage_error(
            "usage.employee",
            f"no employee '{employee}' in {where}",
            hint=f"found: {known}{more}" if known else None,
        )
        raise UsageError([*result.diagnostics, *refusal.diagnostics])
    if len(cards) > 1:
        periods = ", ".join(str(c.period) for c in cards)
        refusal = usage_error(
            "usage.period",
            f"employee '{employee}' has several periods ({periods})",
            hint="pick one with --period",
        )
        raise UsageError([*result.diagnostics, *refusal.diagnostics])
    return Explanation(cards[0], result)
