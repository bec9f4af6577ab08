"""What the reader takes from a workbook's XML itself, beside calamine.

- which part holds each sheet (:func:`sheet_xml_paths`, also used by :mod:`.limits`);
- formula cells without a stored result (:class:`FormulaCell`) and Excel error values
  (:class:`ErrorCell`), which calamine reads as blank (:func:`special_cells`);
- cells holding serial 60, which calamine reads as 1900-02-28 but Excel shows as the day that
  never was, 1900-02-29 (:func:`serial60_cells`).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import unescape

__all__ = [
    "PHANTOM_1900_02_29",
    "PHANTOM_READ_AS",
    "ErrorCell",
    "FormulaCell",
    "column_letter",
    "serial60_cells",
    "sheet_xml_paths",
    "special_cells",
]


@dataclass(frozen=True)
class FormulaCell:
    """A formula cell whose result was never stored in the file (e.g. written by a script)."""

    formula: str

    def __str__(self) -> str:
        return "=" + self.formula if self.formula else "=（共享公式 / shared formula）"


@dataclass(frozen=True)
class ErrorCell:
    """A cell holding an Excel error value (``#N/A``, ``#REF!``, ``#DIV/0!`` …)."""

    error: str

    def __str__(self) -> str:
        return self.error


def column_letter(idx: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    s = ""
    n = idx + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def sheet_xml_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the part holding its XML."""
    try:
        wb = zf.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError):
        return {}
    targets = {}
    for m in re.finditer(r"<(?:\w+:)?Relationship\b([^>]*)>", rels):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
        if "Id" in attrs and "Target" in attrs:
            t = attrs["Target"]
            targets[attrs["Id"]] = t.lstrip("/") if t.startswith("/") else "xl/" + t
    out = {}
    for m in re.finditer(r"<(?:\w+:)?sheet\b([^>]*)>", wb):
        attrs = dict(re.findall(r'([\w:]+)="([^"]*)"', m.group(1)))
        rid = next((v for k, v in attrs.items() if k.endswith(":id")), None)
        if "name" in attrs and rid in targets:
            out[_unescape(attrs["name"])] = targets[rid]
    return out


def _unescape(s: str) -> str:
    """XML's five predefined entities read back (``&amp;`` last, as it must be)."""
    return unescape(s, {"&quot;": '"', "&apos;": "'"})


_CELL_RE = re.compile(r"<(?:\w+:)?c\b([^>]*?)(?<!/)>(.*?)</(?:\w+:)?c>", re.S)
_REF_RE = re.compile(r'\br="([A-Z]+)(\d+)"')
_F_RE = re.compile(r"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_V_RE = re.compile(r"<(?:\w+:)?v\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?v>)", re.S)


def special_cells(zf: zipfile.ZipFile, part: str | None) -> dict[tuple[int, int], FormulaCell | ErrorCell]:
    """(row 1-based, col 0-based) → a formula cell with no stored result, or an Excel error value.

    calamine reads both as blank; the sheet XML says what they are.
    """
    if not part:
        return {}
    try:
        xml = zf.read(part).decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError):
        return {}
    if "<f" not in xml and ":f" not in xml and 't="e"' not in xml:
        return {}
    out: dict[tuple[int, int], FormulaCell | ErrorCell] = {}
    for m in _CELL_RE.finditer(xml):
        attrs, body = m.group(1), m.group(2)
        v = _V_RE.search(body)
        cached = v.group(1) if v else None
        if 't="e"' in attrs:
            cell: FormulaCell | ErrorCell = ErrorCell(_unescape(cached or "#ERROR"))
        else:
            f = _F_RE.search(body)
            if not f or cached:
                continue
            cell = FormulaCell(_unescape(f.group(1) or ""))
        ref = _REF_RE.search(attrs)
        if ref:
            out[(int(ref.group(2)), _col_index(ref.group(1)))] = cell
    return out


#: What a cell holding serial 60 as a date reads as: the day Excel shows for it, which does not
#: exist (Excel counts 1900 as a leap year, as Lotus 1-2-3 did). calamine reads it as 1900-02-28,
#: the same day as serial 59; the schema refuses this text as ``bad_date``, saying why.
PHANTOM_1900_02_29 = "1900-02-29"
PHANTOM_READ_AS = dt.date(1900, 2, 28)


def serial60_cells(zf: zipfile.ZipFile, part: str | None) -> set[tuple[int, int]]:
    """(row 1-based, col 0-based) of each cell whose stored value is the number 60."""
    if not part:
        return set()
    try:
        xml = zf.read(part).decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError):
        return set()
    out = set()
    for m in _CELL_RE.finditer(xml):
        attrs, body = m.group(1), m.group(2)
        v = _V_RE.search(body)
        ref = _REF_RE.search(attrs)
        if v and ref and v.group(1) == "60" and "t=" not in attrs.replace(' t="n"', ""):
            out.add((int(ref.group(2)), _col_index(ref.group(1))))
    return out
