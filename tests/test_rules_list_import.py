"""`oqtk list import` from Word and PDF annexes: merged cells, a table over pages with its header
repeated, a category written once for a block, footnote marks; every bad row named by page, table
and row; the diff against the version before; nothing written on any problem."""

from __future__ import annotations

import re

import docx
import pytest
from docx.enum.text import WD_BREAK
from support import data_copy

import toolkit
from toolkit import ListImportError
from toolkit.rules.listimport import import_annex

HEADER = ["证书名称（中文）", "证书名称（英文）", "简称", "发证机构", "类别", "职称系列", "对应职称级别"]
GOOD = [
    # name_zh, name_en, abbr, issuer, cats (merged over the block), series, level
    ("ACCA资深会员证书※", "ACCA Fellow", "FCCA", "ACCA", "A、B、C", "会计", "副高级"),
    ("示例证书甲①", "Example Certificate One", "EC1", "示例机构", "A、B、C", "经济", "中级"),
    ("示例证书乙", "Example Certificate Two", "EC2", "示例机构", "A、B、C", "经济", "中级"),
]
B_ONLY = [(f"示例证书{i}", f"Example Certificate B{i}", f"EB{i}", "示例机构", "", "", "") for i in range(40)]


def _docx(path, good=GOOD, *, bad_row=None):
    d = docx.Document()
    d.add_paragraph("附件：上海市境外职业资格证书认可清单（测试用合成附件 / synthetic test annex）")

    def table(rows, *, merge_categories):
        t = d.add_table(rows=1 + len(rows), cols=len(HEADER))
        for i, h in enumerate(HEADER):
            t.cell(0, i).text = h
        for r, values in enumerate(rows, start=1):
            for i, v in enumerate(values):
                if i == 4 and merge_categories and r > 1:
                    continue  # merged below: the text is written once
                t.cell(r, i).text = v
        if merge_categories and len(rows) > 1:
            t.cell(1, 4).merge(t.cell(len(rows), 4))  # one category cell for the block
        return t

    table(list(good) + ([bad_row] if bad_row else []), merge_categories=True)
    d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    # page 2: the table continues with its header repeated and a heading row "B类" spanning it
    t2 = d.add_table(rows=2 + 3, cols=len(HEADER))
    for i, h in enumerate(HEADER):
        t2.cell(0, i).text = h
    t2.cell(1, 0).merge(t2.cell(1, len(HEADER) - 1)).text = "二、B类证书"
    for r, values in enumerate(B_ONLY[:3], start=2):
        for i, v in enumerate(values):
            t2.cell(r, i).text = v
    d.add_paragraph("注：※ 持证人须为正式会员。")
    d.save(str(path))
    return path


def _pdf(path, tmp_path, rows, *, extra=()):
    from fpdf import FontFace
    from pdf_support import new_pdf

    text = (
        "".join(HEADER) + "".join("".join(r) for r in rows) + "二、B类证书注：※①合成测试附件" + "".join(extra)
    )
    pdf = new_pdf(tmp_path, text)
    pdf.multi_cell(0, 6, "合成测试附件", new_x="LMARGIN", new_y="NEXT")
    with pdf.table(repeat_headings=1, headings_style=FontFace(emphasis=""), line_height=8) as table:
        r = table.row()
        for h in HEADER:
            r.cell(h)
        first = True
        for values in rows[:3]:
            r = table.row()
            for i, v in enumerate(values):
                if i == 4:
                    if first:
                        r.cell(v, rowspan=3)  # the category written once for the block
                    continue
                r.cell(v)
            first = False
        r = table.row()
        r.cell("二、B类证书", colspan=len(HEADER))
        for values in rows[3:]:
            r = table.row()
            for v in values:
                r.cell(v)
    pdf.output(str(path))
    return path


def test_docx_annex_with_merged_cells_page_break_and_repeated_header(monkeypatch, tmp_path, capsys):
    with data_copy(monkeypatch, tmp_path) as root:
        annex = _docx(tmp_path / "annex.docx")
        from toolkit.cli import main

        assert main(["list", "import", str(annex), "--version", "3.0"]) == 0
        out = capsys.readouterr().out
        assert "对比 / against version 2.0 → 3.0" in out and "+ example_certificate_b0" in out
        v = toolkit.get_version("3.0")
        ids = {e.id for e in v.entries}
        assert {"acca_fellow", "example_certificate_one", "example_certificate_two"} <= ids
        assert len(v.entries) == 6  # the repeated header, the heading row and the footnote are no entries
        fellow = v.get("acca_fellow")
        assert fellow.name_zh == "ACCA资深会员证书"  # the footnote mark is removed
        assert v.get("example_certificate_two").categories == ("A", "B", "C")  # from the merged cell
        assert v.get("example_certificate_b1").categories == ("B",)  # from the heading row "二、B类证书"
        assert "表2第3行" in v.get("example_certificate_b0").source.clause_zh
        assert "imported" in v.origin("en") and "annex.docx" in v.origin("en")
        assert (tmp_path / "bureau" / "list" / "v3.0.yaml").is_file()
        assert "imported" not in (root / "list" / "v3.0.yaml").read_text(
            encoding="utf-8"
        )  # shipped: untouched


