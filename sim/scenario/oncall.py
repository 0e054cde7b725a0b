"""Scenario section ``oncall``: rotations, escalation timeouts, and the hours that count as
business hours and as sleep when reporting who was woken.

Without rotations, paging works as before: when nobody qualified is on shift, the
longest-idle qualified person off shift is paged.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from sim.scenario.base import MAX_ITEMS, Clock, Id, Model, Weekday, _frozen
from sim.scenario.distributions import Number, Whole

LAYERS = ("primary", "secondary", "escalation", "executive")
"""Escalation layers in the order they are paged."""
Layer = Literal["primary", "secondary", "escalation", "executive"]


class Window(Model):
    """A daily window of local clock time (it may wrap past midnight)."""

    start: Clock
    end: Clock


class Handover(Model):
    """When one member's turn ends and the next one's begins."""

    weekday: Weekday = Field("mon", description="Weekly rotations: the day of the hand-over.")
    at: Clock = Field("09:00", description="Local time of the hand-over.")
    timezone: str = Field("UTC", description="A site id, 'UTC' or an IANA zone.")


class Rotation(Model):
    """Who is on call for some roles' work, one member at a time, in turn."""

    id: Id
    name: str | None = None
    layer: Layer = Field("primary", description="primary, secondary, escalation or executive.")
    roles: tuple[Id, ...] = Field((), description="Members: the people of these roles ...")
    teams: tuple[Id, ...] = Field((), description="... or of these teams ...")
    sites: tuple[Id, ...] = Field((), description="... at these sites (all if none) ...")
    people: tuple[str, ...] = Field(
        (), description="... or these people by name (e.g. noc-operator-apac-1)."
    )
    covers: tuple[Id, ...] | None = Field(
        None, description="Roles whose work pages this rotation; default: the members' roles."
    )
    period: Literal["weekly", "daily"] = Field("weekly", description="Length of one turn.")
    handover: Handover = Handover()
    first: Whole = Field(0, ge=0, description="Index of the member on call at the start.")
    active_hours: Window | None = Field(
        None,
        description="Follow the sun: members are paged only within these local hours of "
        "their own site (the next member in the window covers).",
    )

    @model_validator(mode="after")
    def _members(self):
        if not (self.roles or self.teams or self.people):
            raise ValueError("name the members' roles, teams or people")
        return self


class OnCall(Model):
    """Rotations and escalation."""

    rotations: tuple[Rotation, ...] = Field((), max_length=MAX_ITEMS)
    escalate_after: Number = Field(
        10, gt=0, description="Minutes without acknowledgement before the next layer is paged."
    )
    escalate_after_by_priority: Annotated[
        dict[Id, Annotated[Number, Field(gt=0)]], AfterValidator(_frozen)
    ] = Field(default_factory=dict, description="Per-priority escalation timeouts (minutes).")
    notify_executive: tuple[Id, ...] = Field(
        (), description="Priorities that also page the executive layer at once."
    )
    business_hours: Window = Field(
        Window(start="08:00", end="18:00"),
        description="Local weekday hours that count as business hours.",
    )
    sleep_hours: Window = Field(
        Window(start="22:00", end="06:00"), description="Local hours people sleep off duty."
    )

    def timeout(self, priority: str) -> float:
        """Minutes a layer has to acknowledge a page for ``priority``."""
        return self.escalate_after_by_priority.get(priority, self.escalate_after)
