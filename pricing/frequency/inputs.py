"""Input checks of the frequency fit: the yearly counts frame (``year``, ``n_incidents``,
``exposure``), every problem named by column and row, and the confidence level.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..exceptions import InputError

#: Columns the yearly frame must have.
COLUMNS = ("year", "n_incidents", "exposure")


def _finite(x: Any) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _check_level(level: float) -> None:
    if not (_finite(level) and 0 < level < 1):
        raise ValueError(f"level: {level!r} must be a confidence level in (0, 1)")


def _validate(yearly: Any, trend: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check the yearly frame; return years, counts and exposure sorted by year."""
    import pandas as pd

    if not isinstance(yearly, pd.DataFrame):
        raise InputError(
            "yearly counts",
            [
                "yearly: expected a pandas DataFrame with columns year, n_incidents, exposure; "
                f"got {type(yearly).__name__}"
            ],
        )
    missing = [c for c in COLUMNS if c not in yearly.columns]
    if missing:
        raise InputError(
            "yearly counts",
            [
                "yearly counts: missing column(s) "
                + ", ".join(f"'{c}'" for c in missing)
                + f"; the frame needs {', '.join(COLUMNS)}"
            ],
        )
    doubled = [c for c in COLUMNS if isinstance(yearly[c], pd.DataFrame)]
    if doubled:
        raise InputError(
            "yearly counts", [f"yearly counts: column(s) {doubled} appear more than once"]
        )
    problems: list[str] = []
    raw = {c: yearly[c].to_numpy() for c in COLUMNS}
    num = {c: pd.to_numeric(yearly[c], errors="coerce").to_numpy(dtype=float) for c in COLUMNS}

    def where(i: int, column: str) -> str:
        label = yearly.index[i]
        year = num["year"][i]
        at = f" (year {int(year)})" if column != "year" and _finite(year) else ""
        return f"column '{column}', row {label}{at}"

    for i in range(len(yearly)):
        for column in COLUMNS:
            value, x = raw[column][i], num[column][i]
            if np.ndim(value) == 0 and bool(pd.isna(value)):
                problems.append(f"{where(i, column)}: missing value")
                continue
            if not math.isfinite(x):
                problems.append(f"{where(i, column)}: {value!r} is not a finite number")
                continue
            if column == "year" and x != round(x):
                problems.append(f"{where(i, column)}: {value!r} is not a whole year")
            elif column == "n_incidents" and (x < 0 or x != round(x)):
                problems.append(f"{where(i, column)}: {value!r} is not a whole count >= 0")
            elif column == "exposure" and x <= 0:
                problems.append(
                    f"{where(i, column)}: {value!r} must be > 0 (exchanges tracked that year)"
                )
    years = num["year"]
    seen: dict[float, list[Any]] = {}
    for i, year in enumerate(years):
        if math.isfinite(year):
            seen.setdefault(year, []).append(yearly.index[i])
    for year, labels in seen.items():
        if len(labels) > 1:
            rows = ", ".join(str(lab) for lab in labels)
            problems.append(f"column 'year': year {int(year)} appears in rows {rows}")
    if problems:
        raise InputError("yearly counts", ["invalid yearly counts: " + "; ".join(problems)])

    need = 4 if trend else 3
    if len(yearly) < need:
        raise InputError(
            "yearly counts",
            [
                f"column 'year': {len(yearly)} year(s) given; the frequency model needs at least "
                f"{need} {'with' if trend else 'without'} a trend (one residual degree of freedom "
                "after the negative binomial's dispersion)"
            ],
        )
    order = np.argsort(years, kind="stable")
    years = years[order].astype(int)
    y = num["n_incidents"][order].astype(int)
    expo = num["exposure"][order]
    if y.sum() == 0:
        raise InputError(
            "yearly counts",
            ["column 'n_incidents': every year has 0 incidents, so no rate can be estimated"],
        )
    if trend:
        hit = years[y > 0]
        if hit.min() == hit.max() and hit[0] in (years[0], years[-1]):
            end = "first" if hit[0] == years[0] else "last"
            raise InputError(
                "yearly counts",
                [
                    f"column 'n_incidents': all incidents fall in {hit[0]}, the {end} year, so the "
                    "trend runs off to infinity; fit with trend=False or add years"
                ],
            )
    return years, y, expo
