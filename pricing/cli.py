"""The ``vaultcover`` command line: scripted and batch use of the pricing library.

Every subcommand prints a readable table by default and a JSON document with ``--json``.
Bad input exits with status 2 and the same line/column messages as the loader.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .data import ATTACK_VECTORS, ON_LEVEL_INDICES, load_exposure, load_incidents
from .exceptions import DataValidationError

EXIT_OK, EXIT_INPUT = 0, 2
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


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("data and calibration")
    group.add_argument(
        "--data",
        type=Path,
        default=None,
        help="incident CSV (default: the shipped data/incidents.csv)",
    )
    group.add_argument(
        "--exposure",
        type=Path,
        default=None,
        help="yearly exposure CSV (default: the shipped data/exposure.csv)",
    )
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
        "--vector",
        action="append",
        choices=ATTACK_VECTORS,
        default=None,
        help="restrict to an attack vector (repeatable; default: all)",
    )


def _spec(args: argparse.Namespace, **extra: Any) -> Any:
    from .calibration import CalibrationSpec

    return CalibrationSpec(
        threshold=args.threshold,
        on_level=args.on_level,
        target_year=args.year,
        years=args.years,
        attack_vectors=tuple(args.vector) if args.vector else None,
        **extra,
    )


def _calibrate(args: argparse.Namespace, **extra: Any) -> Any:
    from .calibration import calibrate

    return calibrate(_spec(args, **extra), load_incidents(args.data), load_exposure(args.exposure))


def _finite(value: Any) -> Any:
    """JSON has no infinity: encode non-finite numbers as strings ('inf')."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _print_json(document: dict[str, Any]) -> None:
    print(json.dumps(_finite(document), indent=2))


def _print_table(title: str, frame: pd.DataFrame) -> None:
    print(title)
    with pd.option_context(
        "display.width", 160, "display.max_columns", 30, "display.float_format", "{:,.6g}".format
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
    return EXIT_OK


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


def cmd_app(args: argparse.Namespace) -> int:
    """Start the Streamlit app."""
    from streamlit.web import cli as stcli

    sys.argv = ["streamlit", "run", str(APP_PATH), *args.streamlit_args]
    return int(stcli.main() or 0)


# --------------------------------------------------------------------------------------------
# Parser
# --------------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``vaultcover`` (also used to render help text)."""
    parser = argparse.ArgumentParser(
        prog="vaultcover",
        description="Price crypto-exchange theft losses and compare reserves with insurance.",
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

    p = add("app", cmd_app, "start the Streamlit app (extra arguments go to streamlit run)")
    p.add_argument("streamlit_args", nargs=argparse.REMAINDER, help="e.g. --server.port 8600")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``vaultcover`` console script and ``python -m pricing``."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except DataValidationError as err:
        print(str(err), file=sys.stderr)
        return EXIT_INPUT
    except (ValueError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
