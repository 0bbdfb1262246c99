"""Today's engine against an earlier commit's, on this machine and in one run.

Issue #8 timed ``compare`` at 435 ms (small) and 520 ms (large) and the CLI ``compare``
process at 1.95 s on its own machine, and set the targets 50 ms and 0.8 s there. Machines
differ by several times, so this script times the code the issue measured (``--baseline``,
default the commit just before the issue's work began) and today's code side by side: each
in a fresh interpreter, each ``compare`` on a freshly built loss model with every cache
cleared (cold, as a user's first call), the CLI process from its bytecode. It prints the
speed-ups and what today's figures would be on the issue's machine (the issue's figure ÷ the
speed-up).

    PYTHONPATH=. python benchmarks/bench_baseline.py [--repeat 5] [--baseline REF]

The baseline is checked out into a temporary git worktree, so this runs in a clone with
its history.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from options import positive
from worktree import checkout

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "77314c9"  # the last commit before issue #8's work: the code the issue timed
ISSUE_MS = {"small": 435.0, "large": 520.0}  # issue #8: one compare on its machine
ISSUE_CLI_S = 1.95  # issue #8: `vaultcover compare --profile small --regime jp-draft --json`
TARGET_MS, TARGET_CLI_S = 50.0, 0.8

# Runs inside either version of the package: only names both versions share.
TIMER = r"""
import json, statistics, sys, time
from pricing.calibration import calibrate
from pricing.lossmodel import build_loss_model
from pricing.profiles import PRESETS
from pricing import strategy

repeat = int(sys.argv[1])
calibration = calibrate()
clear = getattr(strategy, "clear_caches", lambda: None)
out = {}
for name in ("small", "large"):
    times = []
    for _ in range(repeat + 1):  # the first run warms the interpreter, not the engine
        model = build_loss_model(PRESETS[name], calibration)
        clear()
        start = time.perf_counter()
        strategy.compare(model, "jp-draft")
        times.append(1e3 * (time.perf_counter() - start))
    out[name] = statistics.median(times[1:])
print(json.dumps(out))
"""


def compare_ms(root: Path, repeat: int) -> dict[str, float]:
    """Median cold ``compare`` (ms) per preset, timed by ``root``'s own package."""
    env = os.environ | {"PYTHONPATH": str(root), "VAULTCOVER_CACHE": "0"}
    done = subprocess.run(
        [sys.executable, "-c", TIMER, str(repeat)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def cli_seconds(root: Path, repeat: int) -> float:
    """Median wall time (s) of ``root``'s CLI ``compare`` process, from compiled bytecode."""
    import compileall
    import statistics
    import time

    compileall.compile_dir(root / "pricing", quiet=1)
    command = [sys.executable, "-m", "pricing", "compare", "--profile", "small"]
    command += ["--regime", "jp-draft", "--json"]
    env = os.environ | {"PYTHONPATH": str(root)}
    times = []
    for _ in range(repeat + 1):
        start = time.perf_counter()
        subprocess.run(command, env=env, cwd=root, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=positive, default=5, help="timed runs per item (default 5)"
    )
    parser.add_argument(
        "--baseline", default=BASELINE, help=f"git ref of the code to beat (default {BASELINE})"
    )
    args = parser.parse_args()
    with checkout(args.baseline) as old_root:
        # Old and new one after the other, each in its own interpreter.
        old_ms, new_ms = compare_ms(old_root, args.repeat), compare_ms(ROOT, args.repeat)
        old_cli, new_cli = cli_seconds(old_root, args.repeat), cli_seconds(ROOT, args.repeat)
    print(f"baseline {args.baseline} against today's code; medians of {args.repeat} runs\n")
    print(
        f"{'item':<34}{'baseline':>10}{'today':>10}{'speed-up':>10}"
        f"{'on the issue machine':>22}{'target':>9}{'meets':>7}"
    )
    rows = [
        (f"compare {n} jp-draft (cold, ms)", old_ms[n], new_ms[n], ISSUE_MS[n], TARGET_MS, ",.0f")
        for n in ("small", "large")
    ]
    rows.append(("CLI compare process (s)", old_cli, new_cli, ISSUE_CLI_S, TARGET_CLI_S, ".2f"))
    for label, old, new, issue, target, f in rows:
        speedup = old / new
        scaled = issue / speedup
        print(
            f"{label:<34}{old:>10{f}}{new:>10{f}}{speedup:>9.1f}×{scaled:>22{f}}"
            f"{target:>9{f}}{'yes' if scaled <= target else 'no':>7}"
        )


if __name__ == "__main__":
    main()
