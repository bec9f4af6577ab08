"""A State Council General Office holiday notice (国务院办公厅关于Y年部分节假日安排的通知), read
and checked: the notice's text from its file, then its sentences into days.

The file is the notice as published: text pasted from the government site (``.txt``), Word
(``.docx``) or a PDF with a text layer. What it reads (full- or half-width punctuation; older
"（星期六）" and newer "（周六）", "（农历除夕、周二）" weekdays)::

    一、元旦：2018年12月30日至2019年1月1日放假调休，共3天。2018年12月29日（星期六）上班。
    二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。
    三、清明节：4月5日放假，与周末连休。        四、劳动节：5月1日放假。
    一、元旦：1月1日（周三）放假1天，不调休。   一、元旦：1月1日放假，1月2日（星期一）补休。
    2月14日（周六）、2月28日（周六）上班。      2月20日（星期六）、21日（星期日）上班。

What it checks (each failure quotes the sentence; every problem is collected, then raised): every
weekday the notice writes against its date; make-up working days fall on a Saturday or Sunday; the
days of a range agree with "共N天" (and "放假1天"); "与周末连休" adjoins a weekend; no day is listed
twice or both off and working; every day lies in year Y or the December before. A sentence that is
none of these (other than "鼓励……" advice, which is shown and not applied) is an error.

The notice's title, document number (国办发明电〔2024〕12号) and date are read too; a later notice
that adjusts one holiday (国务院办公厅关于调整2019年劳动节假期安排的通知) is read by
:func:`parse_adjustment`. Lunar annotations ("农历除夕") are not checked (no maintained library here
converts them). Writing the year is :mod:`.imports`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..exceptions import NoticeImportError
from ..files import open_word_document
from .schedule import WEEKDAY_ZH

__all__ = ["ImportedNotice", "NoticeDay", "parse_adjustment", "parse_notice", "read_notice_text"]

_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS.update({"六": 6, "七": 7, "八": 8, "九": 9})
_ITEM_RE = re.compile(
    r"(?:^|(?<=[。:;)]))([一二三四五六七八九十]{1,3})、([^:。、]{1,12}(?:、[^:。、]{1,12})*):"
)
_TITLE_RE = re.compile(r"国务院办公厅关于(\d{4})年部分节假日安排的通知")
_ADJ_TITLE_RE = re.compile(r"国务院办公厅关于调整(\d{4})年(\S{1,12}?)(?:假期|放假)安排的通知")
_ADJ_ITEM_RE = re.compile(r"(?:^|(?<=[。:;)]))[一二三四五六七八九十]{1,3}、")
_NUMBER_RE = re.compile(r"国办发(?:明电)?[〔\[(【]?(\d{4})[〕\])】]?(\d+)号")
_DATE_RE = re.compile(r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:\(([^()]*)\))?")
_CN_DATE = r"[〇零○一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日"
_SIGNED_RE = re.compile(rf"国务院办公厅(\d{{4}}年\d{{1,2}}月\d{{1,2}}日|{_CN_DATE})")


@dataclass(frozen=True)
class NoticeDay:
    """One day the notice names: off (a holiday, or 补休 in lieu) or a make-up working day."""

    date: dt.date
    kind: str  # "holiday", "in_lieu" or "makeup"
    item: str  # the notice's item, e.g. "元旦"
    sentence: str  # the sentence that names it


@dataclass
class ImportedNotice:
    """A notice read and checked: its source, its days, and (after a write) where it went."""

    year: int
    title: str
    number: str | None
    published: dt.date
    days: dict[dt.date, NoticeDay]
    notes: list[str] = field(default_factory=list)  # advice not applied ("鼓励……"), warnings
    adjustments: list[dict[str, Any]] = field(default_factory=list)  # title, number, published, file
    differences: dict[str, list[str]] = field(default_factory=dict)  # library → days that differ
    path: Path | None = None
    written: bool = False

    def table(self) -> list[tuple[str, str, str, str]]:
        """(date, weekday, kind zh/en, item) for each day the notice names, in date order."""
        kinds = {
            "holiday": "放假 / day off",
            "in_lieu": "补休 / day off in lieu",
            "makeup": "上班 / make-up working day",
        }
        return [
            (d.isoformat(), WEEKDAY_ZH[d.weekday()], kinds[x.kind], x.item)
            for d, x in sorted(self.days.items())
        ]


# --------------------------------------------------------------------------------------------
# Reading the file


def read_notice_text(path: Path) -> str:
    """The notice's text from ``.txt`` (UTF-8 or GB18030), ``.docx`` or a text ``.pdf``."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise NoticeImportError(f"{path}: 文件不存在 / file not found")
    if suffix == ".txt":
        raw = path.read_bytes()
        for enc in ("utf-8-sig", "gb18030"):
            try:
                return raw.decode(enc)
            except UnicodeDecodeError:
                continue
        raise NoticeImportError(
            f"{path}: 文本编码无法识别，请另存为 UTF-8 / the text is neither UTF-8 nor GB18030: save it as UTF-8"
        )
    if suffix == ".docx":
        return _docx_text(path)
    if suffix == ".pdf":
        return _pdf_text(path)
    raise NoticeImportError(
        f"{path}: 只接受 .txt、.docx 或 .pdf（.doc 请先另存为 .docx）/ "
        "only .txt, .docx or .pdf notices can be imported (save a .doc as .docx first)"
    )


