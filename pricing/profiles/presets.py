"""The preset exchanges (:data:`PRESETS`): two illustrative exchanges in USD and three
Japanese ones entered in yen, every value an assumption with its reasoning stated beside it.
"""

from __future__ import annotations

from typing import Any

from ..providers import IN_HOUSE
from .profile import ExchangeProfile

# Presets. Reasoning for each value (all are assumptions a user should replace):
# - Customer assets: a small Japanese exchange of about ¥20bn (USD 130m at the shipped rate of
#   ¥157 per USD, implied by the ¥2bn ≈ USD 12.7m that CoinGeek, relaying Nikkei, reported on
#   24 Nov 2025) and a large international venue of USD 20bn. Japan's 28 registered exchanges
#   held more than ¥5tn in total in 2025 (Nomura Research Institute, 18 Dec 2025), so USD 20bn
#   (about ¥3tn) would be most of the Japanese market: the large preset is licensed in Hong
#   Kong and kept for Hong Kong and MiCA; Japanese exchanges are the jp-* presets below.
# - Hot share: Japan caps hot storage at 5% of customer crypto (Cabinet Office Order on
#   Crypto-Asset Exchange Service Providers, Art. 27); the small exchange runs at the cap, the
#   large one at 2%, Hong Kong's ceiling (SFC Guidelines for Virtual Asset Trading Platform
#   Operators, 98% cold) and what Coinbase reported (Form S-1, 2021: about 98% cold).
# - Third-party provider: small exchanges are the typical buyers of wallet software (DMM
#   Bitcoin used Ginco: DMM Bitcoin's statements of 2024); the large exchange runs its own
#   custody stack. The small preset names Ginco signing for hot and cold wallets, as at DMM
#   Bitcoin; any name can be entered.
# - Revenue: assumed at 3% of customer assets for the small exchange and 2% for the large one
#   (trading fees scale with assets; larger venues charge lower fees). Illustrative.
# - Cost of capital: 10% (small) and 8% (large) equity hurdle rates, above the 6% cost-of-
#   capital rate of Solvency II (Commission Delegated Regulation (EU) 2015/35, Art. 39) used
#   for insurers. Illustrative.
# - Reserve yield: 1% on deposits and short government bonds; tax 30%, close to Japan's
#   effective corporate tax rate. Illustrative.
PRESETS: dict[str, ExchangeProfile] = {
    "small": ExchangeProfile(
        name="Small domestic exchange",
        customer_assets_usd=130e6,
        hot_share=0.05,
        third_party_provider=True,
        security_level="standard",
        annual_revenue_usd=3.9e6,
        cost_of_capital=0.10,
        reserve_yield=0.01,
        tax_rate=0.30,
        jurisdiction="jp",
        signing_providers=("Ginco",),
        provider_controls="hot_and_cold",
    ),
    "large": ExchangeProfile(
        name="Large global exchange",
        customer_assets_usd=20e9,
        hot_share=0.02,
        third_party_provider=False,
        security_level="strong",
        annual_revenue_usd=400e6,
        cost_of_capital=0.08,
        reserve_yield=0.01,
        tax_rate=0.30,
        jurisdiction="hk",
        signing_providers=(IN_HOUSE,),
    ),
}


# Japanese presets, entered in yen and converted at the shipped JPY rate (157 per USD, the rate
# implied by the reported ¥2bn ≈ USD 12.7m [1]); every value is an assumption to replace:
# - Customer crypto: about ¥20bn, ¥300bn and ¥1tn, as the issue of Japan's market asks; the 28
#   registered exchanges held more than ¥5tn of customer deposits in October 2025 (NRI).
# - Hot share: at the 5% ceiling (Cabinet Office Order Art. 27) for the small exchange, 3% and
#   2% for the larger ones (assumption: larger exchanges keep a smaller float; 2% is Hong
#   Kong's ceiling and what Coinbase reported).
# - Revenue: 3%, 2.5% and 2% of customer crypto per year (assumption, as the USD presets:
#   fees scale with assets, larger venues charge less); no per-firm figure is used.
# - Customer fiat (信託保全): 10% of customer crypto (assumption; no per-firm figure).
# - Spot trading volume: 12 × customer crypto per year, flat over three years (assumption:
#   JVCEA statistics of Nov 2019 show a month's spot volume about equal to customer deposits,
#   ¥351.9bn, as reported by news-vision; see pricing/regulation/data/references.csv
#   [jp-jvcea-stats]).
# - Third-party wallet provider: small and mid yes (DMM used Ginco), large no.
# - Reserve yield 0.5% on yen deposits and short JGBs; tax 30%; cost of capital 10%, 9%, 8%
#   (assumptions).
_JPY = 157.0


def _jp_preset(name: str, assets_jpy: float, hot: float, revenue_share: float, **kw: Any):
    assets = assets_jpy / _JPY
    return ExchangeProfile(
        name=name,
        customer_assets_usd=assets,
        hot_share=hot,
        annual_revenue_usd=revenue_share * assets,
        reserve_yield=0.005,
        tax_rate=0.30,
        jurisdiction="jp",
        customer_fiat_usd=0.10 * assets,
        trading_volume_usd=(("spot", (12 * assets,) * 3),),
        **kw,
    )


PRESETS.update(
    {
        "jp-small": _jp_preset(
            "Japanese exchange, ¥20bn",
            20e9,
            0.05,
            0.03,
            third_party_provider=True,
            security_level="standard",
            cost_of_capital=0.10,
        ),
        "jp-mid": _jp_preset(
            "Japanese exchange, ¥300bn",
            300e9,
            0.03,
            0.025,
            third_party_provider=True,
            security_level="standard",
            cost_of_capital=0.09,
        ),
        "jp-large": _jp_preset(
            "Japanese exchange, ¥1tn",
            1e12,
            0.02,
            0.02,
            third_party_provider=False,
            security_level="strong",
            cost_of_capital=0.08,
        ),
    }
)
