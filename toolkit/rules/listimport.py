"""Import an annex table (xlsx, csv, Word or PDF) as a version of the List, with a diff against the
version before.

Word (``.docx``, python-docx) and PDF (``.pdf`` with a text layer, pdfplumber) annexes: every table
of the document is read, in order, as one table — a table continued across pages (its header row
repeated on each page, or not) is joined; merged cells take the text of the cell they are merged
with (a category written once for a block of rows, in a merged cell or in a heading row such as
"A类" / "一、A类证书" that spans the table); footnote marks (``*``, ``※``, ``①``, ``¹``, ``[1]``,
``（注1）``) are removed from cells, and footnote rows ("注：…") are skipped. A problem names the page
(PDF), the table and the row.

Columns (first row is the header; Chinese or English header, or the key; case, spaces and
full-/half-width forms are ignored):

=================  ===========================================  ==========================
key                accepted headers                             content
=================  ===========================================  ==========================
id                 编号, ID                                     optional stable id (ASCII)
name_zh            证书名称（中文）, 中文名称, Chinese name        required
name_en            证书名称（英文）, 英文名称, English name        required
abbreviations      简称, 缩写, Abbreviation(s)                   separated by ； ; 、 , or /
aliases            别名, Aliases                                 same separators
issuer             发证机构, 颁证机构, Issuer                      required
country            国家（地区）, 国家/地区, Country                  optional
field              领域, 行业领域, Field                          optional
categories         类别, 类别（A/B/C/D）, Categories              required, e.g. "A、B、C" or "ABC"
c_series           职称系列, Title series                        C only; series codes or names
c_level            对应职称级别, 对应级别, Title level             C only: 初级/中级/副高级 or codes
=================  ===========================================  ==========================

Every bad row is reported (row, column, value, problem); nothing is written unless every row is
good. Ids are kept from the version before when a row names the same certificate.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..exceptions import ListImportError
from ..files import open_word_document
from ..paths import bureau_data_dir
from ..policy import install_data_file
from ..vocab import LEVELS, normalize_text, parse_code
from .listdata import ListVersion, list_versions

__all__ = ["ImportResult", "ListDiff", "diff_versions", "import_annex"]

HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("编号", "id", "证书编号id"),
    "name_zh": ("证书名称（中文）", "中文名称", "证书名称", "chinesename", "namezh"),
    "name_en": ("证书名称（英文）", "英文名称", "englishname", "nameen"),
    "abbreviations": ("简称", "缩写", "abbreviation", "abbreviations"),
    "aliases": ("别名", "aliases", "alias"),
    "issuer": ("发证机构", "颁证机构", "issuer", "issuingbody"),
    "country": ("国家（地区）", "国家/地区", "国家", "country", "country/region"),
    "field": ("领域", "行业领域", "field"),
    "categories": ("类别", "类别（a/b/c/d）", "categories", "category"),
    "c_series": ("职称系列", "titleseries", "series"),
    "c_level": ("对应职称级别", "对应级别", "titlelevel", "level"),
}
REQUIRED = ("name_zh", "name_en", "issuer", "categories")
_SPLIT = re.compile(r"[；;、,，/\n]+")


@dataclass(frozen=True)
class ListDiff:
    """What changed from one version to another (by entry id)."""

    old: str | None
    new: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]  # id, old cats, new cats

    def lines(self) -> list[str]:
        if self.old is None:
            return [f"新增 / added: {len(self.added)}（无前一版本 / no version before）"]
        out = [f"对比 / against version {self.old} → {self.new}"]
        out += [f"  + {i}" for i in self.added]
        out += [f"  - {i}" for i in self.removed]
        out += [f"  ~ {i}: {''.join(a)} → {''.join(b)}" for i, a, b in self.changed]
        out.append(
            f"新增 added {len(self.added)} · 移除 removed {len(self.removed)} · 类别变化 changed {len(self.changed)}"
        )
        return out


def diff_versions(old: ListVersion | None, new_entries: dict[str, tuple[str, ...]], new: str) -> ListDiff:
    before = {e.id: e.categories for e in old.entries} if old else {}
    added = tuple(sorted(set(new_entries) - set(before)))
    removed = tuple(sorted(set(before) - set(new_entries)))
    changed = tuple(
        (i, before[i], new_entries[i])
        for i in sorted(set(before) & set(new_entries))
        if before[i] != new_entries[i]
    )
    return ListDiff(old.version if old else None, new, added, removed, changed)


@dataclass
class ImportResult:
    version: str
    path: Path
    rows: int
    entries: list[dict[str, Any]]
    diff: ListDiff
    written: bool
    problems: list[str] = field(default_factory=list)


Row = tuple[str, list[Any]]  # (where: "第3行 row 3" or "第2页表1第3行 page 2, table 1, row 3", cells)

_FOOTNOTE_MARK = re.compile(r"(?:[*＊※†‡§]+|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|[①-⑳]+|\[\d{1,2}\]|[（(]注\d{0,2}[)）])$")
_FOOTNOTE_ROW = re.compile(r"^(?:注|备注|说明|[*＊※①-⑳]|\[\d{1,2}\])")
_SECTION_ROW = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]\s*)?(?:类别[:：]\s*)?([A-Da-d](?:\s*[、,，/]?\s*[A-Da-d])*)\s*类"
)


def _read_table(path: Path) -> list[Row]:
    """The table's rows, header first, each with where it is in the file."""
    import pandas as pd

    suffix = path.suffix.lower()
    if suffix in (".docx", ".pdf"):
        if not path.is_file():
            raise ListImportError(f"{path}: 文件不存在 / file not found")
        return _document_rows(path, _docx_tables(path) if suffix == ".docx" else _pdf_tables(path))
    try:
        if suffix == ".csv":
            df = pd.read_csv(path, header=None, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        elif suffix in (".xlsx", ".xlsm"):
            df = pd.read_excel(path, header=None, dtype=str, engine="calamine").fillna("")
        else:
            raise ListImportError(
                f"{path}: 只接受 .xlsx、.csv、.docx 或 .pdf（.doc 请先另存为 .docx）/ "
                "only .xlsx, .csv, .docx or .pdf annexes can be imported (save a .doc as .docx first)"
            )
    except ListImportError:
        raise
    except FileNotFoundError as exc:
        raise ListImportError(f"{path}: 文件不存在 / file not found") from exc
    except Exception as exc:
        raise ListImportError(
            f"{path}: 无法读取表格 / cannot read the table ({type(exc).__name__}: {exc})"
        ) from exc
    return [(f"第{r}行 row {r}", row) for r, row in enumerate(df.values.tolist(), start=1)]


# A table of a document: (page or None, table number, rows of cells; None = merged into the cell above)
_DocTable = tuple[int | None, int, list[list[str | None]]]


def _docx_tables(path: Path) -> list[_DocTable]:
    document = open_word_document(path, ListImportError)
    out: list[_DocTable] = []
    for t, table in enumerate(document.tables, start=1):
        rows: list[list[str | None]] = []
        for row in table.rows:
            # python-docx repeats a merged cell for each grid column and row it covers
            cells: list[str | None] = [c.text for c in row.cells]
            rows.append(cells)
        out.append((None, t, rows))
    return out


def _pdf_tables(path: Path) -> list[_DocTable]:
    import pdfplumber

    out: list[_DocTable] = []
    try:
        with pdfplumber.open(str(path)) as pdf:
            n = 0
            text = False
            for page in pdf.pages:
                text = text or bool((page.extract_text() or "").strip())
                for table in page.extract_tables():
                    n += 1
                    out.append((page.page_number, n, [list(r) for r in table]))
    except Exception as exc:
        raise ListImportError(
            f"{path}: 不是可读取的 PDF / not a readable PDF ({type(exc).__name__})"
        ) from exc
    if not text:
        raise ListImportError(
            f"{path}: PDF 没有文字层（扫描件），无法读取表格：请索取 Word 或 Excel 版附件 / "
            "the PDF has no text layer (a scan), so its tables cannot be read: ask for the Word or Excel annex"
        )
    return out


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def _clean(cell: str | None) -> str:
    """A cell's text on one line (a line break inside Chinese text is no space), footnote marks off."""
    s = ""
    for line in str(cell or "").splitlines():
        line = " ".join(line.split())
        if s and line and not (_wide(s[-1]) or _wide(line[0])):
            s += " "
        s += line
    while True:
        t = _FOOTNOTE_MARK.sub("", s).strip()
        if t == s:
            return t
        s = t


def _where(page: int | None, table: int, row: int) -> str:
    if page is None:
        return f"表{table}第{row}行 table {table}, row {row}"
    return f"第{page}页表{table}第{row}行 page {page}, table {table}, row {row}"


def _document_rows(path: Path, tables: list[_DocTable]) -> list[Row]:
    """All tables as one: header once, repeated headers and footnote rows dropped, merged cells
    filled from the cell above, a category heading row applied to the rows below it."""
    if not tables or not any(rows for _p, _t, rows in tables):
        raise ListImportError(f"{path}: 文档中没有表格 / the document has no table")
    header: list[str] | None = None
    out: list[Row] = []
    section = ""
    above: list[str] = []
    for page, t, rows in tables:
        for r, raw in enumerate(rows, start=1):
            cells = [_clean(c) for c in raw]
            where = _where(page, t, r)
            filled = [c for c in cells if c]
            if not filled:
                continue
            if header is None:
                header = cells
                out.append((where, cells))
                continue
            if [normalize_text(c) for c in cells] == [normalize_text(h) for h in header]:
                continue  # the header repeated on the next page
            distinct = set(filled)
            m = _SECTION_ROW.match(filled[0]) if len(distinct) == 1 else None
            if m:
                section = "".join(ch for ch in m.group(1).upper() if ch.isalpha())
                continue
            if len(distinct) == 1 and _FOOTNOTE_ROW.match(filled[0]):
                continue  # a footnote spanning the table
            if len(cells) != len(header):
                raise ListImportError(
                    f"{path}: {where}: 有 {len(cells)} 列，表头为 {len(header)} 列，无法对应 / "
                    f"has {len(cells)} columns but the header has {len(header)}: the table cannot be read "
                    "(check for cells split or merged across columns)"
                )
            # pdfplumber gives None for a cell merged with the one above: take that cell's text
            cells = [(above[i] if raw[i] is None and i < len(above) else c) for i, c in enumerate(cells)]
            above = cells
            out.append((where, [*cells, section]))
    assert header is not None
    out[0] = (out[0][0], [*header, "__section__"])
    return out


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "_", unicodedata.normalize("NFKC", text).lower()).strip("_")
    return s or "entry"


