"""The result of an aggregate computation: distribution, risk measures, tables and audit."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..counts import ArrayLike, Frequency, _arr, _out
from ..distributions import LossDistribution
from .grid import window_pmf
from .moments import CompoundMoments, _grid_central_moments, _severity_central_moments

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["AUDIT_TOLERANCE", "METHODS", "AggregateDistribution"]

#: Accepted values of ``method`` in :func:`pricing.aggregate.aggregate`.
METHODS = ("fft", "panjer", "mc")
#: Relative tolerances of the audit (grid against closed form), as in ``aggregate``'s describe.
AUDIT_TOLERANCE = {"mean": 1e-4, "cv": 1e-3, "skewness": 1e-2}
#: Rough tolerances of the audit for Monte Carlo results: the mean within 4 standard errors;
#: sample CV and skewness of heavy-tailed losses converge slowly, so these are loose.
MC_AUDIT_TOLERANCE = {"cv": 0.02, "skewness": 0.1}
#: Absolute slack when reading a quantile off a cumulative sum of probabilities.
_CDF_TOL = 1e-12
#: Largest bucket of a reported quantile relative to its value (finer grids are built below).
QUANTILE_RTOL = 2.5e-4


@dataclass(frozen=True, slots=True, eq=False)
class AggregateDistribution:
    """Distribution of the yearly aggregate loss ``S`` on a grid (or an empirical sample).

    Attributes
    ----------
    method : ``"fft"``, ``"panjer"`` or ``"mc"``.
    x : numpy.ndarray
        Support points (USD), increasing: ``0, h, …, (m−1)h`` for the grid methods, the
        distinct simulated totals for Monte Carlo. Read-only.
    pmf : numpy.ndarray
        Probabilities on ``x`` (≥ 0). Read-only. With ``tail_mass`` they sum to 1.
    bucket : float
        Grid span ``h`` (USD); NaN for Monte Carlo.
    frequency, severity
        The model the result was computed from.
    moments : CompoundMoments
        Closed-form mean, variance and third central moment of ``S`` (``inf`` where a severity
        moment is infinite). :meth:`mean`, :meth:`variance`, :meth:`tvar` and the stop-loss
        functions use these, never a sum over the truncated grid.
    tail_mass : float
        ``P(S ≥ m h)``, the probability beyond the grid (0 for Monte Carlo).
    aliasing_error : float
        FFT only: estimated wrap-around error, the L1 distance on the grid between this result
        and one with twice the padding (0 otherwise).
    severity_grid : tuple or None
        Mean, variance and third central moment of the discretised severity (grid methods),
        for the audit.
    n_sims : int
        Number of simulated years (Monte Carlo), else 0.

    Notes
    -----
    *Equality and hashing are by content*: two results are equal when method, bucket, model,
    moments, diagnostics and the bytes of ``x`` and ``pmf`` agree; a BLAKE2 digest of the
    arrays is computed on first use. The arrays are read-only views so the content cannot
    change under a hash. (A result can thus be an ``st.cache_data`` argument or a dict key.)

    Outside the grid (``x ≥ m h`` with ``tail_mass > 0``) the distribution is not known:
    :meth:`cdf` and :meth:`sf` return NaN there and :meth:`value_at_risk` raises. The limited
    expected value there counts the tail mass at ``m h``, a lower bound off by at most
    ``(v − m h) · tail_mass``.
    """

    method: str
    x: np.ndarray = field(repr=False)
    pmf: np.ndarray = field(repr=False)
    bucket: float
    frequency: Frequency
    severity: LossDistribution
    moments: CompoundMoments
    tail_mass: float = 0.0
    aliasing_error: float = 0.0
    severity_grid: tuple[float, float, float] | None = None
    n_sims: int = 0
    _cdf: np.ndarray = field(init=False, repr=False)
    _above: np.ndarray = field(init=False, repr=False)
    _cum_xp: np.ndarray = field(init=False, repr=False)
    _digest: bytes | None = field(init=False, repr=False, default=None)
    _refined: dict[float, float] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        x = np.array(self.x, dtype=float)
        pmf = np.array(self.pmf, dtype=float)
        if x.ndim != 1 or x.shape != pmf.shape or x.size == 0:
            raise ValueError("aggregate: 'x' and 'pmf' must be non-empty 1-d arrays of one length")
        if np.any(np.diff(x) <= 0):
            raise ValueError("aggregate: 'x' must be strictly increasing")
        if np.any(pmf < 0):
            raise ValueError("aggregate: 'pmf' must be >= 0")
        if self.method not in METHODS:
            raise ValueError(f"aggregate: 'method' must be one of {METHODS}, got {self.method!r}")
        cdf = np.cumsum(pmf)
        above = np.zeros(pmf.size + 1)  # above[k] = Σ_{j ≥ k} pmf_j
        above[:-1] = np.cumsum(pmf[::-1])[::-1]
        cum_xp = np.zeros(pmf.size + 1)  # cum_xp[k] = Σ_{j < k} x_j pmf_j
        cum_xp[1:] = np.cumsum(x * pmf)
        for name, value in (
            ("x", x),
            ("pmf", pmf),
            ("_cdf", cdf),
            ("_above", above),
            ("_cum_xp", cum_xp),
        ):
            value.flags.writeable = False
            object.__setattr__(self, name, value)

    # -- identity -----------------------------------------------------------------------------
    def _key(self) -> tuple[Any, ...]:
        if self._digest is None:
            digest = hashlib.blake2b(self.x.tobytes(), digest_size=20)
            digest.update(self.pmf.tobytes())
            object.__setattr__(self, "_digest", digest.digest())
        bucket = None if math.isnan(self.bucket) else self.bucket
        return (
            self.method,
            bucket,
            self.frequency,
            self.severity,
            self.moments,
            self.tail_mass,
            self.aliasing_error,
            self.severity_grid,
            self.n_sims,
            self._digest,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AggregateDistribution):
            return NotImplemented
        return self is other or self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    # -- grid facts ---------------------------------------------------------------------------
    @property
    def grid_end(self) -> float:
        """First point beyond the grid, ``m h`` (USD); ``inf`` for Monte Carlo."""
        if self.method == "mc":
            return math.inf
        return float(self.x[-1] + self.bucket)

    @property
    def coverage(self) -> float:
        """Probability held on the grid, ``1 − tail_mass``."""
        return 1.0 - self.tail_mass

    # -- closed-form moments ------------------------------------------------------------------
    def mean(self) -> float:
        """``E[S] = E[N] E[X]`` (USD; ``inf`` if the severity mean is)."""
        return self.moments.mean

    def variance(self) -> float:
        """``Var S = E[N] Var X + Var N E[X]²`` (USD²)."""
        return self.moments.variance

    def std(self) -> float:
        """Standard deviation of S (USD)."""
        return self.moments.std

    def cv(self) -> float:
        """Coefficient of variation of S."""
        return self.moments.cv

    def skewness(self) -> float:
        """Skewness of S (closed form)."""
        return self.moments.skewness

    def grid_moments(self) -> CompoundMoments:
        """Mean, variance and third central moment of the probabilities held on ``x``.

        These miss the mass beyond the grid; compare them with :attr:`moments` (see
        :meth:`audit`), never use them in place of it.
        """
        return CompoundMoments(*_grid_central_moments(self.x, self.pmf))

    # -- distribution -------------------------------------------------------------------------
    def _unknown(self, xa: np.ndarray) -> np.ndarray:
        return (xa >= self.grid_end) & (self.tail_mass > 0)

    def cdf(self, x: ArrayLike) -> Any:
        """``P(S ≤ x)``; NaN beyond the grid when there is mass there."""
        xa = _arr(x)
        k = np.searchsorted(self.x, xa, side="right")  # points ≤ x
        value = np.where(k > 0, self._cdf[np.maximum(k - 1, 0)], 0.0)
        return _out(x, np.where(self._unknown(xa), np.nan, value))

    def sf(self, x: ArrayLike) -> Any:
        """``P(S > x)``, the aggregate exceedance probability (AEP); NaN beyond the grid.

        Summed from the top of the grid, so small probabilities keep their precision.
        """
        xa = _arr(x)
        k = np.searchsorted(self.x, xa, side="right")
        value = self._above[k] + self.tail_mass
        return _out(x, np.where(self._unknown(xa), np.nan, value))

    def aep(self, x: ArrayLike) -> Any:
        """Aggregate exceedance probability ``P(S > x)`` (same as :meth:`sf`)."""
        return self.sf(x)

    def oep(self, x: ArrayLike) -> Any:
        """Occurrence exceedance probability ``P(max_i X_i > x) = 1 − P_N(F_X(x))``.

        Closed form from the frequency pgf and the severity (not the grid), valid at any x.
        """
        return _out(x, _arr(self.frequency.prob_at_least_one(_arr(self.severity.sf(_arr(x))))))

    def occurrence_quantile(self, p: ArrayLike) -> Any:
        """Smallest x with ``P(max_i X_i ≤ x) ≥ p``: the largest single loss at level p (USD);
        levels as a number or an array (searched together)."""
        levels = np.atleast_1d(_arr(p))
        for level in levels:
            _check_level(float(level))
        s = np.atleast_1d(_arr(self.frequency.per_event_probability(1.0 - levels)))
        x = np.zeros_like(s)
        some = s < 1.0  # else no loss at all is as likely as p: the largest is 0
        if some.any():
            x[some] = _arr(self.severity.isf(s[some]))
        return _out(p, x.reshape(np.shape(p)))

    def value_at_risk(self, p: ArrayLike) -> Any:
        """``VaR_p = inf{x : P(S ≤ x) ≥ p}`` (USD), to :data:`QUANTILE_RTOL`.

        Read off the grid; where one bucket is more than :data:`QUANTILE_RTOL` of the value
        (FFT results), the quantile is read again off a finer window grid below it
        (:func:`pricing.aggregate.grid.window_pmf`, cached per level), so every reported
        quantile resolves to 2.5e-4 whatever the grid's reach.

        Raises
        ------
        ValueError
            If ``p`` is outside [0, 1) or beyond the probability the grid holds.
        """
        pa = _arr(p)
        if np.any(~((pa >= 0) & (pa < 1))):
            raise ValueError(f"value_at_risk: 'p' must be in [0, 1), got {p!r}")
        values = self.grid_quantile(pa)
        if self.method == "fft":
            values = np.array(values, dtype=float)
            for idx in np.ndindex(values.shape):
                if self.bucket > QUANTILE_RTOL * values[idx]:
                    values[idx] = self._fine_quantile(float(pa[idx]), float(values[idx]))
        return _out(p, values)

    def grid_quantile(self, p: ArrayLike) -> Any:
        """``VaR_p`` read off this grid to one bucket, without refinement (USD)."""
        pa = _arr(p)
        k = np.searchsorted(self._cdf, pa - _CDF_TOL, side="left")
        if np.any(k >= self.x.size):
            raise ValueError(
                f"value_at_risk: p={p!r} is beyond the grid, which holds probability "
                f"{self.coverage:.12g}; raise GridSpec.coverage or log2"
            )
        return _out(p, self.x[k])

    def _fine_quantile(self, p: float, coarse: float) -> float:
        """``VaR_p`` from window grids below it with a bucket ≤ :data:`QUANTILE_RTOL` of it,
        narrowed until the bucket is fine enough (``coarse`` may be 0 on a coarse grid)."""
        cached = self._refined.get(p)
        if cached is not None:
            return cached
        p_zero = float(np.real(self.frequency.pgf(float(self.severity.cdf(0.0)))))
        value = 0.0
        if p > p_zero + _CDF_TOL:  # else S = 0 holds probability p: VaR is exactly 0
            upper = self.severity.upper if math.isfinite(self.severity.upper) else None
            reach = coarse + 2.0 * self.bucket
            scale = coarse if coarse > 0 else reach / 8.0
            for _ in range(16):
                log2 = min(max(math.ceil(math.log2(2.0 * reach / (QUANTILE_RTOL * scale))), 10), 22)
                h, g = window_pmf(self.frequency, self.severity, reach, log2, align_to=upper)
                k = int(np.searchsorted(np.cumsum(g), p - _CDF_TOL, side="left"))
                if k >= g.size:  # the quantile lies beyond this window
                    reach *= 2.0
                    continue
                value = h * k
                if value > 0 and (h <= QUANTILE_RTOL * value or log2 == 22):
                    break
                reach = value + 2.0 * h
                scale = value if value > 0 else reach / 8.0
        self._refined[p] = value
        return value

    def limited_expected_value(self, v: ArrayLike) -> Any:
        """``E[S∧v]`` (USD), from the probabilities below ``v``.

        Capped at the closed-form ``E[S]``; beyond the grid the tail mass counts at ``m h``.
        """
        va = _arr(v)
        k = np.searchsorted(self.x, va, side="left")  # points < v
        value = (
            self._cum_xp[k] + va * self._above[k] + np.minimum(va, self.grid_end) * self.tail_mass
        )
        if math.isfinite(self.mean()):
            value = np.minimum(value, self.mean())
        return _out(v, value)

    def lev(self, v: ArrayLike) -> Any:
        """Alias of :meth:`limited_expected_value`."""
        return self.limited_expected_value(v)

    def stop_loss(self, d: ArrayLike) -> Any:
        """``E[(S − d)+] = E[S] − E[S∧d]`` (USD), closed-form ``E[S]`` (``inf`` if it is)."""
        if not math.isfinite(self.mean()):
            return _out(d, np.full(np.shape(d), math.inf))
        return _out(d, np.maximum(self.mean() - _arr(self.limited_expected_value(d)), 0.0))

    def expected_ceded(self, retention: float, limit: float = math.inf) -> float:
        """Expected yearly payment of an aggregate layer: ``E[S∧(a+L)] − E[S∧a]`` (USD).

        ``a`` = annual aggregate retention, ``L`` = annual aggregate limit (``inf`` for none,
        then it is :meth:`stop_loss`).
        """
        if not (retention >= 0 and limit > 0):
            raise ValueError("expected_ceded: 'retention' must be >= 0 and 'limit' > 0 (USD)")
        if math.isinf(limit):
            return float(self.stop_loss(retention))
        top = float(self.limited_expected_value(retention + limit))
        return max(top - float(self.limited_expected_value(retention)), 0.0)

    def tvar(self, p: float) -> float:
        """Tail value at risk ``TVaR_p = VaR_p + (E[S] − E[S∧VaR_p]) / (1 − p)`` (USD).

        The expected shortfall (average of ``VaR_u`` over ``u ∈ [p, 1)``), right also when S
        has an atom at ``VaR_p``; the tail beyond ``VaR_p`` enters only through the
        closed-form mean, so a grid that ends early does not bias it. ``inf`` when ``E[S]`` is.
        """
        _check_level(p)
        if not math.isfinite(self.mean()):
            return math.inf
        v = float(self.value_at_risk(p))
        return v + float(self.stop_loss(v)) / (1.0 - p)

    # -- tables -------------------------------------------------------------------------------
    def risk_measures(self, levels: Sequence[float] = (0.95, 0.99, 0.995)) -> dict[str, Any]:
        """Mean, standard deviation, skewness, and VaR and TVaR by level (USD), keyed by
        the level as text (``"0.995"``), as the command line prints them."""
        return {
            "mean": self.mean(),
            "sd": self.std(),
            "skewness": self.skewness(),
            "var": {f"{p:g}": float(self.value_at_risk(p)) for p in levels},
            "tvar": {f"{p:g}": self.tvar(p) for p in levels},
        }

    def exceedance_curve(self, kind: str = "aep") -> pd.DataFrame:
        """Exceedance probabilities at the support points.

        Parameters
        ----------
        kind : ``"aep"`` for ``P(S > x)``, ``"oep"`` for ``P(max X_i > x)`` (closed form).

        Returns
        -------
        pandas.DataFrame
            Columns ``loss`` (USD) and ``probability``.
        """
        import pandas as pd

        if kind == "aep":
            prob = self._above[1:] + self.tail_mass
        elif kind == "oep":
            prob = _arr(self.oep(self.x))
        else:
            raise ValueError(f"exceedance_curve: 'kind' must be 'aep' or 'oep', got {kind!r}")
        return pd.DataFrame({"loss": np.array(self.x), "probability": np.array(prob)})

    def return_period_table(
        self, periods: Sequence[float] = (10, 50, 100, 200, 500)
    ) -> pd.DataFrame:
        """Losses by return period T (years): level ``p = 1 − 1/T``.

        Columns: ``return_period``, ``probability`` (yearly exceedance ``1/T``), ``aep_loss``
        (``VaR_p`` of S), ``tvar`` (``TVaR_p``) and ``oep_loss`` (largest single loss at
        level p, closed form). A level beyond the grid gives NaN.
        """
        import pandas as pd

        for period in periods:
            if not period > 1:
                raise ValueError(f"return_period_table: periods must be > 1 year, got {period!r}")
        levels = [1.0 - 1.0 / period for period in periods]
        largest = self.occurrence_quantile(levels)  # one search for every level
        rows = []
        for period, p, oep in zip(periods, levels, largest, strict=True):
            try:
                var = float(self.value_at_risk(p))
                tvar = self.tvar(p)
            except ValueError:
                var = tvar = math.nan
            rows.append((float(period), 1.0 / period, var, tvar, float(oep)))
        return pd.DataFrame(
            rows, columns=["return_period", "probability", "aep_loss", "tvar", "oep_loss"]
        )

    def audit(self) -> pd.DataFrame:
        """Closed-form against numerical mean, CV and skewness, with a validity flag.

        Rows ``(component, statistic)`` for the severity (discretised, grid methods only) and
        the aggregate; columns ``closed_form``, ``numerical``, ``rel_error``, ``tolerance``,
        ``valid``, ``note``. Grid tolerances are :data:`AUDIT_TOLERANCE`; Monte Carlo uses 4
        standard errors for the mean and :data:`MC_AUDIT_TOLERANCE`. An infinite closed-form
        moment is never valid: the grid cannot hold that tail, and the closed form is used.
        """
        import pandas as pd

        rows: list[tuple[Any, ...]] = []
        index: list[tuple[str, str]] = []
        parts: list[tuple[str, CompoundMoments, CompoundMoments]] = []
        if self.severity_grid is not None:
            closed = CompoundMoments(*_severity_central_moments(self.severity))
            parts.append(("severity", closed, CompoundMoments(*self.severity_grid)))
        parts.append(("aggregate", self.moments, self.grid_moments()))
        for component, closed, numeric in parts:
            for stat in ("mean", "cv", "skewness"):
                exact = float(getattr(closed, stat))
                est = float(getattr(numeric, stat))
                tol = self._tolerance(stat, closed)
                if not math.isfinite(exact):
                    err, ok = math.inf, False
                    note = "closed form infinite: the grid cannot hold this tail"
                else:
                    err = abs(est / exact - 1.0) if exact != 0 else abs(est)
                    ok = bool(err <= tol)
                    note = "" if ok else "grid misses part of the distribution"
                index.append((component, stat))
                rows.append((exact, est, err, tol, ok, note))
        return pd.DataFrame(
            rows,
            index=pd.MultiIndex.from_tuples(index, names=["component", "statistic"]),
            columns=["closed_form", "numerical", "rel_error", "tolerance", "valid", "note"],
        )

    def _tolerance(self, stat: str, closed: CompoundMoments) -> float:
        if self.method != "mc":
            return AUDIT_TOLERANCE[stat]
        if stat == "mean":
            cv = closed.cv
            return 4.0 * cv / math.sqrt(self.n_sims) if math.isfinite(cv) else math.inf
        return MC_AUDIT_TOLERANCE[stat]

    @property
    def is_valid(self) -> bool:
        """All audit rows within tolerance."""
        return bool(self.audit()["valid"].all())


def _check_level(p: float) -> None:
    if not (0 <= p < 1):
        raise ValueError(f"'p' must be a probability level in [0, 1), got {p!r}")
