"""Read an intake workbook: find the data sheet and its header row, map headers to the contract.

The reader is strict about the *file* (anything that is not a readable .xlsx workbook with a
recognisable header and the required columns raises one :class:`~toolkit.exceptions.IntakeError`
naming the file, what is wrong and what is expected) and lenient about *cells* (every cell is
kept raw; the schema in :mod:`.schema` judges it).

Before calamine sees the file, :mod:`.limits` checks it (a regular file; its size, unpacked size
and each sheet's used range within the limits), so that a hostile workbook is refused with a
message rather than exhausting memory or blocking. Every worksheet is read, hidden ones too: the
visible sheet with the best intake header is the one reviewed, every other sheet with an intake
header is an :class:`OtherSheet` (reported, its rows counted in ``rows_in``), and a row above the
header that looks like an applicant is read as one (``above_header``).

Values are read with the calamine engine. Two things calamine reads as blank are read from the
sheet's XML directly (:mod:`.sheetxml`): formula cells without a stored result (a :class:`FormulaCell`) and Excel
error values (an :class:`ErrorCell`) — each a problem for that cell, not a crash. Merged ranges (a merged block's value is
copied into every cell of the block below the header).

:func:`prefetch` lets a process that will read a workbook soon (an ``oqtk batch`` kernel, while it
imports pandas and pandera) have calamine parse its worksheets in a background thread: calamine
releases the GIL while it parses, so that 0.1–0.15 s per 10,000 rows overlaps the imports.
:func:`read_intake` still reads the file itself and uses the parse only when the file's bytes are
the ones parsed (same SHA-256); otherwise, or if the prefetch failed, it parses as usual.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
import time
import zipfile
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import python_calamine as calamine

from ..exceptions import IntakeError
from .columns import RESULT_COLUMNS
from .contract import COLUMN_BY_KEY, COLUMNS, REQUIRED, match_header
from .limits import WorkbookScan, check_file, scan_workbook
from .sheetxml import (
    PHANTOM_1900_02_29,
    PHANTOM_READ_AS,
    ErrorCell,
    FormulaCell,
    column_letter,
    serial60_cells,
    sheet_xml_paths,
    special_cells,
)

if TYPE_CHECKING:  # pandas is imported by read_intake, not by the file-level check
    import pandas as pd

__all__ = [
    "ErrorCell",
    "FormulaCell",
    "IntakeSheet",
    "OtherSheet",
    "check_workbook",
    "column_letter",
    "prefetch",
    "read_intake",
    "sniff_workbook",
]

HEADER_SCAN_ROWS = 30  # title rows above the header: look this far down for it
MIN_HEADER_MATCHES = 2
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class IntakeSheet:
    """The raw cells of an intake sheet, mapped to the contract.

    ``frame``: one row per non-blank input row, indexed by its sheet row number (1-based); a
    column for every contract key (None where the sheet lacks it) followed by the extra columns
    under their own headers. Values are raw (str, float, bool, date, :class:`FormulaCell`, :class:`ErrorCell`) or None.
    """

    path: Path
    sha256: str
    sheet_name: str
    header_row: int
    headers: dict[str, str]  # canonical key → header text as in the sheet
    columns: dict[str, int]  # canonical key or extra header → 0-based column index
    extras: list[str]
    frame: pd.DataFrame
    formula_cells: dict[tuple[int, str], str] = field(default_factory=dict)
    merged_ranges: list[str] = field(default_factory=list)
    seconds: float = 0.0
    above_header: list[int] = field(default_factory=list)  # rows above the header read as applicants
    other_sheets: list[OtherSheet] = field(default_factory=list)  # other sheets with a header, not read

    @property
    def rows_in(self) -> int:
        """Every candidate row: those read (above-header ones included) and those of the other
        sheets with an intake header, which were not reviewed."""
        return len(self.frame) + sum(o.rows for o in self.other_sheets)

    def cell_ref(self, row: int, column: str) -> str:
        idx = self.columns.get(column)
        return f"{column_letter(idx)}{row}" if idx is not None else f"{row}"


# --- the file ---------------------------------------------------------------------------------

_EXPECT = "应为 .xlsx 格式的申报表（可用 `oqtk template` 生成模板） / expected an .xlsx intake workbook (see `oqtk template`)"


def _refuse(path: Path, zh: str, en: str) -> IntakeError:
    return IntakeError(f"{path}: {zh} / {en}。{_EXPECT}")


def _sniff(path: Path, data: bytes) -> zipfile.ZipFile:
    """Refuse anything that is not a readable .xlsx; return the open zip."""
    if not data:
        raise _refuse(path, "文件为空", "the file is empty")
    if data.startswith(_OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
            raise _refuse(
                path,
                "文件设有密码保护（已加密），无法读取；请在Excel中取消密码后另存",
                "the workbook is password-protected (encrypted); remove the password in Excel and save it again",
            )
        raise _refuse(
            path,
            "这是旧版 Excel 97-2003 (.xls) 文件；请在Excel中“另存为”.xlsx 格式",
            "this is a legacy Excel 97-2003 (.xls) file; open it in Excel and save it as .xlsx",
        )
    if not data.startswith(b"PK"):
        raise _refuse(
            path,
            "不是 Excel 工作簿（文件内容不是 .xlsx 格式）",
            "not an Excel workbook (the content is not .xlsx)",
        )
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse(
            path,
            f"文件已损坏或不完整（可能下载或复制未完成）：{exc}",
            f"the file is damaged or truncated (perhaps an incomplete download or copy): {exc}",
        ) from None
    if "xl/workbook.xml" not in names:
        raise _refuse(
            path,
            "是压缩文件但不是 Excel 工作簿（缺少 xl/workbook.xml）",
            "a zip archive but not an Excel workbook (no xl/workbook.xml)",
        )
    return zf


_DATE_KEYS = tuple(c.key for c in COLUMNS if c.kind == "date")


# --- the header -------------------------------------------------------------------------------


def _is_blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _find_header(rows: list[list[Any]]) -> tuple[int, dict[str, int], int]:
    """(row index 0-based, key → column, score) of the best header row among the first rows."""
    best: tuple[int, dict[str, int], int] = (-1, {}, 0)
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found: dict[str, int] = {}
        for j, v in enumerate(row):
            if isinstance(v, str):
                k = match_header(v)
                if k and k not in found:
                    found[k] = j
        score = len(found) + sum(2 for k in found if k in REQUIRED)
        if len(found) >= MIN_HEADER_MATCHES and score > best[2]:
            best = (i, found, score)
    return best


def _accepted(key: str) -> str:
    c = COLUMN_BY_KEY[key]
    return f"{c.zh}（{' / '.join(c.accepted_headers()[1:])}）"


# --- read -------------------------------------------------------------------------------------


def _read_file(p: Path) -> bytes:
    """The file's bytes, once :func:`.limits.check_file` has found it a regular file within the
    size limit (a FIFO is never opened)."""
    check_file(p)
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise IntakeError(f"{p}: 文件不存在 / file not found. {_EXPECT}") from None
    except IsADirectoryError:
        raise IntakeError(f"{p}: 是文件夹而不是文件 / a folder, not a file. {_EXPECT}") from None
    except OSError as exc:
        raise IntakeError(f"{p}: 无法读取文件 / cannot read the file: {exc}") from None


def _calamine(p: Path, data: bytes) -> Any:
    try:
        return calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for broken parts
        raise _refuse(
            p, f"工作簿无法打开（文件损坏）：{exc}", f"the workbook cannot be opened (damaged): {exc}"
        ) from None


def _open(p: Path) -> tuple[bytes, zipfile.ZipFile, WorkbookScan, Any]:
    """The file's bytes, its zip, its scan against the reading limits (:mod:`.limits`) and the
    calamine workbook — opened only once the scan has passed; :class:`IntakeError` if any fails."""
    data = _read_file(p)
    zf = _sniff(p, data)
    scan = scan_workbook(p, zf)
    return data, zf, scan, _calamine(p, data)


def sniff_workbook(path: str | Path) -> None:
    """The first of :func:`check_workbook`'s checks: whether the file is a workbook at all.

    Raises the same :class:`IntakeError` for a missing, empty, legacy .xls, encrypted or non-Excel
    file, a FIFO, device or folder, and a file over the size limit; a zip holding a workbook
    passes without any of its XML read (about 2 ms; :func:`check_workbook` then scans it).
    """
    p = Path(path)
    _sniff(p, _read_file(p))


def check_workbook(path: str | Path) -> None:
    """The file-level checks of :func:`read_intake`, without reading a cell.

    Raises the same :class:`IntakeError` for a missing, empty, legacy .xls, encrypted, damaged or
    non-Excel file, for a FIFO, device or folder, and for a workbook beyond the reading limits
    (:mod:`.limits`: its file size, unpacked size or a sheet's used range). A workbook that passes
    may still have no usable header: only :func:`read_intake` reads that far (a few ms here — the
    limits' scan about 50 ms per 10,000 rows — against 0.2 s per 10,000 rows there).
    """
    _open(Path(path))


# (name, state, calamine sheet, its rows) per worksheet; state: visible | hidden | veryHidden
_Worksheets = list[tuple[str, str, Any, list[list[Any]]]]


def _state(meta: Any) -> str:
    v = str(getattr(meta, "visible", "Visible")).lower()
    return "veryHidden" if v.endswith("veryhidden") else "hidden" if v.endswith("hidden") else "visible"


def _worksheets(wb: Any) -> _Worksheets:
    """Every worksheet of a calamine workbook, visible or hidden, parsed (chart sheets skipped):
    a hidden sheet of applicants is reported, never silently skipped."""
    out = []
    for meta in wb.sheets_metadata:
        if "worksheet" not in str(meta.typ).lower():
            continue
        sheet = wb.get_sheet_by_name(meta.name)
        out.append((meta.name, _state(meta), sheet, sheet.to_python(skip_empty_area=False)))
    return out


_STATE_TEXT = {"visible": ("", ""), "hidden": ("隐藏", "hidden"), "veryHidden": ("深度隐藏", "very hidden")}


@dataclass(frozen=True)
class OtherSheet:
    """A sheet that also carries an intake header but was not the one reviewed (see
    :func:`read_intake`): reported by name with its rows, never skipped silently."""

    name: str
    state: str  # visible | hidden | veryHidden
    header_row: int
    rows: int  # non-blank rows below its header

    def to_dict(self) -> dict[str, Any]:
        """As the manifest and ``oqtk review --json`` list it."""
        return {"sheet": self.name, "state": self.state, "header_row": self.header_row, "rows": self.rows}

    def describe(self) -> tuple[str, str]:
        zh, en = _STATE_TEXT.get(self.state, ("", ""))
        return (
            f"工作表“{self.name}”{'（' + zh + '）' if zh else ''}第{self.header_row}行也有申报表表头，其下 {self.rows} 行未审核",
            f"sheet {self.name!r}{' (' + en + ')' if en else ''} also has an intake header (row {self.header_row}); "
            f"its {self.rows} row(s) below it were not reviewed",
        )


def _looks_like_applicant(row: list[Any], found: dict[str, int]) -> bool:
    """A row above the header with an application ID (a value with a digit in it, as IDs have)
    and a name or certificate, in the header's columns: a title row holds one cell, a notes row
    (备注 … 见附件) no such ID."""

    def value(key: str) -> Any:
        j = found.get(key)
        v = row[j] if j is not None and j < len(row) else None
        return None if _is_blank(v) or (isinstance(v, str) and match_header(v) is not None) else v

    app_id = value("application_id")
    has_digit = app_id is not None and any(ch.isdigit() for ch in str(app_id))
    return has_digit and (value("full_name") is not None or value("qualifications") is not None)


_Parsed = tuple[str, WorkbookScan, _Worksheets]  # (SHA-256 of the bytes, their scan, their worksheets)
_prefetched: dict[str, Future[_Parsed]] = {}
_prefetched_lock = threading.Lock()


def _key(path: str | Path) -> str:
    return os.path.realpath(path)


def prefetch(path: str | Path) -> None:
    """Start parsing ``path``'s worksheets in a background thread, for :func:`read_intake` to use.

    Returns at once and never raises. The parse is used once, and only if the bytes
    :func:`read_intake` reads have the SHA-256 of the bytes parsed; a failed parse is ignored
    (the read then fails, or succeeds, on its own).
    """
    fut: Future[_Parsed] = Future()

    def parse() -> None:
        try:  # the same checks as read_intake's, before calamine sees the bytes
            p = Path(path)
            data = _read_file(p)
            scan = scan_workbook(p, _sniff(p, data))
            wb = _calamine(p, data)
            fut.set_result((hashlib.sha256(data).hexdigest(), scan, _worksheets(wb)))
        except BaseException as exc:  # kept for read_intake, which then reads as usual
            fut.set_exception(exc)

    with _prefetched_lock:
        _prefetched[_key(path)] = fut
    threading.Thread(target=parse, name="oqtk-prefetch", daemon=True).start()


def _take_prefetched(path: Path) -> Future[_Parsed] | None:
    with _prefetched_lock:
        return _prefetched.pop(_key(path), None)


def _if_same(fut: Future[_Parsed] | None, sha: str) -> tuple[WorkbookScan, _Worksheets] | None:
    """The prefetched scan and worksheets if they are of the bytes with this SHA-256 (waits for
    a parse still running)."""
    if fut is None or fut.exception() is not None:
        return None
    parsed_sha, scan, sheets = fut.result()
    return (scan, sheets) if parsed_sha == sha else None


@dataclass
class _Chosen:
    """The sheet chosen for review: its name, calamine sheet, rows, header row (0-based) and
    header columns (key → index)."""

    name: str
    sheet: Any
    rows: list[list[Any]]
    header: int
    found: dict[str, int]


def _parse(
    p: Path, data: bytes, zf: zipfile.ZipFile, sha: str, prefetched: Future[_Parsed] | None
) -> tuple[WorkbookScan, _Worksheets]:
    """The scan against the limits and every worksheet parsed — the prefetch's, when it parsed
    these very bytes."""
    same = _if_same(prefetched, sha)
    if same is not None:
        return same
    scan = scan_workbook(p, zf)
    wb = _calamine(p, data)
    try:
        return scan, _worksheets(wb)
    except Exception as exc:
        raise _refuse(
            p, f"工作表无法读取（文件损坏）：{exc}", f"a worksheet cannot be read (damaged): {exc}"
        ) from None


def _choose_sheet(p: Path, parsed: _Worksheets) -> tuple[_Chosen, list[OtherSheet]]:
    """The visible sheet with the best intake header, and every other sheet with one (reported);
    :class:`IntakeError` when no visible sheet has a header with the required columns."""
    candidates = []
    for name, state, sheet, rows in parsed:
        hdr, found, score = _find_header(rows)
        candidates.append((score, name, sheet, rows, hdr, found, state))
    with_header = [c for c in candidates if c[4] >= 0]
    usable = [c for c in with_header if c[6] == "visible"]  # a hidden sheet is reported, not reviewed
    if with_header and not usable:
        hidden = "、".join(f"“{c[1]}”" for c in with_header)
        raise IntakeError(
            f"{p}: 申报表表头只在隐藏的工作表 {hidden} 中；请在Excel中取消隐藏（右键工作表标签 → 取消隐藏）后另存 / the "
            f"intake header is only on hidden sheet(s) {hidden}; unhide it in Excel (right-click a sheet tab → "
            "Unhide) and save"
        )
    if not usable:
        sheets = "、".join(c[1] for c in candidates) or "（无）"
        raise IntakeError(
            f"{p}: 在各工作表（{sheets}）前{HEADER_SCAN_ROWS}行中未找到申报表表头 / no intake header row found in the first "
            f"{HEADER_SCAN_ROWS} rows of any sheet ({sheets}). 表头应包含如 申请编号、姓名、境外职业资格证书 等列名 / "
            "the header must name columns such as 申请编号 (application_id), 姓名 (full_name), 境外职业资格证书 (qualifications); "
            "see `oqtk template`."
        )
    chosen = max(usable, key=lambda c: c[0])  # the best visible header; the first sheet wins ties
    _score, name, sheet, rows, hdr, found, _state = chosen
    others = [
        OtherSheet(c[1], c[6], c[4] + 1, sum(1 for r in c[3][c[4] + 1 :] if any(not _is_blank(v) for v in r)))
        for c in with_header
        if c is not chosen
    ]
    missing = [k for k in REQUIRED if k not in found]
    if missing:
        names = "；".join(_accepted(k) for k in missing)
        raise IntakeError(
            f"{p}: 工作表“{name}”第{hdr + 1}行的表头缺少必填列 / the header (sheet {name!r}, row {hdr + 1}) lacks required "
            f"column(s) {', '.join(missing)}. 可接受的列名 / accepted headers: {names}"
        )
    return _Chosen(name, sheet, rows, hdr, found), others


def _extra_columns(ch: _Chosen, width: int) -> tuple[dict[str, int], list[str]]:
    """Every column (key or extra header → index) and the extra columns' headers, in sheet
    order: an extra column has a header or data; one without a header is named by its letter,
    and none shadows a contract or result column."""
    header_cells = ch.rows[ch.header]
    columns: dict[str, int] = dict(ch.found)
    extras: list[str] = []
    used = set(ch.found.values())
    for j in range(width):
        if j in used:
            continue
        h = header_cells[j] if j < len(header_cells) else None
        has_data = any(j < len(r) and not _is_blank(r[j]) for r in ch.rows[ch.header + 1 :])
        if _is_blank(h) and not has_data:
            continue
        label = str(h).strip() if not _is_blank(h) else f"列{column_letter(j)}"
        while label in columns or label in COLUMN_BY_KEY or label in RESULT_COLUMNS:  # never shadow a result
            label += "_"
        columns[label] = j
        extras.append(label)
    return columns, extras


def _fill_merged_and_special(
    ch: _Chosen, merged: list[Any], special: dict[tuple[int, int], Any], width: int
) -> list[str]:
    """Complete the grid: calamine's ends at the last row holding a stored value, so extend it
    over formula cells without a stored result and merged blocks below that (no applicant is
    lost there); copy each merged block's top-left value into the block below the header; put
    the special cells in. Returns the merged ranges as A1 references."""
    rows, hdr = ch.rows, ch.header
    last_needed = max([r - 1 for (r, _c) in special] + [r1 for (_r0, _c0), (r1, _c1) in merged] + [-1])
    while len(rows) <= last_needed:
        rows.append([""] * width)
    merged_refs = []
    for (r0, c0), (r1, c1) in merged:
        merged_refs.append(f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}")
        if r1 <= hdr:
            continue
        top = rows[r0][c0] if r0 < len(rows) and c0 < len(rows[r0]) else None
        if _is_blank(top) or r0 <= hdr:
            continue
        for r in range(max(r0, hdr + 1), r1 + 1):
            for c in range(c0, c1 + 1):
                if r < len(rows) and c < len(rows[r]) and _is_blank(rows[r][c]):
                    rows[r][c] = top
    for (r, c), cell in special.items():
        i = r - 1
        if i > hdr and i < len(rows) and c < len(rows[i]):
            rows[i][c] = cell
    return merged_refs


def _records(
    body: list[list[Any]], row_numbers: list[int], idx_of: list[int | None], width: int
) -> tuple[list[list[Any]], list[int]]:
    """The non-blank rows' values in ``idx_of``'s columns, and their sheet row numbers: empty and
    whitespace-only cells are blank (None)."""
    records = []
    index = []
    width_ok = all(len(r) >= width for r in body)  # calamine gives rectangular rows
    # str.isspace: non-empty and all whitespace
    for n, r in enumerate(body):
        if width_ok:
            vals = [
                None if j is None or (v := r[j]) == "" or (v.__class__ is str and v.isspace()) else v
                for j in idx_of
            ]
        else:
            vals = [
                None
                if j is None or j >= len(r) or (v := r[j]) == "" or (v.__class__ is str and v.isspace())
                else v
                for j in idx_of
            ]
        if vals.count(None) == len(vals):
            continue
        records.append(vals)
        index.append(row_numbers[n])
    return records, index


def _mark_phantom_dates(
    frame: pd.DataFrame, columns: dict[str, int], zf: zipfile.ZipFile, part: str | None
) -> None:
    """A date column holding 1900-02-28 may hold serial 60 (calamine reads both 59 and 60 so):
    only then is the sheet's XML read, to tell which cells hold 60 — Excel's phantom 1900-02-29."""
    phantom = [k for k in _DATE_KEYS if frame[k].isin((PHANTOM_READ_AS,)).any()]
    if not phantom:
        return
    key_of = {columns[k]: k for k in phantom}
    for r, c in serial60_cells(zf, part):
        k = key_of.get(c)
        if k is not None and r in frame.index and frame.at[r, k] == PHANTOM_READ_AS:
            frame.at[r, k] = PHANTOM_1900_02_29


def read_intake(path: str | Path) -> IntakeSheet:
    """Read an intake workbook into an :class:`IntakeSheet` (never modifies the file)."""
    import pandas as pd

    t0 = time.perf_counter()
    p = Path(path)
    prefetched = _take_prefetched(p)  # used or not, taken: a prefetch is for one read
    data = _read_file(p)
    zf = _sniff(p, data)
    sha = hashlib.sha256(data).hexdigest()
    scan, parsed = _parse(p, data, zf, sha, prefetched)
    ch, others = _choose_sheet(p, parsed)
    rows, hdr, found = ch.rows, ch.header, ch.found
    width = max((len(r) for r in rows), default=0)
    columns, extras = _extra_columns(ch, width)

    part = sheet_xml_paths(zf).get(ch.name)
    has_special = part is None or part not in scan.sheets or scan.sheets[part].special
    special = special_cells(zf, part) if has_special else {}
    merged_refs = _fill_merged_and_special(ch, list(ch.sheet.merged_cell_ranges or []), special, width)
    # rows above the header that look like applicants: reviewed, with a warning (never a title)
    above = [i for i in range(hdr) if _looks_like_applicant(rows[i], found)]
    body = [rows[i] for i in above] + rows[hdr + 1 :]
    row_numbers = [i + 1 for i in above] + list(range(hdr + 2, hdr + 2 + len(rows) - hdr - 1))

    col_names = [*(c.key for c in COLUMNS), *extras]
    records, index = _records(body, row_numbers, [columns.get(k) for k in col_names], width)
    frame = pd.DataFrame(records, columns=col_names, index=pd.Index(index, name="source_row"), dtype=object)
    _mark_phantom_dates(frame, columns, zf, part)
    formula_cells = {}
    for (r, c), cell in special.items():
        key = next((k for k, j in columns.items() if j == c), None)
        if key is not None and r > hdr + 1 and isinstance(cell, FormulaCell):
            formula_cells[(r, key)] = cell.formula
    return IntakeSheet(
        path=p,
        sha256=sha,
        sheet_name=ch.name,
        header_row=hdr + 1,
        headers={**{k: str(rows[hdr][j]) for k, j in found.items()}, **{e: e for e in extras}},
        columns=columns,
        extras=extras,
        frame=frame,
        formula_cells=formula_cells,
        merged_ranges=merged_refs,
        seconds=time.perf_counter() - t0,
        above_header=[i + 1 for i in above],
        other_sheets=others,
    )
