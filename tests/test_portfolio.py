"""The insurer's book: loading, the portfolio simulation against independent answers, Dask
invariance, the shared-provider tail, allocation and the CLI."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from pricing.aggregate import Poisson
from pricing.aggregate import aggregate as compound
from pricing.calibration import calibrate
from pricing.coverage import Layer
from pricing.distributions import Lognormal, Mixture
from pricing.exceptions import InputError
from pricing.portfolio import (
    ExchangeRisk,
    build_portfolio,
    load_book,
    parse_book,
    portfolio_from_risks,
    provider_scenario,
    run_portfolio,
    standalone_tvar,
)
from pricing.portfolio.simulate import TailState, simulate_chunk
from pricing.profiles import PRESETS

BOOK = "data/example_book.csv"
BASE = Lognormal(meanlog=15.0, sdlog=1.5)  # loss size before each exchange's scale (USD)


def risk(name, own=0.0, providers=(), scale=1.0, cap=5e8, layer=None, hot_weight=0.0):
    return ExchangeRisk(
        name=name,
        own_rate=own,
        hot_weight=hot_weight,
        scale=scale,
        hot_cap=cap / 10,
        other_cap=cap,
        provider_cap=cap,
        provider_rates=tuple(providers),
        layer=layer or Layer(retention=1e6, limit=2e7, share=0.5),
        groups=tuple(p for p, _ in providers) or ("in-house",),
    )


@pytest.fixture(scope="module")
def calibration():
    return calibrate()


@pytest.fixture(scope="module")
def example(calibration):
    return build_portfolio(load_book(BOOK), calibration)


# -- the book ---------------------------------------------------------------------------------
def test_example_book_is_fictional_and_loads():
    book = load_book(BOOK)
    assert len(book) == 30
    assert all("(fictional)" in name for name in book.names)
    assert {"Ginco", "Safe{Wallet}", "Liminal", "Fireblocks", "BitGo", "Copper", "in-house"} == set(
        book.providers
    )
    alpine = next(e for e in book.entries if e.name.startswith("Alpine"))
    assert alpine.providers == ("BitGo", "Fireblocks")
    assert parse_book(book.to_csv()).entries == book.entries  # round trip


def test_bad_book_names_every_line_and_column():
    text = (
        "exchange,customer_assets_usd,hot_share,security_level,jurisdiction,"
        "signing_providers,provider_controls,retention,limit,share\n"
        "A,1e8,0.05,standard,jp,Ginco,hot,1e6,1e7,0.5\n"
        "B,lots,0.05,standard,jp,Ginco,cold,1e6,1e7,1.5\n"
        "A,1e8,1.2,medium,xx,in-house; Ginco,hot,-1,0,0.5\n"
    )
    with pytest.raises(InputError) as info:
        parse_book(text, source="book.csv")
    found = {(p.line, p.column) for p in info.value.problems}
    assert {
        (3, "customer_assets_usd"),
        (3, "provider_controls"),
        (3, "share"),
        (4, "hot_share"),
        (4, "security_level"),
        (4, "jurisdiction"),
        (4, "signing_providers"),
        (4, "retention"),
        (4, "limit"),
    } <= found
    assert "line 3, column 'customer_assets_usd': 'lots' is not a number" in str(info.value)
    good_dup = [*text.splitlines()[:3], "A,1e8,0.05,standard,jp,Ginco,hot,1e6,1e7,0.5"]
    with pytest.raises(InputError, match="line 4, column 'exchange': 'A' is already on line 2"):
        parse_book(
            "\n".join(good_dup).replace("lots", "1e8").replace("cold", "hot").replace(",1.5", ",1")
        )
    with pytest.raises(InputError, match="line 1, column 'limit': missing column"):
        parse_book("exchange,customer_assets_usd,hot_share,security_level,jurisdiction,retention\n")
    with pytest.raises(InputError, match="line 1, column 'colour': unknown column"):
        parse_book("exchange,colour,retention,limit,profile\nA,red,1,2,small\n")


def test_book_rows_may_name_a_profile_file(tmp_path):
    PRESETS["small"].save(tmp_path / "small.json")
    (tmp_path / "book.csv").write_text(
        "exchange,profile,retention,limit\nMine,small.json,1e6,1e7\nGone,none.json,1e6,1e7\n"
    )
    with pytest.raises(InputError, match="line 3, column 'profile'"):
        load_book(tmp_path / "book.csv")
    (tmp_path / "book.csv").write_text(
        "exchange,profile,retention,limit\nMine,small.json,1e6,1e7\n"
    )
    (entry,) = load_book(tmp_path / "book.csv").entries
    assert entry.name == "Mine" and entry.providers == ("Ginco",)
    assert entry.profile.customer_assets_usd == PRESETS["small"].customer_assets_usd


# -- the model against independent answers ----------------------------------------------------
def test_two_independent_exchanges_match_the_fft_of_their_sum():
    """No shared provider, Poisson counts, no annual terms: the book's yearly loss is compound
    Poisson with rate λ1 + λ2 and the rate-weighted mixture of the two ceded severities, so its
    mean is closed form and its VaR/TVaR come from the FFT engine (pricing.aggregate).
    Tolerances: mean 2%, VaR and TVaR 4% (400,000 simulated years)."""
    lay1 = Layer(retention=2e6, limit=3e7, share=0.5)
    lay2 = Layer(retention=5e6, limit=5e7, share=0.25)
    r1 = risk("one", own=0.3, scale=1.0, cap=2e8, layer=lay1)
    r2 = risk("two", own=0.1, scale=3.0, cap=6e8, layer=lay2)
    model = portfolio_from_risks([r1, r2], BASE)
    result = run_portfolio(model, 400_000, seed=11, workers=0, chunk_years=50_000)
    ceded = [
        BASE.scaled(r.scale)
        .capped(r.other_cap)
        .layer(r.layer.retention, r.layer.limit)
        .scaled(r.layer.share)
        for r in (r1, r2)
    ]
    mean = 0.3 * ceded[0].mean() + 0.1 * ceded[1].mean()
    assert result.mean == pytest.approx(mean, rel=0.02)
    agg = compound(Poisson(0.4), Mixture(tuple(ceded), (0.75, 0.25)))
    for p in (0.99, 0.995):
        assert result.var[p] == pytest.approx(float(agg.value_at_risk(p)), rel=0.04)
        assert result.tvar[p] == pytest.approx(agg.tvar(p), rel=0.04)


def _naive_shared_simulation(risks, rate, years, seed):
    """A second, plain simulation: each year N ~ Poisson(rate) compromises, each hitting
    every exchange with an independent loss; the insurer pays its share of each layer."""
    rng = np.random.default_rng(seed)
    totals = np.zeros(years)
    counts = rng.poisson(rate, years)
    for y in np.flatnonzero(counts):
        for _ in range(counts[y]):
            for r in risks:
                x = min(float(BASE.ppf(rng.random())) * r.scale, r.provider_cap)
                lay = r.layer
                totals[y] += lay.share * min(max(x - lay.retention, 0.0), lay.limit)
    return totals


def test_shared_provider_book_matches_a_plain_simulation():
    """Two clients of one provider, hit together (q = 1): the engine against a plain loop
    simulation with other random numbers. Tolerances: mean 3%, VaR/TVaR 0.99 6%."""
    r1 = risk("one", providers=(("P", 0.2),), scale=1.0, cap=2e8)
    r2 = risk("two", providers=(("P", 0.2),), scale=2.0, cap=4e8)
    model = portfolio_from_risks([r1, r2], BASE, hit_probability=1.0)
    assert model.compromise_rates == pytest.approx((0.2,)) and model.hit_probabilities == (1.0,)
    result = run_portfolio(model, 200_000, seed=5, workers=0, chunk_years=20_000)
    plain = np.sort(_naive_shared_simulation([r1, r2], 0.2, 200_000, seed=99))[::-1]
    assert result.mean == pytest.approx(plain.mean(), rel=0.03)
    m = 0.01 * plain.size
    assert result.var[0.99] == pytest.approx(plain[int(m)], rel=0.06)
    assert result.tvar[0.99] == pytest.approx(plain[: int(m)].mean(), rel=0.06)


def test_a_provider_shared_by_every_exchange_fattens_the_tail():
    """Ten exchanges with the same marginals: one provider for all (a compromise hits them all)
    against a provider each. Same mean and stand-alone figures, larger portfolio tail."""
    shared = [risk(f"x{i}", own=0.05, providers=(("P", 0.05),)) for i in range(10)]
    alone = [risk(f"x{i}", own=0.05, providers=((f"P{i}", 0.05),)) for i in range(10)]
    kw = {"workers": 0, "chunk_years": 20_000}
    a = run_portfolio(portfolio_from_risks(shared, BASE, hit_probability=1.0), 100_000, 3, **kw)
    b = run_portfolio(portfolio_from_risks(alone, BASE, hit_probability=1.0), 100_000, 3, **kw)
    assert a.mean == pytest.approx(b.mean, rel=0.05)
    assert a.allocation["standalone_tvar"].sum() == pytest.approx(
        b.allocation["standalone_tvar"].sum(), rel=0.05
    )
    assert a.tvar[0.99] > 1.5 * b.tvar[0.99]
    assert a.var[0.995] > 1.5 * b.var[0.995]
    assert a.diversification_benefit < b.diversification_benefit
    row = a.by_provider.set_index("provider").loc["P"]
    assert row["clients"] == 10 and row["pml_995"] == pytest.approx(a.var[0.995], rel=0.05)


def test_simulated_standalone_tvar_agrees_with_the_fft(example):
    result = run_portfolio(example, 200_000, seed=2, workers=0, chunk_years=50_000)
    for i in (0, 13, 20):
        fft = standalone_tvar(example.exchanges[i], example)
        assert result.allocation["standalone_tvar"][i] == pytest.approx(fft, rel=0.06)


def test_euler_contributions_add_up_to_the_tvar(example):
    result = run_portfolio(example, 30_000, seed=4, workers=0, chunk_years=7_000)
    total = result.allocation["tvar_contribution"].sum()
    assert total == pytest.approx(result.tvar[0.99], rel=1e-12)
    assert (result.allocation["tvar_contribution"] >= 0).all()
    expected = result.allocation["expected_loss"].sum()
    assert expected == pytest.approx(result.mean, rel=1e-12)
    assert result.diversification_benefit == pytest.approx(
        result.allocation["standalone_tvar"].sum() - result.tvar[0.99], rel=1e-12
    )
    assert result.var[0.99] <= result.tvar[0.99] <= result.tvar[0.995]
    aep = result.aep.set_index("loss_usd")["probability"]
    assert aep.is_monotonic_decreasing
    assert aep.iloc[0] == pytest.approx(1 - _share_of_zero_years(example, 30_000, 4, 7_000))


def _share_of_zero_years(model, years, seed, chunk):
    n_zero = 0
    for c, start in enumerate(range(0, years, chunk)):
        n = min(chunk, years - start)
        s = simulate_chunk(model, c, n, seed, 301, start)
        n_zero += int(s.hist_total[0])
    return n_zero / years


def test_merging_chunks_in_any_order_gives_the_same_state(example):
    chunks = [simulate_chunk(example, c, 1_000, 9, 61, 1_000 * c) for c in range(6)]
    results = []
    for order in ([0, 1, 2, 3, 4, 5], [5, 3, 1, 0, 4, 2], [2, 5, 4, 0, 1, 3]):
        state = TailState(61, len(example.exchanges), len(example.groups))
        for c in order:
            state = state.merge(chunks[c])
        results.append(state)
    first = results[0]
    for other in results[1:]:
        assert np.array_equal(first.top_total, other.top_total)
        assert np.array_equal(first.top_year, other.top_year)
        assert np.array_equal(first.alone_value, other.alone_value)
        assert np.array_equal(first.hist_total, other.hist_total)


@pytest.fixture(scope="module")
def scheduler():
    """A running two-worker Dask cluster, reached by its address (as --scheduler does)."""
    from distributed import LocalCluster

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    yield cluster.scheduler_address
    cluster.close()


def test_results_do_not_depend_on_workers_or_chunk_order(example, scheduler):
    """In-process, on a local Dask cluster the code starts with 1 worker, and on a running
    2-worker scheduler with the chunks submitted in another order: the same JSON to the bit."""
    kw = {"seed": 7, "chunk_years": 500}
    inline = run_portfolio(example, 4_000, workers=0, **kw).to_dict()
    reverse = run_portfolio(example, 4_000, workers=0, chunk_order=list(range(7, -1, -1)), **kw)
    one = run_portfolio(example, 4_000, workers=1, **kw)
    order = [3, 0, 6, 1, 7, 2, 5, 4]
    two = run_portfolio(example, 4_000, scheduler=scheduler, chunk_order=order, **kw)
    assert reverse.to_dict() == inline
    assert one.to_dict() == inline
    assert two.to_dict() == inline
    assert two.allocation.equals(one.allocation)


def test_progress_reaches_one_and_seed_matters(example):
    seen = []
    a = run_portfolio(example, 2_000, seed=1, workers=0, chunk_years=500, progress=seen.append)
    assert seen == [0.25, 0.5, 0.75, 1.0]
    b = run_portfolio(example, 2_000, seed=2, workers=0, chunk_years=500)
    assert a.mean != b.mean


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"years": 150}, "--years"),
        ({"years": 1000, "seed": -1}, "--seed"),
        ({"years": 1000, "chunk_years": 0}, "--chunk-years"),
        ({"years": 1000, "workers": -2}, "--workers"),
    ],
)
def test_bad_run_options_are_named(example, kwargs, field):
    with pytest.raises(InputError) as info:
        run_portfolio(example, **kwargs)
    assert info.value.problems[0].field == field


def test_hit_probability_is_checked_and_sets_the_compromise_rate(calibration):
    book = load_book(BOOK)
    with pytest.raises(InputError, match="must be in \\(0, 1\\]"):
        build_portfolio(book, calibration, hit_probability=1.5)
    model = build_portfolio(book, calibration, hit_probability=0.5)
    j = model.providers.index("Ginco")
    q = model.client_hit_probabilities("Ginco")
    assert max(q.values()) == pytest.approx(0.5)
    rates = {
        e.name: dict(e.provider_rates)["Ginco"] for e in model.exchanges if "Ginco" in e.groups
    }
    for name, r in rates.items():  # every client keeps its own provider-route rate
        assert model.compromise_rates[j] * q[name] == pytest.approx(r, rel=1e-12)


def test_default_hit_probability_reaches_one_client_per_compromise(example):
    for p in example.providers:
        assert sum(example.client_hit_probabilities(p).values()) == pytest.approx(1.0)


def test_provider_scenario(example):
    worst = provider_scenario(example, "Fireblocks", all_clients=True, draws=20_000)
    typical = provider_scenario(example, "Fireblocks", draws=20_000)
    assert worst.clients == 9 and worst.mean_clients_hit == 9.0
    assert typical.mean_clients_hit == pytest.approx(1.0, rel=0.05)
    assert worst.mean > typical.mean and worst.quantiles[0.99] <= worst.exposure
    with pytest.raises(InputError, match="'Nobody' has no client in the book"):
        provider_scenario(example, "Nobody")


# -- command line -----------------------------------------------------------------------------
def test_cli_portfolio_json(capsys):
    from pricing.cli import main

    code = main(
        [
            "portfolio",
            "--book",
            BOOK,
            "--years",
            "2000",
            "--workers",
            "0",
            "--chunk-years",
            "1000",
            "--json",
        ]
    )
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {
        "exchanges",
        "years",
        "mean",
        "var",
        "tvar",
        "by_provider",
        "allocation",
        "diversification_benefit",
    }
    assert doc["exchanges"] == 30 and doc["years"] == 2000
    assert set(doc["var"]) == set(doc["tvar"]) == {"0.99", "0.995"}
    assert set(doc["by_provider"][0]) == {
        "provider",
        "clients",
        "exposure",
        "pml_0.99",
        "pml_0.995",
    }
    assert set(doc["allocation"][0]) == {"exchange", "tvar_contribution"}
    assert math.isclose(
        sum(a["tvar_contribution"] for a in doc["allocation"]), doc["tvar"]["0.99"], rel_tol=1e-9
    )


def test_cli_portfolio_table_scenario_and_errors(capsys, tmp_path):
    from pricing.cli import main

    args = ["portfolio", "--book", BOOK, "--years", "1000", "--workers", "0"]
    assert main([*args, "--scenario", "Ginco", "--all-clients"]) == 0
    out = capsys.readouterr().out
    assert "Accumulation by provider" in out and "If Ginco is compromised (every client" in out
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "exchange,customer_assets_usd,hot_share,security_level,jurisdiction,"
        "retention,limit\nX,1e8,0.05,standard,jp,abc,1e7\n"
    )
    assert main(["portfolio", "--book", str(bad), "--years", "1000", "--workers", "0"]) == 2
    assert "line 2, column 'retention': 'abc' is not a number" in capsys.readouterr().err
    assert main([*args, "--scenario", "Nobody"]) == 2
    assert main(["portfolio", "--book", BOOK, "--years", "10"]) == 2
    assert "--years" in capsys.readouterr().err
    unreachable = ["--scheduler", "tcp://127.0.0.1:9", "--years", "1000"]
    assert main(["portfolio", "--book", BOOK, *unreachable]) == 2
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err
