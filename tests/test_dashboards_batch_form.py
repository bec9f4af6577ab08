"""批量审核 form driven without a browser: upload (or example), run synchronously, read the widgets.

The run tests execute the real review notebook once (module-scoped), on the bundled messy
example, into a temporary ``OQTK_HOME``.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
from pathlib import Path

import pytest

from toolkit.dashboards import batch_form
from toolkit.dashboards.batch_form import BatchForm, upload_limit_bytes
from toolkit.paths import examples_dir

MESSY = examples_dir() / "intake_messy.xlsx"


def upload_value(name: str, data: bytes) -> tuple[dict, ...]:
    """What ipywidgets 8 ``FileUpload.value`` holds after the browser sends one file."""
    return (
        {
            "name": name,
            "type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "size": len(data),
            "content": memoryview(data),
            "last_modified": dt.datetime(2025, 12, 30, tzinfo=dt.UTC),
        },
    )


def text(widget) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", widget.value))


@pytest.fixture(scope="module")
def messy_run(tmp_path_factory):
    """One synchronous run of the form on the messy example (uploaded, to exercise the save path)."""
    if not MESSY.is_file():
        pytest.fail(f"bundled example missing: {MESSY}")
    home = tmp_path_factory.mktemp("batchform") / "home"
    mp = pytest.MonkeyPatch()
    mp.setenv("OQTK_HOME", str(home))
    try:
        f = BatchForm(background=False, today=dt.date(2025, 12, 31))
        f.upload.value = upload_value("../../etc/申报 表<script>.xlsx", MESSY.read_bytes())
        f.as_of.value = dt.date(2025, 12, 31)
        assert f.list_version.value == "1.0"
        f.run_button.click()
    finally:
        mp.undo()
    return f, home


def test_run_on_messy_example_shows_counts_problems_and_download(messy_run):
    f, _home = messy_run
    assert f.result is not None, f.message.value
    assert f.result.outcome == "succeeded", f.result.error
    assert f.progress.value == f.progress.max
    assert "运行完成" in f.status_html.value and f.result.run_id in f.status_html.value
    counts = f.result.manifest["counts"]
    c = text(f.counts_html)
    for status, n in counts.items():
        if status in ("eligible", "not_eligible", "incomplete", "invalid"):
            assert re.search(
                rf"{ {'eligible': '符合条件', 'not_eligible': '不符合条件', 'incomplete': '待补正', 'invalid': '无法评估'}[status] }\s+{n}\b",
                c,
            )
    assert sum(counts.get(k, 0) for k in ("not_eligible", "incomplete", "invalid")) > 0
    assert "oqtk-problems" in f.problems_html.value
    # downloads named after the sheet and the run
    name = f"申报_表_script-{f.result.run_id}-results.xlsx"  # the uploaded name, made safe
    assert f.download_name("results.xlsx") == name
    assert f'download="申报_表_script-{f.result.run_id}-review.html"' in f.download_html.value
    m = re.search(
        rf'download="{re.escape(name)}" href="data:[^;]+;base64,([A-Za-z0-9+/=]+)"', f.download_html.value
    )
    assert m is not None
    assert base64.b64decode(m.group(1)) == (Path(f.result.run_dir) / "results.xlsx").read_bytes()
    assert f.run_button.disabled is False


def test_upload_saved_under_home_with_generated_name(messy_run):
    f, home = messy_run
    p = f.saved_path
    assert p.parent == home / "uploads"
    assert re.fullmatch(r"\d{8}T\d{6}\+0800-[0-9a-f]{8}-[\w-]+\.xlsx", p.name)  # Beijing time
    # the original name is kept in the run, and was shown before the run started
    assert f.result.manifest["input"]["original_name"] == f.original_name == "申报 表<script>.xlsx"
    assert ".." not in p.name and "/" not in p.name and "<" not in p.name
    assert p.read_bytes() == MESSY.read_bytes()
    assert Path(f.result.run_dir).parent == home / "runs"


def test_run_is_recorded_for_the_supervisor(messy_run):
    f, home = messy_run
    from toolkit.register import Register

    rec = Register(home / "register.sqlite").get_run(f.result.run_id)
    assert rec.status == "pending"


def test_problems_table_is_escaped(messy_run):
    f, _home = messy_run
    assert "<script" not in f.problems_html.value


def test_english_relabels_results(messy_run):
    f, _home = messy_run
    f.lang = "en"
    try:
        assert "Run finished" in f.status_html.value
        assert "Eligible" in text(f.counts_html) or "Not eligible" in text(f.counts_html)
        assert "Download the results workbook" in f.download_html.value
        assert f.run_button.description == "Run the batch review"
    finally:
        f.lang = "zh"


def test_non_workbook_upload_shows_intake_error(home):
    f = BatchForm(background=False)
    f.upload.value = upload_value("notes.xlsx", "这不是 Excel 文件 / not a workbook".encode())
    f.run_button.click()
    assert f.result is None
    assert "oqtk-error" in f.message.value
    assert "Traceback" not in f.message.value
    assert not (home / "runs").exists()  # refused before any run folder or kernel


def test_oversize_upload_refused_with_limit(home, monkeypatch):
    try:
        import toolkit.dashboards.server
    except ModuleNotFoundError:  # no server module: the form reads $OQTK_UPLOAD_LIMIT_MB
        monkeypatch.setenv("OQTK_UPLOAD_LIMIT_MB", str(1024 / (1024 * 1024)))
    else:
        monkeypatch.setattr(toolkit.dashboards.server, "UPLOAD_LIMIT_BYTES", 1024)
    assert upload_limit_bytes() == 1024
    f = BatchForm(background=False)
    f.upload.value = upload_value("big.xlsx", b"PK" + b"\0" * 4096)
    assert "文件过大" in f.upload_row.error_text and "1.0 MB" not in f.upload_row.error_text
    f.run_button.click()
    assert "文件过大" in f.message.value
    assert not (home / "uploads").exists()  # nothing saved
    assert f.result is None


def test_nothing_chosen_is_a_message(home):
    f = BatchForm(background=False)
    f.run_button.click()
    assert "请先上传申报汇总表" in f.message.value


def test_handler_exception_shows_message(home, monkeypatch):
    import toolkit.batch.runner

    def boom(*_a, **_k):
        raise RuntimeError("internal detail")

    monkeypatch.setattr(toolkit.batch.runner, "run_batch", boom)
    monkeypatch.setattr("toolkit.intake.read_intake", lambda _p: None)
    f = BatchForm(background=False)
    f.upload.value = upload_value("x.xlsx", b"PK fake")
    f.run_button.click()
    assert "处理时出错" in f.message.value and "internal detail" not in f.message.value
    assert f.run_button.disabled is False


def test_background_run_and_wait(home, monkeypatch):
    import threading

    import toolkit.batch.runner

    gate = threading.Event()
    seen = {}

    class Fake:
        run_id = "20251231T000000Z-fake"
        outcome = "failed"
        exit_status = 2
        error = "无法读取 / cannot read"
        register_error = None
        manifest = None

        def __init__(self, run_dir):
            self.run_dir = run_dir

    def fake_run_batch(inputs, out_dir, **kw):
        gate.wait(5)
        seen.update(kw, inputs=inputs)
        return [Fake(home / "runs" / Fake.run_id)]

    monkeypatch.setattr(toolkit.batch.runner, "run_batch", fake_run_batch)
    monkeypatch.setattr("toolkit.intake.read_intake", lambda _p: None)
    monkeypatch.setattr(batch_form, "_examples", lambda: ["intake_messy.xlsx"])
    f = BatchForm(background=True)
    f.example.value = "intake_messy.xlsx"
    f.list_version.value = "1.0"
    f.run_button.click()
    assert f.run_button.disabled is True and f.progress.value == 2  # running; the page stays live
    f.run_button.click()
    assert "仍在运行" in f.message.value
    gate.set()
    f.wait(10)
    assert seen["list_version"] == "1.0" and seen["inputs"] == [examples_dir() / "intake_messy.xlsx"]
    assert f.run_button.disabled is False
    assert "无法读取 / cannot read" in f.message.value  # an unreadable sheet found by the run itself


def test_the_chosen_file_is_named_before_the_run_starts():
    f = BatchForm(background=False, today=dt.date(2025, 12, 31))
    assert f.chosen_html.value == ""
    f.upload.value = upload_value("C:\\Users\\王\\三月 申报.xlsx", MESSY.read_bytes())
    shown = text(f.chosen_html)
    assert "将审核：三月 申报.xlsx" in shown and "MB" in shown and "Users" not in shown
    f.lang = "en"
    assert "To be reviewed: 三月 申报.xlsx" in text(f.chosen_html)
    f.example.value = "intake_clean.xlsx"
    assert "intake_clean.xlsx" in text(f.chosen_html)
    f.upload.value = upload_value("<img src=x onerror=alert(1)>.xlsx", b"PK")
    f.example.value = None
    assert "<img" not in f.chosen_html.value


def test_the_rows_needing_attention_are_headed_with_the_results_workbooks_words(messy_run):
    """The page's table says what results.xlsx says (toolkit.intake.columns describes both)."""
    from openpyxl import load_workbook

    from toolkit.intake import review_intake, write_results

    f, home = messy_run
    rv = review_intake(MESSY, as_of="2025-12-31", list_version="1.0")
    try:
        for lang in ("zh", "en"):
            f.lang = lang
            out = write_results(rv, home / f"labels-{lang}", lang=lang)
            wb = load_workbook(out["xlsx"], read_only=True)
            sheet = [c for c in next(wb["结果 Results"].iter_rows(max_row=1, values_only=True)) if c]
            wb.close()
            table = re.search(r"<table[^>]*oqtk-problems.*?</table>", f.problems_html.value, re.S)
            head = [html.unescape(h) for h in re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", table.group(0), re.S)]
            assert head == [h for h in sheet if h in head] and len(head) == 5, (lang, head, sheet)
    finally:
        f.lang = "zh"