def _docx_text(path: Path) -> str:
    document = open_word_document(path, NoticeImportError)
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:  # a notice laid out in a table: read its cells in order
        for row in table.rows:
            lines += [c.text for c in row.cells]
    return "\n".join(lines)


def _pdf_text(path: Path) -> str:
    import pdfplumber

    try:
        with pdfplumber.open(str(path)) as pdf:
            pages = [page.extract_text() or "" for page in pdf.pages]
    except Exception as exc:
        raise NoticeImportError(
            f"{path}: 不是可读取的 PDF / not a readable PDF ({type(exc).__name__})"
        ) from exc
    text = "\n".join(pages)
    if not text.strip():
        raise NoticeImportError(
            f"{path}: PDF 没有文字层（扫描件）：请从中国政府网复制通知文字另存为 .txt / "
            "the PDF has no text layer (a scan): paste the notice's text from www.gov.cn into a .txt file"
        )
    return text


# --------------------------------------------------------------------------------------------
# Parsing


def _normalize(text: str) -> str:
    """NFKC (full-width digits and punctuation → half-width), every space and line break removed."""
    t = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", t)


def _show(sentence: str) -> str:
    """A sentence as the notice prints it (full-width punctuation)."""
    return (
        sentence.replace("(", "（")
        .replace(")", "）")
        .replace(",", "，")
        .replace(":", "：")
        .replace(";", "；")
    )


def _cn_number(s: str) -> int:
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    return _CN_DIGITS[s]


def _signed_date(text: str) -> dt.date | None:
    found = list(_SIGNED_RE.finditer(text))
    if not found:
        return None
    s = found[-1].group(1)
    if s[0].isdigit():
        y, mo, d = (int(x) for x in re.findall(r"\d+", s))
    else:
        ys, rest = s.split("年")
        ms, ds = rest.rstrip("日").split("月")
        y = int("".join(str(_CN_DIGITS[c]) for c in ys))
        mo, d = _cn_number(ms), _cn_number(ds)
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None


def _split_top(s: str, sep: str) -> list[str]:
    """Split at ``sep`` outside parentheses."""
    out, depth, cur = [], 0, ""
    for ch in s:
        depth += ch == "("
        depth -= ch == ")"
        if ch == sep and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return out


