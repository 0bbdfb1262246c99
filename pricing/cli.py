"""The ``vaultcover`` command line: scripted and batch use of the pricing library.

Every subcommand prints a readable table by default and a JSON document with ``--json``.

Exit status: 0 on success; 2 for a user's input problem (:class:`~pricing.exceptions.InputError`:
every problem is printed, naming the line, column, field or option); 1 for an internal error,
printed as one line asking for a report (the traceback only with ``--debug`` or
``VAULTCOVER_DEBUG=1``). A traceback is never the answer to a user's input.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from .checks import LIMITS, check_rate_on_line
from .data import (
    ATTACK_VECTORS,
    EXPOSURE_BASES,
    ON_LEVEL_INDICES,
    PLATFORM_TYPES,
    load_exposure,
    load_incidents,
)
from .exceptions import ConvergenceError, InputError, Problem

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2
#: ``data check``: the files load but a shipped sourcing or consistency rule is broken.
EXIT_RULES = 1
DEBUG_ENV = "VAULTCOVER_DEBUG"
APP_PATH = Path(__file__).resolve().parent.parent / "app.py"


# --------------------------------------------------------------------------------------------
# Shared options
# --------------------------------------------------------------------------------------------
def _year_range(text: str) -> tuple[int, int]:
    try:
        first, _, last = text.partition("-")
        return int(first), int(last or first)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a year range like 2014-2025") from None


def _add_file_options(parser: Any) -> None:
    """``--data`` and ``--exposure``: the incident and exposure CSV files."""
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="incident CSV (default: the shipped data/incidents.csv)",
    )
    parser.add_argument(
        "--exposure",
        type=Path,
        default=None,
        help="yearly exposure CSV (default: the shipped data/exposure.csv)",
    )


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("data and calibration")
    _add_file_options(group)
    group.add_argument(
        "--threshold",
        type=float,
        default=1e6,
        help="reporting threshold in USD of the target year; losses at or below "
        "it are left out and the fit is left-truncated there (default 1e6)",
    )
    group.add_argument(
        "--year",
        type=int,
        default=None,
        help="target year: losses are on-levelled to it and the rate projected "
        "to it (default: last exposure year)",
    )
    group.add_argument(
        "--on-level",
        choices=ON_LEVEL_INDICES,
        default="none",
        help="index used to bring old losses to the target year (default none: amounts "
        "as reported; see data/README.md for why)",
    )
    group.add_argument(
        "--years",
        type=_year_range,
        default=None,
        help="incident years used, e.g. 2014-2025 (default: all)",
    )
    group.add_argument(
        "--splice-point",
        type=float,
        default=None,
        help="splice point of the spliced severity model in USD (default: the nearest to the "
        "80%% quantile of the losses at which both parts of the fit converge)",
    )
    group.add_argument(
        "--vector",
        action="append",
        choices=ATTACK_VECTORS,
        default=None,
        help="restrict to an attack vector (repeatable; default: all)",
    )
    from .calibration import DEFAULT_PLATFORM_TYPES

    group.add_argument(
        "--platform-types",
        type=_platform_types,
        default=DEFAULT_PLATFORM_TYPES,
        help="kinds of platform whose thefts are fitted: 'all' or a comma-separated list of "
        f"{', '.join(PLATFORM_TYPES)} (default {','.join(DEFAULT_PLATFORM_TYPES)}, the kind "
        "the exposure base counts)",
    )
    group.add_argument(
        "--exposure-base",
        choices=EXPOSURE_BASES,
        default="market_cap",
        help="frequency exposure: market capitalisation in exchange-equivalents (default) or "
        "the yearly exchange count of the exposure file (see data/README.md)",
    )


def _platform_types(text: str) -> tuple[str, ...] | None:
    """``exchange,custodian_lender`` -> a tuple; ``all`` -> ``None`` (every platform)."""
    if text.strip().lower() == "all":
        return None
    values = tuple(v.strip() for v in text.split(",") if v.strip())
    bad = [v for v in values if v not in PLATFORM_TYPES]
    if bad or not values:
        raise argparse.ArgumentTypeError(
            f"'{text}': platform types are 'all' or a comma-separated list of "
            f"{', '.join(PLATFORM_TYPES)}"
        )
    return values


def _spec(args: argparse.Namespace, **extra: Any) -> Any:
    from .calibration import CalibrationSpec

    return CalibrationSpec(
        threshold=args.threshold,
        on_level=args.on_level,
        target_year=args.year,
        years=args.years,
        attack_vectors=tuple(args.vector) if args.vector else None,
        platform_types=args.platform_types,
        exposure_base=args.exposure_base,
        **extra,
    )


def _calibrate(args: argparse.Namespace, **extra: Any) -> Any:
    from .calibration import calibrate

    return calibrate(
        _spec(args, **extra, splice_at=getattr(args, "splice_point", None)),
        load_incidents(args.data),
        load_exposure(args.exposure),
    )


def _finite(value: Any) -> Any:
    """JSON has no infinity: non-finite numbers (an unlimited layer, an infinite moment)
    become null, as in every ``to_dict`` of the library."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _print_json(document: dict[str, Any]) -> None:
    print(json.dumps(_finite(document), indent=2))


