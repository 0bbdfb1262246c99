"""Client reports (PDF) of a scenario and of a saved comparison of 2–4 scenarios.

A scenario report gives the recommendation and why, cost and protection by strategy, the
regulatory minimum with its formula and clickable sources, the frontier and heatmap charts
(the app's plotly figures rendered by kaleido with Debian's chromium), the sensitivity of the
cost to each assumption, and every assumption with its data source. The CLI's
``vaultcover scenario export NAME --format pdf`` and the app's download buttons call these.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from .i18n import check_language, tr
from .pdfdoc import Document, chart_png
from .quote_pdf import Money, layer_name, not_placeable_reason, profile_row
from .scenario import ScenarioResult, assumption_differences, scenario_table

__all__ = [
    "comparison_report_pdf",
    "plain_assumption",
    "readable_scenario_table",
    "scenario_report_pdf",
    "usd_text",
]

STRATEGY_NAMES = {
    "reserve_only": "Reserve only",
    "insurance_only": "Insurance only",
    "hybrid": "Hybrid",
}


def usd_text(x: Any) -> str:
    """An amount with its currency and sensible rounding (``–`` when not a finite number)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        return "–"
    if abs(x) >= 1e9:
        return f"USD {x / 1e9:,.2f} bn"
    if abs(x) >= 1e6:
        return f"USD {x / 1e6:,.2f} m"
    return f"USD {x:,.0f}"


@dataclass(frozen=True)
class _Out:
    """How the report speaks: language and currency."""

    money: Money

    def t(self, text: str) -> str:
        return tr(text, self.money.lang)

    def amount(self, x: Any) -> str:
        """A compact amount (``–`` when not a finite number)."""
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
            return "–"
        if self.money.lang == "en" and self.money.currency == "USD":
            return usd_text(x)
        return self.money.compact(float(x), "–")

    def recommendation(self, comparison: Any) -> str:
        """The comparison's recommendation in the report's language and currency."""
        from .strategy.words import recommendation_text

        return recommendation_text(comparison, self.money.lang, self.amount)


_EN = _Out(Money())


def plain_assumption(key: str) -> str:
    """A scenario field path in words: ``strategy.frictions.dispute_probability`` ->
    ``strategy › frictions › dispute probability``."""
    return key.replace("_", " ").replace(".", " › ")


def readable_scenario_table(table: pd.DataFrame, speak: _Out | None = None) -> pd.DataFrame:
    """:func:`pricing.scenario.scenario_table` as text: currency and rounding on every amount,
    shares in %, plain strategy names (column ``differs`` dropped); ``speak`` sets the
    language and currency (default English, USD)."""
    speak = speak or _EN
    out = table.drop(columns=["differs"]).astype(object)
    for i, measure in enumerate(out["measure"]):
        for column in out.columns[1:]:
            v = out.at[i, column]
            if "(USD" in measure:
                text = speak.amount(v)
            elif measure.startswith("cost, %"):
                text = f"{v:.3f}%"
            elif measure == "P(all compensated)":
                text = f"{100 * v:.2f}%"
            elif measure == "recommended strategy":
                text = speak.t(STRATEGY_NAMES.get(v, str(v)))
            else:
                text = speak.t(str(v))
            out.at[i, column] = text
    return out.astype(str)


def _strategy_rows(result: ScenarioResult, out: _Out = _EN) -> list[list[str]]:
    c = result.comparison
    t, amount = out.t, out.amount
    return [
        [
            t(STRATEGY_NAMES.get(s.name, s.name))
            + (f" ({t('recommended')})" if s.name == c.recommended else ""),
            amount(s.retention) if s.limit > 0 else "–",
            amount(s.limit) if s.limit > 0 else t("none"),
            amount(s.reserve),
            amount(s.components.get("premium", 0.0)),
            amount(s.total_cost),
            f"{s.cost_pct_assets:.3f}%",
            f"{s.cost_pct_revenue:.1f}%",
            f"{100 * s.p_full:.2f}%",
            amount(s.expected_shortfall),
        ]
        for s in c.strategies
    ]


STRATEGY_HEADER = [
    "Strategy",
    "Retention per theft",
    "Limit per theft",
    "Reserve",
    "Premium per year",
    "Cost of risk per year",
    "% of customer assets",
    "% of revenue",
    "All compensated",
    "Expected shortfall per year",
]