class _Item:
    def __init__(self, year: int, name: str) -> None:
        self.year = year
        self.name = name
        self.problems: list[str] = []
        self.off: list[tuple[dt.date, str, str]] = []  # date, kind, sentence
        self.makeup: list[tuple[dt.date, str]] = []

    def bad(self, sentence: str, zh: str, en: str) -> None:
        self.problems.append(f"“{self.name}”：“{_show(sentence)}。” — {zh} / {en}")

    def dates(self, part: str, sentence: str, *, month: int | None = None) -> list[dt.date] | None:
        """Dates written one after another ("2月14日(周六)、28日(周六)"): each checked against its
        weekday; a date without month or year takes them from the one before."""
        out: list[dt.date] = []
        year: int | None = None
        for piece in _split_top(part, "、"):
            m = _DATE_RE.fullmatch(piece)
            if not m:
                return None
            y, mo, d, note = m.groups()
            year = int(y) if y else year
            month = int(mo) if mo else month
            if month is None:
                return None
            try:
                day = dt.date(year or self.year, month, int(d))
            except ValueError:
                self.bad(sentence, f"{_show(piece)} 不是有效日期", f"{_show(piece)} is not a real date")
                return []
            if note is not None and not self._check_note(day, note, sentence):
                return []
            out.append(day)
        return out

    def _check_note(self, day: dt.date, note: str, sentence: str) -> bool:
        for part in note.split("、"):
            m = re.fullmatch(r"(?:星期|周)([一二三四五六日天])", part)
            if m:
                if _WEEKDAYS[m.group(1)] != day.weekday():
                    self.bad(
                        sentence,
                        f"{day.month}月{day.day}日是{WEEKDAY_ZH[day.weekday()]}，不是“{part}”",
                        f"{day.isoformat()} is a {day.strftime('%A')}, not {part}",
                    )
                    return False
            elif not part.startswith("农历"):
                self.bad(sentence, f"无法识别的注释“{part}”", f"unreadable note {part!r}")
                return False
        return True

    def sentence(self, s: str) -> None:
        if s.startswith("鼓励"):
            return  # advice, not a day off: shown by the caller
        clauses = _split_top(s, ",")
        head = clauses[0]
        m = re.fullmatch(r"(.+?)放假(?:调休|公休)?(?:(\d+)天)?", head)
        if m:
            self._holiday(s, m.group(1), int(m.group(2)) if m.group(2) else None, clauses[1:])
            return
        m = re.fullmatch(r"(.+?)上班", head)
        if m and len(clauses) == 1:
            days = self.dates(m.group(1), s)
            if days is None:
                self.bad(s, "无法读取上班日期", "cannot read the make-up working days")
            for d in days or []:
                if d.weekday() < 5:
                    self.bad(
                        s,
                        f"调休上班日 {d.isoformat()} 是{WEEKDAY_ZH[d.weekday()]}，应为周六或周日",
                        f"the make-up working day {d.isoformat()} is a {d.strftime('%A')}, not a Saturday or Sunday",
                    )
                else:
                    self.makeup.append((d, s))
            return
        self.bad(s, "无法读取这句话", "cannot read this sentence")

    def _holiday(self, s: str, dates: str, days_said: int | None, rest: list[str]) -> None:
        first_s, _, last_s = dates.partition("至")
        first = self.dates(first_s, s)
        if not first or len(first) != 1:
            if first is None:
                self.bad(s, "无法读取放假日期", "cannot read the holiday's dates")
            return
        start = first[0]
        end = start
        if last_s:
            # "12月30日至1月1日": the range runs into the next year
            last = self.dates(last_s, s, month=start.month)
            if not last or len(last) != 1:
                if last is None:
                    self.bad(s, "无法读取放假日期", "cannot read the holiday's dates")
                return
            end = last[0]
            # "12月30日至1月1日" in the year-Y notice: the range starts in the December before
            if end < start and start.month == 12 and end.month == 1 and not re.match(r"\d{4}年", first_s):
                start = start.replace(year=start.year - 1)
        if end < start:
            self.bad(s, "结束日早于开始日", "the last day is before the first")
            return
        n = (end - start).days + 1
        if days_said is not None and days_said != n:
            self.bad(
                s,
                f"“放假{days_said}天”与日期（{n}天）不符",
                f"says {days_said} day(s) but the dates give {n}",
            )
        for d in (start + dt.timedelta(days=i) for i in range(n)):
            self.off.append((d, "holiday", s))
        for clause in rest:
            total = re.fullmatch(r"共(\d+)天", clause)
            if total:
                if int(total.group(1)) != n:
                    self.bad(
                        s,
                        f"“共{total.group(1)}天”与所列日期（{n}天）不符",
                        f"says {total.group(1)} days but the dates listed give {n}",
                    )
            elif re.fullmatch(r"与周[末六日]连休", clause):
                before, after = start - dt.timedelta(days=1), end + dt.timedelta(days=1)
                if before.weekday() < 5 and after.weekday() < 5:
                    self.bad(s, "所列日期不与周末相连", "the days do not adjoin a weekend")
            elif clause in ("不调休", "不补休"):
                pass
            else:
                m = re.fullmatch(r"(.+?)补休", clause)
                days = self.dates(m.group(1), s) if m else None
                if days is None:
                    self.bad(s, f"无法读取“{_show(clause)}”", f"cannot read {_show(clause)!r}")
                for d in days or []:
                    self.off.append((d, "in_lieu", s))


