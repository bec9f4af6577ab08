"""Bounds on what reading an intake workbook may cost, checked before any parser runs.

A hostile workbook can make a parser allocate without bound: a 1.7 KB file with cells ``A1`` and
``XFD1048576`` makes calamine build a 17-billion-cell grid (512 GiB; the process aborts), a 3 MB
zip can hold 3 GB of sheet XML, a FIFO named ``.xlsx`` blocks a reader forever. So, before
calamine sees the file:

- :func:`check_file` — the path is a regular file (not a FIFO, device or folder, which would block
  or fail a read) no larger than ``$OQTK_MAX_FILE_MB``;
- :func:`scan_workbook` — the zip's declared uncompressed sizes add up to no more than
  ``$OQTK_MAX_UNZIPPED_MB``; each worksheet's XML and the shared strings are then decompressed
  (streamed, never held whole) up to that same budget, and must end where their XML ends (a
  stream longer than its declared size is cut at that size by :mod:`zipfile`, and so would end
  mid-element); and each worksheet's *used range* — the rows × columns spanned by the cells it
  actually holds, which is what calamine allocates — is at most ``$OQTK_MAX_CELLS``. The
  ``<dimension>`` a sheet *declares* is not trusted and never decides anything: a file declaring
  ``A1:XFD1048576`` around three cells reads as three cells.

The used range comes from the cell references (``r="XFD1048576"``), found as the sheet is
streamed, with one regular expression per 1 MiB block: the number of digits of the longest
reference bounds the rows, the letters of the cells beyond column Z bound the columns (else 26).
Only when that bound passes the limit is the last row read exactly (a second pass): a sheet of a
million rows pays it, one of 10,000 or 100,000 rows does not. A cell written without its
reference first is placed by calamine after the previous cell of its row (300 of them reach
column 300); when a sheet has any, every row and cell is walked and placed the same way (a slower
exact pass, for such rare files only: :attr:`SheetScan.placed`). The blocks are searched as they
are, with the seam between two blocks searched on its own, and a match that a block's end may
have cut short (``<c `` without the ``r="`` after it) is judged in the seam, whole — so where the
blocks happen to end never sends a sheet down the slow pass.

The same pass notes whether a sheet holds formulas or error values at all, so the reader reads a
sheet's XML for those only when it does; before the limits it always decompressed and searched
it, which is what the scan now costs (``bench/bench_intake.py`` measures the read with and
without the limits in the same run).

Defaults fit the largest real sheet: Excel's 1,048,576 rows × 38 columns of cells, a 1 GiB file,
2 GiB of XML. Each refusal is an :class:`~toolkit.exceptions.IntakeError` naming the limit and
its setting.
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
import zlib
from collections.abc import Generator, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from ..exceptions import IntakeError
from .sheetxml import column_letter, sheet_xml_paths

__all__ = [
    "DEFAULT_MAX_CELLS",
    "DEFAULT_MAX_FILE_MB",
    "DEFAULT_MAX_UNZIPPED_MB",
    "Limits",
    "SheetScan",
    "check_file",
    "limits",
    "scan_workbook",
]

DEFAULT_MAX_CELLS = 40_000_000  # Excel's 1,048,576 rows × 38 columns
DEFAULT_MAX_FILE_MB = 1024
DEFAULT_MAX_UNZIPPED_MB = 2048
_CHUNK = 1 << 20
_OVERLAP = 64  # longer than any reference or tag the scan looks for


@dataclass(frozen=True)
class Limits:
    """The reading limits in force (from the environment, see :func:`limits`)."""

    max_cells: int = DEFAULT_MAX_CELLS
    max_file_bytes: int = DEFAULT_MAX_FILE_MB * 1024 * 1024
    max_unzipped_bytes: int = DEFAULT_MAX_UNZIPPED_MB * 1024 * 1024


def _positive(env: dict[str, str] | os._Environ[str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = 0
    if not value > 0:
        raise IntakeError(f"{name} 应为正数 / {name} must be a positive number, not {raw!r}")
    return value


def limits(environ: dict[str, str] | None = None) -> Limits:
    """The limits set by ``$OQTK_MAX_CELLS``, ``$OQTK_MAX_FILE_MB`` and ``$OQTK_MAX_UNZIPPED_MB``
    (read at each call, so a test or a service may change them)."""
    env = os.environ if environ is None else environ
    return Limits(
        max_cells=int(_positive(env, "OQTK_MAX_CELLS", DEFAULT_MAX_CELLS)),
        max_file_bytes=int(_positive(env, "OQTK_MAX_FILE_MB", DEFAULT_MAX_FILE_MB) * 1024 * 1024),
        max_unzipped_bytes=int(_positive(env, "OQTK_MAX_UNZIPPED_MB", DEFAULT_MAX_UNZIPPED_MB) * 1024 * 1024),
    )


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


def check_file(path: Path, lim: Limits | None = None) -> None:
    """Refuse a path that is not a regular file, or one larger than the file-size limit, without
    opening it (opening a FIFO blocks until a writer comes)."""
    lim = lim or limits()
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise IntakeError(f"{path}: 文件不存在 / file not found") from None
    except OSError as exc:
        raise IntakeError(f"{path}: 无法读取文件 / cannot read the file: {exc.strerror or exc}") from None
    mode = st.st_mode
    if not stat.S_ISREG(mode):
        if stat.S_ISDIR(mode):
            zh, en = "是文件夹", "a folder"
        elif stat.S_ISFIFO(mode):
            zh, en = "是命名管道（FIFO）", "a named pipe (FIFO)"
        elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
            zh, en = "是设备文件", "a device"
        elif stat.S_ISSOCK(mode):
            zh, en = "是套接字", "a socket"
        else:
            zh, en = "不是普通文件", "not a regular file"
        raise IntakeError(
            f"{path}: {zh}，不是普通文件，未读取；请选择 .xlsx 申报表文件 / {en}, not a regular file: "
            "not read; choose an .xlsx intake workbook"
        )
    if st.st_size > lim.max_file_bytes:
        raise IntakeError(
            f"{path}: 文件大小 {_mb(st.st_size)} 超过上限 {_mb(lim.max_file_bytes)}（设置 OQTK_MAX_FILE_MB），未读取；"
            f"请拆分申报表，或由管理员调高该设置 / the file ({_mb(st.st_size)}) is larger than the limit of "
            f"{_mb(lim.max_file_bytes)} (setting OQTK_MAX_FILE_MB): not read; split the sheet, or have the "
            "administrator raise the setting"
        )


@dataclass
class SheetScan:
    """What the scan found in one worksheet part."""

    part: str
    rows: int = 0  # bound on the used range's last row
    columns: int = 0  # bound on its last column
    special: bool = False  # holds a formula or an error value
    placed: bool = False  # has cells without references: every row and cell was placed (walked)

    @property
    def cells(self) -> int:
        return self.rows * self.columns


@dataclass
class WorkbookScan:
    """The scan of a workbook: its worksheet parts by path."""

    sheets: dict[str, SheetScan] = field(default_factory=dict)


_ROOT = re.compile(rb"<(\w+:)?worksheet\b")
_END = re.compile(rb"</(?:\w+:)?(?:worksheet|sst)>\s*$")
# a cell element whose first attribute is not its reference (r="…"): calamine places it after the
# previous cell of its row, in the row after the previous row when the row has no reference
# either, so its position is worked out by walking the elements (_walk). A row without a
# reference whose cells all have theirs changes nothing: each cell's reference places it.
_NO_REF_CELL = re.compile(rb'<c(?! r=")[\s/>]')
_NO_REF_PREFIXED = re.compile(rb'<(?:\w+:)?c(?! r=")[\s/>]')
# a formula or an error value (searched with re: a literal needle with `in` is twice as slow
# over sheet XML, whose '&' of entity-encoded text shares a slot of bytes.find's skip table with '<f')
_FORMULA = re.compile(rb"<f")
_ERROR = re.compile(rb't="e"')
_PREFIXED_FORMULA = re.compile(rb":f")
_TAG = re.compile(rb"<(?:\w+:)?(row|c)(?=[\s/>])([^>]*)>")
_REF_ATTR = re.compile(rb'\br="([A-Z]{0,3})(\d+)"')


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _shape_re(n: int) -> re.Pattern[bytes]:
    """In one pass: a cell beyond column Z (its letters, and its digits when there are more than
    ``n``), or a cell of columns A–Z whose row has more than ``n`` digits (those digits)."""
    return re.compile(rb'r="(?:([A-Z]{2,3})(\d{%d,})?|[A-Z](\d{%d,}))' % (n + 1, n + 1))


@dataclass(frozen=True)
class _Piece:
    """A stretch of a part's XML to search. A match starting at ``cut`` or later may be cut short
    by the stretch's end (``<c `` without the ``r="`` after it) and is seen again, whole, in the
    next piece: a test for what must *not* follow (a negative look-ahead) counts a match only
    before ``cut``."""

    data: bytes
    cut: int
    seam: bool = False  # the join of two blocks (its bytes are also in them)

    def has(self, pattern: re.Pattern[bytes]) -> bool:
        m = pattern.search(self.data)  # the first match: if it is past the cut, all are
        return m is not None and m.start() < self.cut


def _inflated(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Generator[bytes, None, None]:
    """The part's bytes in blocks of ``_CHUNK`` (an error while inflating — a damaged part, a
    failed CRC — is raised from here). Inflating in a background thread, ahead of the searches
    (zlib releases the GIL), was tried and measured no faster: 43.4 against 42.3 ms per 10,000
    rows, median of 30 — each search holds the GIL for a whole block."""
    with zf.open(info) as f:
        while block := f.read(_CHUNK):
            yield block


def _charged(blocks: Iterator[bytes], budget: list[int], path: Path, lim: Limits) -> Iterator[bytes]:
    """The blocks, each charged to ``budget``: refused once the workbook unpacks past it."""
    for block in blocks:
        budget[0] -= len(block)
        if budget[0] < 0:
            raise _too_big(path, lim)
        yield block


def _pieces(blocks: Iterator[bytes]) -> Iterator[_Piece]:
    """The part's XML as pieces to search: each block, and between two blocks their seam (the
    last ``_OVERLAP`` bytes of one and the first of the next), so that nothing cut by a block's
    end goes unseen — without copying the blocks together."""
    prev = next(blocks, b"")
    for block in blocks:
        yield _Piece(prev, len(prev) - _OVERLAP)
        tail = prev[-_OVERLAP:]
        yield _Piece(tail + block[:_OVERLAP], len(tail), seam=True)
        prev = block
    yield _Piece(prev, len(prev))


class _Ending:
    """The last ``_OVERLAP`` bytes of the part's XML streamed so far (for the end-of-XML check)."""

    def __init__(self) -> None:
        self.tail = b""

    def see(self, block: bytes) -> None:
        """The next block of the part (never a seam: its bytes are in the blocks already)."""
        self.tail = block[-_OVERLAP:] if len(block) >= _OVERLAP else (self.tail + block)[-_OVERLAP:]

    def complete(self) -> bool:
        return bool(_END.search(self.tail))


