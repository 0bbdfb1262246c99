"""The regimes' sources meet the project's standard (issue 11).

- every reference row has a grade and a parseable ``as_of`` (or an explicit empty one);
- no URL points at a banned domain: the project's list (``data/banned_domains.csv``, read with
  :func:`pricing.datacheck.banned_domains`) plus the weak sites the regimes used to cite
  (SEO blogs, AI summaries, aggregators, Q&A sites), which must not come back;
- every requirement of every regime cites at least one primary (P) or reputable secondary (S)
  source and no weak (W) one, and every reference key quoted in a result's texts exists and
  is P or S;
- the Japanese status lines say what is law, report, council decision and bill, each with a
  date, the law and the report citing fsa.go.jp / e-Gov first.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from importlib import resources
from urllib.parse import urlsplit

import pytest

from pricing.datacheck import banned_domains
from pricing.profiles import PRESETS
from pricing.regulation import REFERENCES, REGIMES, RegimeInputs, minimum
from pricing.regulation.references import GRADES

#: Weak sites the regimes cited before (issue 11): not sources, and never again.
FORMER_WEAK_DOMAINS = frozenset(
    {
        "ideco-ipo-nisa.com",  # SEO blog
        "novaist.jp",  # AI-compiled summaries
        "fxstreet.com",  # repost of Coinpaprika
        "coinpaprika.com",
        "cryptonite.ae",
        "lawinsider.com",  # contract repository
        "a-ha.io",  # Q&A site
        "cryptoverselawyers.io",
        "thecaspdirectory.com",
        "cryptolawindex.com",
        "mytoken.io",  # aggregator
        "panewslab.com",  # aggregator
        "odaily.news",  # aggregator
        "standardkepler.com",
        "tradingbtc.com",
        "fxmonster.info",
        "shine-magazine.com",
        "particle.news",
    }
)
#: Grades that count as a source of record for a requirement.
RECORD_GRADES = ("P", "S")
_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
#: A reference key as the regimes quote it: ``[38]``, ``[63b]`` or ``[jp-psa]``.
_KEY = re.compile(r"\[(?:\d{1,3}[a-z]?|[a-z]{2,}-[a-z0-9-]+)\]")
_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
#: A dated statement: ``10 Dec 2025``, ``Dec 2025`` or a year from 2009 on.
_DATE = re.compile(rf"\b(?:\d{{1,2}} (?:{_MONTHS}) )?(?:(?:{_MONTHS}) )?20\d\d\b")


def parse_as_of(text: str) -> date | None:
    """``as_of`` as a date (first day of a month or year), ``None`` if empty; ValueError if bad."""
    if text == "":
        return None
    m = _ISO.match(text)
    if not m:
        raise ValueError(f"as_of {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = int(m[1]), int(m[2] or 1), int(m[3] or 1)
    return date(year, month, day)


def host(url: str) -> str:
    name = (urlsplit(url).hostname or "").lower()
    return name[4:] if name.startswith("www.") else name


def banned_hit(url: str, banned: frozenset[str] | set[str]) -> str | None:
    h = host(url)
    return next((d for d in banned if h == d or h.endswith("." + d)), None)


@pytest.fixture(scope="module")
def banned() -> frozenset[str]:
    return frozenset(banned_domains()) | FORMER_WEAK_DOMAINS


def rows() -> list[dict[str, str]]:
    text = resources.files("pricing.regulation").joinpath("data/references.csv").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


# ---- the reference table -----------------------------------------------------------------------
def test_every_row_has_a_grade_a_url_and_a_parseable_or_explicitly_empty_as_of():
    table = rows()
    assert len(table) == len(REFERENCES) >= 30
    for row in table:
        assert set(row) == {"ref", "title", "grade", "as_of", "urls"}, row["ref"]
        assert row["grade"] in GRADES, row["ref"]
        assert row["as_of"] is not None, f"{row['ref']}: as_of column missing"
        when = parse_as_of(row["as_of"])
        assert when is None or date(1990, 1, 1) <= when <= date(2026, 12, 31), row["ref"]
        assert row["title"].strip(), row["ref"]
        urls = [u.strip() for u in row["urls"].split("|") if u.strip()]
        assert urls and all(u.startswith(("http://", "https://")) for u in urls), row["ref"]


@pytest.mark.parametrize("bad", ["2025-13", "2025-02-30", "Nov 2025", "25-11-2025", "2025/11"])
def test_the_as_of_parser_rejects_what_is_not_a_date(bad):
    with pytest.raises(ValueError):
        parse_as_of(bad)


def test_the_as_of_parser_reads_years_months_and_days():
    assert parse_as_of("2025") == date(2025, 1, 1)
    assert parse_as_of("2025-12") == date(2025, 12, 1)
    assert parse_as_of("2025-12-10") == date(2025, 12, 10)
    assert parse_as_of("") is None


def test_no_reference_url_is_on_a_banned_domain(banned):
    assert "binance.com" in banned and "novaist.jp" in banned  # both lists were read
    hits = [
        (ref.ref, url, banned_hit(url, banned))
        for ref in REFERENCES.values()
        for url in ref.urls
        if banned_hit(url, banned)
    ]
    assert hits == []


def test_the_domain_check_catches_subdomains_and_www():
    listed = {"binance.com", "novaist.jp"}
    assert banned_hit("https://www.binance.com/en/square/post/1", listed) == "binance.com"
    assert banned_hit("https://kr.novaist.jp/a", listed) == "novaist.jp"
    assert banned_hit("https://notbinance.com/x", listed) is None


def test_weak_rows_are_few_flagged_and_cited_by_no_regime():
    weak = [r for r in REFERENCES.values() if r.grade not in RECORD_GRADES]
    assert all(r.grade == "W" and "WEAK" in r.title for r in weak), weak
    cited = {ref.ref for result in all_results() for ref in result.source}
    assert cited.isdisjoint({r.ref for r in weak})


def test_primary_rows_of_japanese_law_point_at_e_gov_first():
    for key in ("[jp-psa]", "[15]", "[jp-fiea]", "[jp-cofib]"):
        assert host(REFERENCES[key].urls[0]) == "elaws.e-gov.go.jp", key
    for key in ("[jp-wg4]", "[jp-wg6]"):
        assert host(REFERENCES[key].urls[0]) == "fsa.go.jp" and REFERENCES[key].grade == "P"
    assert host(REFERENCES["[38]"].urls[0]).endswith("europa.eu")
    assert host(REFERENCES["[53]"].urls[0]) == "rulebooks.vara.ae"


# ---- every regime, every requirement -----------------------------------------------------------
def all_results():
    """Each regime for the small, large and Japanese presets, with every basis computable."""
    extra = {"fixed_overheads_usd": 40e6, "return_period_loss_usd": 300e6}
    out = []
    for code in REGIMES:
        for name in ("small", "large", "jp-small", "jp-large"):
            profile = PRESETS[name]
            volumes = profile.trading_volume_usd or {"spot": [1e9, 2e9, 3e9]}
            out.append(
                minimum(
                    code, RegimeInputs.from_profile(profile, **extra, trading_volume_usd=volumes)
                )
            )
    return out


@pytest.mark.parametrize("code", list(REGIMES))
def test_every_requirement_cites_a_primary_or_reputable_source_and_no_weak_one(code):
    for result in (r for r in all_results() if r.regime == code):
        assert result.requirements
        for req in result.requirements:
            grades = [ref.grade for ref in req.source]
            assert any(g in RECORD_GRADES for g in grades), (code, req.key, grades)
            assert all(g in RECORD_GRADES for g in grades), (code, req.key, grades)
        assert all(ref.grade in RECORD_GRADES for ref in result.source), code


@pytest.mark.parametrize("code", list(REGIMES))
def test_every_key_quoted_in_a_result_exists_and_is_of_record(code):
    result = next(r for r in all_results() if r.regime == code)
    texts = [
        *result.notes,
        *result.status,
        *result.assumptions,
        result.formula,
        *(req.formula for req in result.requirements),
        *(getattr(REGIMES[code].params_class, "__doc__", "") or "",),
    ]
    texts += [REGIMES[code].default_params().assumption(n) for n, _, _ in result.parameters]
    quoted = {k for text in texts for k in _KEY.findall(text or "")}
    assert quoted, code
    missing = sorted(k for k in quoted if k not in REFERENCES)
    assert missing == [], (code, missing)
    weak = sorted(k for k in quoted if REFERENCES[k].grade not in RECORD_GRADES)
    assert weak == [], (code, weak)


# ---- the Japanese status lines -----------------------------------------------------------------
@pytest.mark.parametrize("code", ["jp", "jp-2027"])
def test_japan_status_says_law_report_council_and_bill_each_with_a_date(code):
    status = minimum(code, RegimeInputs.from_profile(PRESETS["jp-small"])).status
    kinds = [line.split(":", 1)[0] for line in status]
    assert kinds == ["Law", "Report", "Council", "Bill"]
    for line in status:
        assert _DATE.search(line), line
    law, report, council, bill = status
    assert "1 May 2020" in law and "10 Dec 2025" in report and "26 Nov 2025" in report
    assert "2026" in council and "10 Apr 2026" in bill and "2027" in bill
    # what is not confirmed says so, and cites nothing weak
    assert "unconfirmed" in council and "not confirmed" in bill
    for line in status:
        for key in _KEY.findall(line):
            assert REFERENCES[key].grade in RECORD_GRADES, (line, key)


def test_japan_law_and_report_lines_cite_fsa_or_e_gov_first():
    law, report, *_ = minimum("jp", RegimeInputs.from_profile(PRESETS["jp-small"])).status
    for line, official in ((law, "elaws.e-gov.go.jp"), (report, "fsa.go.jp")):
        first = _KEY.findall(line)[0]
        assert REFERENCES[first].grade == "P" and host(REFERENCES[first].urls[0]) == official


def test_the_date_pattern_rejects_undated_text():
    assert _DATE.search("Bill: reported, not confirmed") is None
    assert _DATE.search("Report: published on 10 Dec 2025")
