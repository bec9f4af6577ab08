"""Make the synthetic example intake sheets in this folder (made-up applicants; real List 1.0 entries).

    .venv/bin/python data/examples/make_examples.py

- ``intake_clean.xlsx``: eight applicants on the template's layout, statuses mixed.
- ``intake_messy.xlsx``: every kind of mess the reader and the review handle — a cover sheet
  first, title rows and merged cells above the header, English/odd/full-width headers, dates as
  text in every accepted format and as serial numbers, full-width characters, blank rows, a
  vertically merged cell, duplicated IDs, a formula without a stored result, an applicant name
  that looks like a formula, a certificate that is not on the List, bad codes and an extra column.

Review them with ``--list-version 1.0 --as-of 2025-12-31``: List 1.0 is the only version with
entries known (7 publicly confirmed certificates); the 2.0/3.0 annexes are not public. Every
certificate named here is one of those 7, except the plainly fictitious
"未列入的示例证书 Unlisted Example Certificate" in the messy sheet.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from toolkit.intake.contract import COLUMNS  # noqa: E402
from toolkit.intake.template import header_text  # noqa: E402

D = dt.date
FIXED = dt.datetime(2025, 1, 1)

CLEAN = [
    # eligible: FCCA, accounting title, master's + 13 years
    {
        "application_id": "EX-2025-001",
        "full_name": "张三",
        "holder_type": "外籍人员",
        "shanghai_hukou": "否",
        "date_of_birth": D(1983, 4, 12),
        "qualifications": "FCCA",
        "certificate_numbers": "FCCA-TEST-0001",
        "verified": "是",
        "degree": "硕士",
        "science_or_engineering_degree": "否",
        "title_series": "会计",
        "relevant_since": D(2012, 9, 1),
        "shanghai_since": D(2019, 3, 1),
        "employer": "示例咨询有限公司",
        "employer_type": "企业",
        "previous_round": "否",
        "publicity_start": D(2025, 12, 1),
    },
    # eligible: ACM Fellow (Category B), no title asked
    {
        "application_id": "EX-2025-002",
        "full_name": "Test Person",
        "holder_type": "外籍人员",
        "shanghai_hukou": "否",
        "date_of_birth": D(1975, 1, 30),
        "qualifications": "ACM Fellow",
        "verified": "是",
        "degree": "博士",
        "shanghai_since": D(2022, 5, 1),
        "employer": "示例科技有限公司",
        "employer_type": "企业",
    },
    # eligible: IET Fellow, Hong Kong resident
    {
        "application_id": "EX-2025-003",
        "full_name": "李四",
        "holder_type": "港澳居民",
        "shanghai_hukou": "否",
        "date_of_birth": D(1980, 7, 7),
        "qualifications": "IET Fellow",
        "verified": "是",
        "degree": "硕士",
        "employer": "示例工程有限公司",
        "employer_type": "企业",
    },
    # incomplete: not yet verified on the platform
    {
        "application_id": "EX-2025-004",
        "full_name": "王五",
        "holder_type": "台湾居民",
        "shanghai_hukou": "否",
        "date_of_birth": D(1988, 2, 2),
        "qualifications": "CGMA持证人（资深会员）",
        "verified": "否",
        "degree": "学士",
        "title_series": "经济",
        "relevant_since": D(2010, 1, 1),
        "shanghai_since": D(2020, 1, 1),
        "employer": "示例贸易有限公司",
        "employer_type": "企业",
        "previous_round": "否",
    },
    # incomplete: public institution without the authority's recommendation
    {
        "application_id": "EX-2025-005",
        "full_name": "赵六",
        "holder_type": "内地（大陆）居民",
        "shanghai_hukou": "是",
        "date_of_birth": D(1982, 11, 20),
        "qualifications": "ACCA资深会员证书",
        "verified": "是",
        "degree": "硕士",
        "title_series": "会计",
        "relevant_years": 9,
        "shanghai_years": 4,
        "employer": "示例研究院",
        "employer_type": "事业单位",
        "recommended_by_authority": "否",
        "previous_round": "否",
    },
    # not eligible: ACCA membership is Category A only, no title follows
    {
        "application_id": "EX-2025-006",
        "full_name": "Test Person Two",
        "holder_type": "外籍人员",
        "shanghai_hukou": "否",
        "date_of_birth": D(1990, 5, 5),
        "qualifications": "ACCA",
        "verified": "是",
        "degree": "学士",
        "title_series": "会计",
        "relevant_years": 6,
        "shanghai_years": 2,
        "employer": "示例会计师事务所",
        "employer_type": "企业",
    },
    # not eligible: less than a year of relevant work in Shanghai
    {
        "application_id": "EX-2025-007",
        "full_name": "孙七",
        "holder_type": "外籍人员",
        "shanghai_hukou": "否",
        "date_of_birth": D(1986, 8, 8),
        "qualifications": "FCCA",
        "verified": "是",
        "degree": "硕士",
        "title_series": "会计",
        "relevant_since": D(2014, 1, 1),
        "shanghai_since": D(2025, 6, 1),
        "employer": "示例财务有限公司",
        "employer_type": "企业",
        "previous_round": "否",
    },
    # eligible: RAeS Fellow, mainland resident with Shanghai hukou
    {
        "application_id": "EX-2025-008",
        "full_name": "周八",
        "holder_type": "内地（大陆）居民",
        "shanghai_hukou": "是",
        "date_of_birth": D(1979, 3, 3),
        "qualifications": "FRAeS",
        "verified": "是",
        "degree": "博士",
        "employer": "示例航空有限公司",
        "employer_type": "企业",
    },
]


def _fixed(wb: Workbook) -> None:
    wb.properties.creator = "oq-toolkit examples"
    wb.properties.created = FIXED
    wb.properties.modified = FIXED


def make_clean(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "申请人 Applicants"
    ws.append([header_text(c) for c in COLUMNS])
    for rec in CLEAN:
        ws.append([rec.get(c.key) for c in COLUMNS])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    _fixed(wb)
    wb.save(path)
    return path


MESSY_HEADERS = [
    "Application ID*",
    "Name",
    "holder_type",
    "Ｓｈａｎｇｈａｉ　Ｈｕｋｏｕ",
    "出生日期\n(DOB)",
    "境外职业资格证书 *",
    "Verified",
    "学历",
    "理工科学位",
    "Title Series",
    "申报级别",
    "相关工作起始日期",
    "在沪工作年限",
    "单位性质",
    "主管部门推荐",
    "公示开始日期",
    "公示结束日期",
    "备注 Notes",
]
# one tuple per sheet row below the header (None = blank cell; a row of Nones = a blank row)
MESSY_ROWS = [
    (
        "M-001",
        "张三",
        "外籍人员",
        "否",
        "1983-04-12",
        "FCCA",
        "是",
        "硕士",
        "否",
        "会计",
        None,
        "2012/9/1",
        6,
        "企业",
        None,
        "2025.12.1",
        None,
        "ISO, slash and dot dates",
    ),
    (
        "M-002",
        "李四",
        "港澳居民",
        "N",
        "1980年7月7日",
        "ＩＥＴ　Ｆｅｌｌｏｗ",
        "Ｙ",
        "硕士",
        None,
        None,
        None,
        None,
        None,
        "企业",
        None,
        46000,
        None,
        "全角字符 / full-width; 年月日 date; serial number as a number",
    ),
    (None,) * 18,
    (
        "M-003",
        '=HYPERLINK("http://example.com","Test Person")',
        "外籍人员",
        "no",
        "45000",
        "ACM Fellow",
        "yes",
        "博士",
        None,
        None,
        None,
        None,
        None,
        "企业",
        None,
        None,
        None,
        "a name that looks like a formula; serial number as text",
    ),
    (
        "M-003",
        "王五",
        "台湾居民",
        "false",
        D(1988, 2, 2),
        "CGMA持证人（资深会员）、ACM Fellow",
        "0",
        "学士",
        None,
        "经济",
        None,
        D(2010, 1, 1),
        "FORMULA",
        "事业单位",
        None,
        None,
        None,
        "duplicated ID; formula without a stored result",
    ),
    (
        "M-005",
        "赵六",
        "中国公民",  # the old word for 内地（大陆）居民: read, with a note
        "是",
        "1982-11-20",
        "ACCA资深会员证书",
        "是",
        "硕士",
        None,
        "会计",
        "副高",
        "2014-01-01",
        3,
        None,
        "否",
        None,
        None,
        "单位性质 merged with the row above",
    ),
    (
        "M-006",
        "Test Person Two",
        "火星人",
        "maybe",
        "1990-13-45",
        "未列入的示例证书 Unlisted Example Certificate",
        "是",
        "中专",
        None,
        "园艺",
        "特级",
        "2016-06-01",
        "three",
        "政府机关",
        None,
        "2025-12-01",
        "2025-12-03",
        "bad codes, bad date, unknown certificate, publicity too short",
    ),
    (None,) * 18,
    (
        "M-007",
        "孙七",
        "外籍人员",
        "1",
        None,
        None,
        "1",
        "硕士",
        None,
        None,
        None,
        None,
        None,
        "企业",
        None,
        None,
        None,
        "no certificate: cannot be assessed",
    ),
    (
        "M-007",
        "周八",
        "外籍人员",
        "0",
        "1979/3/3",
        "FRAeS",
        "TRUE",
        "博士",
        None,
        None,
        None,
        None,
        None,
        "企业",
        None,
        None,
        None,
        "duplicated ID again",
    ),
]


def make_messy(path: Path) -> Path:
    wb = Workbook()
    cover = wb.active
    cover.title = "封面 Cover"
    cover.append(["境外职业资格证书持证人员申报（示例，虚构数据）"])
    cover.append(["Synthetic example: made-up applicants. The data are on the next sheet."])
    ws = wb.create_sheet("申报数据")
    ws.append(["2025年境外职业资格证书持证人员申报汇总表（示例）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(MESSY_HEADERS))
    ws.append(["填报单位：示例公司", None, None, "填报日期：2025年12月"])
    ws.append([])
    ws.append(MESSY_HEADERS)
    hdr = ws.max_row
    for values in MESSY_ROWS:
        ws.append(list(values))
    for row in ws.iter_rows(min_row=hdr + 1):
        for cell in row:
            v = cell.value
            if isinstance(v, str) and v.startswith("="):
                cell.data_type = "s"  # stored as text, exactly as typed: must come back as that text
            if v == "FORMULA":
                cell.value = '=DATEDIF(L9,TODAY(),"Y")'  # a real formula, saved without its result
            if isinstance(v, dt.date):
                cell.number_format = "yyyy/m/d"
    # 单位性质 of M-005 (row hdr+6) merged with M-003's cell above (row hdr+5)
    col = MESSY_HEADERS.index("单位性质") + 1
    ws.cell(row=hdr + 6, column=col).value = None
    ws.merge_cells(start_row=hdr + 5, start_column=col, end_row=hdr + 6, end_column=col)
    _fixed(wb)
    wb.save(path)
    return path


def main() -> None:
    print(make_clean(HERE / "intake_clean.xlsx"))
    print(make_messy(HERE / "intake_messy.xlsx"))


if __name__ == "__main__":
    main()
