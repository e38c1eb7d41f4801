"""The bundled catalog encodes the seed documents: every KRA and KPI they name is there.

The seeds (`shared/seeds/` beside the repository) are parsed by their structure, not read from
hard-coded lists, so a KPI renamed or dropped in `catalog/` fails here:

- The seeds' README table says which file describes which role, and how many KRAs (or metric
  areas) and KPIs (or metrics) each holds; the parsers must find exactly that many.
- KRA lists (000, 002, 004): a numbered heading ("1. Data Management"), a "KRA:" line (the
  catalog's `statement`), a "Short Description:" line (its `summary`), then "-" or "•" bullets,
  one KPI each (a "1. " numbering inside the bullet is dropped).
- Metric areas (001): between "Key Metrics ..." and "Conclusion", a short line without final
  punctuation is an area (a KRA), and each "•" bullet "Name: how it is measured" is a metric.
  A trailing "(NPS)" in a metric name is its abbreviation: the name without it must be the KPI's
  name and the abbreviation one of its aliases. "higher", "lower" or "balanced" in the bullet is
  the reading the KPI's direction must follow.
- A job description (003): its "-" bullets and its education paragraph must be found, in
  substance, in the role's responsibilities, qualifications and skills.

Names are compared after case-folding and collapsing white space only ('&' stays '&'). KRA
statements and summaries must equal the seed's text (white space collapsed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
CATALOG = REPO / "catalog"

pytestmark = pytest.mark.skipif(
    not (SEEDS / "README.md").is_file(),
    reason=f"seed documents not found at {SEEDS} (they live beside the repository, in shared/)",
)


# --------------------------------------------------------------------------- helpers


def norm(text: str) -> str:
    """Case-folded, white space collapsed, typographic apostrophes straightened."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.split()).casefold().rstrip(".:")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


_STOP = {"and", "the", "for", "with", "that", "are", "this", "such", "from", "have", "has"}


def stems(text: str) -> set[str]:
    """Content words, cut to five letters so that 'Analyzes' meets 'Analyse'."""
    words = re.findall(r"[a-z0-9]+", norm(text))
    return {w[:5] for w in words if len(w) >= 2 and w not in _STOP}


def overlap(seed_text: str, item: str) -> float:
    wanted = stems(seed_text)
    return len(wanted & stems(item)) / len(wanted) if wanted else 1.0


# --------------------------------------------------------------------------- seed parsing


@dataclass
class SeedKPI:
    name: str
    abbreviation: str | None = None
    reading: str | None = None  # higher | lower | range, when the seed says


@dataclass
class SeedKRA:
    name: str
    statement: str | None = None
    summary: str | None = None
    kpis: list[SeedKPI] = field(default_factory=list)


@dataclass
class SeedFile:
    path: Path
    role_name: str
    holds: str

    @property
    def role_id(self) -> str:
        return slug(self.role_name)

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def kind(self) -> str:
        text = self.text
        if re.search(r"^KRA:", text, re.M) and re.search(r"^Short Description:", text, re.M):
            return "kras"
        if re.search(r"^Key Metrics\b", text, re.M):
            return "metrics"
        return "job-description"


def read_readme() -> list[SeedFile]:
    """The README's table: | file | role | what it holds |."""
    rows = []
    for line in (SEEDS / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].endswith(".txt"):
            rows.append(SeedFile(SEEDS / cells[0], cells[1], cells[2]))
    return rows


_HEADING = re.compile(r"^\d+\.\s+(\S.*)$")
_BULLET = re.compile(r"^(?:-|•)\s+(?:\d+\.\s+)?(\S.*)$")


def parse_kra_list(text: str) -> list[SeedKRA]:
    kras: list[SeedKRA] = []
    current: SeedKRA | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if heading := _HEADING.match(line):
            current = SeedKRA(heading.group(1).strip())
            kras.append(current)
        elif line.startswith("KRA:"):
            if current is None or current.statement is not None:
                current = None  # e.g. the worked example's "KRA: In a real-world scenario"
            else:
                current.statement = line.removeprefix("KRA:").strip()
        elif line.startswith("Short Description:"):
            if current is not None:
                current.summary = line.removeprefix("Short Description:").strip()
        elif bullet := _BULLET.match(line):
            if current is not None and current.summary is not None:
                current.kpis.append(SeedKPI(bullet.group(1).strip()))
        else:
            current = None  # any other text ends the KRA (table of contents, page furniture)
    return kras


