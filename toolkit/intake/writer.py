"""Write a review's results: ``results.xlsx`` (结果 / 待补正 / 汇总) and ``results.csv``.

Safety:

- No applicant string becomes a formula. In the workbook every text is written with Excel's
  string type (a value starting with ``=`` is stored as that exact text, never as a formula).
  A CSV has no types, so in ``results.csv`` a text value starting with ``=``, ``+``, ``-``, ``@``,
  a tab or a carriage return is prefixed with an apostrophe ``'`` (the OWASP advice against CSV
  injection): Excel shows it as text. Numbers are not prefixed.
- Characters that XML cannot hold (control characters other than tab, line feed and carriage
  return) are dropped from workbook cells.
- Each file is written to a temporary name in the output folder, then moved into place with
  ``os.replace``; the input file is never written to.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..exceptions import IntakeError
from ..vocab import STATUSES
from .contract import COLUMN_BY_KEY
from .review import STATUS_ORDER, IntakeReview

__all__ = ["WrittenFiles", "csv_safe", "write_results"]

STATUS_FILL = {
    "eligible": "C6EFCE",  # green
    "not_eligible": "FFC7CE",  # red
    "incomplete": "FFEB9C",  # amber
    "invalid": "D9D9D9",  # grey
}
_CSV_RISKY = ("=", "+", "-", "@", "\t", "\r")

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
    "value": 24,
    "full_name": 16,
    "application_id": 16,
}


class WrittenFiles(dict[str, Path]):
    """The files written (``{"xlsx": …, "csv": …}``); ``seconds`` is the time writing took."""

    seconds: float = 0.0


def csv_safe(v: Any) -> Any:
    """A text value that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(v, str) and v.startswith(_CSV_RISKY):
        return "'" + v
    return v


def _xl(ws: Any, v: Any, fill: PatternFill | None = None) -> Any:
    """A write-only cell; text always with the string type (never a formula)."""
    if v is None or (isinstance(v, float) and v != v):
        v = None
    if isinstance(v, str):
        v = ILLEGAL_CHARACTERS_RE.sub("", v)
        if v.startswith("=") or fill is not None:
            c = WriteOnlyCell(ws, value=v)
            c.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
            if fill is not None:
                c.fill = fill
            return c
    return v


def _header_cells(ws: Any, keys: Iterable[str], labels: dict[str, tuple[str, str]], lang: str) -> list[Any]:
    out = []
    bold = Font(bold=True)
    for k in keys:
        zh, en = labels.get(k, (k, k))
        if k in COLUMN_BY_KEY:
            zh, en = COLUMN_BY_KEY[k].zh, COLUMN_BY_KEY[k].en
        c = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", zh if lang == "zh" else en))
        c.data_type = "s"
        c.font = bold
        c.alignment = Alignment(wrap_text=True, vertical="top")
        out.append(c)
    return out


def _setup(ws: Any, keys: list[str]) -> None:
    for i, k in enumerate(keys, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(k, 14)
    ws.freeze_panes = "A2"


def _write_table(
    wb: Workbook,
    title: str,
    df: pd.DataFrame,
    labels: dict[str, tuple[str, str]],
    lang: str,
    status_col: str | None = None,
) -> None:
    ws = wb.create_sheet(title)
    keys = list(df.columns)
    _setup(ws, keys)
    if len(df):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(keys))}{len(df) + 1}"
    ws.append(_header_cells(ws, keys, labels, lang))
    fills = {s: PatternFill("solid", fgColor=c) for s, c in STATUS_FILL.items()}
    si = keys.index(status_col) if status_col in keys else None
    zi = keys.index("status_zh") if "status_zh" in keys else None
    for rec in df.itertuples(index=False, name=None):
        fill = fills.get(rec[si]) if si is not None else None
        ws.append(
            [_xl(ws, v, fill if (j in (si, zi) and fill is not None) else None) for j, v in enumerate(rec)]
        )


def _summary(wb: Workbook, review: IntakeReview, lang: str) -> None:
    ws = wb.create_sheet("汇总 Summary")
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 70
    ws.freeze_panes = "A2"
    zh = lang == "zh"
    ws.append(
        _header_cells(ws, ["item", "value"], {"item": ("项目", "Item"), "value": ("内容", "Value")}, lang)
    )
    fills = {s: PatternFill("solid", fgColor=c) for s, c in STATUS_FILL.items()}
    rows: list[tuple[str, Any]] = [
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
    for k, v in rows:
        ws.append([_xl(ws, k), _xl(ws, v)])
    for s in STATUS_ORDER:
        label = f"{STATUSES[s][0]} / {STATUSES[s][1]}"
        ws.append([_xl(ws, label, fills[s]), review.counts.get(s, 0)])
    notice = review.list_partial_zh if zh else review.list_partial_en
    if notice:
        ws.append([_xl(ws, "清单说明 / List notice"), _xl(ws, notice)])


def _atomic(target: Path, write: Any) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_results(review: IntakeReview, out_dir: str | Path, *, lang: str = "zh") -> WrittenFiles:
    """Write ``results.xlsx`` and ``results.csv`` into ``out_dir`` (created if needed), atomically.

    Returns ``{"xlsx": path, "csv": path}`` with ``.seconds`` set; also records
    ``review.timings["write"]``.
    """
    t0 = time.perf_counter()
    if lang not in ("zh", "en"):
        raise IntakeError(f"lang 须为 zh 或 en / lang must be 'zh' or 'en', got {lang!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    xlsx, csv = out / "results.xlsx", out / "results.csv"
    src = Path(review.path).resolve()
    for target in (xlsx, csv):
        if target.resolve() == src:
            raise IntakeError(
                f"{target}: 结果文件不能覆盖申报表本身 / the results would overwrite the intake file; choose another folder"
            )
    frame = review.to_frame()
    problems = review.problems_frame()

    def write_xlsx(tmp: Path) -> None:
        wb = Workbook(write_only=True)
        _write_table(wb, "结果 Results", frame, _RESULT_LABELS, lang, status_col="status")
        _write_table(wb, "待补正 Problems", problems, _PROBLEM_LABELS, lang)
        _summary(wb, review, lang)
        wb.save(tmp)

    def write_csv(tmp: Path) -> None:
        safe = frame.copy()
        for c in safe.columns:
            if safe[c].dtype == object or pd.api.types.is_string_dtype(safe[c]):
                safe[c] = safe[c].map(csv_safe)
        safe.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n")

    _atomic(xlsx, write_xlsx)
    _atomic(csv, write_csv)
    files = WrittenFiles(xlsx=xlsx, csv=csv)
    files.seconds = time.perf_counter() - t0
    review.timings["write"] = files.seconds
    return files
