"""Fit the market curve to the quotes an insurer or broker actually has.

A user gives one to five market quotes for layers of the same exchange (retention, limit and
either the premium or the rate on line). The curve of :mod:`pricing.market` is fitted to them
by least squares on the log rate on line,

    min_θ Σ_k (log ROL_curve(d_k, l_k; θ) − log ROL_k)²,

with ``θ`` the distortion parameter alone for one or two quotes and the parameter and the
``scale`` from three quotes on (two parameters need a residual to show). The fitted curve
then prices every other layer and the optimiser's grid for every cover type, and a quote below
a cover type's minimum rate on line lowers that floor to it: the user's own market evidence
outranks an assumed floor.

File format (CSV, header on line 1): ``retention``, ``limit`` (USD) and one of ``premium``
(USD per year) or ``rate_on_line`` (share of limit, e.g. 0.012) per row; an optional
``cover_type`` column is kept for the record.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from .aggregate import Frequency
from .data import Source, _check_header, _read_table
from .distributions import LossDistribution
from .exceptions import DataValidationError, InputError, Problem
from .market import COVER_TYPES, DEFAULT_TERMS, MarketCurve, MarketTerms, distorted_layer_premium

__all__ = ["CurveFit", "MarketQuote", "fit_market_curve", "load_market_quotes"]

MAX_QUOTES = 5
BOUNDS = {"ph": (0.05, 1.0), "wang": (0.0, 5.0)}
SCALE_BOUNDS = (0.05, 50.0)


@dataclass(frozen=True, slots=True)
class MarketQuote:
    """One quote: layer ``limit xs retention`` (USD) at ``rate_on_line`` (premium ÷ limit)."""

    retention: float
    limit: float
    rate_on_line: float
    cover_type: str = ""
    line: int | None = None

    def __post_init__(self) -> None:
        problems = []
        if not (math.isfinite(self.retention) and self.retention >= 0):
            problems.append(f"retention must be a finite amount >= 0, got {self.retention!r}")
        if not (math.isfinite(self.limit) and self.limit > 0):
            problems.append(f"limit must be a finite amount > 0, got {self.limit!r}")
        if not (0 < self.rate_on_line <= 1):
            problems.append(f"rate on line must be in (0, 1], got {self.rate_on_line!r}")
        if problems:
            raise InputError("market quote", [Problem(self.line, None, p) for p in problems])

    @property
    def premium(self) -> float:
        """Quoted premium (USD per year)."""
        return self.rate_on_line * self.limit


def load_market_quotes(source: Source) -> tuple[MarketQuote, ...]:
    """Read and check a quotes CSV (see the module docstring); every problem is reported with
    its line and column (:class:`~pricing.exceptions.DataValidationError`)."""
    header, records, origin = _read_table(source)
    _check_header(header, ("retention", "limit"), origin)
    if "premium" not in header and "rate_on_line" not in header:
        raise DataValidationError(
            origin, [Problem(1, "premium", "give a 'premium' or a 'rate_on_line' column")]
        )
    if not records:
        raise DataValidationError(origin, [Problem(None, None, "no quotes in the file")])
    position = {name: i for i, name in enumerate(header)}
    problems: list[Problem] = []
    quotes = []
    for line, cells in records:

        def cell(name: str, cells: list[str] = cells) -> str:
            return cells[position[name]].strip() if name in position else ""

        def number(name: str, line: int = line) -> float | None:
            text = cell(name)
            if text == "":
                return None
            try:
                value = float(text)
            except ValueError:
                problems.append(Problem(line, name, f"'{text}' is not a number"))
                return math.nan
            if not math.isfinite(value) or value < 0:
                problems.append(Problem(line, name, f"must be a finite number >= 0, got {text}"))
                return math.nan
            return value

        retention, limit = number("retention"), number("limit")
        premium, rol = number("premium"), number("rate_on_line")
        for name, value in (("retention", retention), ("limit", limit)):
            if value is None:
                problems.append(Problem(line, name, "is empty"))
        if limit == 0:
            problems.append(Problem(line, "limit", "must be > 0"))
        if (premium is None) == (rol is None):
            problems.append(
                Problem(line, "premium", "give exactly one of 'premium' and 'rate_on_line'")
            )
        elif rol is not None and not math.isnan(rol) and not 0 < rol <= 1:
            problems.append(
                Problem(line, "rate_on_line", f"must be in (0, 1] (e.g. 0.012), got {rol:g}")
            )
        elif premium is not None and premium == 0:
            problems.append(Problem(line, "premium", "must be > 0"))
        kind = cell("cover_type")
        if kind and kind not in COVER_TYPES:
            problems.append(
                Problem(line, "cover_type", f"'{kind}' is not one of {', '.join(COVER_TYPES)}")
            )
        values = (retention, limit, premium if rol is None else rol)
        if any(v is None or math.isnan(v) for v in values) or problems:
            continue
        rate = rol if rol is not None else premium / limit
        if rate > 1:
            problems.append(Problem(line, "premium", "is more than the limit (rate on line > 1)"))
            continue
        quotes.append(MarketQuote(retention, limit, rate, kind, line))
    if len(records) > MAX_QUOTES:
        problems.append(Problem(None, None, f"{len(records)} quotes: give at most {MAX_QUOTES}"))
    if problems:
        raise DataValidationError(origin, problems)
    return tuple(quotes)


@dataclass(frozen=True, eq=False)
class CurveFit:
    """The market curve fitted to quotes, with its residuals on the log rate on line."""

    curve: MarketCurve
    quotes: tuple[MarketQuote, ...]
    fitted_rate_on_line: np.ndarray
    fitted_scale: bool
    success: bool
    message: str

    @property
    def residuals(self) -> np.ndarray:
        """``log ROL_quoted − log ROL_fitted`` for each quote."""
        quoted = np.array([q.rate_on_line for q in self.quotes])
        return np.log(quoted) - np.log(self.fitted_rate_on_line)

    @property
    def rmse(self) -> float:
        """Root mean square of the log residuals."""
        return float(np.sqrt(np.mean(self.residuals**2)))

    def table(self) -> pd.DataFrame:
        """One row per quote: layer, quoted and fitted rate on line, log residual."""
        return pd.DataFrame(
            {
                "line": [q.line for q in self.quotes],
                "retention": [q.retention for q in self.quotes],
                "limit": [q.limit for q in self.quotes],
                "quoted_rate_on_line": [q.rate_on_line for q in self.quotes],
                "fitted_rate_on_line": self.fitted_rate_on_line,
                "log_residual": self.residuals,
            }
        )

    def terms(self, base: MarketTerms = DEFAULT_TERMS) -> MarketTerms:
        """``base`` with the fitted curve for every cover type and each floor at most the
        lowest quoted rate on line."""
        lowest = min(q.rate_on_line for q in self.quotes)
        return base.with_curve(self.curve, minimum_rate_on_line=lowest)

    def audit(self) -> list[tuple[str, bool]]:
        """The optimiser converged and the fitted rates are finite and positive."""
        return [
            ("optimiser converged", self.success),
            ("fitted rates finite and > 0",
             bool(np.all(np.isfinite(self.fitted_rate_on_line) & (self.fitted_rate_on_line > 0)))),
        ]  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fit."""
        return {
            "curve": self.curve.describe(),
            "family": self.curve.family,
            "parameter": self.curve.parameter,
            "scale": self.curve.scale,
            "fitted_scale": self.fitted_scale,
            "rmse_log_rate_on_line": self.rmse,
            "quotes": self.table().to_dict(orient="records"),
            "audit_valid": all(ok for _, ok in self.audit()),
        }


