"""From the incident history to fitted frequency and severity models, in one call.

The command line and the app both calibrate through :func:`calibrate`, so the same choices
(reporting threshold, on-levelling, years, attack vectors, candidate families) give the same
numbers everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from .checks import MAX_PROJECTION_YEARS
from .data import (
    EXPOSURE_BASES,
    PLATFORM_TYPES,
    Exposure,
    IncidentData,
    LossSelection,
    OnLevel,
    exposure_base,
    load_exposure,
    load_incidents,
    select_losses,
    yearly_counts,
    years_without_exposure,
)
from .exceptions import InputError
from .severity.families import FAMILIES

if TYPE_CHECKING:  # the fits load statsmodels and pandas: only when a calibration is fitted
    import pandas as pd

    from .frequency import FrequencyFit
    from .lossmodel import RouteShares
    from .severity import SeverityComparison

__all__ = [
    "DEFAULT_PLATFORM_TYPES",
    "DEFAULT_SENSITIVITY_THRESHOLDS",
    "Calibration",
    "CalibrationSpec",
    "calibrate",
    "check_target_year",
    "select_and_count",
    "threshold_table",
]

#: Platforms fitted by default: the kind the exposure base counts (exchanges).
DEFAULT_PLATFORM_TYPES = ("exchange",)
#: Reporting thresholds tried by :func:`threshold_table` (USD).
DEFAULT_SENSITIVITY_THRESHOLDS = (5e5, 1e6, 2e6, 5e6, 1e7, 2e7)


@dataclass(frozen=True, slots=True)
class CalibrationSpec:
    """Every modelling choice behind a calibration (hashable: a cache key for the app).

    ``threshold`` is the reporting threshold in USD of ``target_year``; ``on_level`` the index
    that brings old losses to that year (``none`` to switch it off); ``years`` the inclusive
    range of incident years used (``None``: all); ``attack_vectors`` a subset of vectors
    (``None``: all); ``families`` the severity candidates; ``frequency_model`` one of
    ``auto``, ``poisson``, ``negbin``; ``trend`` whether the frequency GLM has a year trend;
    ``platform_types`` the kinds of platform whose thefts are fitted (``None``: all; default
    exchanges only, the kind the exposure counts, so numerator and denominator match);
    ``exposure_base`` ``market_cap`` (market capitalisation in exchange-equivalents, one
    consistent series) or ``exchanges`` (the yearly exchange count of the exposure file), see
    :func:`pricing.data.exposure_base`.
    ``splice_at`` the splice point of the ``spliced`` family in USD (``None``: the nearest to
    the default at which the fit converges, :func:`pricing.severity.splice_candidates`).
    """

    threshold: float = 1e6
    on_level: str = "none"
    target_year: int | None = None
    years: tuple[int, int] | None = None
    attack_vectors: tuple[str, ...] | None = None
    families: tuple[str, ...] = FAMILIES
    frequency_model: str = "auto"
    trend: bool = True
    platform_types: tuple[str, ...] | None = DEFAULT_PLATFORM_TYPES
    exposure_base: str = "market_cap"
    splice_at: float | None = None

    def __post_init__(self) -> None:
        unknown = sorted(set(self.families) - set(FAMILIES))
        if unknown or not self.families:
            raise InputError(
                "calibration",
                [f"families: unknown or empty {unknown}; choose from {', '.join(FAMILIES)}"],
            )
        if self.frequency_model not in ("auto", "poisson", "negbin"):
            raise InputError(
                "calibration",
                [f"frequency_model '{self.frequency_model}' is not one of auto, poisson, negbin"],
            )
        OnLevel(self.on_level, self.target_year)  # validates the index name
        if self.platform_types is not None:
            bad = sorted(set(self.platform_types) - set(PLATFORM_TYPES))
            if bad or not self.platform_types:
                raise InputError(
                    "calibration",
                    [
                        f"platform_types: unknown or empty {bad}; choose from "
                        f"{', '.join(PLATFORM_TYPES)}"
                    ],
                )
        if self.exposure_base not in EXPOSURE_BASES:
            raise InputError(
                "calibration",
                [f"exposure_base '{self.exposure_base}' is not one of {', '.join(EXPOSURE_BASES)}"],
            )


@dataclass(frozen=True, eq=False)
class Calibration:
    """Fitted models with the data selection they rest on."""

    spec: CalibrationSpec
    selection: LossSelection
    counts: pd.DataFrame
    severity: SeverityComparison
    frequency: FrequencyFit
    notes: tuple[str, ...] = ()

    @property
    def target_year(self) -> int:
        """Year whose terms the losses are expressed in, and the rate is projected to."""
        return self.selection.target_year

    @cached_property
    def routes(self) -> RouteShares:
        """Shares of the selected incidents by route of attack
        (:func:`pricing.lossmodel.route_shares`)."""
        from .lossmodel import route_shares

        return route_shares(self.selection.frame)


def calibrate(
    spec: CalibrationSpec | None = None,
    incidents: IncidentData | None = None,
    exposure: Exposure | None = None,
) -> Calibration:
    """Select losses, fit every severity candidate and the frequency GLM.

    Defaults to the shipped ``data/incidents.csv`` and ``data/exposure.csv``. The command line
    reuses a fitted calibration from the user's cache folder
    (:func:`pricing.calibration_cache.cached_calibrate`); this function always fits.
    """
    from .frequency import fit_frequency
    from .severity import fit_all

    spec = CalibrationSpec() if spec is None else spec
    incidents = load_incidents() if incidents is None else incidents
    exposure = load_exposure() if exposure is None else exposure
    check_target_year(spec.target_year, incidents, exposure)
    platforms = _platform_filter(spec, incidents)
    selection, counts = select_and_count(spec, incidents, exposure)
    severity = fit_all(
        selection.losses,
        threshold=spec.threshold,
        families=spec.families,
        splice_at=spec.splice_at,
    )
    frequency = fit_frequency(counts, model=spec.frequency_model, trend=spec.trend)
    return Calibration(
        spec=spec,
        selection=selection,
        counts=counts,
        severity=severity,
        frequency=frequency,
        notes=_notes(selection, exposure, spec.exposure_base)
        + (() if platforms is not None or spec.platform_types is None else (_NO_PLATFORMS,)),
    )


def select_and_count(
    spec: CalibrationSpec, incidents: IncidentData, exposure: Exposure
) -> tuple[LossSelection, pd.DataFrame]:
    """The losses the spec selects and the yearly counts with their exposure: what
    :func:`calibrate` fits (no fitting here)."""
    selection = select_losses(
        incidents,
        exposure,
        threshold=spec.threshold,
        on_level=OnLevel(spec.on_level, spec.target_year),
        years=spec.years,
        attack_vectors=_as_list(spec.attack_vectors),
        platform_types=_platform_filter(spec, incidents),
    )
    return selection, yearly_counts(selection, exposure, spec.exposure_base)


def check_target_year(year: int | None, incidents: IncidentData, exposure: Exposure) -> None:
    """Refuse a target year outside the data's years plus a short projection.

    A rate projected far beyond the data means nothing (a year trend compounded over a
    thousand years gives 1e20 thefts per exchange-year), so the target year must lie between
    the first incident year and :data:`~pricing.checks.MAX_PROJECTION_YEARS` after the last
    exposure year.
    """
    if year is None:
        return
    first = min(incidents.years[0], exposure.years[0])
    last = exposure.years[1] + MAX_PROJECTION_YEARS
    if not first <= year <= last:
        raise InputError.single(
            "year",
            f"{year} is outside {first}–{last}: the data cover {first}–{exposure.years[1]} and "
            f"a rate is projected at most {MAX_PROJECTION_YEARS} years beyond them",
        )


def threshold_table(
    spec: CalibrationSpec | None = None,
    incidents: IncidentData | None = None,
    exposure: Exposure | None = None,
    thresholds: Sequence[float] = DEFAULT_SENSITIVITY_THRESHOLDS,
    family: str = "gpd",
    p: float = 0.99,
) -> pd.DataFrame:
    """How much the reporting threshold moves the fitted tail.

    The same selection as :func:`calibrate` (years, vectors, on-levelling) but every known
    loss kept, then ``family`` refitted above each threshold
    (:func:`pricing.severity.threshold_sensitivity`: parameters with standard errors, the
    ``p`` quantile of reported losses and the mean excess, USD).
    """
    from .severity import threshold_sensitivity

    spec = CalibrationSpec() if spec is None else spec
    incidents = load_incidents() if incidents is None else incidents
    exposure = load_exposure() if exposure is None else exposure
    every = select_losses(
        incidents,
        exposure,
        threshold=0.0,
        on_level=OnLevel(spec.on_level, spec.target_year),
        years=spec.years,
        attack_vectors=_as_list(spec.attack_vectors),
        platform_types=_platform_filter(spec, incidents),
    )
    return threshold_sensitivity(every.losses, thresholds, family=family, p=p)


def _notes(selection: LossSelection, exposure: Exposure, base: str) -> tuple[str, ...]:
    _, described = exposure_base(exposure, base)
    notes = [f"Frequency exposure: {described}."]
    missing = years_without_exposure(selection, exposure, base)
    if missing:
        notes.append(
            f"No exposure figure is known for {missing}: those years are left out of "
            "the frequency model (their losses still inform the severity fit)."
        )
    if exposure.filled:
        notes.append(
            "Exposure cells filled by log-linear interpolation: " + "; ".join(exposure.filled) + "."
        )
    return tuple(notes)


_NO_PLATFORMS = (
    "The incident file records no platform_type, so the platform filter was not applied: "
    "every incident is fitted."
)


def _platform_filter(spec: CalibrationSpec, incidents: IncidentData) -> list[str] | None:
    """The spec's platform types, or ``None`` (no filter) for a file that records none
    (an older or hand-made file without the ``platform_type`` column)."""
    if spec.platform_types is None or incidents.frame["platform_type"].eq("").all():
        return None
    return list(spec.platform_types)


def _as_list(values: Sequence[str] | None) -> list[str] | None:
    return None if values is None else list(values)