def _number_text(x: float) -> str:
    """Amounts as whole numbers with separators; ratios and small values to 4 digits."""
    return f"{x:,.0f}" if abs(x) >= 1e4 else f"{x:.4g}"


def _print_table(title: str, frame: pd.DataFrame) -> None:
    print(title)
    with pd.option_context(
        "display.width", 160, "display.max_columns", 30, "display.float_format", _number_text
    ):
        print(frame.to_string(index=False))
    print()


# --------------------------------------------------------------------------------------------
# Subcommands
# --------------------------------------------------------------------------------------------
def cmd_fit_severity(args: argparse.Namespace) -> int:
    """Fit severity candidates by left-truncated maximum likelihood."""
    from .severity import FAMILIES

    families = tuple(args.dist) if args.dist else FAMILIES
    cal = _calibrate(args, families=families)
    comparison = cal.severity
    sensitivity = {
        family: _threshold_table(args, family)
        for family in dict.fromkeys((comparison.best.family, "gpd"))
        if family != "spliced"
    }
    if args.json:
        _print_json(
            {
                "n": cal.selection.n,
                "threshold": cal.spec.threshold,
                "target_year": cal.target_year,
                "on_level": cal.spec.on_level,
                "excluded": dict(cal.selection.excluded),
                "fits": [fit.to_dict() for fit in comparison.fits],
                "failed": dict(comparison.failures),
                "best": comparison.best.family,
                "threshold_sensitivity": {
                    family: table.to_dict(orient="records") for family, table in sensitivity.items()
                },
            }
        )
        return EXIT_OK
    print(
        f"{cal.selection.n} losses above USD {cal.spec.threshold:,.0f} "
        f"(USD of {cal.target_year}, on-level index: {cal.spec.on_level})."
    )
    print(cal.selection.exclusion_text())
    print()
    _print_table("Severity candidates ranked by AIC", comparison.table())
    for fit in comparison.fits:
        _print_table(f"{fit.family}: parameters (Loss Models / actuar names)", fit.summary())
    for family, reason in comparison.failures:
        print(f"{family}: fit failed: {reason}")
    print(f"Best by AIC: {comparison.best.family}")
    print()
    for family, table in sensitivity.items():
        shown = table.drop(columns=[c for c in table.columns if c in ("loglik", "error")])
        _print_table(
            f"How the reporting threshold moves the tail: {family} refitted above each "
            "threshold (quantile = 1-in-100 reported loss, USD)",
            shown,
        )
    return EXIT_OK


def _threshold_table(args: argparse.Namespace, family: str) -> pd.DataFrame:
    from .calibration import threshold_table

    return threshold_table(
        _spec(args), load_incidents(args.data), load_exposure(args.exposure), family=family
    )


def cmd_fit_frequency(args: argparse.Namespace) -> int:
    """Fit the frequency GLM and project the rate per exchange-year."""
    cal = _calibrate(
        args, families=("lognormal",), frequency_model=args.model, trend=not args.no_trend
    )
    fit = cal.frequency
    year = cal.target_year
    if args.json:
        _print_json(fit.to_dict(year))
        return EXIT_OK
    _print_table("Incidents above the threshold per year, with exchanges tracked", cal.counts)
    for note in cal.notes:
        print(f"Note: {note}")
    _print_table(f"Frequency model: {fit.model}", fit.summary())
    low, high = fit.rate_ci(year)
    print(fit.explanation)
    print(
        f"Expected thefts per exchange-year in {year}: {fit.rate(year):.4g} "
        f"(90% CI {low:.4g} – {high:.4g})"
    )
    return EXIT_OK


LEVELS = (0.95, 0.99, 0.995)


def _levels_table(measures: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "level": list(measures["var"]),
            "VaR": list(measures["var"].values()),
            "TVaR": list(measures["tvar"].values()),
        }
    )


def _layer_from_args(args: argparse.Namespace) -> Any:
    from .coverage import Layer

    return Layer(
        retention=args.retention,
        limit=args.limit,
        share=getattr(args, "share", 1.0),
        agg_retention=args.agg_retention,
        agg_limit=args.agg_limit,
        reinstatements=getattr(args, "reinstatements", None),
        reinstatement_rate=getattr(args, "reinstatement_rate", 1.0),
    )


def cmd_aggregate(args: argparse.Namespace) -> int:
    """Aggregate yearly loss of a frequency and a severity, and one layer of it."""
    from .aggregate import aggregate
    from .coverage import layer_loss
    from .specs import parse_frequency, parse_severity

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
    from .aggregate import GridSpec
    from .exceptions import InputError

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


