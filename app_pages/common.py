"""App-layer helpers: cached calls into ``pricing`` and the shared data-source control.

Streamlit caching lives here, never in ``pricing``. Functions return library objects; pages
only draw.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from app_pages import precompute
from app_pages.locale import t
from pricing import plots, providers
from pricing.aggregate import AggregateDistribution
from pricing.calibration import Calibration, CalibrationSpec, calibrate, threshold_table
from pricing.coverage import Layer, Tower, TowerQuote, quote_tower
from pricing.data import Exposure, IncidentData, load_exposure, load_incidents
from pricing.exceptions import DataValidationError, InputError
from pricing.lossmodel import ExchangeLossModel, LossModelAssumptions, build_loss_model
from pricing.market import REASONS
from pricing.narrative import loss_model_in_words
from pricing.premium import LoadingAssumptions
from pricing.profiles import PRESETS, ExchangeProfile
from pricing.regulation import REGIMES, RegimeInputs, minimum
from pricing.reserve import ReserveProjection
from pricing.sensitivity import PremiumRange, premium_range
from pricing.strategy import Comparison, StrategyAssumptions, StrategyResult
from pricing.uncertainty import DEFAULT_DRAWS, compare_with_draws, draw_models

UPLOAD_KEY = "incident_upload"
#: Session key of the exchange profile in use (an ExchangeProfile), shared by every page.
PROFILE_KEY = "profile"
#: Session key of the calibration choices last fitted on the Loss model page.
SPEC_KEY = "calibration_spec"
#: Session key of the loss-model assumptions and manual overrides (Loss model page).
MODEL_KEY = "model_assumptions"


@st.cache_data(show_spinner=False, max_entries=8)
def incidents(upload: bytes | None = None) -> IncidentData:
    """The shipped incidents, or an uploaded file (raises DataValidationError)."""
    return load_incidents(upload) if upload is not None else load_incidents()


@st.cache_data(show_spinner=False, max_entries=8)
def provider_history(upload: bytes | None = None) -> pd.DataFrame:
    """:func:`pricing.providers.provider_history` of the incident data in use (a grouping of
    every incident: kept, not redone at each edit of a profile field)."""
    return providers.provider_history(incidents(upload).frame)


@st.cache_data(show_spinner=False)
def exposure() -> Exposure:
    """The shipped yearly exposure base."""
    return load_exposure()


# The calibration, loss model and yearly loss are frozen results: kept as the objects themselves
# (``st.cache_resource``), shared by every session and rerun, rather than as copies
# (``st.cache_data`` unpickles a new copy, a yearly loss of several MB, at every call). A figure
# kept for a result (pricing/plots/_memo.py: by identity) is then found again on the next run.
@st.cache_resource(show_spinner="Fitting the loss models…", max_entries=32)
def calibration(spec: CalibrationSpec, upload: bytes | None = None) -> Calibration:
    """Fitted frequency and severity models for a set of modelling choices."""
    return calibrate(spec, incidents(upload), exposure())


@st.cache_data(show_spinner="Refitting above each threshold…", max_entries=32)
def threshold_sensitivity(
    spec: CalibrationSpec, family: str, upload: bytes | None = None
) -> pd.DataFrame:
    """:func:`pricing.calibration.threshold_table` for the page's selection."""
    return threshold_table(spec, incidents(upload), exposure(), family=family)


def problems_table(error: DataValidationError) -> pd.DataFrame:
    """Validation problems as a table a user can scan (line, column, what is wrong)."""
    return pd.DataFrame(
        [{"line": p.line, "column": p.column or "", "problem": p.message} for p in error.problems]
    )


def active_upload() -> bytes | None:
    """Bytes of the user's incident file if one was uploaded and is valid, else None."""
    stored = st.session_state.get(UPLOAD_KEY)
    if not stored:
        return None
    try:
        incidents(stored["bytes"])
    except DataValidationError:
        return None
    return stored["bytes"]


