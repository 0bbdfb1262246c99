"""The ``vaultcover`` argument parser, built for the command being run.

Each command's options live beside the command (``add_<command>_arguments``). Running one
command builds only its own subparser, so ``vaultcover compare`` never imports what
``portfolio`` (Dask) or ``scenario`` (SQLAlchemy) need; ``--help`` and an unknown command
build them all.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

from .common import DEBUG_ENV, _document_ranges

#: ``(command, module of pricing.cli, function, help)`` in the order of ``vaultcover --help``.
COMMANDS = (
    (
        "fit-severity",
        "fitting",
        "cmd_fit_severity",
        "fit loss-size models to the incident history (left-truncated MLE)",
    ),
    (
        "fit-frequency",
        "fitting",
        "cmd_fit_frequency",
        "fit the yearly incident-count GLM and project the rate per exchange-year",
    ),
    (
        "aggregate",
        "quoting",
        "cmd_aggregate",
        "yearly aggregate loss of a frequency and a severity (VaR, TVaR, return periods) "
        "and the expected ceded and retained loss of one layer",
    ),
    (
        "loss-model",
        "fitting",
        "cmd_loss_model",
        "one exchange's frequency, severity and yearly loss, with every assumption",
    ),
    (
        "quote",
        "quoting",
        "cmd_quote",
        "an insurer's view of one layer for an exchange profile",
    ),
    (
        "compare",
        "compare",
        "cmd_compare",
        "reserve only, insurance only and the optimal hybrid for a profile (or a batch)",
    ),
    (
        "regulation",
        "regulation",
        "cmd_regulation",
        "the regulatory minimum of a regime for a profile, with its formula and source",
    ),
    (
        "data",
        "tools",
        "cmd_data",
        "checks of the incident and exposure data ('data check')",
    ),
    (
        "providers",
        "tools",
        "cmd_providers",
        "incidents by signing-path provider, and the provider loading of the loss model",
    ),
    (
        "glossary",
        "tools",
        "cmd_glossary",
        "the Japanese terms used, with readings and meanings",
    ),
    (
        "portfolio",
        "tools",
        "cmd_portfolio",
        "an insurer's book of exchanges: accumulation by shared provider, VaR/TVaR, Euler "
        "allocation, simulated on Dask",
    ),
    (
        "app",
        "tools",
        "cmd_app",
        "start the Streamlit app (extra arguments go to streamlit run)",
    ),
)
#: ``scenario`` and ``book`` and their actions come from :mod:`pricing.store.cli` (listed
#: before ``app``).
SCENARIO, BOOK = "scenario", "book"


def command_of(argv: Sequence[str]) -> str | None:
    """The command named in ``argv`` (``None``: none, or help asked for before it)."""
    for token in argv:
        if token in ("-h", "--help"):
            return None
        if not token.startswith("-"):
            return token
    return None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser of ``vaultcover`` (also used to render help text): every command,
    or only ``command`` (with ``compare`` as well for ``scenario``, which shares its options)."""
    names = {row[0] for row in COMMANDS} | {SCENARIO, BOOK}
    wanted = command if command in names else None
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
    compare_parser = None
    for name, module, func, help_text in COMMANDS:
        if name == "app" and wanted in (None, SCENARIO):
            from ..store.cli import add_scenario_commands

            add_scenario_commands(sub, compare_parser)
        if name == "app" and wanted in (None, BOOK):
            from ..store.cli import add_book_commands

            add_book_commands(sub)
        if wanted is not None and name != wanted and not (wanted == SCENARIO and name == "compare"):
            continue
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)  # looked up on pricing.cli when run (tests may replace it)
        options = importlib.import_module(f".{module}", __package__)
        getattr(options, f"add_{name.replace('-', '_')}_arguments")(p)
        if name == "compare":
            compare_parser = p
    _document_ranges(parser)
    return parser
