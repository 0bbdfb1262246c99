"""Every regime's parameters, and compensation in kind, as bound inputs of :mod:`app_pages.state`.

Each parameter of each regime (from its typed definition, :meth:`RegimeParams.describe`) is an
input keyed ``rp_<regime>_<name>`` with the library's default; only the values the user changed
are stored. :func:`regime_params` builds a regime's parameters from them (the library checks
every value), :func:`edited_regime_params` those of every edited regime for the comparison, and
:func:`load` writes a saved scenario's parameters back.
"""

from __future__ import annotations

from typing import Any

from app_pages import state
from pricing.exceptions import InputError, Problem
from pricing.regulation import REGIMES, InKindCompensation, RegimeParams
from pricing.regulation.fx import CURRENCIES
from pricing.strategy import StrategyAssumptions

#: Code under which the in-kind compensation parameters are keyed (``rp_in-kind_<name>``).
IN_KIND = "in-kind"
#: Parameter classes whose fields are bound inputs: every regime's, and compensation in kind.
PARAM_CLASSES: dict[str, Any] = {
    **{code: r.params_class for code, r in REGIMES.items()},
    IN_KIND: InKindCompensation,
}


def param_key(code: str, name: str) -> str:
    """Widget key of parameter ``name`` of regime ``code`` (or of :data:`IN_KIND`)."""
    return f"rp_{code}_{name}"


#: Widget key -> (regime code, parameter name), for every editable parameter.
PARAM_KEYS: dict[str, tuple[str, str]] = {}
for _code, _cls in PARAM_CLASSES.items():
    for _info in _cls.describe():
        _key = param_key(_code, _info.name)
        PARAM_KEYS[_key] = (_code, _info.name)
        state.STATIC[_key] = _info.default
        # the banner's words: the regime's code and the label the regime editor shows (both
        # translated when shown), with the currency of an amount
        state.LABELS[_key] = (
            "Compensation in kind" if _code == IN_KIND else _code,
            _info.help,
            *((_info.unit,) if _info.unit in CURRENCIES else ()),
        )


def param_values(code: str) -> dict[str, Any]:
    """The user's values of ``code``'s parameters (only those set), by parameter name."""
    store = state.user_values()
    return {name: store[key] for key, (c, name) in PARAM_KEYS.items() if c == code and key in store}


def regime_params(code: str) -> RegimeParams:
    """The parameters of regime ``code`` (or :data:`IN_KIND`) with the user's values.

    Raises :class:`~pricing.exceptions.InputError` naming every bad parameter.
    """
    base = PARAM_CLASSES[code]()
    values = param_values(code)
    return base.with_settings(values) if values else base  # type: ignore[no-any-return]


def param_problem(code: str, name: str) -> str | None:
    """Why the user's value of one parameter is not allowed (``None`` if it is)."""
    key = param_key(code, name)
    if key not in state.user_values():
        return None
    try:
        PARAM_CLASSES[code]().with_settings({name: state.user_values()[key]})
    except InputError as err:
        return "; ".join(p.message for p in err.problems)
    return None


def in_kind() -> InKindCompensation | None:
    """Compensation in kind (``None`` when switched off; raises InputError if invalid)."""
    if not state.value("ik_on"):
        return None
    return regime_params(IN_KIND)  # type: ignore[return-value]


def edited_regime_params() -> tuple[RegimeParams, ...]:
    """The parameters of every regime the user edited (raises InputError if one is invalid)."""
    out, problems = [], []
    for code in REGIMES:
        if not param_values(code):
            continue
        try:
            out.append(regime_params(code))
        except InputError as err:
            problems += [Problem(None, f"{code}: {p.column}", p.message) for p in err.problems]
    if problems:
        raise InputError("regime parameters", problems)
    return tuple(out)


def load(a: StrategyAssumptions) -> None:
    """Every regime's parameters and compensation in kind of ``a`` into the inputs (a scenario
    saved before regimes were data carries Japan's as ``jp_draft``)."""
    given = list(a.regime_params)
    if a.jp_draft is not None and not any(p.regime == "jp-2027" for p in given):
        given.append(a.jp_draft.to_params())
    for params in given:
        for name, val in params.to_dict().items():
            state.put(param_key(params.regime, name), val)
    if a.in_kind is not None:
        state.put("ik_on", True)
        for name, val in a.in_kind.to_dict().items():
            state.put(param_key(IN_KIND, name), val)
