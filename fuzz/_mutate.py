"""Byte- and structure-level mutators shared by the fuzz targets (driven by a `random.Random`)."""

from __future__ import annotations

import io
import random
import warnings
import zipfile

TOKENS = [
    b",",
    b";",
    b"\t",
    b"|",
    b'"',
    b'""',
    b"\r",
    b"\n",
    b"\r\n",
    b"\x00",
    b"\xff",
    b"\xef\xbb\xbf",
    b"sep=;",
    b"%",
    b"N/A",
    b"#DIV/0!",
    b"1e400",
    b"nan",
    b"-",
    b"\xe2\x88\x92",
    b"\xc2\xa0",
    b"1,234.5",
    b"1.234,5",
    b"$",
    b"employee_id",
    b"kpi",
    b"value",
    b"role",
    b"period",
    b"\x1b[2J",
    b"[/bold]",
    b"=cmd",
    b"9" * 40,
    b"A" * 300,
]
XML_TOKENS = [
    b"<",
    b">",
    b"/>",
    b'"',
    b"&lol;",
    b"&#0;",
    b"&#x110000;",
    b"<!DOCTYPE x []>",
    b'<!ENTITY a "b">',
    b'r="XFD1048576"',
    b'r="A0"',
    b'r="1A"',
    b't="s"',
    b't="e"',
    b't="b"',
    b't="inlineStr"',
    b't="d"',
    b's="1"',
    b"<v>",
    b"</v>",
    b"<v>999999999</v>",
    b"<v>-1</v>",
    b"<f>1/0</f>",
    b"<row>",
    b"</row>",
    b'<row r="0">',
    b'<row r="1048577">',
    b"<c>",
    b"</c>",
    b"_x0000_",
    b"_xD800_",
    b'state="hidden"',
    b'date1904="1"',
    b'numFmtId="9"',
    b"\xff\xfe",
]


def mutate_bytes(data: bytes, rnd: random.Random, tokens: list[bytes] = TOKENS) -> bytes:
    """A few random edits: flips, insertions, deletions, duplications, token splices, truncation."""
    buf = bytearray(data)
    for _ in range(rnd.randint(1, 8)):
        op = rnd.randrange(7)
        at = rnd.randrange(len(buf) + 1)
        if op == 0 and buf:
            buf[min(at, len(buf) - 1)] ^= 1 << rnd.randrange(8)
        elif op == 1:
            buf[at:at] = bytes([rnd.randrange(256)])
        elif op == 2 and buf:
            del buf[at : at + rnd.randint(1, 16)]
        elif op == 3:
            buf[at:at] = rnd.choice(tokens)
        elif op == 4 and buf:
            end = min(len(buf), at + rnd.randint(1, 64))
            buf[at:at] = buf[at:end] * rnd.randint(1, 4)
        elif op == 5:
            del buf[at:]
        elif op == 6 and buf:
            buf[at : at + 1] = rnd.choice(tokens)
    return bytes(buf)


def mutate_zip(data: bytes, rnd: random.Random) -> bytes:
    """Re-zip a workbook with one part mutated (valid CRCs: the XML parser gets to see it), or
    with a part dropped, renamed or duplicated; sometimes mutate the zip bytes themselves."""
    if rnd.random() < 0.25:
        return mutate_bytes(data, rnd)
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        parts = [(i.filename, src.read(i)) for i in src.infolist()]
    index = rnd.randrange(len(parts))
    name, content = parts[index]
    op = rnd.randrange(10)
    if op == 0:
        del parts[index]
    elif op == 1:
        parts[index] = (name.upper() if rnd.random() < 0.5 else name + "x", content)
    elif op == 2:
        parts.append((name, content))
    else:
        parts[index] = (name, mutate_bytes(content, rnd, XML_TOKENS + TOKENS))
    out = io.BytesIO()
    method = zipfile.ZIP_STORED if rnd.random() < 0.2 else zipfile.ZIP_DEFLATED
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate part names are one of the mutations
        with zipfile.ZipFile(out, "w", method) as dst:
            for part_name, part in parts:
                dst.writestr(part_name, part)
    return out.getvalue()


YAML_TOKENS = [
    b": ",
    b"- ",
    b"[",
    b"]",
    b"{",
    b"}",
    b"&a ",
    b"*a",
    b"!!python/object/apply:os.system ",
    b"\t",
    b"'",
    b'"',
    b"---\n",
    b"...\n",
    b"? ",
    b"|\n",
    b">\n",
    b"%YAML 1.1\n",
    b"#",
    b"\xef\xbb\xbf",
    b"\x80",
    b".nan",
    b".inf",
    b"6:00",
    b"010",
    b"0x1f",
    b"1_000",
    b"yes",
    b"no",
    b"~",
    b"null",
    b"weight: ",
    b"target: ",
    b"threshold: ",
    b"stretch: ",
    b"direction: range",
    b"unit: percent",
    b"kpis: []",
    b"kras: []",
    b"id: X",
    b"<<: ",
    b"[" * 200,
    b"{a: " * 50,
]


def mutate_yaml(data: bytes, rnd: random.Random) -> bytes:
    """Line-level edits (drop, duplicate, swap, re-indent) plus byte mutations."""
    lines = data.split(b"\n")
    for _ in range(rnd.randint(0, 4)):
        if not lines:
            break
        i = rnd.randrange(len(lines))
        op = rnd.randrange(4)
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[i])
        elif op == 2:
            j = rnd.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            lines[i] = b" " * rnd.choice([0, 1, 2, 3, 4, 8]) + lines[i].lstrip()
    return (
        mutate_bytes(b"\n".join(lines), rnd, YAML_TOKENS)
        if rnd.random() < 0.8
        else b"\n".join(lines)
    )
