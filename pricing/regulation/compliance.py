"""What a strategy must satisfy: the reserve each rule still requires with a layer in force,
the policies a rule requires, and how insurance counts, requirement by requirement."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ._base import RegulatoryMinimum

__all__ = ["compliance", "counts_text", "reserve_floor"]


def reserve_floor(
    rule: RegulatoryMinimum | Sequence[RegulatoryMinimum],
    retention: Any,
    limit: Any,
    scenario: Any = None,
) -> np.ndarray:
    """Reserve the rules still require with a per-occurrence layer ``limit xs retention`` (USD).

    Each requirement the exchange funds itself counts in turn. A policy counts for the part of
    a requirement ``C`` it stands behind: a loss of size ``C`` is paid by it above its
    retention, so its credit is ``clip(min(d + l, C) − d, 0, l)`` (the limit used by one
    requirement is not available to the next). ``yes``: the credit may replace all of ``C``;
    ``partly`` (Japan 2027): at most ``insurance_share_max × C``; ``no``, ``required``, or a
    crime layer that is not an eligible form (MiCA): the reserve holds it all. Several rules
    (an exchange licensed in several jurisdictions): the largest floor, one reserve counting
    towards each. ``scenario`` is accepted for compatibility (the rule carries its share).
    """
    d = np.asarray(retention, dtype=float)
    lim = np.asarray(limit, dtype=float)
    shape = np.broadcast(d, lim).shape
    rules = (rule,) if isinstance(rule, RegulatoryMinimum) else tuple(rule)
    out = np.zeros(shape)
    for r in rules:
        own = [q for q in r.requirements if q.in_floor]
        if not own:  # a result built without requirement rows
            out = np.maximum(out, np.full(shape, r.amount_usd))
            continue
        floor = np.zeros(shape)
        left = np.broadcast_to(lim, shape).astype(float)
        for q in own:
            amount = q.amount_usd
            credit = np.zeros(shape)
            if q.layer_counts and q.insurance_counts in ("yes", "partly"):
                credit = np.clip(np.minimum(d + left, amount) - d, 0.0, left)
                if q.insurance_counts == "partly":
                    credit = np.minimum(credit, q.insurance_share_max * amount)
                left = left - credit
            floor = floor + np.maximum(amount - credit, 0.0)
        out = np.maximum(out, floor)
    return out


def compliance(
    rules: Sequence[RegulatoryMinimum], retention: Any, limit: Any
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Whether a layer ``limit xs retention`` satisfies every required policy of ``rules``.

    A required policy (VARA: crime insurance for all hot-wallet assets) is met when the limit
    is at least its amount and the retention at most its largest retention. Returns the mask
    (broadcast of the inputs) and a text per required policy.
    """
    d = np.asarray(retention, dtype=float)
    lim = np.asarray(limit, dtype=float)
    ok = np.ones(np.broadcast(d, lim).shape, dtype=bool)
    texts = []
    for r in rules:
        for q in r.required_insurance:
            tol = 1e-9 * max(q.amount_usd, 1.0)
            ok &= (lim >= q.amount_usd - tol) & (d <= q.max_retention_usd + tol)
            texts.append(f"{r.regime}: {q.name} with a limit ≥ USD {q.amount_usd:,.0f}")
    return ok, tuple(texts)


def counts_text(
    rule: RegulatoryMinimum,
    lang: str = "en",
    money: Callable[[float], str] | None = None,
) -> str:
    """How insurance counts towards ``rule``, requirement by requirement, in ``lang`` with
    amounts written by ``money`` (a USD amount to text; default ``USD 1,234``)."""
    from ..i18n import tr

    def t(text: str) -> str:
        return tr(text, lang)

    write = money or (lambda usd: f"USD {usd:,.0f}")
    texts = []
    for q in rule.requirements:
        if q.funded_by == "customer":
            continue
        if q.funded_by == "insurance":
            texts.append(
                t("{name}: required, limit at least {amount}").format(
                    name=t(q.name), amount=write(q.amount_usd)
                )
            )
        elif q.insurance_counts == "partly" and q.layer_counts:
            texts.append(
                t("{name}: up to {share}% of it").format(
                    name=t(q.name), share=f"{100 * q.insurance_share_max:.0f}"
                )
            )
        elif q.insurance_counts in ("yes", "partly") and not q.layer_counts:
            texts.append(
                t("{name}: not the crime layer (another policy form counts)").format(name=t(q.name))
            )
        else:
            texts.append(f"{t(q.name)}: {t(q.insurance_counts)}")
    return "; ".join(texts) or t(rule.insurance_counts)
