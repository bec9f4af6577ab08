"""The result and problem columns are described once (toolkit.intake.columns): every output and
every page that shows them says the same words.

Nothing is changed for these tests: each output is produced as usual, read back, and compared
with the description — and the views with the workbook the officer downloads."""

from __future__ import annotations

import csv
import datetime as dt
import html
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from toolkit.intake import review_intake, write_results
from toolkit.intake.columns import (
    CODE_COLUMNS,
    OFFICER_COLUMNS,
    PROBLEM_COLUMNS,
    PROBLEM_FIELDS,
    RESULT_COLUMNS,
    RESULT_FIELDS,
    column,
    label,
)
from toolkit.intake.results_csv import read_results_csv
from toolkit.paths import examples_dir

AS_OF = dt.date(2025, 12, 31)
MESSY = examples_dir() / "intake_messy.xlsx"


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The messy example reviewed and written in both languages: (review, {lang: files})."""
    out = tmp_path_factory.mktemp("columns")
    rv = review_intake(MESSY, as_of=AS_OF, list_version="1.0")
    return rv, {lang: write_results(rv, out / lang, lang=lang) for lang in ("zh", "en")}


def _headers(path: Path, sheet: str) -> list[str]:
    wb = load_workbook(path, read_only=True)
    try:
        return [c for c in next(wb[sheet].iter_rows(max_row=1, values_only=True)) if c is not None]
    finally:
        wb.close()


def _th(page: str, css_class: str) -> list[str]:
    table = re.search(rf'<table[^>]*class="[^"]*{css_class}[^"]*".*?</table>', page, re.S)
    assert table is not None, css_class
    return [
        html.unescape(re.sub(r"<[^>]+>", "", h)).strip()
        for h in re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", table.group(0), re.S)
    ]


def test_every_column_is_described_once_with_both_labels_a_kind_and_an_audience() -> None:
    keys = [c.key for c in (*RESULT_FIELDS, *PROBLEM_FIELDS)]
    assert len(keys) == len(set(keys))
    for c in (*RESULT_FIELDS, *PROBLEM_FIELDS):
        assert c.zh and c.en and c.kind in {"number", "text", "date", "code", "codes", "words"}
        assert c.audience in {"officer", "code"}
        assert (
            c.shows is None or column(c.shows).shows is None
        )  # a one-language column stands for one with both
    for layout in (RESULT_COLUMNS, OFFICER_COLUMNS, CODE_COLUMNS, PROBLEM_COLUMNS):
        assert all(column(k) for k in layout)
    # the officer sheet holds no machine code column of its own: codes go to the codes sheet
    assert {k for k in OFFICER_COLUMNS if column(k).kind == "code" and column(k).audience == "code"} <= {
        "title_series",
        "title_requested",
        "title_highest",
        "publicity_check",
    }  # (these keys show their words there)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_results_workbook_headers_are_the_described_labels(written, lang: str) -> None:
    rv, files = written
    xlsx = files[lang]["xlsx"]
    assert _headers(xlsx, "结果 Results") == [label(k, lang) for k in (*OFFICER_COLUMNS, *rv.extras)]
    assert _headers(xlsx, "待补正 Problems") == [label(k, lang) for k in PROBLEM_COLUMNS]
    assert _headers(xlsx, "代码 Codes") == [label(k, lang) for k in CODE_COLUMNS]
    assert label("source_row", lang) == {"zh": "原表行号", "en": "Source row"}[lang]


def test_results_csv_has_the_described_keys_and_reads_back_through_the_one_reader(written) -> None:
    rv, files = written
    with open(files["zh"]["csv"], encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f))
    assert header == [*RESULT_COLUMNS, *rv.extras]
    results = read_results_csv(files["zh"]["csv"])
    assert [results.get(line, "application_id") for line in results] == [
        r.application_id or "" for r in rv.rows
    ]
    assert [results.get(line, "status") for line in results] == [r.status for r in rv.rows]
    assert [results.reasons(line, "en") for line in results] == ["; ".join(r.reasons_en) for r in rv.rows]


def test_the_batch_report_heads_its_tables_with_the_workbooks_words(written, tmp_path: Path) -> None:
    from toolkit.batch import report

    _rv, files = written
    officer = {lang: _headers(files[lang]["xlsx"], "结果 Results") for lang in ("zh", "en")}
    problems = {lang: _headers(files[lang]["xlsx"], "待补正 Problems") for lang in ("zh", "en")}
    run = report.review_sheet(str(MESSY), AS_OF.isoformat(), "1.0", "zh", str(tmp_path / "out"))
    page = "".join(c for kind, c in report.report_parts(run) if kind == "html")
    tables = re.findall(r"<table[^>]*>.*?</table>", page, re.S)
    heads = [
        [html.unescape(h).strip() for h in re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", t, re.S)] for t in tables
    ]
    results_head = next(h for h in heads if "原表行号 / Source row" in h)
    problems_head = next(h for h in heads if "行号 / Row" in h)
    for text in results_head:  # each header is the same column's, in the two workbooks
        zh, en = text.split(" / ")
        assert officer["zh"].index(zh) == officer["en"].index(en), text
    for text in problems_head:  # (a problem's text in one language: message_zh's and message_en's)
        zh, en = text.split(" / ")
        assert zh in problems["zh"] and en in problems["en"], text


def test_the_supervisor_page_heads_its_table_with_the_workbooks_words(
    written, tmp_path: Path, monkeypatch
) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from helpers_runs import make_run, replace_output

    from toolkit.dashboards.supervisor import SupervisorForm
    from toolkit.register import Register

    _rv, files = written
    home = tmp_path / "home"
    monkeypatch.setenv("OQTK_HOME", str(home))
    run_dir = make_run(home / "runs", "20251231T000000Z-aaaa")
    data = Path(files["zh"]["csv"]).read_bytes()
    replace_output(run_dir, "results.csv", data)
    form = SupervisorForm(register=Register(home / "register.sqlite"), runs_dir=home / "runs")
    form.run_select.value = run_dir.name
    for lang in ("zh", "en"):
        form.lang = lang
        sheet = _headers(files[lang]["xlsx"], "结果 Results")
        head = _th(form.problems_html.value, "oqtk-problems")
        assert head and all(h in sheet for h in head), (lang, head, sheet)
    form.lang = "zh"
