"""Helpers for the intake tests: write small workbooks in tmp_path, hash files, scan outputs."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

HEADERS = ["申请编号", "姓名", "人员类别", "境外职业资格证书", "平台核验", "最高学历学位", "单位性质"]


def write_book(
    path: Path,
    rows: list[list[Any]],
    *,
    title_rows: list[list[Any]] | None = None,
    sheet: str = "申请人",
    cover: bool = False,
    text_cells: tuple[tuple[int, int], ...] = (),
) -> Path:
    """A workbook whose (first or second) sheet holds ``title_rows``, then ``rows`` (header first)."""
    wb = Workbook()
    ws = wb.active
    if cover:
        ws.title = "封面"
        ws.append(["这不是数据 / not data"])
        ws = wb.create_sheet(sheet)
    else:
        ws.title = sheet
    for r in title_rows or []:
        ws.append(r)
    for r in rows:
        ws.append(r)
    for r, c in text_cells:
        ws.cell(row=r, column=c).data_type = "s"
    wb.save(path)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def formula_cells(path: Path) -> list[str]:
    """Every cell of every sheet whose type is formula."""
    wb = load_workbook(path)
    return [
        f"{ws.title}!{c.coordinate}" for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"
    ]
