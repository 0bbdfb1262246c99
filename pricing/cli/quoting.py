"""Commands that price losses and layers: ``aggregate`` and ``quote``."""

from __future__ import annotations

import argparse
import math
from dataclasses import replace
from typing import Any

from ..checks import check_rate_on_line
from .common import (
    EXIT_OK,
    LEVELS,
    _add_layer_options,
    _add_market_options,
    _add_profile_options,
    _calibrate,
    _draws,
    _layer_from_args,
    _levels_table,
    _market_terms,
    _print_json,
    _print_table,
)


def cmd_aggregate(args: argparse.Namespace) -> int:
    """Aggregate yearly loss of a frequency and a severity, and one layer of it."""
    from ..aggregate import aggregate
    from ..coverage import layer_loss
    from ..specs import parse_frequency, parse_severity

    frequency = parse_frequency(args.frequency, field="--frequency")
    severity = parse_severity(args.severity, field="--severity")
    if args.cap is not None:
        severity = severity.capped(args.cap)
    agg = aggregate(
        frequency,
        severity,
        args.method,
        grid=_grid_from_args(args),
        n_sims=args.sims,
        seed=args.seed,
    )
    measures = agg.risk_measures(LEVELS)
    layer = _layer_from_args(args)
    ceded = layer_loss(frequency, severity, layer).expected
    document = {
        "frequency": frequency.describe(),
        "severity": severity.describe(),
        "method": args.method,
        **measures,
        "layer": {
            "retention": layer.retention,
            "limit": layer.limit,
            "agg_retention": layer.agg_retention,
            "agg_limit": layer.agg_limit,
            "expected_ceded": ceded,
            "expected_retained": agg.mean() - ceded,
        },
        "return_periods": agg.return_period_table().to_dict(orient="records"),
    }
    if args.json:
        _print_json(document)
        return EXIT_OK
    print(f"Frequency: {document['frequency']}   Severity: {document['severity']}")
    print(f"Method: {args.method}")
    print(
        f"Mean USD {measures['mean']:,.0f}   SD USD {measures['sd']:,.0f}   "
        f"skewness {measures['skewness']:.3g}"
    )
    print()
    _print_table("VaR and TVaR of the yearly loss (USD)", _levels_table(measures))
    _print_table("Return periods (years; USD)", agg.return_period_table())
    print(
        f"Layer {layer.label} (annual retention USD {layer.agg_retention:,.0f}, annual limit "
        f"USD {layer.agg_limit:,.0f}): expected ceded USD {ceded:,.0f}, retained USD "
        f"{agg.mean() - ceded:,.0f} per year"
    )
    return EXIT_OK


#: Limits of ``aggregate --buckets`` (grid points, a power of two) and ``--bucket`` (USD).
BUCKETS_RANGE = (1 << 8, 1 << 22)


def _grid_from_args(args: argparse.Namespace) -> Any:
    """The grid of ``aggregate --buckets N --bucket SIZE`` (``None``: the default grid)."""
    from ..aggregate import GridSpec
    from ..exceptions import InputError

    n, bucket = getattr(args, "buckets", None), getattr(args, "bucket", None)
    if n is None and bucket is None:
        return None
    lo, hi = BUCKETS_RANGE
    if n is not None and not (lo <= n <= hi and n & (n - 1) == 0):
        raise InputError.single(
            "--buckets", f"must be a power of two from {lo:,} to {hi:,} grid points, got {n:,}"
        )
    if bucket is not None and not (math.isfinite(bucket) and bucket > 0):
        raise InputError.single("--bucket", f"must be a finite amount > 0 USD, got {bucket!r}")
    log2 = 14 if n is None else n.bit_length() - 1
    return GridSpec(log2=log2, bucket=bucket)


