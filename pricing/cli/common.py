"""What every ``vaultcover`` command shares: exit status, data and profile options, the
documented range of every numeric option, and printing of tables and JSON."""

from __future__ import annotations

import argparse
import json
import math
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..checks import LIMITS
from ..data import (
    ATTACK_VECTORS,
    EXPOSURE_BASES,
    ON_LEVEL_INDICES,
    PLATFORM_TYPES,
)
from ..exceptions import InputError, Problem

if TYPE_CHECKING:
    import pandas as pd

#: Exit status: done; a bug; a problem with the input.
EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2
#: ``data check``: the files load but a shipped sourcing or consistency rule is broken.
EXIT_RULES = 1
DEBUG_ENV = "VAULTCOVER_DEBUG"
APP_PATH = Path(__file__).resolve().parent.parent.parent / "app.py"


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
    from ..calibration import DEFAULT_PLATFORM_TYPES

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
    from ..calibration import CalibrationSpec

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
    """The calibration of the options' data and choices, reused from the user's cache folder
    when the same files and choices were fitted before (:mod:`pricing.calibration_cache`)."""
    from ..calibration_cache import cached_calibrate

    return cached_calibrate(
        _spec(args, **extra, splice_at=getattr(args, "splice_point", None)),
        args.data,
        args.exposure,
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
    import pandas as pd

    print(title)
    with pd.option_context(
        "display.width", 160, "display.max_columns", 30, "display.float_format", _number_text
    ):
        print(frame.to_string(index=False))
    print()


LEVELS = (0.95, 0.99, 0.995)


def _levels_table(measures: dict[str, Any]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        {
            "level": list(measures["var"]),
            "VaR": list(measures["var"].values()),
            "TVaR": list(measures["tvar"].values()),
        }
    )


def _layer_from_args(args: argparse.Namespace) -> Any:
    from ..coverage import Layer

    return Layer(
        retention=args.retention,
        limit=args.limit,
        share=getattr(args, "share", 1.0),
        agg_retention=args.agg_retention,
        agg_limit=args.agg_limit,
        reinstatements=getattr(args, "reinstatements", None),
        reinstatement_rate=getattr(args, "reinstatement_rate", 1.0),
    )


def _loss_model(args: argparse.Namespace) -> Any:
    from ..lossmodel import build_loss_model
    from ..profiles import load_profile

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
    from ..market import DEFAULT_TERMS, Capacity

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
    from ..market_quotes import fit_market_curve, load_market_quotes

    quotes = load_market_quotes(args.market_quotes)
    fit = fit_market_curve(model.frequency, model.severity, quotes, family=args.curve)
    return fit.terms(terms), fit


def _draws(args: argparse.Namespace, model: Any, calibration: Any) -> Any:
    if args.draws == 0:
        return None
    from ..uncertainty import draw_models

    return draw_models(model, calibration, args.draws, args.seed)


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
    from ..regulation import ALIASES, REGIMES

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
    from ..profiles import PRESETS

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
        from ..severity import FAMILIES

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
        elif action.dest in OPTION_LIMITS and action.help and "; valid: " not in action.help:
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
