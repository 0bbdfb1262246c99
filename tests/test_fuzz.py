"""Fuzz tests: every generated input ends in a clear error or a correct answer, never a crash.

The corpus (``tests/fuzz_corpus.py``, seeded) covers every upload parser (incident CSV,
exposure CSV, profile JSON, profiles CSV) and every CLI command but ``app``: encodings
(UTF-16, Latin-1, BOM), ``;`` and tab delimiters, overflowing and non-finite numbers, deep
nesting, oversized files and cells, empty files and binary junk. ``scripts/fuzz_counts.py``
prints how many inputs ended each way.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pytest

from pricing.checks import LIMITS
from pricing.data import load_exposure, load_incidents
from pricing.profiles import NUMERIC_FIELDS, ExchangeProfile, load_profiles
from tests import fuzz_corpus as fc

INCIDENTS = fc.incident_files()
EXPOSURE = fc.exposure_files()
PROFILES = fc.profile_documents()
PROFILES_CSV = fc.profiles_csv_files()
CLI = fc.cli_cases()


def _rows(data: bytes) -> int:
    """Data rows of a CSV, counted independently of the loader (blank lines skipped)."""
    for encoding in ("utf-16", "utf-8-sig"):
        if encoding == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        text = data.decode(encoding)
        rows = [r for r in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in r)]
        return len(rows) - 1
    raise AssertionError("undecodable file loaded")


def _no_row_dropped(data: bytes):
    def check(loaded) -> None:
        assert len(loaded.frame) == _rows(data), (len(loaded.frame), _rows(data))

    return check


def _profile_is_valid(profile: ExchangeProfile) -> None:
    for name in NUMERIC_FIELDS:
        assert LIMITS[name].problem(getattr(profile, name)) is None, name
    assert ExchangeProfile.from_json(profile.to_json()) == profile


def _outcome_ok(outcome: fc.Outcome) -> None:
    assert outcome.kind in (fc.ANSWER, fc.CLEAR), outcome.detail


@pytest.mark.parametrize(("name", "data"), INCIDENTS, ids=[n for n, _ in INCIDENTS])
def test_incident_upload(name, data):
    _outcome_ok(fc.judge_call(lambda: load_incidents(data), _no_row_dropped(data)))


@pytest.mark.parametrize(("name", "data"), EXPOSURE, ids=[n for n, _ in EXPOSURE])
def test_exposure_upload(name, data):
    def check(exposure) -> None:
        assert len(exposure.frame) == _rows(data)
        assert all(math.isnan(x) or x > 0 for x in exposure.frame.to_numpy().ravel())

    _outcome_ok(fc.judge_call(lambda: load_exposure(data), check))


@pytest.mark.parametrize(("name", "data"), PROFILES, ids=[n for n, _ in PROFILES])
def test_profile_json(name, data):
    _outcome_ok(fc.judge_call(lambda: ExchangeProfile.from_json(data), _profile_is_valid))


@pytest.mark.parametrize(("name", "data"), PROFILES_CSV, ids=[n for n, _ in PROFILES_CSV])
def test_profiles_csv(name, data, tmp_path):
    path = tmp_path / "profiles.csv"
    path.write_bytes(data)

    def check(profiles) -> None:
        assert len(profiles) == _rows(data)
        for profile in profiles:
            _profile_is_valid(profile)

    _outcome_ok(fc.judge_call(lambda: load_profiles(path), check))


def test_known_reports_are_clear_errors():
    """The inputs of the original fuzz report each end in a clear error naming the field."""
    by_name = dict(PROFILES)
    for name, field in [
        ("customer_assets_usd-400-digit-int", "customer_assets_usd"),
        ("deep-arrays", None),
        ("control-char-name", "name"),
        ("negative-carry", "reserve_yield"),
    ]:
        if name not in by_name:
            continue
        outcome = fc.judge_call(lambda n=name: ExchangeProfile.from_json(by_name[n]))
        assert outcome.kind == fc.CLEAR, (name, outcome)
        if field:
            assert f"'{field}'" in outcome.detail, (name, outcome.detail)


@pytest.fixture(scope="module")
def cli_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz_cli")
    fc.write_cli_files(folder)
    return folder


@pytest.fixture(scope="module", autouse=True)
def _shared_calibration():
    with fc.shared_calibration():
        yield


@pytest.mark.parametrize(("name", "argv"), CLI, ids=[n for n, _ in CLI])
def test_cli(name, argv, cli_dir):
    args = [a.replace("{dir}", str(cli_dir)) for a in argv]
    _outcome_ok(fc.judge_cli(args))