def _columns(path: Path, header: list[Any]) -> tuple[dict[str, int], int | None]:
    """Each known column's index by its header (Chinese, English or the key), and the column of
    category headings ("A类") when the document has them; a missing required column is refused."""
    lookup = {normalize_text(h): key for key, hs in HEADERS.items() for h in (*hs, key)}
    cols: dict[str, int] = {}
    for i, h in enumerate(header):
        key = lookup.get(normalize_text(_clean(h)))
        if key and key not in cols:
            cols[key] = i
    section_col = header.index("__section__") if "__section__" in header else None
    if "categories" not in cols and section_col is not None:
        cols["categories"] = section_col  # categories written as heading rows ("A类") only
    missing = [k for k in REQUIRED if k not in cols]
    if missing:
        accepted = "; ".join(f"{k}: {' / '.join(HEADERS[k])}" for k in missing)
        raise ListImportError(f"{path}: 缺少必填列 / missing required columns — {accepted}")
    return cols, section_col


@dataclass
class _RowReader:
    """Turns the annex's data rows into entries of one version, collecting every problem (row,
    column, value, what is wrong) instead of stopping at the first."""

    path: Path
    target: ListVersion
    cols: dict[str, int]
    section_col: int | None
    series_codes: dict[str, Any]
    known_ids: dict[str, str]  # normalised English or Chinese name → id on an earlier version
    problems: list[str] = field(default_factory=list)
    seen_ids: set[str] = field(default_factory=set)

    def cell(self, row: list[Any], key: str) -> str:
        v = str(row[self.cols[key]]).strip() if key in self.cols and self.cols[key] < len(row) else ""
        if key == "categories" and not v and self.section_col is not None:
            v = str(row[self.section_col])  # the category heading above this row
        return v

    def bad(self, where: str, col: str, value: str, msg: str) -> None:
        self.problems.append(f"{where}, 列 column {col}, 值 value {value!r}: {msg}")

    def entry(self, where: str, row: list[Any]) -> dict[str, Any]:
        """One row as an entry of ``data/list/v<version>.yaml`` (its problems recorded)."""
        for key in REQUIRED:
            if not self.cell(row, key):
                self.bad(where, key, "", "必填 / required")
        cats = self._categories(where, self.cell(row, "categories"))
        level = self._level(where, self.cell(row, "c_level"), cats)
        series = self._series(where, self.cell(row, "c_series"))
        entry_id = self._entry_id(where, row)
        split = [x.strip() for x in _SPLIT.split(self.cell(row, "abbreviations")) if x.strip()]
        also = [x.strip() for x in _SPLIT.split(self.cell(row, "aliases")) if x.strip()]
        place_zh, _, place_en = where.partition(" ")
        return {
            "id": entry_id,
            "name_zh": self.cell(row, "name_zh"),
            "name_en": self.cell(row, "name_en"),
            "abbreviations": split,
            "aliases": also,
            "issuer": self.cell(row, "issuer"),
            "country": self.cell(row, "country") or None,
            "field": self.cell(row, "field") or None,
            "categories": cats,
            "c_series": series,
            "c_level": level,
            "inferred": [],
            "source": {
                "doc": self.target.source.doc_id,
                "clause_zh": f"附件：{self.target.title_zh}（{place_zh}，由 {self.path.name} 导入）",
                "clause_en": f"Annex: {self.target.title_en} ({place_en}, imported from {self.path.name})",
                "basis": "NF",
            },
        }

    def _categories(self, where: str, raw: str) -> list[str]:
        cats = sorted({ch for ch in normalize_text(raw).upper() if ch.isalpha()})
        if raw and (not cats or set(cats) - set(self.target.categories)):
            allowed = ", ".join(self.target.categories)
            self.bad(where, "categories", raw, f"类别只能为 / categories must be among {allowed}")
        return cats

    def _level(self, where: str, raw: str, cats: list[str]) -> str | None:
        level = parse_code(raw, LEVELS, "level") if raw else None
        if raw and level is None:
            self.bad(
                where,
                "c_level",
                raw,
                "级别应为 初级/中级/副高级 / level must be junior, intermediate or associate senior",
            )
        if "C" in cats and not raw:
            self.bad(
                where, "c_level", "", "C类条目须填写对应职称级别 / a Category C entry needs its title level"
            )
        if raw and "C" not in cats:
            self.bad(
                where, "c_level", raw, "仅C类条目有对应级别 / only Category C entries have a title level"
            )
        return level

    def _series(self, where: str, raw: str) -> list[str]:
        out = []
        for s in (x for x in _SPLIT.split(raw) if x.strip()):
            names = {
                c: (normalize_text(c), normalize_text(v.name_zh), normalize_text(v.name_en))
                for c, v in self.series_codes.items()
            }
            code = next((c for c, ns in names.items() if normalize_text(s) in ns), None)
            if code is None:
                known = ", ".join(self.series_codes)
                self.bad(where, "c_series", s, f"未知的职称系列 / unknown title series; known: {known}")
            else:
                out.append(code)
        return out

    def _entry_id(self, where: str, row: list[Any]) -> str:
        """The row's id, else the id the certificate had on an earlier version, else a slug of its
        name (made unique with _2, _3 …)."""
        given = self.cell(row, "id")
        entry_id = (
            given
            or self.known_ids.get(normalize_text(self.cell(row, "name_en")))
            or self.known_ids.get(normalize_text(self.cell(row, "name_zh")))
            or _slug(self.cell(row, "name_en") or self.cell(row, "name_zh"))
        )
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", entry_id):
            self.bad(
                where, "id", entry_id, "编号只能含字母、数字、_ - . / id must be ASCII letters, digits, _ - ."
            )
        if entry_id in self.seen_ids:
            if given:
                self.bad(where, "id", entry_id, "编号重复 / duplicate id")
            else:
                n = 2
                while f"{entry_id}_{n}" in self.seen_ids:
                    n += 1
                entry_id = f"{entry_id}_{n}"
        self.seen_ids.add(entry_id)
        return entry_id


