"""End-to-end: the running app driven in headless Chromium, with screenshots."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import screenshot, wait_until_idle

pytestmark = pytest.mark.e2e


def test_history_page_shows_the_sourced_incidents(page):
    expect(page.get_by_role("heading", name="Loss history")).to_be_visible()
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible(timeout=30_000)
    shown = page.get_by_test_id("stMetricValue").first.inner_text()
    assert int(shown) >= 90
    screenshot(page, "history")


def test_model_page_fits_and_refits_on_a_new_threshold(page):
    page.get_by_role("link", name="Loss model").click()
    wait_until_idle(page)
    expect(page.get_by_role("heading", name="Loss model")).to_be_visible(timeout=30_000)
    expect(page.get_by_text(re.compile(r"losses above USD 1,000,000"))).to_be_visible(
        timeout=60_000
    )
    field = page.get_by_role("spinbutton", name="Reporting threshold (USD million)")
    field.fill("25")
    page.get_by_role("button", name="Fit").click()
    wait_until_idle(page)
    expect(page.get_by_text(re.compile(r"losses above USD 25,000,000"))).to_be_visible(
        timeout=60_000
    )
    screenshot(page, "model")
