"""What the calendar reads from `holidays` and `chinesecalendar` (their public functions only), and
the cache that keeps it between processes (written on a miss, used while the libraries stay the
same)."""

from __future__ import annotations

import datetime as dt
import json

import chinese_calendar
import holidays
import pytest

from toolkit.calendar import covered_years, is_working_day
from toolkit.calendar.libraries import cache_key, library_schedules, read_libraries

D = dt.date


def _days(year: int) -> list[dt.date]:
    first = D(year, 1, 1)
    return [first + dt.timedelta(days=i) for i in range((D(year + 1, 1, 1) - first).days)]


@pytest.fixture(scope="module")
def libs():
    return read_libraries()


def test_chinesecalendar_years_are_those_its_is_workday_answers_for(libs):
    assert min(libs.cc_years) == 2004 and 2026 in libs.cc_years  # chinesecalendar 1.11.0
    for y in (min(libs.cc_years) - 1, max(libs.cc_years) + 1):
        with pytest.raises(NotImplementedError):
            chinese_calendar.is_workday(D(y, 6, 1))


def test_holidays_years_are_those_with_make_up_working_days(libs):
    """holidays estimates a year it has no notice for, with no make-up working days (2027 with
    holidays 0.109): such a year is not taken from it."""
    assert min(libs.holidays_years) == 2001 and 2026 in libs.holidays_years
    assert 2027 not in libs.holidays_years
    cn = holidays.country_holidays("CN", years=[2027])
    assert any(d.year == 2027 for d in cn)  # it does answer for 2027 …
    assert not [d for d in _days(2027) if cn.is_weekend(d) and cn.is_working_day(d)]  # … with no 调休


def test_each_library_year_is_the_librarys_own_answer_for_every_day(libs):
    for year, flags in libs.cc_flags.items():
        assert flags == bytes(chinese_calendar.is_workday(d) for d in _days(year)), year
    cn = holidays.country_holidays("CN", years=range(2000, 2028))
    for year, flags in libs.holidays_flags.items():
        assert flags == bytes(cn.is_working_day(d) for d in _days(year)), year


def test_every_covered_year_agrees_with_both_libraries_day_by_day():
    cn = holidays.country_holidays("CN", years=range(2000, 2028))
    for year in covered_years():
        for d in _days(year):
            assert is_working_day(d) is chinese_calendar.is_workday(d) is cn.is_working_day(d), d


def test_library_days_carry_names_in_both_languages(libs):
    s = libs.schedules[2026]
    kind, zh, en = s.off[D(2026, 10, 1)]
    assert (kind.value, zh, en) == ("holiday", "国庆节", "National Day")
    assert s.off[D(2026, 1, 2)][0].value == "in_lieu" and "2026-01-04" in s.off[D(2026, 1, 2)][2]
    assert s.makeup[D(2026, 1, 4)] == (
        "调休上班（2026-01-02 休息）",
        "Make-up working day (for 2026-01-02 off)",
    )


# --- the cache ----------------------------------------------------------------------------------


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("OQTK_CACHE_DIR", str(tmp_path / "cache"))
    library_schedules.cache_clear()
    yield tmp_path / "cache"
    library_schedules.cache_clear()


def _cache_file(folder):
    (path,) = folder.glob("calendar-libraries-*.json")
    return path


def test_a_miss_reads_the_libraries_and_writes_the_cache(fresh_cache, libs):
    assert library_schedules() == libs
    path = _cache_file(fresh_cache)
    assert path.name == f"calendar-libraries-{cache_key()}.json"
    assert json.loads(path.read_text(encoding="utf-8"))["key"] == cache_key()


def test_a_cache_written_for_these_libraries_is_what_a_new_process_uses(fresh_cache, libs):
    library_schedules()
    path = _cache_file(fresh_cache)
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["cc_source"]["name"] = "chinesecalendar (from the cache)"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    library_schedules.cache_clear()  # as a new process
    got = library_schedules()
    assert got.cc_source.name == "chinesecalendar (from the cache)"
    assert got.holidays_flags == libs.holidays_flags and got.schedules == libs.schedules


def test_a_cache_for_other_libraries_is_replaced(fresh_cache, libs):
    stale = fresh_cache / "calendar-libraries-other-libraries.json"
    fresh_cache.mkdir(parents=True)
    stale.write_text(json.dumps({"key": "other-libraries"}), encoding="utf-8")
    assert library_schedules() == libs
    assert not stale.exists() and _cache_file(fresh_cache).name == f"calendar-libraries-{cache_key()}.json"


def test_a_damaged_cache_is_read_again_and_rewritten(fresh_cache, libs):
    fresh_cache.mkdir(parents=True)
    path = fresh_cache / f"calendar-libraries-{cache_key()}.json"
    path.write_text('{"key": "' + cache_key() + '", "holidays_years": [', encoding="utf-8")
    assert library_schedules() == libs
    assert json.loads(path.read_text(encoding="utf-8"))["key"] == cache_key()


def test_the_key_follows_the_library_versions(monkeypatch):
    from importlib import metadata

    key = cache_key()
    real = metadata.distribution

    class Upgraded:
        def __init__(self, d):
            self._d = d
            self.version = d.version + ".post1"

        def read_text(self, name):
            return self._d.read_text(name)

    monkeypatch.setattr(
        metadata, "distribution", lambda name: Upgraded(real(name)) if name == "holidays" else real(name)
    )
    assert cache_key() != key


def test_an_unwritable_cache_folder_is_no_error(tmp_path, monkeypatch, libs):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("OQTK_CACHE_DIR", str(blocker / "cache"))
    library_schedules.cache_clear()
    try:
        assert library_schedules() == libs
    finally:
        library_schedules.cache_clear()
