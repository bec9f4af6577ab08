"""批量审核 Batch review: upload an intake sheet (or pick a bundled example), run the batch review,
see counts and the rows needing attention, download the results workbook.

- The upload is refused above the server's limit (:data:`toolkit.dashboards.server.UPLOAD_LIMIT_BYTES` when
  that module is present, else ``$OQTK_UPLOAD_LIMIT_MB``, default 20 MB) before anything is
  written. It is saved under ``$OQTK_HOME/uploads/`` with a generated name (UTC time, a random
  token and a slug of letters and digits from the original name); the uploaded name is never
  used as a path.
- The sheet is read once in this process first (:func:`toolkit.intake.read_intake`), so a file
  that is not an intake workbook gets its :class:`~toolkit.exceptions.IntakeError` message at
  once, without starting a notebook kernel or creating a run folder.
- The run is :func:`toolkit.run_batch` into ``$OQTK_HOME/runs`` (it records the run in the
  register). Under the hub (:func:`toolkit.hub.client.hub_client`), the sheet is submitted to the
  ``oq-register`` service instead, which runs and records it as the logged-in user's; the
  outputs are then fetched from the service for the counts and downloads. With ``background=True`` (the page) it runs in a thread so the page stays
  responsive; :meth:`BatchForm.wait` joins it. Tests pass ``background=False``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import secrets
import threading
from pathlib import Path
from typing import Any

import ipywidgets as w

from .. import clock
from ..exceptions import IntakeError
from ..intake.columns import shown_label
from ..intake.results_csv import read_results_csv
from ..paths import examples_dir, oqtk_home
from ..rules import list_versions
from ..vocab import STATUSES, label
from .base import Form, esc, message_html, safe_handler
from .widgets import FieldRow, data_link, relabel, table_html

__all__ = ["DEFAULT_LIST_VERSION", "MAX_INLINE_DOWNLOAD_BYTES", "BatchForm", "upload_limit_bytes"]

log = logging.getLogger("toolkit.dashboards")

#: The bundled examples are written against List 1.0 (the only version with known entries).
DEFAULT_LIST_VERSION = "1.0"
#: Largest file offered as a ``data:`` link; a bigger one is named by its path.
MAX_INLINE_DOWNLOAD_BYTES = 15 * 1024 * 1024
MAX_PROBLEM_ROWS_SHOWN = 200
#: The columns of the table of rows needing attention (their labels: toolkit.intake.columns).
ATTENTION_COLUMNS = ("source_row", "application_id", "status_text", "reasons", "problem_count")


def upload_limit_bytes() -> int:
    """The server's upload limit (:data:`toolkit.dashboards.server.UPLOAD_LIMIT_BYTES`)."""
    from . import server  # Voila is imported only when served: cheap

    return int(server.UPLOAD_LIMIT_BYTES)


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}"


def _slug(name: str) -> str:
    """Letters, digits, ``_`` and ``-`` from a file name's stem (CJK kept), at most 40 characters."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return re.sub(r"[^\w-]+", "_", stem, flags=re.UNICODE).strip("_-")[:40]


def _base_name(name: str) -> str:
    """The file's own name from what the browser sent (any folder part, / or \\, dropped)."""
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip()


def _examples() -> list[str]:
    d = examples_dir()
    return sorted(p.name for p in d.glob("*.xlsx") if p.is_file()) if d.is_dir() else []