def _why(result: ScenarioResult, out: _Out = _EN) -> list[str]:
    c = result.comparison
    t = out.t
    best = c.get(c.recommended)
    target = c.assumptions.target
    lines = []
    for s in c.strategies:
        if s.name == best.name:
            continue
        gap = s.total_cost - best.total_cost
        template = (
            "{strategy} costs {gap} a year more and {reach} the {target}% protection target."
            if gap >= 0
            else "{strategy} costs {gap} a year less and {reach} the {target}% protection target."
        )
        lines.append(
            t(template).format(
                strategy=t(STRATEGY_NAMES.get(s.name, s.name)),
                gap=out.amount(abs(gap)),
                reach=t("meets" if s.meets_target else "does not meet"),
                target=f"{100 * target:g}",
            )
        )
    lines.append(
        t("The reserve may not fall below the regulatory minimum of {amount} ({rule}).").format(
            amount=out.amount(c.rule.amount_usd), rule=t(c.rule.name)
        )
    )
    return lines


def _charts(doc: Document, result: ScenarioResult, out: _Out = _EN) -> None:
    from . import plots

    for fig in (plots.frontier_chart(result.comparison), plots.cost_heatmap(result.comparison)):
        png = chart_png(fig, width=1000, height=560)
        if png is None:
            doc.paragraph(out.t("(Chart not rendered: kaleido with chromium is not available.)"))
            return
        doc.image(png, width=doc.width * 0.9)


def _sensitivity(doc: Document, result: ScenarioResult, out: _Out = _EN) -> None:
    from .sensitivity import tornado

    t, amount = out.t, out.amount
    tor = tornado(
        result.model, result.calibration, result.scenario.regime, result.scenario.strategy
    )
    base = t(STRATEGY_NAMES.get(tor.base_strategy, tor.base_strategy))
    doc.paragraph(
        t(
            "Base: {cost} a year ({strategy}). Each assumption moved to a low and a high "
            "value, the others kept:"
        ).format(cost=amount(tor.base_cost), strategy=base)
    )
    doc.table(
        [
            t(h)
            for h in (
                "Assumption",
                "Low value",
                "High value",
                "Cost at low",
                "Cost at high",
                "Swing",
            )
        ],
        [
            [
                t(r.factor),
                r.low_label,
                r.high_label,
                amount(r.low_cost),
                amount(r.high_cost),
                amount(r.swing),
            ]
            for r in tor.table().itertuples()
        ],
        size=7,
    )


def _assumptions(doc: Document, result: ScenarioResult, out: _Out = _EN) -> None:
    from .profiles import profile_table

    t, amount = out.t, out.amount
    s = result.scenario
    a = s.strategy
    doc.table(
        [t("Field"), t("Value"), t("Unit")],
        [profile_row(r, out.money, t) for r in profile_table(s.profile).itertuples()],
        size=7,
        align=["L", "R", "L"],
    )
    spec = s.calibration
    doc.table(
        [t("Assumption"), t("Value")],
        [
            [t("Protection target"), t("{share}% of years").format(share=f"{100 * a.target:g}")],
            [t("Dispute probability"), f"{100 * a.frictions.dispute_probability:g}%"],
            [
                t("Insurer payment delay"),
                t("{months} months").format(months=f"{a.frictions.payment_delay_months:g}"),
            ],
            [t("Insurance capacity"), amount(a.capacity_usd)],
            [
                t("Market rate on line"),
                t("market curve")
                if a.market_rate_on_line is None
                else f"{100 * a.market_rate_on_line:g}%",
            ],
            [t("Reporting threshold"), amount(spec.threshold)],
            [t("On-level index"), t(spec.on_level.replace("_", " "))],
            [
                t("Count model"),
                t(spec.frequency_model) + (f" ({t('with year trend')})" if spec.trend else ""),
            ],
            [
                t("Incident years"),
                t("all") if spec.years is None else f"{spec.years[0]}–{spec.years[1]}",
            ],
        ],
        size=7,
        align=["L", "L"],
    )
    table = result.model.assumption_table()
    doc.table(
        [t("Loss-model assumption"), t("Value"), t("Unit"), t("Basis")],
        [[t(r.assumption), _value(r.value), t(r.unit), r.basis] for r in table.itertuples()],
        size=7,
        align=["L", "R", "L", "L"],
    )
    doc.paragraph(
        f"{t('Severity of one theft (in words)')}: {result.model.severity.describe()}", size=7
    )
    doc.paragraph(
        t("Incident data: the user's uploaded file.")
        if s.incidents_csv is not None
        else t(
            "Incident data: the shipped public incident history, every row with its public source."
        ),
        size=7,
    )


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:,.6g}" if abs(v) < 1e6 else f"{v:,.0f}"
    return "" if v is None else str(v)


