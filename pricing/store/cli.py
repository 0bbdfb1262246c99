"""``vaultcover scenario …`` and ``vaultcover book …``: named scenarios and insurers' books
from the command line.

``save`` takes every option of ``vaultcover compare`` (copied from its parser, so a new compare
option is a scenario option too), plus ``--name`` and ``--client``. The store is
``--db URL``, else ``VAULTCOVER_DB``, else the SQLite file in the user's data folder; the user is
``VAULTCOVER_USER`` or the OS account.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from ..exceptions import InputError

EXCLUDED = {"help", "profiles", "out", "json", "exposure"}


def _user() -> str:
    from . import local_user

    return os.environ.get("VAULTCOVER_USER", "").strip() or local_user()


def current_user() -> str:
    """The command-line user: ``VAULTCOVER_USER``, else the OS account."""
    return _user()


def _store(args: argparse.Namespace) -> Any:
    from . import ScenarioStore

    return ScenarioStore(args.db)


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return _jsonable(value.item())
    return value


def _print(document: Any) -> None:
    print(json.dumps(_jsonable(document), indent=2, ensure_ascii=False, default=str))


def cmd_save(args: argparse.Namespace) -> int:
    """Save a named scenario built from compare's options."""
    from .. import cli
    from ..lossmodel import LossModelAssumptions
    from ..profiles import load_profile
    from ..scenario import Scenario

    incidents = None
    if args.data is not None:
        incidents = Path(args.data).read_text(encoding="utf-8")
    scenario = Scenario(
        name=args.name,
        profile=load_profile(args.profile),
        calibration=cli._spec(args),
        model=(
            LossModelAssumptions(severity_family=args.severity_family)
            if args.severity_family
            else None
        ),
        regime=args.regime,
        strategy=cli._strategy_assumptions(args),
        client=args.client,
        incidents_csv=incidents,
        incidents_name=Path(args.data).name if args.data is not None else None,
    )
    saved = _store(args).save(scenario, user=_user())
    print(f"Saved {saved.name!r} version {saved.version} (owner {saved.owner}).")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """List the scenarios the user sees."""
    saved = _store(args).list(user=_user())
    rows = [
        s.to_dict() | {"regime": s.scenario.regime, "exchange": s.scenario.profile.name}
        for s in saved
    ]
    if args.json:
        _print(rows)
        return 0
    if not rows:
        print("No saved scenarios.")
        return 0
    frame = pd.DataFrame(rows)[
        ["name", "exchange", "regime", "client", "owner", "version", "updated_at", "updated_by"]
    ]
    frame["updated_at"] = frame["updated_at"].str.slice(0, 16).str.replace("T", " ")
    print(frame.to_string(index=False))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """One scenario: who/when, its versions and its record."""
    store = _store(args)
    saved = store.get(args.name, user=_user(), version=args.version)
    history = store.history(args.name, user=_user())
    document = saved.to_dict() | {
        "history": [
            {"version": v.version, "saved_by": v.saved_by, "saved_at": v.saved_at.isoformat()}
            for v in history
        ],
        "scenario": saved.scenario.to_dict(),
    }
    if args.json:
        _print(document)
        return 0
    print(
        f"{saved.name} (version {saved.version} of {len(history)}), owner {saved.owner}, "
        f"client {saved.client or '-'}"
    )
    for v in history:
        print(f"  v{v.version}  {v.saved_at:%Y-%m-%d %H:%M} UTC  {v.saved_by}")
    print(saved.scenario.to_json())
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """2–4 saved scenarios side by side, with the assumptions that differ."""
    from ..scenario import assumption_differences, evaluate, scenario_table

    store = _store(args)
    scenarios = [store.load(name, user=_user()) for name in args.names]
    if not 2 <= len(scenarios) <= 4:
        raise InputError.single("NAME", f"compare 2 to 4 scenarios, got {len(scenarios)}")
    results = []
    for k, s in enumerate(scenarios, start=1):
        print(f"[{k}/{len(scenarios)}] {s.name}", file=sys.stderr)
        results.append(evaluate(s))
    table = scenario_table(results)
    differences = assumption_differences(scenarios)
    if args.json:
        _print(
            {
                "scenarios": [s.name for s in scenarios],
                "measures": table.to_dict(orient="records"),
                "assumptions_that_differ": differences.to_dict(orient="records"),
            }
        )
        return 0
    from ..cli import _number_text

    with pd.option_context("display.width", 160, "display.float_format", _number_text):
        print(table.to_string(index=False))
        print()
        print("Assumptions that differ:")
        print(differences.to_string(index=False) if len(differences) else "  none")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """A scenario as its JSON record or as a client report (PDF)."""
    store = _store(args)
    saved = store.get(args.name, user=_user())
    slug = "".join(c if c.isalnum() else "_" for c in saved.name).strip("_").lower() or "scenario"
    out = Path(args.out or f"{slug}.{args.format}")
    if args.format == "json":
        out.write_text(saved.scenario.to_json() + "\n", encoding="utf-8")
    else:
        from ..report import scenario_report_pdf
        from ..scenario import evaluate

        out.write_bytes(scenario_report_pdf(evaluate(saved.scenario), saved=saved))
    print(f"Wrote {out}")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    """Delete a scenario and its versions."""
    _store(args).delete(args.name, user=_user())
    print(f"Deleted {args.name!r}.")
    return 0


