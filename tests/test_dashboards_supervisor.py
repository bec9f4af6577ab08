"""主管复核 form driven without a browser, on a temporary ``OQTK_HOME`` with fake run folders."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import html
import io
import json
import re
from pathlib import Path

import pytest

from toolkit.dashboards.supervisor import SupervisorForm
from toolkit.register import Register

ROWS_V1 = [
    ("A-001", "eligible", "符合条件"),
    ("A-002", "not_eligible", "证书不在清单内"),
    ("A-003", "incomplete", "缺少工作年限证明"),
]
ROWS_V2 = [
    ("A-001", "eligible", "符合条件"),
    ("A-002", "not_eligible", "证书不在清单内"),
    ("A-003", "eligible", "已补正工作年限证明"),
]


def make_run(runs: Path, run_id: str, rows, *, input_name="intake.xlsx", created="2025-12-30T02:00:00+00:00",
             review_body="<p>review</p>", input_sha="ab" * 32) -> Path:  # fmt: skip
    """A finished run folder following the manifest contract (schema 1), with real hashes."""
    d = runs / run_id
    d.mkdir(parents=True)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["application_id", "status", "reasons"])
    writer.writerows(rows)
    files = {
        "results.csv": buf.getvalue().encode("utf-8-sig"),
        "results.xlsx": b"PK\x03\x04 not really a workbook " + run_id.encode(),
        "review.html": f"<html><body><h1>审核报告</h1>{review_body}</body></html>".encode(),
    }
    for name, data in files.items():
        (d / name).write_bytes(data)
    statuses = [r[1] for r in rows]
    manifest = {
        "schema": 1,
        "run_id": run_id,
        "created_at": created,
        "finished_at": created,
        "outcome": "succeeded",
        "error": None,
        "input": {"path": f"/uploads/{input_name}", "name": input_name, "sha256": input_sha},
        "parameters": {"intake_path": f"/uploads/{input_name}", "as_of": "2025-12-31", "list_version": "1.0"},
        "versions": {"toolkit": "0.1.0", "list": "1.0"},
        "rows_in": len(rows),
        "rows_out": len(rows),
        "counts": {s: statuses.count(s) for s in ("eligible", "not_eligible", "incomplete", "invalid")},
        "outputs": [
            {"name": n, "sha256": hashlib.sha256(b).hexdigest(), "bytes": len(b)} for n, b in files.items()
        ],
    }
    (d / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return d


RUN1 = "20251230T020000Z-aaaa1111"
RUN2 = "20251231T020000Z-bbbb2222"


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("OQTK_HOME", str(tmp_path / "home"))
    runs = tmp_path / "home" / "runs"
    make_run(runs, RUN1, ROWS_V1)
    make_run(runs, RUN2, ROWS_V2, created="2025-12-31T02:00:00+00:00",
             review_body='<script>alert("x")</script><p class="x">"quoted" & more</p>')  # fmt: skip
    return tmp_path / "home"


def text(widget) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", widget.value))


def open_run(form: SupervisorForm, run_id: str) -> None:
    form.run_select.value = run_id


def test_runs_table_lists_recorded_runs(home):
    f = SupervisorForm()
    assert f.message.value == ""
    assert [r.run_id for r in f.runs] == [RUN2, RUN1]  # newest first
    t = text(f.runs_html)
    assert RUN1 in t and RUN2 in t and "intake.xlsx" in t and "待审核" in t
    assert (home / "register.sqlite").exists()


def test_filters_status_and_since(home):
    f = SupervisorForm()
    f.since.value = dt.date(2025, 12, 31)  # 00:00 CST = 2025-12-30T16:00Z: only run 2
    assert [r.run_id for r in f.runs] == [RUN2]
    f.since.value = None
    f.status_filter.value = "approved"
    assert f.runs == []
    assert "没有符合条件的运行" in text(f.runs_html)


def test_detail_verify_ok_and_review_inline_sandboxed(home):
    f = SupervisorForm()
    open_run(f, RUN2)
    assert f.detail_box.layout.display is None
    d = text(f.detail_html)
    assert "2025-12-31" in d and "1.0" in d and "intake.xlsx" in d
    assert "审核基准日" in d and "清单版本" in d  # parameters with their labels
    assert 'data-verify="ok"' in f.verify_html.value and "文件完整" in f.verify_html.value
    assert "A-002" in text(f.problems_html) and "A-001" not in text(f.problems_html)
    r = f.report_html.value
    assert '<iframe class="oqtk-review" sandbox=""' in r
    assert "<script>" not in r  # the document is escaped inside the srcdoc attribute
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in r
    srcdoc = html.unescape(re.search(r'srcdoc="([^"]*)"', r).group(1))
    assert srcdoc == (home / "runs" / RUN2 / "review.html").read_text(encoding="utf-8")


def test_approve_requires_name_and_adds_history(home):
    f = SupervisorForm()
    open_run(f, RUN2)
    f.approve_button.click()
    assert "请填写您的姓名" in f.by_row.error_text
    assert Register().get_run(RUN2).decisions == ()
    f.by_name.value = "王主管"
    f.comment.value = "核对无误"
    f.approve_button.click()
    assert "已批准" in f.decision_msg.value and f.message.value == ""  # next to the button
    assert f.approve_button.disabled and "已批准" in f.decision_msg.value
    assert f.by_row.error_text == ""
    decisions = Register().get_run(RUN2).decisions
    assert [(d.decision, d.by_name, d.comment) for d in decisions] == [("approve", "王主管", "核对无误")]
    h = text(f.history_html)
    assert "批准" in h and "王主管" in h and "核对无误" in h
    assert "已批准" in text(f.runs_html)
    f.lang = "en"
    assert "Approve" in text(f.history_html) and "Approved" in text(f.runs_html)


def test_tampered_run_badge_names_file_and_approval_refused(home):
    p = home / "runs" / RUN1 / "results.xlsx"
    p.write_bytes(p.read_bytes() + b"edited")
    f = SupervisorForm()
    open_run(f, RUN1)
    assert 'data-verify="changed"' in f.verify_html.value
    assert "results.xlsx" in f.verify_html.value and "review.html" not in f.verify_html.value
    assert f.approve_button.disabled and "不能批准" in f.decision_msg.value  # says why, by the button
    f.by_name.value = "王主管"
    f.approve_button.click()  # the handler refuses too (e.g. a click racing the change)
    assert "拒绝批准" in f.decision_msg.value and "results.xlsx" in f.decision_msg.value
    assert Register().get_run(RUN1).decisions == ()


def test_tampered_review_is_not_shown_and_missing_file_named(home):
    (home / "runs" / RUN2 / "review.html").write_text("<p>forged</p>", encoding="utf-8")
    (home / "runs" / RUN2 / "results.csv").unlink()
    f = SupervisorForm()
    open_run(f, RUN2)
    assert "forged" not in f.report_html.value and "iframe" not in f.report_html.value
    v = f.verify_html.value
    assert "review.html" in v and "results.csv" in v and "缺失" in v


def test_return_requires_comment(home):
    f = SupervisorForm()
    open_run(f, RUN1)
    f.by_name.value = "王主管"
    f.return_button.click()
    assert "退回时须填写理由" in f.comment_row.error_text
    assert Register().get_run(RUN1).decisions == ()
    f.comment.value = "A-003 缺少材料，请补正后重跑"
    f.return_button.click()
    assert f.comment_row.error_text == ""
    assert "已退回" in f.decision_msg.value
    assert [d.decision for d in Register().get_run(RUN1).decisions] == ["return"]
    assert "A-003 缺少材料" in text(f.history_html)


def test_compare_two_runs_of_the_same_sheet(home):
    f = SupervisorForm()
    open_run(f, RUN2)
    assert (f.compare_a.value, f.compare_b.value) == (RUN1, RUN2)  # preset: the previous run of the sheet
    f.compare_button.click()
    assert [(c.application_id, c.old_status, c.new_status) for c in f.changes] == [
        ("A-003", "incomplete", "eligible")
    ]
    c = text(f.compare_html)
    assert "A-003" in c and "待补正" in c and "符合条件" in c and "已补正工作年限证明" in c
    assert "A-002" not in c


def test_compare_of_different_sheets_is_a_message(home):
    other = "20260101T020000Z-cccc3333"
    make_run(home / "runs", other, ROWS_V1, input_name="other.xlsx", created="2026-01-01T02:00:00+00:00",
             input_sha="cd" * 32)  # fmt: skip
    f = SupervisorForm()
    f.compare_a.value = RUN1
    f.compare_b.value = other
    f.compare_button.click()
    assert "输入表不同" in f.message.value
    assert f.changes == [] and f.compare_html.value == ""
    f.compare_b.value = RUN1
    f.compare_button.click()
    assert "请选择两个不同的运行" in f.message.value


def test_handler_exception_shows_message(home, monkeypatch):
    f = SupervisorForm()

    def boom(*_a, **_k):
        raise RuntimeError("internal")

    monkeypatch.setattr(f.register, "list_runs", boom)
    f.refresh_button.click()
    assert "处理时出错" in f.message.value and "internal" not in f.message.value


def test_escapes_run_data(home):
    make_run(home / "runs", "20260102T020000Z-dddd4444", [("<b>X-1</b>", "not_eligible", "<script>1</script>")],
             input_name="<img src=x>.xlsx", created="2026-01-02T02:00:00+00:00")  # fmt: skip
    f = SupervisorForm()
    assert "<img" not in f.runs_html.value and "&lt;img src=x&gt;.xlsx" in f.runs_html.value
    open_run(f, "20260102T020000Z-dddd4444")
    assert "<script>" not in f.problems_html.value and "&lt;b&gt;X-1&lt;/b&gt;" in f.problems_html.value


def test_language_switch_with_a_broken_register_shows_a_message(home, monkeypatch):
    f = SupervisorForm()
    open_run(f, RUN1)

    def boom(*_a, **_k):
        raise RuntimeError("db gone")

    monkeypatch.setattr(f.register, "get_run", boom)
    f.lang = "en"  # re-renders the detail: the failure is a message, not an exception
    assert "Something went wrong" in f.message.value and "db gone" not in f.message.value
