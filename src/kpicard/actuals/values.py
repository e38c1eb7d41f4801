"""Turn one cell into one KPI actual, or say exactly why it cannot be one (SPEC 3.2).

The rule of this module: never a silently different number. Every accepted spelling is listed
here; everything else is an error with a reason a spreadsheet user understands.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime

from kpicard.actuals.grid import UNCACHED, CellError, CellValue, Percent
from kpicard.models import KPI

MISSING_MARKERS = frozenset({"", "n/a", "na", "-", "—", "–"})

# ASCII digits only: Python's float() would also take "١٢", "１２", "1_000", "nan" and "inf".
_PLAIN = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
# Thousands groups: the first group has no leading zero, so "0,500" is never read as 500 (it is
# a decimal comma, an error without --decimal-comma); likewise "0.500" with --decimal-comma.
_GROUPED = re.compile(r"[+-]?[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\.[0-9]+)?\Z")
_DECIMAL_COMMA = re.compile(r"[+-]?(?:[1-9][0-9]{0,2}(?:\.[0-9]{3})+|[0-9]+)(?:,[0-9]+)?\Z")
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f\u2009\u200b]+")
_CURRENCY = re.compile(
    r"\A([+-]?)\s*(?:[$€£¥₹]|[A-Z]{3}\s)\s*(.*)\Z|\A(.*?)\s*(?:[$€£¥₹]|\s[A-Z]{3})\Z"
)
_NON_ASCII_DIGIT = re.compile(r"[^\x00-\x7f]")


class ValueProblem(ValueError):
    """Why a cell is not a valid actual; `hint` says how to fix it."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def parse_actual(cell: CellValue, kpi: KPI, *, decimal_comma: bool = False) -> float | None:
    """The actual value a cell holds for `kpi`; None for no value; ValueProblem when invalid."""
    if cell is None:
        return None
    if isinstance(cell, bool):
        raise ValueProblem(f"{str(cell).upper()} is a boolean, not a number")
    if type(cell) is Percent:
        value = float(cell)
        if kpi.unit == "percent":
            value = float(f"{value * 100:.12g}")
        return check_bounds(_finite(value), kpi)
    if isinstance(cell, int | float):
        return check_bounds(_finite(_to_float(cell)), kpi)
    if isinstance(cell, CellError):
        raise ValueProblem(f"Excel error value {cell}", "fix the formula or leave the cell empty")
    if cell is UNCACHED:
        raise ValueProblem(
            "formula without a cached value",
            "open and save the file in a spreadsheet program so the result is stored",
        )
    if isinstance(cell, datetime | date):
        raise ValueProblem(f"a date ({cell:%Y-%m-%d}) is not a number")
    if isinstance(cell, str):
        return parse_text(cell, kpi, decimal_comma=decimal_comma)
    raise ValueProblem(f"unsupported cell value {cell!r}")


def compile_parser(kpi: KPI, *, decimal_comma: bool = False) -> Callable[[CellValue], float | None]:
    """`parse_actual` for one KPI, with a fast path for the common case of a plain number.

    The fast path accepts only ASCII text without underscores that `float()` reads as a finite
    number within the unit's bounds; everything else (words, `nan`, `1_000`, other digit scripts,
    percentages, grouped thousands, typed cells) takes the full rules of `parse_actual`.
    """
    low, high = kpi.bounds()
    lo = -math.inf if low is None else low
    hi = math.inf if high is None else high

    def slow(cell: CellValue) -> float | None:
        return parse_actual(cell, kpi, decimal_comma=decimal_comma)

    def parse(cell: CellValue) -> float | None:
        kind = type(cell)
        if kind is str:
            if cell.isascii() and "_" not in cell and not (decimal_comma and "." in cell):  # type: ignore[operator]
                try:
                    value = float(cell)  # type: ignore[arg-type]
                except ValueError:
                    return slow(cell)
                if lo <= value <= hi and value - value == 0.0:
                    return value
            return slow(cell)
        if kind is float:
            if lo <= cell <= hi and cell - cell == 0.0:  # type: ignore[operator]
                return cell  # type: ignore[return-value]
        elif kind is int and -_INT_FAST <= cell <= _INT_FAST:  # type: ignore[operator]
            value = float(cell)  # type: ignore[arg-type]
            if lo <= value <= hi:
                return value
        return slow(cell)

    return parse


