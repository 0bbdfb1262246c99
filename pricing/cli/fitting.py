"""Commands that fit the models: ``fit-severity``, ``fit-frequency`` and ``loss-model``."""

from __future__ import annotations

import argparse

import pandas as pd

from ..data import (
    load_exposure,
    load_incidents,
)
from .common import (
    EXIT_OK,
    LEVELS,
    _add_data_options,
    _add_profile_options,
    _calibrate,
    _levels_table,
    _loss_model,
    _print_json,
    _print_table,
    _spec,
)


def cmd_fit_severity(args: argparse.Namespace) -> int:
    """Fit severity candidates by left-truncated maximum likelihood."""
    from ..severity import FAMILIES

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
    from ..calibration import threshold_table

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


def add_fit_severity_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``vaultcover fit-severity``."""
    _add_data_options(p)
    p.add_argument(
        "--dist",
        action="append",
        default=None,
        help="a candidate family (repeatable; default: all of lognormal, gamma, "
        "weibull, lomax, loglogistic, gpd, spliced)",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")


def add_fit_frequency_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``vaultcover fit-frequency``."""
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


def add_loss_model_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``vaultcover loss-model``."""
    _add_profile_options(p)
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
