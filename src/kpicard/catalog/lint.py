"""`catalog lint`: SMART checks and smells that validation lets through (SPEC 9).

Validation decides whether a catalog *can* be scored; lint says whether its KPIs are good ones.
Findings are warnings with stable codes, so CI can grep, suppress or count them:

    KP101  Specific     KPI has no description
    KP102  Specific     KRA has no statement
    KP201  Measurable   KPI unit is the vague `number`
    KP202  Measurable   `score` KPI without a `scale`
    KP203  Measurable   `currency` KPI without a `currency` code
    KP301  Achievable   stretch at the unit's bound: the cap needs perfection
    KP302  Achievable   target at the unit's bound: no room above target (no stretch possible)
    KP501  Time-bound   no period on the role (nor on its KPIs): the default `monthly` applies
    KP901  smell        KPI weighs less than 5 % inside its KRA (its share of the KRA's score)
    KP902  smell        KRA with a single KPI
    KP903  smell        near-duplicate KPI names in a role

Relevant (weights > 0, every KPI inside a KRA) and the order of threshold, target and stretch are
guaranteed by validation, which lint runs first: an invalid file is reported, not linted.
"""

from __future__ import annotations

import difflib
import itertools
from dataclasses import dataclass

from kpicard.catalog.load import RoleFile
from kpicard.catalog.yamlpos import Path_
from kpicard.diagnostics import Diagnostic, Location, Severity, check_code
from kpicard.models import KPI, KRA, Role

MIN_KPI_WEIGHT = 5.0  # percent inside the KRA (SPEC 1.1: a KPI's weight is within its KRA)
NAME_SIMILARITY = 0.9


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    message: str
    hint: str
    file: str
    line: int | None
    column: int | None

    def __post_init__(self) -> None:
        check_code(self.code, Severity.WARNING)  # registered, as every diagnostic's

    def diagnostic(self) -> Diagnostic:
        return Diagnostic(
            self.code,
            self.message,
            Severity.WARNING,
            Location(self.file, self.line, self.column),
            self.hint,
        )

    def github(self) -> str:
        """A GitHub Actions workflow command: an annotation on the file's line."""
        location = Location(self.file, self.line, self.column)
        return _annotation("warning", location, self.code, f"{self.message} ({self.hint})")


def github_error(d: Diagnostic) -> str:
    """An invalid role file as a GitHub `::error` annotation, so CI marks it on the line."""
    text = d.message if d.hint is None else f"{d.message} ({d.hint})"
    return _annotation("error", d.location or Location(), d.code, text)


def _annotation(level: str, where: Location, code: str, text: str) -> str:
    props = f"file={_gh_prop(where.file or '')}"
    if where.line is not None:
        props += f",line={where.line}"
    if where.column is not None:
        props += f",col={where.column}"
    props += f",title={_gh_prop('kpicard ' + code)}"
    return f"::{level} {props}::{_gh_data(text)}"


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


