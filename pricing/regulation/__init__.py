"""Regulatory requirements for customer-asset protection at crypto exchanges, regime by regime.

Regimes are data: one module per regime with its own typed, editable parameters
(:mod:`.params`), sources in ``data/references.csv`` (grade and as-of date of each) and FX rates
in ``data/fx.csv`` (dated). Each calculator turns a :class:`RegimeInputs` into a
:class:`RegulatoryMinimum`: every requirement that applies at once (:class:`Requirement`), the
binding total the exchange funds itself, formulas with numbers substituted, sources, checks,
assumptions and a status saying what is law and what is not.

========= =================================================================== ========
code      rule                                                                currency
========= =================================================================== ========
jp        Japan PSA today: hot ≤ 5%; in-kind guarantee crypto; fiat in trust   JPY
jp-2027   Japan 2027 reform, a SCENARIO: the above + liability reserve         JPY
hk        Hong Kong SFC: 1.0 × hot/other + 0.5 × cold; cold ≥ 98%              USD
mica      EU MiCA Art. 67: max(class minimum, ¼ prior-year fixed overheads)    EUR
kr        South Korea: max(5% × hot, ₩3bn / ₩0.5bn); cold ≥ 80%                KRW
vara      Dubai VARA: paid-up capital; crime insurance for all hot VAs         AED
sg        Singapore MAS: cold ≥ 90%; base capital and security deposit        SGD
========= =================================================================== ========

``jp-draft`` is accepted as the former name of ``jp-2027``.

Examples
--------
>>> from pricing.regulation import RegimeInputs, minimum, regime_params
>>> hk = minimum("hk", RegimeInputs(customer_assets_usd=100e6, hot_share=0.02))
>>> round(hk.amount_usd)  # 1.0 × 2m + 0.5 × 98m: 51% of client crypto
51000000
>>> p = regime_params("hk", {"cold_cover_share": "0.6"})
>>> exchange = RegimeInputs(customer_assets_usd=100e6, hot_share=0.02)
>>> round(minimum("hk", exchange, params=p).amount_usd)  # 1.0 × 2m + 0.6 × 98m
60800000
"""

from ._base import FUNDED_BY, INSURANCE_COUNTS, RegulatoryMinimum, Requirement
from .dubai import VaraParams, dubai
from .fx import CURRENCIES, DEFAULT_FX, FX_TABLE, FxRates
from .hong_kong import HkParams, hong_kong
from .inkind import InKindCompensation, dmm_price_factor
from .inputs import VOLUME_CATEGORIES, HotHolding, RegimeInputs
from .japan import JP_STATUS, JpParams, japan_current
from .japan_2027 import BASES, RATINGS, Jp2027Params, JpDraftScenario, japan_2027, japan_draft
from .korea import KrParams, korea
from .mica import MicaParams, mica, mica_fixed_overheads
from .params import ParamInfo, RegimeParams, load_settings_file, parse_assignments
from .references import REFERENCES, Reference
from .registry import (
    ALIASES,
    JURISDICTION_REGIMES,
    REGIMES,
    Regime,
    minimum,
    minimums,
    regime_params,
    resolve,
)
from .singapore import SgParams, singapore

#: The sizing bases of the Japanese 2027 scenario (former name).
JP_DRAFT_STYLES = BASES

__all__ = [
    "ALIASES",
    "BASES",
    "CURRENCIES",
    "DEFAULT_FX",
    "FUNDED_BY",
    "FX_TABLE",
    "INSURANCE_COUNTS",
    "JP_DRAFT_STYLES",
    "JP_STATUS",
    "JURISDICTION_REGIMES",
    "RATINGS",
    "REFERENCES",
    "REGIMES",
    "VOLUME_CATEGORIES",
    "FxRates",
    "HkParams",
    "HotHolding",
    "InKindCompensation",
    "Jp2027Params",
    "JpDraftScenario",
    "JpParams",
    "KrParams",
    "MicaParams",
    "ParamInfo",
    "Reference",
    "Regime",
    "RegimeInputs",
    "RegimeParams",
    "RegulatoryMinimum",
    "Requirement",
    "SgParams",
    "VaraParams",
    "dmm_price_factor",
    "dubai",
    "hong_kong",
    "japan_2027",
    "japan_current",
    "japan_draft",
    "korea",
    "load_settings_file",
    "mica",
    "mica_fixed_overheads",
    "minimum",
    "minimums",
    "parse_assignments",
    "regime_params",
    "resolve",
    "singapore",
]
