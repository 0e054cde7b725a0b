"""Sleep and alertness: the Three-Process Model (TPM) of Åkerstedt and Folkard.

Alertness ``A = S + C + U + W`` on the TPM scale (about 1 to 21; below 7 is the
sleepy, risky zone):

- ``S``, the homeostatic process, falls while awake, ``S = LA + (S0 - LA) e^(D t)``,
  and recovers while asleep: linearly at ``-G (HA - BL)`` per hour below the
  break level ``BL``, then ``S = HA - (HA - BL) e^(G t)`` above it;
- ``C``, the circadian process, ``CA cos(2 pi (h - P) / 24)`` of the local clock
  hour ``h``;
- ``U``, the ultradian process, ``UM + UA cos(2 pi (h - P - 3) / 12)``;
- ``W``, sleep inertia after waking, ``WA e^(WD t)``.

Parameters (``t`` in hours) are those of Ingre et al. 2014 (PLoS ONE 9(10):
e108679) as tabulated by Bowden and Ragsdale; ``W`` is Åkerstedt et al. 2004's.
README "Fatigue" gives the sources and what the model does with them.

A :class:`Sleeper` follows one person: asleep in their nightly local sleep window
whenever they are not at work, awake otherwise, woken by pages; it integrates
``S`` forward in time (queries come in time order) and counts the sleep lost.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math

from sim.model import calendar
from sim.model.roster import effective_shifts

LA, D = 2.4, -0.0353  # awake: lower asymptote, rate (1/h)
HA, G, BL = 14.3, -0.381, 12.5  # asleep: upper asymptote, rate (1/h), break level
CA, P = 2.5, 16.8  # circadian amplitude, acrophase (clock hour)
UM, UA = 0.5, 0.5  # ultradian mean and amplitude
WA, WD = -5.72, -1.51  # sleep inertia at waking, rate (1/h)
RISK = 7.0
"""Alertness below this is the TPM's sleepy, risky zone."""
WARM_UP_DAYS = 3
"""Nights simulated before the start, so that S starts where a regular week leaves it."""


def awake_s(s0: float, hours: float) -> float:
    """S after ``hours`` awake from ``s0``."""
    return LA + (s0 - LA) * math.exp(D * hours)


def asleep_s(s0: float, hours: float) -> float:
    """S after ``hours`` asleep from ``s0`` (linear below the break level, then exponential)."""
    if s0 < BL:
        rate = -G * (HA - BL)
        to_break = (BL - s0) / rate
        if hours <= to_break:
            return s0 + rate * hours
        hours -= to_break
        s0 = BL
    return HA - (HA - s0) * math.exp(G * hours)


def circadian(clock_hour: float) -> float:
    """C + U at a local clock hour (0-24)."""
    c = CA * math.cos(2 * math.pi * (clock_hour - P) / 24)
    u = UM + UA * math.cos(2 * math.pi * (clock_hour - P - 3) / 12)
    return c + u


def inertia(hours_awake: float) -> float:
    """W, ``hours_awake`` after waking (0 long after)."""
    return WA * math.exp(WD * hours_awake) if hours_awake >= 0 else 0.0


def nights(window, zone: str, start: dt.date, days: int) -> list[tuple[float, float]]:
    """Every local sleep window from before the start to the end, in model minutes."""
    begin, end = calendar.parse_clock(window.start), calendar.parse_clock(window.end)
    length = (end - begin) % calendar.MINUTES_PER_DAY or calendar.MINUTES_PER_DAY
    tz = calendar.zone(zone)
    found = []
    for offset in range(-WARM_UP_DAYS - 1, days + 1):
        day = start + dt.timedelta(offset)
        moment = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=begin)
        first = calendar.to_minutes(moment.replace(tzinfo=tz), start)
        found.append((first, first + length))
    return found


AFTER_WORK = 60.0
"""Minutes between the end of a night's work and sleep, for people who work at night."""


def sleep_times(nights: list[tuple[float, float]], shifts) -> list[tuple[float, float]]:
    """When someone sleeps: their nightly window, or, on nights their shift covers half of
    it or more, a window as long starting an hour after that shift ends; never at work."""
    starts = [a for a, _ in shifts]
    moved = []
    for begin, end in nights:
        k = bisect.bisect_right(starts, end) - 1
        worked = 0.0
        last_end = begin
        while k >= 0 and shifts[k][1] > begin:
            worked += max(0.0, min(end, shifts[k][1]) - max(begin, shifts[k][0]))
            last_end = max(last_end, shifts[k][1])
            k -= 1
        if worked * 2 >= end - begin:  # a night worker sleeps after the night's work
            begin, end = last_end + AFTER_WORK, last_end + AFTER_WORK + (end - begin)
        moved.append((begin, end))
    merged = calendar.merge_intervals(moved)
    return effective_shifts(merged, shifts)


