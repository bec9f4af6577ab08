"""Fuzzing the intake path (issue 8, item 2): random workbooks through ``review_intake`` and ``write_results``.

Each example is a workbook written with openpyxl: the contract headers in a random order and
spelling (Chinese, English, key, alias, "中文\\nEnglish"), sometimes under title rows, sometimes on a
second sheet behind a sheet of notes; cells of every type (numbers, dates, booleans, blanks,
10 000-character text, text starting with ``=`` ``+`` ``-`` ``@``, tab or CR, real formulas with no
stored result, every script, control characters the way Excel stores them); merged blocks; blank
rows. The invariants, from the guide ("nothing is lost: every input row appears in the output
with a status; inputs are never modified"):

- reading never crashes: a sheet lacking a required column raises ``IntakeError``, nothing else
  raises anything;
- one output row per non-blank input row, by source row, with its application ID (duplicates
  included);
- the input file's bytes are unchanged;
- ``results.xlsx`` holds no formula, and text that looks like a formula comes back as that text;
- ``results.csv`` has one record per row and no field a spreadsheet would run as a formula.

Hostile shapes (issue 16), written byte by byte in ``tests/hostile.py`` where openpyxl would
not: far cells, a declared dimension that lies, zip bombs and a part longer than declared, a FIFO,
a folder and a device; several, hidden and very hidden sheets of applicants (also in the random
workbooks), a row above the header; formula headers and white space before a formula (also in
the random workbooks), control characters, tables longer than a worksheet.

The expected rows are worked out from the generated cells, not from the reader: a row is
non-blank when a cell of its own is (text other than white space), or when it lies in a merged
block below the header whose top-left cell is (the reader copies a block's value into the block).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.exceptions import IntakeError
from toolkit.intake import COLUMNS, REQUIRED, match_header, review_intake, write_results
from toolkit.intake.schema import display
from toolkit.textsafe import visible_controls

AS_OF = dt.date(2025, 12, 31)
LIST_VERSION = "1.0"
MAX_ROWS = 30
RISKY = ("=", "+", "-", "@", "\t", "\r")

# --- cell values ------------------------------------------------------------------------------

_SCRIPTS = (
    "张三",  # CJK
    "Łukasz Żółć",  # Latin with diacritics
    "مرحبا بالعالم",  # Arabic (RTL)
    "שלום עולם",  # Hebrew (RTL)
    "\u202eevil\u202c",  # right-to-left override
    "नमस्ते",  # Devanagari
    "สวัสดี",  # Thai
    "Ελληνικά Кириллица",  # Greek, Cyrillic
    "한국어 日本語 ｶﾀｶﾅ",  # Hangul, kana, half-width
    "e\u0301\u0301a\u0308",  # combining marks
    "👩\u200d👩\u200d👧 🇨🇳 🧑🏽\u200d💻",  # emoji, ZWJ sequences, flags
    "\ufeffBOM",  # byte-order mark
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𠜎",  # astral plane
    "a\u00adb\u200bc",  # soft hyphen, zero-width space
    "\x85\x7f\x9f",  # C1 controls (legal in XML)
    "line\nbreak",
    "Robert'); DROP TABLE runs;--",
    "<script>alert(1)</script>&amp;",
)
# Excel stores C0 control characters as _xHHHH_ escapes (XML 1.0 cannot hold them).
_CONTROL_ESCAPES = tuple(f"_x{n:04X}_" for n in (*range(1, 9), 11, 12, *range(14, 32)))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(s: str) -> str:
    return _ILLEGAL_XML.sub("", s)


unicode_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufffe\uffff"),
    max_size=40,
).map(_xml_safe)
plain_text = st.one_of(
    unicode_text,
    st.sampled_from(_SCRIPTS),
    st.tuples(st.sampled_from(_SCRIPTS), st.sampled_from(_CONTROL_ESCAPES), unicode_text).map("".join),
)
risky_text = st.tuples(
    st.sampled_from(RISKY),
    st.one_of(
        plain_text, st.sampled_from(("1+1", "cmd|' /C calc'!A0", 'HYPERLINK("http://x","y")', "SUM(A1:A9)"))
    ),
).map("".join)
# white space before the formula (" =1+1"): a spreadsheet may trim it and run the rest
spaced_risky_text = st.tuples(st.sampled_from((" ", "  ", "\u3000", "\xa0")), risky_text).map("".join)
huge_text = st.tuples(st.sampled_from("x张😀=-"), st.just(10_000)).map(lambda t: t[0] * t[1])
blank_text = st.sampled_from(("", " ", "\t", "  \n ", "\u3000"))  # \u3000: ideographic space


@dataclass(frozen=True)
class Formula:
    """A real formula cell (openpyxl stores no result for it)."""

    text: str


formulas = st.sampled_from(
    (
        "=1+1",
        '=HYPERLINK("http://example.com","click")',
        "=A1&B1",
        "=SUM(1,2,3)",
        '=CONCATENATE("=","1")',
        "=NOW()",
        "=1/0",
    )
).map(Formula)

any_value = st.one_of(
    st.none(),
    blank_text,
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2099, 12, 31)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2099, 12, 31)),
    st.booleans(),
    plain_text,
    risky_text,
    spaced_risky_text,
    huge_text,
    formulas,
)
id_value = st.one_of(
    st.sampled_from(("A-001", "A-002", "=1+1", "@SUM(1)", "-5", "+86 21", "申请-一")),  # repeats → duplicates
    plain_text,
    risky_text,
    st.integers(min_value=2, max_value=10**6),
    formulas,
    st.none(),
)


# --- workbook spec ----------------------------------------------------------------------------


@dataclass
class Spec:
    """A generated workbook: the intake sheet's grid (None = empty) and where things are."""

    notes_first: bool  # a sheet of notes before the intake sheet
    title_rows: list[list[Any]]
    headers: list[str | None]  # one per column; None = a column with no header
    keys: list[str | None]  # the contract key each column stands for (None: an extra or a gap)
    body: list[list[Any]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # body-relative r0, c0, r1, c1
    title_merge: bool = False
    # more sheets of applicants after it: (state, rows) — visible, hidden or very hidden
    copies: list[tuple[str, int]] = field(default_factory=list)

    @property
    def header_row(self) -> int:  # 1-based sheet row
        return len(self.title_rows) + 1

    @property
    def missing_required(self) -> bool:
        return not set(REQUIRED) <= set(self.keys)


def _header_spellings(col: Any) -> list[str]:
    return [col.zh, col.en, col.key, *col.aliases, f"{col.zh}\n{col.en}", f" *{col.zh} ", col.en.upper()]


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    optional = [c for c in COLUMNS if not c.required]
    chosen = [c for c in COLUMNS if c.required]
    if draw(st.integers(0, 9)) == 0:  # now and then a sheet missing a required column
        chosen.remove(draw(st.sampled_from(chosen)))
    chosen += draw(st.lists(st.sampled_from(optional), unique_by=lambda c: c.key, max_size=len(optional)))
    chosen = draw(st.permutations(chosen))
    headers: list[str | None] = [draw(st.sampled_from(_header_spellings(c))) for c in chosen]
    keys: list[str | None] = [c.key for c in chosen]
    for _ in range(draw(st.integers(0, 2))):  # extra columns and header gaps
        pos = draw(st.integers(0, len(headers)))
        extra = draw(  # an extra column's header may be formula-like too (=HYPERLINK(…), @SUM(…), " =1+1")
            st.one_of(
                st.none(),
                st.one_of(plain_text, risky_text, spaced_risky_text).filter(
                    lambda t: t.strip() and match_header(t) is None
                ),
            )
        )
        headers.insert(pos, extra)
        keys.insert(pos, None)
    width = len(headers)
    n_titles = draw(st.integers(0, 3))
    title_rows = [
        [draw(plain_text.filter(lambda t: match_header(t) is None))] + [None] * (width - 1)
        for _ in range(n_titles)
    ]
    id_col = keys.index("application_id") if "application_id" in keys else None
    body = []
    for _ in range(draw(st.integers(0, MAX_ROWS))):
        kind = draw(st.integers(0, 5))
        if kind == 0:  # a blank row (empty or white space only)
            body.append([draw(st.one_of(st.none(), blank_text)) for _ in range(width)])
            continue
        row = [draw(any_value) if draw(st.booleans()) else None for _ in range(width)]
        if id_col is not None:
            row[id_col] = draw(id_value)
        body.append(row)
    merges: list[tuple[int, int, int, int]] = []
    taken: set[tuple[int, int]] = set()
    filled = [i for i, row in enumerate(body) if not all(_blank(v) for v in row)]
    last = filled[-1] if filled else -1
    for _ in range(draw(st.integers(0, 3)) if last >= 0 else 0):
        r0 = draw(st.integers(0, last))
        c0 = draw(st.integers(0, width - 1))
        r1 = draw(st.integers(r0, min(r0 + 3, len(body) - 1)))
        c1 = draw(st.integers(c0, min(c0 + 2, width - 1)))
        block = {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        if (r0, c0) == (r1, c1) or block & taken:
            continue
        taken |= block
        merges.append((r0, c0, r1, c1))
    return Spec(
        notes_first=draw(st.booleans()),
        title_rows=title_rows,
        headers=headers,
        keys=keys,
        body=body,
        merges=merges,
        title_merge=bool(title_rows) and width > 1 and draw(st.booleans()),
        copies=[]
        if not set(REQUIRED) <= set(keys)
        else draw(
            st.lists(
                st.tuples(st.sampled_from(("visible", "hidden", "veryHidden")), st.integers(0, 3)), max_size=2
            )
        ),
    )


def _put(ws: Any, row: int, col: int, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, Formula):
        ws.cell(row=row, column=col, value=value.text)  # openpyxl: a formula, no cached result
        return
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text that looks like a formula, as typed with a leading apostrophe


def build(spec: Spec, path: Path) -> None:
    wb = openpyxl.Workbook()
    notes = wb.active
    if spec.notes_first:
        notes.title = "填表说明 Notes"
        notes["A1"] = "说明：请勿修改表头 / Do not change the headers"
        notes["A2"] = 42
        ws = wb.create_sheet("申请人 Applicants")
    else:
        ws = notes
        ws.title = "申请人"
    for i, row in enumerate(spec.title_rows, start=1):
        for j, v in enumerate(row, start=1):
            _put(ws, i, j, v)
    if spec.title_merge:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(spec.headers))
    h = spec.header_row
    for j, text in enumerate(spec.headers, start=1):
        if text is not None:
            ws.cell(row=h, column=j, value=text).data_type = "s"
    for i, row in enumerate(spec.body, start=h + 1):
        for j, v in enumerate(row, start=1):
            _put(ws, i, j, v)
    for r0, c0, r1, c1 in spec.merges:  # after the values: merging keeps the top-left only
        ws.merge_cells(start_row=h + 1 + r0, start_column=c0 + 1, end_row=h + 1 + r1, end_column=c1 + 1)
    for n, (state, rows) in enumerate(spec.copies, start=1):
        copy = wb.create_sheet(f"副本 {n}")
        copy.append(["申请编号", "姓名", "境外职业资格证书"])
        for i in range(rows):
            copy.append([f"C{n}-{i}", "某", "FCCA"])
        copy.sheet_state = state
    wb.save(path)


# --- the oracle -------------------------------------------------------------------------------

_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def as_read(v: Any) -> Any:
    """A generated value as a reader of the saved file sees it (XML line ends, Excel escapes)."""
    if isinstance(v, str):
        v = v.replace("\r\n", "\n").replace("\r", "\n")
        return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), v)
    return v


