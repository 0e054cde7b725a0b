"""The exceptions that carry bad input to the user: one printable line per problem.

Reading YAML, validating the schema, checking a run's bounds and claiming an
output folder raise them, so they live apart from each of those.
"""

from __future__ import annotations


class ScenarioError(Exception):
    """A scenario that cannot be used.

    ``problems`` holds one line per problem; ``notes`` says which checks could
    not run yet because of them.
    """

    def __init__(self, problems: list[str], notes: list[str] | tuple[str, ...] = ()):
        self.problems = [printable(p) for p in problems]
        self.notes = [printable(n) for n in notes]
        super().__init__("\n".join(self.problems))


class FolderRefused(Exception):
    """An output folder opsim will not write, with the reason in one line."""

    def __init__(self, reason: str):
        super().__init__(printable(reason))


def printable(line: str) -> str:
    """One printable line whatever a file's keys or a path hold (a newline shows as \\n)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in line)


def clip(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters, saying so: a message stays one readable line."""
    return text if len(text) <= limit else f"{text[: limit - 3]}..."