_ABBREVIATION = re.compile(r"^(.*?)\s*\(([A-Z][A-Za-z]*)\)$")


def _reading(description: str) -> str | None:
    words = set(re.findall(r"[a-z]+", description.casefold()))
    if "balanced" in words:
        return "range"
    if "lower" in words:
        return "lower"
    if "higher" in words:
        return "higher"
    return None


def parse_metric_areas(text: str) -> list[SeedKRA]:
    lines = [line.strip() for line in text.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("Key Metrics"))
    end = next((i for i in range(start, len(lines)) if lines[i] == "Conclusion"), len(lines))
    kras: list[SeedKRA] = []
    for line in lines[start + 1 : end]:
        if not line:
            continue
        if line.startswith("•"):
            name, _, description = line.lstrip("•").strip().partition(":")
            abbreviation = None
            if m := _ABBREVIATION.match(name.strip()):
                name, abbreviation = m.group(1), m.group(2)
            assert kras, f"a metric bullet before any metric area: {line!r}"
            kras[-1].kpis.append(SeedKPI(name.strip(), abbreviation, _reading(description)))
        elif not line.endswith((".", ":")):
            kras.append(SeedKRA(line))
    return kras


def parse_seed(seed: SeedFile) -> list[SeedKRA]:
    if seed.kind == "kras":
        return parse_kra_list(seed.text)
    if seed.kind == "metrics":
        return parse_metric_areas(seed.text)
    return []


def load_role(role_id: str) -> dict:
    path = CATALOG / f"{role_id}.yaml"
    assert path.is_file(), f"no bundled role file {path.relative_to(REPO)}"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _seeds() -> list[SeedFile]:
    return read_readme() if (SEEDS / "README.md").is_file() else []


def _ids(seeds: list[SeedFile]) -> list[str]:
    return [s.path.stem for s in seeds]


SEED_FILES = _seeds()
SCORED = [s for s in SEED_FILES if s.kind != "job-description"]
JOB_DESCRIPTIONS = [s for s in SEED_FILES if s.kind == "job-description"]


# --------------------------------------------------------------------------- tests


def test_readme_names_every_seed_and_each_role_is_bundled():
    listed = {s.path.name for s in SEED_FILES}
    on_disk = {p.name for p in SEEDS.glob("*.txt")}
    assert listed == on_disk, "the seeds README table and the seed files disagree"
    for seed in SEED_FILES:
        role = load_role(seed.role_id)
        assert role["id"] == seed.role_id
        assert norm(role["name"]) == norm(seed.role_name)
    assert SCORED and JOB_DESCRIPTIONS


@pytest.mark.parametrize("seed", SCORED, ids=_ids(SCORED))
def test_parser_finds_what_the_readme_promises(seed: SeedFile):
    kras = parse_seed(seed)
    n_kras = re.search(r"(\d+) (?:KRAs|metric areas)", seed.holds)
    n_kpis = re.search(r"(\d+) (?:KPIs|metrics)", seed.holds)
    assert n_kras and n_kpis, f"README does not say what {seed.path.name} holds"
    assert len(kras) == int(n_kras.group(1)), [k.name for k in kras]
    for kra in kras:
        assert len(kra.kpis) == int(n_kpis.group(1)), (kra.name, [k.name for k in kra.kpis])


@pytest.mark.parametrize("seed", SCORED, ids=_ids(SCORED))
def test_every_seed_kra_and_kpi_is_in_the_catalog_under_its_own_name(seed: SeedFile):
    role = load_role(seed.role_id)
    catalog_kras = {norm(k["name"]): k for k in role["kras"]}
    missing = []
    for seed_kra in parse_seed(seed):
        kra = catalog_kras.get(norm(seed_kra.name))
        if kra is None:
            missing.append(f"KRA {seed_kra.name!r}")
            continue
        kpis = {norm(k["name"]): k for k in kra["kpis"]}
        for seed_kpi in seed_kra.kpis:
            kpi = kpis.get(norm(seed_kpi.name))
            if kpi is None:
                missing.append(f"KPI {seed_kpi.name!r} under KRA {seed_kra.name!r}")
            elif seed_kpi.abbreviation:
                aliases = {norm(a) for a in kpi.get("aliases", [])}
                if norm(seed_kpi.abbreviation) not in aliases:
                    missing.append(f"alias {seed_kpi.abbreviation!r} of KPI {seed_kpi.name!r}")
    assert not missing, f"{seed.role_id}.yaml lacks what {seed.path.name} names: {missing}"