def same_text(read: Any) -> Any:
    """A value as read, with its line ends as XML normalises them: a writer may keep a carriage
    return (as ``&#13;`` or ``_x000D_``) or let it become a line feed; both are the same text."""
    return read.replace("\r\n", "\n").replace("\r", "\n") if isinstance(read, str) else read


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not as_read(v).strip())


def grid_after_merges(spec: Spec) -> list[list[Any]]:
    """The body with merged blocks as openpyxl saved them (top-left only), then filled as documented."""
    grid = [list(r) for r in spec.body]
    for r0, c0, r1, c1 in spec.merges:
        top = grid[r0][c0]
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                grid[r][c] = top if not _blank(top) and not isinstance(top, Formula) else None
        grid[r0][c0] = top
    return grid


def expected_rows(spec: Spec) -> dict[int, Any]:
    """Sheet row number → application ID cell, for every non-blank body row."""
    id_col = spec.keys.index("application_id")
    h = spec.header_row
    return {
        h + 1 + i: row[id_col]
        for i, row in enumerate(grid_after_merges(spec))
        if not all(_blank(v) for v in row)
    }


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- the property -----------------------------------------------------------------------------


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(spec=specs())
def test_random_workbooks_keep_every_row_and_never_run_a_formula(spec: Spec) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "申报表 intake.xlsx"
        build(spec, src)
        before = _sha256(src)
        try:
            review = review_intake(src, as_of=AS_OF, list_version=LIST_VERSION)
        except IntakeError as exc:
            assert spec.missing_required, f"a readable sheet was refused: {exc}"
            assert str(src) in str(exc)
            assert _sha256(src) == before
            return
        assert not spec.missing_required, "a sheet without a required column was accepted"
        expected = expected_rows(spec)

        # every non-blank row, once, in order, with its ID
        assert [r.source_row for r in review.rows] == list(expected)
        # every candidate row counts, those of the other sheets of applicants too, each named
        assert review.rows_in == len(review.rows) + sum(n for _state, n in spec.copies)
        assert len(review.rows) == len(expected)
        assert sorted(
            (p.sheet, int(p.value)) for p in review.problems if p.code == "sheet_not_reviewed"
        ) == sorted((f"副本 {n}", rows) for n, (_state, rows) in enumerate(spec.copies, start=1))
        assert all(r.status in {"eligible", "not_eligible", "incomplete", "invalid"} for r in review.rows)
        for r in review.rows:
            v = expected[r.source_row]
            if isinstance(v, str) and not _blank(v):
                assert same_text(r.application_id) == same_text(as_read(v)), r.source_row
        got_ids = Counter(
            same_text(r.application_id) for r in review.rows if isinstance(expected[r.source_row], str)
        )
        want_ids = Counter(
            None if _blank(v) else same_text(as_read(v)) for v in expected.values() if isinstance(v, str)
        )
        assert got_ids == want_ids  # duplicates included

        out = Path(tmp) / "out"
        files = write_results(review, out)
        assert _sha256(src) == before  # the input is never written to
        assert sorted(p.name for p in out.iterdir()) == ["results.csv", "results.xlsx"]  # no temp files left

        # results.xlsx: no formula anywhere; formula-looking text is that text
        wb = openpyxl.load_workbook(files["xlsx"])
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
        res = wb["结果 Results"]
        header = [c.value for c in res[1]]
        id_idx = header.index("申请编号")
        src_idx = header.index("原表行号")
        xl_rows = list(res.iter_rows(min_row=2, values_only=True))
        assert [row[src_idx] for row in xl_rows] == list(expected)
        for row in xl_rows:
            v = expected[row[src_idx]]
            if isinstance(v, str) and as_read(v).startswith("="):
                assert row[id_idx] == _ILLEGAL_XML.sub("", as_read(v))  # documented: XML-illegal dropped
            if isinstance(v, Formula):
                assert row[id_idx] == v.text  # the formula's text, not its result
        wb.close()

        # results.csv: one record per row; nothing a spreadsheet would run
        with open(files["csv"], encoding="utf-8-sig", newline="") as fh:  # line ends as written
            text = fh.read()
        records = list(csv.reader(io.StringIO(text, newline="")))
        assert records[0][:2] == ["source_row", "application_id"]
        assert [int(r[0]) for r in records[1:]] == list(expected)
        for rec in records:  # the header record too (extra columns carry the sheet's own headers)
            for value in rec:
                assert not value.lstrip().startswith(RISKY), value
                assert not _CONTROL.search(value), value  # made visible (␛, ␀ …), never raw
        read_ids = {r.source_row: r.application_id for r in review.rows}
        for rec in records[1:]:
            v = expected[int(rec[0])]
            if isinstance(v, str) and not _blank(v):
                # the CSV is the safe form of the value as read (its line ends as the reader kept
                # them; that value matches the generated one above)
                shown = visible_controls(display(read_ids[int(rec[0])]))
                risky = shown.startswith(RISKY) or shown.lstrip().startswith(RISKY)
                assert rec[1] == ("'" + shown if risky else shown)


