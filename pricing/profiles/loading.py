"""Reading profiles: a preset or a JSON file (:func:`load_profile`), and many at once from a
folder of JSON files or a CSV with one profile per row (:func:`load_profiles`), every problem
named by file, line and column.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..exceptions import InputError, Problem
from .presets import PRESETS
from .profile import MAX_PROFILE_BYTES, ExchangeProfile


def load_profile(name_or_path: str | Path) -> ExchangeProfile:
    """A preset by name (see :data:`PRESETS`) or a profile saved as JSON.

    Raises
    ------
    InputError
        If the name is neither a preset nor a readable profile file, naming every problem.
    """
    key = str(name_or_path)
    if key in PRESETS:
        return PRESETS[key]
    return ExchangeProfile.from_json(_read_file(Path(key), "profile"), source=key)


def _read_file(path: Path, what: str) -> bytes:
    """The bytes of a profile file, or an :class:`InputError` saying why it cannot be read."""
    if path.is_dir():
        message = "is a folder, not a JSON file"
    elif not path.is_file():
        message = f"is neither a preset ({', '.join(PRESETS)}) nor an existing file"
        if what != "profile":
            message = "does not exist"
    else:
        try:
            if path.stat().st_size > MAX_PROFILE_BYTES:
                message = f"is larger than {MAX_PROFILE_BYTES:,} bytes: not a profile"
            else:
                return path.read_bytes()
        except OSError as err:
            message = f"cannot be read ({err.strerror})"
    raise InputError(str(path), [Problem(None, None, message)])


def load_profiles(path: str | Path) -> list[ExchangeProfile]:
    """Many profiles: every ``*.json`` file of a folder, or a CSV with one profile per row.

    The CSV has one column per :class:`ExchangeProfile` field (``third_party_provider`` as
    true/false). Every invalid file or row is reported in one :class:`InputError`: a folder's
    problems name the file (``x.json: 'hot_share'``), a CSV's the line and column.
    """
    source = Path(path)
    problems: list[Problem] = []
    profiles: list[ExchangeProfile] = []
    if source.is_dir():
        files = sorted(source.glob("*.json"))
        if not files:
            raise InputError(str(source), [Problem(None, None, "the folder has no *.json files")])
        for file in files:
            try:
                profiles.append(ExchangeProfile.from_json(_read_file(file, "file")))
            except InputError as err:
                problems += [_in_file(file.name, p) for p in err.problems]
    elif source.is_file():
        for line, row in _read_csv(source):
            try:
                profiles.append(ExchangeProfile.from_dict(_typed(row)))
            except InputError as err:
                problems += [Problem(line, p.column, p.message) for p in err.problems]
    else:
        raise InputError(str(source), [Problem(None, None, "is neither a folder nor a CSV file")])
    if problems:
        raise InputError(str(source), problems)
    return profiles


def _in_file(name: str, problem: Problem) -> Problem:
    where = f"{name}: {problem.column}" if problem.column else name
    return Problem(problem.line, where, problem.message)


def _read_csv(source: Path) -> list[tuple[int, dict[str, str]]]:
    """A profiles CSV as ``(line, {column: text})`` rows, read as the incident files are."""
    from ..data import read_text_table

    header, records, origin = read_text_table(source)
    if not records:
        raise InputError(origin, [Problem(None, None, "the file has a header but no rows")])
    return [(line, dict(zip(header, cells, strict=True))) for line, cells in records]


def split_providers(text: str) -> tuple[str, ...]:
    """Provider names from text separated by ``;`` or ``|`` (``"Fireblocks; Copper"``)."""
    return tuple(n.strip() for n in text.replace("|", ";").split(";") if n.strip())


def _typed(row: dict[str, str]) -> dict[str, Any]:
    """CSV text to field types; text that is not a number stays text (and is reported)."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        text = value.strip()
        if key in ("name", "security_level", "jurisdiction", "provider_controls"):
            out[key] = text
        elif key in ("jurisdictions", "trading_volume_usd"):
            out[key] = _structured(text)
        elif key == "signing_providers":
            out[key] = split_providers(text)
        elif key == "third_party_provider":
            lowered = text.lower()
            out[key] = {
                "true": True,
                "yes": True,
                "1": True,
                "false": False,
                "no": False,
                "0": False,
            }.get(lowered, text)
        else:
            try:
                out[key] = float(text)
            except ValueError:
                out[key] = text
    return out


def _structured(text: str) -> Any:
    """A list cell of a profile CSV: JSON, a Python literal as pandas writes tuples, or
    ``hk|eu`` for jurisdictions; text that is none of these stays text (and is reported)."""
    import ast

    if text in ("", "()", "[]"):
        return ()
    for parse in (json.loads, ast.literal_eval):
        try:
            return parse(text)
        except (ValueError, SyntaxError):
            continue
    return text