def cmd_rename(args: argparse.Namespace) -> int:
    """Rename a scenario."""
    _store(args).rename(args.name, args.new_name, user=_user())
    print(f"Renamed {args.name!r} to {args.new_name!r}.")
    return 0


def cmd_share(args: argparse.Namespace) -> int:
    """Share a scenario with another user."""
    _store(args).share(args.name, args.with_user, user=_user())
    print(f"Shared {args.name!r} with {args.with_user}.")
    return 0


def add_scenario_commands(
    sub: Any, compare_parser: argparse.ArgumentParser
) -> argparse.ArgumentParser:
    """Add ``scenario`` and its subcommands to the ``vaultcover`` parser."""
    parser = sub.add_parser(
        "scenario",
        help="save, list, show, compare, export and delete named scenarios",
        description="Named scenarios in the scenario store (SQLite in your data folder by "
        "default; VAULTCOVER_DB or --db for another SQLAlchemy URL).",
    )
    actions = parser.add_subparsers(dest="scenario_command", required=True, metavar="ACTION")

    def add(name: str, func: Any, text: str) -> argparse.ArgumentParser:
        p = actions.add_parser(name, help=text, description=text)
        p.set_defaults(func=func)
        p.add_argument("--db", default=None, help="SQLAlchemy URL of the store")
        return p

    p = add("save", cmd_save, "save a named scenario (any option of compare)")
    p.add_argument("--name", required=True, help="scenario name")
    p.add_argument("--client", default="", help="who the scenario is for")
    for action in compare_parser._actions:
        if action.dest not in EXCLUDED:
            p._add_action(action)

    p = add("list", cmd_list, "the scenarios you can see")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add("show", cmd_show, "one scenario with its version history")
    p.add_argument("name")
    p.add_argument("--version", type=int, default=None, help="a past version (default latest)")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add("compare", cmd_compare, "2 to 4 saved scenarios side by side")
    p.add_argument("names", nargs="+", metavar="NAME")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add("export", cmd_export, "a scenario as JSON or as a client report (PDF)")
    p.add_argument("name")
    p.add_argument("--format", choices=("pdf", "json"), default="pdf")
    p.add_argument("--out", default=None, help="output file (default NAME.FORMAT)")

    p = add("delete", cmd_delete, "delete a scenario and its versions")
    p.add_argument("name")

    p = add("rename", cmd_rename, "rename a scenario")
    p.add_argument("name")
    p.add_argument("new_name")

    p = add("share", cmd_share, "let another user see a scenario")
    p.add_argument("name")
    p.add_argument("with_user")
    return parser


# --------------------------------------------------------------------------------------------
# vaultcover book …
# --------------------------------------------------------------------------------------------
def _books(args: argparse.Namespace) -> Any:
    from . import BookStore

    return BookStore(args.db)


