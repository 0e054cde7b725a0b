"""On-call burden: who was paged, when in their local day, and how much of their time was duty.

Pure functions over a run's page log and on-call turns. A page's *bucket* is read
in the paged person's local time: ``sleep_hours`` inside the scenario's sleep
window, ``business_hours`` on a weekday inside business hours, ``off_hours``
otherwise (PagerDuty's "interruptions" split the same way). Rates are per
person per 30-day month of the measured window.
"""

from __future__ import annotations

import numpy as np

from sim.model import calendar
from sim.model.fatigue import RISK
from sim.model.hours import BANDS, BUCKETS, bucket  # noqa: F401  (BANDS: for the card)
from sim.model.records import AbsenceKind, PageOutcome, RunRecord
from sim.scenario.schema import Scenario

ALL = "all"
MONTH = 30 * calendar.MINUTES_PER_DAY
LIMITS = {"oncall_time_share": 0.25, "incidents_per_oncall_shift": 2.0}
"""Google SRE: at most 25% of time on call, at most 2 incidents per 12-hour on-call shift."""

Row = tuple[str, str, float]


def burden_rows(record: RunRecord, scenario: Scenario) -> list[Row]:
    """Every on-call metric of one replication (none without rotations)."""
    rows = fatigue_rows(record, scenario) + turnover_rows(record, scenario)
    if not scenario.oncall.rotations:
        return rows
    pages = _pages_in_window(record)
    rows += _page_counts(record, pages)
    rows += _interruptions(record, scenario, pages)
    rows += _duty(record, pages)
    rows += _timeouts(record, scenario, pages)
    return rows


def _pages_in_window(record: RunRecord) -> dict[str, np.ndarray]:
    log = record.pages
    time = np.asarray(log.time, dtype=float)
    keep = (time >= record.warmup) & (time < record.horizon)
    return {
        "time": time[keep],
        "person": np.asarray(log.person, dtype=int)[keep],
        "item": np.asarray(log.item, dtype=int)[keep],
        "outcome": np.asarray(log.outcome, dtype=int)[keep],
    }


def _page_counts(record: RunRecord, pages) -> list[Row]:
    people = record.people
    counts = np.bincount(pages["person"], minlength=len(people)).astype(float)
    rows = [("pages", f"person:{p.name}", counts[i]) for i, p in enumerate(people)]
    for level in ("role", "team"):
        totals: dict[str, float] = {}
        for i, p in enumerate(people):
            key = getattr(p, level)
            totals[key] = totals.get(key, 0.0) + counts[i]
        rows += [("pages", f"{level}:{k}", v) for k, v in totals.items()]
    total = counts.sum()
    rows.append(("pages", ALL, float(total)))
    rows.append(("page_share_max", ALL, float(counts.max() / total) if total else np.nan))
    return rows


def _interruptions(record: RunRecord, scenario: Scenario, pages) -> list[Row]:
    """Pages per month per person by local bucket, and their sums over everyone."""
    months = (record.horizon - record.warmup) / MONTH
    buckets = [
        bucket(scenario, record.people[p].site, t)
        for t, p in zip(pages["time"], pages["person"], strict=True)
    ]
    per = np.zeros((len(record.people), len(BUCKETS)))
    for p, b in zip(pages["person"], buckets, strict=True):
        per[p, BUCKETS.index(b)] += 1
    rows = []
    for i, person in enumerate(record.people):
        for j, name in enumerate(BUCKETS):
            rows.append(
                ("interruptions_per_month", f"person:{person.name}:{name}", per[i, j] / months)
            )
    for j, name in enumerate(BUCKETS):
        rows.append(("interruptions_per_month", f"{ALL}:{name}", per[:, j].sum() / months))
    return rows


def _duty(record: RunRecord, pages) -> list[Row]:
    """Share of the window on call (any layer), and acknowledged pages per 12 h of it."""
    lo, hi = record.warmup, record.horizon
    turns: list[list[tuple[float, float]]] = [[] for _ in record.people]
    for start, end, person, _ in record.oncall:
        turns[person].append((start, end))
    # on call in two layers at once is on call once; away (or not yet there) is not on call
    duty = np.array(
        [
            _length_minus(calendar.merge_intervals(t), away, lo, hi)
            for t, away in zip(turns, record.absences or [[]] * len(turns), strict=True)
        ]
    )
    acked = pages["outcome"] == PageOutcome.ACKNOWLEDGED
    taken = np.bincount(pages["person"][acked], minlength=len(record.people))
    rows = []
    for i, person in enumerate(record.people):
        if duty[i] > 0:
            group = f"person:{person.name}"
            rows.append(("oncall_time_share", group, duty[i] / (hi - lo)))
            rows.append(("incidents_per_oncall_shift", group, taken[i] / (duty[i] / 720.0)))
    on_call = duty > 0
    if on_call.any():
        rows.append(("oncall_time_share", ALL, float(duty[on_call].mean() / (hi - lo))))
        rate = taken[on_call].sum() / (duty[on_call].sum() / 720.0)
        rows.append(("incidents_per_oncall_shift", ALL, float(rate)))
    return rows


