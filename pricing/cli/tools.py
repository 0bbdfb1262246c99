"""Commands around the model: ``data``, ``providers``, ``glossary``, ``portfolio`` and ``app``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from ..data import (
    load_incidents,
)
from ..exceptions import InputError
from .common import (
    APP_PATH,
    EXIT_OK,
    EXIT_RULES,
    _add_data_options,
    _add_file_options,
    _calibrate,
    _print_json,
    _print_table,
)


def cmd_glossary(args: argparse.Namespace) -> int:
    """The terms Japanese practitioners use, with readings and meanings."""
    from ..i18n import check_language, glossary

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
    from ..datacheck import check_data

    result = check_data(args.data, args.exposure, args.banned_domains)
    if args.json:
        _print_json(result.to_dict())
    else:
        print(result.text())
    return EXIT_OK if result.ok else EXIT_RULES


def cmd_providers(args: argparse.Namespace) -> int:
    """Per-provider incident history and the provider loading of the loss model."""
    from ..lossmodel import LossModelAssumptions
    from ..providers import COLD_REACH_CASES, provider_factors, provider_history

    incidents = load_incidents(args.data)
    history = provider_history(incidents.frame, args.provider)
    if args.provider is not None and history.empty:
        raise InputError.single(
            "--provider", f"no incident in the data names '{args.provider[:60]}'"
        )
    a = LossModelAssumptions()
    pi = _calibrate(args).routes.provider
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
    from ..portfolio.command import run

    return run(args, _print_json, _print_table)


def cmd_app(args: argparse.Namespace) -> int:
    """Start the Streamlit app."""
    from streamlit.web import cli as stcli

    # The project's .streamlit/config.toml applies only when started from its folder: the
    # settings the app needs are passed here too (a later user flag still wins): no full
    # collection after each run and no magic (speed), and static serving (the charts' plotly.js).
    needed = [
        *("--runner.postScriptGC", "false", "--runner.magicEnabled", "false"),
        *("--server.enableStaticServing", "true"),
    ]
    sys.argv = ["streamlit", "run", str(APP_PATH), *needed, *args.streamlit_args]
    return int(stcli.main() or 0)


def add_data_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``vaultcover data``."""
    p.add_argument("action", choices=("check",), help="check: sourcing and consistency rules")
    _add_file_options(p)
    p.add_argument(
        "--banned-domains",
        type=Path,
        default=None,
        help="CSV of banned source domains (default: the shipped data/banned_domains.csv)",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of text")


def add_providers_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``vaultcover providers``."""
    _add_data_options(p)
    p.add_argument("--provider", default=None, help="one provider's history (e.g. Ginco)")
    p.add_argument(
        "--user-share",
        type=float,
        default=None,
        help="share s of exchanges using a provider (default: the model's assumption, 0.35)",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")


def add_glossary_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``vaultcover glossary``."""
    p.add_argument("--lang", choices=("en", "ja"), default="en", help="language (en, ja)")


def add_portfolio_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``vaultcover portfolio``."""
    from ..portfolio.command import add_arguments

    add_arguments(p)


def add_app_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``vaultcover app``."""
    p.add_argument("streamlit_args", nargs=argparse.REMAINDER, help="e.g. --server.port 8600")
