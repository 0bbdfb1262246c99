"""End-to-end, as in a meeting at 1280×720: settings stay across pages, a saved scenario
survives a server restart and opens by its link, two scenarios compare side by side, and the
report and the quote sheet download with the right contents."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from .conftest import ARTIFACTS, start_app, stop_app, wait_until_idle

pytestmark = pytest.mark.e2e
PAGES = [
    "Exchange profile",
    "Loss history",
    "Loss model",
    "Compare",
    "Insurer quote",
    "Small vs large",
    "Sensitivity",
    "Scenarios",
]
LONG = 180_000


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"meeting_{name}.png"))


def go(page, title: str) -> None:
    page.get_by_role("link", name=title, exact=True).click()
    wait_until_idle(page, LONG)
    expect(page.get_by_role("heading", name=title).first).to_be_visible(timeout=LONG)


def set_number(page, label: str, value: str) -> None:
    field = page.get_by_role("spinbutton", name=label)
    field.fill(value)
    field.press("Enter")
    wait_until_idle(page, LONG)


def metric(page, label: str) -> str:
    box = page.get_by_test_id("stMetric").filter(has_text=label).first
    expect(box).to_be_visible(timeout=LONG)
    return box.get_by_test_id("stMetricValue").inner_text()


@pytest.fixture
def server(tmp_path):
    db = f"sqlite:///{tmp_path / 'scenarios.db'}"
    proc, url = start_app({"VAULTCOVER_DB": db, "VAULTCOVER_USER": "e2e"})
    holder = {"proc": proc, "url": url, "db": db}
    yield holder
    stop_app(holder["proc"])


#: The Compare page's expander of the Japan reform scenario's parameters.
JP_PARAMETERS = "Parameters of jp-2027 (editable; saved with the scenario)"


def open_parameters(page) -> None:
    """Open the expander of jp-2027's parameters (its rows are drawn once it is open)."""
    page.get_by_text(JP_PARAMETERS).click()
    wait_until_idle(page, LONG)
    page.get_by_role("spinbutton", name="floor of the reserve").wait_for()


def open_app(browser, url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(LONG)
    page.goto(url)
    wait_until_idle(page, LONG)
    return context, page


def test_meeting_walk(browser, server):
    context, page = open_app(browser, server["url"])
    # An override on Loss model and a regime parameter on Compare.
    go(page, "Loss model")
    rate = page.get_by_role("spinbutton", name="Average-exchange rate (thefts per exchange-year)")
    rate.fill("0.2")
    rate.press("Tab")  # commit the typed value to the form before submitting it
    expect(rate).to_have_value("0.20000")
    page.get_by_role("button", name="Apply to every page").click()
    wait_until_idle(page, LONG)
    go(page, "Compare")
    open_parameters(page)
    set_number(page, "floor of the reserve", "3000000000")
    set_number(page, "Dispute probability (%)", "25")
    expect(page.get_by_text(re.compile(r"jp-2027: floor of the reserve \(JPY\)"))).to_be_visible()
    shot(page, "compare")
    cost = metric(page, "Cost of risk, recommended")

    for title in PAGES:
        go(page, title)
        expect(page.get_by_text("Changed from the defaults:")).to_be_visible()
        shot(page, title.lower().replace(" ", "_"))

    go(page, "Loss model")
    expect(rate).to_have_value("0.20000")  # waits for the page to draw it
    go(page, "Compare")
    open_parameters(page)
    expect(page.get_by_role("spinbutton", name="floor of the reserve")).to_have_value("3000000000")
    assert page.get_by_role("spinbutton", name="Dispute probability (%)").input_value() == "25.00"
    assert metric(page, "Cost of risk, recommended") == cost

    # Save it, and a second scenario with other disputes.
    go(page, "Scenarios")
    page.get_by_role("textbox", name="Scenario name").fill("Meeting base")
    page.get_by_role("button", name="Save").click()
    wait_until_idle(page, LONG)
    expect(page.get_by_text("as version 1")).to_be_visible()
    go(page, "Compare")
    set_number(page, "Dispute probability (%)", "50")
    go(page, "Scenarios")
    page.get_by_role("textbox", name="Scenario name").fill("Disputes 50")
    page.get_by_role("button", name="Save").click()
    wait_until_idle(page, LONG)
    expect(page.get_by_text("as version 1")).to_be_visible()

    # Compare the two.
    page.get_by_text("Pick two to four scenarios.").wait_for()
    combo = page.get_by_role("combobox", name="Scenarios to compare (2 to 4)")
    for name in ("Meeting base", "Disputes 50"):
        combo.click()
        combo.fill(name)
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        wait_until_idle(page, LONG)
    expect(page.get_by_text("Highlighted rows differ between the scenarios.")).to_be_visible(
        timeout=LONG
    )
    shot(page, "scenarios_compare")
    button = page.get_by_test_id("stDownloadButton").filter(has_text="comparison report")
    with page.expect_download(timeout=LONG) as download:
        button.get_by_role("button").click()
    report = ARTIFACTS / "comparison_report.pdf"
    download.value.save_as(report)
    pypdf = pytest.importorskip("pypdf")
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(str(report)).pages)
    assert "Meeting base" in text and "Disputes 50" in text and "None" not in text

    # The quote sheet.
    go(page, "Insurer quote")
    button = page.get_by_test_id("stDownloadButton").filter(has_text="Download Excel (XLSX)")
    with page.expect_download(timeout=LONG) as download:
        button.get_by_role("button").click()
    book = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    layers = book["Layers"]
    header = [c.value for c in layers[1]]
    premium = layers.cell(2, header.index("premium_usd") + 1)
    assert isinstance(premium.value, float) and "USD" in premium.number_format
    assert layers.freeze_panes == "A2"
    button = page.get_by_test_id("stDownloadButton").filter(has_text="Download PDF quote sheet")
    with page.expect_download(timeout=LONG) as download:
        button.get_by_role("button").click()
    sheet = ARTIFACTS / "quote_sheet.pdf"
    download.value.save_as(sheet)
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(str(sheet)).pages)
    for needed in ("Quote reference", "Valid until", "Subjectivities", "Main exclusions"):
        assert needed in text
    words = set(re.findall(r"[A-Za-z]{4,}", text))
    assert {"Reinstatements", "Retention", "Premium", "exhausting"} <= words
    assert "None" not in text
    context.close()

    # Restart the server; the saved scenario opens by its link with the same numbers.
    stop_app(server["proc"])
    server["proc"], server["url"] = start_app(
        {"VAULTCOVER_DB": server["db"], "VAULTCOVER_USER": "e2e"}
    )
    context, page = open_app(browser, server["url"] + "/?scenario=Meeting%20base")
    expect(page.get_by_text("Changed from the defaults:")).to_be_visible(timeout=LONG)
    go(page, "Compare")
    assert metric(page, "Cost of risk, recommended") == cost
    open_parameters(page)
    expect(page.get_by_role("spinbutton", name="floor of the reserve")).to_have_value("3000000000")
    shot(page, "reopened_by_link")
    context.close()
