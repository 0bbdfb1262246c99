"""The ``vaultcover`` command line: scripted and batch use of the pricing library.

Every subcommand prints a readable table by default and a JSON document with ``--json``.

Exit status: 0 on success; 2 for a user's input problem (:class:`~pricing.exceptions.InputError`:
every problem is printed, naming the line, column, field or option); 1 for an internal error,
printed as one line asking for a report (the traceback only with ``--debug`` or
``VAULTCOVER_DEBUG=1``). A traceback is never the answer to a user's input.

Calibrations are fitted once per data files and choices and kept in the user's cache folder
(:mod:`pricing.calibration_cache`; ``VAULTCOVER_CACHE_DIR`` moves it, ``VAULTCOVER_CACHE=0``
switches it off), so a repeated command skips the fits and their imports.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence

from .. import lazy
from ..exceptions import ConvergenceError, InputError
from .common import (
    APP_PATH,
    DEBUG_ENV,
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_RULES,
    FIELD_OPTIONS,
    OPTION_LIMITS,
    _as_options,
    _calibrate,
    _spec,
    check_options,
)
from .parser import COMMANDS, build_parser, command_of

__all__ = [
    "APP_PATH",
    "DEBUG_ENV",
    "EXIT_INPUT",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_RULES",
    "FIELD_OPTIONS",
    "OPTION_LIMITS",
    "_calibrate",
    "_spec",
    "build_parser",
    "check_options",
    "main",
]

#: Names loaded from the command modules on first use (``pricing.cli.cmd_compare``, …).
_LAZY = {func: module for _, module, func, _ in COMMANDS} | {
    "_strategy_assumptions": "compare",
    "_in_kind": "compare",
    "_regime_params": "regulation",
    "_other_regime_params": "regulation",
}


__getattr__ = lazy.loader(__name__, _LAZY, globals())


def _internal_error(err: BaseException, debug: bool) -> int:
    if debug:
        traceback.print_exception(err, file=sys.stderr)
    first = (str(err).splitlines() or [""])[0][:200]
    print(
        f"vaultcover: internal error ({type(err).__name__}: {first}). This is a bug, not a "
        f"problem with your input: please report it with the command you ran"
        + ("." if debug else f" (run with --debug or {DEBUG_ENV}=1 for the details)."),
        file=sys.stderr,
    )
    return EXIT_INTERNAL


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``vaultcover`` console script and ``python -m pricing``.

    Returns the exit status: 0 success, 2 input problems (all printed), 1 internal error.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = os.environ.get(DEBUG_ENV, "") not in ("", "0")
    try:
        command, passed = command_of(argv), None
        at = argv.index("app") + 1 if command == "app" else len(argv)
        if argv[at:] not in ([], ["-h"], ["--help"]):
            # Everything after ``app`` is streamlit's: argparse would read ``--server.port``
            # as an option of its own.
            argv, passed = argv[:at], argv[at:]
            passed = passed[1:] if passed[:1] == ["--"] else passed
        try:
            args = build_parser(command).parse_args(argv)
            if passed is not None:
                args.streamlit_args = passed
        except SystemExit as stop:  # --help, or argparse's own usage error (status 2)
            return int(stop.code or 0) if isinstance(stop.code, int) else EXIT_INPUT
        debug = debug or args.debug
        check_options(args)
        func = args.func
        if isinstance(func, str):  # a command of this package, looked up here
            func = getattr(sys.modules[__name__], func)
        return int(func(args))
    except InputError as err:
        print(f"error: {_as_options(err)}", file=sys.stderr)
        return EXIT_INPUT
    except ConvergenceError as err:  # the data chosen cannot support the model asked for
        print(f"error: the model cannot be fitted to the data chosen: {err}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading
        sys.stdout = open(os.devnull, "w")
        return EXIT_OK
    except KeyboardInterrupt:
        print("vaultcover: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a bug: never shown as a traceback unless asked for
        return _internal_error(err, debug)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