def import_annex(
    path: str | Path, version: str, *, partial: bool = False, dry_run: bool = False
) -> ImportResult:
    """Check and (unless ``dry_run``) write ``data/list/v<version>.yaml`` from an annex table."""
    from .titledata import title_series

    path = Path(path)
    versions = list_versions()
    if version not in versions:
        raise ListImportError(
            f"未知的清单版本 {version}：请先在 data/list/versions.yaml 中登记该版本（发布、施行日期及来源）/ "
            f"Unknown List version {version!r}: add it to data/list/versions.yaml (dates and source) first"
        )
    order = list(versions)
    previous = versions[order[order.index(version) - 1]] if order.index(version) > 0 else None
    table = _read_table(path)
    if not table:
        raise ListImportError(f"{path}: 表格为空 / the table is empty")
    cols, section_col = _columns(path, table[0][1])
    known_ids: dict[str, str] = {}
    for v in versions.values():
        for e in v.entries:
            for k in (e.name_en, e.name_zh):
                known_ids.setdefault(normalize_text(k), e.id)
    reader = _RowReader(path, versions[version], cols, section_col, title_series(), known_ids)
    entries = [reader.entry(where, row) for where, row in table[1:] if any(str(c).strip() for c in row)]
    if reader.problems:
        n = len(reader.problems)
        raise ListImportError(
            f"{path}: {n} 处问题，未导入 / {n} problem(s); nothing was imported:\n  "
            + "\n  ".join(reader.problems)
        )
    if not entries:
        raise ListImportError(f"{path}: 没有数据行 / no data rows")
    diff = diff_versions(previous, {e["id"]: tuple(e["categories"]) for e in entries}, version)
    dest = bureau_data_dir() / "list" / f"v{version}.yaml"
    result = ImportResult(version, dest, len(entries), entries, diff, written=False)
    if not dry_run:
        _write_version(dest, _version_document(path, version, partial, entries))
        result.written = True
    return result


def _version_document(path: Path, version: str, partial: bool, entries: list[dict[str, Any]]) -> str:
    doc = {
        "version": version,
        "complete": not partial,
        "provenance_zh": f"由 {path.name} 导入的附件（{len(entries)}条）",
        "provenance_en": f"Annex imported from {path.name} ({len(entries)} entries)",
        "imported": {
            "file": path.name,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "rows": len(entries),
        },
        "entries": entries,
    }
    return (
        f"# List {version}: imported by `oqtk list import` — edit the annex and re-import rather than this file.\n"
        + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000)
    )


def _write_version(dest: Path, text: str) -> None:
    """Write the version file, then load it: if it does not load, put the old one back."""
    install_data_file(dest, text, list_versions, ListImportError, ("未导入", "nothing was imported"))
