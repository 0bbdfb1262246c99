"""The ``regulation`` command and the regime parameters that ``compare`` shares."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from .common import (
    EXIT_OK,
    _add_profile_options,
    _add_regime_option,
    _calibrate,
    _print_json,
    _print_table,
)

if TYPE_CHECKING:
    pass


def _regime_params(args: argparse.Namespace) -> Any:
    """The chosen regime's parameters: defaults, then ``--regime-file``, then ``--set``."""
    from ..regulation import parse_assignments, regime_params

    settings = parse_assignments(args.set or [])
    return regime_params(args.regime, settings, args.regime_file)


def _other_regime_params(args: argparse.Namespace) -> dict[str, Any]:
    """Parameters of further regimes from tables of ``--regime-file`` keyed by regime code
    (for an exchange licensed in several jurisdictions)."""
    from ..regulation import ALIASES, REGIMES, load_settings_file, regime_params, resolve

    if args.regime_file is None:
        return {}
    chosen = resolve(args.regime)
    keys = [k for k in load_settings_file(args.regime_file) if k in REGIMES or k in ALIASES]
    return {
        resolve(k): regime_params(k, file=args.regime_file) for k in keys if resolve(k) != chosen
    }


def cmd_regulation(args: argparse.Namespace) -> int:
    """Every requirement of a regime (and of the profile's other licences) for a profile,
    with formula and source, in the chosen currency and language."""
    from ..i18n import check_language, render_minimum, tr
    from ..profiles import load_profile
    from ..regulation import DEFAULT_FX, REGIMES, RegimeInputs, minimums, resolve

    lang = check_language(args.lang)
    DEFAULT_FX.rate(args.currency)  # an unknown currency is named before any work
    params = _regime_params(args)
    if args.params:
        return _print_params(resolve(args.regime), params, args.json)
    profile = load_profile(args.profile)
    inputs = RegimeInputs.from_profile(profile)
    level = getattr(params, "loss_level", None)
    if level is not None:  # the history basis: the exchange's own return-period loss
        from ..lossmodel import build_loss_model

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
    import pandas as pd

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


def add_regulation_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``vaultcover regulation``."""
    from ..regulation import CURRENCIES

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
