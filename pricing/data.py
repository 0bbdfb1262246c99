"""Historical incident data: loading, validation, filtering and on-levelling.

One loader serves the command line, the app and user uploads. A file is checked cell by cell
and **every** problem is reported with its line and column (see
:class:`~pricing.exceptions.DataValidationError`); nothing is silently dropped: rows left out
of a fit (unknown amount, below the reporting threshold, outside the chosen years or attack
vectors) are counted by reason in :class:`LossSelection`.

The shipped files live in the repository's ``data/`` folder, installed as the package
``pricing._data`` so they are found after a plain ``pip install .`` as well.

Three modules: :mod:`pricing.datafiles` reads files (bytes, text, CSV records, shared cell
parsers), :mod:`pricing.datavalidation` holds the vocabularies and the two loaders, and this
module the modelling views (on-levelling, selection, filters, exposure base, yearly counts).
Everything is importable from here, as before.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .datafiles import (  # noqa: F401  (re-exported: used by other modules and tests)
    MAX_AMOUNT_USD,
    MAX_FILE_BYTES,
    Source,
    _check_header,
    _read_table,
    read_text_table,
    shipped_path,
)
from .datavalidation import (  # noqa: F401  (re-exported)
    ATTACK_VECTORS,
    EXPOSURE_BASES,
    EXPOSURE_COLUMNS,
    INCIDENT_COLUMNS,
    LEGACY_PROVIDER_COLUMN,
    ON_LEVEL_INDICES,
    PLATFORM_TYPES,
    REQUIRED_INCIDENT_COLUMNS,
    SOURCE_TYPES,
    VOCABULARIES,
    Exposure,
    IncidentData,
    load_exposure,
    load_incidents,
)
from .exceptions import InputError
from .notes import Note

__all__ = [
    "ATTACK_VECTORS",
    "EXPOSURE_BASES",
    "EXPOSURE_COLUMNS",
    "INCIDENT_COLUMNS",
    "ON_LEVEL_INDICES",
    "PLATFORM_TYPES",
    "SOURCE_TYPES",
    "Exposure",
    "IncidentData",
    "IncidentFilter",
    "LossSelection",
    "OnLevel",
    "exposure_base",
    "load_exposure",
    "load_incidents",
    "select_losses",
    "shipped_path",
    "yearly_counts",
    "years_without_exposure",
]


# --------------------------------------------------------------------------------------------
# On-levelling and selection for fitting
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class OnLevel:
    """How historical losses are brought to a target year's terms.

    A loss of year ``y`` becomes ``loss × I(target) / I(y)`` for the chosen year-end index
    ``I``: ``market_cap_per_exchange`` (total crypto market capitalisation divided by the number
    of exchanges tracked: a proxy for the assets an average exchange holds), ``market_cap``,
    ``btc_price``, or ``none`` (amounts as reported, the default: the crypto indices grew by
    three to four orders of magnitude since 2011, so they turn early thefts into today's
    largest; see ``data/README.md``). ``target_year`` defaults to the last exposure year.
    """

    index: str = "none"
    target_year: int | None = None

    def __post_init__(self) -> None:
        if self.index not in ON_LEVEL_INDICES:
            raise InputError.single(
                "on_level", f"'{self.index}' is not one of {', '.join(ON_LEVEL_INDICES)}"
            )

    def index_series(self, exposure: Exposure) -> pd.Series:
        """The year-end index ``I(y)`` by year."""
        frame = exposure.frame
        if self.index == "market_cap_per_exchange":
            return frame["market_cap_usd"] / frame["exchanges_tracked"]
        if self.index == "market_cap":
            return frame["market_cap_usd"]
        if self.index == "btc_price":
            return frame["btc_price_usd"]
        return pd.Series(1.0, index=frame.index)

    def factors(self, years: Iterable[int], exposure: Exposure) -> np.ndarray:
        """On-level factor ``I(target) / I(year)`` for each year (1 for ``none``)."""
        years = np.asarray(list(years), dtype=int)
        if self.index == "none":
            return np.ones(len(years))
        index = self.index_series(exposure)
        target = exposure.years[1] if self.target_year is None else self.target_year
        wanted = {*years.tolist(), target}
        unknown = sorted(y for y in wanted if y not in index.index or pd.isna(index.get(y)))
        if unknown:
            raise InputError.single(
                "on_level",
                f"on-levelling by '{self.index}' has no exposure figure for "
                f"year(s) {unknown}; exposure covers {exposure.years} (choose years and a "
                "target year with a figure, or on-level 'none')",
            )
        return float(index[target]) / index.loc[years].to_numpy(dtype=float)


@dataclass(frozen=True, eq=False)
class LossSelection:
    """The incidents used for a fit, with everything left out counted by reason.

    ``frame`` holds the included incidents with ``factor`` (on-level factor) and
    ``loss_onlevel`` (USD in ``target_year`` terms). ``excluded`` pairs each reason with the
    number of incidents it removed.
    """

    frame: pd.DataFrame
    threshold: float
    on_level: OnLevel
    target_year: int
    year_range: tuple[int, int]
    excluded: tuple[tuple[str, int], ...] = field(default=())

    @property
    def losses(self) -> np.ndarray:
        """On-levelled losses above the threshold (USD, target-year terms)."""
        return self.frame["loss_onlevel"].to_numpy(dtype=float)

    @property
    def n(self) -> int:
        """Number of losses used."""
        return len(self.frame)

    def exclusion_text(self) -> str:
        """One sentence for screens and logs: what was left out and why."""
        if not self.excluded:
            return "No incidents were left out."
        parts = [f"{count} {reason}" for reason, count in self.excluded]
        return "Left out: " + "; ".join(parts) + "."


def select_losses(
    data: IncidentData,
    exposure: Exposure,
    *,
    threshold: float = 1e6,
    on_level: OnLevel | None = None,
    years: tuple[int, int] | None = None,
    attack_vectors: Sequence[str] | None = None,
    platform_types: Sequence[str] | None = None,
) -> LossSelection:
    """Choose the incidents to fit and bring their losses to target-year terms.

    The reporting ``threshold`` (USD, target-year terms) is applied to the on-levelled loss;
    incidents at or below it, with unknown amounts, outside ``years`` (inclusive), outside
    ``attack_vectors`` or on a platform type not in ``platform_types`` (``None``: all; an empty
    type counts as not selected) are counted in :attr:`LossSelection.excluded`, never silently
    dropped.
    """
    if not (math.isfinite(threshold) and threshold >= 0):
        raise InputError.single(
            "threshold", f"must be a non-negative amount in USD, got {threshold!r}"
        )
    on_level = OnLevel() if on_level is None else on_level
    frame = data.frame
    year_range = data.years if years is None else (int(years[0]), int(years[1]))
    if year_range[0] > year_range[1]:
        raise InputError.single(
            "years", f"first year {year_range[0]} is after last year {year_range[1]}"
        )
    if attack_vectors is not None:
        bad = sorted(set(attack_vectors) - set(ATTACK_VECTORS))
        if bad:
            raise InputError.single(
                "attack_vectors", f"unknown value(s) {bad}; allowed: {', '.join(ATTACK_VECTORS)}"
            )
    if platform_types is not None:
        bad = sorted(set(platform_types) - set(PLATFORM_TYPES))
        if bad or not platform_types:
            raise InputError.single(
                "platform_types",
                f"unknown or empty {bad}; allowed: {', '.join(PLATFORM_TYPES)}",
            )
    excluded: list[tuple[str, int]] = []

    def drop(mask: pd.Series, reason: str) -> pd.DataFrame:
        count = int((~mask).sum())
        if count:
            excluded.append((reason, count))
        return frame[mask]

    first_indexed = _first_indexed_year(on_level, exposure) if years is None else None
    if first_indexed is not None and year_range[0] < first_indexed <= year_range[1]:
        # Default years with an on-level index: start at the index's first figure, and say so
        frame = drop(
            frame["year"] >= first_indexed,
            f"before {first_indexed}, the first year with a '{on_level.index}' figure",
        )
        year_range = (first_indexed, year_range[1])
    frame = drop(frame["year"].between(*year_range), f"outside {year_range[0]}–{year_range[1]}")
    if attack_vectors is not None:
        frame = drop(
            frame["attack_vector"].isin(list(attack_vectors)), "with an attack vector not selected"
        )
    if platform_types is not None:
        frame = drop(
            frame["platform_type"].isin(list(platform_types)), "on a platform type not selected"
        )
    frame = drop(frame["loss_usd"].notna(), "with unknown loss amount")
    frame = frame.copy()
    frame["factor"] = on_level.factors(frame["year"], exposure)
    frame["loss_onlevel"] = frame["loss_usd"] * frame["factor"]
    frame = drop(
        frame["loss_onlevel"] > threshold,
        Note("at or below the reporting threshold of {amount}", amounts={"amount": threshold}),
    )
    target = exposure.years[1] if on_level.target_year is None else on_level.target_year
    return LossSelection(
        frame=frame.reset_index(drop=True),
        threshold=float(threshold),
        on_level=on_level,
        target_year=int(target),
        year_range=year_range,
        excluded=tuple(excluded),
    )


def _first_indexed_year(on_level: OnLevel, exposure: Exposure) -> int | None:
    """First year with a figure of the on-level index (``None`` for no on-levelling)."""
    if on_level.index == "none":
        return None
    known = on_level.index_series(exposure).dropna()
    return int(known.index.min()) if not known.empty else None


@dataclass(frozen=True, slots=True)
class IncidentFilter:
    """A view of the incident table: years (inclusive), attack vectors, platform types,
    provider, minimum loss.

    ``provider`` is ``any``, ``third_party`` (a signing-path or infrastructure provider is
    named) or ``in_house``; ``min_loss_usd`` keeps incidents of at least that amount at the
    time (incidents with an unknown amount are kept only when it is 0).
    """

    years: tuple[int, int] | None = None
    attack_vectors: tuple[str, ...] | None = None
    platform_types: tuple[str, ...] | None = None
    provider: str = "any"
    min_loss_usd: float = 0.0

    def __post_init__(self) -> None:
        if self.provider not in ("any", "third_party", "in_house"):
            raise InputError.single(
                "provider", f"'{self.provider}' is not one of any, third_party, in_house"
            )
        if not self.min_loss_usd >= 0:
            raise InputError.single("min_loss_usd", f"must be >= 0 USD, got {self.min_loss_usd!r}")

    def apply(self, data: IncidentData) -> tuple[pd.DataFrame, int]:
        """The incidents that pass, and how many were filtered out."""
        frame = data.frame
        mask = pd.Series(True, index=frame.index)
        if self.years is not None:
            mask &= frame["year"].between(*self.years)
        if self.attack_vectors is not None:
            mask &= frame["attack_vector"].isin(list(self.attack_vectors))
        if self.platform_types is not None:
            mask &= frame["platform_type"].isin(list(self.platform_types))
        has_provider = frame["third_party_provider"].str.len() > 0
        if self.provider == "third_party":
            mask &= has_provider
        elif self.provider == "in_house":
            mask &= ~has_provider
        if self.min_loss_usd > 0:
            mask &= frame["loss_usd"] >= self.min_loss_usd
        return frame[mask], int((~mask).sum())


def exposure_base(exposure: Exposure, base: str = "market_cap") -> tuple[pd.Series, str]:
    """Yearly exposure of the frequency model, in exchange-years, and a sentence saying how.

    ``exchanges``: the number of exchanges tracked each year, as the file gives it.

    ``market_cap`` (the default): one consistent series, total crypto market capitalisation
    at year end, expressed in **exchange-equivalents** of an anchor year ``a`` (the last year
    with both an exchange count and a market capitalisation):
    ``E_t = N_a × M_t / M_a``. The yearly pattern (and so the trend) comes from the
    market-cap series alone; the anchor count only sets the unit, so the fitted rate is per
    exchange holding the average anchor-year share of the market. Rescaling an offset by a
    constant moves only the intercept of the GLM, never the trend or its fit.
    """
    frame = exposure.frame
    if base == "exchanges":
        return frame["exchanges_tracked"], "exchanges tracked each year"
    if base != "market_cap":
        raise InputError.single(
            "exposure_base", f"'{base}' is not one of {', '.join(EXPOSURE_BASES)}"
        )
    both = frame[["exchanges_tracked", "market_cap_usd"]].dropna()
    if both.empty:
        raise InputError.single(
            "exposure_base",
            "'market_cap' needs one year with both 'exchanges_tracked' and 'market_cap_usd' "
            "(the anchor); the exposure file has none",
            source=exposure.origin,
        )
    anchor = int(both.index.max())
    count, cap = (float(both.loc[anchor, c]) for c in ("exchanges_tracked", "market_cap_usd"))
    text = (
        f"total crypto market capitalisation in exchange-equivalents of {anchor} "
        f"({count:,.0f} exchanges holding USD {cap / 1e9:,.1f}bn of market value, "
        f"USD {cap / count / 1e9:,.2f}bn each)"
    )
    return frame["market_cap_usd"] * (count / cap), text


def yearly_counts(
    selection: LossSelection, exposure: Exposure, base: str = "market_cap"
) -> pd.DataFrame:
    """Incidents above the threshold per calendar year with the exposure base.

    Columns ``year``, ``n_incidents``, ``exposure`` (exchange-years, see
    :func:`exposure_base`) over every year of the selection's range, zero-count years
    included, as the frequency model expects. Years whose exposure is unknown cannot carry an
    offset and are left out; they are listed by :func:`years_without_exposure`.
    """
    years = pd.RangeIndex(selection.year_range[0], selection.year_range[1] + 1, name="year")
    counts = selection.frame.groupby("year").size().reindex(years, fill_value=0)
    series, _ = exposure_base(exposure, base)
    values = series.reindex(years)
    keep = values.notna().to_numpy()
    return pd.DataFrame(
        {
            "year": np.asarray(years)[keep],
            "n_incidents": counts.to_numpy(dtype=int)[keep],
            "exposure": values.to_numpy(dtype=float)[keep],
        }
    )


def years_without_exposure(
    selection: LossSelection, exposure: Exposure, base: str = "market_cap"
) -> list[int]:
    """Years of the selection with no exposure figure on ``base`` (left out of the GLM)."""
    first, last = selection.year_range
    series, _ = exposure_base(exposure, base)
    values = series.reindex(range(first, last + 1))
    return [int(y) for y in values.index[values.isna()]]
