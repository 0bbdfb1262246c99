"""A seeded, generated corpus of bad and odd inputs, and how each input's outcome is judged.

Every input must end in one of two ways: a **clear error** (the CLI exits 2 and prints a
message naming the problem; a parser raises :class:`~pricing.exceptions.InputError` whose
problems each say what is wrong) or an **answer** that passes the checks of its kind. Anything
else (an uncaught exception, exit status 1, a traceback in the output) is a **crash**.

Used by ``tests/test_fuzz.py`` (one test per input) and ``scripts/fuzz_counts.py`` (the
counts). The corpus is the same on every run: every random choice comes from ``SEED``.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pricing.data import shipped_path
from pricing.exceptions import InputError
from pricing.profiles import PRESETS

SEED = 20261202
ANSWER, CLEAR, CRASH = "answer", "clear error", "crash"

#: Text that breaks naive number parsing, for cells and options.
NASTY_NUMBERS = (
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e400",
    "-1e400",
    "1e308",
    "9" * 400,
    "-1",
    "0",
    "-0",
    "1e-320",
    "abc",
    "",
    " ",
    "1,000",
    "$5m",
    "0x10",
    "1e",
    "١٢٣",  # Arabic-Indic digits: float() accepts them
)
NASTY_TEXT = ("", " ", "\x00", "=cmd|'/c calc'!A1", "é" * 5, "\x01name", "x" * 10_000, '"', "\n")


@dataclass(frozen=True)
class Outcome:
    """How one input ended: ``kind`` is ANSWER, CLEAR or CRASH; ``detail`` says why."""

    kind: str
    detail: str = ""


# --------------------------------------------------------------------------------------------
# Files: incident CSV, exposure CSV, profile JSON, profiles CSV
# --------------------------------------------------------------------------------------------
def _encodings(name: str, text: str) -> list[tuple[str, bytes]]:
    return [
        (f"{name}-utf8", text.encode("utf-8")),
        (f"{name}-utf8-bom", text.encode("utf-8-sig")),
        (f"{name}-utf16", text.encode("utf-16")),
        (f"{name}-utf16le-nobom", text.encode("utf-16-le")),
        (f"{name}-latin1", text.replace("Mt. Gox", "Mt. Göx").encode("latin-1", "replace")),
        (f"{name}-cp1252", text.encode("cp1252", "replace")),
        (f"{name}-semicolon", text.replace(",", ";").encode()),
        (f"{name}-tab", text.replace(",", "\t").encode()),
        (f"{name}-crlf", text.replace("\n", "\r\n").encode()),
        (f"{name}-cr-only", text.replace("\n", "\r").encode()),
    ]


def _junk(rng: random.Random) -> list[tuple[str, bytes]]:
    return [
        ("empty", b""),
        ("whitespace", b" \n\t\n"),
        ("bom-only", b"\xef\xbb\xbf"),
        ("nul-bytes", b"\x00" * 64),
        ("binary-junk", bytes(rng.randrange(256) for _ in range(2048))),
        ("png-header", b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(200))),
        ("zip-header", b"PK\x03\x04" + bytes(rng.randrange(256) for _ in range(200))),
        ("json-instead", json.dumps(PRESETS["small"].to_dict()).encode()),
    ]


def _mutate_csv(text: str, rng: random.Random, n: int, name: str) -> list[tuple[str, bytes]]:
    """``n`` copies of ``text`` with one cell replaced by a nasty value each."""
    lines = text.splitlines()
    header = lines[0].split(",")
    out = []
    for k in range(n):
        rows = list(lines)
        i = rng.randrange(1, len(rows))
        cells = next(iter(__import__("csv").reader([rows[i]])))
        j = rng.randrange(len(cells))
        cells[j] = rng.choice(NASTY_NUMBERS + NASTY_TEXT)
        buffer = io.StringIO()
        __import__("csv").writer(buffer, lineterminator="").writerow(cells)
        rows[i] = buffer.getvalue()
        out.append(
            (f"{name}-cell-{k}-{header[j] if j < len(header) else j}", "\n".join(rows).encode())
        )
    return out


def _structural(text: str, name: str) -> list[tuple[str, bytes]]:
    lines = text.splitlines()
    return [
        (f"{name}-header-only", (lines[0] + "\n").encode()),
        (f"{name}-no-header", "\n".join(lines[1:]).encode()),
        (f"{name}-truncated-mid-line", text[: len(text) // 2].encode()),
        (f"{name}-unbalanced-quote", (text + '\n"2020-01-01,broken').encode()),
        (f"{name}-extra-column", "\n".join(line + ",x" for line in lines).encode()),
        (
            f"{name}-missing-column",
            "\n".join(",".join(line.split(",")[1:]) for line in lines).encode(),
        ),
        (f"{name}-duplicated-header", (lines[0] + "\n" + text).encode()),
        (f"{name}-huge-cell", (text + "\n" + "x" * 200_000).encode()),
        (f"{name}-many-rows", (lines[0] + "\n" + "\n".join(lines[1:] * 60)).encode()),
        (f"{name}-one-row", "\n".join(lines[:2]).encode()),
    ]


def incident_files() -> list[tuple[str, bytes]]:
    rng = random.Random(SEED)
    text = shipped_path("incidents.csv").read_text(encoding="utf-8")
    return [
        ("shipped", text.encode()),
        *_encodings("incidents", text),
        *_structural(text, "incidents"),
        *_mutate_csv(text, rng, 30, "incidents"),
        *_junk(rng),
    ]


def exposure_files() -> list[tuple[str, bytes]]:
    rng = random.Random(SEED + 1)
    text = shipped_path("exposure.csv").read_text(encoding="utf-8")
    return [
        ("shipped", text.encode()),
        *_encodings("exposure", text),
        *_structural(text, "exposure"),
        *_mutate_csv(text, rng, 20, "exposure"),
        *_junk(rng),
    ]


def profile_documents() -> list[tuple[str, bytes]]:
    rng = random.Random(SEED + 2)
    base = PRESETS["small"].to_dict()
    good = json.dumps(base)
    out: list[tuple[str, bytes]] = [
        ("small", good.encode()),
        ("large", json.dumps(PRESETS["large"].to_dict()).encode()),
        ("utf16", good.encode("utf-16")),
        ("utf8-bom", good.encode("utf-8-sig")),
        ("latin1-name", json.dumps(base | {"name": "Börse"}, ensure_ascii=False).encode("latin-1")),
        ("top-level-list", b"[1, 2, 3]"),
        ("top-level-number", b"42"),
        ("top-level-string", b'"small"'),
        ("null", b"null"),
        ("deep-arrays", b"[" * 100_000 + b"]" * 100_000),
        ("deep-objects", b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
        (
            "deep-field",
            good.replace('"hot_share": 0.05', '"hot_share": ' + "[" * 5000 + "]" * 5000).encode(),
        ),
        ("digits-5000", good.replace("130000000.0", "9" * 5000).encode()),
        ("duplicate-key", good.replace("{", '{"hot_share": 0.9, ', 1).encode()),
        ("trailing-comma", good.replace("}", ",}").encode()),
        ("single-quotes", good.replace('"', "'").encode()),
        ("huge-file", b'{"name": "' + b"x" * 2_000_000 + b'"}'),
    ]
    replacements: list[tuple[str, str]] = [
        ("400-digit-int", "9" * 400),
        ("1e308", "1e308"),
        ("1e309", "1e309"),
        ("NaN", "NaN"),
        ("Infinity", "Infinity"),
        ("-Infinity", "-Infinity"),
        ("negative", "-1"),
        ("zero", "0"),
        ("string", '"1e6"'),
        ("null", "null"),
        ("true", "true"),
        ("list", "[1]"),
        ("object", '{"a": 1}'),
        ("tiny", "1e-300"),
        ("nested", "[[[[[[1]]]]]]"),
    ]
    for field in base:
        for label, value in rng.sample(replacements, 4):
            text = json.dumps({k: ("__X__" if k == field else v) for k, v in base.items()})
            out.append((f"{field}-{label}", text.replace('"__X__"', value).encode()))
    for field in rng.sample(list(base), 3):
        out.append(
            (f"missing-{field}", json.dumps({k: v for k, v in base.items() if k != field}).encode())
        )
    out.append(("extra-field", json.dumps(base | {"colour": "blue"}).encode()))
    out.append(("control-char-name", json.dumps(base | {"name": "A\x07B"}).encode()))
    out.append(
        (
            "negative-carry",
            json.dumps(base | {"cost_of_capital": 0.0, "reserve_yield": 0.05}).encode(),
        )
    )
    out.append(("tiny-hot", json.dumps(base | {"hot_share": 1e-9}).encode()))
    out.append(
        (
            "all-hot-max-assets",
            json.dumps(base | {"customer_assets_usd": 1e13, "hot_share": 1.0}).encode(),
        )
    )
    return out + _junk(rng)


def profiles_csv_files() -> list[tuple[str, bytes]]:
    rng = random.Random(SEED + 3)
    header = ",".join(PRESETS["small"].to_dict())

    def cell(value: Any) -> str:  # provider lists are written "A; B" in a CSV
        return "; ".join(value) if isinstance(value, list) else str(value)

    rows = [",".join(cell(v) for v in p.to_dict().values()) for p in PRESETS.values()]
    text = "\n".join([header, *rows])
    return [
        ("presets", text.encode()),
        *_encodings("profiles", text),
        *_structural(text, "profiles"),
        *_mutate_csv(text, rng, 25, "profiles"),
        *_junk(rng),
    ]


# --------------------------------------------------------------------------------------------
# Judging parsers
# --------------------------------------------------------------------------------------------
def judge_error(err: InputError) -> Outcome:
    """A clear error lists at least one problem, each with a message of some words."""
    if not err.problems:
        return Outcome(CRASH, "InputError without problems")
    for p in err.problems:
        if len(p.message.split()) < 2:
            return Outcome(CRASH, f"terse problem: {p}")
    return Outcome(CLEAR, str(err.problems[0])[:200])


def judge_call(call: Callable[[], Any], check: Callable[[Any], None] | None = None) -> Outcome:
    """Run a parser: an answer (checked), a clear InputError, or a crash."""
    try:
        value = call()
    except InputError as err:
        return judge_error(err)
    except Exception as err:  # anything else is a crash: reported, never hidden
        return Outcome(CRASH, f"{type(err).__name__}: {str(err)[:200]}")
    try:
        if check is not None:
            check(value)
    except AssertionError as err:
        return Outcome(CRASH, f"wrong answer: {err}")
    return Outcome(ANSWER)


# --------------------------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------------------------
def _spec_texts(rng: random.Random) -> tuple[list[str], list[str]]:
    frequencies = [
        "poisson:0.05",
        "poisson:mean=3",
        "negbin:mean=4,size=2",
        "binomial:n=10,p=0.01",
        "poisson:1000",
        "poisson:1001",
        "poisson:0",
        "poisson:-1",
        "poisson:nan",
        "poisson:inf",
        "poisson:1e400",
        "negbin:mean=1,size=1e-300",
        "binomial:n=1e9,p=0.5",
        "binomial:n=10.5,p=0.1",
        "cauchy:1",
        "poisson",
        "",
        ":",
        "poisson:mean=1,mean=2",
        "poisson:" + "9" * 400,
        "negbin:0.2",
    ]
    severities = [
        "lognormal:meanlog=17,sdlog=1.8",
        "lognormal:sdlog=100,meanlog=1",
        "lognormal:meanlog=1000,sdlog=1",
        "lognormal:meanlog=40,sdlog=10",
        "lognormal:meanlog=-20,sdlog=0.01",
        "lomax:shape=1.5,scale=2e7",
        "lomax:shape=0.5,scale=2e7",
        "lomax:shape=1e-3,scale=1e7",
        "gamma:shape=1e4,scale=1e13",
        "weibull:shape=0.05,scale=1e6",
        "loglogistic:shape=1,scale=1e6",
        "gpd:shape=5,scale=1e6,threshold=1e6",
        "gpd:shape=-5,scale=1e6,threshold=0",
        "gpd:shape=0.3,scale=1e6",
        "cauchy:1,2",
        "lognormal:meanlog=nan,sdlog=1",
        "lognormal:meanlog=1e308,sdlog=1e308",
        "lognormal:" + "," * 1000,
    ]
    for _ in range(6):  # random in-range specs
        severities.append(
            f"lognormal:meanlog={rng.uniform(5, 25):.3f},sdlog={rng.uniform(0.1, 4):.3f}"
        )
        frequencies.append(
            f"negbin:mean={rng.uniform(0.01, 20):.3f},size={rng.uniform(0.1, 50):.3f}"
        )
    return frequencies, severities


def cli_cases() -> list[tuple[str, list[str]]]:
    """Named argument lists; ``{dir}`` stands for the folder made by :func:`write_cli_files`."""
    rng = random.Random(SEED + 4)
    cases: list[tuple[str, list[str]]] = []
    frequencies, severities = _spec_texts(rng)
    base_sev = "lognormal:meanlog=14.5,sdlog=1.5"
    for f in frequencies:
        cases.append(
            (
                f"aggregate-freq[{f[:30]}]",
                ["aggregate", "--frequency", f, "--severity", base_sev, "--json"],
            )
        )
    for s in severities:
        cases.append(
            (
                f"aggregate-sev[{s[:30]}]",
                ["aggregate", "--frequency", "poisson:0.5", "--severity", s, "--json"],
            )
        )
    agg = ["aggregate", "--frequency", "poisson:0.5", "--severity", base_sev]
    for option in ("--retention", "--limit", "--agg-retention", "--agg-limit", "--cap"):
        for value in [*rng.sample(NASTY_NUMBERS, 5), "1e6"]:
            cases.append((f"aggregate{option}[{value[:20]}]", [*agg, option, value, "--json"]))
    for value in ("1e12", "0", "99", "100", "-5", "abc"):
        cases.append(
            (f"aggregate--sims[{value}]", [*agg, "--method", "mc", "--sims", value, "--json"])
        )
    cases.append(
        ("aggregate-mc-seed-neg", [*agg, "--method", "mc", "--sims", "1000", "--seed", "-1"])
    )
    cases.append(("aggregate-panjer", [*agg, "--method", "panjer", "--json"]))
    cases.append(("aggregate-table", [*agg, "--retention", "1e6", "--limit", "1e7"]))
    # fit-severity / fit-frequency
    for value in ("1e7", "0", "-1", "nan", "inf", "1e13", "5e9", "1e400"):
        cases.append(
            (f"fit-severity--threshold[{value}]", ["fit-severity", "--threshold", value, "--json"])
        )
    for value in ("2025", "2030", "2031", "3000", "1900", "-1", "0", "abc"):
        cases.append(
            (f"fit-frequency--year[{value}]", ["fit-frequency", "--year", value, "--json"])
        )
    for value in (
        "2014-2025",
        "2025-2014",
        "2024",
        "1990-1995",
        "abc",
        "2014-",
        "-",
        "2014-2025-2030",
    ):
        cases.append((f"fit-frequency--years[{value}]", ["fit-frequency", "--years", value]))
    for value in ("cauchy", "lognormal", "spliced"):
        cases.append((f"fit-severity--dist[{value}]", ["fit-severity", "--dist", value, "--json"]))
    for value in ("3e7", "1e5", "1e12", "nan", "-1"):
        cases.append(
            (
                f"fit-severity--splice-point[{value}]",
                ["fit-severity", "--dist", "spliced", "--splice-point", value],
            )
        )
    for index in ("market_cap", "btc_price", "market_cap_per_exchange", "gdp"):
        cases.append(
            (
                f"fit-severity--on-level[{index}]",
                ["fit-severity", "--on-level", index, "--dist", "lognormal"],
            )
        )
    cases.append(
        (
            "readme-example",
            ["fit-severity", "--threshold", "1e7", "--on-level", "market_cap", "--json"],
        )
    )
    for name, _ in _file_cases():
        cases.append(
            (
                f"fit-severity--data[{name}]",
                [
                    "fit-severity",
                    "--data",
                    f"{{dir}}/incidents/{name}.csv",
                    "--dist",
                    "lognormal",
                    "--json",
                ],
            )
        )
    for name, _ in _file_cases(exposure=True):
        cases.append(
            (
                f"fit-frequency--exposure[{name}]",
                ["fit-frequency", "--exposure", f"{{dir}}/exposure/{name}.csv", "--json"],
            )
        )
    cases.append(("fit-severity--data-missing", ["fit-severity", "--data", "{dir}/nope.csv"]))
    cases.append(("fit-severity--data-folder", ["fit-severity", "--data", "{dir}"]))
    # profiles through regulation (no calibration), a sample through loss-model
    for name, _ in profile_documents():
        cases.append(
            (
                f"regulation--profile[{name}]",
                ["regulation", "--profile", f"{{dir}}/profiles/{name}.json", "--json"],
            )
        )
    for name in ("small", "tiny-hot", "all-hot-max-assets", "negative-carry", "utf16"):
        cases.append(
            (
                f"loss-model--profile[{name}]",
                ["loss-model", "--profile", f"{{dir}}/profiles/{name}.json", "--json"],
            )
        )
    cases.append(("regulation--profile-folder", ["regulation", "--profile", "{dir}"]))
    cases.append(
        ("loss-model--severity-family[cauchy]", ["loss-model", "--severity-family", "cauchy"])
    )
    # quote
    quote = ["quote", "--profile", "small", "--retention", "2e7", "--limit", "2e8"]
    for option in (
        "--share",
        "--theta",
        "--cost-of-capital",
        "--expense-ratio",
        "--minimum-premium",
        "--rol",
        "--reinstatements",
        "--reinstatement-rate",
    ):
        for value in rng.sample(NASTY_NUMBERS, 3):
            cases.append(
                (f"quote{option}[{value[:20]}]", [*quote, option, value, "--format", "json"])
            )
    cases.append(
        (
            "quote-tiny-layer",
            ["quote", "--profile", "small", "--retention", "1e6", "--limit", "987"],
        )
    )
    cases.append(("quote-csv", [*quote, "--format", "csv"]))
    cases.append(("quote-market", [*quote, "--rol", "0.05", "--format", "json"]))
    # compare (single and batch)
    compare = ["compare", "--profile", "small"]
    for option in ("--target", "--dispute-probability", "--payment-delay", "--capacity", "--rol"):
        for value in rng.sample(NASTY_NUMBERS, 3):
            cases.append((f"compare{option}[{value[:20]}]", [*compare, option, value, "--json"]))
    cases.append(("compare-json", [*compare, "--json"]))
    cases.append(("compare-batch-no-out", ["compare", "--profiles", "{dir}/batch_ok"]))
    cases.append(
        (
            "compare-batch-out-missing-folder",
            ["compare", "--profiles", "{dir}/batch_ok", "--out", "{dir}/missing/x.csv"],
        )
    )
    cases.append(
        (
            "compare-batch-out-is-folder",
            ["compare", "--profiles", "{dir}/batch_ok", "--out", "{dir}"],
        )
    )
    cases.append(
        (
            "compare-batch-subfolder-json",
            ["compare", "--profiles", "{dir}/batch_subfolder", "--out", "{dir}/r.csv"],
        )
    )
    cases.append(
        (
            "compare-batch-empty-folder",
            ["compare", "--profiles", "{dir}/batch_empty", "--out", "{dir}/r.csv"],
        )
    )
    cases.append(
        (
            "compare-batch-bad-file",
            ["compare", "--profiles", "{dir}/batch_bad", "--out", "{dir}/r.csv"],
        )
    )
    for name, _ in profiles_csv_files()[::4]:
        cases.append(
            (
                f"compare-batch-csv[{name}]",
                [
                    "compare",
                    "--profiles",
                    f"{{dir}}/profiles_csv/{name}.csv",
                    "--out",
                    "{dir}/r.csv",
                    "--regime",
                    "hk",
                ],
            )
        )
    # providers
    for value in ("nobody", "Ginco", "", "x" * 500):
        cases.append((f"providers--provider[{value[:20]}]", ["providers", "--provider", value]))
    for value in ("0", "nan", "1.5", "0.35"):
        cases.append((f"providers--user-share[{value}]", ["providers", "--user-share", value]))
    # portfolio (bad inputs only: a run starts a Dask cluster)
    book = ["portfolio", "--workers", "0", "--json"]
    BOOK = str(shipped_path("example_book.csv"))
    cases += [
        ("portfolio--book-missing", [*book, "--book", "{dir}/nope.csv"]),
        ("portfolio--book-folder", [*book, "--book", "{dir}"]),
        ("portfolio--book-binary", [*book, "--book", "{dir}/incidents/binary-junk.csv"]),
        ("portfolio--book-profiles", [*book, "--book", "{dir}/profiles_csv/presets.csv"]),
        ("portfolio--years-huge", [*book, "--book", BOOK, "--years", "10000000000000"]),
        ("portfolio--workers-neg", [*book, "--book", "{dir}/nope.csv", "--workers", "-3"]),
        ("portfolio--hit-nan", [*book, "--book", BOOK, "--hit-probability", "nan"]),
    ]
    # argparse level
    cases += [
        ("no-command", []),
        ("unknown-command", ["frobnicate"]),
        ("help", ["--help"]),
        ("unknown-option", ["aggregate", "--frobnicate"]),
        ("bad-choice", ["compare", "--regime", "mars"]),
        (
            "float-for-int",
            ["aggregate", "--frequency", "poisson:1", "--severity", base_sev, "--sims", "1.5"],
        ),
    ]
    return cases


def _file_cases(exposure: bool = False) -> list[tuple[str, bytes]]:
    files = exposure_files() if exposure else incident_files()
    return files[::2]  # every other one: the parser tests cover them all


def write_cli_files(folder: Path) -> None:
    """Write the files the CLI cases name under ``folder``."""
    for sub, files in (
        ("incidents", _file_cases()),
        ("exposure", _file_cases(exposure=True)),
        ("profiles", profile_documents()),
    ):
        (folder / sub).mkdir(parents=True, exist_ok=True)
        suffix = ".json" if sub == "profiles" else ".csv"
        for name, data in files:
            (folder / sub / f"{name}{suffix}").write_bytes(data)
    (folder / "profiles_csv").mkdir(exist_ok=True)
    for name, data in profiles_csv_files():
        (folder / "profiles_csv" / f"{name}.csv").write_bytes(data)
    for sub in ("batch_ok", "batch_subfolder", "batch_empty", "batch_bad"):
        (folder / sub).mkdir(exist_ok=True)
    PRESETS["small"].save(folder / "batch_ok" / "small.json")
    PRESETS["small"].save(folder / "batch_subfolder" / "small.json")
    (folder / "batch_subfolder" / "x.json").mkdir(exist_ok=True)
    PRESETS["small"].save(folder / "batch_bad" / "a.json")
    (folder / "batch_bad" / "b.json").write_bytes(b"[" * 10_000)


@contextlib.contextmanager
def shared_calibration() -> Iterator[None]:
    """Memoise calibrations on the shipped files while the corpus runs: the fuzz is about
    inputs, and one calibration takes a second. Any other data is calibrated afresh."""
    from pricing import calibration

    real = calibration.calibrate
    cache: dict[object, Any] = {}

    def memo(spec=None, incidents=None, exposure=None):
        shipped = all(
            x is not None and Path(x.origin).parent.name in ("data", "_data")
            for x in (incidents, exposure)
        )
        if not shipped:
            return real(spec, incidents, exposure)
        if spec not in cache:
            cache[spec] = real(spec, incidents, exposure)
        return cache[spec]

    calibration.calibrate = memo
    try:
        yield
    finally:
        calibration.calibrate = real


def all_inputs(folder: Path) -> Iterator[tuple[str, str, Callable[[], Outcome]]]:
    """Every input of the corpus as ``(kind, name, judge)``; CLI files are written to
    ``folder`` first."""
    from pricing.data import load_exposure, load_incidents
    from pricing.profiles import ExchangeProfile, load_profiles

    for name, data in incident_files():
        yield "incident CSV", name, lambda d=data: judge_call(lambda: load_incidents(d))
    for name, data in exposure_files():
        yield "exposure CSV", name, lambda d=data: judge_call(lambda: load_exposure(d))
    for name, data in profile_documents():
        yield "profile JSON", name, lambda d=data: judge_call(lambda: ExchangeProfile.from_json(d))
    for name, data in profiles_csv_files():
        path = folder / f"profiles-{len(name)}-{abs(hash(name))}.csv"
        path.write_bytes(data)
        yield "profiles CSV", name, lambda p=path: judge_call(lambda: load_profiles(p))
    write_cli_files(folder)
    for name, argv in cli_cases():
        args = [a.replace("{dir}", str(folder)) for a in argv]
        command = argv[0] if argv and not argv[0].startswith("-") else "(none)"
        yield f"CLI {command}", name, lambda a=args: judge_cli(a)


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """``pricing.cli.main(argv)`` in this process, with its exit status and output."""
    from pricing.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as stop:  # main never exits itself; count it as a crash below
            code = -1 if stop.code is None else int(stop.code) + 100
    return code, out.getvalue(), err.getvalue()


def judge_cli(argv: list[str]) -> Outcome:
    """Exit 0 with a checked answer, exit 2 with a message naming the problem, else a crash."""
    try:
        code, out, err = run_cli(argv)
    except Exception as exc:  # main let an exception escape: a traceback for the user
        return Outcome(CRASH, f"{type(exc).__name__}: {str(exc)[:200]}")
    if "Traceback" in out + err:
        return Outcome(CRASH, "traceback printed")
    if code == 2:
        lines = [line for line in err.splitlines() if line.strip()]
        if not any("error" in line.lower() for line in lines):
            return Outcome(CRASH, f"exit 2 without an error message: {err[:200]!r}")
        if len(" ".join(lines).split()) < 4:
            return Outcome(CRASH, f"terse error: {err[:200]!r}")
        return Outcome(CLEAR, lines[-1][:200])
    if code != 0:
        return Outcome(CRASH, f"exit {code}: {err[:300]}")
    try:
        check_answer(argv, out)
    except (AssertionError, ValueError) as exc:
        return Outcome(CRASH, f"wrong answer: {exc}")
    return Outcome(ANSWER)


def _numbers(document: Any) -> Iterator[float]:
    if isinstance(document, dict):
        for value in document.values():
            yield from _numbers(value)
    elif isinstance(document, list):
        for value in document:
            yield from _numbers(value)
    elif isinstance(document, float):
        yield document


def check_answer(argv: list[str], out: str) -> None:
    """What every answer must satisfy: JSON that parses with no NaN, and per command the
    identities that hold for any input (closed forms where there is one)."""
    if argv and argv[0] == "--help":
        assert "usage" in out
        return
    wants_json = "--json" in argv or (
        "--format" in argv and argv[argv.index("--format") + 1] == "json"
    )
    if not wants_json:
        assert out.strip(), "no output"
        return
    document = json.loads(out, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
    assert all(math.isfinite(x) for x in _numbers(document)), "non-finite number in JSON"
    if argv[0] == "aggregate":
        _check_aggregate(argv, document)


def _check_aggregate(argv: list[str], doc: dict[str, Any]) -> None:
    """VaR and TVaR increase with the level, TVaR >= VaR, ceded within [0, mean], and the mean
    equals E[N]·E[X ∧ cap] (Wald's identity) to 0.5% when the severity's mean is finite."""
    from pricing.specs import parse_frequency, parse_severity

    def level(x: float | None) -> float:  # JSON null is an infinite measure
        return math.inf if x is None else x

    var = [level(doc["var"][k]) for k in sorted(doc["var"], key=float)]
    tvar = [level(doc["tvar"][k]) for k in sorted(doc["tvar"], key=float)]
    assert var == sorted(var), f"VaR not increasing: {var}"
    assert all(t >= v * (1 - 1e-9) for t, v in zip(tvar, var, strict=True)), "TVaR below VaR"
    ceded, mean = level(doc["layer"]["expected_ceded"]), level(doc["mean"])
    assert -1e-9 * mean <= ceded <= mean * (1 + 1e-6) + 1e-6, "ceded outside [0, mean]"
    frequency = parse_frequency(argv[argv.index("--frequency") + 1])
    severity = parse_severity(argv[argv.index("--severity") + 1])
    cap = float(argv[argv.index("--cap") + 1]) if "--cap" in argv else math.inf
    mean_x = float(severity.lev(cap)) if math.isfinite(cap) else severity.mean()
    if math.isfinite(mean_x) and mean_x > 0 and "--method" not in argv:
        expected = frequency.mean * mean_x
        assert abs(mean / expected - 1) < 5e-3, f"mean {mean:.6g} vs {expected:.6g}"