def cmd_book_save(args: argparse.Namespace) -> int:
    """Save a book CSV under a name (checked first, line by line)."""
    from ..portfolio.book import load_book

    saved = _books(args).save(args.name, load_book(args.book), user=_user())
    print(
        f"Saved book {saved.name!r} version {saved.version} ({saved.exchanges} exchanges, "
        f"owner {saved.owner})."
    )
    return 0


def cmd_book_list(args: argparse.Namespace) -> int:
    """List the books the user sees."""
    rows = [b.to_dict() for b in _books(args).list(user=_user())]
    if args.json:
        _print(rows)
        return 0
    if not rows:
        print("No saved books.")
        return 0
    frame = pd.DataFrame(rows)[
        ["name", "exchanges", "owner", "version", "updated_at", "updated_by"]
    ]
    frame["updated_at"] = frame["updated_at"].str.slice(0, 16).str.replace("T", " ")
    print(frame.to_string(index=False))
    return 0


def cmd_book_show(args: argparse.Namespace) -> int:
    """A book's CSV (latest or a given version); with --json, who/when and its versions too."""
    store = _books(args)
    saved = store.get(args.name, user=_user(), version=args.version)
    if not args.json:
        sys.stdout.write(saved.csv)
        return 0
    history = store.history(args.name, user=_user())
    _print(
        saved.to_dict()
        | {
            "history": [
                {"version": v.version, "saved_by": v.saved_by, "saved_at": v.saved_at.isoformat()}
                for v in history
            ],
            "csv": saved.csv,
        }
    )
    return 0


def cmd_book_delete(args: argparse.Namespace) -> int:
    """Delete a book and its versions."""
    _books(args).delete(args.name, user=_user())
    print(f"Deleted book {args.name!r}.")
    return 0


def cmd_book_rename(args: argparse.Namespace) -> int:
    """Rename a book."""
    _books(args).rename(args.name, args.new_name, user=_user())
    print(f"Renamed book {args.name!r} to {args.new_name!r}.")
    return 0


def cmd_book_share(args: argparse.Namespace) -> int:
    """Share a book with another user, or stop sharing it."""
    store = _books(args)
    if args.stop:
        store.unshare(args.name, args.with_user, user=_user())
        print(f"Stopped sharing book {args.name!r} with {args.with_user}.")
    else:
        store.share(args.name, args.with_user, user=_user())
        print(f"Shared book {args.name!r} with {args.with_user}.")
    return 0


def add_book_commands(sub: Any) -> argparse.ArgumentParser:
    """Add ``book`` and its subcommands to the ``vaultcover`` parser."""
    parser = sub.add_parser(
        "book",
        help="save, list, show and delete insurers' books in the store",
        description="Insurers' books in the store (the same database as the scenarios); run "
        "one with `vaultcover portfolio --book-name NAME`.",
    )
    actions = parser.add_subparsers(dest="book_command", required=True, metavar="ACTION")

    def add(name: str, func: Any, text: str) -> argparse.ArgumentParser:
        p = actions.add_parser(name, help=text, description=text)
        p.set_defaults(func=func)
        p.add_argument("--db", default=None, help="SQLAlchemy URL of the store")
        return p

    p = add("save", cmd_book_save, "save a book CSV under a name (a new version each time)")
    p.add_argument("--name", required=True, help="book name")
    p.add_argument(
        "--book", type=Path, required=True, help="the book CSV (see data/example_book.csv)"
    )

    p = add("list", cmd_book_list, "the books you can see")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add("show", cmd_book_show, "print a book's CSV")
    p.add_argument("name", help="book name (OWNER/NAME for another owner's shared book)")
    p.add_argument("--version", type=int, default=None, help="a past version (default latest)")
    p.add_argument("--json", action="store_true", help="print who/when, versions and the CSV")

    p = add("delete", cmd_book_delete, "delete a book and its versions")
    p.add_argument("name")

    p = add("rename", cmd_book_rename, "rename a book")
    p.add_argument("name")
    p.add_argument("new_name")

    p = add("share", cmd_book_share, "let another user see a book (or --stop)")
    p.add_argument("name")
    p.add_argument("with_user")
    p.add_argument("--stop", action="store_true", help="stop sharing it with that user")
    return parser