def _regulation(doc: Document, result: ScenarioResult, out: _Out = _EN) -> None:
    t = out.t
    rule = result.comparison.rule
    doc.paragraph(
        t(
            "{rule}: {amount} ({local}; {share}% of customer assets). Insurance counts towards "
            "it: {counts}."
        ).format(
            rule=t(rule.name),
            amount=out.amount(rule.amount_usd),
            local=f"{rule.currency} {rule.amount_local:,.0f}",
            share=f"{result.comparison.minimum_pct_assets:.2f}",
            counts=t(rule.insurance_counts),
        ),
        bold=True,
    )
    if rule.regime == "jp-2027":  # also reached by its former name jp-draft
        doc.paragraph(
            t(
                "Japan's planned liability reserve is not law: its formula has not been "
                "published, so this minimum is an assumed scenario whose assumptions are listed "
                "below."
            )
        )
    doc.paragraph(f"{t('Formula')}: {rule.formula}")
    doc.paragraph(f"{t('With the numbers')}: {rule.formula_substituted}")
    for line in rule.assumptions:
        doc.paragraph(f"{t('Assumption')}: {t(line)}", size=7)
    doc.paragraph(f"{t('Sources')}:", bold=True)
    for ref in rule.source:
        doc.paragraph(f"{ref.ref} {ref.title} ({t('grade')} {ref.grade})", size=7)
        for url in ref.urls:
            doc.link(url, url, size=7)


def _market_quote(doc: Document, result: ScenarioResult, out: _Out = _EN) -> None:
    """The scenario's tower priced at market beside the technical premium."""
    from .coverage import quote_tower

    t = out.t
    s, m = result.scenario, result.model
    assert s.tower is not None
    kinds = [str(k) for k in m.cover_type([layer.retention for layer in s.tower.layers])]
    rates = list(s.market_rates) or None
    terms = s.market_terms(m.frequency, m.severity)
    quote = quote_tower(
        m.frequency, m.severity, s.tower, s.loadings, s.principle, rates, terms, kinds
    )
    money = out.money
    doc.table(
        [
            t(h)
            for h in (
                "Layer",
                "Retention",
                "Limit",
                "Technical premium",
                "Market premium",
                "Quote basis",
                "Rate on line",
            )
        ],
        [
            [
                layer_name(q.layer, money),
                out.amount(q.layer.retention),
                out.amount(q.layer.limit),
                out.amount(q.technical_premium),
                out.amount(q.market.premium) if q.placeable else t("not placeable"),
                t(q.basis),
                f"{100 * q.rate_on_line:.2f}%" if q.placeable else "–",
            ]
            for q in quote.quotes
        ],
        size=7,
    )
    for q in quote.quotes:
        if not q.placeable:
            why = not_placeable_reason(q, money, t)
            doc.paragraph(f"{layer_name(q.layer, money)}: {t('not placeable')}: {why}", size=7)


def _intervals(doc: Document, result: ScenarioResult, out: _Out = _EN) -> None:
    """The 90% ranges of every strategy's cost and p_full, and the recommendation's share."""
    t, c = out.t, result.comparison
    doc.table(
        [t("Strategy"), t("Cost of risk per year, 90% range"), t("All compensated, 90% range")],
        [
            [
                t(STRATEGY_NAMES.get(s.name, s.name)),
                "–"
                if s.total_cost_interval is None
                else f"{out.amount(s.total_cost_interval[0])} – "
                f"{out.amount(s.total_cost_interval[1])}",
                "–"
                if s.p_full_interval is None
                else f"{100 * s.p_full_interval[0]:.2f}% – {100 * s.p_full_interval[1]:.2f}%",
            ]
            for s in c.strategies
        ],
        size=7,
    )
    if c.recommended_share is not None:
        doc.paragraph(
            t(
                "The recommended kind of structure is the cheapest that meets the target in "
                "{share}% of {n} draws of the fitted parameters."
            ).format(share=f"{100 * c.recommended_share:.0f}", n=c.n_draws),
            size=7,
        )


