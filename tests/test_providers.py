"""Providers: frequency loading, cold reach from the cases, per-provider history."""

from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pricing.data import load_incidents
from pricing.profiles import PRESETS, ExchangeProfile, load_profiles
from pricing.providers import (
    COLD_REACH_CASES,
    PROVIDER_COLD_REACH,
    PROVIDER_COLD_REACH_RANGE,
    exchanges_per_compromise,
    provider_factors,
    provider_history,
    signing_provider,
)


@given(st.floats(0, 1), st.floats(0.01, 0.99))
def test_user_and_non_user_factors_average_to_one(pi, s):
    """s × (π_u/s) + (1 − s) × ((1 − π_u)/(1 − s)) = 1 and the route form agrees."""
    f = provider_factors(pi, s)
    assert s * f.user + (1 - s) * f.non_user == pytest.approx(1.0, abs=1e-12)
    assert f.user == pytest.approx((1 - pi) + pi / s, rel=1e-12)
    assert f.non_user == pytest.approx(1 - pi, abs=1e-12)


@pytest.mark.parametrize(("pi", "s"), [(-0.1, 0.3), (0.1, 0.0), (0.1, 1.0), (float("nan"), 0.3)])
def test_factors_refuse_impossible_shares(pi, s):
    with pytest.raises(ValueError, match="must be in"):
        provider_factors(pi, s)


def test_cold_reach_comes_from_the_cases():
    reaches = sorted(min(c.reach, 1.0) for c in COLD_REACH_CASES)
    assert {c.exchange for c in COLD_REACH_CASES} == {"Bybit", "DMM Bitcoin"}
    assert PROVIDER_COLD_REACH == pytest.approx(sum(reaches) / len(reaches))
    assert PROVIDER_COLD_REACH_RANGE == (reaches[0], reaches[-1]) == (0.7, 1.0)
    assert all(c.source.startswith("https://") for c in COLD_REACH_CASES)


def test_history_of_the_shipped_providers():
    frame = load_incidents().frame
    table = provider_history(frame)
    by_name = table.set_index("provider")
    assert by_name.loc["Safe{Wallet}", "total_loss_usd"] == pytest.approx(1.46e9)
    assert by_name.loc["Ginco", "exchanges"] == "DMM Bitcoin"
    # Linode (Bitcoinica, Inputs.io) is a hosting provider: it sits in the data's
    # infrastructure_provider column since the provider split, not in the signing path.
    assert "Linode" not in by_name.index
    assert frame["infrastructure_provider"].eq("Linode").sum() == 2
    # every named incident is counted once
    assert table["incidents"].sum() == signing_provider(frame).ne("").sum()
    assert list(table["provider"][:3]) == ["Safe{Wallet}", "Ginco", "Liminal"]
    one = provider_history(frame, "liminal")
    assert list(one["provider"]) == ["Liminal"] and one["total_loss_usd"][0] == 2.3e8
    assert provider_history(frame, "nobody").empty


def test_accessor_prefers_the_signing_provider_column():
    frame = pd.DataFrame(
        {"third_party_provider": ["Linode", ""], "signing_provider": ["", "Ginco"]}
    )
    assert list(signing_provider(frame)) == ["", "Ginco"]
    assert list(signing_provider(frame.drop(columns="signing_provider"))) == ["Linode", ""]


def test_exchanges_per_compromise_groups_a_window():
    frame = pd.DataFrame(
        {
            "date": ["2024-01-01", "2024-01-10", "2024-06-01", "2024-01-05"],
            "exchange": ["A", "B", "C", "D"],
            "third_party_provider": ["P", "P", "P", "Q"],
        }
    )
    # P: {A, B} then {C}; Q: {D}  -> (2 + 1 + 1) / 3
    assert exchanges_per_compromise(frame) == pytest.approx(4 / 3)
    assert exchanges_per_compromise(load_incidents().frame) == pytest.approx(1.0)


def test_profile_provider_fields_round_trip_and_old_files_load():
    small = PRESETS["small"]
    assert small.signing_providers == ("Ginco",) and small.named_providers == ("Ginco",)
    assert ExchangeProfile.from_json(small.to_json()) == small
    old = small.to_dict()
    del old["signing_providers"], old["provider_controls"]
    assert ExchangeProfile.from_dict(old).signing_providers == ()
    assert PRESETS["large"].named_providers == ()
    unnamed = dataclasses.replace(small, signing_providers=())
    assert unnamed.named_providers == ("unnamed",)
    assert json.loads(small.to_json())["signing_providers"] == ["Ginco"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"signing_providers": ("in-house",)}, "'in-house' but 'third_party_provider' is true"),
        ({"signing_providers": ("Ginco", "Ginco")}, "names a provider twice"),
        ({"signing_providers": ("in-house", "Ginco")}, "cannot be combined"),
        ({"third_party_provider": False}, "names Ginco but 'third_party_provider' is false"),
        ({"provider_controls": "cold"}, "'provider_controls': must be one of hot, hot_and_cold"),
        ({"signing_providers": ("",)}, "must be a list of provider names"),
    ],
)
def test_bad_provider_fields_are_named(changes, message):
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(PRESETS["small"], **changes)


def test_profiles_csv_reads_provider_lists(tmp_path):
    row = PRESETS["small"].to_dict() | {"signing_providers": "Fireblocks; Copper"}
    path = tmp_path / "p.csv"
    pd.DataFrame([row]).to_csv(path, index=False)
    (profile,) = load_profiles(path)
    assert profile.signing_providers == ("Fireblocks", "Copper")


def test_cli_providers_prints_history_and_loading(capsys):
    from pricing.cli import main

    assert main(["providers", "--provider", "Safe{Wallet}", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["history"][0]["exchanges"] == "Bybit"
    assert doc["loading"]["user_factor"] == pytest.approx(
        (1 - doc["loading"]["pi"]) + doc["loading"]["pi"] / doc["loading"]["s"]
    )
    assert main(["providers", "--provider", "nobody"]) == 2
    assert "no incident in the data names 'nobody'" in capsys.readouterr().err
    assert main(["providers"]) == 0
    assert "Provider loading" in capsys.readouterr().out
