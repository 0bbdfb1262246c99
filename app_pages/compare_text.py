"""Words of the Compare page that are built from a result: the recommendation in the page's
language, and the regulatory minimum laid out as tables (formatting only; every number comes
from :mod:`pricing`)."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from app_pages.locale import lang, money, t
from pricing.regulation import RegulatoryMinimum
from pricing.regulation.compliance import counts_text as library_counts_text
from pricing.strategy import Comparison, words

#: The Compare page's "How to read this page" text (translated through the catalogue).
HOW_TO_READ = (
    "Three ways to fund compensation after a theft, for the exchange set on the **Exchange "
    "profile** page: **reserve only** (a fund the exchange holds), **insurance only** (cover "
    "with only the reserve the regulator requires) and the **hybrid** (a reserve for the first "
    "part of each theft and insurance of a layer above it: *limit* per theft above a "
    "*retention*), at the cheapest retention and limit of the optimiser's grid. The reserve is "
    "sized so that all customers are compensated in full in the **protection target** share of "
    "years, and never below the **regulatory minimum**.\n\n"
    "**Cost of risk** (per year) adds the insurance premium (the market's price; the technical "
    "premium is shown beside it as the insurer's floor), the losses the reserve pays, the cost "
    "of carrying the reserve (cost of capital less its after-tax yield), the losses left to "
    "customers, the cost of bridging the insurer's payment delay, and a capital charge for any "
    "1-in-200 loss beyond the reserve. **Insurance is not cash in hand**: a claim may be "
    "disputed and never paid, and the insurer pays months later. **P(all compensated)** is the "
    "chance that every customer is eventually paid in full in a year; **promptly** means from "
    "the reserve alone, at once. **Expected shortfall** is the average yearly loss left to "
    "customers; **1-in-200 uncompensated** what they would lose in a 1-in-200 year. Costs and "
    "P(all compensated) carry a **90% range** over draws of the fitted parameters, and the "
    "recommendation says in what share of draws it stays the cheapest.\n\n"
    "The **heatmap** shows the total cost of every retention and limit of the grid (the star is "
    "the optimum); type a retention and limit below it to inspect another structure. The "
    "**frontier** is the cheapest structure for each protection level. Every chart has a camera "
    "button (top right) that saves it as a PNG. The **regime's parameters** are editable: each "
    "is marked as a published rule or an assumption, with its reason and source."
)


def interval_text(interval: tuple[float, float] | None, amount: bool = True) -> str:
    """``low – high`` of a 90% range (amounts in the display currency, else percentages)."""
    if interval is None or not all(math.isfinite(v) for v in interval):
        return "—"
    if amount:
        return f"{money(interval[0])} – {money(interval[1])}"
    return f"{100 * interval[0]:.2f}% – {100 * interval[1]:.2f}%"


def strategy_name(name: str) -> str:
    """A strategy's display name in the page's language."""
    return words.strategy_name(name, lang())


def confidence_text(result: Comparison) -> str | None:
    """``hybrid in 83% of 20 draws`` in the page's language (``None`` without draws)."""
    return words.confidence_text(result, lang())


def recommendation(result: Comparison) -> str:
    """The recommendation in the page's language, amounts in the display currency."""
    return words.recommendation_text(result, lang(), money)


def counts_text(rule: RegulatoryMinimum) -> str:
    """How insurance counts towards ``rule``, requirement by requirement, translated."""
    return library_counts_text(rule, lang(), money)


def requirements_table(rule: RegulatoryMinimum) -> pd.DataFrame:
    """Every requirement that applies at once: amount, who funds it, how insurance counts,
    status, formula and sources."""
    rows = []
    for q in rule.requirements:
        treatment = t(f"insurance: {q.insurance_counts}")
        if q.insurance_counts == "partly":
            treatment += f" (≤ {q.insurance_share_max:.0%})"
        if not q.layer_counts and q.insurance_counts in ("yes", "partly"):
            treatment += "; " + t("a crime layer does not count")
        rows.append(
            {
                t("Requirement"): t(q.name),
                t("Amount"): money(q.amount_usd),
                t("Funded by"): t(f"funded by: {q.funded_by}"),
                t("Insurance counts"): treatment,
                t("Status"): t(q.status),
                t("Formula"): q.formula,
                t("Source"): " ".join(r.ref for r in q.source),
            }
        )
    return pd.DataFrame(rows)


def components_table(rule: RegulatoryMinimum) -> pd.DataFrame:
    """The rule's parts and related amounts in the display currency."""
    return pd.DataFrame(
        [{t("Part"): t(label), t("Amount"): money(usd)} for label, _, usd in rule.components]
    )


def notes(rule: RegulatoryMinimum) -> list[str]:
    """The rule's caveats, translated (the FX note is left out: the sidebar states the rate)."""
    return [t(n) for n in rule.notes if not n.startswith("FX rate")]


def sources(rule: RegulatoryMinimum) -> list[str]:
    """Every reference as ``[ref] title (grade, date) url`` (citations are not translated)."""
    return [str(r) for r in rule.source]


def safe(value: Any) -> str:
    """Text for markdown (``$``, ``*`` and ``_`` escaped)."""
    return str(value).replace("$", r"\$").replace("*", r"\*").replace("_", r"\_")
