import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.rules.experience import anniversary, completion_date, full_years, years_between

D = dt.date


@pytest.mark.parametrize(
    ("since", "until", "years"),
    [
        (D(2019, 1, 1), D(2025, 12, 31), 7),  # both ends counted
        (D(2019, 1, 2), D(2025, 12, 31), 6),
        (D(2025, 1, 1), D(2025, 12, 31), 1),
        (D(2025, 1, 1), D(2025, 12, 30), 0),
        (D(2025, 6, 1), D(2025, 5, 31), 0),  # until before since
        (D(2020, 2, 29), D(2021, 2, 28), 1),  # 29 Feb: the year ends on 28 Feb of a common year
        (D(2020, 2, 29), D(2021, 2, 27), 0),
        (D(2020, 2, 29), D(2024, 2, 28), 4),  # and on 28 Feb of the next leap year too
        (D(2020, 2, 29), D(2024, 2, 27), 3),
    ],
)
def test_full_years_counts_both_ends(since, until, years):
    assert full_years(since, until) == years


def test_29_february_anniversary_is_1_march():
    assert anniversary(D(2020, 2, 29), 1) == D(2021, 3, 1)
    assert anniversary(D(2020, 2, 29), 4) == D(2024, 2, 29)
    assert completion_date(D(2020, 2, 29), 1) == D(2021, 2, 28)


@given(st.dates(D(1990, 1, 1), D(2030, 12, 31)), st.integers(1, 40))
def test_completion_date_is_the_first_day_with_n_full_years(since, n):
    done = completion_date(since, n)
    assert full_years(since, done) == n
    assert full_years(since, done - dt.timedelta(days=1)) == n - 1


@given(st.dates(D(1990, 1, 1), D(2030, 12, 31)), st.dates(D(1990, 1, 1), D(2030, 12, 31)))
def test_years_between_is_monotonic_and_floors_to_full_years(since, until):
    y = years_between(since, until)
    assert int(y) == full_years(since, until)
    assert years_between(since, until + dt.timedelta(days=1)) >= y


@pytest.mark.parametrize(
    ("years", "zh", "en"),
    [
        (7, "7年", "7 years"),
        (1, "1年", "1 year"),
        (6.999, "6年11个月", "6 years 11 months"),
        (0.5, "6个月", "6 months"),
        (1 + 1 / 12, "1年1个月", "1 year 1 month"),
        (0.001, "不足1个月", "under 1 month"),
        (0, "0年", "0 years"),
    ],
)
def test_years_read_as_years_and_months(years, zh, en):
    from toolkit.rules.experience import years_text

    assert years_text(years, "zh") == zh
    assert years_text(years, "en") == en