def data_source_control() -> IncidentData:
    """Control to use the shipped incidents or upload a CSV; returns the data in use.

    An invalid upload shows every problem (line, column, reason) and the shipped data stays
    in use; it never raises.
    """
    file = st.file_uploader(
        t("Upload your own incident CSV"),
        type=["csv"],
        key="incident_file",
        help=t(
            "Same columns as the shipped data/incidents.csv (see data/README.md). Every "
            "problem is listed with its line and column; nothing is silently dropped."
        ),
    )
    if file is not None:
        st.session_state[UPLOAD_KEY] = {"bytes": file.getvalue(), "name": file.name}
    stored = st.session_state.get(UPLOAD_KEY)
    if stored:
        try:
            incidents(stored["bytes"])
            st.success(t("Using {name}.").format(name=stored["name"]))
        except DataValidationError as err:
            st.error(
                t(
                    "{name} was not loaded: {count} problem(s), listed below. The shipped data "
                    "stays in use."
                ).format(name=stored["name"], count=len(err.problems))
            )
            st.dataframe(
                problems_table(err), hide_index=True, width="stretch", key="upload_problems"
            )
        if file is None and st.button(t("Back to the shipped data"), key="drop_upload"):
            st.session_state.pop(UPLOAD_KEY, None)
            st.rerun()
    upload = active_upload()
    if upload is None:
        st.caption(
            t(
                "Using the shipped incident history (data/incidents.csv), every row "
                "with its public source."
            )
        )
    return incidents(upload)


def current_profile() -> ExchangeProfile:
    """The exchange profile in use (the small preset until the user picks another)."""
    profile = st.session_state.get(PROFILE_KEY)
    if not isinstance(profile, ExchangeProfile):
        profile = PRESETS["small"]
        st.session_state[PROFILE_KEY] = profile
    return profile


def current_assumptions() -> LossModelAssumptions | None:
    """Loss-model assumptions and manual overrides set on the Loss model page (None: defaults)."""
    value = st.session_state.get(MODEL_KEY)
    return value if isinstance(value, LossModelAssumptions) else None


def current_spec() -> CalibrationSpec:
    """Calibration choices in use: the last ones fitted on the Loss model page, else defaults."""
    spec = st.session_state.get(SPEC_KEY)
    return spec if isinstance(spec, CalibrationSpec) else CalibrationSpec()


def describe_spec(spec: CalibrationSpec) -> str:
    """One line naming every calibration choice (for captions and exports)."""
    years = f"{spec.years[0]}–{spec.years[1]}" if spec.years else "all years"
    vectors = "all attack vectors" if not spec.attack_vectors else ", ".join(spec.attack_vectors)
    target = spec.target_year if spec.target_year is not None else "latest exposure year"
    return (
        f"reporting threshold USD {spec.threshold:,.0f}; on-level index {spec.on_level}; "
        f"target year {target}; incidents {years}, {vectors}; count model "
        f"{spec.frequency_model}{' with year trend' if spec.trend else ''}"
    )


def data_source_note(upload: bytes | None) -> str:
    """Where the incident data behind the numbers comes from."""
    if upload is None:
        return (
            f"Incident data: the shipped history data/{Path(incidents().origin).name}, "
            "every row with its public source."
        )
    name = (st.session_state.get(UPLOAD_KEY) or {}).get("name", "uploaded file")
    return f"Incident data: the user's upload {name} ({len(incidents(upload))} incidents)."


@st.cache_resource(show_spinner=False, max_entries=32)
def loss_model(
    profile: ExchangeProfile,
    spec: CalibrationSpec,
    assumptions: LossModelAssumptions | None = None,
    upload: bytes | None = None,
) -> ExchangeLossModel:
    """One exchange's loss model (:func:`pricing.lossmodel.build_loss_model`)."""
    return build_loss_model(profile, calibration(spec, upload), assumptions)


