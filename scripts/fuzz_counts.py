"""Run the fuzz corpus (tests/fuzz_corpus.py) and print how every input ended.

    python scripts/fuzz_counts.py            # from the repository root

Each input ends as a clear error (exit 2 / InputError naming the problem), an answer that
passed its checks, or a crash (a traceback, exit 1, or a wrong answer); crashes are listed.
The exit status is 1 if there was any crash.
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import fuzz_corpus as fc  # noqa: E402


def main() -> int:
    counts: Counter[tuple[str, str]] = Counter()
    crashes = []
    with tempfile.TemporaryDirectory() as folder, fc.shared_calibration():
        for kind, name, judge in fc.all_inputs(Path(folder)):
            outcome = judge()
            counts[kind, outcome.kind] += 1
            if outcome.kind == fc.CRASH:
                crashes.append((kind, name, outcome.detail))
    kinds = sorted({k for k, _ in counts})
    print(f"{'input kind':<22}{'inputs':>8}{'clear errors':>14}{'answers':>10}{'crashes':>10}")
    total = Counter()
    for kind in kinds:
        row = [counts[kind, k] for k in (fc.CLEAR, fc.ANSWER, fc.CRASH)]
        total.update({k: counts[kind, k] for k in (fc.CLEAR, fc.ANSWER, fc.CRASH)})
        print(f"{kind:<22}{sum(row):>8}{row[0]:>14}{row[1]:>10}{row[2]:>10}")
    print(
        f"{'total':<22}{sum(total.values()):>8}{total[fc.CLEAR]:>14}{total[fc.ANSWER]:>10}"
        f"{total[fc.CRASH]:>10}"
    )
    for kind, name, detail in crashes:
        print(f"CRASH {kind} {name}: {detail}")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
