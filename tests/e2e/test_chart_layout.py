"""End-to-end: no chart text overlaps on a 1280×720 projector, in English (USD) and Japanese
(yen).

Every page is visited in headless Chromium at 1280×720. For each plotly chart the bounding
boxes of its title (``.gtitle``), legend (``.legend .bg``), axis titles (``.xtitle``,
``.ytitle``, ``.y2title`` …), annotations (``.annotation``: subplot titles, labels of lines,
totals on bars), colour bar (``.colorbar``), bar labels (``.bartext``) and tick labels are
read from the SVG; no two of them may intersect (tick labels are checked against the others,
not among themselves), and each must lie inside the chart. Each chart is screenshotted into
``test-artifacts/``.
"""

from __future__ import annotations

from itertools import combinations

import pytest
from playwright.sync_api import expect

from pricing.i18n import tr

from .conftest import ARTIFACTS, SAVED, screenshot, wait_until_idle

pytestmark = pytest.mark.e2e
LONG = 180_000
PAGES = [
    "Exchange profile",
    "Loss history",
    "Loss model",
    "Compare",
    "Insurer quote",
    "Small vs large",
    "Sensitivity",
    "Scenarios",
    "Insurer portfolio",
    "Glossary and sources",
]
#: Pixels two boxes may share before they count as overlapping (anti-aliased edges).
SLACK = 1.5

#: Boxes of the text elements of every plotly chart under ``root`` (one list per chart).
BOXES_JS = """
(root) => {
  const charts = [];
  for (const plot of root.querySelectorAll('.js-plotly-plot')) {
    const frame = plot.getBoundingClientRect();
    if (frame.width === 0 || frame.height === 0) continue;  // hidden (closed expander, tab)
    const boxes = [];
    const add = (kind, el) => {
      const style = window.getComputedStyle(el);
      if (style.display === 'none' || style.visibility === 'hidden') return;
      if (Number(el.getAttribute('opacity') ?? style.opacity ?? 1) === 0) return;
      const r = el.getBoundingClientRect();
      if (r.width < 1 || r.height < 1) return;
      const text = (el.textContent || '').trim().slice(0, 60);
      boxes.push({kind, text, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom});
    };
    plot.querySelectorAll('.infolayer .gtitle').forEach(e => add('title', e));
    plot.querySelectorAll('.infolayer .legend .bg').forEach(e => add('legend', e));
    plot.querySelectorAll('.infolayer text').forEach(e => {
      const c = e.getAttribute('class') || '';
      if (/^[xy]\\d*title$/.test(c)) add('axis title', e);
    });
    plot.querySelectorAll('.infolayer .annotation').forEach(e => add('annotation', e));
    plot.querySelectorAll('.infolayer .colorbar').forEach(e => add('colour bar', e));
    plot.querySelectorAll('.bartext').forEach(e => add('bar label', e));
    plot.querySelectorAll('.xaxislayer-above text, .yaxislayer-above text')
      .forEach(e => add('tick label', e));
    charts.push({frame: {x0: frame.left, y0: frame.top, x1: frame.right, y1: frame.bottom},
                 boxes});
  }
  return charts;
}
"""


HEADER_JS = "v => document.querySelectorAll('header').forEach(h => h.style.visibility = v)"


def overlap(a: dict, b: dict) -> bool:
    """Whether two boxes share more than :data:`SLACK` pixels in both directions."""
    width = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
    height = min(a["y1"], b["y1"]) - max(a["y0"], b["y0"])
    return width > SLACK and height > SLACK


def problems(chart: dict) -> list[str]:
    """Overlapping pairs of text elements, and elements outside the chart."""
    found = []
    frame = chart["frame"]
    for box in chart["boxes"]:
        outside = (
            box["x0"] < frame["x0"] - SLACK
            or box["y0"] < frame["y0"] - SLACK
            or box["x1"] > frame["x1"] + SLACK
            or box["y1"] > frame["y1"] + SLACK
        )
        if outside:
            found.append(f"{box['kind']} {box['text']!r} sticks out of the chart")
    for a, b in combinations(chart["boxes"], 2):
        if a["kind"] == b["kind"] == "tick label":
            continue
        if overlap(a, b):
            found.append(f"{a['kind']} {a['text']!r} overlaps {b['kind']} {b['text']!r}")
    return found


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` (text it contains) in the selectbox labelled ``label``."""
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option").filter(has_text=option).first.click()
    wait_until_idle(page, LONG)


def prepare(page, title: str, lang: str) -> None:
    """What a user does on a page before its charts show."""
    if title == "Insurer portfolio":
        page.get_by_role("button", name=tr("Run the book", lang)).click()
        wait_until_idle(page, LONG)
        expect(page.get_by_test_id("vcChart").first).to_be_visible(timeout=LONG)
    closed = page.locator("[data-testid='stExpander'] details:not([open]) > summary")
    for _ in range(20):  # charts inside closed expanders are drawn with no size
        if not closed.count():
            break
        closed.first.click()
    wait_until_idle(page, LONG)


def audit(page, lang: str) -> tuple[int, list[str]]:
    """Visit every page; return (charts audited, problems found)."""
    count, found = 0, []
    for title in PAGES:
        name = tr(title, lang)
        page.get_by_role("link", name=name, exact=True).click()
        wait_until_idle(page, LONG)
        expect(page.get_by_role("heading", name=name).first).to_be_visible(timeout=LONG)
        prepare(page, title, lang)
        charts = page.get_by_test_id("vcChart")
        for i in range(charts.count()):
            charts.nth(i).locator(".main-svg").first.wait_for(timeout=LONG)
        page.wait_for_timeout(500)  # plotly's automargin redraws once after the first draw
        slug = title.lower().replace(" ", "_")
        screenshot(page, f"layout_{lang}_{slug}")
        boxes = page.locator("body").evaluate(BOXES_JS)
        page.evaluate(HEADER_JS, "hidden")  # the fixed header would cover a chart's top
        for i, chart in enumerate(boxes):
            count += 1
            shot = ARTIFACTS / f"layout_{lang}_{slug}_chart{i + 1}.png"
            charts.nth(i).screenshot(path=str(shot))
            SAVED.append(shot)
            found += [f"[{lang}] {title}, chart {i + 1}: {p}" for p in problems(chart)]
        page.evaluate(HEADER_JS, "visible")
    return count, found


@pytest.mark.parametrize(("lang", "currency"), [("en", "USD"), ("ja", "JPY")])
def test_no_chart_text_overlaps_at_1280x720(browser, app_url, lang, currency):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.set_default_timeout(LONG)
    page.goto(app_url)
    wait_until_idle(page, LONG)
    if lang != "en":
        choose(page, "Language / 言語", "日本語")
    if currency != "USD":
        choose(page, tr("Display currency", lang), currency)
    count, found = audit(page, lang)
    context.close()
    print(f"[{lang}] {count} charts audited, {len(found)} problems")
    assert count >= 16, f"only {count} charts were drawn: the audit did not see every page"
    assert not found, "\n".join(found)
