"""Change-to-update latency of the app in headless Chromium, printed as a table.

Starts the app on a free loopback port (its own throw-away scenario store), opens it in
Debian's chromium through Playwright at 1280×720, and times, from the user's action to the
end of the rerun (Streamlit's ``script-state`` back to ``notRunning``) and of the drawing of
every chart the rerun changed (app_pages/chart.py marks a chart while plotly.js draws it):

- first page, warm (second load of the start page, until its chart is drawn);
- a profile field edit (hot share);
- a retention move on Compare (structure inspector);
- a regime change and a protection-target change on Compare;
- a regime change on Sensitivity.

Each step runs ``--repeat`` times after one warm-up; the table gives the median and the worst,
next to the issue's target. A rerun is seen however short it is (the script state's attribute
records); an action that starts none (a value typed again) counts 2 s. A regime step picks the
option by its code and fails unless the selectbox then shows it (a step that changed nothing
would time only the wait).

Run: ``PYTHONPATH=. python benchmarks/bench_browser.py [--repeat 5] [--baseline REF
[--rounds 2]]``. With ``--baseline`` the app of commit REF is timed in the same run (a
temporary git worktree), so the table's ratio holds on any machine; ``--rounds`` times the two
apps in turn, so that a machine whose speed drifts during the run (a shared one) weighs on
both. The last line gives the share of CPU time the host took from this machine (steal, from
/proc/stat) while each app was timed. An app older than app_pages/chart.py marks no chart as
drawing, so its times end with the run: the comparison favours it.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from options import positive  # noqa: E402
from worktree import checkout  # noqa: E402

from tests.e2e.conftest import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    start_app,
    stop_app,
    wait_until_idle,
)

TARGETS = {
    "first page (warm)": 2.0,
    "profile field edit": 0.3,
    "retention move (Compare)": 0.3,
    "regime change (Compare)": 1.0,
    "target change (Compare)": 1.0,
    "regime change (Sensitivity)": 1.5,
}


def idle(page, timeout: float = 300_000) -> None:
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout
    )


#: Times one change inside the page: the clock starts at the user's committing gesture (Enter
#: in a field, a click on a list option, captured before the app sees it) and stops when the
#: app's script state, having turned ``running``, is back to ``notRunning`` (the attribute's
#: records are read, so a rerun shorter than a frame counts too). Playwright's own round trips
#: (finding the field, typing, opening the list) are not the app's latency and are not timed.
WATCH = """() => {
    const state = () => document.querySelector("[data-testid='stApp']")
        ?.getAttribute('data-test-script-state');
    window.__vcStart = null;
    window.__vcRan = false;
    window.__vcEnd = null;
    window.__vcQuiet = null;
    window.__vcRunEnd = null;
    const commit = (event) => {
        const option = event.type === 'click' && event.target.closest?.("[role='option']");
        if ((event.type === 'keydown' && event.key === 'Enter') || option) {
            window.__vcStart = performance.now();
        }
    };
    if (window.__vcCommit) {
        document.removeEventListener('keydown', window.__vcCommit, true);
        document.removeEventListener('click', window.__vcCommit, true);
    }
    window.__vcCommit = commit;
    document.addEventListener('keydown', commit, true);
    document.addEventListener('click', commit, true);
    if (window.__vcWatch) window.__vcWatch.disconnect();
    window.__vcWatch = new MutationObserver((records) => {
        if (window.__vcStart === null) return;
        const now = performance.now();
        if (state() === 'running' || records.some((r) => r.oldValue === 'running')) {
            window.__vcRan = true;
        }
        if (!window.__vcRan || state() !== 'notRunning') return;
        if (window.__vcEnd === null) window.__vcEnd = window.__vcRunEnd = now;
        // a chart drawn after the run ended (its figure arrives with the run's last
        // messages) moves the end to when its drawing finished
        const drawn = records.some((r) => r.attributeName === 'data-vc-drawing'
            && !r.target.hasAttribute('data-vc-drawing'));
        if (drawn) window.__vcEnd = Math.max(window.__vcEnd, now);
        window.__vcQuiet = now;
    });
    window.__vcWatch.observe(document.body, {
        attributes: true, subtree: true, attributeOldValue: true,
        attributeFilter: ['data-test-script-state', 'data-vc-drawing'],
    });
}"""
#: Seconds from the commit to the end of the rerun and of the drawing of every chart it
#: changed, and to the end of the rerun alone, once the page has been quiet for half a second
#: with no chart drawing; an action that starts no rerun (a value typed again) counts 2 s.
DONE = """() => {
    const drawing = document.querySelector('[data-vc-drawing]') !== null;
    if (window.__vcEnd !== null && !drawing && performance.now() - window.__vcQuiet > 500) {
        return [window.__vcEnd - window.__vcStart, window.__vcRunEnd - window.__vcStart]
            .map((ms) => ms / 1000);
    }
    if (!window.__vcRan && window.__vcStart !== null
        && performance.now() - window.__vcStart > 2000) return [2.0, 2.0];
    return null;
}"""


def timed(page, action) -> tuple[float, float]:
    """Seconds from the gesture that commits ``action()`` (Enter, a click on an option) to the
    end of the rerun it starts and of the charts' drawing, and to the end of the rerun alone,
    as the page's own clock saw them."""
    page.evaluate(WATCH)
    action()
    total, run = page.wait_for_function(DONE, timeout=300_000, polling="raf").json_value()
    return float(total), float(run)


