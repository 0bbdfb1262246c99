"""``vaultcover data check``: the sourcing and consistency rules of the incident data, checked.

The loaders (:mod:`pricing.data`) reject what cannot be read (a bad date, an unknown attack
vector, a duplicate row). This module checks what a reviewer asks next, on files that load:

- every incident names a source and says what kind it is (``source_type``);
- a ``secondary`` row (no source of record found) says so in its notes, and keeps an amount
  only when a ``second_source`` (a second independent outlet) agrees;
- a ``second_source`` backs every loss of at least :data:`SECOND_SOURCE_THRESHOLD` USD and
  every amount the notes record as disputed (a range of USD figures such as ``$57m-$73m``
  in the notes of a row that keeps an amount);
- no source, second source, note or exposure source points at a banned domain (aggregators,
  reposts, mirrors, SEO and AI sites, user posts: ``data/banned_domains.csv``, kept as data);
- no field contradicts another (e.g. customers reimbursed in ``full`` by a platform that
  closed, with no note saying how);
- possible duplicates (the same platform hit twice within :data:`NEAR_DUPLICATE_DAYS`) are
  listed for a human to confirm.

Errors break the shipped rules (``vaultcover data check`` exits 1); warnings are listed only.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from .data import SOURCE_TYPES, Source, _read_table, load_exposure, load_incidents, shipped_path
from .exceptions import InputError

__all__ = [
    "NEAR_DUPLICATE_DAYS",
    "SECOND_SOURCE_THRESHOLD",
    "DataCheck",
    "Finding",
    "banned_domains",
    "check_data",
]

#: Losses from this amount (USD at the time) need a second source.
SECOND_SOURCE_THRESHOLD = 100e6
#: Smallest share of incidents whose source is ``primary``, ``press`` or ``research``.
#: How a secondary row's notes must say that nothing better was found.
_NO_RECORD = re.compile(r"no source of record", re.IGNORECASE)
#: Two rows of the same platform closer than this many days are listed as possible duplicates.
NEAR_DUPLICATE_DAYS = 31
#: Exposure columns whose figures may stand without a source (listed as warnings): only the
#: BTC price, used by no default calculation (the optional ``btc_price`` on-level index).
UNSOURCED_ALLOWED = frozenset({"btc_price_usd"})
_URL = re.compile(r"https?://[^\s,;\"'<>)\]]+", re.IGNORECASE)
#: A range of USD figures in the notes (``$57m-$73m``, ``$1.4bn-$1.5bn``): a disputed amount.
_DISPUTED = re.compile(r"\$\s?\d[\d.,]*\s?(?:k|m|bn|b)?\s?(?:-|–|to)\s?\$\s?\d", re.IGNORECASE)
_REPAID = re.compile(r"repa|refund|reimburs|compensat|made whole|paid|payout|covered", re.I)
_UNNAMED = re.compile(r"unnamed|undisclosed|unknown|not named", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Finding:
    """One broken rule (``error``) or point to review (``warning``) in a data file."""

    file: str
    line: int | None
    column: str | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = [f"line {self.line}"] if self.line is not None else []
        if self.column:
            where.append(f"column '{self.column}'")
        prefix = ", ".join(where)
        return f"{self.severity}: {prefix + ': ' if prefix else ''}{self.message}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "severity": self.severity,
        }


@dataclass(frozen=True)
class DataCheck:
    """The result of :func:`check_data`: a summary per file and every finding."""

    incidents_file: str
    exposure_file: str
    incidents: dict[str, Any]
    exposure: dict[str, Any]
    findings: tuple[Finding, ...] = field(default=())

    @property
    def errors(self) -> tuple[Finding, ...]:
        """Findings that break the shipped rules."""
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """Findings listed for review."""
        return tuple(f for f in self.findings if f.severity == "warning")

    @property
    def ok(self) -> bool:
        """True when no rule is broken."""
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record of the whole check."""
        return {
            "ok": self.ok,
            "incidents": {"file": self.incidents_file, **self.incidents},
            "exposure": {"file": self.exposure_file, **self.exposure},
            "errors": [f.to_dict() for f in self.errors],
            "warnings": [f.to_dict() for f in self.warnings],
        }

    def text(self) -> str:
        """The report as printed by ``vaultcover data check``."""
        inc, exp = self.incidents, self.exposure
        types = ", ".join(f"{k} {v}" for k, v in inc["source_types"].items())
        lines = [
            f"incidents: {self.incidents_file}",
            f"  rows: {inc['rows']}",
            f"  missing loss_usd: {inc['missing_amounts']}",
            f"  sources by source_type: {types}",
            f"  source of record (primary/press/research): {inc['record_share']:.1%}",
            f"  secondary rows: {inc['secondary']} ({inc['secondary_with_amount']} keep an "
            "amount on two outlets)",
            f"  second source required: {inc['second_source_required']}, "
            f"lacking: {len(inc['lacking_second_source'])}",
            f"  possible duplicates: {len(inc['possible_duplicates'])}",
            f"  banned-domain URLs: {inc['banned_urls']}",
            f"exposure: {self.exposure_file}",
            f"  rows: {exp['rows']}",
            "  missing cells: " + ", ".join(f"{k} {v}" for k, v in exp["missing_cells"].items()),
            f"  banned-domain URLs: {exp['banned_urls']}",
        ]
        for title, group in (("errors", self.errors), ("warnings", self.warnings)):
            if group:
                lines.append(f"{title} ({len(group)}):")
                lines.extend(f"  {f.file}: {f}" for f in group)
        lines.append(
            "data check passed"
            if self.ok
            else f"data check FAILED: {len(self.errors)} rule(s) broken"
        )
        return "\n".join(lines)


