"""The one clock officers see: Shanghai time (``Asia/Shanghai``, China Standard Time, UTC+8).

Run ids, decision times, "today" for a review and every time a page shows are in this zone.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

__all__ = ["SHANGHAI", "now", "today"]

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    """The current time in Shanghai (aware)."""
    return dt.datetime.now(SHANGHAI)


def today() -> dt.date:
    """Today's date in Shanghai."""
    return now().date()