@st.cache_resource(show_spinner="Computing the yearly loss distribution…", max_entries=32)
def aggregate_loss(
    profile: ExchangeProfile,
    spec: CalibrationSpec,
    assumptions: LossModelAssumptions | None = None,
    upload: bytes | None = None,
) -> AggregateDistribution:
    """The yearly aggregate loss of :func:`loss_model` (FFT on the model's default grid)."""
    return loss_model(profile, spec, assumptions, upload).aggregate()


@st.cache_data(show_spinner=False, max_entries=32)
def loss_measures(
    profile: ExchangeProfile,
    spec: CalibrationSpec,
    assumptions: LossModelAssumptions | None = None,
    upload: bytes | None = None,
) -> tuple[float, float, pd.DataFrame]:
    """VaR and TVaR 99.5% of :func:`aggregate_loss` (NaN where the level lies beyond the
    computed grid) and its return-period table: each quantile is a search, so they are kept
    per input like the distribution itself."""
    total = aggregate_loss(profile, spec, assumptions, upload)

    def at_995(measure: Callable[[float], float]) -> float:
        try:
            return float(measure(0.995))
        except ValueError:
            return math.nan

    return at_995(total.value_at_risk), at_995(total.tvar), total.return_period_table()


@st.cache_data(show_spinner=False, max_entries=32)
def loss_model_words(
    profile: ExchangeProfile,
    spec: CalibrationSpec,
    assumptions: LossModelAssumptions | None,
    upload: bytes | None,
    currency: str,
    lang: str,
) -> list[str]:
    """:func:`pricing.narrative.loss_model_in_words` of :func:`loss_model` (its quantiles take
    a root search each: kept per profile, currency and language)."""
    model = loss_model(profile, spec, assumptions, upload)
    total = aggregate_loss(profile, spec, assumptions, upload)
    return list(loss_model_in_words(model, total, currency, lang))


@st.cache_resource(show_spinner=False, max_entries=32)
def profile_exceedance_chart(
    profile: ExchangeProfile,
    spec: CalibrationSpec,
    assumptions: LossModelAssumptions | None,
    upload: bytes | None,
    marker: str,
    title: str,
    currency: str = "USD",
    lang: str = "en",
) -> Any:
    """The Exchange profile page's yearly loss exceedance chart (a plotly figure shared by
    every session: never change it), with the 1-in-200 loss marked as ``marker``, amounts in
    ``currency`` and words in ``lang``."""
    total = aggregate_loss(profile, spec, assumptions, upload)
    var, _, _ = loss_measures(profile, spec, assumptions, upload)
    return plots.exceedance_chart(
        total.exceedance_curve("aep"),
        total.exceedance_curve("oep"),
        markers={marker: var},
        title=title,
        display=plots.Display(currency, lang),
    )


def field_problems(error: ValueError, labels: dict[str, str]) -> list[str]:
    """Split a library validation message into one line per problem, led by the field's label.

    Library errors read ``"invalid …: 'field' must be …; 'other' must be …"``; each problem
    that names a known field is prefixed with its on-screen label.
    """
    if isinstance(error, InputError):  # the problems name their fields
        return [
            f"**{labels.get(p.column, p.column)}**: {p.message}" if p.column else p.message
            for p in error.problems
        ]
    text = str(error)
    _, sep, rest = text.partition(": ")
    problems = [p.strip() for p in (rest if sep else text).split("; ") if p.strip()]
    out = []
    for problem in problems:
        named = re.search(r"'(\w+)'", problem)
        label = labels.get(named.group(1)) if named else None
        out.append(f"**{label}**: {problem}" if label else problem)
    return out


def parse_profile(data: bytes) -> ExchangeProfile:
    """An uploaded profile file (JSON text) as a profile; raises ValueError with the reason."""
    return ExchangeProfile.from_json(data, source="uploaded profile")


