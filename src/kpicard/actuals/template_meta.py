"""Read back what `kpicard template` stored in a workbook: its role id and catalog digest.

`kpicard score filled.xlsx` uses the role when `--role` is absent, and warns when the digest
differs from the catalog in effect. The file is untrusted: only two small, fixed parts are read,
their sizes are checked in the zip directory before anything is decompressed, and they are parsed
with defusedxml with DTDs forbidden. A damaged or hostile file means "no metadata" (None), never
an exception: the actuals reader reports what is really wrong with the file. Any other exception
is a bug here and propagates.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import TypedDict

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeTree

from kpicard.actuals.container import ZIP_DAMAGE, sniff_container
from kpicard.diagnostics import KpicardError

MAX_PART_BYTES = 256 * 1024
CUSTOM_PART = "docprops/custom.xml"
CORE_PART = "docprops/core.xml"
ROLE_PROPERTY = "kpicard-role"
DIGEST_PROPERTY = "kpicard-catalog-digest"
ROLE_DIGEST_PROPERTY = "kpicard-role-digest"
ROLE_KEYWORD = "kpicard-role:"
DIGEST_KEYWORD = "kpicard-catalog:"
_ROLE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\Z")
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}\Z")
# A damaged zip, unparsable XML (ElementTree's ParseError is a SyntaxError), a DTD or entity.
_DAMAGE = (*ZIP_DAMAGE, SafeTree.ParseError, DefusedXmlException)


class TemplateMeta(TypedDict):
    role: str
    catalog_digest: str | None  # the whole catalog: changes when any role file changes
    role_digest: str | None  # only this role's file (custom properties only)


def read_template_meta(path: str | Path) -> TemplateMeta | None:
    """The role id and catalog digest a kpicard template carries, or None.

    Only a file the sniffer calls an xlsx workbook is looked into, whatever its name; callers
    need not check the extension (a file that is no workbook simply has no metadata).
    """
    try:
        if sniff_container(Path(path)) != "xlsx":
            return None
    except KpicardError:  # cannot be read: the actuals reader says so
        return None
    try:
        with zipfile.ZipFile(path) as archive:  # opened by path: closed with the archive
            parts = {
                info.filename.replace("\\", "/").casefold(): info for info in archive.infolist()
            }
            found = _from_custom(archive, parts.get(CUSTOM_PART))
            return found or _from_core(archive, parts.get(CORE_PART))
    except _DAMAGE:  # untrusted bytes: a damaged file only means "no metadata"
        return None


def _read_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo | None) -> bytes | None:
    if info is None or info.file_size > MAX_PART_BYTES:
        return None
    with archive.open(info) as part:
        data = part.read(MAX_PART_BYTES + 1)
    return data if len(data) <= MAX_PART_BYTES else None


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _from_custom(archive: zipfile.ZipFile, info: zipfile.ZipInfo | None) -> TemplateMeta | None:
    data = _read_part(archive, info)
    if data is None:
        return None
    root = SafeTree.fromstring(data, forbid_dtd=True)
    values: dict[str, str] = {}
    for prop in root:
        if _local(prop.tag) == "property" and len(prop):
            values[prop.get("name", "")] = (prop[0].text or "").strip()
    return _meta(
        values.get(ROLE_PROPERTY), values.get(DIGEST_PROPERTY), values.get(ROLE_DIGEST_PROPERTY)
    )


def _from_core(archive: zipfile.ZipFile, info: zipfile.ZipInfo | None) -> TemplateMeta | None:
    data = _read_part(archive, info)
    if data is None:
        return None
    root = SafeTree.fromstring(data, forbid_dtd=True)
    words = " ".join(el.text or "" for el in root if _local(el.tag) == "keywords").split()
    role = next((w[len(ROLE_KEYWORD) :] for w in words if w.startswith(ROLE_KEYWORD)), None)
    digest = next((w[len(DIGEST_KEYWORD) :] for w in words if w.startswith(DIGEST_KEYWORD)), None)
    return _meta(role, digest)


def _meta(
    role: str | None, digest: str | None, role_digest: str | None = None
) -> TemplateMeta | None:
    if not role or len(role) > 200 or not _ROLE.match(role):
        return None
    return {"role": role, "catalog_digest": _digest(digest), "role_digest": _digest(role_digest)}


def _digest(value: str | None) -> str | None:
    return value if value is not None and _DIGEST.match(value) else None
