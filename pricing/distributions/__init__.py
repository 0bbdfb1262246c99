"""Loss-size distributions and the transforms the pricing engine applies to them.

Every family follows the parameterisation of Klugman, Panjer & Willmot, *Loss Models: From
Data to Decisions* (Appendix A), which is also R's ``actuar``; the docstring of each class gives
the matching ``actuar`` call so results can be checked against other tools. Amounts are in USD.

Besides ``cdf``/``sf``/``ppf`` every distribution provides the *limited expected value*
``lev(u) = E[min(X, u)] = ∫_0^u S(x) dx`` (Loss Models §3.1), in closed form where one exists,
because it is what mean-preserving discretisation and layer pricing need.

Transforms return new frozen objects and never mutate:

- ``scaled(c)``     the distribution of ``c·X`` (an exchange ``c`` times the reference size);
- ``truncated(t)``  ``X | X > t``, the law of *reported* losses above a reporting threshold;
- ``capped(c)``     ``min(X, c)``, a loss cannot exceed what the exchange holds;
- ``layer(d, l)``   ``min((X − d)+, l)``, the part ceded to a per-occurrence layer;
- ``retained(d, l)`` ``X − layer(d, l)``, what stays with the exchange.

The package, one concept a module: :mod:`~pricing.distributions.base` (the interface and
generic moments), :mod:`~pricing.distributions.parametric` (the families),
:mod:`~pricing.distributions.transforms` (truncated, capped, layer, retained) and
:mod:`~pricing.distributions.mixtures` (spliced, mixture). Every public name is importable from
``pricing.distributions``.
"""

from __future__ import annotations

from .base import ArrayLike, LossDistribution
from .base import _arr as _arr
from .base import _out as _out
from .mixtures import Mixture, Spliced
from .parametric import GPD, Gamma, LogLogistic, Lognormal, Lomax, Weibull
from .parametric import _ParametricFamily as _ParametricFamily
from .transforms import Capped, Layered, Retained, Truncated

__all__ = [
    "GPD",
    "ArrayLike",
    "Capped",
    "Gamma",
    "Layered",
    "LogLogistic",
    "Lognormal",
    "Lomax",
    "LossDistribution",
    "Mixture",
    "Retained",
    "Spliced",
    "Truncated",
    "Weibull",
]