def _title_and_number(t: str, year: int, number: str | None) -> tuple[str, str | None]:
    """The notice's title (it must be for ``year``) and its document number (``number`` wins)."""
    title = _TITLE_RE.search(t)
    if title is None:
        raise NoticeImportError(
            "找不到通知标题“国务院办公厅关于…年部分节假日安排的通知” / "
            "the notice's title (国务院办公厅关于…年部分节假日安排的通知) is not in the text: "
            "import the whole notice as published"
        )
    if int(title.group(1)) != year:
        raise NoticeImportError(
            f"通知是{title.group(1)}年的，不是 --year {year} / the notice is for {title.group(1)}, not {year}"
        )
    found = _NUMBER_RE.search(t)
    return title.group(0), number or (f"国办发明电〔{found.group(1)}〕{found.group(2)}号" if found else None)


def _numbered_items(t: str) -> list[re.Match[str]]:
    """The items "一、元旦：……"; an arrangement outside them cannot be read."""
    items = list(_ITEM_RE.finditer(t))
    if not items:
        raise NoticeImportError(
            "找不到“一、元旦：……”这样的放假安排条目 / no items such as 一、元旦：… were found in the notice"
        )
    stray = re.search(r"[^。]*\d{1,2}日(?:\([^()]*\))?(?:至|放假|上班|补休)[^。]*", t[: items[0].start()])
    if stray:
        raise NoticeImportError(
            f"“{_show(stray.group(0))}。” — 放假安排不在编号条目（一、二、……）中，无法读取 / "
            "a holiday arrangement outside the numbered items (一、二、…) cannot be read; nothing was written"
        )
    return items


def _read_item(t: str, m: re.Match[str], end: int, year: int, last: bool, notes: list[str]) -> _Item:
    """One numbered item's sentences, read into its days (advice noted, not applied)."""
    item = _Item(year, m.group(2))
    sentences = [x for x in t[m.end() : end].split("。") if x]
    for j, s in enumerate(sentences):
        if last and j > 0 and not _DATE_RE.search(s):
            break  # the closing paragraph (节假日期间，……) after the last item
        if s.startswith("鼓励"):
            notes.append(f"{item.name}：{_show(s)}。（建议，不作为放假日 / advice, not a day off）")
        item.sentence(s)
    if not item.off and not item.problems:
        item.bad(sentences[0] if sentences else "", "本项没有放假日期", "this item names no day off")
    return item


def _collect_days(item: _Item, days: dict[dt.date, NoticeDay], problems: list[str]) -> None:
    """Add the item's days to ``days``; a day listed twice, or off and working, is a problem."""
    for d, kind, s in item.off:
        if d in days:
            problems.append(f"“{item.name}”：“{_show(s)}。” — {d.isoformat()} 重复列出 / is listed twice")
        days[d] = NoticeDay(d, kind, item.name, _show(s))
    for d, s in item.makeup:
        if d in days:
            problems.append(
                f"“{item.name}”：“{_show(s)}。” — {d.isoformat()} 既是放假日又是上班日 / "
                "is both a day off and a working day"
            )
        days[d] = NoticeDay(d, "makeup", item.name, _show(s))


