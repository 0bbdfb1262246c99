"""One chunk of simulated years, and the streaming reduction of many chunks.

A chunk of ``n`` years is simulated from its own seed, ``SeedSequence(seed,
spawn_key=(chunk,))``, so a year's outcome depends only on the seed, the chunk size and the
chunk's index: never on the number of workers or the order chunks finish in.

Each chunk is reduced at once to a :class:`TailState` of bounded size: the exact sums, integer
histograms of the yearly loss and of the largest occurrence on fixed edges, and the ``k``
largest years (``k = ⌊(1 − α_min) N⌋ + 1`` for ``N`` years in all) with each exchange's part
in them, and the ``k`` largest years of each provider group. Each exchange's own yearly
losses go into :data:`ALONE_BINS` bins on ``(0, U]`` and one bin above ``U``, each holding a
count and an exact sum, which give its stand-alone TVaR to within one bin width
(``U / ALONE_BINS``; ``U`` is the most the layer can pay in a year, ``share × annual limit``,
or 16 full limits when there is no annual limit).
Two states merge exactly
(:meth:`TailState.merge`: sums by chunk, counts added, top-k re-selected with ties broken by
the year's index), so the merged state is the same whatever the order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .model import PortfolioModel

__all__ = ["ALONE_BINS", "EDGES", "TailState", "simulate_chunk", "tail_size"]

#: Bins of each exchange's stand-alone yearly loss on (0, U]: TVaR to U / 1024.
ALONE_BINS = 1024

#: Histogram edges (USD): 0, then 1e3 to 1e13 with 50 bins a decade; a last bin to infinity.
EDGES = np.concatenate([[0.0], np.logspace(3, 13, 501)])


def tail_size(years: int, level: float) -> int:
    """``k = ⌊(1 − α) N⌋ + 1``: the largest years needed for VaR and TVaR at level ``α``."""
    return math.floor(round((1.0 - level) * years, 9)) + 1


@dataclass(eq=False)
class TailState:
    """Streaming summary of simulated years (see the module docstring).

    ``top_*``: the ``k`` largest yearly totals, their global year index and, as sparse
    triples, the exchanges' parts (``part_year`` indexes ``top_total``). ``group_top`` holds,
    per provider group, the ``k`` largest yearly totals and their year indices.
    """

    k: int
    n_exchanges: int
    n_groups: int
    chunk_sums: dict[int, float] = field(default_factory=dict)
    chunk_years: dict[int, int] = field(default_factory=dict)
    exchange_sums: dict[int, np.ndarray] = field(default_factory=dict)
    hist_total: np.ndarray | None = None
    hist_occurrence: np.ndarray | None = None
    top_total: np.ndarray = field(default_factory=lambda: np.zeros(0))
    top_year: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    part_year: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    part_exchange: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    part_amount: np.ndarray = field(default_factory=lambda: np.zeros(0))
    occ_top: np.ndarray = field(default_factory=lambda: np.zeros(0))
    occ_year: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    group_top: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    alone_count: np.ndarray | None = None  # (n_exchanges, ALONE_BINS + 2) once merged
    alone_sum: np.ndarray | None = None
    alone_flat: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    alone_value: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def alone_bins(self) -> tuple[np.ndarray, np.ndarray]:
        """Counts and sums of each exchange's positive yearly losses by bin (dense)."""
        size = self.n_exchanges * (ALONE_BINS + 2)
        shape = (self.n_exchanges, ALONE_BINS + 2)
        if self.alone_flat.size == 0 and self.alone_count is not None:
            assert self.alone_sum is not None
            return self.alone_count, self.alone_sum
        count = np.bincount(self.alone_flat, minlength=size).astype(np.float64)
        total = np.bincount(self.alone_flat, weights=self.alone_value, minlength=size).astype(
            np.float64
        )
        if self.alone_count is not None and self.alone_sum is not None:
            count += self.alone_count.ravel()
            total += self.alone_sum.ravel()
        return count.reshape(shape), total.reshape(shape)

    @property
    def years(self) -> int:
        """Years summarised."""
        return sum(self.chunk_years.values())

    def merge(self, other: TailState) -> TailState:
        """Combine two summaries of disjoint chunks (exact; the order does not matter)."""
        if set(self.chunk_sums) & set(other.chunk_sums):
            raise ValueError("merge: the two summaries share a chunk")
        if self.hist_total is None:
            return other
        if other.hist_total is None:
            return self
        out = TailState(self.k, self.n_exchanges, self.n_groups)
        out.chunk_sums = self.chunk_sums | other.chunk_sums
        out.chunk_years = self.chunk_years | other.chunk_years
        out.exchange_sums = self.exchange_sums | other.exchange_sums
        out.hist_total = self.hist_total + other.hist_total
        assert self.hist_occurrence is not None and other.hist_occurrence is not None
        out.hist_occurrence = self.hist_occurrence + other.hist_occurrence
        total = np.concatenate([self.top_total, other.top_total])
        year = np.concatenate([self.top_year, other.top_year])
        keep = _top(total, year, self.k)
        offset = self.top_total.size
        p_year = np.concatenate([self.part_year, other.part_year + offset])
        p_ex = np.concatenate([self.part_exchange, other.part_exchange])
        p_amt = np.concatenate([self.part_amount, other.part_amount])
        new_index = np.full(total.size, -1, dtype=np.int64)
        new_index[keep] = np.arange(keep.size)
        mask = new_index[p_year] >= 0
        out.top_total, out.top_year = total[keep], year[keep]
        out.part_year, out.part_exchange, out.part_amount = (
            new_index[p_year[mask]],
            p_ex[mask],
            p_amt[mask],
        )
        occ = np.concatenate([self.occ_top, other.occ_top])
        occ_y = np.concatenate([self.occ_year, other.occ_year])
        keep = _top(occ, occ_y, self.k)
        out.occ_top, out.occ_year = occ[keep], occ_y[keep]
        (c1, s1), (c2, s2) = self.alone_bins(), other.alone_bins()
        if self.alone_flat.size == 0 and self.alone_count is not None:
            c1 += c2  # self is a running total (its arrays are its own): add in place
            s1 += s2
            out.alone_count, out.alone_sum = c1, s1
        else:
            out.alone_count, out.alone_sum = c1 + c2, s1 + s2
        for (a, ay), (b, by) in zip(self.group_top, other.group_top, strict=True):
            v, y = np.concatenate([a, b]), np.concatenate([ay, by])
            keep = _top(v, y, self.k)
            out.group_top.append((v[keep], y[keep]))
        return out