@pytest.mark.parametrize("seed", SCORED, ids=_ids(SCORED))
def test_every_kra_has_its_statement_and_short_description(seed: SeedFile):
    role = load_role(seed.role_id)
    catalog_kras = {norm(k["name"]): k for k in role["kras"]}
    for seed_kra in parse_seed(seed):
        kra = catalog_kras[norm(seed_kra.name)]
        statement, summary = kra.get("statement"), kra.get("summary")
        assert statement and summary, f"KRA {kra['id']} needs a statement and a summary"
        if seed_kra.statement is not None:
            assert norm(statement) == norm(seed_kra.statement), kra["id"]
            assert norm(summary) == norm(seed_kra.summary or ""), kra["id"]
        else:  # metric areas: written from the seed's text, so at least more than the name
            assert norm(statement) != norm(kra["name"]) != norm(summary), kra["id"]


@pytest.mark.parametrize("seed", SCORED, ids=_ids(SCORED))
def test_kpi_directions_follow_the_seed_reading(seed: SeedFile):
    role = load_role(seed.role_id)
    directions = {norm(p["name"]): p["direction"] for k in role["kras"] for p in k["kpis"]}
    for seed_kra in parse_seed(seed):
        for seed_kpi in seed_kra.kpis:
            if seed_kpi.reading is not None:
                assert directions[norm(seed_kpi.name)] == seed_kpi.reading, seed_kpi.name


@pytest.mark.parametrize("seed", JOB_DESCRIPTIONS, ids=_ids(JOB_DESCRIPTIONS))
def test_job_description_is_carried_by_the_role(seed: SeedFile):
    role = load_role(seed.role_id)
    for key in ("responsibilities", "qualifications", "skills"):
        assert role.get(key), f"{seed.role_id}.yaml needs a non-empty {key} list"
        assert all(isinstance(item, str) and item.strip() for item in role[key]), key
    items = role["responsibilities"] + role["qualifications"] + role["skills"]

    bullets = [m.group(1) for m in re.finditer(r"^-\s+(\S.*)$", seed.text, re.M)]
    assert len(bullets) >= 20, "the job description parser found too few bullets"
    uncovered = [b for b in bullets if max(overlap(b, item) for item in items) < 0.5]
    assert not uncovered, f"job-description lines missing from {seed.role_id}.yaml: {uncovered}"

    education = re.search(r"degree such as (.+)$", seed.text, re.M)
    assert education, "the seed's education paragraph was not found"
    best = max(overlap(education.group(1), q) for q in role["qualifications"])
    assert best >= 0.5, "the seed's education (degrees and fields) is not in qualifications"


def _worked_example(text: str) -> list[tuple[str, float]]:
    pattern = re.compile(r"^-\s*KPI\s*\d+:\s*(.+?):\s*([\d.]+)", re.M)
    return [(m.group(1), float(m.group(2))) for m in pattern.finditer(text)]


@pytest.mark.parametrize(
    "seed",
    [s for s in SCORED if _worked_example(s.text)],
    ids=lambda s: s.path.stem,
)
def test_worked_example_names_catalog_kpis_and_lands_between_target_and_stretch(seed: SeedFile):
    """The seed calls its example exemplary: every figure meets the target, none is capped."""
    role = load_role(seed.role_id)
    by_key = {}
    for kra in role["kras"]:
        for kpi in kra["kpis"]:
            for key in (kpi["name"], *kpi.get("aliases", [])):
                by_key[norm(key)] = kpi
    example = _worked_example(seed.text)
    assert len(example) == 4
    for label, value in example:
        kpi = by_key.get(norm(label))
        assert kpi is not None, f"example label {label!r} is no KPI name or alias"
        target, stretch = kpi["target"], kpi["stretch"]
        if kpi["direction"] == "higher":
            assert target < value < stretch, (label, value, target, stretch)
        else:
            assert target > value > stretch, (label, value, target, stretch)
