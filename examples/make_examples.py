"""(Re)write the example actuals in this folder from the bundled catalog.

    python examples/make_examples.py

Deterministic: a fixed random seed, and the workbook is written with fixed timestamps, so a
re-run changes nothing unless the catalog or this script changed. Uses the standard library,
openpyxl and PyYAML (both dependencies of kpicard) only.

Each team file has 10-30 people whose values spread around each KPI's threshold, target and
stretch (a person's general level plus per-KPI noise), with a few missing values written the way
people write them: an empty cell, "N/A" or "-". Column headers are the KPI's name, sometimes with
its unit in parentheses, sometimes one of its aliases, as a team lead would write them.
"""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
CATALOG = HERE.parent / "catalog"
SEED = 20260930
FIXED_TIME = (2026, 10, 1, 9, 0, 0)
MISSING_TOKENS = ("", "N/A", "-")

NAMES = [
    "Ana Ruiz", "Kwame Mensah", "Mei Lin Chen", "Oluwaseun Adeyemi", "Lars Eriksson",
    "Fatima Zahra El Idrissi", "Diego Fernández", "Aiko Tanaka", "Rahul Mehta", "Sofia Rossi",
    "Mateus Oliveira", "Chloé Martin", "Jonas Becker", "Nguyen Thi Lan", "Amara Okafor",
    "Siobhán O'Connor", "Yusuf Demir", "Elena Popescu", "Hana Kovač", "Carlos Mendoza",
    "Ingrid Johansen", "Tariq Hussain", "Lucía Gómez", "Kenji Watanabe", "Zanele Dlamini",
    "Pierre Dubois", "Anjali Nair", "Mikhail Ivanov", "Grace Wanjiru", "Tomás Novák",
    "Leila Haddad", "Park Joon-ho", "Isabela Costa", "Bartosz Kowalski", "Nadia Rahman",
    "Emre Yılmaz", "Camille Laurent", "Sipho Nkosi", "Valentina Bianchi", "Arjun Patel",
    "Maja Nilsson", "Omar Farouk", "Paula Santos", "Dmitri Volkov", "Ayesha Siddiqui",
    "Femi Olawale", "Julia Schmidt", "Ricardo Alves", "Thandiwe Moyo", "Hiroshi Sato",
    "Marta Wiśniewska", "Samuel Boateng", "Noor Al-Amin", "Elif Şahin", "Andrés Castillo",
    "Katarzyna Zielińska", "Jamal Williams", "Rosa Delgado", "Vikram Singh", "Anneke de Vries",
    "Chidi Eze", "Linh Pham", "Mariam Bakr", "Patrick Murphy", "Kim Seo-yeon", "Gabriel Moreau",
    "Ewa Lindqvist", "Kofi Asante", "Beatriz Lima", "Rohan Kapoor",
]  # fmt: skip

UNIT_SUFFIX = {"percent": "%", "hours": "h", "days": "days", "minutes": "min", "ratio": "0-1"}


def load_role(role_id: str) -> dict[str, Any]:
    return yaml.safe_load((CATALOG / f"{role_id}.yaml").read_text(encoding="utf-8"))


def kpis_of(role: dict[str, Any]) -> list[dict[str, Any]]:
    return [kpi for kra in role["kras"] for kpi in kra["kpis"]]


def decimals(kpi: dict[str, Any]) -> int:
    unit = kpi["unit"]
    if unit == "count":
        return 1 if kpi["direction"] == "range" else 0  # a per-day average has decimals
    if unit == "currency" or (unit == "score" and kpi.get("scale", [1, 5])[1] > 10):
        return 0
    if unit == "ratio":
        return 3
    return 1


def bounds(kpi: dict[str, Any]) -> tuple[float | None, float | None]:
    unit = kpi["unit"]
    if unit == "percent":
        return 0.0, 100.0
    if unit == "ratio":
        return 0.0, 1.0
    if unit == "score" and "scale" in kpi:
        return float(kpi["scale"][0]), float(kpi["scale"][1])
    if unit in ("count", "hours", "days", "minutes"):
        return 0.0, None
    return None, None


