"""The ``compare`` command: reserve only, insurance only and the hybrid, for one profile or
a batch."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..exceptions import InputError
from ..strategy import COST_COMPONENTS
from .common import (
    EXIT_OK,
    _add_market_options,
    _add_profile_options,
    _add_regime_option,
    _calibrate,
    _draws,
    _family,
    _market_terms,
    _output_path,
    _print_json,
    _print_table,
)
from .regulation import _other_regime_params, _regime_params

if TYPE_CHECKING:
    import pandas as pd


def _in_kind(args: argparse.Namespace) -> Any:
    from ..regulation import InKindCompensation

    if not args.in_kind:
        return None
    return InKindCompensation(volatility=args.in_kind_volatility, delay_days=args.in_kind_delay)


def _strategy_assumptions(args: argparse.Namespace) -> Any:
    from ..coverage import InsuranceFrictions
    from ..strategy import StrategyAssumptions

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
    from ..lossmodel import build_loss_model
    from ..profiles import load_profile, load_profiles
    from ..regulation import DEFAULT_FX
    from ..strategy import compare, compare_profiles

    DEFAULT_FX.rate(args.currency)  # an unknown currency is named before any work
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
            calibration=calibration,
            draws=args.draws,
            seed=args.seed,
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
        from ..uncertainty import compare_with_draws

        result = compare_with_draws(result, draws)
    if args.json:
        document = result.to_dict()
        document["market_fit"] = fit.to_dict() if fit is not None else None
        _print_json(with_display_amounts(document, args.currency, DEFAULT_FX))
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
    table = display_table(result.table(), args.currency, DEFAULT_FX)
    table = table.set_index("strategy").T.reset_index(names="")
    _print_table(f"Strategies ({args.currency} per year unless stated)", table)
    for line in fx_lines(args.currency, DEFAULT_FX):
        print(line)
    if draws is not None:
        import pandas as pd

        to = DEFAULT_FX.rate(args.currency)
        rows = [
            {
                "strategy": s.name,
                "kind": s.kind,
                "total_cost_5%": s.total_cost_interval[0] * to,
                "total_cost_95%": s.total_cost_interval[1] * to,
                "p_full_5%": s.p_full_interval[0],
                "p_full_95%": s.p_full_interval[1],
            }
            for s in result.strategies
        ]
        _print_table(f"90% ranges over {draws.n} parameter draws", pd.DataFrame(rows))
    print(result.recommendation() + ("" if args.currency == "USD" else " (Amounts in USD.)"))
    return EXIT_OK


#: Amounts (USD) of a strategy's JSON record; ``components`` holds more.
STRATEGY_AMOUNTS = (
    "retention",
    "limit",
    "reserve",
    "total_cost",
    "expected_shortfall",
    "var_0.995_uncompensated",
    "reserve_floor",
    "technical_premium",
    "market_premium",
)
#: Columns of :meth:`pricing.strategy.Comparison.table` that are amounts (USD).
TABLE_AMOUNTS = ("retention", "limit", "reserve", "total_cost", "expected_shortfall",
                 "var_0.995_uncompensated")  # fmt: skip


def _converted(value: Any, per_usd: float) -> Any:
    if value is None:
        return None
    if isinstance(value, list):
        return [_converted(v, per_usd) for v in value]
    if isinstance(value, dict):
        return {k: _converted(v, per_usd) for k, v in value.items()}
    return float(value) * per_usd


def with_display_amounts(document: dict[str, Any], currency: str, fx: Any) -> dict[str, Any]:
    """The ``compare --json`` document with ``display_currency``, the dated FX rate used and,
    beside each USD amount, the same amount in ``currency`` (``*_display``)."""
    per_usd, as_of, kind = fx.dated(currency)
    out = dict(document)
    out["display_currency"] = currency
    out["fx"] = {"per_usd": per_usd, "as_of": as_of or None, "kind": kind}
    out["regulatory_minimum_display"] = _converted(document["regulatory_minimum_usd"], per_usd)
    strategies = []
    for record in document["strategies"]:
        record = dict(record)
        for key in (*STRATEGY_AMOUNTS, "components", "total_cost_interval"):
            record[f"{key}_display"] = _converted(record[key], per_usd)
        strategies.append(record)
    out["strategies"] = strategies
    return out


def display_table(table: pd.DataFrame, currency: str, fx: Any) -> pd.DataFrame:
    """:meth:`pricing.strategy.Comparison.table` with its amounts in ``currency``."""
    per_usd = fx.rate(currency)
    table = table.copy()
    for column in (*TABLE_AMOUNTS, *COST_COMPONENTS):
        if column in table:
            table[column] = table[column] * per_usd
    return table


def fx_lines(currency: str, fx: Any) -> list[str]:
    """The FX rate behind the amounts (none for USD), with the note on assumed rates."""
    if currency == "USD":
        return []
    per_usd, as_of, kind = fx.dated(currency)
    dated = f", {kind}, as of {as_of}" if as_of else f", {kind}"
    return [f"Amounts in {currency} at {per_usd:g} {currency} per USD{dated}.", *fx.note(currency)]


def add_compare_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``vaultcover compare``."""
    from ..regulation import CURRENCIES
    from ..regulation.inkind import DEFAULT_DELAY_DAYS, DEFAULT_VOLATILITY

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
    p.add_argument(
        "--currency",
        choices=CURRENCIES,
        default="USD",
        help="currency of the amounts shown, at the dated FX rates of data/fx.csv (default USD; "
        "JSON keeps the USD amounts and adds the converted ones)",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
