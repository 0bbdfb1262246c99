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
from typing import Any

import pandas as pd

from .pdfdoc import Document, chart_png
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


def plain_assumption(key: str) -> str:
    """A scenario field path in words: ``strategy.frictions.dispute_probability`` ->
    ``strategy › frictions › dispute probability``."""
    return key.replace("_", " ").replace(".", " › ")


def readable_scenario_table(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`pricing.scenario.scenario_table` as text: currency and rounding on every amount,
    shares in %, plain strategy names (column ``differs`` dropped)."""
    out = table.drop(columns=["differs"]).astype(object)
    for i, measure in enumerate(out["measure"]):
        for column in out.columns[1:]:
            v = out.at[i, column]
            if "(USD" in measure:
                text = usd_text(v)
            elif measure.startswith("cost, %"):
                text = f"{v:.3f}%"
            elif measure == "P(all compensated)":
                text = f"{100 * v:.2f}%"
            elif measure == "recommended strategy":
                text = STRATEGY_NAMES.get(v, str(v))
            else:
                text = str(v)
            out.at[i, column] = text
    return out.astype(str)


def _strategy_rows(result: ScenarioResult) -> list[list[str]]:
    c = result.comparison
    return [
        [
            STRATEGY_NAMES.get(s.name, s.name)
            + (" (recommended)" if s.name == c.recommended else ""),
            usd_text(s.retention) if s.limit > 0 else "–",
            usd_text(s.limit) if s.limit > 0 else "none",
            usd_text(s.reserve),
            usd_text(s.components.get("premium", 0.0)),
            usd_text(s.total_cost),
            f"{s.cost_pct_assets:.3f}%",
            f"{s.cost_pct_revenue:.1f}%",
            f"{100 * s.p_full:.2f}%",
            usd_text(s.expected_shortfall),
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


def _why(result: ScenarioResult) -> list[str]:
    c = result.comparison
    best = c.get(c.recommended)
    target = c.assumptions.target
    lines = []
    for s in c.strategies:
        if s.name == best.name:
            continue
        gap = s.total_cost - best.total_cost
        reach = "meets" if s.meets_target else "does not meet"
        lines.append(
            f"{STRATEGY_NAMES.get(s.name, s.name)} costs {usd_text(abs(gap))} a year "
            f"{'more' if gap >= 0 else 'less'} and {reach} the {100 * target:g}% protection "
            "target."
        )
    lines.append(
        f"The reserve may not fall below the regulatory minimum of {usd_text(c.rule.amount_usd)} "
        f"({c.rule.name})."
    )
    return lines


def _charts(doc: Document, result: ScenarioResult) -> None:
    from . import plots

    for fig in (plots.frontier_chart(result.comparison), plots.cost_heatmap(result.comparison)):
        png = chart_png(fig, width=1000, height=560)
        if png is None:
            doc.paragraph("(Chart not rendered: kaleido with chromium is not available.)")
            return
        doc.image(png, width=doc.width * 0.9)


def _sensitivity(doc: Document, result: ScenarioResult) -> None:
    from .sensitivity import tornado

    t = tornado(result.model, result.calibration, result.scenario.regime, result.scenario.strategy)
    base = STRATEGY_NAMES.get(t.base_strategy, t.base_strategy)
    doc.paragraph(
        f"Base: {usd_text(t.base_cost)} a year ({base}). Each assumption moved to a low and a "
        "high value, the others kept:"
    )
    doc.table(
        ["Assumption", "Low value", "High value", "Cost at low", "Cost at high", "Swing"],
        [
            [
                r.factor,
                r.low_label,
                r.high_label,
                usd_text(r.low_cost),
                usd_text(r.high_cost),
                usd_text(r.swing),
            ]
            for r in t.table().itertuples()
        ],
        size=7,
    )


def _assumptions(doc: Document, result: ScenarioResult) -> None:
    from .profiles import profile_table

    s = result.scenario
    a = s.strategy
    doc.table(
        ["Field", "Value", "Unit"],
        [[r.label, r.value, r.unit] for r in profile_table(s.profile).itertuples()],
        size=7,
        align=["L", "R", "L"],
    )
    spec = s.calibration
    doc.table(
        ["Assumption", "Value"],
        [
            ["Protection target", f"{100 * a.target:g}% of years"],
            ["Dispute probability", f"{100 * a.frictions.dispute_probability:g}%"],
            ["Insurer payment delay", f"{a.frictions.payment_delay_months:g} months"],
            ["Insurance capacity", usd_text(a.capacity_usd)],
            [
                "Market rate on line",
                "technical premium"
                if a.market_rate_on_line is None
                else f"{100 * a.market_rate_on_line:g}%",
            ],
            ["Reporting threshold", usd_text(spec.threshold)],
            ["On-level index", spec.on_level.replace("_", " ")],
            ["Count model", spec.frequency_model + (" with year trend" if spec.trend else "")],
            ["Incident years", "all" if spec.years is None else f"{spec.years[0]}–{spec.years[1]}"],
        ],
        size=7,
        align=["L", "L"],
    )
    table = result.model.assumption_table()
    doc.table(
        ["Loss-model assumption", "Value", "Unit", "Basis"],
        [[r.assumption, _value(r.value), r.unit, r.basis] for r in table.itertuples()],
        size=7,
        align=["L", "R", "L", "L"],
    )
    doc.paragraph(f"Severity of one theft (in words): {result.model.severity.describe()}", size=7)
    doc.paragraph(
        "Incident data: "
        + (
            f"the user's file {s.incidents_name or 'uploaded incidents'}."
            if s.incidents_csv is not None
            else "the shipped public incident history (every row with its public source)."
        ),
        size=7,
    )


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:,.6g}" if abs(v) < 1e6 else f"{v:,.0f}"
    return "" if v is None else str(v)


def _regulation(doc: Document, result: ScenarioResult) -> None:
    rule = result.comparison.rule
    doc.paragraph(
        f"{rule.name}: {usd_text(rule.amount_usd)} "
        f"({rule.currency} {rule.amount_local:,.0f}; "
        f"{result.comparison.minimum_pct_assets:.2f}% of customer assets). Insurance counts "
        f"towards it: {rule.insurance_counts}.",
        bold=True,
    )
    if result.scenario.regime == "jp-draft":
        doc.paragraph(
            "Japan's planned liability reserve is not law: its formula has not been published, "
            "so this minimum is an assumed scenario whose assumptions are listed below."
        )
    doc.paragraph(f"Formula: {rule.formula}")
    doc.paragraph(f"With the numbers: {rule.formula_substituted}")
    for line in rule.assumptions:
        doc.paragraph(f"Assumption: {line}", size=7)
    doc.paragraph("Sources:", bold=True)
    for ref in rule.source:
        doc.paragraph(f"{ref.ref} {ref.title} (grade {ref.grade})", size=7)
        for url in ref.urls:
            doc.link(url, url, size=7)


def scenario_report_pdf(
    result: ScenarioResult,
    *,
    saved: Any = None,
    charts: bool = True,
    sensitivity: bool = True,
    issued: dt.date | None = None,
    **fonts: Any,
) -> bytes:
    """The client report of one evaluated scenario (A4 portrait PDF).

    ``saved`` (a :class:`pricing.store.SavedScenario`) adds owner, client and version;
    ``charts`` renders the frontier and heatmap through kaleido; ``sensitivity`` re-runs the
    comparison for each assumption (the tornado; a few seconds).
    """
    s = result.scenario
    c = result.comparison
    issued = issued or dt.date.today()
    doc = Document(f"Vaultcover report: {s.name}", **fonts)
    doc.heading(f"Funding compensation for hacked customers: {s.name}", size=15)
    meta = [
        ["Exchange", s.profile.name],
        ["Client", s.client or "–"],
        ["Regime", f"{s.regime}: {c.rule.name}"],
        ["Date", issued.isoformat()],
    ]
    if saved is not None:
        meta.append(
            [
                "Scenario",
                f"version {saved.version}, owner {saved.owner}, saved "
                f"{saved.updated_at:%Y-%m-%d %H:%M} UTC by {saved.updated_by}",
            ]
        )
    doc.table(["", ""], meta, size=9, align=["L", "L"])

    doc.heading("Recommendation")
    doc.paragraph(c.recommendation(), size=10, bold=True)
    doc.heading("Why", size=11)
    doc.bullets(_why(result))

    doc.heading("Cost and protection by strategy")
    doc.table(STRATEGY_HEADER, _strategy_rows(result), size=7)
    doc.paragraph(
        "Cost of risk per year: insurance premium, losses the reserve pays, the cost of "
        "carrying the reserve, losses left to customers, the cost of bridging the insurer's "
        "payment delay, and a capital charge for any 1-in-200 loss beyond the reserve. "
        "'All compensated' is the share of years in which every customer is paid in full.",
        size=7,
    )
    if charts:
        _charts(doc, result)

    doc.heading("Regulatory minimum")
    _regulation(doc, result)

    if sensitivity:
        doc.heading("Sensitivity")
        _sensitivity(doc, result)

    doc.heading("Assumptions and data sources")
    _assumptions(doc, result)
    doc.paragraph(
        "Prepared with Vaultcover from a public incident history and the stated assumptions. "
        "Figures are estimates for decision support, not an offer of insurance or legal advice.",
        size=7,
    )
    return doc.output()


def comparison_report_pdf(
    results: Sequence[ScenarioResult], *, issued: dt.date | None = None, **fonts: Any
) -> bytes:
    """The client report of 2–4 scenarios side by side, with the assumptions that differ."""
    issued = issued or dt.date.today()
    table = scenario_table(results)
    names = [r.scenario.name for r in results]
    doc = Document("Vaultcover comparison: " + ", ".join(names), **fonts)
    doc.heading("Scenarios compared: " + ", ".join(names), size=15)
    doc.paragraph(f"Date {issued.isoformat()}. Rows marked * differ between the scenarios.")
    shown = readable_scenario_table(table)
    doc.table(
        ["Measure", *names],
        [
            [("* " if differs else "") + m, *vals]
            for m, differs, vals in zip(
                shown["measure"], table["differs"], shown[names].values.tolist(), strict=True
            )
        ],
        size=8,
        align=["L", *["R"] * len(names)],
    )
    differences = assumption_differences([r.scenario for r in results])
    doc.heading("Assumptions that differ")
    if differences.empty:
        doc.paragraph("None: the scenarios have the same inputs.")
    else:
        doc.table(
            ["Assumption", *names],
            [
                [plain_assumption(r[0]), *(_value(v) for v in r[1:])]
                for r in differences.itertuples(index=False)
            ],
            size=7,
        )
    doc.heading("Recommendations")
    for r in results:
        doc.paragraph(f"{r.scenario.name}: {r.comparison.recommendation()}")
    return doc.output()
