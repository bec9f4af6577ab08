"""Write a review's results: ``results.xlsx`` (结果 / 待补正 / 汇总 / 代码) and ``results.csv``.

``results.xlsx`` is for officers: its first sheet (结果 Results, :data:`DISPLAY_COLUMNS`) opens with
the status and its reasons in words of the chosen language, dates as dates and numbers as numbers;
the machine codes are on a sheet of their own (代码 Codes, :data:`CODE_COLUMNS`). ``results.csv``
is for machines and keeps the codes (:data:`RESULT_COLUMNS`).

Safety:

- No applicant string becomes a formula. In the workbook every text is written as an inline
  string (:mod:`.xlsxwrite`): a value starting with ``=`` is stored as that exact text, never as a
  formula.
  A CSV has no types, so in ``results.csv`` a text value starting with ``=``, ``+``, ``-``, ``@``,
  a tab or a carriage return is prefixed with an apostrophe ``'`` (the OWASP advice against CSV
  injection): Excel shows it as text. Numbers are not prefixed.
- Characters that XML cannot hold (control characters other than tab, line feed and carriage
  return) are dropped from workbook cells.
- Both files are written to temporary names in the output folder, and only once both are whole
  moved into place with ``os.replace``: a full disk or a read-only folder raises
  :class:`~toolkit.exceptions.OutputError` (naming the folder and what to do), removes the
  temporary files and leaves an earlier pair of results as it was. The input file is never
  written to.
"""

from __future__ import annotations

import contextlib
import csv
import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..exceptions import IntakeError, OutputError
from ..vocab import STATUSES
from .contract import CODE_COLUMNS, COLUMN_BY_KEY
from .review import PROBLEM_COLUMNS, STATUS_ORDER, IntakeReview, paused_gc
from .xlsxwrite import Sheet
from .xlsxwrite import write_xlsx as write_xlsx_file

__all__ = ["WrittenFiles", "csv_safe", "csv_safe_row", "write_results"]

STATUS_FILL = {
    "eligible": "C6EFCE",  # green
    "not_eligible": "FFC7CE",  # red
    "incomplete": "FFEB9C",  # amber
    "invalid": "D9D9D9",  # grey
}
_CSV_RISKY = ("=", "+", "-", "@", "\t", "\r")
_CSV_RISKY_FIRST = frozenset(_CSV_RISKY)

# result column → (zh, en) header for the workbook
_RESULT_LABELS = {
    "source_row": ("原表行号", "Source row"),
    "application_id": ("申请编号", "Application ID"),
    "full_name": ("姓名", "Full name"),
    "status": ("状态代码", "Status code"),
    "status_zh": ("状态", "Status (zh)"),
    "status_en": ("Status", "Status"),
    "reason_codes": ("原因代码", "Reason codes"),
    "reasons_zh": ("原因", "Reasons (zh)"),
    "reasons_en": ("Reasons", "Reasons"),
    "problem_count": ("待补正项数", "Problems"),
    "categories": ("类别", "Categories"),
    "services": ("可享服务", "Services"),
    "title_series": ("职称系列", "Title series"),
    "title_requested": ("申报级别", "Requested level"),
    "title_highest": ("可申报最高级别", "Highest level open"),
    "title_eligible": ("可申报级别", "Levels open"),
    "title_name_zh": ("职称名称", "Title (zh)"),
    "title_name_en": ("Title", "Title"),
    "eligible_from": ("可申报日期", "Eligible from"),
    "publicity_start": ("公示开始日期", "Publicity start"),
    "publicity_end": ("公示结束日期", "Publicity end"),
    "publicity_check": ("公示核对", "Publicity check"),
    "list_version": ("清单版本", "List version"),
    "as_of": ("评估日期", "Assessed as of"),
    # the officer's sheet (DISPLAY_COLUMNS)
    "status_text": ("状态", "Status"),
    "reasons": ("原因", "Reasons"),
    "title_name": ("职称名称", "Title"),
}
_PROBLEM_LABELS = {
    "sheet": ("工作表", "Sheet"),
    "row": ("行号", "Row"),
    "cell": ("单元格", "Cell"),
    "column": ("字段", "Field"),
    "header": ("列名", "Header"),
    "value": ("填写内容", "Value"),
    "code": ("问题代码", "Code"),
    "severity": ("影响", "Effect"),
    "message_zh": ("问题", "Problem (zh)"),
    "message_en": ("Problem", "Problem"),
    "fix_zh": ("修改方法", "How to fix (zh)"),
    "fix_en": ("How to fix", "How to fix"),
}
_WIDTHS = {
    "reasons_zh": 60,
    "reasons_en": 60,
    "message_zh": 50,
    "message_en": 50,
    "fix_zh": 45,
    "fix_en": 45,
    "services": 30,
    "reasons": 60,
    "status_text": 12,
    "value": 24,
    "full_name": 16,
    "application_id": 16,
}


class WrittenFiles(dict[str, Path]):
    """The files written (``{"xlsx": …, "csv": …}``); ``seconds`` is the time writing took."""

    seconds: float = 0.0


def csv_safe_row(row: Iterable[Any]) -> list[Any]:
    """A row for ``results.csv``: a text value that a spreadsheet would read as a formula gets a
    leading apostrophe; None and NaN are empty; numbers are kept."""
    risky = _CSV_RISKY_FIRST
    return [
        ("'" + v if v[:1] in risky else v)
        if v.__class__ is str
        else ("" if v is None or (isinstance(v, float) and v != v) else v)
        for v in row
    ]


def csv_safe(v: Any) -> Any:
    """One value as :func:`csv_safe_row` writes it."""
    return csv_safe_row((v,))[0]