def drawn(page) -> None:
    """Wait until the page's charts are drawn (a chart carries ``data-vc-drawing`` while
    plotly.js draws it, see app_pages/chart.py)."""
    page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=300_000)
    wait_until_idle(page, 300_000)


def go(page, title: str) -> None:
    page.get_by_role("link", name=title, exact=True).click()
    idle(page)
    page.get_by_role("heading", name=title).first.wait_for(timeout=300_000)


def fill(page, label: str, value: str):
    def act() -> None:
        field = page.get_by_role("spinbutton", name=label)
        field.fill(value)
        field.press("Enter")

    return act


def choose(page, label: str, option: str):
    """Pick the option shown as ``option`` or ``option: name`` (a regime's code)."""

    def act() -> None:
        page.get_by_role("combobox", name=label).first.click()
        page.keyboard.type(option)  # opens the list, filtered
        page.get_by_role("option").first.wait_for()
        named = page.get_by_role("option").filter(has_text=re.compile(rf"\b{re.escape(option)}: "))
        (named if named.count() else page.get_by_role("option", name=option, exact=True)).click()

    return act


def chosen(page, label: str, option: str) -> None:
    """Check that the selectbox ``label`` now shows ``option`` (a step that changed nothing
    would only time Playwright's wait)."""
    shown = page.get_by_role("combobox", name=label).first.input_value()
    if shown != option and not shown.startswith(f"{option}: "):
        raise RuntimeError(f"{label} shows {shown!r}, not {option!r}: the step changed nothing")


