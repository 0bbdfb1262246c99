"""An on-disk cache of fitted calibrations, so the command line does not refit the same data.

Fitting the frequency GLM and every severity family takes about half a second and loads
statsmodels; the result depends only on the two data files, the :class:`CalibrationSpec` and
the code that fits. :func:`cached_calibrate` stores what :func:`pricing.calibration.calibrate`
returns as JSON (numbers and words only, never pickled objects) in the user's cache folder and
reads it back while nothing it depends on has changed.

- **Where**: ``platformdirs.user_cache_dir("vaultcover")``, or the folder named by the
  environment variable ``VAULTCOVER_CACHE_DIR``. ``VAULTCOVER_CACHE=0`` (or ``false``, ``no``,
  ``off``) switches the cache off.
- **Key**: SHA-256 of the bytes of the incident and exposure files, the spec's fields, the
  package version, the source of the modules that fit (data, severity, frequency,
  distributions, calibration) and the libraries that fit (numpy and scipy versions; pandas and
  statsmodels by their installed files, located without importing them). A change in any gives
  a new key; an entry under another key is never read.
- **Stored**: the severity fits and the frequency fit (all their numbers), the calibration
  notes, the target year and the route shares the loss model needs. The loss selection and
  the yearly counts are not stored: a :class:`StoredCalibration` recomputes them from the same
  files on first use (no fit is rerun), so every consumer of a :class:`Calibration` works.
- **Damage**: an entry that cannot be read or parsed, or whose key does not match, is ignored
  and rewritten; a cache folder that cannot be written is skipped. The cache never turns into
  an error for the user.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .calibration import Calibration, CalibrationSpec

__all__ = [
    "CACHE_DIR_ENV",
    "CACHE_SWITCH_ENV",
    "StoredCalibration",
    "cache_dir",
    "cache_key",
    "cache_path",
    "cached_calibrate",
]

#: Environment variable naming the cache folder (default: the user's cache folder).
CACHE_DIR_ENV = "VAULTCOVER_CACHE_DIR"
#: Environment variable that switches the cache off when ``0``, ``false``, ``no`` or ``off``.
CACHE_SWITCH_ENV = "VAULTCOVER_CACHE"
#: Version of the stored document; bump it when its layout changes.
FORMAT = 1
#: Modules whose source is part of the key (relative to the package folder).
_CODE = (
    "calibration.py",
    "calibration_cache.py",
    "data.py",
    "datafiles.py",
    "datavalidation.py",
    "lossmodel.py",
    "distributions",
    "frequency",
    "severity",
)
_OFF = ("0", "false", "no", "off")
_PACKAGE = Path(__file__).resolve().parent


def cache_dir() -> Path | None:
    """The cache folder, or ``None`` when the cache is switched off."""
    if os.environ.get(CACHE_SWITCH_ENV, "").strip().lower() in _OFF:
        return None
    folder = os.environ.get(CACHE_DIR_ENV, "").strip()
    if folder:
        return Path(folder)
    import platformdirs

    return Path(platformdirs.user_cache_dir("vaultcover"))


def _code_digest() -> str:
    """The package version, the source of the fitting modules and the libraries that fit."""
    import importlib.util

    import numpy
    import scipy

    from . import __version__

    h = hashlib.sha256(f"vaultcover {__version__}\n".encode())
    h.update(f"numpy {numpy.__version__}\nscipy {scipy.__version__}\n".encode())
    for library in ("pandas", "statsmodels"):  # located, not imported (that is the point)
        spec = importlib.util.find_spec(library)
        origin = Path(spec.origin) if spec is not None and spec.origin else None
        stamp = origin.stat().st_mtime_ns if origin is not None and origin.exists() else 0
        h.update(f"{library} {origin} {stamp}\n".encode())
    for name in _CODE:
        path = _PACKAGE / name
        files = sorted(path.glob("*.py")) if path.is_dir() else [path]
        for file in files:
            h.update(f"{file.relative_to(_PACKAGE).as_posix()}\n".encode())
            h.update(file.read_bytes())
    return h.hexdigest()


def _data_file(source: str | Path | None, name: str) -> Path:
    from .datafiles import shipped_path

    return shipped_path(name) if source is None else Path(source)


def cache_key(
    spec: CalibrationSpec, incidents: str | Path | None = None, exposure: str | Path | None = None
) -> str:
    """Hex SHA-256 of everything a calibration depends on (see the module docstring).

    ``incidents`` and ``exposure`` are paths (``None``: the shipped files). Raises ``OSError``
    when a file cannot be read.
    """
    from .datafiles import MAX_FILE_BYTES

    h = hashlib.sha256(f"format {FORMAT}\n".encode())
    h.update(_code_digest().encode())
    spec_fields = {f.name: getattr(spec, f.name) for f in dataclasses.fields(spec)}
    h.update(json.dumps(spec_fields, sort_keys=True, default=repr).encode())
    for label, source, name in (
        ("incidents", incidents, "incidents.csv"),
        ("exposure", exposure, "exposure.csv"),
    ):
        path = _data_file(source, name)
        if path.stat().st_size > MAX_FILE_BYTES:
            raise OSError(f"{path} is too large to cache")
        h.update(f"\n{label}\n".encode())
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def cache_path(key: str, folder: Path) -> Path:
    """File of the entry with ``key`` in ``folder``."""
    return folder / f"calibration-{key[:40]}.json"


# --------------------------------------------------------------------------------------------
# The calibration read back
# --------------------------------------------------------------------------------------------
class StoredCalibration(Calibration):
    """A :class:`~pricing.calibration.Calibration` read from the cache.

    The fits, notes, target year and route shares come from the stored entry; ``selection``
    and ``counts`` are recomputed from the same data files on first use (loading and
    selecting, no fitting), so they equal those of a fresh calibration.
    """

    def __init__(
        self,
        spec: CalibrationSpec,
        severity: Any,
        frequency: Any,
        notes: tuple[str, ...],
        target_year: int,
        routes: Any,
        incidents: str | Path | None,
        exposure: str | Path | None,
    ) -> None:
        values = {
            "spec": spec,
            "severity": severity,
            "frequency": frequency,
            "notes": notes,
            "_target_year": int(target_year),
            "_routes": routes,
            "_sources": (incidents, exposure),
            "_derived": {},
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __repr__(self) -> str:
        return f"StoredCalibration(spec={self.spec!r})"

    def _fresh(self) -> tuple[Any, Any]:
        derived = self._derived
        if not derived:
            from .calibration import select_and_count
            from .data import load_exposure, load_incidents

            selection, counts = select_and_count(
                self.spec, load_incidents(self._sources[0]), load_exposure(self._sources[1])
            )
            derived["selection"] = selection
            derived["counts"] = counts
        return derived["selection"], derived["counts"]

    @property
    def selection(self) -> Any:  # type: ignore[override]
        """The loss selection (recomputed from the data files on first use)."""
        return self._fresh()[0]

    @property
    def counts(self) -> Any:  # type: ignore[override]
        """Incidents and exposure per year (recomputed from the data files on first use)."""
        return self._fresh()[1]

    @property
    def target_year(self) -> int:
        return self._target_year

    @property
    def routes(self) -> Any:
        return self._routes


# --------------------------------------------------------------------------------------------
# JSON of the results (numbers and words only)
# --------------------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    """Dataclasses to dicts, tuples to lists (floats keep every bit through ``repr``)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def _tuples(value: Any) -> Any:
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def _build(cls: type, record: dict[str, Any], nested: dict[str, type] | None = None) -> Any:
    names = {f.name for f in dataclasses.fields(cls)}
    if set(record) != names:
        raise ValueError(f"{cls.__name__}: stored fields {sorted(record)} != {sorted(names)}")
    nested = nested or {}
    values = {
        name: (_build(nested[name], value) if name in nested else _tuples(value))
        for name, value in record.items()
    }
    return cls(**values)