def _labels(keys: list[str], labels: dict[str, tuple[str, str]], lang: str) -> list[str]:
    out = []
    for k in keys:
        zh, en = labels.get(k, (k, k))
        if k in COLUMN_BY_KEY:
            zh, en = COLUMN_BY_KEY[k].zh, COLUMN_BY_KEY[k].en
        out.append(zh if lang == "zh" else en)
    return out


def _table(
    title: str,
    keys: list[str],
    rows: list[tuple[Any, ...]],
    labels: dict[str, tuple[str, str]],
    lang: str,
    status: bool = False,
) -> Sheet:
    sheet = Sheet(title, [_labels(keys, labels, lang), *rows], widths=[_WIDTHS.get(k, 14) for k in keys])
    if status:
        sheet.fill_column = keys.index("status")
        sheet.fill_columns = [
            keys.index(k) for k in ("status_zh", "status_en", "application_id", "source_row") if k in keys
        ]
        sheet.fills = dict(STATUS_FILL)
    return sheet


def _officer_table(review: IntakeReview, lang: str) -> Sheet:
    """The first sheet: the officer's words, the status coloured by its word."""
    keys = review.display_columns
    sheet = Sheet(
        "结果 Results",
        [_labels(keys, _RESULT_LABELS, lang), *review.display_rows(lang)],
        widths=[_WIDTHS.get(k, 14) for k in keys],
    )
    sheet.fill_column = keys.index("status_text")
    sheet.fill_columns = [keys.index("application_id")]
    sheet.fills = {STATUSES[s][0 if lang == "zh" else 1]: c for s, c in STATUS_FILL.items()}
    return sheet


def _summary(review: IntakeReview, lang: str) -> Sheet:
    rows: list[tuple[str, Any]] = [
        ("项目 Item", "内容 Value"),
        ("申报表 / Intake file", str(review.path)),
        ("SHA-256", review.sha256),
        ("工作表 / Sheet", review.sheet_name),
        ("表头行 / Header row", review.header_row),
        ("输入行数 / Rows in", review.rows_in),
        ("结果行数 / Rows out", len(review.rows)),
        ("评估日期 / As of", review.as_of.isoformat()),
        ("清单版本 / List version", review.list_version),
        ("评审批次 / Round", review.round_id or ""),
        ("待补正项 / Problems", len(review.problems)),
    ]
    fills = {}
    for s in STATUS_ORDER:
        label = f"{STATUSES[s][0]} / {STATUSES[s][1]}"
        rows.append((label, review.counts.get(s, 0)))
        fills[label] = STATUS_FILL[s]
    notice = review.list_partial_zh if lang == "zh" else review.list_partial_en
    if notice:
        rows.append(("清单说明 / List notice", notice))
    return Sheet("汇总 Summary", rows, widths=[28, 80], auto_filter=False, fill_column=0, fills=fills)


def _to_temp(target: Path, write: Any, temps: list[tuple[Path, Path]]) -> None:
    """Write ``target``'s content to a temporary file beside it (listed in ``temps`` at once)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    temps.append((Path(tmp), target))
    write(Path(tmp))


def write_results(review: IntakeReview, out_dir: str | Path, *, lang: str = "zh") -> WrittenFiles:
    """Write ``results.xlsx`` and ``results.csv`` into ``out_dir`` (created if needed), atomically.

    Returns ``{"xlsx": path, "csv": path}`` with ``.seconds`` set; also records
    ``review.timings["write"]``.
    """
    t0 = time.perf_counter()
    if lang not in ("zh", "en"):
        raise IntakeError(f"lang 须为 zh 或 en / lang must be 'zh' or 'en', got {lang!r}")
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(out, exc) from None
    xlsx_path, csv_path = out / "results.xlsx", out / "results.csv"
    src = Path(review.path).resolve()
    for target in (xlsx_path, csv_path):
        if target.resolve() == src:
            raise IntakeError(
                f"{target}: 结果文件不能覆盖申报表本身 / the results would overwrite the intake file; choose another folder"
            )
    with paused_gc():
        keys = review.result_columns
        rows = review.result_rows()
        problems = review.problem_rows()

        def write_xlsx(tmp: Path) -> None:
            write_xlsx_file(
                tmp,
                [
                    _officer_table(review, lang),
                    _table("待补正 Problems", list(PROBLEM_COLUMNS), problems, _PROBLEM_LABELS, lang),
                    _summary(review, lang),
                    _table(
                        "代码 Codes",
                        list(CODE_COLUMNS),
                        review.code_rows(),
                        _RESULT_LABELS,
                        lang,
                        status=True,
                    ),
                ],
            )

        def write_csv(tmp: Path) -> None:
            with open(tmp, "w", encoding="utf-8-sig", newline="") as f:
                w = csv.writer(f, lineterminator="\r\n")
                w.writerow(keys)
                w.writerows(map(csv_safe_row, rows))

        temps: list[tuple[Path, Path]] = []
        try:
            _to_temp(xlsx_path, write_xlsx, temps)
            _to_temp(csv_path, write_csv, temps)
            for tmp, target in temps:
                os.replace(tmp, target)
        except OSError as exc:  # disk full, read-only folder, no permission
            raise OutputError(out, exc) from None
        finally:
            for tmp, _target in temps:
                with contextlib.suppress(OSError):
                    tmp.unlink(missing_ok=True)
    files = WrittenFiles(xlsx=xlsx_path, csv=csv_path)
    files.seconds = time.perf_counter() - t0
    review.timings["write"] = files.seconds
    return files
