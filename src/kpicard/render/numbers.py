"""Numbers in text for people: the one module that spells them, for the terminal tables,
markdown, `explain`, `catalog show` and `catalog diff` alike. JSON, CSV and workbook cells keep
the numbers themselves; nothing here is used for them.

How a number reads:

- Never in e-notation. `f"{x:g}"` is not for people: it prints a threshold of 1500000 as
  `1.5e+06` and a score of 0.00002 as `2e-05`. Here they read `1,500,000` and `0.00002`.
- With thousands separators: `,` between groups of three digits of the integer part, `.` before
  the decimals (`1,500,000`, `12,345.5`), as actuals were always shown.
- Rounded as a spreadsheet displays it: half away from zero on the 15 significant digits Excel
  and LibreOffice compute with (`fixed`), so the terminal never shows a number other than the
  workbook sent to a manager.
- Values drop trailing zeros (`12.5`, not `12.5000`; `-0` reads `0`); scores keep the one
  decimal the tables show (`fmt_score`).

Precision: catalog values (thresholds, targets, stretches, weights, rating minimums, the cap)
to 6 decimals, enough for any value a catalog spells and for equal-share weights (33.333333);
measured actuals to 4; scores inside `explain`'s arithmetic to 2.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from kpicard.models import Band

VALUE_DIGITS = 6
"""Decimals of a catalog value: threshold, target, stretch, weight, rating minimum, cap."""
ACTUAL_DIGITS = 4
"""Decimals of a measured actual."""
TERM_DIGITS = 2
"""Decimals of a KPI or KRA score inside `explain`'s arithmetic (the result has 1)."""


def fixed(value: float, digits: int, *, sign: bool = False, group: bool = False) -> str:
    """`value` with `digits` decimals, rounded as a spreadsheet displays it.

    Python rounds an exact half to even (f"{101.25:.1f}" is 101.2) where Excel and LibreOffice
    round it away from zero (101.3): the terminal must not show a number other than the workbook
    sent to a manager. Only values at a half take the slower decimal path. `sign` writes a `+`
    before positive numbers; `group` adds the thousands separators.
    """
    spec = f"{'+' if sign else ''}{',' if group else ''}.{digits}f"
    if not math.isfinite(value):
        return format(value, spec)
    scaled = abs(value) * 10**digits
    if not (abs(scaled - math.floor(scaled) - 0.5) < 1e-9 * max(1.0, scaled) and scaled < 1e15):
        return format(value, spec)
    exact = Decimal(f"{value:.15g}")  # what a spreadsheet computes with: 15 significant digits
    return format(exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP), spec)


def number(value: float | None, digits: int = VALUE_DIGITS) -> str:
    """A value as people write it: `1,500,000`, `0.95`, `33.333333`; `-` for no value.

    At most `digits` decimals (rounded by `fixed`), trailing zeros dropped, never e-notation.
    """
    if value is None:
        return "-"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    text = fixed(value, digits, group=True)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def bound_text(value: float | Band | None) -> str:
    """A threshold, target or stretch: the value, a range KPI's band as `min..max`, or `-`."""
    if isinstance(value, Band):
        return f"{number(value.min)}..{number(value.max)}"
    return number(value)


def percent_text(value: float) -> str:
    """A weight or share in percent, as the catalog holds it: `20%`, `33.333333%`."""
    return f"{number(value)}%"


def fmt_number(value: float | None) -> str:
    """A measured actual (4 decimals at most)."""
    return number(value, ACTUAL_DIGITS)


def fmt_term(value: float) -> str:
    """A score inside `explain`'s arithmetic (2 decimals at most): `66.67`, `105`."""
    return number(value, TERM_DIGITS)


def fmt_score(value: float | None) -> str:
    """A score as the tables and workbooks show it: one decimal, `-` for none."""
    return "-" if value is None else fixed(value, 1)


def fmt_change(value: float | None) -> str:
    """A change of score: signed, one decimal (`+31.6`, `-2.0`); a change that rounds to zero
    shows as `0.0`; `-` for none."""
    if value is None:
        return "-"
    text = fixed(value, 1, sign=True)
    return "0.0" if text in ("+0.0", "-0.0") else text


def fmt_coverage(value: float) -> str:
    """A coverage share (0..1) as a whole percent: `75%`."""
    return f"{fixed(value * 100, 0)}%"
