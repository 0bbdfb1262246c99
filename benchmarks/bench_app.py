"""Redraw times of the app: how long a page takes to rerun after a widget change.

Run: ``python3 benchmarks/bench_app.py`` (add ``--repeat N``).

Each page is opened once through the router (``app.py``) in Streamlit's AppTest, which runs
the script in process exactly as a browser session would (without the network and the
browser's drawing). Then one of its main widgets is set to a new value and back, ``--repeat``
times, and each rerun is timed. "cached" means the library call behind the new value was
already computed (Streamlit's cache); "new" forces new library work (a value not seen
before). The baseline is the rerun of the Loss history page with nothing changed.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from options import positive
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def timed_rerun(at: AppTest, change: Callable[[AppTest], object]) -> float:
    """Seconds for one rerun after ``change`` (which sets a widget value)."""
    change(at)
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError([e.value for e in at.exception])
    return elapsed


def measure(page: str, changes: list[tuple[str, Callable[[AppTest], object]]], repeat: int):
    at = AppTest.from_file(APP, default_timeout=120).run()
    start = time.perf_counter()
    at.switch_page(page).run()
    first = time.perf_counter() - start
    rows = [(page, "open the page (first time)", first)]
    for label, change in changes:
        times = [timed_rerun(at, change) for _ in range(repeat)]
        rows.append((page, label, statistics.median(times)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=positive, default=4, help="reruns per change (default 4)")
    args = parser.parse_args()
    r = args.repeat
    counter = iter(range(10_000))

    def widget(at: AppTest, kind: str, key: str):
        return getattr(at, kind)(key=key)

    def flip(kind: str, key: str, a: object, b: object) -> Callable[[AppTest], object]:
        state = {"n": 0}

        def change(at: AppTest) -> object:
            state["n"] += 1
            return widget(at, kind, key).set_value(a if state["n"] % 2 else b)

        return change

    def fresh(kind: str, key: str, base: float, step: float) -> Callable[[AppTest], object]:
        return lambda at: widget(at, kind, key).set_value(base + step * next(counter))

    plan = {
        "app_pages/history.py": [
            ("nothing changed (baseline)", lambda at: None),
            ("attack-vector filter (cached)", flip("multiselect", "hist_vectors", ["insider"], [])),
        ],
        "app_pages/profile.py": [
            ("preset small ↔ large (cached)", flip("radio", "pf_preset", "large", "small")),
            ("hot share, new value", fresh("number_input", "pf_hot_share", 3.0, 0.01)),
        ],
        "app_pages/compare.py": [
            ("inspector retention (cached)", flip("number_input", "cmp_retention", 1.0, 2.0)),
            ("regime jp-2027 ↔ hk (cached)", flip("selectbox", "regime", "hk", "jp-2027")),
            ("protection target, new value", fresh("number_input", "cmp_target", 99.0, 0.01)),
        ],
        "app_pages/quote.py": [
            (
                "premium principle (cached)",
                flip("selectbox", "q_principle", "wang", "cost_of_capital"),
            ),
        ],
    }
    rows = []
    for page, changes in plan.items():
        rows += measure(page, changes, r)
    baseline = next(t for _, label, t in rows if label.startswith("nothing changed"))
    print(f"median of {r} reruns; baseline (history rerun, nothing changed) {baseline:.3f} s")
    for page, label, seconds in rows:
        print(f"{page:<28} {label:<36} {seconds:7.3f} s  ({seconds / baseline:5.1f}×)")


if __name__ == "__main__":
    main()
