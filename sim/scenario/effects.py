"""Scenario section ``budget.effects``: what each budget line's money changes.

Each effect multiplies one figure of the scenario by
``(line money / reference money) ** -elasticity`` (see :class:`Effect`). No
published study gives these elasticities for operations teams: the defaults
are assumptions, chosen so that doubling a line gives a gain of the size
vendors and the sources in ``scenarios/SOURCES.md`` describe, and each can be
switched off (``enabled: false``) or set to 0.
"""

from __future__ import annotations

from pydantic import Field

from sim.scenario.base import Flag, Id, Model
from sim.scenario.distributions import Number


class Effect(Model):
    """How one line's money moves one figure: ``factor = (money / reference) ** -elasticity``.

    Doubling a line's money multiplies the figure by ``2 ** -elasticity`` (0.81 at
    0.3), and halving it by the inverse: each doubling buys the same relative gain,
    so returns diminish in absolute terms. The factor is kept within
    ``[floor, 1 / floor]``.
    """

    enabled: Flag = True
    elasticity: Number = Field(0.0, ge=0, le=3)
    floor: Number = Field(0.25, gt=0, le=1)

    def factor(self, ratio: float) -> float:
        """The multiplier at ``ratio`` = line money / reference money (1 when disabled)."""
        if not self.enabled or self.elasticity == 0 or ratio == 1:
            return 1.0
        if ratio <= 0:
            return 1.0 / self.floor
        return min(max(ratio**-self.elasticity, self.floor), 1.0 / self.floor)


class SelfResolving(Model):
    """Automation that closes low-priority incidents with nobody's work.

    The share resolved is ``most * (1 - ratio ** -elasticity)`` for ratio > 1 (none
    at or below the reference): a third of the way to ``most`` at double the money
    with elasticity 0.58.
    """

    enabled: Flag = True
    priorities: tuple[Id, ...] = Field((), description="Priorities automation can close.")
    most: Number = Field(0.3, ge=0, le=1, description="Share resolved with unlimited money.")
    elasticity: Number = Field(1.0, ge=0, le=3)

    def share(self, ratio: float) -> float:
        """Share of those incidents resolved by automation at ``ratio``."""
        if not self.enabled or not self.priorities or ratio <= 1:
            return 0.0
        return self.most * (1.0 - ratio**-self.elasticity)


class AlertNoise(Effect):
    """Tools cut the alert noise the NOC triages: the rate of the named streams (-19% at
    double)."""

    elasticity: Number = Field(0.3, ge=0, le=3)
    streams: tuple[Id, ...] = Field((), description="Work streams of alerts to be triaged.")


class Detection(Effect):
    """Tools: occurrence-to-detection time (monitoring, alerting); doubling tools money cuts
    it by 19%."""

    elasticity: Number = Field(0.3, ge=0, le=3)


class Triage(Effect):
    """Tools: triage effort (runbooks, context in the alert); -13% at double."""

    elasticity: Number = Field(0.2, ge=0, le=3)


class IncidentRate(Effect):
    """Infrastructure: every class's incident rate (redundancy, capacity); -13% at double."""

    elasticity: Number = Field(0.2, ge=0, le=3)


class Resolution(Effect):
    """Training: hands-on resolution effort at every tier; -10% at double."""

    elasticity: Number = Field(0.15, ge=0, le=3)


class Escalation(Effect):
    """Training: each step's probability of escalating onwards; -13% at double."""

    elasticity: Number = Field(0.2, ge=0, le=3)


class ChangeFailure(Effect):
    """Tools: the change failure rate of deployments (tests, canaries, automated rollback);
    -19% at double."""

    elasticity: Number = Field(0.3, ge=0, le=3)


class Effects(Model):
    """One effect curve per figure a budget line moves (all on by default); a partial
    mapping (``detection: {elasticity: 0.5}``) keeps the other defaults."""

    detection: Detection = Detection()
    triage: Triage = Triage()
    alert_noise: AlertNoise = AlertNoise()
    self_resolving: SelfResolving = SelfResolving()
    incident_rate: IncidentRate = IncidentRate()
    resolution: Resolution = Resolution()
    escalation: Escalation = Escalation()
    change_failure: ChangeFailure = ChangeFailure()


EFFECT_LINE = {
    "detection": "tools",
    "triage": "tools",
    "alert_noise": "tools",
    "self_resolving": "tools",
    "change_failure": "tools",
    "incident_rate": "infrastructure",
    "resolution": "training",
    "escalation": "training",
}
"""The budget line whose money drives each effect (one entry per field of :class:`Effects`)."""