def cmd_quote(args: argparse.Namespace) -> int:
    """An insurer's view of one layer for a profile."""
    from ..coverage import quote_layer
    from ..lossmodel import build_loss_model
    from ..premium import LoadingAssumptions
    from ..profiles import load_profile
    from ..uncertainty import quote_interval

    calibration = _calibrate(args)
    model = build_loss_model(load_profile(args.profile), calibration, family=args.severity_family)
    loadings = LoadingAssumptions(
        theta=args.theta,
        cost_of_capital=args.cost_of_capital,
        expense_ratio=args.expense_ratio,
        minimum_premium_usd=args.minimum_premium,
    )
    layer = _layer_from_args(args)
    terms, fit = _market_terms(args, model)
    cover = args.cover_type
    if cover == "auto":
        cover = str(model.cover_type(layer.retention))
    quote = quote_layer(
        model.frequency,
        model.severity,
        layer,
        loadings,
        principle=args.principle,
        market_rate_on_line=args.rol,
        market=terms,
        cover=cover,
    )
    check_rate_on_line(
        quote.rate_on_line,
        premium=quote.upfront_premium,
        limit=quote.placed_limit,
        minimum_premium=args.minimum_premium,
        fields=("--limit", "--minimum-premium"),
    )
    draws = _draws(args, model, calibration)
    if draws is not None:
        band = quote_interval(draws, layer, loadings, args.principle, terms, cover, args.rol)
        quote = replace(quote, premium_interval=band)
    document = {"profile": model.profile.name, "rate": model.rate} | quote.to_dict()
    document["draws"] = 0 if draws is None else draws.n
    document["market_fit"] = fit.to_dict() if fit is not None else None
    if args.format == "json":
        _print_json(document)
    elif args.format == "csv":
        table = quote.table()
        table.insert(0, "layer", quote.layer.label)
        table.insert(0, "profile", model.profile.name)
        for key in ("expected_loss", "std", "p_attach", "p_exhaust_occurrence"):
            table[key] = document[key]
        print(table.to_csv(index=False), end="")
    else:
        q = quote
        print(f"Exchange: {model.profile.name}; layer {q.layer.label}")
        print(
            f"Expected loss USD {q.expected_loss:,.0f} per year (SD USD {q.loss.std:,.0f}); "
            f"P(attach) {q.loss.p_attach:.4f}; P(exhaust) {q.loss.p_exhaust_occurrence:.4f}"
        )
        print()
        _print_table("Technical premium by principle (USD per year)", q.table())
        if fit is not None:
            print(f"Market curve fitted to {len(fit.quotes)} quote(s): {fit.curve.describe()}")
            _print_table("Quotes, fitted rate on line and log residuals", fit.table())
        if q.market is not None:
            m = q.market
            print(
                f"Market ({m.cover_type} cover, {m.curve.describe()}): technical premium USD "
                f"{q.technical_premium:,.0f}; curve USD {m.curve_premium:,.0f}; binding term: "
                f"{m.basis}; scarcity load {m.scarcity_load:.0%} "
                f"({m.capacity_share:.0%} of capacity)"
            )
        if not q.placeable:
            print(f"Not placeable: {q.market.reason_text}")
            return EXIT_OK
        mode = f"market ROL {args.rol:g}" if args.rol is not None else q.basis
        if q.basis == "technical":
            mode = args.principle
        print(
            f"Premium ({mode}): USD {q.premium:,.0f}; upfront USD {q.upfront_premium:,.0f}; "
            f"rate on line {q.rate_on_line:.4f}; expected loss ratio {q.loss_ratio:.3f}"
        )
        if q.premium_interval is not None:
            low, high = q.premium_interval
            print(
                f"90% range over {document['draws']} parameter draws: USD {low:,.0f} - "
                f"USD {high:,.0f}"
            )
    return EXIT_OK


def add_aggregate_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``vaultcover aggregate``."""
    p.add_argument(
        "--frequency",
        required=True,
        help="e.g. poisson:0.05, negbin:mean=0.2,size=5, binomial:n=10,p=0.01 (per year)",
    )
    p.add_argument(
        "--severity",
        required=True,
        help="Loss Models / actuar names, e.g. lognormal:meanlog=17,sdlog=1.8; also gamma, "
        "weibull, lomax, loglogistic (shape, scale), gpd (shape, scale, threshold)",
    )
    p.add_argument("--cap", type=float, default=None, help="largest single loss (USD)")
    p.add_argument("--method", choices=("fft", "panjer", "mc"), default="fft")
    p.add_argument(
        "--buckets",
        type=int,
        default=None,
        help="grid points of the FFT/Panjer grid, a power of two from 256 to 4,194,304 "
        "(default 16,384); quantiles are refined below 2.5e-4 of their value in any case",
    )
    p.add_argument(
        "--bucket",
        type=float,
        default=None,
        help="grid span in USD (default: chosen so the grid holds all but 1e-6 of the loss)",
    )
    p.add_argument("--sims", type=int, default=200_000, help="Monte Carlo years (default 2e5)")
    p.add_argument("--seed", type=int, default=1, help="Monte Carlo seed (default 1)")
    _add_layer_options(p)
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")


def add_quote_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``vaultcover quote``."""
    _add_profile_options(p)
    _add_layer_options(p, required=True)
    p.add_argument("--share", type=float, default=1.0, help="insurer's share (default 1)")
    p.add_argument(
        "--reinstatements",
        type=int,
        default=None,
        help="number of reinstatements (default: unlimited)",
    )
    p.add_argument(
        "--reinstatement-rate",
        type=float,
        default=1.0,
        help="cost of a full reinstatement as a share of the upfront premium (default 1)",
    )
    p.add_argument(
        "--principle",
        choices=("expected_value", "std_dev", "wang", "cost_of_capital"),
        default="cost_of_capital",
        help="premium principle of the headline premium (default cost_of_capital)",
    )
    p.add_argument("--theta", type=float, default=0.5, help="expected-value loading (0.5)")
    p.add_argument(
        "--cost-of-capital", type=float, default=0.06, help="insurer's cost of capital (0.06)"
    )
    p.add_argument("--expense-ratio", type=float, default=0.20, help="share of premium (0.20)")
    p.add_argument(
        "--minimum-premium", type=float, default=50_000.0, help="minimum premium USD (50,000)"
    )
    p.add_argument(
        "--rol", type=float, default=None, help="market mode: a quoted rate on line, e.g. 0.05"
    )
    p.add_argument(
        "--cover-type",
        choices=("auto", "cold", "hot", "provider"),
        default="auto",
        help="market cover type of the layer (default auto: hot below the hot-wallet cap, "
        "else provider if a third-party provider signs, else cold)",
    )
    _add_market_options(p)
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
