"""Make text from untrusted files safe to show in a terminal.

Names and ids come from spreadsheets anyone may have edited. Before rich prints them they lose
their control characters (an ESC could clear the screen or forge a hyperlink), and rich never
parses them as markup because callers wrap them in `rich.text.Text`, not in markup strings.
"""

from __future__ import annotations

import re

# C0/C1 controls (ESC starts every terminal escape), bidi overrides that reorder what is shown
# (a name could display as another), and the Unicode line/paragraph separators.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def clean(text: object) -> str:
    """`text` as a printable one-line string: control characters shown as \\xNN escapes."""
    s = "" if text is None else str(text)
    s = s.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    return _CONTROL.sub(_escape, s)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# Backslash first, so that a backslash in the text cannot undo the escape after it.
_MARKDOWN = re.compile(r"[\\`*_|<]|\](?=\()")


def md_escape(text: object) -> str:
    """Text shown as itself in markdown (a table cell, a heading, a line of a pull-request
    comment): cleaned as every shown text is, then backslash-escaped where markdown would read
    it: `\\` (so the text cannot undo an escape), `` ` `` `*` `_` (no code span, no emphasis),
    `|` (cannot end a table cell), `<` (no HTML) and the `]` of `](` (no link). `->`, `>=` and
    a bare `[x]` stay as they read."""
    return _MARKDOWN.sub(lambda m: "\\" + m.group(), clean(text))


def formula_safe(text: str) -> str:
    """Text for CSV/xlsx cells: a leading = + - @ would make a spreadsheet run it as a formula.

    The value is prefixed with an apostrophe, the convention spreadsheets use for "this is text".
    Negative numbers are never passed here; only text cells are.
    """
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


EXTENSION_OF = {"json": "json", "csv": "csv", "markdown": "md", "xlsx": "xlsx", "table": "txt"}
"""The file extension of each output format."""
