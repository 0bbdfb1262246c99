"""The overdispersion tests of the Poisson fit (likelihood ratio with the chi-bar-square
p-value; Cameron–Trivedi auxiliary regression) and the choice of model they drive, written
out in plain words (:func:`_explain`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from scipy import stats
from statsmodels.regression.linear_model import OLS

from .result import OverdispersionTest


def _cameron_trivedi(y: np.ndarray, mu: np.ndarray) -> tuple[OverdispersionTest, float]:
    """Cameron & Trivedi (1990) auxiliary regression for NB2 overdispersion.

    OLS without intercept of ``((y − μ)² − y)/μ`` on ``μ``; returns the test (one-sided
    ``t``, normal p-value) and the slope, a moment estimate of ``α``.
    """
    z = ((y - mu) ** 2 - y) / mu
    ols = OLS(z, mu[:, None]).fit()
    slope = float(ols.params[0])
    se = float(ols.bse[0])
    if se > 0 and math.isfinite(se):
        t = slope / se
    else:
        t = 0.0 if slope == 0 else math.copysign(math.inf, slope)
    test = OverdispersionTest(
        name="cameron_trivedi",
        statistic=float(t),
        pvalue=float(stats.norm.sf(t)),
        description=(
            "Cameron & Trivedi (1990) auxiliary regression of ((y - mu)^2 - y)/mu on mu "
            "(no intercept); one-sided t, standard-normal p-value"
        ),
    )
    return test, slope


def _lr_test(ll_nb: float, ll_p: float) -> OverdispersionTest:
    """LR test of ``α = 0`` with the boundary-corrected chi-bar-square p-value."""
    lr = 2.0 * (ll_nb - ll_p)
    if lr < 1e-8:  # NB collapsed onto Poisson (or optimiser noise below it)
        lr, p = 0.0, 1.0
    else:
        p = 0.5 * float(stats.chi2.sf(lr, 1))
    return OverdispersionTest(
        name="likelihood_ratio",
        statistic=float(lr),
        pvalue=float(p),
        description=(
            "LR = 2 (loglik NB - loglik Poisson); alpha = 0 is on the boundary, so "
            "p = 0.5 P(chi2_1 > LR) (chi-bar-square, Self & Liang 1987)"
        ),
    )


def _format_p(p: float) -> str:
    """p-value as written in explanations: ``p < 0.001`` or ``p = 0.xyz``."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


_NAMES: Mapping[str, str] = {"poisson": "Poisson", "negbin": "negative binomial"}


def _explain(
    requested: str,
    chosen: str,
    lr: OverdispersionTest,
    ct: OverdispersionTest,
    aic_p: float,
    aic_nb: float,
    alpha: float,
    significance: float,
) -> str:
    sig = f"{100 * significance:g}%"
    significant = lr.pvalue < significance
    test = (
        f"the likelihood-ratio test of negative binomial against Poisson gives "
        f"LR = {lr.statistic:.2f}, {_format_p(lr.pvalue)} "
        f"({'below' if significant else 'not below'} the {sig} level; Cameron–Trivedi "
        f"cross-check t = {ct.statistic:.2f}, {_format_p(ct.pvalue)})"
    )
    nb_lower = aic_nb < aic_p
    aic = (
        f"AIC ({aic_nb:.1f} vs {aic_p:.1f} for Poisson)"
        if nb_lower
        else f"AIC ({aic_p:.1f} vs {aic_nb:.1f} for the negative binomial)"
    )
    disp = (
        f"The estimated dispersion is α = {alpha:.3g} (variance = mean + α·mean², "
        f"size 1/α = {1 / alpha:.3g})."
        if alpha > 0
        else "The dispersion estimate is α = 0, so the negative binomial equals the Poisson fit."
    )
    if requested == "auto":
        if chosen == "negbin":
            return (
                "Negative binomial chosen: the yearly counts vary more than a Poisson model "
                f"allows; {test}. The negative binomial also has the lower {aic}. {disp}"
            )
        if not nb_lower:
            tail = f"Poisson also has the lower {aic}."
        else:
            tail = (
                f"The negative binomial has a slightly lower {aic}, but the improvement is not "
                "significant, so the simpler Poisson model is kept."
            )
        return (
            f"Poisson chosen: the yearly counts show no significant overdispersion; {test}. {tail}"
        )
    auto = "negbin" if significant else "poisson"
    same = "the same model" if auto == requested else f"the {_NAMES[auto]} model"
    text = (
        f"{_NAMES[requested].capitalize()} model as requested. Overdispersion check: {test}; "
        f"the automatic choice would be {same}. The "
        f"{'negative binomial' if nb_lower else 'Poisson'} model has the lower {aic}."
    )
    return text + (f" {disp}" if requested == "negbin" else "")
