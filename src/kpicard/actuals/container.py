"""What an actuals file really is, judged by its bytes rather than its name.

Users rename files ("report.csv" that is an xlsx) and programs save legacy formats under modern
names, so the extension alone cannot pick a reader. `sniff_container` looks at the magic bytes
(and, for zips and OLE2 compound files, at the part/stream names) and `describe_refusal` turns a
mismatch into an error that says what the file is and what to save it as.

This module is kpicard's one file sniffer: `sniff_container` for a file, `sniff_head` for the
first bytes of a stream (standard input), `wide_text_encoding` for UTF-16/32 text. Readers and
callers ask these rather than testing magic bytes or extensions themselves.
"""

from __future__ import annotations

import codecs
import lzma
import struct
import zipfile
import zlib
from pathlib import Path

from kpicard.diagnostics import KpicardError, Location, input_error, usage_error

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# What zipfile and its decompressors raise for damaged bytes: a bad or cut directory or local
# header, a bad CRC, a broken deflate/bzip2/lzma stream, an unsupported method, an offset that
# points before the file (ValueError: negative seek), a name flagged UTF-8 that is not. Catch it
# only around zipfile calls, where no code of kpicard's runs: elsewhere a ValueError is a bug.
ZIP_DAMAGE: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    struct.error,
    EOFError,
    OSError,
    NotImplementedError,
    ValueError,
)
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xltx", ".xltm"})
TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ""})

# Bytes of an OLE2 file scanned for stream names: directory sectors of a large legacy file can sit
# anywhere, but scanning is linear and streamed, so a cap only bounds time on huge files.
_OLE2_SCAN_LIMIT = 64 * 1024 * 1024
_SNIFF_TEXT_BYTES = 64 * 1024

_WHAT = {
    "xlsx": "an Excel workbook (.xlsx)",
    "xlsb": "an Excel binary workbook (.xlsb)",
    "ods": "an OpenDocument spreadsheet (.ods)",
    "numbers": "an Apple Numbers document",
    "xls": "a legacy Excel 97-2003 workbook (.xls)",
    "encrypted-ooxml": "a password-protected Excel workbook",
    "ole2": "a legacy Microsoft Office file (OLE2), not a workbook kpicard can read",
    "zip": "a zip archive that is not an Excel workbook",
    "pdf": "a PDF document",
    "text": "a text file",
    "binary": "a binary file that is neither a workbook nor text",
    "empty": "an empty file",
}
_OWN_SUFFIXES = {
    "xls": (".xls", ".xlt"),
    "xlsb": (".xlsb",),
    "ods": (".ods", ".ots"),
    "numbers": (".numbers",),
    "zip": (".zip",),
    "pdf": (".pdf",),
}


def sniff_container(path: Path) -> str:
    """Classify a file by content: xlsx, xlsb, ods, numbers, xls, encrypted-ooxml, ole2, zip,
    pdf, text, binary, or empty.

    Raises `KpicardError` (usage) only when the file cannot be read at all.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_TEXT_BYTES)
    except OSError as exc:
        raise usage_error(
            "input.unreadable", f"cannot read {path}: {exc.strerror or exc}"
        ) from None
    if head.startswith(ZIP_MAGIC):
        return _sniff_zip(path, head)
    if head.startswith(OLE2_MAGIC):
        return _sniff_ole2(path)
    return sniff_head(head)


def sniff_head(head: bytes) -> str:
    """Classify by the first bytes alone (up to 64 KiB), for a stream that cannot be re-read.

    The kinds are `sniff_container`'s. Without the zip directory a zip is judged by its first
    part's name (and names seen in the bytes); an OLE2 file whose stream names lie beyond the
    head is "ole2": a legacy workbook, a password-protected one or another Office file.
    """
    if not head:
        return "empty"
    if head.startswith(ZIP_MAGIC):
        return _sniff_local_header(head)
    if head.startswith(OLE2_MAGIC):
        return _ole2_kind(_ole2_names(head))
    if head.startswith(b"%PDF"):
        return "pdf"
    return "text" if _looks_like_text(head) else "binary"


def _sniff_zip(path: Path, head: bytes) -> str:
    """Tell the zip-based formats apart by their part names."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [name.replace("\\", "/").lower() for name in archive.namelist()]
            mimetype = _zip_mimetype(archive, names)
    except ZIP_DAMAGE:
        # A truncated zip has no central directory; judge by the first local header's name so
        # that the reader can say "corrupt or truncated" rather than "not a workbook".
        return _sniff_local_header(head)
    return _classify_zip_names(names, mimetype)


def _zip_mimetype(archive: zipfile.ZipFile, names: list[str]) -> str:
    """The OpenDocument `mimetype` part, read with a small cap, or ""."""
    if "mimetype" not in names:
        return ""
    info = archive.infolist()[names.index("mimetype")]
    if info.file_size > 200:
        return ""
    return archive.read(info).decode("ascii", "replace").strip()


def _classify_zip_names(names: list[str], mimetype: str) -> str:
    if mimetype.startswith("application/vnd.oasis.opendocument"):
        return "ods"
    name_set = set(names)
    if any(n.endswith("workbook.bin") for n in names):
        return "xlsb"
    if "[content_types].xml" in name_set and any(
        n.endswith("workbook.xml") or n.startswith("xl/") for n in names
    ):
        return "xlsx"  # without its workbook part it is a damaged one: the reader says which
    if "content.xml" in name_set and "meta-inf/manifest.xml" in name_set:
        return "ods"
    if any(n.startswith("index/") and n.endswith(".iwa") for n in names) or "index.zip" in name_set:
        return "numbers"
    return "zip"


