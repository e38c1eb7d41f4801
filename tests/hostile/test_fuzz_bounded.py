"""The fuzz targets of `fuzz/`, bounded for CI (~10 s in all): a seeded time-boxed mutation loop
per target, plus a hypothesis-driven run whose failures shrink. See fuzz/README.md for long runs.

A finding is any exception other than KpicardError from a reader, any exception at all from
the catalog loader, or an actual that is NaN, infinite or outside its unit's bounds."""

from __future__ import annotations

import random
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "fuzz"))

import fuzz_catalog
import fuzz_readers
from _mutate import mutate_bytes, mutate_yaml, mutate_zip

SECONDS = 2.5
BOUNDED = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
XLSX_SEEDS = fuzz_readers.xlsx_seeds()


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # a finding is saved to the working folder


def test_readers_time_boxed_loop() -> None:
    counts = fuzz_readers.loop(SECONDS, seed=7)
    assert sum(counts.values()) > 100, counts


def test_catalog_time_boxed_loop() -> None:
    assert fuzz_catalog.loop(SECONDS, seed=7) > 50


@BOUNDED
@given(st.sampled_from(fuzz_readers.CSV_SEEDS), st.randoms(use_true_random=False))
def test_csv_reader_mutations(seed: bytes, rnd: random.Random) -> None:
    fuzz_readers.run_csv(mutate_bytes(seed, rnd))


@BOUNDED
@given(st.binary(max_size=600))
def test_csv_reader_random_bytes(data: bytes) -> None:
    fuzz_readers.run_csv(data)


@BOUNDED
@given(st.sampled_from(XLSX_SEEDS), st.randoms(use_true_random=False))
def test_xlsx_reader_mutations(seed: bytes, rnd: random.Random) -> None:
    fuzz_readers.run_file(mutate_zip(seed, rnd))


@BOUNDED
@given(st.sampled_from(fuzz_catalog.SEEDS), st.randoms(use_true_random=False))
def test_catalog_mutations(seed: bytes, rnd: random.Random) -> None:
    fuzz_catalog.run_catalog(mutate_yaml(seed, rnd))