def scenario_report_pdf(
    result: ScenarioResult,
    *,
    saved: Any = None,
    charts: bool = True,
    sensitivity: bool = True,
    issued: dt.date | None = None,
    lang: str = "en",
    currency: str = "USD",
    fx: Any = None,
    draws: int = 0,
    **fonts: Any,
) -> bytes:
    """The client report of one evaluated scenario (A4 portrait PDF) in ``lang``, amounts in
    ``currency`` (at the shipped dated FX rates unless ``fx``).

    ``saved`` (a :class:`pricing.store.SavedScenario`) adds owner, client and version;
    ``charts`` renders the frontier and heatmap through kaleido; ``sensitivity`` re-runs the
    comparison for each assumption (the tornado; a few seconds); ``draws`` > 0 adds the 90%
    ranges of every strategy's cost and protection over that many parameter draws
    (:func:`pricing.uncertainty.compare_with_draws`; ranges already on the comparison are
    shown without it). A scenario with a tower gets its quote: technical beside market
    premium, and whether the market places each layer.
    """
    check_language(lang)
    out = _Out(Money(currency, lang, fx))
    t = out.t
    s = result.scenario
    if draws:
        from .uncertainty import compare_with_draws, draw_models

        sampled = draw_models(result.model, result.calibration, draws)
        result = replace(result, comparison=compare_with_draws(result.comparison, sampled))
    c = result.comparison
    issued = issued or dt.date.today()
    doc = Document(f"Vaultcover {t('report')}: {s.name}", **fonts)
    doc.heading(f"{t('Funding compensation for hacked customers')}: {s.name}", size=15)
    meta = [
        [t("Exchange"), t(s.profile.name)],
        [t("Client"), s.client or "–"],
        [t("Regime"), f"{s.regime}: {t(c.rule.name)}"],
        [t("Date"), issued.isoformat()],
    ]
    if saved is not None:
        meta.append(
            [
                t("Scenario"),
                t("version {version}, owner {owner}, saved {when} UTC by {by}").format(
                    version=saved.version,
                    owner=saved.owner,
                    when=f"{saved.updated_at:%Y-%m-%d %H:%M}",
                    by=saved.updated_by,
                ),
            ]
        )
    doc.table(["", ""], meta, size=9, align=["L", "L"])

    doc.heading(t("Recommendation"))
    doc.paragraph(out.recommendation(c), size=10, bold=True)
    doc.heading(t("Why"), size=11)
    doc.bullets(_why(result, out))

    doc.heading(t("Cost and protection by strategy"))
    doc.table([t(h) for h in STRATEGY_HEADER], _strategy_rows(result, out), size=7)
    doc.paragraph(t(COST_NOTE), size=7)
    if any(x.total_cost_interval is not None for x in c.strategies):
        doc.heading(t("Parameter uncertainty (90% ranges)"), size=11)
        _intervals(doc, result, out)
    if charts:
        _charts(doc, result, out)

    if s.tower is not None and s.tower.layers:
        doc.heading(t("Insurance quote: technical and market premium"))
        _market_quote(doc, result, out)

    doc.heading(t("Regulatory minimum"))
    _regulation(doc, result, out)

    if sensitivity:
        doc.heading(t("Sensitivity"))
        _sensitivity(doc, result, out)

    doc.heading(t("Assumptions and data sources"))
    _assumptions(doc, result, out)
    doc.paragraph(t(DISCLAIMER), size=7)
    return doc.output()


COST_NOTE = (
    "Cost of risk per year: insurance premium, losses the reserve pays, the cost of carrying "
    "the reserve, losses left to customers, the cost of bridging the insurer's payment delay, "
    "and a capital charge for any 1-in-200 loss beyond the reserve. 'All compensated' is the "
    "share of years in which every customer is paid in full."
)
DISCLAIMER = (
    "Prepared with Vaultcover from a public incident history and the stated assumptions. "
    "Figures are estimates for decision support, not an offer of insurance or legal advice."
)


def comparison_report_pdf(
    results: Sequence[ScenarioResult],
    *,
    issued: dt.date | None = None,
    lang: str = "en",
    currency: str = "USD",
    fx: Any = None,
    **fonts: Any,
) -> bytes:
    """The client report of 2–4 scenarios side by side, with the assumptions that differ, in
    ``lang`` with amounts in ``currency``."""
    check_language(lang)
    out = _Out(Money(currency, lang, fx))
    t = out.t
    issued = issued or dt.date.today()
    table = scenario_table(results)
    names = [r.scenario.name for r in results]
    doc = Document(f"Vaultcover {t('comparison')}: " + ", ".join(names), **fonts)
    doc.heading(f"{t('Scenarios compared')}: " + ", ".join(names), size=15)
    doc.paragraph(
        t("Date {date}. Rows marked * differ between the scenarios.").format(
            date=issued.isoformat()
        )
    )
    shown = readable_scenario_table(table, out)
    doc.table(
        [t("Measure"), *names],
        [
            [("* " if differs else "") + _measure(m, out), *vals]
            for m, differs, vals in zip(
                shown["measure"], table["differs"], shown[names].values.tolist(), strict=True
            )
        ],
        size=8,
        align=["L", *["R"] * len(names)],
    )
    differences = assumption_differences([r.scenario for r in results])
    doc.heading(t("Assumptions that differ"))
    if differences.empty:
        doc.paragraph(t("None: the scenarios have the same inputs."))
    else:
        doc.table(
            [t("Assumption"), *names],
            [
                [plain_assumption(r[0]), *(_value(v) for v in r[1:])]
                for r in differences.itertuples(index=False)
            ],
            size=7,
        )
    doc.heading(t("Recommendations"))
    for r in results:
        doc.paragraph(f"{r.scenario.name}: {out.recommendation(r.comparison)}")
    return doc.output()


def _measure(measure: str, out: _Out) -> str:
    """A measure's name in the report's language and currency (``(USD`` -> the currency)."""
    if out.money.currency != "USD":
        measure = measure.replace("(USD", f"({out.money.currency}")
    return out.t(measure)
