"""What one Streamlit element costs a rerun in the browser, by kind, printed as a table.

A page's rerun ends when the browser has drawn what the server sent; on a modest machine that
drawing, not the page's numbers, sets the floor of a field edit (issue 13's 300 ms target).
This benchmark measures the floor and each kind of element's share of it, so that a page's
latency can be read off its element count before anyone profiles it.

For each kind it starts a one-page app (written to a temporary folder): a fragment with a
number field and ``--count`` elements of that kind, each showing the field's value. It opens
the app in Debian's chromium at 1280×720 and times ``--repeat`` edits of the field, from Enter
to the end of the rerun (as benchmarks/bench_browser.py times a step). The baseline, in the
same run, is the fragment with the field alone; an element's cost is (median − baseline) /
count. ``--rounds`` times the kinds in turn, reversing the order each round, so that a machine
whose speed drifts during the run weighs on every kind.

Run: ``PYTHONPATH=. python benchmarks/bench_elements.py [--count 20] [--repeat 8] [--rounds 2]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_browser import fill, opened, timed  # noqa: E402
from options import positive  # noqa: E402

FIELD = "Trigger (%)"
HELP = "A line of help text, as every field and figure of the app has."

#: One element of each kind, as a statement of the app below (``v`` is the field's value,
#: ``i`` the element's number); "none" is the baseline.
KINDS = {
    "none": "pass",
    "markdown": 'st.markdown(f"Line {i}: **{v:.1f}** %")',
    "caption": 'st.caption(f"Line {i}: {v:.1f} %")',
    "metric (help)": 'st.metric(f"Figure {i}", f"{v * i:,.2f}", help=HELP)',
    "number_input (help)": 'st.number_input(f"Field {i}", value=float(i), help=HELP)',
    "selectbox (help)": 'st.selectbox(f"Choice {i}", ["a", "b", "c"], help=HELP)',
    "dataframe, 4 rows": "st.dataframe(pd.DataFrame({'x': [v, 2.0, 3.0, 4.0]}), hide_index=True)",
    "table, 4 rows": "st.table(pd.DataFrame({'x': [v, 2.0, 3.0, 4.0]}))",
    "3 columns + markdown": 'st.columns(3)[i % 3].markdown(f"Cell {i}: {v:.1f}")',
}

APP = """import os

import pandas as pd
import streamlit as st

HELP = {help!r}


@st.fragment
def page():
    v = st.number_input({field!r}, value=5.0, step=0.5)
    for i in range(int(os.environ["BENCH_COUNT"])):
        {statement}


page()
"""


def measure(kind: str, count: int, repeat: int, folder: Path) -> list[float]:
    """Seconds of ``repeat`` field edits on the app with ``count`` elements of ``kind``."""
    root = folder / kind.replace(" ", "_").replace(",", "").replace("+", "")
    root.mkdir(exist_ok=True)
    statement = KINDS[kind]
    (root / "app.py").write_text(APP.format(help=HELP, field=FIELD, statement=statement))
    values = ["6", "7"] * repeat
    with opened(root, {"BENCH_COUNT": str(count)}) as page:
        timed(page, fill(page, FIELD, "6.5"))  # warm-up: the first edit loads code
        times = [timed(page, fill(page, FIELD, value))[1] for value in values[:repeat]]
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=positive, default=20, help="elements of each kind")
    parser.add_argument("--repeat", type=positive, default=8, help="field edits timed per app")
    parser.add_argument("--rounds", type=positive, default=2, help="times each kind is started")
    args = parser.parse_args()
    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(args.rounds):
            for kind in list(KINDS)[:: 1 if round_ % 2 == 0 else -1]:
                times[kind] += measure(kind, args.count, args.repeat, Path(tmp))
    base = statistics.median(times["none"])
    n = len(times["none"])
    print(f"field edit to the end of the rerun, medians of {n}, {args.count} elements a kind")
    print(f"{'kind':24}{'rerun (s)':>11}{'per element (ms)':>18}")
    for kind, samples in times.items():
        median = statistics.median(samples)
        each = "baseline" if kind == "none" else f"{(median - base) / args.count * 1e3:.1f}"
        print(f"{kind:24}{median:11.3f}{each:>18}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
