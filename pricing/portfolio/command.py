"""The ``vaultcover portfolio`` subcommand (registered by :mod:`pricing.cli`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from ..exceptions import InputError
from .book import Book, load_book
from .engine import DEFAULT_CHUNK_YEARS, run_portfolio
from .model import build_portfolio
from .scenario import provider_scenario

__all__ = ["add_arguments", "load", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``vaultcover portfolio`` (the data options are added by the caller)."""
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--book", type=Path, default=None, help="the book CSV (see data/example_book.csv)"
    )
    source.add_argument(
        "--book-name",
        default=None,
        metavar="NAME",
        help="a book saved in the store (`vaultcover book save`; OWNER/NAME for another "
        "owner's shared book)",
    )
    parser.add_argument(
        "--book-version",
        type=int,
        default=None,
        metavar="N",
        help="with --book-name: a past version of the stored book (default latest)",
    )
    parser.add_argument(
        "--db",
        default=None,
        help="with --book-name: SQLAlchemy URL of the store (default VAULTCOVER_DB, else the "
        "SQLite file in your data folder)",
    )
    parser.add_argument(
        "--years", type=int, default=100_000, help="simulated years (default 100,000)"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the run (default 1)")
    parser.add_argument(
        "--scheduler",
        default=None,
        help="address of a running Dask scheduler, e.g. tcp://host:8786 (default: start a "
        "local cluster)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes of the local cluster (default: one per core; 0 runs in this "
        "process)",
    )
    parser.add_argument(
        "--chunk-years",
        type=int,
        default=DEFAULT_CHUNK_YEARS,
        help=f"years per task (default {DEFAULT_CHUNK_YEARS:,}); results depend on it and on "
        "the seed, never on the workers",
    )
    parser.add_argument(
        "--hit-probability",
        type=float,
        default=None,
        help="chance a provider compromise reaches its most exposed client, for every "
        "provider (default: from the data, one client per compromise on average)",
    )
    parser.add_argument(
        "--scenario",
        default=None,
        metavar="PROVIDER",
        help="also show the insurer's loss if this provider is compromised once",
    )
    parser.add_argument(
        "--all-clients",
        action="store_true",
        help="in the scenario, the compromise reaches every client (the worst case)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    group = parser.add_argument_group("data and calibration")
    group.add_argument(
        "--data", type=Path, default=None, help="incident CSV (default: data/incidents.csv)"
    )
    group.add_argument(
        "--exposure", type=Path, default=None, help="exposure CSV (default: data/exposure.csv)"
    )
    group.add_argument(
        "--threshold",
        type=float,
        default=1e6,
        help="reporting threshold in USD (default 1e6; the other calibration choices are the "
        "defaults of fit-severity and fit-frequency)",
    )


def _calibrate(args: argparse.Namespace) -> Any:
    from ..calibration import CalibrationSpec, calibrate
    from ..data import load_exposure, load_incidents

    spec = CalibrationSpec(threshold=args.threshold)
    return calibrate(spec, load_incidents(args.data), load_exposure(args.exposure))


def load(args: argparse.Namespace) -> tuple[Book, str]:
    """The book of ``--book FILE`` or ``--book-name NAME [--book-version N]``, and how to
    name it in the output."""
    if args.book_name is None:
        for option, value in (("--book-version", args.book_version), ("--db", args.db)):
            if value is not None:
                raise InputError.single(option, "goes with --book-name (a stored book)")
        return load_book(args.book), str(args.book)
    from ..store import BookStore
    from ..store.cli import current_user

    store = BookStore(args.db)
    try:
        saved = store.get(args.book_name, user=current_user(), version=args.book_version)
    except InputError as err:  # the store names its fields; say which option to fix
        options = {"name": "--book-name", "version": "--book-version"}
        problems = [replace(p, column=options.get(p.column or "", p.column)) for p in err.problems]
        raise InputError(options.get(err.source, err.source), problems) from None
    finally:
        store.close()
    return saved.book, f"{saved.name} (version {saved.version}, saved by {saved.updated_by})"


def run(
    args: argparse.Namespace,
    print_json: Callable[[dict[str, Any]], None],
    print_table: Callable[[str, pd.DataFrame], None],
) -> int:
    """Load the book, simulate it and print the figures."""
    book, label = load(args)
    model = build_portfolio(book, _calibrate(args), hit_probability=args.hit_probability)

    def progress(share: float) -> None:
        print(f"\rsimulating: {share:6.1%}", end="" if share < 1 else "\n", file=sys.stderr)

    result = run_portfolio(
        model,
        args.years,
        args.seed,
        chunk_years=args.chunk_years,
        scheduler=args.scheduler,
        workers=args.workers,
        progress=progress,
    )
    scenario = (
        provider_scenario(model, args.scenario, all_clients=args.all_clients, seed=args.seed)
        if args.scenario
        else None
    )
    if args.json:
        document = result.to_dict()
        if scenario is not None:
            document["scenario"] = scenario.to_dict()
        print_json(document)
        return 0
    print(
        f"Book {label}: {len(book)} exchanges, {result.years:,} simulated years "
        f"(seed {result.seed}, {result.chunk_years:,} years a chunk)"
    )
    print_table("Insurer's yearly loss (USD)", result.summary())
    table = result.by_provider.drop(columns=["compromises_per_year", "hit_probability"])
    table.columns = [
        "provider",
        "clients",
        "exposure",
        "expected loss",
        "1 in 100",
        "1 in 200",
        "TVaR 0.99",
    ]
    print_table("Accumulation by provider (USD per year)", table)
    alloc = result.allocation.sort_values("tvar_contribution", ascending=False)
    print_table(f"Allocation of TVaR {result.allocation_level:g} (Euler, USD)", alloc)
    if scenario is not None:
        reach = "every client" if scenario.all_clients else "each client with its hit chance"
        q = scenario.quantiles
        print(
            f"If {scenario.provider} is compromised ({reach}; {scenario.clients} clients, "
            f"exposure USD {scenario.exposure:,.0f}): mean loss USD {scenario.mean:,.0f}, "
            f"median USD {q[0.5]:,.0f}, 1 in 10 USD {q[0.9]:,.0f}, 1 in 100 USD "
            f"{q[0.99]:,.0f}; {scenario.mean_clients_hit:.2f} clients hit on average."
        )
    for note in result.notes:
        print(f"Note: {note}")
    return 0