def _too_big(path: Path, lim: Limits) -> IntakeError:
    return IntakeError(
        f"{path}: 解压后的内容超过上限 {_mb(lim.max_unzipped_bytes)}（设置 OQTK_MAX_UNZIPPED_MB；可能是“压缩炸弹”），未读取；"
        f"请拆分申报表，或由管理员调高该设置 / the workbook unpacks to more than {_mb(lim.max_unzipped_bytes)} "
        "(setting OQTK_MAX_UNZIPPED_MB; perhaps a zip bomb): not read; split the sheet, or have the "
        "administrator raise the setting"
    )


def _exact(zf: zipfile.ZipFile, info: zipfile.ZipInfo, digits: int, col_max: int) -> tuple[int, int]:
    """The last row of the cell references with ``digits`` digits (the exact last row when no
    reference has more) and the last column (``col_max`` when a reference is beyond Z, else the
    largest of the one-letter columns): the second pass, only when the bound is too loose."""
    refs = re.compile(rb'r="[A-Z]{1,3}(\d{%d})"' % max(digits, 1))
    narrow = re.compile(rb'r="([A-Z])\d')
    rows, cols = 0, col_max
    for piece in _pieces(_inflated(zf, info)):
        found = refs.findall(piece.data)
        if found:
            rows = max(rows, *map(int, found))
        if not col_max:
            cols = max(cols, *(_col_number(m) for m in {*narrow.findall(piece.data), b"A"}))
    return rows, cols