def test_the_generator_covers_what_it_promises() -> None:
    """The oracle itself: merged blocks fill down, blank-looking rows are blank, escapes decode."""
    spec = Spec(
        notes_first=False,
        title_rows=[],
        headers=["申请编号", "姓名", "境外职业资格证书"],
        keys=["application_id", "full_name", "qualifications"],
        body=[["A-1", "甲", "FCCA"], [None, " ", "\t"], ["x", None, None], [None, None, None]],
        merges=[(2, 0, 3, 1)],
    )
    assert expected_rows(spec) == {2: "A-1", 4: "x", 5: "x"}
    assert as_read("a_x0007_b\r\nc") == "a\x07b\nc"


@pytest.mark.parametrize("drop", REQUIRED)
def test_a_sheet_without_a_required_column_is_refused_naming_it(tmp_path: Path, drop: str) -> None:
    cols = [c for c in COLUMNS if c.required and c.key != drop]
    spec = Spec(False, [], [c.zh for c in cols], [c.key for c in cols], [["A-1", "甲"]])
    src = tmp_path / "intake.xlsx"
    build(spec, src)
    before = _sha256(src)
    with pytest.raises(IntakeError, match=drop):
        review_intake(src, as_of=AS_OF, list_version=LIST_VERSION)
    assert _sha256(src) == before