def _document(calibration: Calibration, key: str) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "key": key,
        "spec": _plain(calibration.spec),
        "target_year": int(calibration.target_year),
        "notes": list(calibration.notes),
        "routes": _plain(calibration.routes),
        "severity": _plain(calibration.severity),
        "frequency": _plain(calibration.frequency),
    }


def _from_document(
    document: dict[str, Any],
    key: str,
    spec: CalibrationSpec,
    incidents: str | Path | None,
    exposure: str | Path | None,
) -> StoredCalibration:
    from .frequency.result import FrequencyFit, OverdispersionTest
    from .lossmodel import RouteShares
    from .severity.result import SeverityComparison, SeverityFit

    if document.get("format") != FORMAT or document.get("key") != key:
        raise ValueError("the entry belongs to another key or format")
    severity_record = dict(document["severity"])
    fits = tuple(_build(SeverityFit, fit) for fit in severity_record.pop("fits"))
    severity = _build(SeverityComparison, {**severity_record, "fits": []})
    severity = dataclasses.replace(severity, fits=fits)
    if not fits:
        raise ValueError("no severity fit stored")
    frequency = _build(
        FrequencyFit,
        document["frequency"],
        {"overdispersion": OverdispersionTest, "cross_check": OverdispersionTest},
    )
    notes = tuple(document["notes"])
    if not all(isinstance(n, str) for n in notes):
        raise ValueError("notes must be text")
    return StoredCalibration(
        spec=spec,
        severity=severity,
        frequency=frequency,
        notes=notes,
        target_year=int(document["target_year"]),
        routes=_build(RouteShares, document["routes"]),
        incidents=incidents,
        exposure=exposure,
    )


