"""The scenario: a validated, immutable description of an operations organisation.

Every default lives here, in the schema. Cross-references (a role's team, a
class's priority, who can work a tier) are checked after the field-level
validation so that one run reports every problem at once, each with its key
path.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sim.scenario.absence import Absence
from sim.scenario.attrition import Attrition
from sim.scenario.base import (  # noqa: F401  (re-exported: the schema's public names)
    ALL_DAYS,
    FIRST_START,
    LAST_START,
    MAX_COUNT,
    MAX_DAYS,
    MAX_HOLIDAYS,
    MAX_ITEMS,
    MAX_STEPS,
    Clock,
    Date,
    Flag,
    FrozenDict,
    Id,
    Model,
    Weekday,
    _check_zone,
    _frozen,
)
from sim.scenario.changes import Changes
from sim.scenario.countries import check_country, check_subdivision
from sim.scenario.distributions import Distribution, Lognormal, Number, Whole
from sim.scenario.fatigue import Fatigue
from sim.scenario.money import Budget, Costs
from sim.scenario.oncall import OnCall
from sim.scenario.work import PlannedOperation, Stream, Training


class Calendar(Model):
    """When the simulated period starts and how long it runs."""

    start: Date = Field(
        dt.date(2027, 1, 4),
        ge=FIRST_START,
        le=LAST_START,
        description="First simulated day (00:00 UTC).",
    )
    days: Whole = Field(90, gt=0, le=MAX_DAYS, description="Horizon in days (at most ten years).")
    warmup_days: Number = Field(
        0, ge=0, description="Incidents occurring before this are simulated but not measured."
    )

    @field_validator("warmup_days")
    @classmethod
    def _warmup_inside_horizon(cls, value: float, info: ValidationInfo) -> float:
        days = info.data.get("days")
        if days is not None and value >= days:
            raise ValueError(f"must be less than days ({days})")
        return value


class Site(Model):
    """A location whose people share a time zone and public holidays."""

    id: Id
    name: str | None = None
    timezone: str = Field(description="IANA time zone, e.g. America/New_York.")
    country: str | None = Field(
        None,
        description="ISO 3166-1 alpha-2 code (e.g. US, IE, SG): its public holidays, from "
        "the holidays package, have no shifts.",
    )
    subdivision: str | None = Field(
        None, description="State or province of the country (e.g. NY), adding its holidays."
    )
    holidays: tuple[Date, ...] = Field(
        (),
        max_length=MAX_HOLIDAYS,
        description="Local dates with no shifts, in addition to the country's.",
    )

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return _check_zone(value)

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return None if value is None else check_country(value)

    @field_validator("subdivision")
    @classmethod
    def _subdivision(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or "country" not in info.data:  # a bad country is reported alone
            return value
        if info.data["country"] is None:
            raise ValueError("a subdivision needs the site's country (e.g. country: US)")
        return check_subdivision(info.data["country"], value)


class Team(Model):
    """An organisational team; the escalation matrix engages teams."""

    id: Id
    name: str | None = None


class Tier(Model):
    """An escalation tier, in escalation order (e.g. L1 NOC ... L4 Architecture)."""

    id: Id
    name: str | None = None


class Shift(Model):
    """A recurring working window."""

    id: Id
    start: Clock = Field(description="Local start, HH:MM.")
    end: Clock = Field(description="End, HH:MM (24:00 allowed); before start means overnight.")
    timezone: str = Field(
        "local", description="'local' (each person's site), 'UTC', or an IANA zone."
    )
    days: tuple[Weekday, ...] = Field(ALL_DAYS, min_length=1, description="Days a shift starts.")

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return value if value == "local" else _check_zone(value)


class Staffing(Model):
    """Headcount of one role at one site on one shift."""

    site: Id
    count: Whole = Field(ge=0, le=MAX_COUNT)
    shift: Id
    joins: Date | None = Field(
        None, description="Local date these people join; during the horizon: initial training."
    )


class Role(Model):
    """A job: who holds it, where, what they can work, what an hour costs."""

    id: Id
    name: str | None = None
    team: Id
    employment: Literal["employee", "contractor"] = "employee"
    tiers: tuple[Id, ...] = Field(min_length=1, description="Escalation tiers this role works.")
    categories: tuple[Id, ...] | Literal["all"] = Field(
        "all", description="Incident categories this role works."
    )
    hourly_cost: Number = Field(0, ge=0, le=100_000, description="Fully loaded cost per hour.")
    staff: tuple[Staffing, ...] = Field(min_length=1, max_length=MAX_ITEMS)

    def works(self, category: str) -> bool:
        """Whether this role may work incidents of ``category``."""
        return self.categories == "all" or category in self.categories


class Priority(Model):
    """A priority level with its targets, most urgent first in the list."""

    id: Id
    name: str | None = None
    response_minutes: Number = Field(gt=0, description="Response-time SLA.")
    mttr_minutes: Number | None = Field(None, gt=0, description="Target mean time to restore.")
    pages_off_shift: Flag = Field(
        True, description="Page someone off shift when no qualified person is on shift."
    )
    postmortem: Distribution | None = Field(
        None, description="Post-mortem effort after restore (minutes); none if absent."
    )


class Service(Model):
    """A service whose outages count against its availability SLO."""

    id: Id
    name: str | None = None
    slo: Number = Field(gt=0, lt=1, description="Availability objective, e.g. 0.999.")


class Profile(Model):
    """Relative arrival intensity by hour; normalised so its weekly mean is 1."""

    timezone: str = Field("UTC", description="IANA zone, 'UTC' or a site id.")
    daily: tuple[Number, ...] | None = Field(
        None, min_length=24, max_length=24, description="24 weights, Monday to Sunday alike."
    )
    weekend: tuple[Number, ...] | None = Field(
        None, min_length=24, max_length=24, description="24 weights for Saturday and Sunday."
    )
    weekly: tuple[Number, ...] | None = Field(
        None, min_length=168, max_length=168, description="168 weights from Monday 00:00."
    )

    @field_validator("timezone")
    @classmethod
    def _utc_spelling(cls, value: str) -> str:
        return "UTC" if value.upper() == "UTC" else value

    @field_validator("daily", "weekend", "weekly")
    @classmethod
    def _non_negative(cls, value):
        if value is not None and (min(value) < 0 or max(value) <= 0):
            raise ValueError("weights must be >= 0 and not all zero")
        return value

    @model_validator(mode="after")
    def _one_shape(self):
        if self.weekly is not None and (self.daily is not None or self.weekend is not None):
            raise ValueError("give either weekly, or daily (and optionally weekend), not both")
        return self

    def hour_of_week_weights(self) -> tuple[float, ...]:
        """168 weights with mean 1 (flat when nothing is given)."""
        if self.weekly is not None:
            raw = self.weekly
        else:
            day = self.daily or (1.0,) * 24
            raw = day * 5 + (self.weekend or day) * 2
        mean = sum(raw) / len(raw)
        if not 0 < mean < float("inf"):  # weights near 1e308 overflow, subnormal ones underflow
            top = max(raw)
            raw = [w / top for w in raw]
            mean = sum(raw) / len(raw)
        return tuple(w / mean for w in raw)


class Step(Model):
    """Resolution work at one tier, and the chance it must go to the next tier."""

    tier: Id
    effort: Distribution = Field(description="Hands-on work at this tier (minutes).")
    escalate: Number = Field(0, ge=0, le=1, description="Probability of escalating onwards.")
    roles: tuple[Id, ...] | None = Field(
        None, description="Only these roles work this step (e.g. a specialist)."
    )


class IncidentClass(Model):
    """A kind of incident: how often, how urgent, who works it, for how long."""

    id: Id
    priority: Id
    category: Id
    service: Id | None = None
    rate_per_day: Number = Field(
        ge=0,
        description="Mean arrivals per day before the multiplier (0: only failed changes).",
    )
    profile: Id | None = Field(None, description="Named hour-of-week profile; flat if absent.")
    outage: Flag = Field(False, description="Counts against its service's availability.")
    impact: Number = Field(
        1.0, gt=0, le=1, description="Share of the service lost during an outage (partial)."
    )
    detection: Distribution = Field(0, description="Occurrence to detection (minutes).")
    triage: Distribution = Field(0, description="Triage effort by the first responder.")
    engage: tuple[Id, ...] | None = Field(
        None, description="Teams engaged; the escalation matrix's teams if absent."
    )
    resolution: tuple[Step, ...] = Field(min_length=1, max_length=MAX_STEPS)
    postmortem: Distribution | None = Field(None, description="Overrides the priority's.")


class Incidents(Model):
    """The incident workload."""

    rate_multiplier: Number = Field(1.0, gt=0, description="Scales every class's rate (growth).")
    profiles: Annotated[dict[Id, Profile], AfterValidator(_frozen)] = Field(default_factory=dict)
    classes: tuple[IncidentClass, ...] = Field(min_length=1, max_length=MAX_ITEMS)


class Escalation(Model):
    """Which teams each priority engages, and which tier triages."""

    matrix: Annotated[dict[Id, tuple[Id, ...]], AfterValidator(_frozen)] = Field(
        default_factory=dict, description="Priority -> teams engaged; all teams if absent."
    )
    triage_tier: Id | None = Field(None, description="Tier that triages; the first if absent.")
    parallel: tuple[Id, ...] = Field(
        (),
        description="Priorities whose engaged teams all join at once (each sends someone), "
        "rather than being routing preferences worked one after another.",
    )
    engagement_effort: Distribution = Field(
        30, description="Minutes an engaged team's responder spends joining (parallel only)."
    )


class Paging(Model):
    """Reaching someone who is off shift when a needed role has nobody on shift."""

    ack_delay: Distribution = Field(
        Lognormal(median=5, p95=20),
        description="Page to acknowledgement; PagerDuty MTTA 4-6 min (scenarios/SOURCES.md §1.3).",
    )


class WorkRules(Model):
    """How work is picked up, interrupted and handed over."""

    preemptive: Flag = Field(True, description="Higher priority interrupts lower priority work.")
    shift_end: Literal["overtime", "handoff"] = Field(
        "overtime", description="At shift end: finish the work, or hand it to someone on shift."
    )
    handoff_delay: Distribution = Field(0, description="Added work when work changes hands.")
    ack_delay: Distribution = Field(0, description="On-shift responder's acknowledgement delay.")
    response_clock: Literal["detected", "started"] = Field(
        "detected", description="Response time counts from detection or from occurrence."
    )
    fte_hours_per_week: Number = Field(
        40, ge=1, le=168, description="Scheduled hours of one full-time person (for FTE)."
    )


class Band(Model):
    """A target range."""

    low: Number = Field(ge=0, le=1)
    high: Number = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self):
        if self.low > self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        return self


class Targets(Model):
    """Organisation-wide targets (per-priority ones sit on the priorities)."""

    mttd_minutes: Number | None = Field(None, gt=0, description="Mean time to detect.")
    response_sla_adherence: Number = Field(
        0.95, gt=0, le=1, description="Share of incidents that must meet their response SLA."
    )
    utilization: Band = Band(low=0.7, high=0.8)
    training_completion: Number = Field(
        1.0, gt=0, le=1, description="Share of due training that must be done."
    )
    change_success_rate: Number = Field(
        0.95, gt=0, le=1, description="Share of deployments that must not fail (seed: >95%)."
    )


class Scenario(Model):
    """A whole operations organisation and its workload."""

    name: str
    description: str = ""
    calendar: Calendar = Calendar()
    sites: tuple[Site, ...] = Field(min_length=1, max_length=MAX_ITEMS)
    teams: tuple[Team, ...] = Field(min_length=1, max_length=MAX_ITEMS)
    tiers: tuple[Tier, ...] = Field(min_length=1, max_length=MAX_ITEMS)
    shifts: tuple[Shift, ...] = Field(min_length=1, max_length=MAX_ITEMS)
    roles: tuple[Role, ...] = Field(min_length=1, max_length=MAX_ITEMS)
    priorities: tuple[Priority, ...] = Field(min_length=1, max_length=MAX_ITEMS)
    services: tuple[Service, ...] = Field((), max_length=MAX_ITEMS)
    incidents: Incidents
    escalation: Escalation = Escalation()
    paging: Paging = Paging()
    work_rules: WorkRules = WorkRules()
    absence: Absence = Absence()
    planned: tuple[PlannedOperation, ...] = Field((), max_length=MAX_ITEMS)
    streams: tuple[Stream, ...] = Field((), max_length=MAX_ITEMS)
    training: Training = Training()
    oncall: OnCall = OnCall()
    fatigue: Fatigue = Fatigue()
    attrition: Attrition = Attrition()
    changes: Changes = Changes()
    costs: Costs = Costs()
    budget: Budget = Budget()
    targets: Targets = Targets()

    @model_validator(mode="after")
    def _consistent(self):
        from sim.scenario.bounds import bound_problems
        from sim.scenario.references import reference_problems, staffing_problems

        # who-can-work checks and bounds read through the references: they must resolve
        found = reference_problems(self.model_dump(by_alias=True, exclude_none=True))
        found = found or staffing_problems(self) + bound_problems(self)
        if found:
            raise ValueError("\n".join(found))
        return self

    def by_id(self, section: str) -> dict[str, Model]:
        """Items of a list section keyed by id, e.g. ``by_id('roles')``."""
        return {item.id: item for item in getattr(self, section)}

    def profile_zone(self, profile: Profile) -> str:
        """The time zone a profile's hours are read in (a site id stands for its zone)."""
        sites = {site.id: site.timezone for site in self.sites}
        return sites.get(profile.timezone, profile.timezone)

    @property
    def horizon_minutes(self) -> float:
        """Simulated period in minutes."""
        return self.calendar.days * 1440.0

    @property
    def warmup_minutes(self) -> float:
        """Start of the measured window in minutes."""
        return self.calendar.warmup_days * 1440.0

    @property
    def triage_tier(self) -> str:
        """The tier that triages new incidents."""
        return self.escalation.triage_tier or self.tiers[0].id

    def priority_rank(self, priority: str) -> int:
        """0 for the most urgent priority."""
        return [p.id for p in self.priorities].index(priority)

    def engaged_teams(self, cls: IncidentClass) -> tuple[str, ...]:
        """Teams an incident class engages (class setting, else matrix, else all)."""
        if cls.engage is not None:
            return cls.engage
        return self.escalation.matrix.get(cls.priority, tuple(t.id for t in self.teams))

    def eligible_roles(
        self, cls: IncidentClass, tier: str, only: Iterable[str] | None = None
    ) -> tuple[str, ...]:
        """Roles that may work ``cls`` at ``tier``, most junior and cheapest first.

        Roles in the engaged teams are preferred; when none of them holds the
        tier the incident escalates beyond the matrix to any team that does.
        """
        key = (tier, cls.category, self.engaged_teams(cls), None if only is None else tuple(only))
        if key not in self._eligible:  # classes share few keys; a scenario may have thousands
            self._eligible[key] = self._eligible_roles(*key)
        return self._eligible[key]

    def _eligible_roles(self, tier, category, engaged, only) -> tuple[str, ...]:
        able = [r for r in self._tier_holders.get(tier, ()) if r.works(category)]
        if only is not None:
            named = set(only)
            able = [r for r in able if r.id in named]
        else:
            able = [r for r in able if r.team in engaged] or able
        return tuple(r.id for r in able)

    @functools.cached_property
    def _tier_holders(self) -> dict[str, list[Role]]:
        """Roles holding each tier, most junior (lowest top tier) then cheapest first."""
        order = {t.id: i for i, t in enumerate(self.tiers)}
        ranked = sorted(
            self.roles, key=lambda r: (max(order.get(t, 0) for t in r.tiers), r.hourly_cost)
        )
        holders: dict[str, list[Role]] = {}
        for role in ranked:
            for tier in dict.fromkeys(role.tiers):
                holders.setdefault(tier, []).append(role)
        return holders

    @functools.cached_property
    def _eligible(self) -> dict[tuple, tuple[str, ...]]:
        return {}

    def person_names(self) -> list[str]:
        """Everyone's name in staff order: ``<role>-<site>-<n>``, numbered across a role's
        staffing lines at one site (so two lines never give one name twice)."""
        names = []
        for role in self.roles:
            numbered: dict[str, int] = {}
            for line in role.staff:
                for _ in range(line.count):
                    n = numbered[line.site] = numbered.get(line.site, 0) + 1
                    names.append(f"{role.id}-{line.site}-{n}")
        return names

    def headcount(self, role: Role) -> int:
        """People in a role across sites."""
        return sum(s.count for s in role.staff)

    def postmortem_effort(self, cls: IncidentClass):
        """Post-mortem effort distribution for a class, or None."""
        if cls.postmortem is not None:
            return cls.postmortem
        return self.by_id("priorities")[cls.priority].postmortem