def _top(values: np.ndarray, years: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest values, sorted descending, ties by the smaller year index."""
    order = np.lexsort((years, -values))
    return order[:k]


def simulate_chunk(
    model: PortfolioModel,
    chunk: int,
    n_years: int,
    seed: int,
    k: int,
    first_year: int,
    floor: float = 0.0,
) -> TailState:
    """Simulate years ``first_year … first_year + n_years − 1`` (chunk ``chunk``) and
    summarise them.

    ``floor`` is the ``k``-th largest yearly total merged so far: a year below it can never
    enter the final top ``k``, so its total and parts are not returned (the result does not
    change; only less is sent and merged).
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(chunk,)))
    a = model.arrays
    n_ex = len(model.exchanges)
    factor = (
        rng.gamma(model.size, 1.0 / model.size, n_years)
        if math.isfinite(model.size)
        else np.ones(n_years)
    )

    # Own thefts: per year Poisson(Λ G_y), each given to an exchange in proportion to its rate.
    own = a["own_rate"]
    total_own = float(own.sum())
    counts = rng.poisson(total_own * factor) if total_own > 0 else np.zeros(n_years, dtype=int)
    year_own = np.repeat(np.arange(n_years), counts)
    cum = np.cumsum(own) / total_own if total_own > 0 else np.ones(n_ex)
    ex_own = np.minimum(np.searchsorted(cum, rng.random(year_own.size), side="right"), n_ex - 1)
    hot = rng.random(year_own.size) < a["hot_weight"][ex_own]
    cap_own = np.where(hot, a["hot_cap"][ex_own], a["other_cap"][ex_own])
    occ_own = np.arange(year_own.size)

    # Provider compromises: per provider and year Poisson(μ_p G_y); each reaches client i
    # with probability q_ip, in the same occurrence.
    years_p, ex_p, occ_p = [], [], []
    next_occ = year_own.size
    for j, mu in enumerate(model.compromise_rates):
        events = rng.poisson(mu * factor)
        n_events = int(events.sum())
        if n_events == 0:
            continue
        ev_year = np.repeat(np.arange(n_years), events)
        clients = np.flatnonzero(a["hit"][j])
        # each client is reached by Binomial(events, q_ip) of the compromises, chosen at
        # random without repetition (the same law as one Bernoulli(q_ip) per event and client)
        n_hit = rng.binomial(n_events, a["hit"][j, clients])
        ev = np.concatenate(
            [rng.choice(n_events, h, replace=False) for h in n_hit if h > 0] or [np.zeros(0)]
        ).astype(np.int64)
        cl = np.repeat(np.arange(clients.size), n_hit)
        years_p.append(ev_year[ev])
        ex_p.append(clients[cl])
        occ_p.append(next_occ + ev)
        next_occ += n_events
    year = np.concatenate([year_own, *years_p]).astype(np.int64)
    ex = np.concatenate([ex_own, *ex_p]).astype(np.int64)
    occ = np.concatenate([occ_own, *occ_p]).astype(np.int64)
    cap = np.concatenate([cap_own, *(a["provider_cap"][e] for e in ex_p)])

    # Loss sizes: the common law scaled by the exchange, capped by the route's reach.
    loss = np.minimum(np.asarray(model.base.ppf(rng.random(year.size))) * a["scale"][ex], cap)
    ceded = np.clip(loss - a["retention"][ex], 0.0, a["limit"][ex])

    # Yearly layer loss per exchange, after the annual terms and the share.
    key = year * n_ex + ex
    if n_years * n_ex <= 20_000_000:  # a dense count is faster than sorting the keys
        dense = np.bincount(key, weights=ceded, minlength=n_years * n_ex)
        uniq = np.flatnonzero(dense)
        per_year = dense[uniq]
    else:
        uniq, inv = np.unique(key, return_inverse=True)
        per_year = np.bincount(inv, weights=ceded, minlength=uniq.size)
    ux, uy = uniq % n_ex, uniq // n_ex
    paid = a["share"][ux] * np.clip(per_year - a["agg_retention"][ux], 0.0, a["agg_limit"][ux])
    nz = paid > 0
    ux, uy, paid = ux[nz], uy[nz], paid[nz]
    total = np.bincount(uy, weights=paid, minlength=n_years)

    # Largest occurrence of the year for the insurer (a provider event is one occurrence).
    occ_paid = np.bincount(occ, weights=a["share"][ex] * ceded, minlength=next_occ)
    occ_year = np.zeros(next_occ, dtype=np.int64)
    occ_year[occ] = year
    largest = np.zeros(n_years)
    if next_occ:
        order = np.argsort(occ_year, kind="stable")
        sorted_years = occ_year[order]
        starts = np.flatnonzero(np.r_[True, sorted_years[1:] != sorted_years[:-1]])
        largest[sorted_years[starts]] = np.maximum.reduceat(occ_paid[order], starts)

    state = TailState(k, n_ex, len(model.groups))
    state.chunk_sums[chunk] = math.fsum(total)
    state.chunk_years[chunk] = n_years
    state.exchange_sums[chunk] = np.bincount(ux, weights=paid, minlength=n_ex)
    state.hist_total = _histogram(total)
    state.hist_occurrence = _histogram(largest)
    years_global = first_year + np.arange(n_years, dtype=np.int64)
    positive = np.flatnonzero((total > 0) & (total >= floor))
    keep = positive[_top(total[positive], years_global[positive], k)]
    state.top_total, state.top_year = total[keep], years_global[keep]
    index = np.full(n_years, -1, dtype=np.int64)
    index[keep] = np.arange(keep.size)
    mask = index[uy] >= 0
    state.part_year, state.part_exchange, state.part_amount = index[uy[mask]], ux[mask], paid[mask]
    positive = np.flatnonzero(largest > 0)
    keep = positive[_top(largest[positive], years_global[positive], k)]
    state.occ_top, state.occ_year = largest[keep], years_global[keep]
    top = a["alone_top"][ux]
    b = np.clip(np.ceil(paid / top * ALONE_BINS), 1, ALONE_BINS + 1).astype(np.int64)
    state.alone_flat, state.alone_value = ux * (ALONE_BINS + 2) + b, paid
    member = a["member"]
    for g in range(len(model.groups)):
        sel = member[g, ux]
        group_total = np.bincount(uy[sel], weights=paid[sel], minlength=n_years)
        positive = np.flatnonzero(group_total > 0)
        keep = positive[_top(group_total[positive], years_global[positive], k)]
        state.group_top.append((group_total[keep], years_global[keep]))
    return state


def _histogram(values: np.ndarray) -> np.ndarray:
    """Counts per bin of :data:`EDGES` (bin ``j``: ``EDGES[j] < x ≤ EDGES[j+1]``; bin 0 holds
    zero too; the last bin everything above 1e13)."""
    index = np.searchsorted(EDGES, values, side="left")
    return np.bincount(np.clip(index, 0, EDGES.size), minlength=EDGES.size + 1).astype(np.int64)
