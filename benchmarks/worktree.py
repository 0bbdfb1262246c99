"""An earlier commit checked out beside this one, for benchmarks that time both in one run."""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def checkout(ref: str) -> Iterator[Path]:
    """The tree of commit ``ref`` in a temporary git worktree, removed afterwards."""
    git = ["git", "-C", str(ROOT), "worktree"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "baseline"
        subprocess.run([*git, "add", "--detach", "-q", str(root), ref], check=True)
        try:
            yield root
        finally:
            subprocess.run([*git, "remove", "--force", str(root)], check=True)
