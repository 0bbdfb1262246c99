"""Input checks of the severity fits: family name, reporting threshold and losses.

Every problem raises :class:`~pricing.exceptions.InputError` naming the field; losses at or
below the threshold are rejected, never dropped.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ..exceptions import InputError
from .families import FAMILIES, MIN_LOSSES


def _check_family(family: str) -> str:
    if family not in FAMILIES:
        raise InputError("family", [f"family '{family}' is not one of {', '.join(FAMILIES)}"])
    return family


def _check_threshold(threshold: float) -> float:
    try:
        t = float(threshold)
    except (TypeError, ValueError):
        raise InputError(
            "threshold", [f"threshold must be an amount in USD, got {threshold!r}"]
        ) from None
    if not (math.isfinite(t) and t >= 0):
        raise InputError(
            "threshold", [f"threshold must be a finite amount >= 0 USD, got {threshold!r}"]
        )
    return t


def _check_values(losses: Iterable[float] | np.ndarray) -> np.ndarray:
    """Losses as a 1-d float array; every value finite and > 0 USD."""
    try:
        x = np.asarray(list(losses) if not isinstance(losses, np.ndarray) else losses, float)
    except (TypeError, ValueError):
        raise InputError("losses", ["losses must be a sequence of numbers (USD)"]) from None
    if x.ndim != 1:
        raise InputError("losses", [f"losses must be one-dimensional, got shape {x.shape}"])
    bad = int(np.sum(~np.isfinite(x)))
    if bad:
        raise InputError(
            "losses", [f"losses: {bad} of {len(x)} values are not finite (NaN or infinite)"]
        )
    bad = int(np.sum(x <= 0))
    if bad:
        raise InputError(
            "losses",
            [f"losses: {bad} of {len(x)} values are <= 0; losses must be positive amounts in USD"],
        )
    return x


def _check_losses(losses: Iterable[float] | np.ndarray, threshold: float) -> np.ndarray:
    """Validated, sorted losses above ``threshold`` (raises, never drops)."""
    x = _check_values(losses)
    below = int(np.sum(x <= threshold))
    if below:
        raise InputError(
            "losses",
            [
                f"losses: {below} of {len(x)} are at or below the reporting threshold of "
                f"USD {threshold:,.0f}; the left-truncated fit uses only losses above it, "
                "so filter them out first"
            ],
        )
    if len(x) < MIN_LOSSES:
        raise InputError(
            "losses",
            [
                f"losses: need at least {MIN_LOSSES} losses above the threshold of "
                f"USD {threshold:,.0f} to fit a severity model, got {len(x)}"
            ],
        )
    if np.ptp(x) <= 0:
        raise InputError(
            "losses", [f"losses: all {len(x)} losses are equal; a severity fit needs spread"]
        )
    return np.sort(x)