def parse_text(text: str, kpi: KPI, *, decimal_comma: bool = False) -> float | None:
    """Parse a typed value: '95', ' 95 % ', '1,234.5', '$1,200', 'N/A', '−5'."""
    if _PLAIN.match(text) and not (decimal_comma and "." in text):  # most cells: plain numbers
        return check_bounds(_finite(float(text), text), kpi)
    s = _SPACES.sub(" ", text).strip()
    if s.casefold() in MISSING_MARKERS:
        return None
    s = s.replace("\u2212", "-")
    percent = s.endswith("%")
    if percent:
        s = s[:-1].rstrip()
    if kpi.unit == "currency" and not percent:
        s = _strip_currency(s)
    value = _number(s, text, decimal_comma)
    if percent:
        if kpi.unit == "percent":
            pass
        elif kpi.unit == "ratio":
            value = value / 100
        else:
            raise ValueProblem(
                f"'{text}' is a percentage but KPI '{kpi.name}' is measured in {kpi.unit}"
            )
    return check_bounds(value, kpi)


def _strip_currency(s: str) -> str:
    m = _CURRENCY.match(s)
    if not m:
        return s
    if m.group(2) is not None:
        return (m.group(1) or "") + m.group(2).strip()
    return m.group(3).strip()


def _number(s: str, original: str, decimal_comma: bool) -> float:
    if _PLAIN.match(s) and not (decimal_comma and "." in s):
        return _finite(float(s), original)
    if decimal_comma and _DECIMAL_COMMA.match(s):
        return _finite(float(s.replace(".", "").replace(",", ".")), original)
    if not decimal_comma and _GROUPED.match(s):
        return _finite(float(s.replace(",", "")), original)
    if any(ch.isdigit() for ch in _NON_ASCII_DIGIT.findall(s)):
        raise ValueProblem(
            f"'{original}' uses digits other than 0-9", "type the number with the digits 0-9"
        )
    if re.fullmatch(r"[+-]?[0-9.]*[0-9],[0-9]+", s):
        if decimal_comma:
            raise ValueProblem(f"'{original}' is not a number")
        raise ValueProblem(
            f"'{original}' looks like a decimal comma",
            "use a decimal point, or pass --decimal-comma for files written with decimal commas",
        )
    if decimal_comma and _PLAIN.match(s):
        raise ValueProblem(
            f"'{original}' has a decimal point but --decimal-comma was given",
            "write it as 95,5 (or 1.234,5 with thousands), or drop --decimal-comma",
        )
    if s.startswith("#"):
        raise ValueProblem(f"'{original}' is an error value, not a number")
    raise ValueProblem(f"'{original}' is not a number")


_INT_FAST = 2**53


def _to_float(number: int | float) -> float:
    """float(number), or a ValueProblem for an integer beyond the float range (a 400-digit <v>)."""
    try:
        return float(number)
    except OverflowError:
        raise ValueProblem("the number is too large to compute with") from None


def _finite(value: float, text: str | None = None) -> float:
    """`value`, or a ValueProblem for NaN/infinity (from text: a number too large for a float)."""
    if not math.isfinite(value):
        if text is not None:
            raise ValueProblem(f"'{text}' is too large to be a number")
        raise ValueProblem(f"{value} is not a finite number")
    return value


def check_bounds(value: float, kpi: KPI) -> float:
    low, high = kpi.bounds()
    if (low is not None and value < low) or (high is not None and value > high):
        span = f"{'' if low is None else f'{low:g}'}..{'' if high is None else f'{high:g}'}"
        hint = None
        if kpi.unit == "percent" and high is not None and value > high:
            hint = "percent values are percentage points from 0 to 100"
        elif kpi.unit == "ratio" and value > 1:
            hint = "ratio values are fractions from 0 to 1"
        raise ValueProblem(f"{value:g} is outside the bounds of {kpi.unit} ({span})", hint)
    return value