def _walk(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int]:
    """The last row and column a sheet's cells reach, placing each row or cell without a
    reference as calamine does (a row after the previous row, a cell after the previous cell of
    its row): the exact pass for sheets whose elements lack references (rare, and slower)."""
    row = col = rows = cols = 0
    with zf.open(info) as f:
        pending = b""
        while block := f.read(_CHUNK):
            data = pending + block
            cut = data.rfind(b"<")  # an element cut by the chunk's end waits for the next chunk
            data, pending = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
            for kind, attrs in _TAG.findall(data):
                ref = _REF_ATTR.search(attrs)
                if kind == b"row":
                    row = int(ref.group(2)) if ref and not ref.group(1) else row + 1
                    col = 0
                elif ref and ref.group(1):
                    col = _col_number(ref.group(1))
                    rows = max(rows, int(ref.group(2)))
                else:
                    col += 1
                rows, cols = max(rows, row), max(cols, col)
    return rows, cols


def _scan_sheet(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int], path: Path, lim: Limits
) -> SheetScan:
    """Bound a worksheet's used range (see the module docstring) as it is streamed: each test is
    one C-speed pass over a chunk, and a test that has found what it looks for stops."""
    scan = SheetScan(info.filename)
    col_max = 0
    digits = 1
    ending = _Ending()
    prefixed: bool | None = None
    unreferenced = False  # a row or cell without its reference first
    with closing(_inflated(zf, info)) as blocks:
        for piece in _pieces(_charged(blocks, budget, path, lim)):
            chunk = piece.data
            if not piece.seam:
                ending.see(chunk)
            if prefixed is None:  # elements named with a namespace prefix (<x:c>): rare, looked for only then
                root = _ROOT.search(chunk)
                prefixed = bool(root and root.group(1)) if root else None
            if not scan.special and (
                _FORMULA.search(chunk)
                or _ERROR.search(chunk)
                or (prefixed is not False and _PREFIXED_FORMULA.search(chunk))
            ):
                scan.special = True
            if not unreferenced:
                if prefixed is False:
                    unreferenced = piece.has(_NO_REF_CELL)
                else:
                    unreferenced = piece.has(_NO_REF_PREFIXED)
            # one tuple per cell beyond Z (every row of a sheet past column Z has one): the same
            # few distinct ones, unless rows gain a digit in this piece
            for letters, wide, narrow in set(_shape_re(digits).findall(chunk)):
                digits = max(digits, len(wide or narrow))
                if letters:
                    col_max = max(col_max, _col_number(letters))
    if not ending.complete():
        raise IntakeError(
            f"{path}: 工作表 {info.filename} 的内容不完整或与压缩包记录的大小不符（文件损坏），未读取 / the worksheet "
            f"{info.filename} is incomplete or longer than the zip says (damaged): not read"
        )
    scan.placed = unreferenced
    if unreferenced:
        scan.rows, scan.columns = _walk(zf, info)
        return scan
    row_bound, col_bound = 10**digits - 1, max(col_max, 26)
    if row_bound * col_bound > lim.max_cells:  # a loose bound: read the last row and column exactly
        row_bound, col_bound = _exact(zf, info, digits, col_max)
    scan.rows, scan.columns = row_bound, col_bound
    return scan


