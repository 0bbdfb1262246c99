"""Errors raised by the pricing library, with messages meant for the people who fix the input."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input file.

    ``line`` is the line of the file as a spreadsheet or text editor numbers it (the header is
    line 1, so the first incident is line 2); ``None`` for problems with the whole file.
    """

    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class DataValidationError(ValueError):
    """A data file failed validation; ``problems`` lists every problem found, not just the first."""

    def __init__(self, source: str, problems: list[Problem] | tuple[Problem, ...]):
        self.source = source
        self.problems = tuple(problems)
        count = len(self.problems)
        head = f"{source}: {count} problem{'s' if count != 1 else ''} found"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


class ConvergenceError(ValueError):
    """A model fit did not converge; the message says which model and why."""