class Sleeper:
    """One person's sleep and alertness (see the module docstring).

    ``sleep`` are the times they would sleep (their nights minus their shifts);
    a page wakes them and keeps them awake until :meth:`rest` says when they
    may fall asleep again.
    """

    def __init__(
        self,
        sleep: list[tuple[float, float]],
        zone: str,
        start: dt.date,
        measured_from: float = -math.inf,
    ):
        self.sleep = sleep
        self._starts = [a for a, _ in sleep]
        self.zone, self.start = zone, start
        self._last = (sleep[-1][1] if sleep else 0.0) + 1440.0
        self.t = sleep[0][0] if sleep else 0.0
        self.s = HA - 1.0  # a little short of fully rested, a few nights before the start
        self.woke_at = self.t
        self.awake_until = -math.inf  # kept awake by night work until then
        self.woken = math.nan  # when the current night work began
        self.counted = measured_from  # sleep lost is counted from here (the warm-up's end) on
        self.lost = 0.0  # minutes of sleep lost to pages

    def asleep(self, t: float) -> bool:
        """Whether the person is asleep at ``t`` (as far as is known at ``t``)."""
        return t >= self.awake_until and self._in_sleep(t)

    def alertness(self, t: float) -> float:
        """A = S + C + U + W at ``t`` (advancing the state to ``t``; a moment past the
        nights known is read a day after the last)."""
        t = min(t, self._last)
        self._advance(t)
        local = calendar.local_datetime(t, self.start, self.zone)
        hour = local.hour + local.minute / 60 + local.second / 3600
        return self.s + circadian(hour) + inertia((t - self.woke_at) / 60)

    def wake(self, t: float) -> None:
        """A page at ``t``: awake from now until :meth:`rest` is called."""
        self._advance(t)
        if self.asleep(t):
            self.woke_at = t
        if self.awake_until != math.inf:  # not already up for earlier night work
            self.woken = t
        self.awake_until = math.inf

    def rest(self, t: float, fall_asleep: float) -> None:
        """Night work ended at ``t``; sleep is possible again ``fall_asleep`` minutes later."""
        self.awake_until = t + fall_asleep
        since = max(self.woken, self.counted)  # woken again before falling asleep: no twice
        self.lost += self._sleep_within(since, self.awake_until)
        self.counted = max(self.counted, self.awake_until)

    def _in_sleep(self, t: float) -> bool:
        k = bisect.bisect_right(self._starts, t) - 1
        return k >= 0 and t < self.sleep[k][1]

    def _sleep_within(self, a: float, b: float) -> float:
        return sum(max(0.0, min(e, b) - max(s, a)) for s, e in self.sleep if s < b and e > a)

    def _advance(self, t: float) -> None:
        """Integrate S from the last moment known to ``t``, piece by piece."""
        while self.t < t:
            now = self.t
            asleep = self.asleep(now)
            until = min(t, self._next_change(now))
            hours = (until - now) / 60
            if asleep:
                self.s = asleep_s(self.s, hours)
            else:
                self.s = awake_s(self.s, hours)
            self.t = until
            if asleep and not self.asleep(until):
                self.woke_at = until

    def _next_change(self, t: float) -> float:
        """The next moment after ``t`` at which sleeping could start or stop."""
        k = bisect.bisect_right(self._starts, t)
        edges = [self.sleep[k][0]] if k < len(self.sleep) else []
        if k > 0 and t < self.sleep[k - 1][1]:
            edges.append(self.sleep[k - 1][1])
        if t < self.awake_until:
            edges.append(self.awake_until)
        return min(edges, default=math.inf)


class Alertness:
    """Everyone's sleep, and what it does to acknowledging pages and to night work.

    ``log`` records each acknowledgement's and each night task's alertness.
    """

    def __init__(self, scenario, people, shifts, wake_delay, log, redo=None):
        zones = {s.id: s.timezone for s in scenario.sites}
        start, days = scenario.calendar.start, scenario.calendar.days
        window, self.rules = scenario.oncall.sleep_hours, scenario.fatigue
        self.sleepers = [
            Sleeper(
                sleep_times(nights(window, zones[p.site], start, days), s),
                zones[p.site],
                start,
                scenario.warmup_minutes,
            )
            for p, s in zip(people, shifts, strict=True)
        ]
        self.wake_delay, self.log = wake_delay, log
        self.redo = redo  # uniform draws deciding whether tired work fails (None: never)

    def page_delay(self, person: int, at: float, base: float) -> float:
        """Minutes a page at ``at`` takes to acknowledge: ``base``, plus waking up when asleep,
        stretched by low alertness at the moment of acknowledging."""
        sleeper = self.sleepers[person]
        sleeper.alertness(at)  # brings the state up to the page
        asleep = sleeper.asleep(at)
        sleeper.wake(at)
        delay = base + (self.wake_delay(person) if asleep else 0.0)
        alert = sleeper.alertness(at + delay)
        delay *= 1 + self.rules.ack_slope * max(0.0, RISK - alert)
        self.log.add_ack(at + delay, person, alert, asleep)
        return delay

    def slowed(self, person: int, now: float, minutes: float) -> float:
        """Minutes a task of ``minutes`` takes someone paged off shift, at their alertness now:
        slower when tired, and sometimes failed and partly done again."""
        alert = self.sleepers[person].alertness(now)
        deficit = max(0.0, RISK - alert)
        longer = minutes * (1 + self.rules.work_slope * deficit)
        chance = min(0.5, self.rules.redo_slope * deficit)
        failed = self.redo is not None and self.redo(person) < chance
        if failed:
            longer += minutes * self.rules.redo_share
        self.log.add_work(now, person, longer, alert, failed)
        return longer

    def rested(self, person: int, now: float) -> None:
        """Night work (or a page) is over: sleep may come back."""
        self.sleepers[person].rest(now, self.rules.fall_asleep_minutes)

    def sleep_lost(self) -> list[float]:
        """Minutes of sleep each person lost to pages."""
        return [s.lost for s in self.sleepers]
