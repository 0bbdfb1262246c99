"""Claim frequency: how many thefts to expect per exchange-year, and for one exchange.

The yearly count of reported thefts above the reporting threshold, ``N_t``, is modelled with an
exposure offset ``E_t`` (the number of active centralised exchanges tracked in year ``t``), so
the fitted quantity is a rate **per exchange-year** (domain brief §4.2):

    log E[N_t] = log E_t + b0 + b1 (t − t_c),

with ``t_c`` the last data year, so ``exp(b0)`` is the rate per exchange-year in that year and
``exp(b1)`` the yearly rate multiplier (the trend can be switched off). Two count models:

- **Poisson**: ``Var N = μ``; fitted with statsmodels ``GLM(family=Poisson())``.
- **Negative binomial (NB2)**: ``Var N = μ + α μ²``; ``α`` by maximum likelihood with
  ``statsmodels.discrete.discrete_model.NegativeBinomial``, the coefficients and their
  covariance with ``GLM(family=NegativeBinomial(α̂))``. In the Loss Models parameterisation
  (Klugman, Panjer & Willmot, *Loss Models*, ch. 6) the NB has size ``r = 1/α`` and
  ``β = μ/r``: mean ``rβ``, variance ``rβ(1 + β)``.

Overdispersion (``α > 0``) is tested two ways on the Poisson fit:

- the likelihood-ratio test of NB against Poisson. ``α = 0`` lies on the boundary, so the null
  distribution is the chi-bar-square ``½χ²₀ + ½χ²₁`` and ``p = ½ P(χ²₁ > LR)`` (Self & Liang
  1987, JASA 82, 605–610; Cameron & Trivedi, *Regression Analysis of Count Data*, 2nd ed.,
  §3.4). This test drives the automatic model choice;
- the Cameron & Trivedi (1990) auxiliary regression (J. Econometrics 46, 347–364):
  regress ``((y − μ̂)² − y)/μ̂`` on ``μ̂`` without intercept; the one-sided ``t`` statistic
  is asymptotically standard normal under the Poisson null. Reported as a cross-check.

``model="auto"`` keeps the Poisson model unless the LR test rejects equidispersion at 5%; AIC is
reported next to it, and the reason is written out in :attr:`FrequencyFit.explanation`.

Exchange level: the fit gives the rate of the *average* tracked exchange; its scaling to one
exchange (:func:`pricing.scaling.exchange_rate`) lives in :mod:`pricing.scaling`.

The package, one part a module: :mod:`~pricing.frequency.glm` (the fits),
:mod:`~pricing.frequency.choice` (overdispersion tests, the model choice in words),
:mod:`~pricing.frequency.result` (:class:`FrequencyFit`, :class:`OverdispersionTest`) and
:mod:`~pricing.frequency.inputs` (checks of the yearly counts).

Examples
--------
>>> import pandas as pd
>>> from pricing.frequency import fit_frequency
>>> yearly = pd.DataFrame({"year": [2020, 2021, 2022, 2023],
...                        "n_incidents": [3, 5, 4, 6],
...                        "exposure": [100.0, 110.0, 120.0, 130.0]})
>>> fit = fit_frequency(yearly, model="poisson", trend=False)
>>> round(fit.rate(2024), 6) == round(18 / 460, 6)
True
"""

from __future__ import annotations

from .. import lazy
from .inputs import COLUMNS as COLUMNS
from .inputs import _check_level as _check_level
from .inputs import _finite as _finite
from .result import FrequencyFit, OverdispersionTest

#: Names loaded on first use: the fits bring statsmodels, which a cached calibration skips.
_LAZY = {
    "_format_p": "choice",
    "MODELS": "glm",
    "fit_frequency": "glm",
    "overdispersion_tests": "glm",
    "_profile_alpha": "glm",
}


__getattr__ = lazy.loader(__name__, _LAZY, globals())


__all__ = [
    "MODELS",
    "FrequencyFit",
    "OverdispersionTest",
    "fit_frequency",
    "overdispersion_tests",
]


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