# --- regressions: bugs the fuzzer found (fixed) ------------------------------------------------


def _sheet(tmp_path: Path, rows: list[list[Any]], extra_header: str | None = None) -> Path:
    headers = ["申请编号", "姓名", "境外职业资格证书"] + ([extra_header] if extra_header else [])
    keys: list[str | None] = ["application_id", "full_name", "qualifications"] + (
        [match_header(extra_header)] if extra_header else []
    )
    src = tmp_path / "intake.xlsx"
    build(Spec(False, [], list(headers), keys, rows), src)
    return src


def test_a_column_holding_false_and_0_is_reviewed(tmp_path: Path) -> None:
    src = _sheet(tmp_path, [["A-1", "甲", "FCCA", 0], ["A-2", "乙", "FCCA", False]], "上海户籍")
    assert len(review_intake(src, as_of=AS_OF, list_version=LIST_VERSION).rows) == 2


def test_a_number_beyond_the_double_range_is_a_cell_problem(tmp_path: Path) -> None:
    # openpyxl (like other scripts) writes the largest double rounded up: it reads back as inf
    src = _sheet(tmp_path, [["A-1", "甲", "FCCA", 1.7976931348623157e308]], "出生日期")
    assert len(review_intake(src, as_of=AS_OF, list_version=LIST_VERSION).rows) == 1


def test_a_last_row_of_formulas_is_kept(tmp_path: Path) -> None:
    rows = [["A-1", "甲", "FCCA"], [Formula('="A-"&2'), Formula('="乙"'), Formula('="FCCA"')]]
    review = review_intake(_sheet(tmp_path, rows), as_of=AS_OF, list_version=LIST_VERSION)
    assert [r.source_row for r in review.rows] == [2, 3]


def test_a_merged_block_at_the_end_fills_its_rows(tmp_path: Path) -> None:
    src = tmp_path / "intake.xlsx"
    spec = Spec(
        False,
        [],
        ["申请编号", "姓名", "境外职业资格证书", "用人单位"],
        ["application_id", "full_name", "qualifications", "employer"],
        [["A-1", "甲", "FCCA", "某公司"], [None, None, None, None]],
        merges=[(0, 3, 1, 3)],  # the employer merged over the row below
    )
    build(spec, src)
    inner = Spec(False, [], spec.headers, spec.keys, [*spec.body, ["A-9", "丙", "FCCA", None]], spec.merges)
    build(inner, tmp_path / "with_a_row_below.xlsx")
    with_below = review_intake(tmp_path / "with_a_row_below.xlsx", as_of=AS_OF, list_version=LIST_VERSION)
    assert [r.source_row for r in with_below.rows] == [2, 3, 4]  # the filled row counts higher up
    review = review_intake(src, as_of=AS_OF, list_version=LIST_VERSION)
    assert [r.source_row for r in review.rows] == [2, 3]  # … and at the end of the sheet too


