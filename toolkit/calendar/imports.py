"""Import a State Council General Office holiday notice into the bureau's data folder.

``oqtk calendar import NOTICE --year Y`` reads the notice (:mod:`.notice`) and writes
``calendar/<Y>.yaml`` into the bureau's data folder (:func:`toolkit.paths.bureau_data_dir`), in the
format of ``data/calendar/README.md``, read by the same strict loader as a shipped file
(:mod:`.datafiles`). Nothing is written when a sentence cannot be read or fails a check.

The notice's title, document number (``--number`` when the pasted text leaves it out) and date
become the source of every day. A later notice that adjusts one holiday is given with
``--adjustment FILE``: its days replace that holiday's, and it is cited as a source of the year
too. Where a library holds year Y, the year is compared with it day by day and must agree
(otherwise nothing is written).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any

import yaml

from ..exceptions import NoticeImportError, PolicyDataError
from ..paths import bureau_data_dir, data_file
from ..policy import install_data_file, load_yaml
from .libraries import LIBRARIES, library_schedules
from .loaded import first_provisional_days
from .notice import ImportedNotice, parse_adjustment, parse_notice, read_notice_text
from .workdays import covered_years

__all__ = ["import_notice"]


def _apply_adjustment(notice: ImportedNotice, path: Path) -> None:
    title, holiday, number, published, days = parse_adjustment(read_notice_text(path), notice.year)
    if published < notice.published:
        raise NoticeImportError(
            f"{path}: 调整通知（{published.isoformat()}）早于原通知（{notice.published.isoformat()}）/ "
            "the adjustment is dated before the notice it adjusts"
        )
    replaced = [d for d, x in notice.days.items() if holiday in x.item.split("、")]
    if not replaced:
        raise NoticeImportError(
            f"{path}: 原通知没有“{holiday}”一项，无法调整 / the notice has no item {holiday!r} to adjust"
        )
    for d in replaced:
        del notice.days[d]
    for x in days:
        if x.date in notice.days:
            raise NoticeImportError(
                f"{path}: “{x.sentence}” — {x.date.isoformat()} 已由原通知“{notice.days[x.date].item}”安排 / "
                "is already arranged by another item of the notice"
            )
        notice.days[x.date] = x
    notice.adjustments.append(
        {
            "title_zh": title,
            "number": number,
            "published": published.isoformat(),
            "file": path.name,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        }
    )


# --------------------------------------------------------------------------------------------
# Checking against the libraries, and writing


def _names_en() -> dict[str, str]:
    path = data_file("policy", "holiday_names.yaml")
    raw = load_yaml(path)
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        raise PolicyDataError(path, "(top level)", "must map each Chinese holiday name to its English name")
    return raw


def _name_en(item: str, names: dict[str, str]) -> str:
    return " and ".join(names.get(part, part) for part in item.split("、"))


def _differences(notice: ImportedNotice) -> dict[str, list[str]]:
    """For each library that holds the year: the days on which it and the notice disagree."""
    libs = library_schedules()
    out: dict[str, list[str]] = {}
    y = notice.year
    later: set[dt.date] = set()

    def notice_working(d: dt.date) -> bool:
        x = notice.days.get(d)
        return x.kind == "makeup" if x else d.weekday() < 5

    for name in LIBRARIES:
        flags = libs.flags(name)
        if y not in flags:
            continue
        diff = []
        first = dt.date(y, 1, 1)
        for i, f in enumerate(flags[y]):
            d = first + dt.timedelta(days=i)
            if notice_working(d) != bool(f):
                if d.month == 12 and d not in notice.days and y + 1 in flags:
                    later.add(d)  # changed by the next year's notice, which the library holds
                else:
                    diff.append(d)
        prev = flags.get(y - 1)
        for d in sorted(notice.days):
            if d.year == y - 1 and prev is not None:
                if notice_working(d) != bool(prev[(d - dt.date(y - 1, 1, 1)).days]):
                    diff.append(d)
        out[name] = [
            f"{d.isoformat()}: 通知 notice {'上班 working' if notice_working(d) else '休息 off'}, "
            f"{name} {'休息 off' if notice_working(d) else '上班 working'}"
            for d in sorted(diff)
        ]
    if later:
        days = ", ".join(d.isoformat() for d in sorted(later))
        notice.notes.append(
            f"{days} 已由{y + 1}年通知调整（日历库已载），以库为准 / changed by the {y + 1} notice, "
            "which the libraries hold: their days are kept"
        )
    return out


def _year_yaml(notice: ImportedNotice, path: Path) -> str:
    names = _names_en()
    holidays: list[dict[str, Any]] = []
    for d, x in sorted(notice.days.items()):
        if x.kind == "makeup":
            continue
        rec: dict[str, Any] = {
            "date": d.isoformat(),
            "name_zh": x.item if x.kind == "holiday" else f"{x.item}（补休）",
            "name_en": _name_en(x.item, names) + (" (day off in lieu)" if x.kind == "in_lieu" else ""),
        }
        if x.kind == "in_lieu":
            rec["in_lieu"] = True
        holidays.append(rec)
    doc = {
        "year": notice.year,
        "notice": {
            "title_zh": notice.title,
            "title_en": f"Notice of the General Office of the State Council on the {notice.year} holiday arrangements",
            "number": notice.number,
            "published": notice.published.isoformat(),
        },
        "imported": {
            "file": path.name,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        },
        "holidays": holidays,
        "makeup_working_days": [d.isoformat() for d, x in sorted(notice.days.items()) if x.kind == "makeup"],
    }
    if notice.adjustments:
        doc["adjustments"] = notice.adjustments
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000)
    # dates unquoted (the loader's format), as data/calendar/README.md writes them
    text = re.sub(r"'(\d{4}-\d{2}-\d{2})'", r"\1", text)
    return (
        f"# {notice.year}: imported by `oqtk calendar import` from {path.name} — re-import the notice "
        "rather than editing this file.\n" + text
    )


def import_notice(
    path: str | Path,
    year: int,
    *,
    number: str | None = None,
    adjustments: list[str | Path] | tuple[str | Path, ...] = (),
    dry_run: bool = False,
) -> ImportedNotice:
    """Read, check and (unless ``dry_run``) write ``calendar/<year>.yaml`` into the bureau's folder.

    Refused (nothing written) when a sentence cannot be read or fails a check, or when a library
    that holds the year disagrees with the notice on any day.
    """
    path = Path(path)
    notice = parse_notice(read_notice_text(path), year, number=number)
    for adj in adjustments:
        _apply_adjustment(notice, Path(adj))
    notice.differences = _differences(notice)
    _note_change_before_provisional_days(notice)
    differing = {k: v for k, v in notice.differences.items() if v}
    if differing:
        detail = "; ".join(f"{k}: {', '.join(v[:5])}" for k, v in differing.items())
        raise NoticeImportError(
            f"{path}: 通知与日历库不一致，未写入 / the notice disagrees with the calendar libraries; "
            f"nothing was written — {detail}. 请核对通知原文；若库有误请向其报告 / check the notice's text; "
            "if a library is wrong, report it upstream"
        )
    dest = bureau_data_dir() / "calendar" / f"{year}.yaml"
    notice.path = dest
    if dry_run:
        return notice
    _write_and_load(dest, _year_yaml(notice, path), year)
    notice.written = True
    return notice


def _note_change_before_provisional_days(notice: ImportedNotice) -> None:
    """A notice that changes a December day before the first provisional day: the policy number
    (``calendar_provisional_from.yaml``) needs updating, and the note says so."""
    year = notice.year
    with_prev = [d for d in notice.days if d.year == year - 1]
    if not with_prev:
        return
    try:
        start = first_provisional_days().get(year - 1)
    except Exception:
        start = None
    if start is not None and min(with_prev) < start:
        notice.notes.append(
            f"通知调整了 {min(with_prev).isoformat()}，早于待复核起始日 {start.isoformat()}："
            "请更新 data/policy/calendar_provisional_from.yaml / the notice changes "
            f"{min(with_prev).isoformat()}, before the first provisional day {start.isoformat()}: "
            "update data/policy/calendar_provisional_from.yaml"
        )


def _write_and_load(dest: Path, text: str, year: int) -> None:
    """Write the year file and reload; put the old file back if the year does not load."""

    def loads() -> None:
        if year not in covered_years():
            raise NoticeImportError(f"{dest}: {year} 未能载入 / was not loaded")

    install_data_file(dest, text, loads, NoticeImportError, ("未写入", "nothing was written"))
