"""The Chinese working-day calendar: official holidays and make-up working days.

- :mod:`.workdays` counts working days from the calendar data (``data/calendar/`` and the bureau's
  imported years), cross-checked against the ``holidays`` and ``chinesecalendar`` packages;
- :mod:`.imports` reads a State Council holiday notice into a calendar year the bureau keeps.
"""
