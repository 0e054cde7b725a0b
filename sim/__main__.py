"""``python -m sim`` is the ``opsim`` command."""

from sim.cli import console

console()
