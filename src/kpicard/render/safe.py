"""Make text from untrusted files safe to show in a terminal.

Names and ids come from spreadsheets anyone may have edited. Before rich prints them they lose
their control characters (an ESC could clear the screen or forge a hyperlink), and rich never
parses them as markup because callers wrap them in `rich.text.Text`, not in markup strings.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text: object) -> str:
    """`text` as a printable one-line string: control characters shown as \\xNN escapes."""
    s = "" if text is None else str(text)
    s = s.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", s)


def formula_safe(text: str) -> str:
    """Text for CSV/xlsx cells: a leading = + - @ would make a spreadsheet run it as a formula.

    The value is prefixed with an apostrophe, the convention spreadsheets use for "this is text".
    Negative numbers are never passed here; only text cells are.
    """
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text
