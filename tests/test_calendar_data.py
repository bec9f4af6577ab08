"""Calendar data files (``data/calendar/<year>.yaml``): adding a year, and each loader failure.

Every test copies ``data/`` to a temporary folder, points ``OQTK_DATA_DIR`` at it and adds files
from ``tests/fixtures/calendar/`` (all fictional: none is a real schedule).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import holidays
import pytest

from toolkit import CalendarNotCovered, PolicyDataError, policy
from toolkit.calendar import (
    DayKind,
    calendar_status,
    count_working_days,
    covered_years,
    day_info,
    is_working_day,
)
from toolkit.cli import main
from toolkit.paths import REPO_ROOT
from toolkit.rules.publicity import (
    check_publicity,
    latest_publicity_start,
    publicity_end_date,
    publicity_window,
)

D = dt.date
FIXTURES = Path(__file__).parent / "fixtures" / "calendar"


@pytest.fixture
def data(tmp_path, monkeypatch):
    """A private copy of data/ in force for the test; returns its calendar folder."""
    root = tmp_path / "data"
    shutil.copytree(REPO_ROOT / "data", root)
    for f in (root / "calendar").glob("*.yaml"):
        f.unlink()  # start from the libraries alone
    monkeypatch.setenv("OQTK_DATA_DIR", str(root))
    policy.reload()
    yield root / "calendar"
    monkeypatch.undo()
    policy.reload()


def add(cal: Path, fixture: str) -> Path:
    src = FIXTURES / fixture
    out = None
    for f in src.glob("*.yaml"):
        out = cal / f.name
        shutil.copy(f, out)
    assert out is not None
    return out


# --- adding a year ---------------------------------------------------------------------------------


def test_without_a_file_2027_is_refused(data):
    with pytest.raises(CalendarNotCovered, match="2027"):
        publicity_end_date(D(2026, 12, 28))


def test_a_data_file_adds_2027(data):
    path = add(data, "valid")
    assert 2027 in covered_years()
    # 12-28..12-31 (Mon–Thu) count; 2027-01-01 元旦 (fixture), 01-02/03 weekend; 01-04 is day 5.
    assert publicity_end_date(D(2026, 12, 28)) == D(2027, 1, 4)
    w = publicity_window(D(2026, 12, 28))
    assert w.skipped[0] == (D(2027, 1, 1), "元旦", "New Year's Day")
    # The period and the in-lieu day from the file; the make-up Saturday counts.
    assert publicity_end_date(D(2027, 2, 4), 3) == D(2027, 2, 16)
    assert day_info(D(2027, 2, 6)).kind is DayKind.HOLIDAY  # a Saturday inside the period
    assert day_info(D(2027, 2, 12)).kind is DayKind.IN_LIEU
    assert day_info(D(2027, 2, 20)).kind is DayKind.MAKEUP_WORKING
    assert is_working_day(D(2027, 2, 20))
    assert publicity_end_date(D(2027, 2, 18), 3) == D(2027, 2, 20)
    assert count_working_days(D(2027, 2, 1), D(2027, 2, 28)) == 4 + 10 + 1
    assert latest_publicity_start(D(2027, 1, 4)) == D(2026, 12, 28)
    assert check_publicity(D(2026, 12, 28), D(2027, 1, 1)).shortfall == 1
    # Its source is the notice the file transcribes.
    st = calendar_status(D(2026, 11, 2))
    assert st.warning is None
    (src,) = st.sources[2027]
    assert src.kind == "data_file" and src.number == "测试〔0000〕0号"
    assert src.published == D(2026, 11, 5) and src.name == str(path)
    assert calendar_status(D(2027, 11, 2)).warning is not None  # 2028 missing
    # 2028 is still refused.
    with pytest.raises(CalendarNotCovered, match="2028"):
        is_working_day(D(2028, 1, 3))


def test_cli_status_lists_the_data_file(data, capsys):
    add(data, "valid")
    assert main(["calendar", "status", "--today", "2026-11-02"]) == 0
    out = capsys.readouterr().out
    assert "2027" in out and "测试〔0000〕0号" in out and "⚠" not in out
    assert main(["publicity", "2026-12-28", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["end"] == "2027-01-04"


def _file_from_library(cal: Path, year: int) -> Path:
    """Write <year>.yaml from the `holidays` library's own data for that year (no hand typing)."""
    zh = holidays.China(years=[year - 1, year, year + 1], language="zh_CN")
    lines = [
        f"year: {year}",
        "notice:",
        "  title_zh: 测试：由 holidays 库数据生成",
        "  title_en: 'Test: generated from the holidays library'",
        "  number: 测试〔0000〕3号",
        f"  published: {year - 1}-12-01",
        "holidays:",
    ]
    for d, name in sorted(zh.items()):
        if d.year == year:
            lines += [f"  - date: {d.isoformat()}", f"    name_zh: '{name}'", "    name_en: x"]
            if "调休" in name:
                lines.append("    in_lieu: true")
    lines.append("makeup_working_days:")
    lines += [f"  - {d.isoformat()}" for d in sorted(zh.weekend_workdays) if d.year == year]
    path = cal / f"{year}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    policy.reload()
    return path