def banned_domains(source: Source | None = None) -> dict[str, str]:
    """Banned domains (``domain -> kind``) from ``data/banned_domains.csv`` or ``source``."""
    header, records, origin = _read_table(
        shipped_path("banned_domains.csv") if source is None else source
    )
    if "domain" not in header:
        raise InputError.single("domain", "required column is missing", source=origin)
    at = header.index("domain")
    kind = header.index("kind") if "kind" in header else None
    return {
        cells[at].lower(): (cells[kind] if kind is not None else "banned")
        for _, cells in records
        if cells[at]
    }


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def _banned(url: str, banned: dict[str, str]) -> str | None:
    host = _host(url)
    for domain, kind in banned.items():
        if host == domain or host.endswith("." + domain):
            return f"{domain} ({kind})"
    return None


def _url_findings(
    file: str, line: int, column: str, text: str, banned: dict[str, str]
) -> list[Finding]:
    out = []
    for url in _URL.findall(text):
        hit = _banned(url, banned)
        if hit:
            out.append(Finding(file, line, column, f"{url} is on a banned domain: {hit}"))
    return out


def _incident_findings(frame: pd.DataFrame, file: str, banned: dict[str, str]) -> list[Finding]:
    out: list[Finding] = []
    for row in frame.itertuples(index=False):
        line = int(row.line)
        for column in ("source", "second_source", "notes"):
            out += _url_findings(file, line, column, str(getattr(row, column)), banned)
        if not row.source_type:
            out.append(Finding(file, line, "source_type", "is empty: say what kind the source is"))
        if not row.platform_type:
            out.append(Finding(file, line, "platform_type", "is empty: say what kind of platform"))
        notes = str(row.notes)
        if (
            row.customers_reimbursed == "full"
            and row.outcome in ("closed", "bankrupt")
            and not _REPAID.search(notes)
        ):
            out.append(
                Finding(
                    file,
                    line,
                    "customers_reimbursed",
                    f"'full' although the outcome is '{row.outcome}' and the notes do not say "
                    "how customers were repaid",
                )
            )
        if (
            row.attack_vector == "third_party_provider"
            and not row.signing_provider
            and not row.infrastructure_provider
            and not _UNNAMED.search(notes)
        ):
            out.append(
                Finding(
                    file,
                    line,
                    "attack_vector",
                    "third_party_provider but no provider is named and the notes do not say "
                    "it was unnamed",
                )
            )
        if row.attack_vector == "hot_wallet_key_compromise" and row.wallet == "cold":
            out.append(
                Finding(file, line, "wallet", "'cold' contradicts a hot-wallet key compromise")
            )
        if row.attack_vector == "cold_wallet_compromise" and row.wallet == "hot":
            out.append(Finding(file, line, "wallet", "'hot' contradicts a cold-wallet compromise"))
        if row.signing_provider and row.signing_provider == row.infrastructure_provider:
            out.append(
                Finding(
                    file,
                    line,
                    "infrastructure_provider",
                    "names the same firm as signing_provider; keep the role it played",
                )
            )
    return out


def _second_source_required(frame: pd.DataFrame) -> pd.Series:
    big = frame["loss_usd"].fillna(0) >= SECOND_SOURCE_THRESHOLD
    disputed = frame["notes"].fillna("").str.contains(_DISPUTED) & frame["loss_usd"].notna()
    secondary = frame["source_type"].eq("secondary") & frame["loss_usd"].notna()
    return big | disputed | secondary


def _near_duplicates(frame: pd.DataFrame) -> list[tuple[int, int]]:
    pairs = []
    for _, group in frame.groupby(frame["exchange"].str.casefold()):
        group = group.sort_values("date")
        dates, lines = group["date"].tolist(), group["line"].tolist()
        for i in range(1, len(group)):
            if (dates[i] - dates[i - 1]).days < NEAR_DUPLICATE_DAYS:
                pairs.append((int(lines[i - 1]), int(lines[i])))
    return pairs


