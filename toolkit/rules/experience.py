"""Counting years of experience from dates.

Convention (documented in the README and pinned by tests): a period counts **both ends**, so a
year of work from 2019-01-01 is complete at the end of 2019-12-31. Relevant work from 2019-01-01
to an as-of date of 2025-12-31 is 7 full years; from 2019-01-02 it is 6.

29 February: the anniversary of a 29 February start in a common year is **1 March**, so the year
that began on 2020-02-29 is complete at the end of 2021-02-28 (both ends counted: 366 days).
The notice is silent; this is a toolkit convention (source ``toolkit_assumption``).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

__all__ = ["anniversary", "completion_date", "days_text", "full_years", "years_between", "years_text"]


def anniversary(start: dt.date, years: int) -> dt.date:
    """``start`` moved by whole years; 29 February falls on 1 March in a common year."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February in a common year
        return dt.date(start.year + years, 3, 1)


def completion_date(start: dt.date, years: int) -> dt.date:
    """The day on which ``years`` full years of work starting on ``start`` are complete."""
    if years <= 0:
        return start - dt.timedelta(days=1) if years == 0 else start
    return anniversary(start, years) - dt.timedelta(days=1)


def full_years(start: dt.date, until: dt.date) -> int:
    """Whole years of work from ``start`` to ``until``, both ends counted (0 if until < start)."""
    if until < start:
        return 0
    n = until.year - start.year + 1
    while n > 0 and completion_date(start, n) > until:
        n -= 1
    return n


def years_between(start: dt.date, until: dt.date) -> float:
    """Years of work, both ends counted: whole years plus the fraction of the year under way."""
    n = full_years(start, until)
    if until < start:
        return 0.0
    begun = anniversary(start, n)
    nxt = anniversary(start, n + 1)
    frac = ((until - begun).days + 1) / (nxt - begun).days
    return n + min(frac, 0.999)


@lru_cache(maxsize=1024)
def years_text(years: float, lang: str = "zh") -> str:
    """Years as an officer reads them: whole years and months, never a rounded decimal.

    ``6.999`` reads "6年11个月" / "6 years 11 months" (not "7." as a rounded decimal did); whole
    months are counted down (a part of a month is not a month done); a positive amount under a
    month reads "不足1个月" / "under 1 month"; ``1`` reads "1年" / "1 year".

    Cached: a title assessment words the same amounts (the applicant's years, each level's
    threshold) some twelve times, and a batch the same thresholds over and over.
    """
    whole = int(years)
    months = int(round((years - whole) * 12, 6))  # floor, but 0.5 years * 12 is exactly 6
    if months >= 12:  # pragma: no cover - guarded by the floor above
        whole, months = whole + 1, 0
    if whole == 0 and months == 0:
        if years > 0:
            return "不足1个月" if lang == "zh" else "under 1 month"
        return "0年" if lang == "zh" else "0 years"
    if lang == "zh":
        return (f"{whole}年" if whole else "") + (f"{months}个月" if months else "")
    parts = []
    if whole:
        parts.append(f"{whole} year{'s' if whole != 1 else ''}")
    if months:
        parts.append(f"{months} month{'s' if months != 1 else ''}")
    return " ".join(parts)


def days_text(days: int, lang: str = "zh") -> str:
    """A number of days, in each language ("1 day", "12 days")."""
    return f"{days}天" if lang == "zh" else f"{days} day{'s' if days != 1 else ''}"