# --- hostile shapes (issue 16): bounded reading ------------------------------------------------
# Written byte by byte (tests/hostile.py): shapes openpyxl would not write. Each is refused, before
# calamine parses it, with a message naming the limit and its setting — or read as it is.


def test_a_far_cell_is_refused_naming_the_cell_the_limit_and_the_setting(tmp_path: Path) -> None:
    # cells A1 … and XFD1048576: calamine would build a 17-billion-cell grid (512 GiB) and abort
    import hostile

    src = hostile.far_cell(tmp_path / "far.xlsx")
    assert src.stat().st_size < 4096
    before = _sha256(src)
    with pytest.raises(IntakeError) as exc:
        review_intake(src, as_of=AS_OF, list_version=LIST_VERSION)
    msg = str(exc.value)
    assert "XFD1048576" in msg and "OQTK_MAX_CELLS" in msg and "40,000,000" in msg
    assert "超过上限" in msg and "more than the limit" in msg and "申请人" in msg
    assert _sha256(src) == before


def test_a_far_cell_in_a_separate_process_is_a_message_not_an_abort(tmp_path: Path) -> None:
    import subprocess
    import sys

    import hostile

    src = hostile.far_cell(tmp_path / "far.xlsx", "ZZ900000")  # 900,000 × 702 = 632M cells
    proc = subprocess.run(
        [sys.executable, "-m", "toolkit.cli", "review", str(src), "--as-of", "2025-12-31"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "OQTK_MAX_CELLS" in proc.stderr and "ZZ900000" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_far_cell_within_the_limit_is_read_and_the_limit_is_a_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hostile

    src = hostile.far_cell(tmp_path / "far.xlsx", "C5000")  # 5,000 rows × 3 columns
    review = review_intake(src, as_of=AS_OF, list_version=LIST_VERSION)
    assert [r.source_row for r in review.rows] == [2, 3, 4, 5000]
    monkeypatch.setenv("OQTK_MAX_CELLS", "10000")
    with pytest.raises(IntakeError, match=r"C5000.*10,000.*OQTK_MAX_CELLS"):
        review_intake(src, as_of=AS_OF, list_version=LIST_VERSION)


def test_cells_and_rows_without_references_are_placed_as_calamine_places_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # calamine puts a cell without r="…" after the previous cell of its row, and a row without
    # one after the previous row: 300 such cells reach column 300, wherever the references stop
    import hostile

    wide = '<row r="900">' + "<c><v>1</v></c>" * 300 + "</row><row><c><v>2</v></c></row>"
    src = hostile.book(
        tmp_path / "wide.xlsx", [("申请人", "visible", hostile.sheet_xml(hostile.applicants(2), extra=wide))]
    )
    monkeypatch.setenv("OQTK_MAX_CELLS", "200000")  # 901 rows × 300 columns = 270,300 cells
    with pytest.raises(IntakeError, match=r"KN901.*200,000.*OQTK_MAX_CELLS"):
        review_intake(src, as_of=AS_OF, list_version=LIST_VERSION)
    monkeypatch.setenv("OQTK_MAX_CELLS", "300000")
    assert [r.application_id for r in review_intake(src, as_of=AS_OF, list_version=LIST_VERSION).rows][
        :2
    ] == [
        "A-1",
        "A-2",
    ]


def test_a_hostile_declared_dimension_is_not_trusted(tmp_path: Path) -> None:
    import hostile

    xml = hostile.sheet_xml(hostile.applicants(2), dimension="A1:XFD1048576")
    src = hostile.book(tmp_path / "dim.xlsx", [("申请人", "visible", xml)])
    review = review_intake(src, as_of=AS_OF, list_version=LIST_VERSION)
    assert [r.application_id for r in review.rows] == ["A-1", "A-2"]


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hostile

    src = hostile.zip_bomb(tmp_path / "bomb.xlsx", 8)
    assert src.stat().st_size < 100_000  # 8 MB of XML in a few KB
    monkeypatch.setenv("OQTK_MAX_UNZIPPED_MB", "4")
    with pytest.raises(IntakeError) as exc:
        review_intake(src, as_of=AS_OF, list_version=LIST_VERSION)
    msg = str(exc.value)
    assert "OQTK_MAX_UNZIPPED_MB" in msg and "4 MB" in msg and "压缩炸弹" in msg and "zip bomb" in msg
    monkeypatch.setenv("OQTK_MAX_UNZIPPED_MB", "64")  # within the limit, the same file is read
    assert len(review_intake(src, as_of=AS_OF, list_version=LIST_VERSION).rows) == 2


def test_a_zip_whose_sheet_is_longer_than_declared_is_refused(tmp_path: Path) -> None:
    # a lying header: zipfile stops at the declared size, so the XML read ends mid-element
    import zipfile

    import hostile

    src = hostile.book(
        tmp_path / "ok.xlsx", [("申请人", "visible", hostile.sheet_xml(hostile.applicants(50)))]
    )
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    true_size = info.file_size.to_bytes(4, "little")
    short = (info.file_size // 2).to_bytes(4, "little")
    assert data.count(true_size) == 2  # local header and central directory
    data = data.replace(true_size, short)
    liar = tmp_path / "liar.xlsx"
    liar.write_bytes(bytes(data))
    with pytest.raises(IntakeError, match=r"damaged"):
        review_intake(liar, as_of=AS_OF, list_version=LIST_VERSION)


def _sheet_of_size(n_bytes: int, *, rows: int = 4_000, extra: str = "") -> str:
    """A sheet of applicants whose XML is exactly ``n_bytes`` long (padded in one cell's text)."""
    import hostile

    data = hostile.applicants(rows)
    base = len(hostile.sheet_xml(data, extra=extra).encode())
    assert base <= n_bytes, (base, n_bytes)
    data[2][1] = str(data[2][1]) + "x" * (n_bytes - base)
    xml = hostile.sheet_xml(data, extra=extra)
    assert len(xml.encode()) == n_bytes
    return xml


def test_where_the_scans_blocks_end_never_changes_what_it_finds(tmp_path: Path) -> None:
    # The scan reads a sheet's XML in 1 MiB blocks. A block that ends just after "<c " (its
    # r="…" in the next block) once sent a 100,000-row sheet down the slow, exact pass (3 s);
    # and a sheet whose last block was shorter than "</worksheet>" was refused as damaged.
    import zipfile

    import hostile

    from toolkit.intake import limits

    block = 1 << 20
    text = _sheet_of_size(block + 200).encode()
    cut = text.rfind(b"<c ", 0, block) + 3  # where a block ending just after "<c " would end
    for shift in range(-8, 9):  # that block end, and the ends just before and after it
        xml = _sheet_of_size(len(text) + (block - cut) + shift)
        src = hostile.book(tmp_path / f"s{shift}.xlsx", [("申请人", "visible", xml)])
        with zipfile.ZipFile(src) as zf:
            (found,) = limits.scan_workbook(src, zf).sheets.values()
        assert not found.placed, shift  # every cell has its reference
        assert found.rows >= 4_001 and not found.special
    # a cell without a reference cut by a block's end is still seen
    tail = '<row r="40000"><c><v>1</v></c></row>'
    after = len(b"<c><v>1</v></c></row></sheetData></worksheet>")
    for at in range(block - 3, block + 1):  # "<c>" ends the block, or is cut after "<" or "<c"
        xml = _sheet_of_size(at + after, extra=tail)
        assert xml.encode().index(b"<c><v>1") == at
        src = hostile.book(tmp_path / f"unref{at}.xlsx", [("申请人", "visible", xml)])
        with zipfile.ZipFile(src) as zf:
            (found,) = limits.scan_workbook(src, zf).sheets.values()
        assert found.placed and found.rows == 40_000, at
    # a sheet ending a few bytes into a block is read, not refused as damaged
    for over in (1, 5, 13, 64):
        xml = _sheet_of_size(block + over)
        src = hostile.book(tmp_path / f"end{over}.xlsx", [("申请人", "visible", xml)])
        assert len(review_intake(src, as_of=AS_OF, list_version=LIST_VERSION).rows) == 4_000


@pytest.mark.parametrize("kind", ["fifo", "folder", "device"])
def test_a_fifo_a_folder_or_a_device_gets_a_message_and_is_never_opened(tmp_path: Path, kind: str) -> None:
    import os

    if kind == "fifo":
        src = tmp_path / "pipe.xlsx"
        os.mkfifo(src)  # opening it would block until a writer comes
        expect = "FIFO"
    elif kind == "folder":
        src = tmp_path / "folder.xlsx"
        src.mkdir()
        expect = "a folder"
    else:
        src = Path("/dev/null")
        expect = "a device"
    with pytest.raises(IntakeError) as exc:
        review_intake(src, as_of=AS_OF, list_version=LIST_VERSION)
    assert (
        expect in str(exc.value)
        and "not a regular file" in str(exc.value)
        and "不是普通文件" in str(exc.value)
    )


# --- hostile shapes (issue 16): safe output ----------------------------------------------------


def _hostile_output_sheet(tmp_path: Path) -> Path:
    import hostile

    header = [*hostile.HEADER, '=HYPERLINK("http://evil.example/","点我")', "@SUM(1+1)", " =1+1"]
    rows = {
        1: header,
        2: ["A_x001B_-1", "甲_x001B_[2J_x0000_乙", "FCCA", "x", "y", "z"],  # ESC (a terminal command), NUL
        3: ["A-2", "丙", "FCCA", "=1+1", None, " -2+3"],
    }
    return hostile.book(
        tmp_path / "申报\x1b.xlsx", [("申请人", "visible", hostile.sheet_xml(rows))]
    )  # ESC in the name


def test_formula_headers_and_control_characters_never_reach_an_output_raw(tmp_path: Path) -> None:
    src = _hostile_output_sheet(tmp_path)
    review = review_intake(src, as_of=AS_OF, list_version=LIST_VERSION)
    assert review.rows[0].full_name == "甲\x1b[2J\x00乙"  # read as it is …
    files = write_results(review, tmp_path / "out")
    text = files["csv"].read_text(encoding="utf-8-sig")
    records = list(csv.reader(io.StringIO(text, newline="")))
    header = records[0]
    assert header[-3:] == ['\'=HYPERLINK("http://evil.example/","点我")', "'@SUM(1+1)", "'=1+1"]
    assert "\x1b" not in text and "\x00" not in text  # … written visibly
    assert records[1][1:3] == ["A␛-1", "甲␛[2J␀乙"]
    assert records[2][-1] == "' -2+3"  # white space, then a formula character
    wb = openpyxl.load_workbook(files["xlsx"])
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
    heads = [c.value for c in wb["结果 Results"][1]]
    assert '=HYPERLINK("http://evil.example/","点我")' in heads and "@SUM(1+1)" in heads  # text, as typed
    wb.close()


def test_control_characters_are_visible_in_the_report_and_the_terminal(tmp_path: Path, capsys) -> None:
    from toolkit.batch import report
    from toolkit.cli import main

    src = _hostile_output_sheet(tmp_path)
    run = report.review_sheet(str(src), "2025-12-31", LIST_VERSION, "zh", "")
    page = "".join(html for _kind, html in report.report_parts(run))
    assert "\x1b" not in page and "\x00" not in page
    assert "A␛-1" in page and "申报␛.xlsx" in page
    assert main(["review", str(src), "--as-of", "2025-12-31", "--list-version", LIST_VERSION]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x00" not in out
    assert "申报␛.xlsx" in out


def test_a_results_or_problems_sheet_past_the_row_limit_continues_on_a_second_sheet(tmp_path: Path) -> None:
    import hostile

    from toolkit.intake.writer import EXCEL_MAX_ROWS

    assert EXCEL_MAX_ROWS == 1_048_576  # Excel's own
    src = hostile.book(
        tmp_path / "many.xlsx", [("申请人", "visible", hostile.sheet_xml(hostile.applicants(9)))]
    )
    review = review_intake(src, as_of=AS_OF, list_version=LIST_VERSION)
    assert len(review.rows) == 9 and len(review.problems) > 9
    files = write_results(review, tmp_path / "out", max_sheet_rows=5)  # 5 rows a sheet, header included
    wb = openpyxl.load_workbook(files["xlsx"])
    results = [n for n in wb.sheetnames if n.startswith("结果 Results")]
    assert results == ["结果 Results", "结果 Results 2", "结果 Results 3"]
    got = []
    for n, name in enumerate(results):
        rows = list(wb[name].iter_rows(values_only=True))
        assert len(rows) <= 5
        body = rows[1:]
        if n + 1 < len(results):  # a full sheet says where it goes on
            note = body.pop()[0]
            assert (
                f"续见工作表“{results[n + 1]}”" in note and results[n + 1] in note and "continued on" in note
            )
        got += [r[0] for r in body]
    assert got == [r.source_row for r in review.rows]  # every row, in order, once
    problems = [n for n in wb.sheetnames if n.startswith("待补正 Problems")]
    assert len(problems) > 1
    n_problems = sum(wb[n].max_row - 1 - (1 if i + 1 < len(problems) else 0) for i, n in enumerate(problems))
    assert n_problems == len(review.problems)
    summary = {r[0]: r[1] for r in wb["汇总 Summary"].iter_rows(values_only=True)}
    assert (
        "结果 Results 2" in summary["续表 / Continued on"]
        and "待补正 Problems 2" in summary["续表 / Continued on"]
    )
    wb.close()


@pytest.mark.slow
def test_a_problems_table_of_excels_size_really_continues_at_row_1048576(tmp_path: Path) -> None:
    """At Excel's real limit: 1,048,576 problems (a 1,048,576-row sheet with one each) need two
    sheets; the first ends at row 1,048,576 exactly, with the note."""
    import zipfile

    from toolkit.intake.columns import PROBLEM_COLUMNS
    from toolkit.intake.writer import EXCEL_MAX_ROWS, _continued
    from toolkit.intake.xlsxwrite import write_xlsx

    n = EXCEL_MAX_ROWS
    rows = [
        ("申请人", r, f"A{r}", "", "", "", "bad_date", "incomplete", "", "", "", "") for r in range(2, n + 2)
    ]
    sheets = _continued("待补正 Problems", list(PROBLEM_COLUMNS), rows, "zh")
    assert [s.name for s in sheets] == ["待补正 Problems", "待补正 Problems 2"]
    out = tmp_path / "p.xlsx"
    write_xlsx(out, sheets)
    with zipfile.ZipFile(out) as zf:
        first = zf.read("xl/worksheets/sheet1.xml")
        second = zf.read("xl/worksheets/sheet2.xml")
    last_rows = [int(m) for m in re.findall(rb'<row r="(\d+)"', first[-4000:])]
    assert last_rows[-1] == EXCEL_MAX_ROWS  # never past what Excel opens
    assert "续见工作表“待补正 Problems 2”".encode() in first[-4000:]
    assert second.count(b"<row ") == 1 + n - (EXCEL_MAX_ROWS - 2)  # the header and the rest


# --- hostile shapes (issue 16): nothing silent -------------------------------------------------


def _several_sheets(tmp_path: Path) -> Path:
    import hostile

    return hostile.book(
        tmp_path / "several.xlsx",
        [
            ("说明", "visible", hostile.sheet_xml({1: ["请勿修改表头"]})),
            ("申请人", "visible", hostile.sheet_xml(hostile.applicants(3))),
            ("补充", "visible", hostile.sheet_xml(hostile.applicants(2, first=3))),
            ("旧表", "hidden", hostile.sheet_xml(hostile.applicants(4))),
            ("隐", "veryHidden", hostile.sheet_xml(hostile.applicants(1))),
        ],
    )


def test_every_other_sheet_with_an_intake_header_is_reported_by_name_with_its_rows(
    tmp_path: Path, capsys
) -> None:
    from toolkit.batch import report
    from toolkit.cli import main

    src = _several_sheets(tmp_path)
    review = review_intake(src, as_of=AS_OF, list_version=LIST_VERSION)
    assert review.sheet_name == "申请人" and len(review.rows) == 3
    assert review.rows_in == 3 + 2 + 4 + 1  # every candidate row, reviewed or not
    reported = {p.sheet: p for p in review.problems if p.code == "sheet_not_reviewed"}
    assert set(reported) == {"补充", "旧表", "隐"}
    assert reported["补充"].value == "2" and reported["补充"].row == 3
    assert "旧表" in reported["旧表"].message_zh and "（隐藏）" in reported["旧表"].message_zh
    assert "4 row(s)" in reported["旧表"].message_en and "(hidden)" in reported["旧表"].message_en
    assert "(very hidden)" in reported["隐"].message_en
    # the results: the Problems sheet lists them, the Summary names them
    files = write_results(review, tmp_path / "out")
    wb = openpyxl.load_workbook(files["xlsx"])
    listed = [r for r in wb["待补正 Problems"].iter_rows(values_only=True) if "sheet_not_reviewed" in r]
    assert {r[0] for r in listed} == {"补充", "旧表", "隐"}
    summary = [
        r[1]
        for r in wb["汇总 Summary"].iter_rows(values_only=True)
        if r[0] == "未审核的工作表 / Sheet not reviewed"
    ]
    assert len(summary) == 3 and any("旧表" in s and "4" in s for s in summary)
    wb.close()
    # the report
    run = report.review_sheet(str(src), "2025-12-31", LIST_VERSION, "zh", "")
    page = "".join(html for _kind, html in report.report_parts(run))
    assert "未审核的工作表" in page and "旧表" in page and "隐" in page
    assert report.summary(run)["sheets_not_reviewed"][1] == {
        "sheet": "旧表",
        "state": "hidden",
        "header_row": 1,
        "rows": 4,
    }
    # the CLI
    assert main(["review", str(src), "--as-of", "2025-12-31", "--list-version", LIST_VERSION]) == 0
    out = capsys.readouterr().out
    assert out.count("未审核 / NOT REVIEWED") == 3 and "旧表" in out and "其下 4 行未审核" in out


def test_a_header_only_on_a_hidden_sheet_is_refused_naming_it(tmp_path: Path) -> None:
    import hostile

    src = hostile.book(
        tmp_path / "hidden.xlsx",
        [
            ("封面", "visible", hostile.sheet_xml({1: ["封面"]})),
            ("数据", "hidden", hostile.sheet_xml(hostile.applicants(2))),
        ],
    )
    with pytest.raises(IntakeError, match=r"“数据”.*取消隐藏.*Unhide"):
        review_intake(src, as_of=AS_OF, list_version=LIST_VERSION)


def test_an_applicant_row_above_the_header_is_reviewed_with_a_warning_a_title_is_not(tmp_path: Path) -> None:
    import hostile

    rows = {
        1: ["2025 年第一批申报汇总表"],  # a title
        2: ["A-0", "甲", "FCCA"],  # an applicant typed above the header
        3: ["备注", None, "见附件"],  # a note without an ID
        **hostile.applicants(2, first=4),
    }
    src = hostile.book(tmp_path / "above.xlsx", [("申请人", "visible", hostile.sheet_xml(rows))])
    review = review_intake(src, as_of=AS_OF, list_version=LIST_VERSION)
    assert review.header_row == 4
    assert [r.source_row for r in review.rows] == [2, 5, 6]
    assert review.rows_in == 3
    row2 = review.rows[0]
    assert row2.application_id == "A-0" and row2.status in {"incomplete", "invalid", "not_eligible"}
    (warning,) = [p for p in row2.problems if p.code == "row_above_header"]
    assert (
        "第2行在表头（第4行）之上" in warning.message_zh and "above the header row (4)" in warning.message_en
    )
    assert not any(p.code == "row_above_header" for r in review.rows[1:] for p in r.problems)