def _check_incidents(
    source: Source | None, banned: dict[str, str]
) -> tuple[str, dict[str, Any], list[Finding]]:
    data = load_incidents(source)
    frame, file = data.frame, data.origin
    findings = _incident_findings(frame, file, banned)
    required = _second_source_required(frame)
    lacking = frame[required & frame["second_source"].eq("")]
    for row in lacking.itertuples(index=False):
        if row.loss_usd >= SECOND_SOURCE_THRESHOLD:
            why = f"a loss of USD {row.loss_usd:,.0f}"
        elif row.source_type == "secondary":
            why = "an amount with no source of record"
        else:
            why = "an amount the notes record as disputed"
        findings.append(
            Finding(file, int(row.line), "second_source", f"is empty but {why} needs one")
        )
    pairs = _near_duplicates(frame)
    for first, second in pairs:
        findings.append(
            Finding(
                file,
                second,
                None,
                f"same platform as line {first} within {NEAR_DUPLICATE_DAYS} days: "
                "check it is a separate incident",
                "warning",
            )
        )
    counts = Counter(frame["source_type"].replace("", "(empty)"))
    types = {t: int(counts.get(t, 0)) for t in SOURCE_TYPES}
    if counts.get("(empty)"):
        types["(empty)"] = int(counts["(empty)"])
    record = sum(types[t] for t in ("primary", "press", "research"))
    share = record / len(frame)
    secondary = frame[frame["source_type"].eq("secondary")]
    for row in secondary.itertuples(index=False):
        if not _NO_RECORD.search(row.notes or ""):
            findings.append(
                Finding(
                    file,
                    int(row.line),
                    "notes",
                    "a secondary source, but the notes do not say 'no source of record found'",
                )
            )
    summary = {
        "rows": len(frame),
        "missing_amounts": int(frame["loss_usd"].isna().sum()),
        "source_types": types,
        "record_share": share,
        "secondary": len(secondary),
        "secondary_with_amount": int(secondary["loss_usd"].notna().sum()),
        "lacking_source_of_record": [
            f"{d:%Y-%m-%d} {e}"
            for d, e in zip(secondary["date"], secondary["exchange"], strict=True)
        ],
        "second_source_required": int(required.sum()),
        "lacking_second_source": [int(x) for x in lacking["line"]],
        "possible_duplicates": [list(p) for p in pairs],
        "banned_urls": sum("banned domain" in f.message for f in findings),
    }
    return file, summary, findings


def _check_exposure(
    source: Source | None, banned: dict[str, str]
) -> tuple[str, dict[str, Any], list[Finding]]:
    exposure = load_exposure(source)  # validates the figures
    header, records, file = _read_table(
        shipped_path("exposure.csv") if source is None else _rewind(source)
    )
    findings: list[Finding] = []
    missing: Counter[str] = Counter()
    value_columns = [c for c in header if c not in ("year", "notes") and not c.endswith("_source")]
    for line, cells in records:
        row = dict(zip(header, cells, strict=True))
        for column in header:
            if column.endswith("_source") or column == "notes":
                findings += _url_findings(file, line, column, row[column], banned)
        for column in value_columns:
            if not row[column]:
                missing[column] += 1
                continue
            src = _source_column(column, header)
            if src is not None and not row[src]:
                # The frequency exposure (exchanges, market cap) must be sourced; the BTC
                # price only feeds the optional btc_price on-level index: listed, not fatal.
                severity = "warning" if column in UNSOURCED_ALLOWED else "error"
                findings.append(
                    Finding(file, line, src, f"is empty but '{column}' has a value", severity)
                )
    summary = {
        "rows": len(exposure.frame),
        "missing_cells": {c: int(missing.get(c, 0)) for c in value_columns},
        "filled_by_interpolation": list(exposure.filled),
        "banned_urls": sum("banned domain" in f.message for f in findings),
    }
    return file, summary, findings


def _source_column(column: str, header: list[str]) -> str | None:
    """The ``*_source`` column documenting ``column`` (``market_cap_usd`` -> ``market_cap_source``,
    ``exchanges_tracked`` -> ``exchanges_source``), if the file has one."""
    for name in header:
        if name.endswith("_source") and column.startswith(name.removesuffix("_source")):
            return name
    return None


def _rewind(source: Source) -> Source:
    if isinstance(source, (str, Path, bytes)):
        return source
    source.seek(0)
    return source


def check_data(
    incidents: Source | None = None,
    exposure: Source | None = None,
    banned: Source | None = None,
) -> DataCheck:
    """Check the incident and exposure files (the shipped ones by default).

    Raises :class:`~pricing.exceptions.DataValidationError` when a file cannot be loaded at
    all (the loaders' own checks); every other problem is a :class:`Finding`.
    """
    domains = banned_domains(banned)
    inc_file, inc, inc_findings = _check_incidents(incidents, domains)
    exp_file, exp, exp_findings = _check_exposure(exposure, domains)
    return DataCheck(
        incidents_file=inc_file,
        exposure_file=exp_file,
        incidents=inc,
        exposure=exp,
        findings=tuple(inc_findings + exp_findings),
    )
