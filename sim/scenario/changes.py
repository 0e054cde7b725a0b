"""Scenario section ``changes``: deployments, and the incidents failed changes cause.

The seed targets "Deployment Frequency: multiple per day" and "Change Success
Rate: >95%". Deployments arrive by hour of the week like incidents; each fails
with its change failure rate (DORA's 2023 clusters: 5% elite, 10% high, 15%
medium; see ``scenarios/SOURCES.md``), and a failed change becomes an incident
of the class named, whose resolution steps hold the rollback effort.
"""

from __future__ import annotations

from pydantic import Field

from sim.scenario.base import MAX_ITEMS, Id, Model
from sim.scenario.distributions import Number


class Deployments(Model):
    """One source of deployments (a service's release train, a team's changes)."""

    id: Id
    service: Id | None = Field(None, description="The service changed (for the report).")
    per_day: Number = Field(gt=0, description="Mean deployments a day.")
    profile: Id | None = Field(None, description="Named hour-of-week profile; flat if absent.")
    failure_rate: Number = Field(ge=0, le=1, description="Share of deployments that fail.")
    incident_class: Id = Field(description="The incident class a failed change becomes.")


class Changes(Model):
    """Deployments and their failures."""

    deployments: tuple[Deployments, ...] = Field((), max_length=MAX_ITEMS)