def test_a_file_that_agrees_with_the_libraries_is_accepted(data):
    path = _file_from_library(data, 2026)
    assert publicity_end_date(D(2026, 2, 14)) == D(2026, 2, 27)
    names = [s.name for s in calendar_status(D(2026, 6, 1)).sources[2026]]
    assert names[0] == str(path)
    assert any(n.startswith("holidays ") for n in names) and any(
        n.startswith("chinesecalendar ") for n in names
    )


def test_a_file_can_cover_a_year_only_one_library_holds(data):
    # 2003: `holidays` has the notice, chinesecalendar does not; the file is checked against holidays.
    with pytest.raises(CalendarNotCovered):
        is_working_day(D(2003, 6, 2))
    _file_from_library(data, 2003)
    assert is_working_day(D(2003, 6, 2))
    assert [s.kind for s in calendar_status(D(2026, 6, 1)).sources[2003]] == ["data_file", "library"]


# --- the policy number is data ---------------------------------------------------------------------


def test_the_publicity_length_comes_from_the_policy_data(data):
    p = data.parent / "policy" / "publicity_working_days.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("value: 5", "value: 7"), encoding="utf-8")
    policy.reload()
    # 9-29, 9-30, 10-9, 10-10, 10-11, 10-13, 10-14
    assert publicity_end_date(D(2025, 9, 29)) == D(2025, 10, 14)
    assert check_publicity(D(2025, 9, 29), D(2025, 10, 11)).shortfall == 2
    assert publicity_end_date(D(2025, 9, 29), 5) == D(2025, 10, 11)


# --- each loader failure ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "key", "problem"),
    [
        ("makeup_not_weekend", "makeup_working_days.0", "2027-02-19 is a Friday"),
        ("both_holiday_and_makeup", "makeup_working_days.1", "both a holiday and a make-up working day"),
        ("date_outside_year", "holidays.0.date", "2026-11-30 is outside 2027 (and the December before)"),
        ("unknown_key", "holidays.2.half_day", "unknown key"),
        ("year_mismatch", "year", "does not match the file name"),
        ("until_before_date", "holidays.1.until", "before 2027-02-05"),
        ("not_a_date", "notice.published", "must be a real date"),
        ("duplicate_key", "number", "duplicate key"),
        ("bad_file_name", "(file name)", "<year>.yaml"),
        ("disagrees_with_library", "makeup_working_days", "disagrees with the holidays library"),
    ],
)
def test_broken_file_fails_loudly(data, fixture, key, problem):
    path = add(data, fixture)
    with pytest.raises(PolicyDataError) as err:
        is_working_day(D(2025, 6, 2))  # any use of the calendar loads every file
    e = err.value
    assert Path(e.path).name == path.name
    assert e.key == key
    assert problem in e.problem
    with pytest.raises(PolicyDataError):
        calendar_status(D(2026, 6, 1))


def test_disagreement_names_the_days(data):
    add(data, "disagrees_with_library")
    with pytest.raises(PolicyDataError) as err:
        publicity_end_date(D(2026, 2, 14))
    msg = str(err.value)
    assert "2026.yaml" in msg
    assert "2026-01-02: file says working day, holidays says day off" in msg
    assert "2026-01-04: file says day off, holidays says working day" in msg


def test_cli_reports_a_broken_file_without_traceback(data, capsys):
    add(data, "makeup_not_weekend")
    assert main(["publicity", "2025-09-29"]) == 2
    err = capsys.readouterr().err
    assert "2027.yaml" in err and "makeup_working_days.0" in err and "Traceback" not in err


def test_fixing_the_file_and_reloading_recovers(data):
    path = add(data, "makeup_not_weekend")
    with pytest.raises(PolicyDataError):
        is_working_day(D(2027, 2, 19))
    shutil.copy(FIXTURES / "valid" / "2027.yaml", path)
    policy.reload()
    assert not is_working_day(D(2027, 2, 12)) and is_working_day(D(2027, 2, 19))