# --------------------------------------------------------------------------------------------
# Insurer quote: the tower editor's rows (display units) and the cached quote
# --------------------------------------------------------------------------------------------
#: Tower editor columns, in display units: USD million, %, count.
TOWER_COLUMNS = ("retention", "limit", "share", "reinstatements", "market_rol")
TOWER_LABELS = {
    "retention": "retention (USD m)",
    "limit": "limit (USD m)",
    "share": "share (%)",
    "reinstatements": "reinstatements",
    "reinstatement_rate": "reinstatement rate",
    "market_rate_on_line": "market rate on line (%)",
    "agg_retention": "aggregate retention",
    "agg_limit": "aggregate limit",
}


def _nice(x: float) -> float:
    """``x`` rounded to 1, 2 or 5 times a power of ten."""
    power = 10.0 ** math.floor(math.log10(x))
    return min((1.0, 2.0, 5.0, 10.0), key=lambda m: abs(m * power - x)) * power


def default_tower(profile: ExchangeProfile) -> pd.DataFrame:
    """A starting tower sized to the exchange (USD million): a primary layer of about 4% of
    customer assets above a retention of about 1%, and an excess layer of about 15%, half
    placed. Only a starting point for the editor."""
    assets = profile.customer_assets_usd / 1e6
    r1, l1 = _nice(0.01 * assets), _nice(0.04 * assets)
    return pd.DataFrame(
        {
            "retention": [r1, r1 + l1],
            "limit": [l1, _nice(0.15 * assets)],
            "share": [100.0, 50.0],
            "reinstatements": [1.0, 1.0],
            "market_rol": [math.nan, math.nan],
        }
    )


def apply_edits(frame: pd.DataFrame, edits: dict[str, Any]) -> pd.DataFrame:
    """A data editor's edits (``edited_rows``, ``deleted_rows``, ``added_rows``) applied."""
    out = frame.reset_index(drop=True).copy()
    for row, changes in (edits.get("edited_rows") or {}).items():
        for column, value in changes.items():
            if column in out.columns:
                out.loc[int(row), column] = math.nan if value is None else value
    deleted = [int(i) for i in edits.get("deleted_rows") or []]
    out = out.drop(index=[i for i in deleted if i in out.index])
    added = [
        {c: (math.nan if v is None else v) for c, v in row.items() if c in out.columns}
        for row in edits.get("added_rows") or []
    ]
    if added:
        out = pd.concat([out, pd.DataFrame(added, columns=out.columns)], ignore_index=True)
    return out.reset_index(drop=True).astype(float)


def rows_from_tower(tower: Tower, rates: tuple[float | None, ...]) -> pd.DataFrame:
    """The editor's rows (USD million, %) of a tower and its market rates on line."""
    return pd.DataFrame(
        {
            "retention": [layer.retention / 1e6 for layer in tower.layers],
            "limit": [layer.limit / 1e6 for layer in tower.layers],
            "share": [100 * layer.share for layer in tower.layers],
            "reinstatements": [
                math.nan if layer.reinstatements is None else float(layer.reinstatements)
                for layer in tower.layers
            ],
            "market_rol": [math.nan if r is None else 100 * r for r in rates],
        }
    ).astype(float)


