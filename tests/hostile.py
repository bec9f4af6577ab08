"""Hostile workbooks, written byte by byte (openpyxl would refuse or normalise these shapes).

Each sheet is ``(name, state, sheet XML)``; ``state`` is ``visible``, ``hidden`` or ``veryHidden``.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

NS = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
HEADER = ["申请编号", "姓名", "境外职业资格证书"]


def cell(ref: str, value: object) -> str:
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def sheet_xml(rows: dict[int, list[object]], *, dimension: str | None = None, extra: str = "") -> str:
    """Rows by number, each a list of values from column A (None skips a cell)."""
    body = []
    for r in sorted(rows):
        cells = "".join(cell(f"{chr(65 + j)}{r}", v) for j, v in enumerate(rows[r]) if v is not None)
        body.append(f'<row r="{r}">{cells}</row>')
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f"{NS}{dim}<sheetData>{''.join(body)}{extra}</sheetData></worksheet>"


def applicants(n: int, first: int = 1, *, header: list[str] | None = None) -> dict[int, list[object]]:
    rows: dict[int, list[object]] = {first: list(header or HEADER)}
    for i in range(n):
        rows[first + 1 + i] = [f"A-{i + 1}", f"申请人{i + 1}", "FCCA"]
    return rows


def book(path: Path, sheets: list[tuple[str, str, str]], *, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(len(sheets))
    )
    ct = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f"{overrides}</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    entries = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{i + 1}"'
        + (f' state="{state}"' if state != "visible" else "")
        + f' r:id="rId{i + 1}"/>'
        for i, (name, state, _xml) in enumerate(sheets)
    )
    wb = (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"<sheets>{entries}</sheets></workbook>"
    )
    wbrels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/sheet{i + 1}.xml"/>'
            for i in range(len(sheets))
        )
        + "</Relationships>"
    )
    with zipfile.ZipFile(path, "w", compression) as z:
        z.writestr("[Content_Types].xml", ct)
        z.writestr("_rels/.rels", rels)
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels", wbrels)
        for i, (_name, _state, xml) in enumerate(sheets):
            z.writestr(f"xl/worksheets/sheet{i + 1}.xml", xml)
    return path


def far_cell(path: Path, ref: str = "XFD1048576") -> Path:
    """Three applicants and one stray cell far away (the 1.7 KB file that made calamine abort)."""
    rows = applicants(3)
    xml = sheet_xml(rows, extra=f'<row r="{ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}">{cell(ref, "x")}</row>')
    return book(path, [("申请人", "visible", xml)])


def zip_bomb(path: Path, megabytes: int) -> Path:
    """A valid sheet padded with ``megabytes`` MB of empty rows: tiny compressed, huge unpacked."""
    rows = applicants(2)
    pad = "<row/>" * (megabytes * 1024 * 1024 // 6)
    xml = sheet_xml(rows, extra=pad)
    return book(path, [("申请人", "visible", xml)])
