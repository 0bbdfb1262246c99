"""Insurer quote, the drawing of its results: the tower table with technical and market
premium, and one layer in detail (the page's texts are here too). Words go through the page's
``t`` and amounts through its :class:`~pricing.quote_pdf.Money` (display currency)."""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd
import streamlit as st

from app_pages import locale
from app_pages.chart import plotly_chart
from app_pages.page_text import EMPTY, amount_unit
from pricing.coverage import LayerQuote, TowerQuote
from pricing.market import MarketTerms
from pricing.market_quotes import CurveFit
from pricing.plots import fit_titles
from pricing.quote_data import MARKET_BASIS, PRINCIPLE_LABELS
from pricing.quote_pdf import Money, not_placeable_reason, tower_figure

#: Long texts of the page (message ids of the catalogue).
PAGE_HELP = (
    "An insurer's view of theft cover for the exchange set on the **Exchange profile** page. "
    "Each **layer** pays, for each theft, the part of the loss above its **retention** up to "
    "its **limit** (per theft, in {M}); the insurer takes its **share** of that. "
    "**Reinstatements** is how many times the limit can be used again in the year after a "
    "claim (each at 100% of the upfront premium, pro rata; empty = unlimited). Layers may not "
    "overlap. For each layer: **expected loss** E[L] is the insurer's expected yearly payment; "
    "the **technical premium** adds a risk loading by the chosen principle, then expenses; the "
    "**market premium** is what the market would quote: a market curve by cover type (cold "
    "storage, hot wallets, a wallet provider), at least the minimum rate on line, the minimum "
    "premium, a minimum multiple of the expected loss and the technical premium, plus a "
    "scarcity load as the insured's limit nears the market's capacity; beyond capacity, or "
    "below the minimum retention, the layer is **not placeable**. The market premium is the "
    "quote basis unless a rate on line is entered. The **rate on line** is the upfront premium "
    "÷ the placed limit; the **loss ratio** is E[L] ÷ premium. The 90% range shows how the "
    "premium moves when the loss model's parameters are drawn from their estimated uncertainty."
)
PRINCIPLE_HELP = (
    "How the risk loading of the technical premium is set: expected value (1 + θ) E[L]; "
    "standard deviation E[L] + κ σ; Wang transform of the loss distribution; cost of capital "
    "E[L] + CoC × capital. The table by principle below shows all four."
)
RANGES_HELP = (
    "Prices every layer again under {n} draws of the loss model's parameters (seeded) and "
    "shows the central 90% of the premiums. Takes several seconds per layer."
)
MARKET_CAPTION = (
    "Market terms: curve {curve}; minimum premium {minimum}; at least {multiple}× the "
    "expected loss; capacity {capacity} per insured. Minimum rates on line, minimum premium, "
    "minimum retention and the scarcity load are assumptions (market conventions, no "
    "published figure)."
)
QUOTES_HELP = (
    "Enter 1 to {n} market quotes you have for this exchange (retention, limit and the premium "
    "or the rate on line). The market curve is fitted to them by least squares on the log rate "
    "on line and then prices every layer above; a quote below a cover type's minimum rate on "
    "line lowers that floor."
)
DOWNLOADS_HELP = (
    "CSV: one row per layer with its terms, expected loss, technical and market premium, "
    "placeable, the 90% range and every principle. Excel adds the premium by principle, the "
    "subjectivities and exclusions, every assumption and the inputs, with currency and "
    "percentage formats. PDF: the sheet to send, with the tower diagram. In the display "
    "language and currency."
)


def pct(x: float, digits: int = 2) -> str:
    """Ratio as a percentage for a metric (``–`` when not a number)."""
    return f"{100 * x:.{digits}f}%" if math.isfinite(x) else "–"


def tower_diagram(quote: TowerQuote, money: Money, t: Callable[[str], str]) -> None:
    """The tower drawn to scale (the quote sheet's diagram), in the display currency: the
    library draws USD million, the bars are rescaled to the unit amounts are typed in."""
    if not quote.quotes:
        return
    fig = tower_figure(quote, money)
    size, unit = amount_unit()
    factor = locale.from_usd(1e6) / size
    layers = {q.layer.label: q for q in quote.quotes}
    for trace in fig.data:
        trace.y = tuple(v * factor for v in trace.y)
        if trace.base is not None:
            trace.base = tuple(b * factor for b in trace.base)
        q = layers.get(trace.name)
        if q is None:  # the exchange's own retention, already in the page's words
            trace.hovertemplate = f"{trace.text[0]}<extra></extra>"
            continue
        lay = q.layer
        size_text = t("{limit} xs {retention}").format(
            limit=money.compact(lay.limit) if math.isfinite(lay.limit) else t("unlimited"),
            retention=money.compact(lay.retention),
        )
        premium = money.compact(q.premium) if q.placeable else t("not placeable")
        rol = f"{100 * q.rate_on_line:.2f}%" if math.isfinite(q.rate_on_line) else "–"
        trace.name = t(lay.label)
        trace.text = [
            f"{trace.name}: {size_text}<br>{100 * lay.share:g}% · {t('premium')} {premium} · "
            f"{t('rate on line')} {rol}"
        ]
        trace.hovertemplate = f"{trace.text[0]}<extra></extra>"
    fig.update_yaxes(title=t("Per theft, {unit}").format(unit=unit))
    # A label too small to read (a thin retention) is left to the hover, not shrunk to dust.
    fig.update_layout(uniformtext={"minsize": 11, "mode": "hide"})
    plotly_chart(fit_titles(fig), key="q_tower")


