"""The Chinese working-day calendar: official holidays and make-up working days.

Other packages import from here. The modules, bottom to top:

- :mod:`.schedule`: a day and its kind, a year's schedule and its compiled table, their sources;
- :mod:`.libraries`: what ``holidays`` and ``chinesecalendar`` hold, through their public functions
  (cached on disk, read again on a miss);
- :mod:`.datafiles`: ``calendar/<year>.yaml`` (a notice transcribed), strict, checked against the
  libraries;
- :mod:`.loaded`: the calendar in force per data folder (libraries cross-checked, then data
  files), and the provisional late-December days;
- :mod:`.workdays`: working-day arithmetic (closed intervals);
- :mod:`.status`: which years are loaded and the warning when one is missing;
- :mod:`.notice` and :mod:`.imports`: a State Council notice read, checked and written into the
  bureau's data folder (``oqtk calendar import``).

The publicity rule that counts these days lives in :mod:`toolkit.rules.publicity`.
"""

from .imports import import_notice
from .loaded import PROVISIONAL_PARAMETER, first_provisional_days, is_provisional, provisional_from
from .notice import ImportedNotice, NoticeDay, parse_notice, read_notice_text
from .schedule import (
    IMPORT_COMMAND,
    IMPORT_COMMAND_EN,
    CalendarSource,
    Day,
    DayKind,
    as_date,
    year_ranges,
)
from .status import CalendarStatus, calendar_status
from .workdays import (
    add_working_days,
    count_working_days,
    covered_years,
    day_info,
    days_between,
    is_working_day,
    last_working_days_start,
    nth_working_day,
    sources_between,
)

__all__ = [
    "IMPORT_COMMAND",
    "IMPORT_COMMAND_EN",
    "PROVISIONAL_PARAMETER",
    "CalendarSource",
    "CalendarStatus",
    "Day",
    "DayKind",
    "ImportedNotice",
    "NoticeDay",
    "add_working_days",
    "as_date",
    "calendar_status",
    "count_working_days",
    "covered_years",
    "day_info",
    "days_between",
    "first_provisional_days",
    "import_notice",
    "is_provisional",
    "is_working_day",
    "last_working_days_start",
    "nth_working_day",
    "parse_notice",
    "provisional_from",
    "read_notice_text",
    "sources_between",
    "year_ranges",
]
