"""Due dates in working days: weekends and bank holidays (England and Wales by default) skipped.

Settings (all optional):
- BREACHES_HOLIDAY_COUNTRY (default "GB") and BREACHES_HOLIDAY_SUBDIV (default "ENG": the
  England and Wales bank holidays);
- BREACHES_CLOSURE_DATES: extra non-working dates, e.g. ["2026-12-29", "2026-12-30"];
- BREACHES_DUE_DAYS: working days allowed per step, merged over DEFAULT_DUE_DAYS.
"""

import datetime
from functools import lru_cache

import holidays
from django.conf import settings

DEFAULT_DUE_DAYS = {
    "triage": 2,
    "informal": 10,
    "investigation": 20,
    "appeal_window": 10,
    "appeal": 15,
    "request": 5,
    "removal_request": 2,
}


def due_days(step: str) -> int:
    table = {**DEFAULT_DUE_DAYS, **getattr(settings, "BREACHES_DUE_DAYS", {})}
    return int(table[step])


@lru_cache(maxsize=64)
def _holidays(country: str, subdiv: str, year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdiv or None, years=year))


def _closures() -> frozenset[datetime.date]:
    dates = set()
    for value in getattr(settings, "BREACHES_CLOSURE_DATES", []):
        dates.add(value if isinstance(value, datetime.date) else
                  datetime.date.fromisoformat(str(value)))
    return frozenset(dates)


def is_working_day(day: datetime.date) -> bool:
    if day.weekday() >= 5:
        return False
    country = getattr(settings, "BREACHES_HOLIDAY_COUNTRY", "GB")
    subdiv = getattr(settings, "BREACHES_HOLIDAY_SUBDIV", "ENG")
    return day not in _holidays(country, subdiv, day.year) and day not in _closures()


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `start` (start itself does not count)."""
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def due_from(start: datetime.date, step: str) -> datetime.date:
    return add_working_days(start, due_days(step))