def parse_notice(text: str, year: int, *, number: str | None = None) -> ImportedNotice:
    """Read and check a notice's text for ``year``; every problem is collected, then raised."""
    t = _normalize(text)
    title, doc_number = _title_and_number(t, year, number)
    items = _numbered_items(t)
    signed = _SIGNED_RE.search(t, items[-1].end())
    published = _signed_date(t[items[-1].end() :])
    if published is None:
        raise NoticeImportError(
            "找不到落款“国务院办公厅”及成文日期 / the signature (国务院办公厅) and the notice's date are "
            "missing: import the whole notice, with its last lines"
        )
    problems: list[str] = []
    notes: list[str] = []
    days: dict[dt.date, NoticeDay] = {}
    for i, m in enumerate(items):
        end = items[i + 1].start() if i + 1 < len(items) else (signed.start() if signed else len(t))
        item = _read_item(t, m, end, year, i == len(items) - 1, notes)
        problems += item.problems
        _collect_days(item, days, problems)
    for d, x in sorted(days.items()):
        if not (d.year == year or (d.year == year - 1 and d.month == 12)):
            problems.append(
                f"“{x.item}”：“{x.sentence}” — {d.isoformat()} 不在{year}年或上一年12月 / "
                f"is outside {year} and the December before"
            )
    if problems:
        raise NoticeImportError(
            f"通知有 {len(problems)} 处无法读取或未通过核对，未写入任何文件 / "
            f"{len(problems)} sentence(s) of the notice cannot be read or fail a check; nothing was written:\n  "
            + "\n  ".join(problems)
        )
    if doc_number is None:
        notes.append(
            "文本中没有文号（国办发明电〔…〕…号），可用 --number 补充 / the text has no document number: "
            "give it with --number"
        )
    return ImportedNotice(year, title, doc_number, published, days, notes)


def parse_adjustment(text: str, year: int) -> tuple[str, str, str | None, dt.date, list[NoticeDay]]:
    """A notice adjusting one holiday of ``year``: (title, holiday, number, date, its days)."""
    t = _normalize(text)
    title = _ADJ_TITLE_RE.search(t)
    if title is None:
        raise NoticeImportError(
            "找不到调整通知标题“国务院办公厅关于调整…年…假期安排的通知” / the adjustment notice's title "
            "(国务院办公厅关于调整…年…假期安排的通知) is not in the text"
        )
    if int(title.group(1)) != year:
        raise NoticeImportError(
            f"调整通知是{title.group(1)}年的，不是 {year} / the adjustment is for {title.group(1)}, not {year}"
        )
    holiday = title.group(2)
    found = _NUMBER_RE.search(t)
    number = f"国办发明电〔{found.group(1)}〕{found.group(2)}号" if found else None
    starts = list(_ADJ_ITEM_RE.finditer(t, title.end()))
    signed = _SIGNED_RE.search(t, starts[-1].end() if starts else title.end())
    published = _signed_date(t[starts[-1].end() if starts else title.end() :])
    if not starts or published is None:
        raise NoticeImportError(
            "调整通知缺少编号条目或落款日期 / the adjustment notice has no numbered items or no signature and date"
        )
    item = _Item(year, holiday)
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else (signed.start() if signed else len(t))
        for sentence in (x for x in t[m.end() : end].split("。") if x):
            if _DATE_RE.search(sentence) and re.search(r"放假|上班|补休", sentence):
                item.sentence(sentence)  # the arrangement; other items are instructions
    if item.problems:
        raise NoticeImportError(
            f"调整通知有 {len(item.problems)} 处无法读取或未通过核对，未写入任何文件 / {len(item.problems)} "
            "sentence(s) of the adjustment cannot be read or fail a check; nothing was written:\n  "
            + "\n  ".join(item.problems)
        )
    if not item.off:
        raise NoticeImportError("调整通知没有放假日期 / the adjustment names no day off; nothing was written")
    days = [NoticeDay(d, kind, holiday, _show(sen)) for d, kind, sen in item.off]
    days += [NoticeDay(d, "makeup", holiday, _show(sen)) for d, sen in item.makeup]
    return title.group(0), holiday, number, published, days
