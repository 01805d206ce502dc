"""Errors that a user can act on. The command line prints them as one clear message."""

from __future__ import annotations


class GoaltuiError(Exception):
    """Base of every error goaltui reports to a person instead of a traceback."""


class DatabaseError(GoaltuiError):
    """The database file cannot be used: locked too long, not a goaltui database, too new."""


class ValidationError(GoaltuiError):
    """Input that breaks the interchange format. `problems` lists every one found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))