def tower_table(
    quote: TowerQuote,
    terms: MarketTerms,
    fit: CurveFit | None,
    show_ranges: bool,
    t: Callable[[str], str],
    money: Money,
) -> None:
    """The tower's table: per layer technical and market premium, basis, placeable, the
    market terms that applied and (``show_ranges``) the 90% range; the market terms below."""
    CCY = money.currency
    layer_name = t
    table = pd.DataFrame(
        [
            {
                "layer": layer_name(q.layer.label),
                "cover_type": t(q.market.cover_type) if q.market else "–",
                "retention": locale.from_usd(q.layer.retention),
                "limit": locale.from_usd(q.layer.limit),
                "share": q.layer.share,
                "expected_loss": locale.from_usd(q.expected_loss),
                "technical_premium": locale.from_usd(q.technical_premium),
                "market_premium": locale.from_usd(q.market.premium)
                if q.market is not None and q.placeable
                else math.nan,
                "principle": t(q.basis),
                "premium": locale.from_usd(q.premium),
                "premium_low": locale.from_usd(q.premium_interval[0])
                if q.premium_interval
                else math.nan,
                "premium_high": locale.from_usd(q.premium_interval[1])
                if q.premium_interval
                else math.nan,
                "rate_on_line": q.rate_on_line,
                "loss_ratio": q.loss_ratio,
                "placeable": q.placeable,
                "market_term": t(MARKET_BASIS.get(q.market.basis, q.market.basis))
                if q.market is not None and q.placeable
                else "–",
                "minimum_rate_on_line": q.market.minimum_rate_on_line if q.market else math.nan,
                "capacity_share": q.market.capacity_share if q.market else math.nan,
                "scarcity_load": q.market.scarcity_load if q.market else math.nan,
                "p_attach": q.loss.p_attach,
                "p_exhaust": q.loss.p_exhaust_occurrence,
            }
            for q in quote.quotes
        ]
    )
    if not show_ranges:
        table = table.drop(columns=["premium_low", "premium_high"])
    amount = "%,.0f"
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key="tower_table",
        column_config={
            "layer": st.column_config.TextColumn(t("layer")),
            "cover_type": st.column_config.TextColumn(t("cover type")),
            "retention": st.column_config.NumberColumn(f"{t('retention')} ({CCY})", format=amount),
            "limit": st.column_config.NumberColumn(f"{t('limit')} ({CCY})", format=amount),
            "share": st.column_config.NumberColumn(t("share"), format="percent"),
            "expected_loss": st.column_config.NumberColumn(
                f"{t('expected loss')} ({CCY})", format=amount
            ),
            "technical_premium": st.column_config.NumberColumn(
                f"{t('technical premium')} ({CCY})", format=amount
            ),
            "market_premium": st.column_config.NumberColumn(
                f"{t('market premium')} ({CCY})", format=amount
            ),
            "principle": st.column_config.TextColumn(t("quote basis")),
            "premium": st.column_config.NumberColumn(f"{t('premium')} ({CCY})", format=amount),
            "premium_low": st.column_config.NumberColumn(
                f"{t('90% range, low')} ({CCY})", format=amount
            ),
            "premium_high": st.column_config.NumberColumn(
                f"{t('90% range, high')} ({CCY})", format=amount
            ),
            "rate_on_line": st.column_config.NumberColumn(t("rate on line"), format="percent"),
            "loss_ratio": st.column_config.NumberColumn(t("loss ratio"), format="percent"),
            "placeable": st.column_config.CheckboxColumn(t("placeable")),
            "market_term": st.column_config.TextColumn(t("binding market term")),
            "minimum_rate_on_line": st.column_config.NumberColumn(
                t("minimum rate on line"), format="percent"
            ),
            "capacity_share": st.column_config.NumberColumn(t("capacity used"), format="percent"),
            "scarcity_load": st.column_config.NumberColumn(t("scarcity load"), format="percent"),
            "p_attach": st.column_config.NumberColumn(t("P(attach)"), format="%.4f"),
            "p_exhaust": st.column_config.NumberColumn(t("P(exhaust)"), format="%.4f"),
        },
        placeholder=EMPTY,
    )
    st.caption(
        t(MARKET_CAPTION).format(
            curve=terms.cover("cold").curve.describe()
            if fit is None
            else t("fitted to your quotes: {curve}").format(curve=fit.curve.describe()),
            minimum=money.whole(terms.minimum_premium_usd),
            capacity=money.compact(terms.capacity.per_insured_usd),
            multiple=f"{terms.minimum_multiple:g}",
        )
    )


