"""`template`: an empty actuals sheet for a role of the catalog in effect (SPEC 7)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from kpicard.app.catalog import open_catalog, role_or_error
from kpicard.catalog.load import Catalog

UTF8_BOM = b"\xef\xbb\xbf"


def make_template(
    role_id: str, fmt: str, *, catalog: str | Path | Catalog | None = None, for_file: bool = True
) -> Callable[[BinaryIO], None]:
    """What writes the template to a binary handle: an xlsx workbook, or the CSV header row
    (with a BOM, as Excel's own "CSV UTF-8" writes, when it goes to a file, so Excel shows
    accented names correctly). The catalog and role are checked before anything is written."""
    cat = open_catalog(catalog)
    role = role_or_error(cat, role_id)
    if fmt == "csv":
        from kpicard.render.template import render_template_csv

        text = render_template_csv(role).encode("utf-8")
        data = UTF8_BOM + text if for_file else text
        return lambda handle: handle.write(data)  # type: ignore[func-returns-value]
    from kpicard.render import template

    option = None if catalog is None or isinstance(catalog, Catalog) else str(catalog)
    return lambda handle: template.write_template(
        role,
        handle,
        catalog_display=cat.display,
        catalog_digest=cat.digest,
        catalog_option=option,
        role_digest=cat.role_digest(role.id),
    )