def cpu_ticks() -> tuple[int, int]:
    """(ticks stolen by the host, all ticks) of this machine's CPUs so far (Linux's
    /proc/stat; zeros elsewhere): a shared machine's share of time it did not get."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    return (fields[7] if len(fields) > 7 else 0), sum(fields[:8])


@contextlib.contextmanager
def opened(root: Path, env: dict[str, str]) -> Iterator[Any]:
    """A page of Debian's chromium at 1280×720 on the app of checkout ``root`` (started with
    ``env`` added to its environment), its first run over; the app is stopped afterwards."""
    from playwright.sync_api import sync_playwright

    proc, url = start_app(env, root=root)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(url)
            idle(page)
            yield page
            browser.close()
    finally:
        stop_app(proc)


def measure(root: Path, repeat: int) -> dict[str, list[tuple[float, float]]]:
    """Each step's (total, run alone) seconds, ``repeat`` times, on the app of checkout ``root``."""
    db = Path(tempfile.mkdtemp()) / "bench.db"
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in TARGETS}
    with opened(root, {"VAULTCOVER_DB": f"sqlite:///{db}"}) as page:
        url = page.url
        for _ in range(repeat):
            start = time.perf_counter()
            page.goto(url)
            page.get_by_test_id("stMetricValue").first.wait_for(timeout=300_000)
            idle(page)
            ready = time.perf_counter() - start
            drawn(page)
            times["first page (warm)"].append((time.perf_counter() - start, ready))
        shares = ["6", "5"] * (repeat + 1)
        timed(page, fill(page, "Hot-wallet share (%)", "7"))
        for share in shares[:repeat]:
            times["profile field edit"].append(
                timed(page, fill(page, "Hot-wallet share (%)", share))
            )
        go(page, "Compare")
        for i in range(repeat + 1):
            t = timed(page, fill(page, "Retention per theft (USD m)", f"{1 + i}"))
            if i:
                times["retention move (Compare)"].append(t)
        regimes = ["hk", "mica", "sg", "kr"]
        for i in range(repeat):
            regime = regimes[i % len(regimes)]
            times["regime change (Compare)"].append(timed(page, choose(page, "Regime", regime)))
            chosen(page, "Regime", regime)
            times["target change (Compare)"].append(
                timed(page, fill(page, "Protection target (%)", f"{99.0 + 0.1 * i:.2f}"))
            )
        go(page, "Sensitivity")
        for i in range(repeat):
            regime = regimes[(i + 1) % len(regimes)]
            times["regime change (Sensitivity)"].append(timed(page, choose(page, "Regime", regime)))
            chosen(page, "Regime", regime)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=positive, default=3)
    parser.add_argument(
        "--baseline",
        metavar="REF",
        help="also time this commit's app (a temporary git worktree), in the same run",
    )
    parser.add_argument(
        "--rounds",
        type=positive,
        default=1,
        help="start and time each app this many times (with --baseline in turn: baseline "
        "first, then today first, ...), so a machine slowing down mid-run weighs on both",
    )
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        roots = {"today": ROOT}
        if args.baseline:
            roots = {args.baseline: stack.enter_context(checkout(args.baseline)), **roots}
        columns: dict[str, dict[str, list[tuple[float, float]]]] = {
            name: {step: [] for step in TARGETS} for name in roots
        }
        stolen = {name: [0, 0] for name in roots}
        for round_ in range(args.rounds):
            for name in list(roots)[:: 1 if round_ % 2 == 0 else -1]:
                before = cpu_ticks()
                for step, pairs in measure(roots[name], args.repeat).items():
                    columns[name][step] += pairs
                after = cpu_ticks()
                stolen[name] = [
                    was + b - a for was, a, b in zip(stolen[name], before, after, strict=True)
                ]
    n = len(columns["today"]["first page (warm)"])
    header = "".join(f"{name[:12]:>13}" for name in columns)
    print(f"medians of {n} (s); 'run alone' ends when the rerun does, before drawing")
    print(f"{'step':30}{header}{'worst today':>13}{'run alone':>11}{'target':>8}  meets")
    for step, target in TARGETS.items():
        today = [total for total, _ in columns["today"][step]]
        medians = "".join(
            f"{statistics.median(total for total, _ in pairs[step]):13.2f}"
            for pairs in columns.values()
        )
        run = statistics.median(r for _, r in columns["today"][step])
        med = statistics.median(today)
        print(
            f"{step:30}{medians}{max(today):13.2f}{run:11.2f}{target:8.2f}  "
            f"{'yes' if med <= target else 'no'}"
        )
    print(
        "CPU time taken by the host while timing: "
        + ", ".join(f"{name} {100 * t / max(n, 1):.1f}%" for name, (t, n) in stolen.items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