def tower_from_rows(frame: pd.DataFrame) -> tuple[Tower, tuple[float | None, ...]]:
    """The tower in the editor's rows, with each layer's market rate on line (or None).

    Raises ValueError listing every problem, one per line, each naming its row and field
    (empty retention or limit, a fractional reinstatement count, and what :class:`Layer` and
    :class:`Tower` reject: negative amounts, shares outside (0, 100%], overlapping layers).
    """
    layers: list[Layer] = []
    rates: dict[str, float | None] = {}
    problems: list[str] = []
    for i, row in enumerate(frame.to_dict("records"), start=1):
        values = {c: row.get(c, math.nan) for c in TOWER_COLUMNS}
        values = {c: (math.nan if v is None else float(v)) for c, v in values.items()}
        name = f"Layer {i}"
        row_problems = [
            f"**{TOWER_LABELS[c]}** is empty"
            for c in ("retention", "limit")
            if math.isnan(values[c])
        ]
        k = values["reinstatements"]
        if not math.isnan(k) and not float(k).is_integer():
            row_problems.append(f"**reinstatements** must be a whole number, got {k:g}")
        if row_problems:
            problems += [f"Row {i}: {p}" for p in row_problems]
            continue
        share = 100.0 if math.isnan(values["share"]) else values["share"]
        try:
            layers.append(
                Layer(
                    retention=values["retention"] * 1e6,
                    limit=values["limit"] * 1e6,
                    share=share / 100.0,
                    reinstatements=None if math.isnan(k) else int(k),
                    name=name,
                )
            )
        except ValueError as err:
            problems += [f"Row {i}: {p}" for p in field_problems(err, TOWER_LABELS)]
            continue
        rol = values["market_rol"]
        rates[name] = None if math.isnan(rol) else rol / 100.0
        if rates[name] is not None and not 0 < rol <= 100:
            problems.append(
                f"Row {i}: **{TOWER_LABELS['market_rate_on_line']}** must be in (0, 100], "
                f"got {rol:g} (leave it empty for the technical premium)"
            )
    if problems:
        raise ValueError("\n".join(problems))
    try:
        tower = Tower(tuple(layers))
    except ValueError as err:
        text = str(err).replace("layer Layer", "Layer").replace("invalid tower: ", "")
        raise ValueError(f"Layers overlap or are missing: {text}") from None
    return tower, tuple(rates[layer.name] for layer in tower.layers)


@st.cache_data(show_spinner="Pricing the layers…", max_entries=64)
def tower_quote(
    profile: ExchangeProfile,
    spec: CalibrationSpec,
    tower: Tower,
    loadings: LoadingAssumptions,
    principle: str,
    rates: tuple[float | None, ...],
    upload: bytes | None = None,
    model_assumptions: LossModelAssumptions | None = None,
) -> TowerQuote:
    """:func:`pricing.coverage.quote_tower` on the profile's loss model."""
    model = loss_model(profile, spec, model_assumptions, upload)
    return quote_tower(model.frequency, model.severity, tower, loadings, principle, list(rates))


# --------------------------------------------------------------------------------------------
# Compare and Small vs large: the cached comparison and chart download settings
# --------------------------------------------------------------------------------------------
#: Session key of the strategy assumptions last set on the Compare page (Small vs large reuses
#: them).
COMPARE_KEY = "compare_assumptions"


def compare_inputs(
    profile: ExchangeProfile,
    spec: CalibrationSpec,
    assumptions: StrategyAssumptions,
    upload: bytes | None = None,
    model_assumptions: LossModelAssumptions | None = None,
) -> precompute.Inputs:
    """The inputs of a comparison but the regime, whose comparisons, ranges and projections
    are kept (and computed ahead for other regimes) by :mod:`app_pages.precompute`."""
    return precompute.Inputs(
        (profile, spec, precompute.upload_key(upload), model_assumptions),
        loss_model(profile, spec, model_assumptions, upload),
        aggregate_loss(profile, spec, model_assumptions, upload),
        calibration(spec, upload),
        assumptions,
    )


@st.cache_data(
    show_spinner="Comparing reserve, insurance and hybrid on the retention × limit grid…",
    max_entries=32,
)
def comparison(
    profile: ExchangeProfile,
    spec: CalibrationSpec,
    regime: str,
    assumptions: StrategyAssumptions,
    upload: bytes | None = None,
    model_assumptions: LossModelAssumptions | None = None,
) -> Comparison:
    """:func:`pricing.strategy.compare` on the profile's loss model and its yearly loss."""
    return compare_inputs(profile, spec, assumptions, upload, model_assumptions).point(regime)


