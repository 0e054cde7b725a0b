"""The exception that carries bad input to the user: one printable line per problem.

Reading YAML, validating the schema and checking a run's bounds all raise it,
so it lives apart from each of them.
"""

from __future__ import annotations


class ScenarioError(Exception):
    """A scenario that cannot be used.

    ``problems`` holds one line per problem; ``notes`` says which checks could
    not run yet because of them.
    """

    def __init__(self, problems: list[str], notes: list[str] | tuple[str, ...] = ()):
        self.problems = [_printable(p) for p in problems]
        self.notes = [_printable(n) for n in notes]
        super().__init__("\n".join(self.problems))


def _printable(line: str) -> str:
    """One printable line whatever a file's keys hold (a newline shows as \\n)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in line)
