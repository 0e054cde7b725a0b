"""Scenario sections for work that is not incident response: planned operations,
work streams and training.

Each kind of work names the incident priorities allowed to interrupt it; they
must be the most urgent ones (if P2 may interrupt a meeting, so may P0 and P1).
Defaults switch everything off, so a scenario without these sections runs as
before.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.scenario.base import ALL_DAYS, Clock, Date, Flag, Id, Model, Weekday
from sim.scenario.distributions import Distribution, Number, Whole

DURING_SHIFT = "during-shift"
"""``at`` value: any time during the attendee's shift that day."""


class Cadence(Model):
    """When a planned operation recurs (local dates of its time zone).

    Exactly one of: ``every: day`` (on ``days``), ``every: week`` (on ``days``),
    ``every: month`` with ``day`` (a date; short months use their last day) or
    ``weekday`` and ``nth`` (1-5, or -1 for the last), or ``every_days: N``
    counted from ``start``.
    """

    every: Literal["day", "week", "month"] | None = Field(None, description="Period.")
    every_days: Whole | None = Field(None, ge=1, le=3660, description="Every N days.")
    days: tuple[Weekday, ...] | None = Field(
        None, min_length=1, description="Weekdays (daily: all by default; weekly: required)."
    )
    day: Whole | None = Field(None, ge=1, le=31, description="Monthly: day of the month.")
    weekday: Weekday | None = Field(None, description="Monthly: weekday of the nth week.")
    nth: Literal[1, 2, 3, 4, 5, -1] | None = Field(
        None, description="Monthly: which occurrence of the weekday (-1 = last)."
    )
    start: Date | None = Field(
        None, description="every_days: first date (default: the calendar start)."
    )

    @model_validator(mode="after")
    def _one_rule(self):
        for problem in self._problems():
            raise ValueError(problem)
        return self

    def _problems(self):
        if (self.every is None) == (self.every_days is None):
            yield "give either 'every' (day, week or month) or 'every_days', not both or neither"
        if self.every == "week" and self.days is None:
            yield "a weekly cadence needs 'days', e.g. days: [mon]"
        monthly = (self.day is not None, self.weekday is not None or self.nth is not None)
        if self.every == "month" and monthly not in ((True, False), (False, True)):
            yield "a monthly cadence needs either 'day' or 'weekday' with 'nth'"
        if self.every == "month" and monthly[1] and None in (self.weekday, self.nth):
            yield "'weekday' and 'nth' go together (nth: 1 for the first, -1 for the last)"
        if self.every != "month" and any(monthly):
            yield "'day', 'weekday' and 'nth' are for a monthly cadence"
        if self.every in ("month", None) and self.days is not None:
            yield "'days' is for a daily or weekly cadence"
        if self.every_days is None and self.start is not None:
            yield "'start' is for an every_days cadence"

    @property
    def weekdays(self) -> tuple[str, ...]:
        """Weekdays a daily or weekly cadence runs on."""
        return self.days or ALL_DAYS


class Attendees(Model):
    """Who takes part: people of the named roles or teams (everyone if neither), at the
    named sites (all if none), who are on shift at the time. ``one_per_team`` sends
    one of them per team, in turn."""

    roles: tuple[Id, ...] = Field((), description="Roles whose people attend.")
    teams: tuple[Id, ...] = Field((), description="Teams whose people attend.")
    sites: tuple[Id, ...] = Field((), description="Only people at these sites.")
    everyone: Flag = Field(False, description="Everyone on shift (at the named sites).")
    one_per_team: Flag = Field(False, description="One person per team, taking turns.")

    @model_validator(mode="after")
    def _someone(self):
        if not (self.roles or self.teams or self.sites or self.everyone):
            raise ValueError("name roles, teams or sites, or set everyone: true")
        if self.everyone and (self.roles or self.teams):
            raise ValueError("everyone: true takes no roles or teams (sites may narrow it)")
        return self


class Interruptible(Model):
    """Shared by every kind of non-incident work: what may interrupt it, and what then."""

    interrupted_by: tuple[Id, ...] = Field(
        (), description="Incident priorities that may interrupt it (the most urgent ones)."
    )
    on_interrupt: Literal["resume", "drop"] = Field(
        "resume", description="Interrupted work resumes later or is dropped."
    )


class PlannedOperation(Interruptible):
    """A recurring planned activity: stand-up, review, DR test..."""

    id: Id
    name: str | None = None
    cadence: Cadence
    at: Clock | Literal["during-shift"] = Field(
        description="Local start 'HH:MM', or 'during-shift' (any time in the attendee's shift)."
    )
    timezone: str = Field(
        "local", description="'local' (each attendee's site), a site id, 'UTC' or an IANA zone."
    )
    duration: Distribution = Field(description="Minutes, drawn once per occurrence.")
    attendees: Attendees


class Stream(Model):
    """Non-incident work arriving all the time: alert triage, tickets, changes, SIEM events."""

    id: Id
    name: str | None = None
    rate_per_day: Number = Field(gt=0, description="Mean items per day.")
    profile: Id | None = Field(None, description="Hour-of-week profile (incidents.profiles).")
    effort: Distribution = Field(description="Hands-on minutes per item.")
    roles: tuple[Id, ...] = Field(min_length=1, description="Roles that work it, preferred first.")
    interrupted_by: tuple[Id, ...] | Literal["all"] = Field(
        "all", description="Incident priorities that pre-empt it ('all': every priority)."
    )
    response_minutes: Number | None = Field(
        None, gt=0, description="Target from arrival to pick-up; reported as stream adherence."
    )


class InitialTraining(Model):
    """The first days of someone who joins during the horizon (``staff[].joins``)."""

    days: Whole = Field(30, ge=1, le=366, description="Calendar days after joining.")
    share: Number = Field(
        0.5, ge=0, le=1, description="Share of each shift spent in training meanwhile."
    )
    max_tier: Id | None = Field(
        None, description="Highest tier a trainee may work until it ends (none: any)."
    )


class Training(Interruptible):
    """Ongoing training per person (scheduled on random working days, during the shift)."""

    monthly_hours: Number = Field(0, ge=0, le=160, description="Hours per person per month.")
    quarterly_certification_hours: Number = Field(
        0, ge=0, le=160, description="Hours per person per quarter (certification)."
    )
    conference_days: Whole = Field(
        0, ge=0, le=30, description="Working days per person per year at a conference."
    )
    session_hours: Number = Field(
        4, gt=0, le=24, description="Longest training session; longer training is split."
    )
    initial: InitialTraining = InitialTraining()

    @property
    def scheduled(self) -> bool:
        """Whether any training is scheduled at all."""
        return bool(
            self.monthly_hours or self.quarterly_certification_hours or self.conference_days
        )
