"""Errors raised by the pricing library, with messages meant for the people who fix the input.

One type, :class:`InputError`, stands for every problem with what a user gave us (a file, a
profile field, a command-line option, a spec string). It carries the whole list of problems,
each naming where it is (line, column or field) and what is wrong, so the CLI can print them all
and exit 2 and the app can show them next to the field. Anything else that escapes the library
is a bug, never the user's mistake.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input.

    ``line`` is the line of the file as a spreadsheet or text editor numbers it (the header is
    line 1, so the first incident is line 2); ``None`` for problems with the whole input.
    ``column`` names the column of a file, or the field or option of any other input.
    """

    line: int | None
    column: str | None
    message: str

    @property
    def field(self) -> str | None:
        """The field or column the problem is about (an alias of ``column``)."""
        return self.column

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column '{self.column}'" if self.line is not None else f"'{self.column}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class InputError(ValueError):
    """A user's input is wrong; ``problems`` lists every problem found, not just the first.

    ``source`` names the input as the user knows it: a file path, ``"profile"``, an option such
    as ``"--severity"``.

    Examples
    --------
    >>> err = InputError("profile", [Problem(None, "hot_share", "must be in [0, 1], got 1.5")])
    >>> print(err)
    profile: 1 problem found
      - 'hot_share': must be in [0, 1], got 1.5
    >>> InputError.single("--sims", "must be at most 10,000,000").problems[0].field
    '--sims'
    """

    def __init__(self, source: str, problems: Iterable[Problem | str]):
        self.source = source
        self.problems = tuple(
            p if isinstance(p, Problem) else Problem(None, None, str(p)) for p in problems
        )
        count = len(self.problems)
        head = f"{source}: {count} problem{'s' if count != 1 else ''} found"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))

    def __reduce__(self) -> tuple:
        """Pickled with its source and problems (e.g. from a batch's worker process)."""
        return (type(self), (self.source, self.problems))

    @classmethod
    def single(cls, field: str, message: str, *, source: str | None = None) -> InputError:
        """One problem with one field (the field is also the source unless one is given)."""
        return cls(source or field, [Problem(None, field, message)])


class DataValidationError(InputError):
    """A data file failed validation: an :class:`InputError` naming line and column."""


class ConvergenceError(ValueError):
    """A model fit did not converge; the message says which model and why."""