def _loss_model(args: argparse.Namespace) -> Any:
    from .lossmodel import build_loss_model
    from .profiles import load_profile

    profile = load_profile(args.profile)
    calibration = _calibrate(args)
    return build_loss_model(profile, calibration, family=_family(args, calibration))


def _family(args: argparse.Namespace, calibration: Any) -> str | None:
    """``--severity-family``, checked against the families fitted (None: the best by AIC)."""
    family = args.severity_family
    fitted = [fit.family for fit in calibration.severity.fits]
    if family is not None and family not in fitted:
        failed = dict(calibration.severity.failures)
        reason = f" (its fit failed: {failed[family]})" if family in failed else ""
        raise InputError.single(
            "--severity-family",
            f"'{family[:40]}' is not a fitted family{reason}; choose from {', '.join(fitted)}",
        )
    return family


def cmd_loss_model(args: argparse.Namespace) -> int:
    """One exchange's frequency, severity and aggregate loss, with every assumption."""
    model = _loss_model(args)
    agg = model.aggregate()
    measures = agg.risk_measures(LEVELS)
    if args.json:
        document = model.to_dict()
        document["aggregate"] = measures | {
            "return_periods": agg.return_period_table().to_dict(orient="records"),
            "bucket": agg.bucket,
            "grid_points": int(agg.x.size),
            "audit_valid": agg.is_valid,
        }
        _print_json(document)
        return EXIT_OK
    print(f"Exchange: {model.profile.name}")
    _print_table("Assumptions", model.assumption_table())
    for note in model.notes:
        print(f"Note: {note}")
    print(
        f"Expected thefts per year {model.rate:.4g}; mean loss per theft USD "
        f"{model.severity.mean():,.0f}; expected yearly loss USD {measures['mean']:,.0f} "
        f"(SD USD {measures['sd']:,.0f})"
    )
    print()
    _print_table("VaR and TVaR of the yearly loss (USD)", _levels_table(measures))
    _print_table("Return periods (years; USD)", agg.return_period_table())
    return EXIT_OK


