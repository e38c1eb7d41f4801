"""`catalog diff`: what a catalog change means, role by role, and whose scores it moves.

A YAML line diff says that `target: 8` became `target: 6`; a reviewer needs "the response-time
target of billing-staff drops from 8 h to 6 h, and 3 people change rating". Roles, KRAs and KPIs
are matched by id (KPI ids are unique in a role, so a KPI that changes KRA is *moved*, not
removed and added). Weights are compared as effective weights, because adding a KPI to a KRA
with equal weights changes the weight of every other KPI in it.

Each side is a folder, a role file, or a git revision of the catalog (see `resolve_side`).
This module returns data; `kpicard.render.catalog_diff` words it (text, markdown, JSON, the
textconv outline).
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from kpicard.catalog.load import (
    MAX_ROLE_FILE_BYTES,
    ROLE_SUFFIXES,
    Catalog,
    index_roles,
    load_catalog,
    load_role_text,
    require_role_files,
)
from kpicard.diagnostics import (
    CatalogError,
    Diagnostic,
    Location,
    Report,
    usage_error,
)
from kpicard.models import KPI, KRA, Role

ROLE_TEXTS = ("summary", "responsibilities", "qualifications", "skills")
KRA_TEXTS = ("statement", "summary")
KPI_FIELDS = ("unit", "currency", "scale", "direction", "threshold", "target", "stretch", "period")
KPI_TEXTS = ("description", "aliases")


# --------------------------------------------------------------------------- sides


def _git(args: Sequence[str], *, text: bool = True) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], capture_output=True, text=text, check=False)
    except FileNotFoundError:
        raise usage_error(
            "diff.no-git", "git is not installed; give two folders or files"
        ) from None


def _repo_root() -> Path | None:
    result = _git(["rev-parse", "--show-toplevel"])
    return Path(result.stdout.strip()).resolve() if result.returncode == 0 else None


def resolve_side(arg: str, path_option: str | None, catalog_option: str | None) -> Catalog:
    """A catalog from OLD or NEW.

    The rule: an existing path is used as is. Otherwise the argument is a git revision of the
    current repository: `REV:folder` names the folder (relative to the repository root, as in
    `git show`); a bare `REV` reads the folder given by `--path` (relative to the current folder)
    or else the catalog in effect (`--catalog`, `$KPICARD_CATALOG`, the bundled one), at that
    revision, straight from git's object store (no checkout).
    """
    if Path(arg).exists():
        return load_catalog(Path(arg))
    if arg.startswith("-"):
        raise usage_error("diff.side", f"'{arg}' is neither a path nor a git revision")
    root = _repo_root()
    if root is None:
        raise usage_error(
            "diff.side",
            f"'{arg}' is not an existing path, and this is not a git repository to read it from",
        )
    rev, _, sub = arg.partition(":")
    if _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"]).returncode != 0:
        raise usage_error(
            "diff.side",
            f"'{arg}' is neither an existing path nor a git revision",
            hint="give a folder, a role file, a revision (HEAD~1, v2026.1) or REV:folder",
        )
    if ":" in arg:
        return _catalog_at(rev, sub.strip("/"))
    return _catalog_at(rev, _catalog_in_repo(root, rev, path_option, catalog_option))


def _catalog_in_repo(
    root: Path, rev: str, path_option: str | None, catalog_option: str | None
) -> str:
    """The catalog folder relative to the repository root.

    When the catalog in effect is the bundled one of an installed kpicard (outside this
    repository), the repository's own top-level `catalog/` is meant, if the revision has one.
    """
    from kpicard.catalog.find import choose_catalog

    choice = None
    if path_option:
        where = (Path.cwd() / path_option).resolve()
    else:
        choice = choose_catalog(catalog_option)
        where = choice.path.resolve()
    try:
        rel = where.relative_to(root)
    except ValueError:
        bundled = choice is not None and choice.origin == "bundled"
        if bundled and _git(["cat-file", "-t", f"{rev}:catalog"]).stdout.strip() == "tree":
            return "catalog"
        raise usage_error(
            "diff.outside-repo",
            f"the catalog {where} is not inside the git repository {root}",
            hint="give --path FOLDER, or REV:FOLDER, for the catalog inside the repository",
        ) from None
    return rel.as_posix() if str(rel) != "." else ""


def _catalog_at(rev: str, sub: str) -> Catalog:
    spec = f"{rev}:{sub}"
    kind = _git(["cat-file", "-t", spec]).stdout.strip()
    display = spec if sub else f"{rev}:."
    if kind == "tree":
        entries = _tree_entries(spec)
    elif kind == "blob":
        size = int(_git(["cat-file", "-s", spec]).stdout.strip() or 0)
        entries = [(PurePosixPath(sub).name, spec, size)]
    else:
        raise usage_error("diff.missing", f"'{sub or '.'}' does not exist at revision {rev}")
    report = Report()
    catalog = Catalog(path=Path(sub or "."), display=display, files=[], report=report)
    for name, obj, size in entries:
        file_display = f"{rev}:{sub}/{name}" if kind == "tree" and sub else f"{rev}:{name}"
        if kind == "blob":
            file_display = spec
        if size > MAX_ROLE_FILE_BYTES:
            report.error(
                "catalog.too-large",
                f"role file is {size / 1024 / 1024:.1f} MB; the limit is 5 MB",
                Location(file_display),
            )
            continue
        raw = _git(["cat-file", "blob", obj], text=False).stdout
        role_file = load_role_text(raw, file_display, PurePosixPath(name).stem, report)
        role_file.path = Path(name)
        catalog.files.append(role_file)
    index_roles(catalog)  # the duplicate-role check a folder gets
    return catalog


def _tree_entries(spec: str) -> list[tuple[str, str, int]]:
    # --full-tree: without it git lists only what lies under the current folder, and a diff run
    # from a subfolder of the repository would compare two empty catalogs.
    out = _git(["ls-tree", "-z", "-l", "--full-tree", spec]).stdout
    entries = []
    for record in filter(None, out.split("\0")):
        meta, name = record.split("\t", 1)
        _mode, kind, obj, size = meta.split()
        if kind == "blob" and PurePosixPath(name).suffix in ROLE_SUFFIXES:
            entries.append((name, obj, int(size)))
    return sorted(entries)


def check_valid(*catalogs: Catalog) -> None:
    """Invalid role files on either side stop the diff with every error (exit 1)."""
    items = [d for c in catalogs for d in c.report.items]
    if any(d.is_error for d in items):
        raise CatalogError(items)
    for catalog in catalogs:
        require_role_files(catalog)


# --------------------------------------------------------------------------- changes


@dataclass(frozen=True, slots=True)
class Change:
    """One change in meaning. `kind`: added, removed, renamed, moved or changed."""

    role: str
    target: str  # role | kra | kpi
    kind: str
    id: str
    kra: str | None = None
    field: str | None = None
    old: Any = None
    new: Any = None
    minor: bool = False


@dataclass(slots=True)
class RoleDiff:
    id: str
    name: str
    status: str  # added | removed | changed
    changes: list[Change] = field(default_factory=list)


def diff_catalogs(old: Catalog, new: Catalog, role: str | None = None) -> list[RoleDiff]:
    """Role diffs for roles that changed, sorted by role id (roles without change left out)."""
    ids = sorted(set(old.roles) | set(new.roles))
    if role is not None:
        ids = [r for r in ids if r == role]
    result = []
    for rid in ids:
        before, after = old.roles.get(rid), new.roles.get(rid)
        if before is None and after is not None:
            change = Change(rid, "role", "added", rid, new=_counts(after))
            result.append(RoleDiff(rid, after.name, "added", [change]))
        elif after is None and before is not None:
            change = Change(rid, "role", "removed", rid, old=_counts(before))
            result.append(RoleDiff(rid, before.name, "removed", [change]))
        elif before is not None and after is not None:
            changes = diff_role(before, after)
            if changes:
                result.append(RoleDiff(rid, after.name, "changed", changes))
    return result


def _counts(role: Role) -> dict[str, int]:
    return {"kras": len(role.kras), "kpis": sum(len(k.kpis) for k in role.kras)}


def diff_role(old: Role, new: Role) -> list[Change]:
    rid = new.id
    out: list[Change] = []
    if old.name != new.name:
        out.append(Change(rid, "role", "renamed", rid, field="name", old=old.name, new=new.name))
    if old.period != new.period:
        out.append(
            Change(rid, "role", "changed", rid, field="period", old=old.period, new=new.period)
        )
    if _scale(old) != _scale(new):
        out.append(
            Change(
                rid, "role", "changed", rid, field="rating_scale", old=_scale(old), new=_scale(new)
            )
        )
    for name in ROLE_TEXTS:
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            out.append(Change(rid, "role", "changed", rid, field=name, old=a, new=b, minor=True))
    out.extend(_diff_kras(old, new))
    out.extend(_diff_kpis(old, new))
    return out


def _scale(role: Role) -> list[dict[str, Any]]:
    return [
        {"level": r.level, "label": r.label, "min_score": r.min_score or 0} for r in role.scale()
    ]


def _diff_kras(old: Role, new: Role) -> list[Change]:
    rid = new.id
    before = {k.id: k for k in old.kras}
    after = {k.id: k for k in new.kras}
    out: list[Change] = []
    for kid, kra in before.items():
        if kid not in after:
            out.append(Change(rid, "kra", "removed", kid, old=kra.weight))
    for kid, kra in after.items():
        if kid not in before:
            out.append(Change(rid, "kra", "added", kid, new=kra.weight))
            continue
        was = before[kid]
        if was.name != kra.name:
            out.append(Change(rid, "kra", "renamed", kid, field="name", old=was.name, new=kra.name))
        if was.weight != kra.weight:
            out.append(
                Change(rid, "kra", "changed", kid, field="weight", old=was.weight, new=kra.weight)
            )
        for name in KRA_TEXTS:
            a, b = getattr(was, name), getattr(kra, name)
            if a != b:
                out.append(Change(rid, "kra", "changed", kid, field=name, old=a, new=b, minor=True))
    return out


def _kpi_index(role: Role) -> dict[str, tuple[KRA, KPI, float]]:
    return {
        kpi.id: (kra, kpi, weight)
        for kra in role.kras
        for kpi, weight in zip(kra.kpis, kra.kpi_weights(), strict=True)
    }


def _diff_kpis(old: Role, new: Role) -> list[Change]:
    rid = new.id
    before, after = _kpi_index(old), _kpi_index(new)
    out: list[Change] = []
    for pid, (kra, _kpi, weight) in before.items():
        if pid not in after:
            out.append(Change(rid, "kpi", "removed", pid, kra=kra.id, old=weight))
    for pid, (kra, kpi, weight) in after.items():
        if pid not in before:
            out.append(Change(rid, "kpi", "added", pid, kra=kra.id, new=weight))
            continue
        was_kra, was, was_weight = before[pid]
        if was_kra.id != kra.id:
            out.append(
                Change(
                    rid, "kpi", "moved", pid, kra=kra.id, field="kra", old=was_kra.id, new=kra.id
                )
            )
        if was.name != kpi.name:
            out.append(
                Change(
                    rid, "kpi", "renamed", pid, kra=kra.id, field="name", old=was.name, new=kpi.name
                )
            )
        for name in KPI_FIELDS:
            a, b = getattr(was, name), getattr(kpi, name)
            if name == "period":
                if a is None and b is None:
                    continue  # inherited on both sides: the role's own period change says it
                # In meaning: `period: monthly` spelled out in a monthly role changes nothing.
                a, b = old.kpi_period(was), new.kpi_period(kpi)
            if a != b:
                out.append(Change(rid, "kpi", "changed", pid, kra=kra.id, field=name, old=a, new=b))
        if abs(was_weight - weight) > 1e-9:
            out.append(
                Change(
                    rid,
                    "kpi",
                    "changed",
                    pid,
                    kra=kra.id,
                    field="weight",
                    old=was_weight,
                    new=weight,
                )
            )
        for name in KPI_TEXTS:
            a, b = getattr(was, name), getattr(kpi, name)
            if a != b:
                out.append(
                    Change(
                        rid, "kpi", "changed", pid, kra=kra.id, field=name, old=a, new=b, minor=True
                    )
                )
    return out


# --------------------------------------------------------------------------- impact


@dataclass(slots=True)
class ImpactRow:
    employee: str
    name: str | None
    role: str
    period: str | None
    old_score: float | None
    new_score: float | None
    old_rating: tuple[int, str] | None
    new_rating: tuple[int, str] | None

    @property
    def delta(self) -> float | None:
        if self.old_score is None or self.new_score is None:
            return None
        return self.new_score - self.old_score

    @property
    def moved(self) -> bool:
        return self.old_score != self.new_score or self.old_rating != self.new_rating

    @property
    def rating_move(self) -> str:
        """up, down, same, or changed (to or from 'insufficient data', or a new label)."""
        if self.old_rating == self.new_rating:
            return "same"
        if self.old_rating is None or self.new_rating is None:
            return "changed"
        if self.new_rating[0] == self.old_rating[0]:
            return "changed"
        return "up" if self.new_rating[0] > self.old_rating[0] else "down"


@dataclass(slots=True)
class Impact:
    rows: list[ImpactRow]
    warnings: list[Diagnostic] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        moves = [r.rating_move for r in self.rows]
        return {
            "employees": len(self.rows),
            "score_changed": sum(1 for r in self.rows if r.old_score != r.new_score),
            "rating_changed": sum(1 for m in moves if m != "same"),
            "rating_up": moves.count("up"),
            "rating_down": moves.count("down"),
        }


# --------------------------------------------------------------------------- counts


def summary(diffs: list[RoleDiff]) -> dict[str, int]:
    """How many roles and changes, by kind (the header line and the JSON `summary`)."""
    changes = [c for d in diffs for c in d.changes]
    return {
        "roles_added": sum(1 for d in diffs if d.status == "added"),
        "roles_removed": sum(1 for d in diffs if d.status == "removed"),
        "roles_changed": sum(1 for d in diffs if d.status == "changed"),
        "changes": len(changes),
        "major": sum(1 for c in changes if not c.minor),
        "minor": sum(1 for c in changes if c.minor),
    }