class _Linter:
    def __init__(self, role_file: RoleFile) -> None:
        assert role_file.role is not None and role_file.doc is not None
        self.file = role_file
        self.role: Role = role_file.role
        self.findings: list[Finding] = []

    def add(self, code: str, path: Path_, message: str, hint: str) -> None:
        doc = self.file.doc
        assert doc is not None
        line, col = doc.where(path, key=True) or (None, None)
        self.findings.append(Finding(code, message, hint, self.file.display, line, col))

    def run(self) -> list[Finding]:
        self.time_bound()
        for i, kra in enumerate(self.role.kras):
            self.kra(i, kra)
            for j, (kpi, weight) in enumerate(zip(kra.kpis, kra.kpi_weights(), strict=True)):
                self.kpi(("kras", i, "kpis", j), kra, kpi, weight)
        self.duplicates()
        return sorted(self.findings, key=lambda f: (f.line or 0, f.column or 0, f.code))

    def time_bound(self) -> None:
        data = self.file.doc.data if self.file.doc else {}
        if "period" in data:
            return
        without = [kpi.id for _, kpi in self.role.all_kpis() if kpi.period is None]
        if without:
            self.add(
                "KP501",
                ("id",),
                f"role '{self.role.id}' has no period, so {len(without)} KPI(s) without their "
                "own period are reviewed on the default, monthly",
                "add `period: monthly` (or weekly, quarterly, annual) to the role",
            )

    def kra(self, i: int, kra: KRA) -> None:
        path = ("kras", i)
        if kra.statement is None:
            self.add(
                "KP102",
                (*path, "id"),
                f"KRA '{kra.id}' has no statement",
                "add `statement:` saying what outcome this area is responsible for",
            )
        if len(kra.kpis) == 1:
            self.add(
                "KP902",
                (*path, "kpis"),
                f"KRA '{kra.id}' is measured by a single KPI",
                "add a second KPI (e.g. quality beside speed) so one number does not decide it",
            )

    def kpi(self, path: Path_, kra: KRA, kpi: KPI, weight: float) -> None:
        self.specific(path, kpi)
        self.measurable(path, kpi)
        self.achievable(path, kpi)
        if weight < MIN_KPI_WEIGHT:
            self.add(
                "KP901",
                (*path, "weight") if kpi.weight is not None else (*path, "id"),
                f"KPI '{kpi.id}' weighs {weight:g} % of KRA '{kra.id}' (under "
                f"{MIN_KPI_WEIGHT:g} %)",
                "merge it with a related KPI, drop it, or give it more weight",
            )

    def specific(self, path: Path_, kpi: KPI) -> None:
        if kpi.description is None:
            self.add(
                "KP101",
                (*path, "id"),
                f"KPI '{kpi.id}' has no description",
                "add `description:` saying what is counted, how, and from which source",
            )

    def measurable(self, path: Path_, kpi: KPI) -> None:
        if kpi.unit == "number":
            self.add(
                "KP201",
                (*path, "unit"),
                f"KPI '{kpi.id}' has the vague unit 'number'",
                "use percent, ratio, count, hours, days, minutes, currency or score if one fits",
            )
        elif kpi.unit == "score" and kpi.scale is None:
            self.add(
                "KP202",
                (*path, "unit"),
                f"KPI '{kpi.id}' is a score without a scale",
                "add `scale: [1, 5]` (or the survey's own range) so values outside it are caught",
            )
        elif kpi.unit == "currency" and kpi.currency is None:
            self.add(
                "KP203",
                (*path, "unit"),
                f"KPI '{kpi.id}' is money without a currency",
                "add `currency: USD` (or EUR, ...)",
            )

    def achievable(self, path: Path_, kpi: KPI) -> None:
        if kpi.direction == "range":
            return
        low, high = kpi.bounds()
        bound = high if kpi.direction == "higher" else low
        if bound is None:
            return
        side = "highest" if kpi.direction == "higher" else "lowest"
        if kpi.stretch is not None and kpi.stretch == bound:
            self.add(
                "KP301",
                (*path, "stretch"),
                f"KPI '{kpi.id}' reaches its cap only at {kpi.stretch:g}, the {side} value "
                f"a {kpi.unit} can take: only perfection scores the cap",
                "set the stretch a little short of perfect",
            )
        if kpi.target == bound:
            self.add(
                "KP302",
                (*path, "target"),
                f"KPI '{kpi.id}' has its target at {kpi.target:g}, the {side} value a "
                f"{kpi.unit} can take: anything short of perfect is below target",
                "set the target short of perfect and put perfection in `stretch`",
            )

    def duplicates(self) -> None:
        kpis = [(path, kpi) for path, kpi in self._kpi_paths()]
        for (_, a), (path_b, b) in itertools.combinations(kpis, 2):
            ratio = difflib.SequenceMatcher(None, a.name.casefold(), b.name.casefold()).ratio()
            if ratio > NAME_SIMILARITY:
                self.add(
                    "KP903",
                    (*path_b, "name"),
                    f"KPI '{b.id}' is named almost like '{a.id}' ('{b.name}' / '{a.name}')",
                    "merge the two KPIs, or name what sets them apart",
                )

    def _kpi_paths(self) -> list[tuple[Path_, KPI]]:
        return [
            (("kras", i, "kpis", j), kpi)
            for i, kra in enumerate(self.role.kras)
            for j, kpi in enumerate(kra.kpis)
        ]


def lint_role(role_file: RoleFile) -> list[Finding]:
    """The findings of one valid role file, in line order."""
    return _Linter(role_file).run()
