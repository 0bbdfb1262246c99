"""The recommendation in words, in any language and display currency.

:meth:`Comparison.recommendation` writes the library's own English sentence in USD; here the
same facts (structure, cost, what binds, how the regime credits insurance, the confidence from
the parameter draws, the other strategies, the licences held) are written through the message
catalogue in ``lang``, with amounts written by ``money`` (a USD amount to text in the display
currency). The app's Compare page and the client reports use it.
"""

from __future__ import annotations

from collections.abc import Callable

from ..i18n import tr
from ..regulation.compliance import counts_text
from .results import Comparison, StrategyResult

__all__ = ["STRATEGY_LABELS", "confidence_text", "recommendation_text", "strategy_name"]

#: Display names of the strategies (the charts' legend uses the same words).
STRATEGY_LABELS = {
    "reserve_only": "Reserve only",
    "insurance_only": "Insurance only",
    "hybrid": "Hybrid",
}


def _usd(usd: float, *_: object) -> str:
    return f"USD {usd:,.0f}"


def strategy_name(name: str, lang: str = "en") -> str:
    """A strategy's display name in the page's language."""
    return tr(STRATEGY_LABELS.get(name, name), lang)


def confidence_text(result: Comparison, lang: str = "en") -> str | None:
    """``hybrid in 83% of 20 draws`` (``None`` without draws)."""
    if result.recommended_share is None:
        return None
    kind = tr(result.get(result.recommended).kind, lang)
    return tr("{kind} in {share}% of {n} draws", lang).format(
        kind=kind, share=f"{100 * result.recommended_share:.0f}", n=result.n_draws
    )


def _binding(
    result: Comparison, best: StrategyResult, t: Callable[[str], str], money: Callable[..., str]
) -> str:
    rule = result.rule
    headline = rule.amount_usd
    credit = max(headline - best.floor, 0.0)
    if best.reserve > best.floor * (1 + 1e-9) + 1.0:
        text = t(
            "The protection target binds: the reserve is the {target}% quantile of the "
            "retained loss, above the regulatory floor of {floor}."
        ).format(target=f"{100 * result.assumptions.target:g}", floor=money(best.floor))
    else:
        text = t(
            "The regulatory minimum binds: the reserve sits at the floor of {floor}, which "
            "already meets the protection target."
        ).format(floor=money(best.floor))
    if best.limit > 0 and credit > 0:
        text += " " + t(
            "The rule counts insurance towards its minimum: this layer is credited with "
            "{credit}, so the reserve floor is {floor}, below the headline minimum of {headline}."
        ).format(credit=money(credit), floor=money(best.floor), headline=money(headline))
    elif best.limit > 0:
        text += " " + t(
            "The rule gives this layer no credit: the reserve must hold the whole minimum of "
            "{headline}."
        ).format(headline=money(headline))
    return text


def recommendation_text(
    result: Comparison, lang: str = "en", money: Callable[..., str] | None = None
) -> str:
    """The recommendation: the library's own words in English, the same facts translated
    otherwise (structure, cost, what binds, the regime's credit, confidence, the others)."""
    if lang == "en":
        return result.recommendation()
    money = money or _usd

    def t(text: str) -> str:
        return tr(text, lang)

    best = result.get(result.recommended)
    parts = [
        t("Recommended: {kind}, total cost of risk {cost} per year ({assets}% of customer "
          "assets, {revenue}% of revenue).").format(
            kind=t(best.kind),
            cost=money(best.total_cost),
            assets=f"{best.cost_pct_assets:.3f}",
            revenue=f"{best.cost_pct_revenue:.1f}",
        )
    ]  # fmt: skip
    if best.limit <= 0:
        parts.append(
            t("A reserve of {reserve} and no insurance.").format(reserve=money(best.reserve))
        )
    else:
        parts.append(
            t("Insurance of {limit} per theft above a retention of {retention} (market premium "
              "{premium}; technical {technical}), with a reserve of {reserve}.").format(
                limit=money(best.limit),
                retention=money(best.retention),
                premium=money(best.components["premium"]),
                technical=money(best.technical_premium),
                reserve=money(best.reserve),
            )
        )  # fmt: skip
    parts.append(_binding(result, best, t, money))
    confidence = confidence_text(result, lang)
    if confidence:
        parts.append(
            t("Confidence: {confidence}; cost between {low} and {high} (90%).").format(
                confidence=confidence,
                low=money(best.total_cost_interval[0]) if best.total_cost_interval else "—",
                high=money(best.total_cost_interval[1]) if best.total_cost_interval else "—",
            )
        )
    parts.append(
        t("All customers are compensated in full in {p}% of years, promptly from the reserve "
          "alone in {prompt}%.").format(
            p=f"{100 * best.p_full:.2f}", prompt=f"{100 * best.p_full_prompt:.2f}"
        )
    )  # fmt: skip
    for other in (s for s in result.strategies if s.name != best.name):
        if not other.placeable:
            parts.append(
                t("{name}: the market would not write it.").format(
                    name=strategy_name(other.name, lang)
                )
            )
            continue
        verb = t("meets") if other.meets_target else t("misses")
        parts.append(
            t("{name} ({kind}) costs {cost} and {verb} the {target}% target.").format(
                name=strategy_name(other.name, lang),
                kind=t(other.kind),
                cost=money(other.total_cost),
                verb=verb,
                target=f"{100 * result.assumptions.target:g}",
            )
        )
    parts.append(
        t("How insurance counts: {text}.").format(text=counts_text(result.rule, lang, money))
    )
    for rule in result.rules[1:]:
        parts.append(
            t("Also licensed under {name}: minimum {amount}.").format(
                name=t(rule.name), amount=money(rule.amount_usd)
            )
        )
    breaking = [strategy_name(s.name, lang) for s in result.strategies if not s.compliant]
    if breaking:
        parts.append(
            t("Non-compliant, never recommended: {names}.").format(names=", ".join(breaking))
        )
    if not best.compliant:
        parts.append(
            t("WARNING: no structure on the grid meets every requirement; the cheapest "
              "structure is shown but breaks a rule.")
        )  # fmt: skip
    return " ".join(parts)
