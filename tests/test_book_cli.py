"""``vaultcover book …`` and ``vaultcover portfolio --book-name``: exit codes, JSON, and a stored
book running to the same figures as its CSV file."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from pricing.cli import main
from pricing.data import shipped_path
from pricing.portfolio.book import parse_book

BOOK = str(shipped_path("example_book.csv"))
RUN = ["--years", "1000", "--workers", "0", "--seed", "3", "--json"]


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("VAULTCOVER_USER", "ana")
    monkeypatch.delenv("VAULTCOVER_DB", raising=False)
    return ["--db", f"sqlite:///{tmp_path / 's.db'}"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_save_list_show_versions_delete(capsys, db, tmp_path):
    code, out, _ = run(capsys, "book", "save", *db, "--name", "Q1", "--book", BOOK)
    assert code == 0 and "version 1 (30 exchanges" in out
    smaller = tmp_path / "smaller.csv"
    smaller.write_text("".join(open(BOOK, encoding="utf-8").readlines()[:4]), encoding="utf-8")
    code, out, _ = run(capsys, "book", "save", *db, "--name", "Q1", "--book", str(smaller))
    assert code == 0 and "version 2 (3 exchanges" in out

    code, out, _ = run(capsys, "book", "list", *db, "--json")
    (row,) = json.loads(out)
    assert (row["name"], row["owner"], row["version"], row["exchanges"]) == ("Q1", "ana", 2, 3)

    code, out, _ = run(capsys, "book", "show", *db, "Q1", "--version", "1")
    assert code == 0
    assert parse_book(out).entries == parse_book(open(BOOK, encoding="utf-8").read()).entries
    code, out, _ = run(capsys, "book", "show", *db, "Q1")
    assert parse_book(out).names == parse_book(smaller.read_text()).names
    shown = json.loads(run(capsys, "book", "show", *db, "Q1", "--json")[1])
    assert [v["version"] for v in shown["history"]] == [1, 2]
    assert parse_book(shown["csv"]).names == parse_book(out).names

    assert run(capsys, "book", "rename", *db, "Q1", "Q2")[0] == 0
    assert run(capsys, "book", "delete", *db, "Q2")[0] == 0
    assert json.loads(run(capsys, "book", "list", *db, "--json")[1]) == []


def test_a_shared_book_is_seen_by_the_other_user_only_while_shared(capsys, db, monkeypatch):
    assert run(capsys, "book", "save", *db, "--name", "Q1", "--book", BOOK)[0] == 0
    assert run(capsys, "book", "share", *db, "Q1", "bo")[0] == 0
    monkeypatch.setenv("VAULTCOVER_USER", "bo")
    (row,) = json.loads(run(capsys, "book", "list", *db, "--json")[1])
    assert (row["name"], row["owner"]) == ("Q1", "ana")
    code, _, err = run(capsys, "book", "delete", *db, "Q1")
    assert code == 2 and "only the owner (ana)" in err
    monkeypatch.setenv("VAULTCOVER_USER", "ana")
    assert run(capsys, "book", "share", *db, "Q1", "bo", "--stop")[0] == 0
    monkeypatch.setenv("VAULTCOVER_USER", "bo")
    assert json.loads(run(capsys, "book", "list", *db, "--json")[1]) == []


def test_bad_books_unknown_names_and_versions_exit_2_with_a_message(capsys, db, tmp_path):
    bad = tmp_path / "bad.csv"
    lines = open(BOOK, encoding="utf-8").read().splitlines()
    lines[2] = lines[2].replace(",standard,", ",medium,", 1)
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = run(capsys, "book", "save", *db, "--name", "Bad", "--book", str(bad))
    assert code == 2 and "line 3, column 'security_level'" in err
    assert json.loads(run(capsys, "book", "list", *db, "--json")[1]) == []
    code, _, err = run(capsys, "book", "show", *db, "nope")
    assert code == 2 and "no book called 'nope'" in err
    run(capsys, "book", "save", *db, "--name", "Q1", "--book", BOOK)
    code, _, err = run(capsys, "book", "show", *db, "Q1", "--version", "2")
    assert code == 2 and "no version 2 (latest 1)" in err
    code, _, err = run(capsys, "portfolio", "--book-name", "Q1", *db, "--book-version", "5", *RUN)
    assert code == 2 and "'--book-version': 'Q1' has no version 5" in err
    code, _, err = run(capsys, "portfolio", "--book-name", "nope", *db, *RUN)
    assert code == 2 and "'--book-name': no book called 'nope'" in err
    code, _, err = run(capsys, "portfolio", "--book", BOOK, "--book-version", "1", *RUN)
    assert code == 2 and "goes with --book-name" in err
    code, _, err = run(capsys, "portfolio", "--book", BOOK, "--book-name", "Q1", *RUN)
    assert code == 2 and "not allowed with argument" in err
    assert "Traceback" not in err


def test_a_stored_book_runs_to_the_same_figures_as_its_file(capsys, db):
    """The stored book is the file's book: the same seed gives the same JSON, figure for
    figure (the stored CSV is the canonical text of the file, not a copy of its bytes)."""
    assert run(capsys, "book", "save", *db, "--name", "Q1", "--book", BOOK)[0] == 0
    code, out, _ = run(capsys, "portfolio", "--book", BOOK, *RUN)
    assert code == 0
    from_file = json.loads(out)
    code, out, _ = run(capsys, "portfolio", "--book-name", "Q1", *db, *RUN)
    assert code == 0
    stored = json.loads(out)
    assert stored == from_file
    assert stored["exchanges"] == 30 and stored["tvar"]["0.995"] > stored["var"]["0.995"] > 0


def readme_book_commands() -> list[list[str]]:
    """The README's book lines (a ``sh`` block: they depend on one another, so they run in
    order here rather than one by one as the ``bash`` block's commands do)."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```sh\n(.*?)```", readme, re.S) if "vaultcover book" in b]
    return [shlex.split(line.split(" > ")[0])[1:] for line in block.splitlines() if line.strip()]


def test_the_readme_book_commands_run_in_order(capsys, tmp_path, monkeypatch):
    commands = readme_book_commands()
    assert [c[0] for c in commands][:2] == ["book", "book"] and ["portfolio"] in [
        c[:1] for c in commands
    ]
    monkeypatch.setenv("VAULTCOVER_DB", f"sqlite:///{tmp_path / 'readme.db'}")
    monkeypatch.setenv("VAULTCOVER_USER", "ana")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "example_book.csv").write_bytes(Path(BOOK).read_bytes())
    monkeypatch.chdir(tmp_path)
    for argv in commands:
        if argv[0] == "portfolio":  # the README's run, shortened
            argv = [*argv[: argv.index("--years") + 1], "1000", "--workers", "0", "--json"]
        code, _, err = run(capsys, *argv)
        assert code == 0, (argv, err)
