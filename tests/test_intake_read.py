"""Reading intake sheets: messy layouts and values are read; unreadable files are refused clearly."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import zipfile

import pytest
from intake_helpers import HEADERS, write_book

from toolkit import IntakeError, read_intake
from toolkit.cli import main
from toolkit.intake import FormulaCell, check_workbook, match_header

ROW = ["A1", "张三", "外籍人员", "FCCA", "是", "硕士", "企业"]


# --- headers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("申请编号", "application_id"),
        ("申请编号*", "application_id"),
        ("申请编号 *\nApplication ID", "application_id"),
        ("Application ID", "application_id"),
        ("APPLICATION_ID", "application_id"),
        ("application id *", "application_id"),
        ("Ｆｕｌｌ　Ｎａｍｅ", "full_name"),
        ("出生日期\n(DOB)", "date_of_birth"),
        ("境外职业资格证书 *", "qualifications"),
        ("上海户籍", "shanghai_hukou"),
        ("Publicity end", "publicity_end"),
        ("备注", None),
    ],
)
def test_header_matching(header, key):
    assert match_header(header) == key


def test_header_below_title_rows_on_second_sheet_with_extra_columns(tmp_path):
    p = write_book(
        tmp_path / "in.xlsx",
        [
            ["Application ID*", "Name", "HOLDER_TYPE", "证书", "Verified", "学历", "单位性质", "备注"],
            [*ROW, "note"],
        ],
        title_rows=[["2025年申报汇总表"], ["填报单位：示例"], []],
        cover=True,
        sheet="数据",
    )
    s = read_intake(p)
    assert (s.sheet_name, s.header_row, s.rows_in) == ("数据", 4, 1)
    assert s.extras == ["备注"]
    assert s.frame.index.tolist() == [5]
    assert s.frame.at[5, "备注"] == "note"
    assert s.frame.at[5, "qualifications"] == "FCCA"


def test_blank_rows_are_dropped_and_row_numbers_kept(tmp_path):
    p = write_book(tmp_path / "in.xlsx", [HEADERS, ROW, [None] * 7, ["  "] * 7, ["A2", *ROW[1:]]])
    s = read_intake(p)
    assert s.frame.index.tolist() == [2, 5]


def test_formula_without_stored_value_is_a_cell_value_not_a_crash(tmp_path):
    p = write_book(
        tmp_path / "in.xlsx", [HEADERS, ["A1", "张三", "外籍人员", '=D1&"x"', "是", "硕士", "企业"]]
    )
    s = read_intake(p)
    v = s.frame.at[2, "qualifications"]
    assert isinstance(v, FormulaCell) and str(v) == '=D1&"x"'
    assert s.formula_cells == {(2, "qualifications"): 'D1&"x"'}


def test_formula_looking_text_is_text(tmp_path):
    name = '=HYPERLINK("http://example.com","Test Person")'
    p = write_book(tmp_path / "in.xlsx", [HEADERS, ["A1", name, *ROW[2:]]], text_cells=((2, 2),))
    assert read_intake(p).frame.at[2, "full_name"] == name


def test_merged_cells_below_header_fill_their_block(tmp_path):
    from openpyxl import load_workbook

    p = write_book(
        tmp_path / "in.xlsx", [HEADERS, ROW, ["A2", "李四", "外籍人员", "FCCA", "是", "硕士", None]]
    )
    wb = load_workbook(p)
    wb.active.merge_cells("G2:G3")
    wb.save(p)
    s = read_intake(p)
    assert s.frame["employer_type"].tolist() == ["企业", "企业"]


def test_values_kept_raw_dates_numbers(tmp_path):
    p = write_book(
        tmp_path / "in.xlsx", [[*HEADERS, "出生日期"], [*ROW, dt.date(1980, 1, 2)], ["A2", *ROW[1:], 45000]]
    )
    s = read_intake(p)
    assert s.frame["date_of_birth"].tolist() == [dt.date(1980, 1, 2), 45000.0]


# --- refusals ---------------------------------------------------------------------------------


def _xlsx_bytes(tmp_path) -> bytes:
    return write_book(tmp_path / "ok.xlsx", [HEADERS, ROW]).read_bytes()


def _ole(stream_name: str) -> bytes:
    """A minimal OLE/CFB file naming ``stream_name`` in its directory (enough for the sniffer)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    entry = stream_name.encode("utf-16-le").ljust(64, b"\x00")
    return header + entry + b"\x00" * 448


REFUSALS = {
    "not_a_workbook": (lambda tmp: "申请编号,姓名\nA1,张三\n".encode(), "不是 Excel 工作簿"),
    "empty": (lambda tmp: b"", "文件为空"),
    "truncated": (lambda tmp: _xlsx_bytes(tmp)[:1500], "损坏或不完整"),
    "encrypted": (lambda tmp: _ole("EncryptedPackage") + _ole("EncryptionInfo"), "密码保护"),
    "legacy_xls": (lambda tmp: _ole("Workbook"), "97-2003 (.xls)"),
    "zip_not_xlsx": (lambda tmp: _zip({"word/document.xml": "<w/>"}), "不是 Excel 工作簿"),
}