def layer_detail(quote: TowerQuote, t: Callable[[str], str], money: Money) -> LayerQuote:
    """One layer chosen by the user: its loss, technical and market premium, the market's
    terms, and the technical premium by principle. Returns the layer's quote."""
    CCY = money.currency
    layer_name = t
    amount = "%,.0f"
    st.subheader(t("One layer in detail"))
    labels = [q.layer.label for q in quote.quotes]
    chosen = st.selectbox(t("Layer"), labels, key=f"q_layer_{money.lang}", format_func=layer_name)
    q = quote.quotes[labels.index(chosen) if chosen in labels else 0]
    lay = q.layer
    reinstated = (
        t("unlimited reinstatements")
        if lay.reinstatements is None
        else t("{n} reinstatement(s), annual limit {limit}").format(
            n=lay.reinstatements, limit=money.compact(lay.annual_limit)
        )
    )
    st.caption(
        t("{layer}: {limit} per theft above {retention}, {share}% placed, {reinstated}.").format(
            layer=layer_name(lay.label),
            limit=money.compact(lay.limit),
            retention=money.compact(lay.retention),
            share=f"{100 * lay.share:g}",
            reinstated=reinstated,
        )
    )
    d1, d2, d3, d4 = st.columns(4)
    d1.metric(
        f"{t('Expected loss')} ({CCY} {t('per year')})",
        money.compact(q.expected_loss),
        help=t("E[L], the insurer's share."),
    )
    d2.metric(
        f"{t('Standard deviation')} ({CCY})",
        money.compact(q.loss.std),
        help=t("σ[L] of the yearly payment."),
    )
    d3.metric(
        t("P(attach)"),
        f"{q.loss.p_attach:.4f}",
        help=t("At least one theft reaches the retention."),
    )
    d4.metric(
        t("P(exhaust)"),
        f"{q.loss.p_exhaust_occurrence:.4f}",
        help=t("At least one theft uses up the per-theft limit."),
    )
    e1, e2, e3, e4 = st.columns(4)
    e1.metric(
        f"{t('Technical premium')} ({CCY} {t('per year')})",
        money.compact(q.technical_premium),
        help=t("By the {principle} principle: the insurer's floor.").format(
            principle=t(PRINCIPLE_LABELS[q.principle])
        ),
    )
    e2.metric(
        f"{t('Market premium')} ({CCY} {t('per year')})",
        money.compact(q.market.premium)
        if q.market is not None and q.placeable
        else t("not placeable"),
        help=t("What the market would quote: the curve, its floors and the capacity load."),
    )
    e3.metric(
        f"{t('Quoted premium')} ({CCY} {t('per year')})",
        money.compact(q.premium) if q.placeable else "–",
        help=t("Quote basis: {basis}.").format(basis=t(q.basis)),
    )
    e4.metric(
        t("90% range"),
        (
            f"{money.compact(q.premium_interval[0])} – {money.compact(q.premium_interval[1])}"
            if q.premium_interval
            else "–"
        ),
        help=t("Premium over parameter draws; turn on the ranges above."),
    )
    if q.market is not None:
        mk = q.market
        f1, f2, f3, f4 = st.columns(4)
        f1.metric(
            t("Binding market term"),
            t(MARKET_BASIS.get(mk.basis, mk.basis)) if q.placeable else t("not placeable"),
            help=t("The largest of the curve premium and the market's floors."),
        )
        f2.metric(
            t("Minimum rate on line"),
            pct(mk.minimum_rate_on_line),
            help=t("Floor for this cover type ({cover}).").format(cover=t(mk.cover_type)),
        )
        f3.metric(
            t("Capacity used"),
            pct(mk.capacity_share, 0),
            help=t("The insured's limit up to this layer's top ÷ capacity {cap}.").format(
                cap=money.compact(mk.capacity_available)
            ),
        )
        f4.metric(
            t("Scarcity load"),
            pct(mk.scarcity_load, 1),
            help=t("Added as the insured's limit approaches the market's capacity."),
        )
        if not q.placeable:
            st.warning(f"{t('not placeable')}: {not_placeable_reason(q, money, t)}")
    st.markdown(f"**{t('Technical premium by principle')}** ({CCY} {t('per year')})")
    principles = q.table()
    principles = principles[principles["principle"] != "market"].assign(
        principle=lambda f: f["principle"].map(lambda p: t(PRINCIPLE_LABELS.get(p, p))),
        risk_premium=lambda f: f["risk_premium"].map(locale.from_usd),
        gross_premium=lambda f: f["gross_premium"].map(locale.from_usd),
    )
    st.dataframe(
        principles,
        hide_index=True,
        width="stretch",
        key="principles_table",
        column_config={
            "principle": st.column_config.TextColumn(t("principle")),
            "risk_premium": st.column_config.NumberColumn(t("risk premium"), format=amount),
            "gross_premium": st.column_config.NumberColumn(t("technical premium"), format=amount),
            "rate_on_line": st.column_config.NumberColumn(t("rate on line"), format="percent"),
            "loss_ratio": st.column_config.NumberColumn(t("loss ratio"), format="percent"),
            "minimum_applied": st.column_config.CheckboxColumn(t("minimum premium applied")),
        },
        placeholder=EMPTY,
    )
    return q