def scan_workbook(path: Path, zf: zipfile.ZipFile, lim: Limits | None = None) -> WorkbookScan:
    """Check the zip's sizes and every worksheet's used range against the limits (see the module
    docstring); return what was found. Raises :class:`IntakeError` naming the limit and its
    setting, or saying the file is damaged (a part that does not unpack, or fails its CRC)."""
    try:
        return _scan_workbook(path, zf, lim or limits())
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise IntakeError(
            f"{path}: 文件已损坏，无法解压（{exc}），未读取 / the file is damaged and cannot be unpacked ({exc}): not read"
        ) from None


def _scan_workbook(path: Path, zf: zipfile.ZipFile, lim: Limits) -> WorkbookScan:
    infos = zf.infolist()
    declared = sum(i.file_size for i in infos)
    if declared > lim.max_unzipped_bytes:
        raise _too_big(path, lim)
    budget = [lim.max_unzipped_bytes]
    out = WorkbookScan()
    sheet_names = {part: sheet for sheet, part in sheet_xml_paths(zf).items()}
    for info in infos:
        name = info.filename
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            scan = _scan_sheet(zf, info, budget, path, lim)
            if scan.cells > lim.max_cells:
                far = f"{column_letter(scan.columns - 1)}{scan.rows}"
                name = f"“{sheet_names[name]}”" if name in sheet_names else name
                raise IntakeError(
                    f"{path}: 工作表 {name} 的已用区域延伸到单元格 {far}（约 {scan.rows:,} 行 × {scan.columns:,} 列），"
                    f"超过上限 {lim.max_cells:,} 个单元格（设置 OQTK_MAX_CELLS），未读取；请删除远处多余的单元格"
                    f"（选中空白行列后删除）再保存，或由管理员调高该设置 / the used range of worksheet {name} reaches "
                    f"cell {far} (about {scan.rows:,} rows × {scan.columns:,} columns), more than the limit of "
                    f"{lim.max_cells:,} cells (setting OQTK_MAX_CELLS): not read; delete the stray far cells "
                    "(select the empty rows and columns, delete them) and save, or have the administrator raise "
                    "the setting"
                )
            out.sheets[name] = scan
        elif name == "xl/sharedStrings.xml":
            ending = _Ending()
            with closing(_inflated(zf, info)) as blocks:
                for block in _charged(blocks, budget, path, lim):
                    ending.see(block)
            if not ending.complete():
                raise IntakeError(
                    f"{path}: 共享字符串表不完整或与压缩包记录的大小不符（文件损坏），未读取 / the shared strings are "
                    "incomplete or longer than the zip says (damaged): not read"
                )
    return out