def _draws_option(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a whole number of draws") from None
    if not 0 <= n <= 1000:
        raise argparse.ArgumentTypeError(f"draws must be in [0, 1000], got {n}")
    return n


def _add_market_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("market and parameter uncertainty")
    group.add_argument(
        "--technical",
        action="store_true",
        help="price insurance at the technical premium, without the market's terms "
        "(default: the market's quote: curve by cover type, floors, minimum retention, capacity)",
    )
    group.add_argument(
        "--market-quotes",
        type=Path,
        default=None,
        help="CSV of 1-5 market quotes (retention, limit, premium or rate_on_line): the market "
        "curve is fitted to them",
    )
    group.add_argument(
        "--curve",
        choices=("ph", "wang"),
        default="ph",
        help="curve fitted to --market-quotes: proportional hazard s^p or Wang (default ph)",
    )
    group.add_argument(
        "--draws",
        type=_draws_option,
        default=20,
        help="parameter draws for the 90%% intervals (default 20; 0: none)",
    )
    group.add_argument("--seed", type=int, default=1, help="seed of the draws (default 1)")


def _market_terms(args: argparse.Namespace, model: Any) -> tuple[Any, Any]:
    """Market terms (None with --technical) and the curve fit to --market-quotes, if any."""
    from .market import DEFAULT_TERMS, Capacity
    from .market_quotes import fit_market_curve, load_market_quotes

    if args.technical:
        if args.market_quotes is not None:
            raise InputError.single("--market-quotes", "cannot be used with --technical")
        return None, None
    terms = DEFAULT_TERMS
    capacity = getattr(args, "capacity", None)
    if capacity is not None:
        terms = replace(
            terms,
            capacity=Capacity(per_insured_usd=capacity, by_attachment=((0.0, capacity),)),
        )
    if args.market_quotes is None:
        return terms, None
    quotes = load_market_quotes(args.market_quotes)
    fit = fit_market_curve(model.frequency, model.severity, quotes, family=args.curve)
    return fit.terms(terms), fit


def _draws(args: argparse.Namespace, model: Any, calibration: Any) -> Any:
    from .uncertainty import draw_models

    if args.draws == 0:
        return None
    return draw_models(model, calibration, args.draws, args.seed)


def cmd_quote(args: argparse.Namespace) -> int:
    """An insurer's view of one layer for a profile."""
    from .coverage import quote_layer
    from .lossmodel import build_loss_model
    from .market import cover_type
    from .premium import LoadingAssumptions
    from .profiles import load_profile
    from .uncertainty import quote_interval

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
        cover = str(cover_type(layer.retention, model.hot_cap, model.profile.third_party_provider))
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


def _regime_params(args: argparse.Namespace) -> Any:
    """The chosen regime's parameters: defaults, then ``--regime-file``, then ``--set``."""
    from .regulation import parse_assignments, regime_params

    settings = parse_assignments(args.set or [])
    return regime_params(args.regime, settings, args.regime_file)


def _other_regime_params(args: argparse.Namespace) -> dict[str, Any]:
    """Parameters of further regimes from tables of ``--regime-file`` keyed by regime code
    (for an exchange licensed in several jurisdictions)."""
    from .regulation import ALIASES, REGIMES, load_settings_file, regime_params, resolve

    if args.regime_file is None:
        return {}
    chosen = resolve(args.regime)
    keys = [k for k in load_settings_file(args.regime_file) if k in REGIMES or k in ALIASES]
    return {
        resolve(k): regime_params(k, file=args.regime_file) for k in keys if resolve(k) != chosen
    }


def _in_kind(args: argparse.Namespace) -> Any:
    from .regulation import InKindCompensation

    if not args.in_kind:
        return None
    return InKindCompensation(volatility=args.in_kind_volatility, delay_days=args.in_kind_delay)


def _strategy_assumptions(args: argparse.Namespace) -> Any:
    from .coverage import InsuranceFrictions
    from .strategy import StrategyAssumptions

    return StrategyAssumptions(
        regime_params=(
            (_regime_params(args), *_other_regime_params(args).values())
            if getattr(args, "set", None) or getattr(args, "regime_file", None)
            else ()
        ),
        in_kind=_in_kind(args),
        target=args.target,
        frictions=InsuranceFrictions(
            dispute_probability=args.dispute_probability,
            payment_delay_months=args.payment_delay,
        ),
        market_rate_on_line=args.rol,
        capacity_usd=args.capacity,
    )


def cmd_compare(args: argparse.Namespace) -> int:
    """Reserve only, insurance only and hybrid for one profile, or a batch of profiles."""
    from .lossmodel import build_loss_model
    from .profiles import load_profile, load_profiles
    from .strategy import compare, compare_profiles
    from .uncertainty import compare_with_draws

    assumptions = _strategy_assumptions(args)
    calibration = _calibrate(args)
    family = _family(args, calibration)
    if args.profiles is not None:
        if args.out is None:
            raise InputError.single("--out", "--profiles needs --out PATH.csv for the results")
        out = _output_path(args.out, "--out")
        if args.market_quotes is not None:
            raise InputError.single(
                "--market-quotes", "quotes are for one exchange: use --profile, not --profiles"
            )
        terms, _ = _market_terms(args, None)
        assumptions = replace(assumptions, market=terms)
        models = [
            build_loss_model(profile, calibration, family=family)
            for profile in load_profiles(args.profiles)
        ]
        table = compare_profiles(
            models,
            args.regime,
            assumptions,
            progress=lambda k, n, name: print(f"[{k}/{n}] {name}", file=sys.stderr),
            workers=args.workers,
        )
        try:
            table.to_csv(out, index=False)
        except OSError as err:
            raise InputError.single("--out", f"cannot write '{out}' ({err.strerror})") from None
        print(f"Wrote {len(table)} rows for {len(models)} profiles to {out}")
        return EXIT_OK
    model = build_loss_model(load_profile(args.profile), calibration, family=family)
    terms, fit = _market_terms(args, model)
    assumptions = replace(assumptions, market=terms)
    result = compare(model, args.regime, assumptions)
    draws = _draws(args, model, calibration)
    if draws is not None:
        result = compare_with_draws(result, draws)
    if args.json:
        document = result.to_dict()
        document["market_fit"] = fit.to_dict() if fit is not None else None
        _print_json(document)
        return EXIT_OK
    print(f"Exchange: {model.profile.name}; regime {args.regime}; target P(full) >= {args.target}")
    if args.in_kind:
        print(
            f"Compensation in kind: volatility {args.in_kind_volatility:g} per year, "
            f"buy-back after {args.in_kind_delay:g} days"
        )
    pricing = "technical premiums" if terms is None else "market quotes"
    print(
        f"Insurance priced at {pricing}"
        + (f" (curve fitted: {fit.curve.describe()})" if fit else "")
    )
    table = result.table().set_index("strategy").T.reset_index(names="")
    _print_table("Strategies (USD per year unless stated)", table)
    if draws is not None:
        rows = [
            {
                "strategy": s.name,
                "kind": s.kind,
                "total_cost_5%": s.total_cost_interval[0],
                "total_cost_95%": s.total_cost_interval[1],
                "p_full_5%": s.p_full_interval[0],
                "p_full_95%": s.p_full_interval[1],
            }
            for s in result.strategies
        ]
        _print_table(f"90% ranges over {draws.n} parameter draws", pd.DataFrame(rows))
    print(result.recommendation())
    return EXIT_OK


def cmd_regulation(args: argparse.Namespace) -> int:
    """Every requirement of a regime (and of the profile's other licences) for a profile,
    with formula and source, in the chosen currency and language."""
    from .i18n import check_language, render_minimum, tr
    from .profiles import load_profile
    from .regulation import DEFAULT_FX, REGIMES, RegimeInputs, minimums, resolve

    lang = check_language(args.lang)
    DEFAULT_FX.rate(args.currency)  # an unknown currency is named before any work
    params = _regime_params(args)
    if args.params:
        return _print_params(resolve(args.regime), params, args.json)
    profile = load_profile(args.profile)
    inputs = RegimeInputs.from_profile(profile)
    level = getattr(params, "loss_level", None)
    if level is not None:  # the history basis: the exchange's own return-period loss
        from .lossmodel import build_loss_model

        model = build_loss_model(profile, _calibrate(args), family=args.severity_family)
        total = model.aggregate()
        try:
            loss = float(total.value_at_risk(level))
        except ValueError:
            loss = float(total.grid_end)
        inputs = RegimeInputs.from_profile(profile, return_period_loss_usd=loss)
    jurisdictions = getattr(profile, "jurisdictions", ())
    given = _other_regime_params(args) | {params.regime: params}
    rules = minimums(args.regime, inputs, jurisdictions, DEFAULT_FX, given)
    if args.json:
        doc = {"profile": profile.name} | rules[0].to_dict() | {"display_currency": args.currency}
        doc["amount_display"] = DEFAULT_FX.from_usd(rules[0].amount_usd, args.currency)
        doc["other_jurisdictions"] = [r.to_dict() for r in rules[1:]]
        _print_json(doc)
        return EXIT_OK
    print(f"{tr('Exchange', lang)}: {profile.name}")
    for k, rule in enumerate(rules):
        if k:
            print()
            print(tr("Also licensed in", lang) + f": {REGIMES[rule.regime].name}")
        print("\n".join(render_minimum(rule, args.currency, DEFAULT_FX, lang)))
    return EXIT_OK


def _print_params(code: str, params: Any, as_json: bool) -> int:
    """The editable parameters of a regime: value, what is allowed, unit and reason."""
    rows = [
        {
            "parameter": info.name,
            "value": getattr(params, info.name),
            "default": info.default,
            "allowed": info.allowed,
            "unit": info.unit,
            "meaning": info.help,
            "assumption": info.assumption or "",
        }
        for info in type(params).describe()
    ]
    if as_json:
        _print_json({"regime": code, "parameters": rows})
    else:
        _print_table(f"Parameters of {code} (set with --set name=value)", pd.DataFrame(rows))
    return EXIT_OK


def cmd_glossary(args: argparse.Namespace) -> int:
    """The terms Japanese practitioners use, with readings and meanings."""
    from .i18n import check_language, glossary

    lang = check_language(args.lang)
    frame = pd.DataFrame(glossary())
    if lang == "en":
        frame = frame[["en", "ja", "reading", "meaning_en"]]
    else:
        frame = frame[["ja", "reading", "en", "meaning_ja"]]
    _print_table("Glossary" if lang == "en" else "用語集", frame)
    return EXIT_OK


def cmd_data(args: argparse.Namespace) -> int:
    """``data check``: print the data report; exit 1 when a shipped rule is broken."""
    from .datacheck import check_data

    result = check_data(args.data, args.exposure, args.banned_domains)
    if args.json:
        _print_json(result.to_dict())
    else:
        print(result.text())
    return EXIT_OK if result.ok else EXIT_RULES


def cmd_providers(args: argparse.Namespace) -> int:
    """Per-provider incident history and the provider loading of the loss model."""
    from .lossmodel import LossModelAssumptions, route_shares
    from .providers import COLD_REACH_CASES, provider_factors, provider_history

    incidents = load_incidents(args.data)
    history = provider_history(incidents.frame, args.provider)
    if args.provider is not None and history.empty:
        raise InputError.single(
            "--provider", f"no incident in the data names '{args.provider[:60]}'"
        )
    a = LossModelAssumptions()
    pi = route_shares(_calibrate(args).selection.frame).provider
    f = provider_factors(
        pi, args.user_share if args.user_share is not None else a.provider_user_share
    )
    loading = {
        "pi": f.pi,
        "s": f.s,
        "user_factor": f.user,
        "non_user_factor": f.non_user,
        "provider_cold_reach": a.provider_cold_reach,
        "cold_reach_cases": [
            {
                "exchange": c.exchange,
                "provider": c.provider,
                "year": c.year,
                "reach": c.reach,
                "lower_bound": c.lower_bound,
                "source": c.source,
            }
            for c in COLD_REACH_CASES
        ],
    }
    if args.json:
        records = history.astype(object).where(history.notna(), None).to_dict(orient="records")
        _print_json({"history": records, "loading": loading})
        return EXIT_OK
    _print_table("Incidents by signing-path provider (USD)", history)
    print(
        f"Provider loading: π = {f.pi:.3g} of incidents came through a provider (data), "
        f"s = {f.s:.3g} of exchanges use one (assumption); a user's rate × {f.user:.4g}, "
        f"a non-user's × {f.non_user:.4g}. Reach of cold storage by a provider that signs for "
        f"cold wallets ρ_p = {a.provider_cold_reach:.3g} (cases: "
        + "; ".join(f"{c.exchange} {c.year} {c.reach:g}" for c in COLD_REACH_CASES)
        + ")."
    )
    return EXIT_OK


def cmd_portfolio(args: argparse.Namespace) -> int:
    """An insurer's book: accumulation by provider, VaR/TVaR, Euler allocation (on Dask)."""
    from .portfolio.command import run

    return run(args, _print_json, _print_table)


def cmd_app(args: argparse.Namespace) -> int:
    """Start the Streamlit app."""
    from streamlit.web import cli as stcli

    sys.argv = ["streamlit", "run", str(APP_PATH), *args.streamlit_args]
    return int(stcli.main() or 0)


def _add_layer_options(parser: argparse.ArgumentParser, required: bool = False) -> None:
    group = parser.add_argument_group("layer (USD)")
    group.add_argument(
        "--retention",
        type=float,
        default=None if required else 0.0,
        required=required,
        help="per-occurrence retention",
    )
    group.add_argument(
        "--limit",
        type=float,
        default=None if required else math.inf,
        required=required,
        help="per-occurrence limit",
    )
    group.add_argument(
        "--agg-retention", type=float, default=0.0, help="annual aggregate retention"
    )
    group.add_argument("--agg-limit", type=float, default=math.inf, help="annual aggregate limit")


def _add_regime_option(parser: argparse.ArgumentParser) -> None:
    from .regulation import ALIASES, REGIMES

    group = parser.add_argument_group("regime")
    group.add_argument(
        "--regime",
        choices=(*REGIMES, *ALIASES),
        default="jp-2027",
        help="regulatory regime (default jp-2027, an editable scenario, not law; jp-draft "
        "is its former name)",
    )
    group.add_argument(
        "--set",
        action="append",
        metavar="NAME=VALUE",
        default=None,
        help="set a parameter of the regime (repeatable); `vaultcover regulation --regime R "
        "--params` lists them",
    )
    group.add_argument(
        "--regime-file",
        type=Path,
        default=None,
        help="regime parameters from a JSON or TOML file (flat, or tables keyed by regime "
        "code); --set wins over the file",
    )


def _add_profile_options(parser: argparse.ArgumentParser) -> None:
    from .profiles import PRESETS

    parser.add_argument(
        "--profile",
        default="small",
        help=f"a preset ({', '.join(PRESETS)}) or a profile JSON file",
    )
    parser.add_argument(
        "--severity-family",
        default=None,
        help="severity candidate to use (default: the best by AIC)",
    )
    _add_data_options(parser)


# --------------------------------------------------------------------------------------------
# Parser
# --------------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``vaultcover`` (also used to render help text)."""
    from .regulation import CURRENCIES
    from .regulation.inkind import DEFAULT_DELAY_DAYS, DEFAULT_VOLATILITY

    parser = argparse.ArgumentParser(
        prog="vaultcover",
        description="Price crypto-exchange theft losses and compare reserves with insurance.",
        epilog="Exit status: 0 done; 2 a problem with the input (each one is listed); "
        f"1 an internal error (details with --debug or {DEBUG_ENV}=1).",
    )
    parser.add_argument(
        "--debug", action="store_true", help="print the full traceback of an internal error"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(
        name: str, func: Callable[[argparse.Namespace], int], help_text: str
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        return p

    p = add(
        "fit-severity",
        cmd_fit_severity,
        "fit loss-size models to the incident history (left-truncated MLE)",
    )
    _add_data_options(p)
    p.add_argument(
        "--dist",
        action="append",
        default=None,
        help="a candidate family (repeatable; default: all of lognormal, gamma, "
        "weibull, lomax, loglogistic, gpd, spliced)",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")

    p = add(
        "fit-frequency",
        cmd_fit_frequency,
        "fit the yearly incident-count GLM and project the rate per exchange-year",
    )
    _add_data_options(p)
    p.add_argument(
        "--model",
        choices=("auto", "poisson", "negbin"),
        default="auto",
        help="count model; 'auto' picks negative binomial only if the overdispersion "
        "test rejects Poisson at 5%% (default auto)",
    )
    p.add_argument("--no-trend", action="store_true", help="fit without a year trend")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")

    p = add(
        "aggregate",
        cmd_aggregate,
        "yearly aggregate loss of a frequency and a severity (VaR, TVaR, return periods) "
        "and the expected ceded and retained loss of one layer",
    )
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

    p = add(
        "loss-model",
        cmd_loss_model,
        "one exchange's frequency, severity and yearly loss, with every assumption",
    )
    _add_profile_options(p)
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")

    p = add("quote", cmd_quote, "an insurer's view of one layer for an exchange profile")
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

    p = add(
        "compare",
        cmd_compare,
        "reserve only, insurance only and the optimal hybrid for a profile (or a batch)",
    )
    compare_parser = p
    _add_profile_options(p)
    p.add_argument(
        "--profiles",
        default=None,
        help="batch: a folder of profile JSON files or a CSV with one profile per row",
    )
    p.add_argument("--out", default=None, help="batch: CSV file for the results")
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="batch: processes comparing profiles at once (default: one per core)",
    )
    _add_regime_option(p)
    p.add_argument(
        "--target", type=float, default=0.995, help="protection target P(all compensated) (0.995)"
    )
    p.add_argument(
        "--dispute-probability",
        type=float,
        default=0.15,
        help="chance an insurance claim is disputed or excluded (0.15)",
    )
    p.add_argument(
        "--payment-delay", type=float, default=6.0, help="months until the insurer pays (6)"
    )
    p.add_argument(
        "--rol", type=float, default=None, help="market mode: quoted rate on line for all layers"
    )
    p.add_argument(
        "--capacity", type=float, default=600e6, help="largest insurance limit available (USD)"
    )
    p.add_argument(
        "--in-kind",
        action="store_true",
        help="compensation in kind: customers get the same coins back, bought after a delay "
        "at a price that has moved (lognormal factor)",
    )
    p.add_argument(
        "--in-kind-volatility",
        type=float,
        default=DEFAULT_VOLATILITY,
        help=f"annual volatility of the stolen coins ({DEFAULT_VOLATILITY:g}, an assumption)",
    )
    p.add_argument(
        "--in-kind-delay",
        type=float,
        default=DEFAULT_DELAY_DAYS,
        help=f"days from theft to buy-back ({DEFAULT_DELAY_DAYS:g})",
    )
    _add_market_options(p)
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")

    p = add(
        "regulation",
        cmd_regulation,
        "the regulatory minimum of a regime for a profile, with its formula and source",
    )
    _add_profile_options(p)
    _add_regime_option(p)
    p.add_argument(
        "--currency",
        choices=CURRENCIES,
        default="USD",
        help="currency of the amounts shown (dated FX rates; default USD)",
    )
    p.add_argument(
        "--lang", choices=("en", "ja"), default="en", help="language of the output (en, ja)"
    )
    p.add_argument(
        "--params", action="store_true", help="list the regime's editable parameters and stop"
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of text")

    p = add(
        "data",
        cmd_data,
        "checks of the incident and exposure data ('data check')",
    )
    p.add_argument("action", choices=("check",), help="check: sourcing and consistency rules")
    _add_file_options(p)
    p.add_argument(
        "--banned-domains",
        type=Path,
        default=None,
        help="CSV of banned source domains (default: the shipped data/banned_domains.csv)",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of text")

    p = add(
        "providers",
        cmd_providers,
        "incidents by signing-path provider, and the provider loading of the loss model",
    )
    _add_data_options(p)
    p.add_argument("--provider", default=None, help="one provider's history (e.g. Ginco)")
    p.add_argument(
        "--user-share",
        type=float,
        default=None,
        help="share s of exchanges using a provider (default: the model's assumption, 0.35)",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")

    p = add("glossary", cmd_glossary, "the Japanese terms used, with readings and meanings")
    p.add_argument("--lang", choices=("en", "ja"), default="en", help="language (en, ja)")

    p = add(
        "portfolio",
        cmd_portfolio,
        "an insurer's book of exchanges: accumulation by shared provider, VaR/TVaR, Euler "
        "allocation, simulated on Dask",
    )
    from .portfolio.command import add_arguments as add_portfolio_arguments

    add_portfolio_arguments(p)

    from .store.cli import add_book_commands, add_scenario_commands

    add_scenario_commands(sub, compare_parser)
    add_book_commands(sub)

    p = add("app", cmd_app, "start the Streamlit app (extra arguments go to streamlit run)")
    p.add_argument("streamlit_args", nargs=argparse.REMAINDER, help="e.g. --server.port 8600")
    _document_ranges(parser)
    return parser


# --------------------------------------------------------------------------------------------
# Option checks: every numeric option has a documented range (pricing.checks.LIMITS)
# --------------------------------------------------------------------------------------------
#: Option (argparse ``dest``) → name of its range in :data:`pricing.checks.LIMITS`.
OPTION_LIMITS = {
    "threshold": "threshold",
    "splice_point": "splice_point",
    "cap": "cap",
    "sims": "sims",
    "seed": "seed",
    "retention": "retention",
    "limit": "limit",
    "agg_retention": "agg_retention",
    "agg_limit": "agg_limit",
    "share": "share",
    "reinstatements": "reinstatements",
    "reinstatement_rate": "reinstatement_rate",
    "theta": "theta",
    "cost_of_capital": "insurer_cost_of_capital",
    "expense_ratio": "expense_ratio",
    "minimum_premium": "minimum_premium",
    "rol": "rol",
    "target": "target",
    "dispute_probability": "dispute_probability",
    "payment_delay": "payment_delay",
    "capacity": "capacity",
    "user_share": "user_share",
    "workers": "workers",
}


def _option(dest: str) -> str:
    return "--" + dest.replace("_", "-")


def check_options(args: argparse.Namespace) -> None:
    """Check every numeric option against its documented range; one error lists them all."""
    problems = []
    for dest, name in OPTION_LIMITS.items():
        value = getattr(args, dest, None)
        if value is not None:
            found = LIMITS[name].problem(value, _option(dest))
            if found is not None:
                problems.append(found)
    for dest in ("dist", "vector"):
        values = getattr(args, dest, None) or []
        if len(set(values)) != len(values):
            problems.append(Problem(None, _option(dest), "a value is given twice"))
    if getattr(args, "dist", None):
        from .severity import FAMILIES

        bad = [d[:40] for d in args.dist if d not in FAMILIES]
        if bad:
            problems.append(
                Problem(None, "--dist", f"unknown {bad}; choose from {', '.join(FAMILIES)}")
            )
    years = getattr(args, "years", None)
    if isinstance(years, tuple) and years[0] > years[1]:
        problems.append(Problem(None, "--years", "the first year is after the last"))
    if problems:
        raise InputError("options", problems)


def _output_path(text: str, option: str) -> Path:
    """An output file path whose folder exists and which is not itself a folder."""
    path = Path(text)
    if path.is_dir() or text.endswith(("/", os.sep)):
        raise InputError.single(option, f"'{text}' is a folder; give a file name, e.g. results.csv")
    if not path.parent.is_dir():
        raise InputError.single(option, f"the folder '{path.parent}' does not exist")
    return path


def _document_ranges(parser: argparse.ArgumentParser) -> None:
    """Append each numeric option's valid range (from pricing.checks.LIMITS) to its help."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _document_ranges(sub)
        elif action.dest in OPTION_LIMITS and action.help:
            valid = LIMITS[OPTION_LIMITS[action.dest]].text().replace("%", "%%")
            action.help += f"; valid: {valid}"


#: Library field names → the command-line option that sets them.
FIELD_OPTIONS = {
    "year": "--year",
    "years": "--years",
    "threshold": "--threshold",
    "on_level": "--on-level",
    "attack_vectors": "--vector",
    "splice_at": "--splice-point",
    "frequency": "--frequency",
    "severity": "--severity",
}


def _as_options(err: InputError) -> InputError:
    """The error with library field names shown as the options a user typed."""
    if not any(p.line is None and p.column in FIELD_OPTIONS for p in err.problems):
        return err
    problems = [
        Problem(p.line, FIELD_OPTIONS[p.column], p.message)
        if p.line is None and p.column in FIELD_OPTIONS
        else p
        for p in err.problems
    ]
    return InputError(FIELD_OPTIONS.get(err.source, err.source), problems)


def _internal_error(err: BaseException, debug: bool) -> int:
    if debug:
        traceback.print_exception(err, file=sys.stderr)
    first = (str(err).splitlines() or [""])[0][:200]
    print(
        f"vaultcover: internal error ({type(err).__name__}: {first}). This is a bug, not a "
        f"problem with your input: please report it with the command you ran"
        + ("." if debug else f" (run with --debug or {DEBUG_ENV}=1 for the details)."),
        file=sys.stderr,
    )
    return EXIT_INTERNAL


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``vaultcover`` console script and ``python -m pricing``.

    Returns the exit status: 0 success, 2 input problems (all printed), 1 internal error.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = os.environ.get(DEBUG_ENV, "") not in ("", "0")
    try:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as stop:  # --help, or argparse's own usage error (status 2)
            return int(stop.code or 0) if isinstance(stop.code, int) else EXIT_INPUT
        debug = debug or args.debug
        check_options(args)
        return int(args.func(args))
    except InputError as err:
        print(f"error: {_as_options(err)}", file=sys.stderr)
        return EXIT_INPUT
    except ConvergenceError as err:  # the data chosen cannot support the model asked for
        print(f"error: the model cannot be fitted to the data chosen: {err}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading
        sys.stdout = open(os.devnull, "w")
        return EXIT_OK
    except KeyboardInterrupt:
        print("vaultcover: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a bug: never shown as a traceback unless asked for
        return _internal_error(err, debug)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