def draw(kpi: dict[str, Any], level: float, rng: random.Random) -> float:
    """A value for someone at `level` (0 = at threshold, 1 = at target, 1.5 = at stretch)."""
    x = level + 0.25 * rng.gauss(0, 1)
    if kpi["direction"] == "range":
        lo, hi = kpi["target"]["min"], kpi["target"]["max"]
        value = (lo + hi) / 2 + rng.gauss(0, 0.7) * (hi - lo)
    else:
        t, g, s = kpi["threshold"], kpi["target"], kpi.get("stretch")
        if x <= 1:
            value = t + x * (g - t)
        elif s is not None:
            value = g + (x - 1) * (s - g) / 0.5
        else:
            value = g + (x - 1) * (g - t) * 0.3
    low, high = bounds(kpi)
    if low is not None:
        value = max(low, value)
    if high is not None:
        value = min(high, value)
    d = decimals(kpi)
    if kpi["unit"] == "currency":
        return float(round(value / 50) * 50)
    return round(value, d) if d else float(round(value))


def fmt(value: float, places: int) -> str:
    """A number as a person would type it: no trailing zeros."""
    text = f"{value + 0.0:.{places}f}"  # + 0.0 turns -0.0 into 0.0
    return text.rstrip("0").rstrip(".") if "." in text else text


def header_for(kpi: dict[str, Any], rng: random.Random) -> str:
    roll = rng.random()
    aliases = kpi.get("aliases") or []
    if roll < 0.2 and aliases:
        return aliases[0]
    if roll < 0.45:
        if kpi["unit"] == "score" and "scale" in kpi:
            low, high = kpi["scale"]
            span = f"{low} to {high}" if low < 0 else f"{low}-{high}"
            return f"{kpi['name']} ({span})"
        if kpi["unit"] == "currency":
            return f"{kpi['name']} ({kpi.get('currency', 'amount')})"
        if kpi["unit"] in UNIT_SUFFIX:
            return f"{kpi['name']} ({UNIT_SUFFIX[kpi['unit']]})"
    return kpi["name"]


def team_rows(
    role: dict[str, Any],
    rng: random.Random,
    people: list[str],
    id_prefix: str,
    teams: list[tuple[str, str]],
    period: str,
    missing_rate: float = 0.03,
    sparse: dict[str, float] | None = None,
) -> list[dict[str, Any]]:
    """One dict per person: meta columns, then KPI id -> value (None when missing)."""
    sparse = sparse or {}
    rows = []
    for i, name in enumerate(people):
        team, manager = teams[i % len(teams)]
        level = 0.95 + 0.3 * rng.gauss(0, 1)
        values: dict[str, float | None] = {}
        for kpi in kpis_of(role):
            value: float | None = draw(kpi, level, rng)
            if rng.random() < sparse.get(kpi["id"], missing_rate):
                value = None
            values[kpi["id"]] = value
        rows.append(
            {
                "employee_id": f"{id_prefix}{i + 1:03d}",
                "name": name,
                "team": team,
                "manager": manager,
                "period": period,
                "values": values,
            }
        )
    return rows


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def wide_csv(path: Path, role: dict[str, Any], rows: list[dict[str, Any]], rng: random.Random):
    kpis = kpis_of(role)
    header = ["employee_id", "name", "team", "manager", "period"]
    header += [header_for(kpi, rng) for kpi in kpis]
    out = []
    for row in rows:
        line = [row[k] for k in ("employee_id", "name", "team", "manager", "period")]
        for kpi in kpis:
            value = row["values"][kpi["id"]]
            if value is None:
                line.append(rng.choice(MISSING_TOKENS))
            elif kpi["unit"] == "currency":
                line.append(f"{value:,.0f}")  # as exported from a spreadsheet: "2,500"
            else:
                line.append(fmt(value, decimals(kpi)))
        out.append(line)
    write_csv(path, header, out)


def long_csv(path: Path, role: dict[str, Any], rows: list[dict[str, Any]], rng: random.Random):
    out = []
    for row in rows:
        for kpi in kpis_of(role):
            value = row["values"][kpi["id"]]
            if value is None and rng.random() < 0.5:
                continue  # a measurement nobody wrote down: no row at all
            key = kpi["id"] if rng.random() < 0.7 else kpi["name"]
            text = rng.choice(MISSING_TOKENS[1:]) if value is None else fmt(value, decimals(kpi))
            out.append([row["employee_id"], row["name"], key, text])
    write_csv(path, ["employee_id", "name", "kpi", "value"], out)