def _sniff_local_header(head: bytes) -> str:
    """Name of the first entry from its local header (offset 30), for archives cut short (and
    streams); failing that, part names that show in the first bytes."""
    if head.startswith(b"PK\x03\x04") and len(head) >= 30:
        name_len = int.from_bytes(head[26:28], "little")
        name = head[30 : 30 + name_len].decode("utf-8", "replace").replace("\\", "/").lower()
        if name in ("[content_types].xml", "_rels/.rels") or name.startswith(("xl/", "docprops/")):
            return "xlsx"
        if name == "mimetype" and b"opendocument" in head[:200]:
            return "ods"
    if b"mimetypeapplication/vnd.oasis.opendocument" in head[:200]:
        return "ods"
    if b"Index/" in head or b".iwa" in head:
        return "numbers"
    if b"xl/" in head:
        return "xlsx"
    return "zip"


def _sniff_ole2(path: Path) -> str:
    """An OLE2 file is an encrypted xlsx if it holds an EncryptedPackage stream, else legacy.

    Directory entry names are UTF-16LE, so a streamed byte search finds them without parsing the
    compound-file FAT (which a hostile file could make cyclic).
    """
    found: set[str] = set()
    tail = b""
    try:
        with path.open("rb") as handle:
            read = 0
            while read < _OLE2_SCAN_LIMIT:
                chunk = handle.read(1 << 20)
                if not chunk:
                    break
                read += len(chunk)
                window = tail + chunk
                found |= _ole2_names(window)
                if "encrypted-ooxml" in found:
                    break
                tail = window[-64:]
    except OSError:
        return "ole2"
    return _ole2_kind(found)


_OLE2_NEEDLES = {
    "encrypted-ooxml": "EncryptedPackage".encode("utf-16-le"),
    "xls": "Workbook".encode("utf-16-le"),
    "xls-book": "Book\x00".encode("utf-16-le"),
}


def _ole2_names(data: bytes) -> set[str]:
    return {kind for kind, needle in _OLE2_NEEDLES.items() if needle in data}


def _ole2_kind(found: set[str]) -> str:
    if "encrypted-ooxml" in found:
        return "encrypted-ooxml"
    return "xls" if found & {"xls", "xls-book"} else "ole2"


def wide_text_encoding(head: bytes) -> str | None:
    """UTF-16/32 by BOM, or UTF-16 without one by its NUL bytes in every other position."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "UTF-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16"
    probe = head[:1024]
    pairs = len(probe) // 2
    if pairs == 0:
        return None
    even, odd = probe[0::2].count(0), probe[1::2].count(0)
    if odd >= 0.4 * pairs and even <= 0.05 * pairs:
        return "UTF-16 (little-endian)"
    if even >= 0.4 * pairs and odd <= 0.05 * pairs:
        return "UTF-16 (big-endian)"
    return None


def describe_kind(kind: str) -> str:
    """What a sniffed kind is, for messages: "an Excel workbook (.xlsx)"."""
    return _WHAT.get(kind, "a file of unknown type")


def _looks_like_text(head: bytes) -> bool:
    """UTF-8/UTF-16 text (BOM or NUL pattern) or mostly printable single-byte text."""
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    sample = head[:4096]
    # Stray control bytes (a NUL typed into one cell, terminal escapes pasted into names) leave
    # a CSV a CSV: the CSV reader then names the row and column. Only many of them make a file
    # binary: compressed or executable data is about 12% bytes below 32, text almost none.
    allowed = max(8, len(sample) // 20)
    if sample.count(0) > allowed:
        # UTF-16 without BOM: NULs in every other byte, nowhere else.
        even, odd = sample[0::2], sample[1::2]
        return even.count(0) > 0.9 * len(even) or odd.count(0) > 0.9 * len(odd)
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls <= allowed


def describe_refusal(kind: str, path: Path, display_name: str | None = None) -> KpicardError | None:
    """The error for a file whose content does not match what its name promises, or None.

    `.xlsx`/`.xlsm` must be xlsx; `.csv`/`.tsv`/`.txt` (and standard input) must be text. Every
    other extension, and every other content, is refused with what the file is and how to fix it.
    """
    name = display_name or str(path)
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES and kind == "xlsx":
        return None
    if suffix in TEXT_SUFFIXES and kind in ("text", "empty"):
        return None
    where = Location(file=name)
    if kind == "encrypted-ooxml":
        return input_error(
            "input.encrypted",
            "the workbook is password-protected; kpicard cannot read encrypted files",
            where,
            hint="password-protected; save an unprotected copy (File > Info > Protect Workbook > "
            "Encrypt with Password: clear it) and score that copy",
        )
    what = describe_kind(kind)
    if suffix in _OWN_SUFFIXES.get(kind, ()):
        found = f"this file is {what}"  # named for what it is: no disguise to point out
    else:
        named = f" named {suffix}" if suffix else " without an extension"
        found = f"this file is really {what}{named}"
    return input_error(
        "input.format",
        f"{found}; kpicard reads .xlsx/.xlsm workbooks and CSV/TSV text",
        where,
        hint=_fix_hint(kind),
    )


def _fix_hint(kind: str) -> str:
    if kind == "xlsx":
        return "rename it to .xlsx (its content is an Excel workbook)"
    if kind == "text":
        return "rename it to .csv (its content is text), or save it as .xlsx"
    if kind == "empty":
        return "the file is empty; export the actuals again"
    if kind == "pdf":
        return "export the data from its source as .xlsx or CSV UTF-8"
    return "open it in a spreadsheet program and save as .xlsx or CSV UTF-8"