def _length_minus(spans, away, lo: float, hi: float) -> float:
    """Length of ``spans`` inside ``[lo, hi)``, less the parts inside ``away`` intervals."""
    total = calendar.overlap(spans, lo, hi)
    for a, b, *_ in away:
        total -= calendar.overlap(spans, max(a, lo), min(b, hi)) if b > lo and a < hi else 0.0
    return max(total, 0.0)


def _timeouts(record: RunRecord, scenario: Scenario, pages) -> list[Row]:
    """Pages not acknowledged within their escalation timeout, by priority."""
    timed_out = pages["outcome"] == PageOutcome.TIMED_OUT
    classes = np.asarray(record.incidents.cls, dtype=int)
    priority = [scenario.incidents.classes[classes[i]].priority for i in pages["item"][timed_out]]
    rows = [("escalation_timeouts", p.id, float(priority.count(p.id))) for p in scenario.priorities]
    return [*rows, ("escalation_timeouts", ALL, float(timed_out.sum()))]


def fatigue_rows(record: RunRecord, scenario: Scenario) -> list[Row]:
    """Sleep lost to pages, alertness when acknowledging them, and tired night work."""
    if not scenario.fatigue.enabled:
        return []
    log, lo, hi = record.fatigue, record.warmup, record.horizon
    rows = [
        ("sleep_lost_hours", f"person:{p.name}", lost / 60.0)
        for p, lost in zip(record.people, record.sleep_lost, strict=True)
    ]
    rows.append(("sleep_lost_hours", ALL, sum(record.sleep_lost) / 60.0))
    when = np.asarray(log.ack_time, dtype=float)
    inside = (when >= lo) & (when < hi)
    alert = np.asarray(log.ack_alertness, dtype=float)[inside]
    asleep = np.asarray(log.ack_asleep, dtype=bool)[inside]
    some = alert.size > 0
    rows.append(("alertness_at_ack", ALL, float(alert.mean()) if some else np.nan))
    rows.append(("alertness_at_ack", "p10", float(np.percentile(alert, 10)) if some else np.nan))
    rows.append(("asleep_at_page_share", ALL, float(asleep.mean()) if some else np.nan))
    rows.extend(_alertness_by_person(record, np.asarray(log.ack_person, dtype=int)[inside], alert))
    start = np.asarray(log.work_time, dtype=float)
    inside = (start >= lo) & (start < hi)
    minutes = np.asarray(log.work_minutes, dtype=float)[inside]
    tired = np.asarray(log.work_alertness, dtype=float)[inside] < RISK
    total = minutes.sum()
    rows.append(
        ("fatigued_work_share", ALL, float(minutes[tired].sum() / total) if total else np.nan)
    )
    redone = np.asarray(log.work_redone, dtype=bool)[inside]
    rows.append(("redone_night_work", ALL, float(redone.sum())))
    return rows


def _alertness_by_person(record: RunRecord, who: np.ndarray, alert: np.ndarray) -> list[Row]:
    """Mean alertness at acknowledgement of each person who acknowledged a page."""
    counts = np.bincount(who, minlength=len(record.people))
    sums = np.bincount(who, weights=alert, minlength=len(record.people))
    return [
        ("alertness_at_ack", f"person:{person.name}", float(sums[p] / counts[p]))
        for p, person in enumerate(record.people)
        if counts[p]
    ]


def turnover_rows(record: RunRecord, scenario: Scenario) -> list[Row]:
    """Leavers, turnover a year (leavers per head per year), and days seats stood empty."""
    if not scenario.attrition.enabled:
        return []
    lo, hi = record.warmup, record.horizon
    vacant = [
        (start, end, p)
        for p, spans in enumerate(record.absences)
        for start, end, kind in spans
        if kind == AbsenceKind.VACANT
    ]
    left = [p for start, _, p in vacant if lo <= start < hi]
    empty = sum(max(0.0, min(end, hi) - max(start, lo)) for start, end, _ in vacant)
    months = sum(1 for k in range(int(hi // MONTH) + 1) if lo <= k * MONTH < hi)
    heads = len(record.people)  # decisions fall at the start of every 30 days
    rows = [("leavers", ALL, float(len(left)))]
    for role in dict.fromkeys(p.role for p in record.people):
        count = sum(1 for p in left if record.people[p].role == role)
        rows.append(("leavers", f"role:{role}", float(count)))
    rate = len(left) / heads / (months / 12) if heads and months else np.nan
    rows.append(("attrition", ALL, rate))
    rows.append(("vacancy_days", ALL, empty / calendar.MINUTES_PER_DAY))
    return rows
