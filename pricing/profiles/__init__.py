"""Exchange profiles: the facts about one exchange that drive its loss model and costs.

A profile is a frozen, validated record (amounts in USD, rates per year as decimals), loadable
from and savable to JSON. The two presets are illustrative exchanges whose values are
**assumptions with stated reasoning**, not data about a named firm; every value is editable.

The package, one part a module: :mod:`~pricing.profiles.profile` (:class:`ExchangeProfile`
and its validation), :mod:`~pricing.profiles.presets` (:data:`PRESETS`),
:mod:`~pricing.profiles.fields` (labels, units and meanings of the fields;
:func:`profile_table`) and :mod:`~pricing.profiles.loading` (JSON files, folders, CSV).
"""

from __future__ import annotations

from .fields import FIELDS, PROVIDER_FIELDS, REGIME_FIELDS, FieldInfo, profile_table
from .loading import load_profile, load_profiles, split_providers
from .presets import PRESETS
from .profile import JURISDICTIONS, MAX_PROFILE_BYTES, SECURITY_LEVELS, ExchangeProfile
from .profile import MAX_NAME_LENGTH as MAX_NAME_LENGTH
from .profile import NUMERIC_FIELDS as NUMERIC_FIELDS

__all__ = [
    "FIELDS",
    "JURISDICTIONS",
    "MAX_PROFILE_BYTES",
    "PRESETS",
    "PROVIDER_FIELDS",
    "REGIME_FIELDS",
    "SECURITY_LEVELS",
    "ExchangeProfile",
    "FieldInfo",
    "load_profile",
    "load_profiles",
    "profile_table",
    "split_providers",
]
