"""The session as a saved scenario, and back: :func:`scenario` gathers every input into a
:class:`~pricing.scenario.Scenario`; :func:`load_scenario` writes a saved one into the inputs
(the Scenarios page, a scenario link and the reports use them)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app_pages import regime_state, state
from pricing.exceptions import InputError
from pricing.profiles import PRESETS
from pricing.scenario import Scenario


def scenario(name: str) -> Scenario:
    """Everything set in this session as a :class:`Scenario` named ``name``."""
    from app_pages import common

    profile = common.current_profile()
    tower, rates = None, ()
    frame = st.session_state.get("tower_frame")
    if isinstance(frame, pd.DataFrame):
        try:
            tower, rates = common.tower_from_rows(frame)
        except ValueError:
            tower, rates = None, ()
    upload = st.session_state.get(common.UPLOAD_KEY)
    return Scenario(
        name=name,
        profile=profile,
        calibration=common.current_spec(),
        model=common.current_assumptions(),
        regime=state.regime(profile),
        strategy=state.strategy_assumptions(),
        tower=tower,
        market_rates=rates if any(r is not None for r in rates) else (),
        loadings=state.loadings(),
        market_quotes=_market_quotes(),
        market_curve=state.value("q_curve"),
        principle=state.value("q_principle"),
        subjectivities=state.value("q_subjectivities"),
        exclusions=state.value("q_exclusions"),
        client=state.value("q_client"),
        incidents_csv=upload["bytes"].decode("utf-8") if upload else None,
        incidents_name=upload["name"] if upload else None,
    )


def _market_quotes() -> tuple[Any, ...]:
    """The market quotes entered on Insurer quote (none while they have problems)."""
    from app_pages.quote_market import parse_quotes

    try:
        return parse_quotes(state.value("q_market_quotes"))
    except InputError:
        return ()


def load_scenario(s: Scenario) -> None:
    """Callback: replace every input with those of ``s``."""
    from app_pages import common

    state.reset()
    p = s.profile
    preset = next((k for k, v in PRESETS.items() if v == p), "custom")
    state.put("pf_preset", preset)
    for name, val in state.profile_widgets(p).items():
        state.put(name, val)
    st.session_state[common.PROFILE_KEY] = p
    st.session_state[common.SPEC_KEY] = s.calibration
    if s.model is not None:
        st.session_state[common.MODEL_KEY] = s.model
        _load_model(s.model)
    _load_calibration(s)
    if s.regime != state.regime_default(p):
        state.user_values()["regime"] = s.regime
    a = s.strategy
    state.put("cmp_target", 100 * a.target)
    state.put("cmp_dispute", 100 * a.frictions.dispute_probability)
    state.put("cmp_delay", a.frictions.payment_delay_months)
    state.put("cmp_capacity", a.capacity_usd / 1e6)
    state.put("cmp_rol", None if a.market_rate_on_line is None else 100 * a.market_rate_on_line)
    regime_state.load(a)
    ld = s.loadings
    state.put("q_principle", s.principle)
    state.put("q_curve", s.market_curve)
    state.put(
        "q_market_quotes",
        tuple((q.retention, q.limit, None, q.rate_on_line) for q in s.market_quotes),
    )
    state.put("q_theta", 100 * ld.theta)
    state.put("q_kappa", ld.kappa)
    state.put("q_wang", ld.wang_lambda)
    state.put("q_coc", 100 * ld.cost_of_capital)
    state.put("q_expense", 100 * ld.expense_ratio)
    state.put("q_fixed", ld.expense_fixed_usd)
    state.put("q_minimum", ld.minimum_premium_usd)
    state.put("q_subjectivities", s.subjectivities)
    state.put("q_exclusions", s.exclusions)
    state.put("q_client", s.client)
    if s.tower is not None:
        rates = s.market_rates or (None,) * len(s.tower.layers)
        rows = common.rows_from_tower(s.tower, rates)
        st.session_state["tower_frame"] = rows
        st.session_state["tower_assets"] = p.customer_assets_usd
        if not rows.equals(common.default_tower(p).astype(float)):
            st.session_state["tower_edited"] = True
    if s.incidents_csv is not None:
        st.session_state[common.UPLOAD_KEY] = {
            "bytes": s.incidents_csv.encode("utf-8"),
            "name": s.incidents_name or "scenario incidents.csv",
        }


def _load_calibration(s: Scenario) -> None:
    spec = s.calibration
    state.put("threshold_m", spec.threshold / 1e6)
    state.put("on_level", spec.on_level)
    if spec.target_year is not None:
        state.user_values()["target_year"] = spec.target_year
    if spec.years is not None:
        state.user_values()["model_years"] = tuple(spec.years)
    if spec.attack_vectors is not None:
        state.user_values()["model_vectors"] = list(spec.attack_vectors)
    state.put("frequency_model", spec.frequency_model)
    state.put("trend", spec.trend)


def _load_model(m: Any) -> None:
    store = state.user_values()
    if m.severity_family is not None:
        store["lm_family"] = m.severity_family
    if m.base_rate is not None:
        store["lm_base_rate"] = m.base_rate
    state.put("lm_eta", m.severity_size_elasticity)
    state.put("lm_rho", m.cold_reach)
    state.put("lm_gamma", m.frequency.size_elasticity)
    state.put("lm_delta", m.frequency.hot_share_elasticity)
    state.put("lm_reference", m.frequency.reference_assets_usd / 1e6)
    state.put("lm_rho_p", m.provider_cold_reach)
    state.put("lm_s", m.provider_user_share)
    family = m.severity_family
    for name, val in m.severity_params or ():
        if family is not None:
            store[f"lm_param_{family}_{name}"] = val
    if m.severity_params and family is None:
        st.session_state["_lm_params_best"] = tuple(m.severity_params)
