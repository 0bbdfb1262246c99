"""End-to-end: the running app driven in headless Chromium, with screenshots."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from .conftest import ARTIFACTS, screenshot, wait_until_idle

pytestmark = pytest.mark.e2e


def open_page(page, title: str) -> None:
    """Follow a top-navigation link and wait for the page's heading."""
    page.get_by_role("link", name=title).click()
    wait_until_idle(page)
    expect(page.get_by_role("heading", name=title)).to_be_visible(timeout=30_000)


def test_exchange_profile_is_the_start_page_with_its_loss_model(page):
    expect(page.get_by_role("heading", name="Exchange profile")).to_be_visible()
    expect(page.get_by_test_id("vcChart").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Expected thefts per year")).to_be_visible()
    screenshot(page, "profile")


def test_a_page_without_charts_has_plotly_loaded_for_the_next_one(page):
    """The top row starts loading plotly.js on every page (app_pages/chart.py: preload), so
    it is ready before the first chart needs it, even on the Glossary, which draws none."""
    page.goto(page.url.rstrip("/") + "/glossary")  # a fresh load: no chart drawn before
    wait_until_idle(page)
    expect(page.get_by_role("heading", name="Glossary and sources")).to_be_visible()
    expect(page.get_by_test_id("vcChart")).to_have_count(0)
    page.wait_for_function("() => typeof window.Plotly?.react === 'function'", timeout=30_000)


def test_history_page_shows_the_sourced_incidents(page):
    open_page(page, "Loss history")
    expect(page.get_by_test_id("vcChart").first).to_be_visible(timeout=30_000)
    shown = page.get_by_test_id("stMetricValue").first.inner_text()
    assert int(shown) >= 90
    screenshot(page, "history")


def test_model_page_fits_and_refits_on_a_new_threshold(page):
    open_page(page, "Loss model")
    expect(page.get_by_text(re.compile(r"losses above USD 1,000,000")).first).to_be_visible(
        timeout=60_000
    )
    field = page.get_by_role("spinbutton", name="Reporting threshold (USD million)")
    field.fill("25")
    page.get_by_role("button", name="Fit", exact=True).click()
    wait_until_idle(page)
    expect(page.get_by_text(re.compile(r"losses above USD 25,000,000")).first).to_be_visible(
        timeout=60_000
    )
    screenshot(page, "model")


def edit_cell(page, grid, column: int, row: int, text: str) -> None:
    """Type into a data-editor cell. The grid is a canvas: select its first cell by position,
    move to the cell with the arrow keys, open the cell's editor with Enter, fill it, commit
    with Enter. The editor must open enabled: a read-only cell (another table, or the grid
    caught mid-redraw) opens a disabled one, and the attempt is repeated once the page is idle.
    """
    field = page.locator("#portal textarea:enabled, #portal input:enabled").first
    for attempt in range(4):
        wait_until_idle(page)
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        header = cell_height = 35  # Streamlit's default row height, header included
        first_column = 30  # the row-marker column of a dynamic editor
        page.mouse.click(box["x"] + first_column + 20, box["y"] + header + cell_height / 2)
        for _ in range(column):
            page.keyboard.press("ArrowRight")
        for _ in range(row):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        try:
            field.wait_for(timeout=5_000)
            break
        except PlaywrightTimeoutError:
            if attempt == 3:
                raise
            page.keyboard.press("Escape")
    field.fill(text)
    page.keyboard.press("Enter")  # the editor closes as it commits: press on the page, not on it
    wait_until_idle(page)


def test_insurer_quote_edits_the_tower_and_downloads_a_csv_quote_sheet(page):
    open_page(page, "Insurer quote")
    expect(page.get_by_text("Premium of the tower (USD per year)")).to_be_visible(timeout=30_000)
    total = page.get_by_test_id("stMetricValue").first
    before = total.inner_text()
    tower = page.get_by_test_id("stDataFrame").filter(has_text="entered rate on line")
    edit_cell(page, tower, column=0, row=0, text="2")  # retention of layer 1: 1 -> 2 (USD m)
    # Layer 1 now overlaps layer 2: wait for that message, i.e. for the grid to be redrawn
    # under its new key, before editing it again.
    expect(page.get_by_text("Layers overlap").first).to_be_visible(timeout=30_000)
    # Limit 5 -> 4, so layer 1 ends where layer 2 starts.
    edit_cell(page, tower, column=1, row=0, text="4")
    expect(total).not_to_have_text(before, timeout=30_000)
    screenshot(page, "quote")

    button = page.get_by_test_id("stDownloadButton").filter(has_text="Download CSV")
    with page.expect_download() as download:
        button.get_by_role("button").click()
    ARTIFACTS.mkdir(exist_ok=True)
    saved = ARTIFACTS / "quote.csv"
    download.value.save_as(saved)
    frame = pd.read_csv(saved)
    assert list(frame["layer"]) == ["Layer 1", "Layer 2"]
    assert frame["retention_usd"].tolist() == [2e6, 6e6]
    assert frame["limit_usd"].tolist() == [4e6, 20e6]
    assert (frame["expected_loss_usd"] > 0).all()
    assert (frame["premium_usd"] > frame["expected_loss_usd"]).all()


def test_executive_picks_a_preset_compares_and_moves_the_retention(page):
    """The executive journey: large preset, Compare, a different retention, new numbers."""
    page.get_by_text("Large exchange").click()
    wait_until_idle(page)
    expect(page.get_by_text("Large global exchange").first).to_be_visible(timeout=30_000)
    open_page(page, "Compare")
    expect(page.get_by_text("Cost of risk, recommended")).to_be_visible(timeout=60_000)
    screenshot(page, "compare")
    shown = page.get_by_test_id("stMetric").filter(has_text="Total cost at the nearest grid point")
    expect(shown).to_be_visible(timeout=30_000)
    before = shown.get_by_test_id("stMetricValue").inner_text()
    # The recommendation may be reserve only (limit 0): inspect a layer, 50m xs 20m. The
    # inspector's charts are updated where they are drawn (app_pages/chart.py): the same nodes.
    heatmap = page.get_by_test_id("vcChart").filter(has_text="every retention and limit")
    heatmap.evaluate("(node) => { node.vcSeen = true; }")
    for name, value in (("Limit per theft (USD m)", "50"), ("Retention per theft (USD m)", "20")):
        field = page.get_by_role("spinbutton", name=name)
        field.fill(value)
        field.press("Enter")
        wait_until_idle(page)
    expect(shown.get_by_test_id("stMetricValue")).not_to_have_text(before, timeout=30_000)
    assert heatmap.evaluate("(node) => node.vcSeen === true"), "the heatmap was rebuilt"
    screenshot(page, "compare_retention")
