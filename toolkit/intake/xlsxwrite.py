"""A small, fast .xlsx writer for result tables.

Why not a library: for the three result sheets of a 10,000-row review (about 290,000 cells) this
writes in 0.19 s; openpyxl costs about 30 µs a cell, and xlsxwriter, even in ``constant_memory``
mode with ``strings_to_formulas`` off, took 1.6 s here (measured 2026-11-26) — enough alone to
break the batch speed goal (issue 5). The tests read what this writes back with openpyxl (types,
fills, frozen header, filter, formula-looking text kept as text).

It writes exactly what the results need and nothing else: sheets of rows, a bold wrapped header
row, column widths, a frozen header, an auto-filter, and a fill on chosen cells. Text is always
written as an inline string (``t="inlineStr"``), so a value such as ``=HYPERLINK(...)`` is stored
as that exact text and can never become a formula; numbers and booleans keep their type, and a
``datetime.date`` is written as a date (its serial number, shown yyyy-mm-dd).
Characters XML 1.0 cannot hold (control characters other than tab, line feed and carriage return)
are dropped.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

__all__ = ["Sheet", "write_xlsx"]

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class Sheet:
    """One worksheet: ``rows[0]`` is the header; ``fills[(row_index, col_index)]`` = style name."""

    name: str
    rows: Iterable[Sequence[Any]]
    widths: Sequence[float] = ()
    freeze_header: bool = True
    auto_filter: bool = True
    fill_column: int | None = None  # colour this column's cells by their value …
    fill_columns: Sequence[int] = ()  # … and these too, with the same colour
    fills: dict[str, str] = field(default_factory=dict)  # value → RGB hex


def _letters(n: int) -> list[str]:
    out = []
    for i in range(n):
        s, k = "", i + 1
        while k:
            k, r = divmod(k - 1, 26)
            s = chr(65 + r) + s
        out.append(s)
    return out


def _text(v: str) -> str:
    if not v.isprintable() and _ILLEGAL.search(v):  # isprintable: a fast C check for the usual case
        v = _ILLEGAL.sub("", v)
    return escape(v) if ("&" in v or "<" in v or ">" in v) else v


_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 in the 1900 date system
_FIRST_SERIAL = dt.date(1900, 3, 1)  # from here on the serial is the day count (earlier: text)


def _styles(fill_colours: list[str]) -> str:
    """The style sheet: 0 normal, 1 header, 2… one per fill colour, then the date style (last)."""
    fills = "".join(
        f'<fill><patternFill patternType="solid"><fgColor rgb="FF{c}"/><bgColor indexed="64"/></patternFill></fill>'
        for c in fill_colours
    )
    xfs = "".join(
        f'<xf numFmtId="0" fontId="0" fillId="{i + 2}" borderId="0" xfId="0" applyFill="1"/>'
        for i in range(len(fill_colours))
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
        f'<fills count="{len(fill_colours) + 2}"><fill><patternFill patternType="none"/></fill>'
        f'<fill><patternFill patternType="gray125"/></fill>{fills}</fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{len(fill_colours) + 3}"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">'
        f'<alignment vertical="top" wrapText="1"/></xf>{xfs}'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


def _sheet_xml(out: Any, sheet: Sheet, style_of: dict[str, int], date_style: int = 0) -> None:
    rows = iter(sheet.rows)
    header = next(rows, None)
    ncols = len(header) if header is not None else 1
    letters = _letters(max(ncols, 1))
    w = out.write
    w(
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    )
    if sheet.freeze_header:
        w(
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            'state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        )
    if sheet.widths:
        w("<cols>")
        for i, width in enumerate(sheet.widths, start=1):
            w(f'<col min="{i}" max="{i}" width="{width}" customWidth="1"/>')
        w("</cols>")
    w("<sheetData>")
    n = 0
    if header is not None:
        cells = "".join(
            f'<c r="{letters[j]}1" s="1" t="inlineStr"><is><t xml:space="preserve">{_text(str(v))}</t></is></c>'
            for j, v in enumerate(header)
            if v is not None
        )
        w(f'<row r="1">{cells}</row>')
        n = 1
    n = _body_xml(w, rows, sheet, style_of, date_style, letters, ncols) or n
    w("</sheetData>")
    if sheet.auto_filter and header is not None and n > 1:
        w(f'<autoFilter ref="A1:{letters[ncols - 1]}{n}"/>')
    w("</worksheet>")


_STR_OPEN = ' t="inlineStr"><is><t xml:space="preserve">'
_STR_CLOSE = "</t></is></c>"


def _body_xml(
    w: Any,
    rows: Iterator[Sequence[Any]],
    sheet: Sheet,
    style_of: dict[str, int],
    date_style: int,
    letters: list[str],
    ncols: int,
) -> int:
    """Write the rows after the header (row 2 on); return the last row number (0 if none).

    A text repeated down a sheet (a status, a reason, a series) is escaped once: its cell's
    closing part is kept by (text, style)."""
    fill_cols = set(sheet.fill_columns)
    if sheet.fill_column is not None:
        fill_cols.add(sheet.fill_column)
    fill_col = sheet.fill_column
    styled = [j in fill_cols for j in range(ncols)]
    opens = [f'<c r="{x}' for x in letters]  # '<c r="B' + row number + …
    closes: dict[tuple[str, str], str] = {}  # (text, style) → '"{style} t="inlineStr">…</c>'
    date_attr = f'" s="{date_style}"><v>'
    buf: list[str] = []
    n = 0
    for r, row in enumerate(rows, start=2):
        n = r
        style = ""
        if fill_col is not None:
            s = style_of.get(f"{sheet.name}\x00{row[fill_col]}")
            style = f' s="{s}"' if s else ""
        rs = str(r)
        parts = [f'<row r="{rs}">']
        add = parts.append
        for j, v in enumerate(row):
            t = v.__class__
            if t is str:
                if not v:
                    continue
                st = style if styled[j] else ""
                tail = closes.get((v, st))
                if tail is None:
                    tail = closes[(v, st)] = f'"{st}{_STR_OPEN}{_text(v)}{_STR_CLOSE}'
                add(opens[j] + rs + tail)
            elif v is None:
                continue
            elif t is int or (t is float and v == v):
                st = style if styled[j] else ""
                add(f'{opens[j]}{rs}"{st}><v>{v!r}</v></c>')
            elif t is bool:
                st = style if styled[j] else ""
                add(f'{opens[j]}{rs}"{st} t="b"><v>{int(v)}</v></c>')
            elif t is float:  # NaN
                continue
            elif t is dt.date and v >= _FIRST_SERIAL:  # a date is a date: its serial, shown yyyy-mm-dd
                add(f"{opens[j]}{rs}{date_attr}{(v - _EPOCH).days}</v></c>")
            else:
                text = v.isoformat() if isinstance(v, dt.date) else str(v)
                st = style if styled[j] else ""
                add(f'{opens[j]}{rs}"{st}{_STR_OPEN}{_text(text)}{_STR_CLOSE}')
        add("</row>")
        buf.append("".join(parts))
        if len(buf) >= 2000:
            w("".join(buf))
            buf.clear()
    w("".join(buf))
    return n


def write_xlsx(path: str | Path, sheets: Sequence[Sheet]) -> None:
    """Write ``sheets`` to ``path`` (.xlsx)."""
    colours: list[str] = []
    style_of: dict[str, int] = {}
    for sh in sheets:
        for value, colour in sh.fills.items():
            if colour not in colours:
                colours.append(colour)
            style_of[f"{sh.name}\x00{value}"] = 2 + colours.index(colour)
    ws_entries = "".join(
        f'<sheet name={quoteattr(sh.name)} sheetId="{i}" r:id="rId{i}"/>'
        for i, sh in enumerate(sheets, start=1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        f'Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    n = len(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, n + 1)
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f"<sheets>{ws_entries}</sheets></workbook>",
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'{rels}<Relationship Id="rId{n + 1}" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
            'Target="styles.xml"/></Relationships>',
        )
        z.writestr("xl/styles.xml", _styles(colours))
        for i, sh in enumerate(sheets, start=1):
            with z.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as raw:
                import io

                text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                _sheet_xml(text, sh, style_of, 2 + len(colours))
                text.flush()
                text.detach()
