"""Command-line option types shared by the benchmarks."""

from __future__ import annotations

import argparse


def positive(text: str) -> int:
    """A count (runs, rounds, elements, years): a whole number of at least 1. argparse names
    the option in the error, so ``--repeat 0`` ends in a usage message, not a traceback."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)
