"""The committed template is what the generator makes, and it carries the contract."""

from __future__ import annotations

from openpyxl import load_workbook

from toolkit.cli import main
from toolkit.intake import COLUMNS
from toolkit.intake.template import TEMPLATE_ROWS, default_template_path, make_template


def _describe(path):
    wb = load_workbook(path)
    out = {"sheets": wb.sheetnames}
    for ws in wb:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None or c.number_format != "General" or c.comment is not None:
                    cells[c.coordinate] = (
                        c.value,
                        c.number_format,
                        c.comment.text if c.comment else None,
                        c.data_type,
                    )
        out[ws.title] = {
            "cells": cells,
            "freeze": ws.freeze_panes,
            "validations": sorted(
                (str(dv.sqref), dv.type, dv.formula1, dv.allow_blank)
                for dv in ws.data_validations.dataValidation
            ),
            "merged": sorted(str(m) for m in ws.merged_cells.ranges),
            "widths": {k: d.width for k, d in ws.column_dimensions.items()},
        }
    return out


def test_committed_template_matches_the_generator(tmp_path):
    committed = default_template_path()
    assert committed.exists(), "run `oqtk template` (make template) and commit templates/intake_template.xlsx"
    fresh = make_template(tmp_path / "fresh.xlsx")
    assert _describe(committed) == _describe(fresh), (
        "templates/intake_template.xlsx is stale: run `make template`"
    )


def test_template_contents(tmp_path):
    assert main(["template", "--out", str(tmp_path / "t.xlsx")]) == 0
    wb = load_workbook(tmp_path / "t.xlsx")
    assert wb.sheetnames == ["申请人 Applicants", "填表说明 Instructions"]
    ws = wb["申请人 Applicants"]
    assert ws.freeze_panes == "A2"
    headers = [c.value for c in ws[1]]
    assert len(headers) == len(COLUMNS)
    for h, col in zip(headers, COLUMNS, strict=True):
        assert h.startswith(col.zh) and h.endswith(col.en) and ("*" in h) == col.required
        assert col.key in ws.cell(row=1, column=headers.index(h) + 1).comment.text
    dvs = {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv for dv in ws.data_validations.dataValidation}
    for j, col in enumerate(COLUMNS, start=1):
        letter = ws.cell(row=1, column=j).column_letter
        if col.kind in ("code", "yes_no"):
            assert letter in dvs, col.key
            assert str(dvs[letter].sqref) == f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"
        else:
            assert letter not in dvs
        if col.kind == "date":
            assert ws.cell(row=3, column=j).number_format == "yyyy-mm-dd"
    assert '"外籍人员,港澳居民,台湾居民,内地（大陆）居民"' in [dv.formula1 for dv in dvs.values()]
    assert ws["A2"].value.startswith("示例")  # plainly an example
    assert ws.max_row == TEMPLATE_ROWS + 1 and all(
        ws.cell(row=3, column=j).value is None for j in range(1, 23)
    )
    text = " ".join(str(c.value) for r in wb["填表说明 Instructions"].iter_rows() for c in r if c.value)
    for col in COLUMNS:
        assert col.zh in text and col.key in text