def test_docx_bad_rows_are_each_named_by_table_and_row(monkeypatch, tmp_path):
    with data_copy(monkeypatch, tmp_path):
        bad = ("证书丙", "Cert C", "", "示例机构", "A、B、C", "航天", "")
        annex = _docx(tmp_path / "annex.docx", bad_row=bad)
        with pytest.raises(ListImportError) as err:
            import_annex(annex, "3.0")
        msg = str(err.value)
        assert "表1第5行 table 1, row 5, 列 column c_series, 值 value '航天'" in msg
        assert "表1第5行 table 1, row 5, 列 column c_level" in msg
        assert "nothing was imported" in msg
        assert not (tmp_path / "bureau" / "list" / "v3.0.yaml").exists()


def test_pdf_annex_over_two_pages_with_repeated_header_and_merged_cells(monkeypatch, tmp_path, capsys):
    with data_copy(monkeypatch, tmp_path):
        rows = [list(r) for r in GOOD] + [list(r) for r in B_ONLY]
        annex = _pdf(tmp_path / "annex.pdf", tmp_path, rows)
        import pdfplumber

        with pdfplumber.open(str(annex)) as pdf:
            assert len(pdf.pages) >= 2  # the table really runs over a page break
            head = pdf.pages[1].extract_tables()[0][0][0]
            assert "".join(head.split()) == HEADER[0]  # with its header repeated
        res = import_annex(annex, "3.0")
        v = toolkit.get_version("3.0")
        assert res.rows == 3 + len(B_ONLY) == len(v.entries)
        assert v.get("example_certificate_two").categories == ("A", "B", "C")  # merged (rowspan) cell
        assert v.get("example_certificate_b39").categories == ("B",)  # heading row, on page 2
        assert v.get("acca_fellow").name_zh == "ACCA资深会员证书"
        assert re.search(r"第[23]页表[23]第\d+行", v.get("example_certificate_b39").source.clause_zh)
        assert res.diff.old == "2.0" and "example_certificate_b39" in res.diff.added


def test_pdf_bad_row_is_named_by_page_table_and_row(monkeypatch, tmp_path):
    with data_copy(monkeypatch, tmp_path):
        rows = [list(r) for r in GOOD] + [list(r) for r in B_ONLY]
        rows[-1] = ["", "Nameless", "", "示例机构", "", "", ""]
        annex = _pdf(tmp_path / "annex.pdf", tmp_path, rows)
        with pytest.raises(ListImportError) as err:
            import_annex(annex, "3.0")
        msg = str(err.value)
        assert re.search(r"第[23]页表[23]第\d+行 page [23], table [23], row \d+, 列 column name_zh", msg)
        assert "必填 / required" in msg and "1 problem(s)" in msg
        assert not (tmp_path / "bureau" / "list" / "v3.0.yaml").exists()


def test_unreadable_documents_are_refused_bilingually(monkeypatch, tmp_path):
    from fpdf import FPDF

    with data_copy(monkeypatch, tmp_path):
        (tmp_path / "x.docx").write_text("not a word file", encoding="utf-8")
        with pytest.raises(ListImportError, match="不是可读取的 Word 文档 / not a readable Word"):
            import_annex(tmp_path / "x.docx", "3.0")
        empty = docx.Document()
        empty.add_paragraph("没有表格")
        empty.save(str(tmp_path / "empty.docx"))
        with pytest.raises(ListImportError, match="文档中没有表格 / the document has no table"):
            import_annex(tmp_path / "empty.docx", "3.0")
        scan = FPDF()
        scan.add_page()
        scan.rect(10, 10, 80, 80, style="F")
        scan.output(str(tmp_path / "scan.pdf"))
        with pytest.raises(ListImportError, match="no text layer"):
            import_annex(tmp_path / "scan.pdf", "3.0")
        with pytest.raises(ListImportError, match=r"\.doc 请先另存为 \.docx"):
            (tmp_path / "x.doc").write_bytes(b"\xd0\xcf\x11\xe0")
            import_annex(tmp_path / "x.doc", "3.0")
        # a continuation table whose columns do not match the header: named by table and row
        d = docx.Document()
        t = d.add_table(rows=2, cols=len(HEADER))
        for i, h in enumerate(HEADER):
            t.cell(0, i).text = h
        for i, v in enumerate(GOOD[1]):
            t.cell(1, i).text = v
        t2 = d.add_table(rows=1, cols=3)
        for i, v in enumerate(("示例证书丁", "Example Four", "示例机构")):
            t2.cell(0, i).text = v
        d.save(str(tmp_path / "split.docx"))
        with pytest.raises(ListImportError, match=r"表2第1行 table 2, row 1: 有 3 列，表头为 7 列"):
            import_annex(tmp_path / "split.docx", "3.0")
        assert not (tmp_path / "bureau" / "list").exists()
