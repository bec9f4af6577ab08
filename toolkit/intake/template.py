"""The blank intake template (``templates/intake_template.xlsx``), generated from the contract.

Sheet 申请人 Applicants: bilingual headers ("中文\\nEnglish", ``*`` on required columns), a
comment on each header explaining the field, a drop-down for every coded and yes/no column,
date formats on date columns, a frozen header row, and one example row that is plainly an example
(its application ID starts with 示例, which the review refuses as an applicant).
Sheet 填表说明 Instructions: the contract, column by column.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..files import atomic_paths
from ..paths import templates_dir
from ..rules import title_series
from ..vocab import DEGREES, EMPLOYER_TYPES, HOLDER_TYPES, LEVELS
from .contract import COLUMNS, Column

__all__ = ["TEMPLATE_ROWS", "default_template_path", "make_template"]

TEMPLATE_ROWS = 1000  # drop-downs and formats cover this many data rows
DATE_FORMAT = "yyyy-mm-dd"
EXAMPLE_ID = "示例-EXAMPLE-001"
_EXAMPLE = {
    "application_id": EXAMPLE_ID,
    "full_name": "示例 张三 (Example)",
    "holder_type": "外籍人员",
    "shanghai_hukou": "否",
    "date_of_birth": dt.date(1985, 6, 1),
    "qualifications": "FCCA",
    "certificate_numbers": "EXAMPLE-0001",
    "verified": "是",
    "degree": "硕士",
    "science_or_engineering_degree": "否",
    "title_series": "会计",
    "title_level": None,
    "relevant_since": dt.date(2015, 7, 1),
    "shanghai_since": dt.date(2021, 3, 1),
    "employer": "示例公司（请删除本行）",
    "employer_type": "企业",
    "recommended_by_authority": None,
    "previous_round": "否",
    "publicity_start": dt.date(2025, 12, 1),
}


def default_template_path() -> Path:
    return templates_dir() / "intake_template.xlsx"


def _options(c: Column) -> list[str]:
    if c.kind == "yes_no":
        return ["是", "否"]
    if c.vocab == "series":
        return [s.name_zh for s in title_series().values()]
    vocab = {"holder": HOLDER_TYPES, "degree": DEGREES, "level": LEVELS, "employer": EMPLOYER_TYPES}[
        c.vocab or ""
    ]
    return [zh for zh, _ in vocab.values()]


def header_text(c: Column) -> str:
    return f"{c.zh}{' *' if c.required else ''}\n{c.en}"


def _instructions(ws: object) -> None:
    ws.append(["境外职业资格证书认可申报表 填表说明 / Intake sheet instructions"])  # type: ignore[attr-defined]
    lines = [
        "1. 每位申请人一行；表头行不要修改。带 * 的列必填。/ One applicant per row; keep the header row. Columns marked * are required.",
        "2. 示例行（申请编号以“示例”开头）仅作示范，提交前请删除。/ The example row (ID starting 示例) is only an example: delete it.",
        "3. 列名可用中文、英文或字段代码，可放在标题行之下；多余的列会原样保留到结果中。/ Headers may be Chinese, English or the key, "
        "below title rows; extra columns are passed through to the results.",
        "4. 日期可填 Excel 日期，或 2025-03-04、2025/3/4、2025.3.4、2025年3月4日。/ Dates: an Excel date or 2025-03-04, 2025/3/4, 2025.3.4, 2025年3月4日.",
        "5. 是/否 列也接受 Y/N、yes/no、true/false、1/0。/ Yes/no columns also accept Y/N, yes/no, true/false, 1/0.",
        "6. 多个证书用“；”“;”“、”或换行分隔。/ Separate several certificates with ；, ;, 、 or line breaks.",
        "7. 不要使用公式；如使用，须在Excel中保存后再提交。/ Avoid formulas; if used, save the file in Excel before submitting.",
        "8. 检查命令 / Review: oqtk review 申报表.xlsx --list-version 1.0",
    ]
    for line in lines:
        ws.append([line])  # type: ignore[attr-defined]
    ws.append([])  # type: ignore[attr-defined]
    ws.append(
        [
            "列名 Header",
            "字段代码 Key",
            "必填 Required",
            "说明",
            "Description",
            "可接受的其他列名 / Other accepted headers",
        ]
    )  # type: ignore[attr-defined]
    for c in COLUMNS:
        ws.append(
            [c.zh, c.key, "是 Yes" if c.required else "", c.help_zh, c.help_en, "、".join((c.en, *c.aliases))]
        )  # type: ignore[attr-defined]
    for col, width in zip("ABCDEF", (20, 30, 12, 60, 60, 50), strict=True):
        ws.column_dimensions[col].width = width  # type: ignore[attr-defined]
    ws["A1"].font = Font(bold=True, size=14)  # type: ignore[index]
    hdr = len(lines) + 3
    for cell in ws[hdr]:  # type: ignore[index]
        cell.font = Font(bold=True)


def build_template() -> Workbook:
    """The template workbook (not saved)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "申请人 Applicants"
    bold = Font(bold=True)
    fill_req = PatternFill("solid", fgColor="FCE4D6")
    fill_opt = PatternFill("solid", fgColor="DDEBF7")
    for j, c in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=j, value=header_text(c))
        cell.font = bold
        cell.fill = fill_req if c.required else fill_opt
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.comment = Comment(
            f"{c.help_zh}\n{c.help_en}\n字段代码 key: {c.key}", "oq-toolkit", width=320, height=140
        )
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = 24 if c.kind in ("list", "text") else 16
        rng = f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"
        if c.kind in ("code", "yes_no"):
            dv = DataValidation(type="list", formula1='"' + ",".join(_options(c)) + '"', allow_blank=True)
            dv.error = "请从下拉列表中选择 / Choose from the list"
            dv.errorTitle = c.zh
            dv.prompt = c.help_zh
            dv.promptTitle = c.zh
            dv.showErrorMessage = True
            dv.showInputMessage = True
            dv.add(rng)
            ws.add_data_validation(dv)
        if c.kind == "date":
            for r in range(2, TEMPLATE_ROWS + 2):
                ws.cell(row=r, column=j).number_format = DATE_FORMAT
        if c.kind == "text" or c.kind == "list":
            for r in range(2, TEMPLATE_ROWS + 2):
                ws.cell(row=r, column=j).number_format = "@"
    ws.row_dimensions[1].height = 36
    ex_font = Font(italic=True, color="808080")
    for j, c in enumerate(COLUMNS, start=1):
        v = _EXAMPLE.get(c.key)
        cell = ws.cell(row=2, column=j, value=v)
        cell.font = ex_font
    ws.freeze_panes = "A2"
    _instructions(wb.create_sheet("填表说明 Instructions"))
    wb.properties.creator = "oq-toolkit"
    wb.properties.created = dt.datetime(2025, 1, 1)
    wb.properties.modified = dt.datetime(2025, 1, 1)
    return wb


def make_template(out: str | Path | None = None) -> Path:
    """Write the template (default ``templates/intake_template.xlsx``) atomically; return its path."""
    target = Path(out) if out else default_template_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    wb = build_template()
    with atomic_paths(target) as (tmp,):
        wb.save(tmp)
    return target
