"""A run's defaults, in a module of their own: the ``opsim`` help shows them, and
reading them must not import the model (numpy, pandas, scipy, simpy)."""

from __future__ import annotations

DEFAULT_REPLICATIONS = 20
"""Independent replications of a run."""
DEFAULT_SEED = 1
"""The root random seed of a run."""
DEFAULT_SWEEP_REPLICATIONS = 10
"""Replications of each point of a sweep."""
DEFAULT_CAP = 200
"""The most replications ``--precision`` and ``--until-decided`` add up to."""