class BatchForm(Form):
    """批量审核 Batch review.

    Inputs: ``upload`` (``FileUpload``, ``.xlsx``), ``example`` (None = use the upload, else a
    bundled example's file name), ``as_of``, ``list_version``. Action: ``run_button.click()``;
    with ``background=True`` call ``wait()`` before reading results. Outputs: ``progress``
    (``IntProgress``), ``status_html``, ``counts_html``, ``problems_html``, ``download_html``,
    ``message``; ``result`` is the :class:`toolkit.batch.runner.RunResult` and ``saved_path`` the
    stored upload.
    """

    def __init__(
        self,
        *,
        background: bool = True,
        runs_dir: str | Path | None = None,
        upload_limit: int | None = None,
        today: dt.date | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.background = background
        self.runs_dir = Path(runs_dir) if runs_dir is not None else None
        self._upload_limit = upload_limit
        self.result: Any | None = None
        self.saved_path: Path | None = None
        self._thread: threading.Thread | None = None

        self.heading = w.HTML()
        self.upload = w.FileUpload(accept=".xlsx", multiple=False)
        self.upload_row = FieldRow(self.upload)
        self.chosen_html = w.HTML()  # the file chosen, by its own name, before the run starts
        self.chosen_html.add_class("oqtk-chosen")
        self.original_name: str | None = None
        self.example = w.Dropdown(layout=w.Layout(width="320px"))
        self.example_row = FieldRow(self.example)
        self.as_of = w.DatePicker(value=today or dt.date.today(), layout=w.Layout(width="320px"))
        self.as_of_row = FieldRow(self.as_of)
        self.list_version = w.Dropdown(
            options=list(list_versions()),
            value=DEFAULT_LIST_VERSION if DEFAULT_LIST_VERSION in list_versions() else None,
            layout=w.Layout(width="320px"),
        )
        self.list_version_row = FieldRow(self.list_version)
        self.run_button = w.Button(button_style="primary", icon="play")
        self.run_button.on_click(self._on_run)
        self.progress = w.IntProgress(value=0, min=0, max=4, layout=w.Layout(width="320px"))
        self.status_html = w.HTML()
        self.counts_html = w.HTML()
        self.problems_html = w.HTML()
        self.download_html = w.HTML()
        self.children = [
            self.heading, self.upload_row, self.chosen_html, self.example_row, self.as_of_row, self.list_version_row,
            self.run_button, self.progress, self.status_html, self.message,
            self.counts_html, self.problems_html, self.download_html,
        ]  # fmt: skip
        self._render_labels()
        self.upload.observe(self._on_upload, names="value")
        self.example.observe(self._on_example, names="value")

    # --- labels ---------------------------------------------------------------------------------

    @safe_handler  # also runs on a language switch: never let it raise into the toggle
    def _render_labels(self) -> None:
        t = self.t
        limit = _mb(self.upload_limit)
        self.heading.value = (
            f"<h3>{esc(t('批量审核', 'Batch review'))}</h3><p style='color:#555'>"
            f"{esc(t('上传申报汇总表（.xlsx）或选用示例，设置参数后运行。每次运行都会留存审核报告和结果文件，供主管复核。', 'Upload an intake sheet (.xlsx) or pick an example, set the parameters and run. Every run keeps its report and results for the supervisor.'))}</p>"
        )
        self.upload_row.set_label(
            t("申报汇总表", "Intake sheet"), t(f".xlsx，不超过{limit} MB", f".xlsx, up to {limit} MB")
        )
        self.upload.description = t("上传", "Upload")
        relabel(
            self.example,
            [(t("（使用上传的文件）", "(use the uploaded file)"), None), *((n, n) for n in _examples())],
        )
        self.example_row.set_label(t("或使用示例", "Or use an example"))
        self.as_of_row.set_label(t("审核基准日", "Review date"))
        self.list_version_row.set_label(
            t("清单版本", "List version"), t("示例按1.0版编写", "The examples use List 1.0")
        )
        self.run_button.description = t("运行批量审核", "Run the batch review")
        self.progress.description = ""
        self._render_chosen()
        if self.result is not None:
            self._show_result()

    @property
    def upload_limit(self) -> int:
        return self._upload_limit if self._upload_limit is not None else upload_limit_bytes()

    # --- input ----------------------------------------------------------------------------------

    def _uploaded(self) -> dict[str, Any] | None:
        value = self.upload.value
        return dict(value[0]) if value else None

    def _check_size(self, item: dict[str, Any]) -> bool:
        size = int(item.get("size") or len(item["content"]))
        if size > self.upload_limit:
            self.upload_row.set_error(
                "error",
                self.t(
                    f"文件过大（{_mb(size)} MB），上限为{_mb(self.upload_limit)} MB；请拆分后分批上传",
                    f"The file is too large ({_mb(size)} MB); the limit is {_mb(self.upload_limit)} MB. Split it and upload the parts",
                ),
            )
            return False
        self.upload_row.set_error(None)
        return True

    @safe_handler
    def _on_upload(self, _change: dict[str, Any]) -> None:
        item = self._uploaded()
        if item is not None and self._check_size(item):
            self.example.value = None
        self._render_chosen()

    @safe_handler
    def _on_example(self, _change: dict[str, Any]) -> None:
        self._render_chosen()

    def _render_chosen(self) -> None:
        """Name the file the run will use, as the officer knows it, before the run starts."""
        item = self._uploaded()
        if self.example.value is not None:
            name, size = self.example.value, None
        elif item is not None:
            name = _base_name(str(item.get("name") or ""))
            size = int(item.get("size") or len(item.get("content") or b""))
        else:
            self.chosen_html.value = ""
            return
        size_text = (
            f"，{_mb(size)} MB"
            if size is not None and self.lang == "zh"
            else (f", {_mb(size)} MB" if size is not None else "")
        )
        self.chosen_html.value = message_html(
            "info",
            esc(
                self.t(
                    f"将审核：{name}{size_text}。点击“运行批量审核”开始。",
                    f"To be reviewed: {name}{size_text}. Click “Run the batch review” to start.",
                )
            ),
        )

    def _save_upload(self, item: dict[str, Any]) -> Path:
        """Store the upload under ``$OQTK_HOME/uploads/`` with a generated name (never the uploaded path)."""
        folder = oqtk_home() / "uploads"
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)

        stamp = clock.now().strftime("%Y%m%dT%H%M%S+0800")  # the one clock: Beijing time
        slug = _slug(str(item.get("name") or ""))
        name = f"{stamp}-{secrets.token_hex(4)}" + (f"-{slug}" if slug else "") + ".xlsx"
        path = folder / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(bytes(item["content"]))
        return path

    # --- running --------------------------------------------------------------------------------

    def _set_stage(self, value: int, zh: str, en: str, kind: str = "info") -> None:
        self.progress.value = value
        self.progress.bar_style = {"info": "info", "ok": "success", "error": "danger", "warning": "warning"}[
            kind
        ]
        self.status_html.value = message_html(kind, esc(self.t(zh, en)))

    @safe_handler
    def _on_run(self, _button: Any = None) -> None:
        if self._thread is not None and self._thread.is_alive():
            self.show_message(
                "warning", "上一批仍在运行，请稍候", "The previous batch is still running; please wait"
            )
            return
        self.clear_message()
        self.result = None
        for h in (self.status_html, self.counts_html, self.problems_html, self.download_html):
            h.value = ""
        self.progress.value = 0
        if self.as_of.value is None:
            self.as_of_row.set_error("error", self.t("请填写审核基准日", "Give the review date"))
            return
        self.as_of_row.set_error(None)
        if self.example.value is not None:
            if self.example.value not in _examples():
                self.show_message("error", "找不到该示例文件", "That example file is not available")
                return
            path = examples_dir() / self.example.value
            self.original_name = self.example.value
        else:
            item = self._uploaded()
            if item is None:
                self.show_message(
                    "error",
                    "请先上传申报汇总表，或选用示例",
                    "Upload an intake sheet first, or pick an example",
                )
                return
            if not self._check_size(item):
                self.show_message("error", "文件过大，未保存", "The file is too large and was not saved")
                return
            path = self._save_upload(item)
            self.original_name = _base_name(str(item.get("name") or "")) or None
        self.saved_path = path
        self._set_stage(1, "正在检查申报汇总表…", "Checking the intake sheet…")
        from ..intake import read_intake

        try:
            read_intake(path)
        except IntakeError:
            self._set_stage(0, "无法读取申报汇总表", "The intake sheet cannot be read", "error")
            raise  # shown in the message by safe_handler
        self._set_stage(
            2,
            "正在运行批量审核…",
            "Running the batch review…",
        )
        self.run_button.disabled = True
        args = (path, self.as_of.value, self.list_version.value, self.lang)
        if self.background:
            self._thread = threading.Thread(target=self._run, args=args, name="oqtk-batch-form", daemon=True)
            self._thread.start()
        else:
            self._run(*args)

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a background run to finish (no-op when none is running)."""
        if self._thread is not None:
            self._thread.join(timeout)

    @safe_handler
    def _run(self, path: Path, as_of: dt.date, list_version: str | None, lang: str) -> None:
        from ..batch.runner import run_batch
        from ..hub.client import hub_client, run_result

        try:
            hub = hub_client()
            if hub is not None:  # under the hub: the oq-register service runs it, as this login
                run_id = hub.submit(path, filename=self.original_name or path.name, as_of=as_of.isoformat(),
                                    list_version=list_version, lang=lang)  # fmt: skip
                self.result = run_result(hub, run_id, path, oqtk_home() / "runs-cache")
            else:
                results = run_batch(
                    [path],
                    self.runs_dir,
                    as_of=as_of,
                    list_version=list_version,
                    lang=lang,
                    original_names=[self.original_name],
                )
                self.result = results[0]
            self._show_result()
        except Exception:
            self._set_stage(0, "运行未完成", "The run did not finish", "error")
            raise
        finally:
            self.run_button.disabled = False

    # --- output ---------------------------------------------------------------------------------

    def _show_result(self) -> None:
        r = self.result
        if r is None:
            return
        t = self.t
        if r.outcome == "succeeded":
            self._set_stage(4, f"运行完成：{r.run_id}", f"Run finished: {r.run_id}", "ok")
        elif getattr(r, "exit_status", None) == 2:
            self._set_stage(
                0,
                f"无法读取申报汇总表（运行 {r.run_id}）",
                f"The intake sheet cannot be read (run {r.run_id})",
                "error",
            )
            self.message.value = message_html("error", esc(r.error or ""))
        else:
            self._set_stage(3, f"运行失败：{r.run_id}", f"The run failed: {r.run_id}", "error")
            self.message.value = message_html("error", esc(r.error or t("未知错误", "unknown error")))
        if getattr(r, "register_error", None):
            self.message.value += message_html(
                "warning",
                esc(
                    t(
                        "运行未能登记，请联系管理员：",
                        "The run was not recorded in the register; contact the administrator: ",
                    )
                    + r.register_error
                ),
            )
        m = r.manifest or {}
        for o in m.get("sheets_not_reviewed") or []:  # rows of another sheet: never left out silently
            self.message.value += message_html(
                "warning",
                esc(
                    t(
                        f"工作表“{o['sheet']}”也有申报表表头，其下 {o['rows']} 行未审核；请并入本表或单独提交",
                        f"Sheet {o['sheet']!r} also has an intake header; its {o['rows']} row(s) were not "
                        "reviewed: move them into this sheet or submit them on their own",
                    )
                ),
            )
        counts = m.get("counts") or {}
        if counts:
            rows = [(label(k, STATUSES, self.lang) if k in STATUSES else k, v) for k, v in counts.items()]
            rows.append((t("读入行数", "Rows read"), m.get("rows_in", "")))
            self.counts_html.value = f"<h4>{esc(t('结论统计', 'Counts'))}</h4>" + table_html(
                [t("结论", "Status"), t("行数", "Rows")], rows, css_class="oqtk-table oqtk-counts"
            )
        self.problems_html.value = self._problems(Path(r.run_dir) / "results.csv")
        self.download_html.value = self._downloads(Path(r.run_dir))

    def _problems(self, path: Path) -> str:
        t = self.t
        if not path.is_file():
            return ""
        results = read_results_csv(path)
        rows = [line for line in results if results.get(line, "status") != "eligible"]
        title = f"<h4>{esc(t('须处理的申请（不符合条件、待补正、无法评估）', 'Applications needing attention (not eligible, incomplete, invalid)'))}</h4>"
        if not rows:
            return title + f"<p>{esc(t('无', 'None'))}</p>"
        shown = [
            (
                results.get(line, "source_row"),
                results.get(line, "application_id"),
                label(results.get(line, "status"), STATUSES, self.lang),
                results.reasons(line, self.lang),
                results.get(line, "problem_count"),
            )
            for line in rows[:MAX_PROBLEM_ROWS_SHOWN]
        ]
        more = ""
        if len(rows) > MAX_PROBLEM_ROWS_SHOWN:
            more = f"<p>{esc(t(f'仅显示前{MAX_PROBLEM_ROWS_SHOWN}行，共{len(rows)}行；完整内容见结果文件', f'First {MAX_PROBLEM_ROWS_SHOWN} of {len(rows)} rows; the results workbook holds all'))}</p>"
        headers = [shown_label(k, self.lang) for k in ATTENTION_COLUMNS]
        return title + table_html(headers, shown, css_class="oqtk-table oqtk-problems") + more

    def download_name(self, name: str) -> str:
        """A download named after the sheet and the run: ``<sheet>-<run id>-results.xlsx``."""
        r = self.result
        stem = _slug(self.original_name or (r.input_path.name if r else "")) or "intake"
        run_id = r.run_id if r else ""
        base, ext = name.rsplit(".", 1)
        return f"{stem}-{run_id}-{base}.{ext}"

    def _downloads(self, run_dir: Path) -> str:
        t = self.t
        links = []
        for name, mime, zh, en in (
            ("results.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "下载结果工作簿", "Download the results workbook"),
            ("review.html", "text/html", "下载审核报告", "Download the review report"),
        ):  # fmt: skip
            p = run_dir / name
            if not p.is_file():
                continue
            if p.stat().st_size > MAX_INLINE_DOWNLOAD_BYTES:
                links.append(f"<span>{esc(t(zh, en))}: {esc(str(p))}</span>")
            else:
                links.append(data_link(p.read_bytes(), self.download_name(name), t(zh, en), mime))
        return " ".join(links)