def _write(path: Path, document: dict[str, Any]) -> None:
    """Write atomically (a reader never sees half a file); failures are left silent."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".calibration-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(document, out, allow_nan=True)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except (OSError, TypeError, ValueError):  # read-only or full disk: run without the cache
        return


def load_cached(
    spec: CalibrationSpec,
    incidents: str | Path | None = None,
    exposure: str | Path | None = None,
    folder: Path | None = None,
) -> StoredCalibration | None:
    """The stored calibration for these inputs, or ``None`` (none, unreadable or stale)."""
    folder = cache_dir() if folder is None else folder
    if folder is None:
        return None
    try:
        key = cache_key(spec, incidents, exposure)
    except OSError:
        return None
    return _read(folder, key, spec, incidents, exposure)


def _read(
    folder: Path,
    key: str,
    spec: CalibrationSpec,
    incidents: str | Path | None,
    exposure: str | Path | None,
) -> StoredCalibration | None:
    try:
        text = cache_path(key, folder).read_text(encoding="utf-8")
        return _from_document(json.loads(text), key, spec, incidents, exposure)
    except Exception:  # any damage (bad JSON, fields, types, values, nesting): refit
        return None  # missing, damaged or from another version: fit afresh and rewrite


def cached_calibrate(
    spec: CalibrationSpec | None = None,
    incidents: str | Path | None = None,
    exposure: str | Path | None = None,
) -> Calibration:
    """:func:`pricing.calibration.calibrate` of the data files at ``incidents`` and
    ``exposure`` (paths; ``None``: the shipped files), read from the cache when an entry for
    exactly these inputs exists, else fitted and stored (see the module docstring)."""
    from .calibration import calibrate
    from .data import load_exposure, load_incidents

    spec = CalibrationSpec() if spec is None else spec
    folder = cache_dir()
    key = None
    if folder is not None:
        try:
            key = cache_key(spec, incidents, exposure)
        except OSError:  # the loaders below name the problem with the file
            key = None
    if folder is not None and key is not None:
        stored = _read(folder, key, spec, incidents, exposure)
        if stored is not None:
            return stored
    calibration = calibrate(spec, load_incidents(incidents), load_exposure(exposure))
    if folder is not None and key is not None:
        _write(cache_path(key, folder), _document(calibration, key))
    return calibration
