"""The house a newcomer finds: README commands run, documented ranges match the code, the
public API loads lazily, and the scripts behind the README's two commands are what CI runs."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import pricing
from pricing.checks import ranges_markdown
from pricing.cli import main
from pricing.data import shipped_path
from pricing.profiles import PRESETS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_commands() -> list[list[str]]:
    """Every ``vaultcover ...`` command in the README's code blocks (continuations joined)."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", README, re.S):
        text = block.replace("\\\n", " ")
        for line in text.splitlines():
            line = line.strip()
            if line.startswith("vaultcover "):
                commands.append(shlex.split(line)[1:])
    return commands


COMMANDS = readme_commands()


def test_the_readme_shows_commands():
    assert len(COMMANDS) >= 10
    assert {c[0] for c in COMMANDS} >= {"fit-severity", "aggregate", "quote", "compare"}


@pytest.mark.parametrize("argv", COMMANDS, ids=[" ".join(c)[:60] for c in COMMANDS])
def test_every_readme_command_runs(argv, tmp_path, monkeypatch, capsys):
    """Each command as printed, run from a folder holding the files it names, exits 0."""
    if argv == ["app"]:  # starts a server: checked through its --help instead
        argv = ["app", "--help"]
    (tmp_path / "my_incidents.csv").write_bytes(shipped_path("incidents.csv").read_bytes())
    (tmp_path / "my_quotes.csv").write_text(  # three market quotes for the large preset
        "retention,limit,rate_on_line\n2e7,2e8,0.12\n4e8,2e8,0.02\n1e9,5e8,0.008\n"
    )
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "example_book.csv").write_bytes(
        shipped_path("example_book.csv").read_bytes()
    )
    (tmp_path / "profiles").mkdir()
    for name, profile in PRESETS.items():
        profile.save(tmp_path / "profiles" / f"{name}.json")
    monkeypatch.chdir(tmp_path)
    code = main(argv)
    _, err = capsys.readouterr()
    assert code == 0, err


def test_the_readme_ranges_table_is_generated_from_the_code():
    block = re.search(r"<!-- ranges:start -->\n(.*?)\n<!-- ranges:end -->", README, re.S)
    assert block, "README has no ranges block"
    assert block.group(1) == ranges_markdown(), "run `python -m pricing.checks` into README"


def test_import_pricing_is_cheap():
    """``import pricing`` loads no numerical library (the CLI starts faster)."""
    heavy = "('numpy', 'scipy', 'pandas', 'statsmodels')"
    code = f"import sys, pricing; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert out.strip() == "[]"


def test_every_public_name_resolves():
    for name in pricing.__all__:
        assert getattr(pricing, name) is not None, name
    with pytest.raises(AttributeError):
        pricing.no_such_name  # noqa: B018


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "bash scripts/test.sh" in ci
    assert "bash scripts/test.sh" in README and "bash scripts/app.sh" in README


def test_scripts_do_not_install_into_the_system_python():
    """PEP 668: the scripts install into .venv, never with the system interpreter's pip."""
    for script in ("app.sh", "test.sh", "venv.sh"):
        text = (ROOT / "scripts" / script).read_text()
        assert "python3 -m pip" not in text and "pip install --user" not in text, script
    assert '"$VENV_DIR/bin/python" -m pip install' in (ROOT / "scripts" / "venv.sh").read_text()