def _zip(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for k, v in files.items():
            z.writestr(k, v)
    return buf.getvalue()


@pytest.mark.parametrize("kind", sorted(REFUSALS))
def test_unreadable_files_raise_one_clear_intake_error(tmp_path, kind, capsys):
    make, words = REFUSALS[kind]
    p = tmp_path / ("in.xls" if kind == "legacy_xls" else "in.xlsx")
    p.write_bytes(make(tmp_path))
    with pytest.raises(IntakeError) as ei:
        read_intake(p)
    msg = str(ei.value)
    assert str(p) in msg and words in msg and "expected" in msg
    # the file-level check alone (what `oqtk batch` runs before a kernel) says the same
    with pytest.raises(IntakeError) as quick:
        check_workbook(p)
    assert str(quick.value) == msg
    # through the CLI: exit code 2, the message, no traceback
    assert main(["review", str(p)]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


def test_corrupted_sheet_inside_a_valid_zip_is_refused(tmp_path, capsys):
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_xlsx_bytes(tmp_path))) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut the sheet XML in half
            dst.writestr(item, data)
    p = tmp_path / "in.xlsx"
    p.write_bytes(buf.getvalue())
    with pytest.raises(IntakeError) as ei:
        read_intake(p)
    assert str(p) in str(ei.value) and "damaged" in str(ei.value)
    assert main(["review", str(p)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_no_header_found(tmp_path):
    p = write_book(tmp_path / "in.xlsx", [["hello", "world"], [1, 2]])
    check_workbook(p)  # a sound workbook: only reading its cells finds no header
    with pytest.raises(IntakeError, match=r"未找到申报表表头.*no intake header row") as ei:
        read_intake(p)
    assert str(p) in str(ei.value)


def test_missing_required_columns_are_named_with_accepted_headers(tmp_path):
    p = write_book(tmp_path / "in.xlsx", [["申请编号", "人员类别", "平台核验"], ["A1", "外籍人员", "是"]])
    with pytest.raises(IntakeError) as ei:
        read_intake(p)
    msg = str(ei.value)
    assert "full_name" in msg and "qualifications" in msg and "application_id," not in msg
    assert "姓名" in msg and "Full name" in msg and "境外职业资格证书" in msg and "Certificates" in msg


def test_missing_file(tmp_path):
    with pytest.raises(IntakeError, match="file not found"):
        read_intake(tmp_path / "nope.xlsx")


def test_cli_refusal_in_a_fresh_process_shows_no_traceback(tmp_path):
    p = tmp_path / "bad.xlsx"
    p.write_bytes(b"PK\x03\x04 truncated")
    proc = subprocess.run(
        [sys.executable, "-m", "toolkit.cli", "review", str(p)], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "损坏或不完整" in proc.stderr


# --- prefetch (an `oqtk batch` kernel parses its sheet while it imports) -----------------------


def _prefetched(p) -> None:
    from toolkit.intake import reader

    reader.prefetch(p)
    reader._prefetched[reader._key(p)].exception(timeout=30)  # wait for the background parse


def test_a_prefetched_parse_is_used_once_and_gives_the_same_sheet(tmp_path, monkeypatch):
    from toolkit.intake import reader

    p = write_book(tmp_path / "in.xlsx", [HEADERS, ROW, ["A2", *ROW[1:]]], cover=True)
    plain = read_intake(p)
    _prefetched(tmp_path / "." / "in.xlsx")  # the same file, named another way
    parse_again = reader._worksheets
    monkeypatch.setattr(reader, "_worksheets", lambda wb: pytest.fail("parsed again"))
    s = read_intake(p)
    assert (s.sheet_name, s.header_row, s.sha256) == (plain.sheet_name, plain.header_row, plain.sha256)
    assert s.frame.equals(plain.frame)
    monkeypatch.setattr(reader, "_worksheets", parse_again)
    assert read_intake(p).frame.equals(plain.frame)  # used once: the next read parses itself
    assert not reader._prefetched


def test_a_prefetch_of_other_bytes_or_a_failed_one_is_ignored(tmp_path):
    from toolkit.intake import reader

    p = write_book(tmp_path / "in.xlsx", [HEADERS, ROW])
    _prefetched(p)
    write_book(p, [HEADERS, ["B9", *ROW[1:]]])  # the file changed after the parse
    assert read_intake(p).frame["application_id"].tolist() == ["B9"]

    missing = tmp_path / "later.xlsx"
    _prefetched(missing)  # fails in the background: nothing raised here
    with pytest.raises(IntakeError, match="文件不存在"):
        read_intake(missing)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    _prefetched(broken)
    write_book(broken, [HEADERS, ROW])  # mended before the read
    assert read_intake(broken).frame["application_id"].tolist() == ["A1"]
    assert not reader._prefetched
