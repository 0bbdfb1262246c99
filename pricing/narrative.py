"""An exchange's loss model in words, for executives (the formula stays one click away).

:func:`loss_model_in_words` turns an :class:`~pricing.lossmodel.ExchangeLossModel` and its
yearly aggregate loss into a few sentences: how often thefts happen, how large one is, what
caps it, and what a bad year costs. Every figure in the text is computed here from the model
(quantiles of the loss size, the caps, the aggregate's mean, VaR and TVaR); nothing is typed.
Amounts are shown in ``currency`` at the shipped dated FX rates, sentences in ``lang``
through the message catalogue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .i18n import fmt_amount, tr

if TYPE_CHECKING:
    from .aggregate import AggregateDistribution
    from .lossmodel import ExchangeLossModel

__all__ = ["LossModelSummary", "loss_model_in_words"]


@dataclass(frozen=True, slots=True)
class LossModelSummary:
    """The figures the sentences quote (USD, per year where a rate)."""

    rate: float
    years_between: float
    base_rate: float
    median_loss: float
    loss_1_in_10: float
    largest_loss: float
    hot_cap: float
    reach_cap: float
    provider_cap: float
    expected_yearly: float
    var_995: float
    tvar_995: float

    @classmethod
    def of(cls, model: ExchangeLossModel, total: AggregateDistribution) -> LossModelSummary:
        """The figures of ``model`` and its yearly loss ``total``."""
        severity = model.severity
        rate = model.rate
        median, one_in_10 = severity.ppf([0.5, 0.9])  # one search for both
        return cls(
            rate=rate,
            years_between=1.0 / rate if rate > 0 else math.inf,
            base_rate=float(model.exchange_frequency.base_rate),
            median_loss=float(median),
            loss_1_in_10=float(one_in_10),
            largest_loss=float(severity.upper),
            hot_cap=float(model.hot_cap),
            reach_cap=float(model.reach_cap),
            provider_cap=float(model.provider_cap),
            expected_yearly=float(total.mean()),
            var_995=_safe(total.value_at_risk, 0.995),
            tvar_995=_safe(total.tvar, 0.995),
        )


def _safe(measure, level: float) -> float:  # type: ignore[no-untyped-def]
    try:
        return float(measure(level))
    except ValueError:  # beyond the grid: not shown rather than guessed
        return math.nan


def loss_model_in_words(
    model: ExchangeLossModel,
    total: AggregateDistribution,
    currency: str = "USD",
    lang: str = "en",
    fx: object | None = None,
) -> list[str]:
    """Plain sentences describing ``model`` (see the module docstring)."""
    from .regulation.fx import DEFAULT_FX

    rates = DEFAULT_FX if fx is None else fx
    s = LossModelSummary.of(model, total)

    def money(usd: float) -> str:
        return fmt_amount(rates.from_usd(usd, currency), currency, lang)  # type: ignore[attr-defined]

    def say(template: str, **values: str) -> str:
        return tr(template, lang).format(**values)

    relative = s.rate / s.base_rate if s.base_rate > 0 else math.nan
    lines = [
        say(
            "{name} can expect a theft about once every {years} years ({rate} a year).",
            name=model.profile.name,
            years=f"{s.years_between:,.0f}",
            rate=f"{s.rate:.4f}",
        ),
        say(
            "That is {times} times the rate of the average tracked exchange, because of its "
            "size, hot-wallet share, controls and providers.",
            times=f"{relative:.2f}",
        ),
        say(
            "When a theft happens, half take {median} or less and one in ten takes {p90} or more.",
            median=money(s.median_loss),
            p90=money(s.loss_1_in_10),
        ),
        say("No theft can take more than {largest}.", largest=money(s.largest_loss)),
        say("A hot-wallet theft is capped by the hot wallets: {hot}.", hot=money(s.hot_cap)),
    ]
    _, other, provider = model.route_weights
    if other > 0:
        lines.append(
            say(
                "A cold-wallet or insider theft is capped by the cold storage it can reach: "
                "{reach}.",
                reach=money(s.reach_cap),
            )
        )
    if provider > 0:
        lines.append(
            say(
                "A theft through the wallet provider is capped by what the provider signs "
                "for: {reach}.",
                reach=money(s.provider_cap),
            )
        )
    lines.append(say("Over a year the expected loss is {mean}.", mean=money(s.expected_yearly)))
    if math.isfinite(s.var_995) and math.isfinite(s.tvar_995):
        lines.append(
            say(
                "One year in 200 loses {var} or more; those years lose {tvar} on average.",
                var=money(s.var_995),
                tvar=money(s.tvar_995),
            )
        )
    return lines