def billing_workbook(path: Path, role: dict[str, Any], rows: list[dict[str, Any]], rng):
    """A workbook as a team lead keeps it: a title, a blank row, then the table."""
    kpis = kpis_of(role)
    wb = Workbook()
    ws = wb.active
    ws.title = "Actuals"
    ws.append(["Billing team - monthly KPI actuals, September 2026"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    header = ["employee_id", "name", "team", "manager", "period"]
    header += [header_for(kpi, rng) for kpi in kpis]
    ws.append(header)
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        line: list[Any] = [row[k] for k in ("employee_id", "name", "team", "manager", "period")]
        for kpi in kpis:
            value = row["values"][kpi["id"]]
            if value is None:
                line.append(rng.choice(MISSING_TOKENS) or None)
            elif kpi["unit"] == "percent":
                line.append(round(value / 100, 6))  # typed as 95% -> stored as 0.95
            else:
                line.append(value)
        ws.append(line)
    for col, kpi in enumerate(kpis, start=6):
        whole = all(
            r["values"][kpi["id"]] is None or float(r["values"][kpi["id"]]).is_integer()
            for r in rows
        )
        if kpi["unit"] == "percent":
            number_format = "0%" if whole else "0.0%"
        else:
            number_format = "0" if whole else "0.0"
        for (cell,) in ws.iter_rows(min_row=4, min_col=col, max_col=col):
            if isinstance(cell.value, int | float):
                cell.number_format = number_format
        ws.column_dimensions[ws.cell(row=3, column=col).column_letter].width = 16
    for letter, width in zip("ABCDE", (12, 24, 18, 18, 10), strict=True):
        ws.column_dimensions[letter].width = width
    ws.row_dimensions[3].height = 45
    ws.freeze_panes = "C4"
    save_deterministic(wb, path)


def save_deterministic(wb: Workbook, path: Path) -> None:
    """Save with fixed document and zip timestamps, so that re-runs give the same bytes."""
    buffer = io.BytesIO()
    wb.save(buffer)
    stamp = "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format(*FIXED_TIME)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rf"\g<1>{stamp}\g<2>", text
                )
                data = text.encode("utf-8")
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, data)
    path.write_bytes(out.getvalue())


def main() -> None:
    rng = random.Random(SEED)
    names = NAMES[:]
    rng.shuffle(names)
    take = iter(names)

    def people(n: int) -> list[str]:
        return [next(take) for _ in range(n)]

    admin = load_role("account-administrator")
    rows = team_rows(
        admin,
        rng,
        people(12),
        "AA-",
        [("Key Accounts", "Priya Raman"), ("SMB Accounts", "Tomasz Nowak")],
        "2026-Q3",
    )
    wide_csv(HERE / "account-administrators.csv", admin, rows, rng)

    collection = load_role("collection-representative")
    rows = team_rows(
        collection,
        rng,
        people(24),
        "CR-",
        [
            ("Early Stage", "Adaeze Nwosu"),
            ("Late Stage", "Henrik Dahl"),
            ("Commercial", "Carmen Ortiz"),
        ],
        "2026-09",
        sparse={"legal-disputes-resolved": 0.6, "customer-referrals": 0.15},
    )
    wide_csv(HERE / "collection-team.csv", collection, rows, rng)

    coordinator = load_role("account-coordinator")
    rows = team_rows(
        coordinator,
        rng,
        people(10),
        "AC-",
        [("Client Services", "Laura Bennett")],
        "2026-Q3",
        missing_rate=0.05,
    )
    long_csv(HERE / "account-coordinators-long.csv", coordinator, rows, rng)

    billing = load_role("billing-staff")
    rows = team_rows(
        billing,
        rng,
        people(16),
        "B-",
        [("Billing North", "Wei Zhang"), ("Billing South", "Olga Petrova")],
        "2026-09",
    )
    for row in rows:  # survey-based percentages are whole numbers in the survey tool
        for kpi_id in ("customer-satisfaction", "issue-resolution-rate"):
            if row["values"][kpi_id] is not None:
                row["values"][kpi_id] = float(round(row["values"][kpi_id]))
    billing_workbook(HERE / "billing-team.xlsx", billing, rows, rng)

    by_id = {kpi["id"]: kpi["name"] for kpi in kpis_of(billing)}
    example = [  # seed 004's worked example, figures as the seed gives them
        ("customer-satisfaction", "95"),
        ("inquiry-response-time", "6"),
        ("issue-resolution-rate", "90"),
        ("information-accuracy", "98"),
    ]
    write_csv(
        HERE / "billing-worked-example.csv",
        ["employee_id", "name", *(by_id[k] for k, _ in example)],
        [["E001", "Ana Ruiz", *(v for _, v in example)]],
    )


if __name__ == "__main__":
    main()