@st.cache_data(
    show_spinner="Re-evaluating every strategy under draws of the fitted parameters…",
    max_entries=16,
)
def comparison_ranges(
    profile: ExchangeProfile,
    spec: CalibrationSpec,
    regime: str,
    assumptions: StrategyAssumptions,
    upload: bytes | None = None,
    model_assumptions: LossModelAssumptions | None = None,
    n_draws: int = DEFAULT_DRAWS,
    seed: int = 1,
) -> Comparison:
    """:func:`comparison` with 90% ranges of every strategy's cost and ``p_full`` and the
    recommendation's share of draws (:func:`pricing.uncertainty.compare_with_draws`)."""
    if (n_draws, seed) == (DEFAULT_DRAWS, 1):
        inputs = compare_inputs(profile, spec, assumptions, upload, model_assumptions)
        return inputs.ranged(regime)
    result = comparison(profile, spec, regime, assumptions, upload, model_assumptions)
    model = loss_model(profile, spec, model_assumptions, upload)
    draws = draw_models(model, calibration(spec, upload), n_draws, seed)
    return compare_with_draws(result, draws)


def unplaceable_reason(strategy: StrategyResult) -> str:
    """Why the market would not write ``strategy``'s layer: the English reason of
    :data:`pricing.market.REASONS` for the code the engine set on the result (empty when it
    would, or without market terms)."""
    code = strategy.unplaceable_reason
    return REASONS.get(code, code)


@st.cache_data(show_spinner=False, max_entries=32)
def regime_names(profile: ExchangeProfile) -> dict[str, str]:
    """Every regime's name (English, as the library gives it) for ``profile``'s inputs."""
    inputs = RegimeInputs.from_profile(profile)
    return {code: minimum(code, inputs).name for code in REGIMES}


def regime_label(code: str, names: dict[str, str]) -> str:
    """``code: name`` of a regime in the page's language, marked when it is a scenario rather
    than law (the Regime selectbox of Compare and Sensitivity)."""
    scenario = REGIMES[code].scenario
    return f"{code}: {t(names[code])}" + (t(": a scenario, not law") if scenario else "")


def usd_m(x: float, digits: int = 2) -> str:
    """USD amount in millions (``n/a`` when not finite)."""
    return f"USD {x / 1e6:,.{digits}f} m" if math.isfinite(x) else "n/a"


def usd_amount(x: float, digits: int = 2) -> str:
    """USD amount: whole dollars below a million, then millions, then billions."""
    if abs(x) < 1e6:
        return f"USD {x:,.0f}"
    if abs(x) >= 1e9:
        return f"USD {x / 1e9:,.{digits}f} bn"
    return f"USD {x / 1e6:,.{digits}f} m"


def md(text: str) -> str:
    """Text safe for st.markdown (``$`` would start LaTeX, ``*`` and ``_`` emphasis)."""
    return text.replace("$", r"\$").replace("*", r"\*").replace("_", r"\_")


@st.cache_data(show_spinner="Pricing the layer for each parameter draw…", max_entries=16)
def layer_premium_range(
    profile: ExchangeProfile,
    spec: CalibrationSpec,
    layer: Layer,
    n_draws: int,
    upload: bytes | None = None,
    model_assumptions: LossModelAssumptions | None = None,
) -> PremiumRange:
    """:func:`pricing.sensitivity.premium_range` of one layer for the profile."""
    model = loss_model(profile, spec, model_assumptions, upload)
    return premium_range(model, calibration(spec, upload), layer, n_draws=n_draws)


@st.cache_data(show_spinner="Simulating the reserve year by year…", max_entries=32)
def reserve_projection(
    profile: ExchangeProfile,
    spec: CalibrationSpec,
    regime: str,
    assumptions: StrategyAssumptions,
    years: int,
    upload: bytes | None = None,
    model_assumptions: LossModelAssumptions | None = None,
) -> ReserveProjection:
    """:func:`pricing.strategy.project_strategy` for the recommended strategy."""
    inputs = compare_inputs(profile, spec, assumptions, upload, model_assumptions)
    return inputs.projection(regime, years)