def fit_market_curve(
    frequency: Frequency,
    severity: LossDistribution,
    quotes: Sequence[MarketQuote],
    family: str = "ph",
    fit_scale: bool | None = None,
) -> CurveFit:
    """Fit the ``family`` curve to ``quotes`` (see the module docstring).

    ``fit_scale``: also fit the multiplicative scale (default: from three quotes on).
    """
    quotes = tuple(quotes)
    if not 1 <= len(quotes) <= MAX_QUOTES:
        raise InputError.single(
            "market quotes", f"give 1 to {MAX_QUOTES} quotes, got {len(quotes)}"
        )
    if family not in BOUNDS:
        raise InputError.single("family", f"must be one of {', '.join(BOUNDS)}, got {family!r}")
    scale_free = len(quotes) >= 3 if fit_scale is None else bool(fit_scale)
    d = np.array([q.retention for q in quotes])
    lim = np.array([q.limit for q in quotes])
    target = np.log([q.rate_on_line for q in quotes])

    def curve_of(theta: np.ndarray) -> MarketCurve:
        scale = float(np.exp(theta[1])) if scale_free else 1.0
        return MarketCurve(family, float(theta[0]), scale, source="fitted to market quotes")

    def rates(theta: np.ndarray) -> np.ndarray:
        raw = distorted_layer_premium(frequency, severity, d, lim, [curve_of(theta)])[0]
        return np.maximum(raw, 1e-300) / lim

    def residuals(theta: np.ndarray) -> np.ndarray:
        return np.log(rates(theta)) - target

    lo, hi = BOUNDS[family]
    start = [0.6 if family == "ph" else 0.5]
    lower, upper = [lo], [hi]
    if scale_free:
        start.append(0.0)
        lower.append(math.log(SCALE_BOUNDS[0]))
        upper.append(math.log(SCALE_BOUNDS[1]))
    result = optimize.least_squares(
        residuals, start, bounds=(lower, upper), xtol=1e-12, ftol=1e-12, gtol=1e-12
    )
    return CurveFit(
        curve=curve_of(result.x),
        quotes=quotes,
        fitted_rate_on_line=rates(result.x),
        fitted_scale=scale_free,
        success=bool(result.success),
        message=str(result.message),
    )
