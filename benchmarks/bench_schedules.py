"""Benchmark 7: scheduled backups driven by the clock (rackspace `/schedules`).

100 schedules (one per instance, varied days and times, retention 2, the journal on) and the
manual clock moved a year in one step, then the first look at the cloud runs every due run:
about 36,500 backups made (and pruned by retention) through the same create as on-demand
backups. Only each schedule's next run is an event, so the cost is proportional to the runs:
the per-run cost of a year must stay within 1.5x that of a month, a year of clock over 100
instances without schedules must cost nothing measurable, and a year in 365 daily steps
costs about what one step does.

A century in one step over 10 daily schedules: runs further behind the clock than a year (or
what retention keeps) are summed up, not made, so the century must cost about what a year does
(at most 1.5x), a fixed multiple of a month (a year's runs are 12x a month's; making every
run would be 1,200x). moto has no scheduled backups: no comparison.
"""

from __future__ import annotations

import statistics
import time

from _common import PROJECT, Row, emit, gc_paused, reps

from trovemock import TroveMock

SCHEDULES = 100
DAY = 86400
PER_RUN_GROWTH = 1.5  # a year's cost per run vs a month's
EMPTY_YEAR_MS = 5.0  # a year of clock with no schedule: no per-minute (or per-day) scan
JUMP_SCHEDULES = 10
CENTURY_VS_YEAR = 1.5
CENTURY_VS_MONTH = 20.0


class Counted:
    """Wraps the run hooks to count runs."""

    def __init__(self, mock: TroveMock) -> None:
        self.runs = 0
        hooks = mock.cloud.run_hooks
        assert hooks is not None
        self._record = hooks.record

        def record(*args) -> None:
            self.runs += 1
            self._record(*args)

        hooks.record = record  # type: ignore[method-assign]


def cloud(with_schedules: bool = True, count: int = SCHEDULES,
          daily: bool = False) -> tuple[TroveMock, Counted]:
    mock = TroveMock("rackspace")
    mock.config.backup_quota = -1  # 100 schedules in one project: the quota is not the point
    for n in range(count):
        instance = mock.add_instance(PROJECT)
        if with_schedules:
            mock.add_schedule(PROJECT, instance_id=instance.id,
                              day_of_week=7 if daily else n % 8,
                              hour=n % 24, minute=(7 * n) % 60)
    return mock, Counted(mock)


def advance(days: int, steps: int = 1, with_schedules: bool = True, count: int = SCHEDULES,
            daily: bool = False) -> tuple[float, int]:
    """(milliseconds, runs) to move the clock `days` in `steps` equal steps, looking at the
    cloud after each."""
    mock, counted = cloud(with_schedules, count, daily)
    with gc_paused():
        started = time.perf_counter()
        for _ in range(steps):
            mock.clock.advance(days * DAY / steps)
            with mock.cloud.operation():
                pass
        elapsed = time.perf_counter() - started
    return elapsed * 1000, counted.runs


def median_of(days: int, steps: int = 1, with_schedules: bool = True, count: int = SCHEDULES,
              daily: bool = False) -> tuple[float, int]:
    results = [advance(days, steps, with_schedules, count, daily) for _ in range(reps(3, 1))]
    return statistics.median(ms for ms, _ in results), results[0][1]


def jumps() -> list[Row]:
    """A month, a year and a century in one step over 10 daily schedules."""
    month_ms, month_runs = median_of(30, count=JUMP_SCHEDULES, daily=True)
    year_ms, year_runs = median_of(365, count=JUMP_SCHEDULES, daily=True)
    century_ms, century_records = median_of(36500, count=JUMP_SCHEDULES, daily=True)
    vs_year, vs_month = century_ms / year_ms, century_ms / month_ms
    label = f"{JUMP_SCHEDULES} daily schedules"
    return [
        Row("7", f"30 days of clock, {label} ({month_runs:,} runs), one step", "ms", month_ms),
        Row("7", f"a year of clock, {label} ({year_runs:,} runs), one step", "ms", year_ms,
            note=f"{year_ms / month_ms:.1f}x the month"),
        Row("7", f"a century of clock, {label}, one step", "ms", century_ms,
            target=f"<= {CENTURY_VS_YEAR}x the year, <= {CENTURY_VS_MONTH:g}x the month",
            met=vs_year <= CENTURY_VS_YEAR and vs_month <= CENTURY_VS_MONTH,
            note=f"{vs_year:.2f}x the year, {vs_month:.1f}x the month; {century_records:,} "
                 "run records: the last year's runs made, the older ones summed up in one "
                 "elided record per schedule"),
    ]


def main() -> list[Row]:
    month_ms, month_runs = median_of(30)
    year_ms, year_runs = median_of(365)
    daily_ms, daily_runs = median_of(365, steps=365)
    empty_ms, _ = median_of(365, with_schedules=False)
    per_month_run = month_ms / month_runs
    per_year_run = year_ms / year_runs
    growth = per_year_run / per_month_run
    return [
        Row("7", f"30 days of clock, {SCHEDULES} schedules ({month_runs:,} runs), one step",
            "ms", month_ms, note=f"{per_month_run * 1000:.0f} µs per run"),
        Row("7", f"a year of clock, {SCHEDULES} schedules ({year_runs:,} runs), one step",
            "ms", year_ms, target=f"per run <= {PER_RUN_GROWTH}x the month's",
            met=growth <= PER_RUN_GROWTH,
            note=f"{per_year_run * 1000:.0f} µs per run, {growth:.2f}x the month's per-run "
                 "cost; each run makes a backup through the on-demand create, moves it to "
                 "COMPLETED, journals it and applies retention"),
        Row("7", f"a year in 365 daily steps, {SCHEDULES} schedules ({daily_runs:,} runs)",
            "ms", daily_ms, note=f"{daily_ms / year_ms:.2f}x the one-step year"),
        Row("7", f"a year of clock, {SCHEDULES} instances and no schedule", "ms", empty_ms,
            target=f"< {EMPTY_YEAR_MS:g} ms (no scan)", met=empty_ms < EMPTY_YEAR_MS),
        *jumps(),
    ]


if __name__ == "__main__":
    emit(main())
