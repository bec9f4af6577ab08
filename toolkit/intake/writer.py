"""Write a review's results: ``results.xlsx`` (结果 / 待补正 / 汇总 / 代码) and ``results.csv``.

``results.xlsx`` is for officers: its first sheet (结果 Results, :data:`~.columns.OFFICER_COLUMNS`) opens with
the status and its reasons in words of the chosen language, dates as dates and numbers as numbers;
the machine codes are on a sheet of their own (代码 Codes, :data:`~.columns.CODE_COLUMNS`). ``results.csv``
is for machines and keeps the codes (:data:`~.columns.RESULT_COLUMNS`). Every header is the label
:mod:`.columns` gives its column.

Safety:

- No applicant string becomes a formula. In the workbook every text is written as an inline
  string (:mod:`.xlsxwrite`): a value starting with ``=`` is stored as that exact text, never as a
  formula.
  A CSV has no types, so in ``results.csv`` a text value — a header (an extra column's, typed by
  the applicant's office) as much as a cell — starting with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return, or with white space and then one of those (`` =1+1``), is prefixed with an
  apostrophe ``'`` (the OWASP advice against CSV injection): Excel shows it as text. Numbers are
  not prefixed.
- Control characters in ``results.csv`` are made visible (ESC → ``␛``, NUL → ``␀``:
  :mod:`toolkit.textsafe`).
- Characters that XML cannot hold (control characters other than tab, line feed and carriage
  return) are dropped from workbook cells.
- Both files are written to temporary names in the output folder (from :data:`FORK_FROM_ROWS`
  rows on, ``results.xlsx`` by a forked child at the same time: :mod:`toolkit.alongside`), and
  only once both are whole moved into place with ``os.replace``: a full disk or a read-only
  folder raises :class:`~toolkit.exceptions.OutputError` (naming the folder and what to do),
  removes the temporary files and leaves an earlier pair of results as it was. The input file
  is never written to.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..alongside import alongside
from ..collector import paused_gc
from ..exceptions import IntakeError, OutputError
from ..files import atomic_paths
from ..textsafe import VisibleControlsWriter
from ..vocab import STATUSES
from .columns import CODE_COLUMNS, PROBLEM_COLUMNS, column, label
from .review import STATUS_ORDER, IntakeReview
from .xlsxwrite import Sheet
from .xlsxwrite import write_xlsx as write_xlsx_file

__all__ = ["EXCEL_MAX_ROWS", "FORK_FROM_ROWS", "WrittenFiles", "csv_safe", "csv_safe_row", "write_results"]

STATUS_FILL = {
    "eligible": "C6EFCE",  # green
    "not_eligible": "FFC7CE",  # red
    "incomplete": "FFEB9C",  # amber
    "invalid": "D9D9D9",  # grey
}
_CSV_RISKY = ("=", "+", "-", "@", "\t", "\r")
_CSV_RISKY_FIRST = frozenset(_CSV_RISKY)
# first characters that send a value to the slow check: the risky ones and white space
_CSV_CHECK_FIRST = _CSV_RISKY_FIRST | frozenset(" \n\x0b\x0c\xa0\u3000\u2000\u2001\u2002\u2003\u2009\ufeff")


class WrittenFiles(dict[str, Path]):
    """The files written (``{"xlsx": …, "csv": …}``); ``seconds`` is the time writing took."""

    seconds: float = 0.0


def _csv_text(v: str) -> str:
    """The slow path of :func:`csv_safe_row`: text starting with white space (`` =1+1``, which a
    spreadsheet may trim and then run) is risky when its first other character is."""
    if v[:1] in _CSV_RISKY_FIRST or v.lstrip()[:1] in _CSV_RISKY_FIRST:
        return "'" + v
    return v


def csv_safe_row(row: Iterable[Any]) -> list[Any]:
    """A row for ``results.csv`` — values or headers: a text value that a spreadsheet would read
    as a formula gets a leading apostrophe; None and NaN are empty; numbers are kept."""
    first = _CSV_CHECK_FIRST
    return [
        (_csv_text(v) if v[:1] in first else v)
        if v.__class__ is str
        else ("" if v is None or (isinstance(v, float) and v != v) else v)
        for v in row
    ]


def csv_safe(v: Any) -> Any:
    """One value as :func:`csv_safe_row` writes it."""
    return csv_safe_row((v,))[0]


def _width(key: str) -> float:
    """A column's width in the workbook (:mod:`.columns`; an extra input column's: 14)."""
    try:
        return column(key).width
    except KeyError:
        return 14


def _table(
    title: str, keys: list[str], rows: list[tuple[Any, ...]], lang: str, status: bool = False
) -> Sheet:
    """One sheet: the headers of :mod:`.columns` in ``lang`` (an extra column's own), then ``rows``."""
    headers = [label(k, lang) for k in keys]
    sheet = Sheet(title, [headers, *rows], widths=[_width(k) for k in keys])
    if status:
        sheet.fill_column = keys.index("status")
        sheet.fill_columns = [
            keys.index(k) for k in ("status_zh", "status_en", "application_id", "source_row") if k in keys
        ]
        sheet.fills = dict(STATUS_FILL)
    return sheet


#: Reviews of this many rows or more have results.xlsx built by a forked child while this process
#: writes results.csv (:mod:`toolkit.alongside`; below it a process is not worth starting).
FORK_FROM_ROWS = 2_000

#: Rows an Excel worksheet holds (the header included): a longer table continues on another sheet.
EXCEL_MAX_ROWS = 1_048_576


def _continued(
    title: str,
    keys: list[str],
    rows: list[tuple[Any, ...]],
    lang: str,
    status: bool = False,
    max_rows: int = EXCEL_MAX_ROWS,
) -> list[Sheet]:
    """``title``'s table as one sheet, or — past ``max_rows`` (header included) — as several:
    ``title``, ``title 2`` …, each full one ending with a row saying which sheet continues it."""
    if len(rows) + 1 <= max_rows:
        return [_table(title, keys, rows, lang, status)]
    per = max_rows - 2  # the header and the "continued on" row
    chunks = [rows[i : i + per] for i in range(0, len(rows), per)]
    names = [title if n == 0 else f"{title} {n + 1}" for n in range(len(chunks))]
    sheets = []
    for n, chunk in enumerate(chunks):
        if n + 1 < len(chunks):
            nxt = names[n + 1]
            note = (
                f"（本表已满 {EXCEL_MAX_ROWS:,} 行，续见工作表“{nxt}”）"
                f" / (this sheet is full at {EXCEL_MAX_ROWS:,} rows: continued on sheet {nxt!r})"
            )
            chunk = [*chunk, (note, *([None] * (len(keys) - 1)))]
        sheets.append(_table(names[n], keys, chunk, lang, status))
    return sheets


def _officer_sheets(review: IntakeReview, lang: str, max_rows: int) -> list[Sheet]:
    """The first sheet (continued past ``max_rows``): the officer's words, the status coloured by
    its word."""
    keys = review.officer_columns
    sheets = _continued("结果 Results", keys, review.officer_rows(lang), lang, max_rows=max_rows)
    for sheet in sheets:
        sheet.fill_column = keys.index("status_text")
        sheet.fill_columns = [keys.index("application_id")]
        sheet.fills = {STATUSES[s][0 if lang == "zh" else 1]: c for s, c in STATUS_FILL.items()}
    return sheets


def _summary(review: IntakeReview, lang: str, continued: list[str] | None = None) -> Sheet:
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
    if continued:
        rows.append(("续表 / Continued on", "、".join(continued)))
    for other in review.other_sheets:  # a sheet of applicants that was not reviewed: named here too
        zh, en = other.describe()
        rows.append(("未审核的工作表 / Sheet not reviewed", f"{zh} / {en}"))
    return Sheet("汇总 Summary", rows, widths=[28, 80], auto_filter=False, fill_column=0, fills=fills)


def write_results(
    review: IntakeReview, out_dir: str | Path, *, lang: str = "zh", max_sheet_rows: int = EXCEL_MAX_ROWS
) -> WrittenFiles:
    """Write ``results.xlsx`` and ``results.csv`` into ``out_dir`` (created if needed), atomically.

    A results or problems table longer than a worksheet holds (``max_sheet_rows``, Excel's
    1,048,576 with the header) continues on a second sheet (``结果 Results 2`` …); the full sheet's
    last row and the summary sheet say so. ``results.csv`` holds every row in one table.

    From :data:`FORK_FROM_ROWS` rows on, ``results.xlsx`` is built by a forked child while this
    process writes ``results.csv`` (:mod:`toolkit.alongside`): 0.45 → 0.35 s at 10,000 rows,
    4.5 → 3.2 s at 100,000, for up to about 400 MiB more memory at 100,000 rows while it runs
    (the pages of the review the child reads are copied). An error in either ends the write as
    one in a single process would; should the child die (out of memory),
    :class:`~toolkit.alongside.ChildFailed` says so.

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

        def write_xlsx(tmp: Path) -> None:
            results = _officer_sheets(review, lang, max_sheet_rows)
            probs = _continued(
                "待补正 Problems", list(PROBLEM_COLUMNS), review.problem_rows(), lang, max_rows=max_sheet_rows
            )
            codes = _continued(
                "代码 Codes",
                list(CODE_COLUMNS),
                review.code_rows(),
                lang,
                status=True,
                max_rows=max_sheet_rows,
            )
            more = [sh.name for sh in (*results[1:], *probs[1:], *codes[1:])]
            write_xlsx_file(tmp, [*results, *probs, _summary(review, lang, more), *codes])

        def write_csv(tmp: Path) -> None:
            with open(tmp, "w", encoding="utf-8-sig", newline="") as f:
                # every record passes through: control characters made visible
                visible = VisibleControlsWriter(f, buffered=True)
                w = csv.writer(visible, lineterminator="\r\n")
                w.writerow(csv_safe_row(keys))  # headers are applicants' text too (extra columns)
                w.writerows(map(csv_safe_row, review.result_rows()))
                visible.flush()

        try:
            with atomic_paths(xlsx_path, csv_path) as (xlsx_tmp, csv_tmp):
                with alongside(write_xlsx, xlsx_tmp, fork=len(review.rows) >= FORK_FROM_ROWS):
                    write_csv(csv_tmp)
        except OSError as exc:  # disk full, read-only folder, no permission
            raise OutputError(out, exc) from None
    files = WrittenFiles(xlsx=xlsx_path, csv=csv_path)
    files.seconds = time.perf_counter() - t0
    review.timings["write"] = files.seconds
    return files
