"""主管复核 Supervisor: batch runs, their files' integrity, sign-off (签核), history and comparison.

(The supervisor's approval or return of a run is its *sign-off*; the executed notebook of a run
is its *report*; the *review* is the toolkit's review of the intake sheet. The pieces of HTML
are in :mod:`.signoff_views`.)

Built on :class:`toolkit.register.Register` (``$OQTK_HOME/register.sqlite``); the runs folder is
``$OQTK_HOME/runs``, scanned on every refresh so runs written by the batch page appear.

- The runs table filters by status and by "created on or after" (a date is 00:00 China Standard
  Time, as the register defines it).
- A run's detail: parameters, versions, counts, the rows that are not eligible (from
  ``results.csv``), and the executed notebook's HTML (``review.html``) inline in a sandboxed
  ``<iframe srcdoc>`` (no scripts, no same-origin); a changed ``review.html`` is not shown.
- The verify badge re-hashes every output on each view and names changed and missing files.
- Approve needs a typed name, and is refused for a run whose files changed (the message names
  them; the register refuses too). Return needs a typed name and a comment.
- Compare: two runs of the same intake sheet, rows whose status changed, with both reasons.

Under the hub (``OQTK_REGISTER_URL``, ``OQTK_RUNS_DIR`` and ``JUPYTERHUB_API_TOKEN`` set), the
form is served by the ``oq-register`` service (:class:`toolkit.hub.client.HubRegister`): it
shows who is logged in, an officer sees their own runs and no decision buttons, a supervisor
sees every run and decides as their login (no name to type), and on a run they submitted the
buttons are disabled with the reason. Locally the page says that sign-off is not tied to a login.
The register's hash chain is audited on every refresh and its state shown at the top.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as w

from ..exceptions import RegisterError, ToolkitError
from ..intake.columns import shown_label
from ..paths import oqtk_home
from .base import Form, esc, message_html, safe_handler
from .signoff_views import (
    ATTENTION_COLUMNS,
    attention_rows,
    changes_html,
    run_facts_html,
    shown_time,
    sign_off_history_html,
    status_word,
    verify_badge_html,
)
from .widgets import FieldRow, relabel, table_html

__all__ = ["MAX_INLINE_REVIEW_BYTES", "SupervisorForm"]

#: Largest review.html embedded inline; a bigger one is named with its path instead.
MAX_INLINE_REVIEW_BYTES = 25 * 1024 * 1024


class SupervisorForm(Form):
    """主管复核 Supervisor.

    Filters: ``status_filter`` (None = all, else a register status code), ``since`` (date).
    ``refresh_button`` scans the runs folder and lists runs in ``runs_html``; ``runs`` holds the
    records shown. ``run_select`` picks a run: ``detail_html``, ``verify_html`` (badge),
    ``problems_html``, ``report_html`` (the run's report, review.html, in a sandboxed iframe), ``history_html``.
    Decision: ``by_name``, ``comment``, ``approve_button``, ``return_button``; field messages in
    ``by_row.error_text`` / ``comment_row.error_text``. Compare: ``compare_a``, ``compare_b``,
    ``compare_button``, ``compare_html``; ``changes`` holds the last comparison.
    """

    def __init__(
        self,
        *,
        register: Any | None = None,
        runs_dir: str | Path | None = None,
        autoload: bool = True,
        hub: Any | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if hub is None and register is None:
            from ..hub.client import hub_client

            hub = hub_client()
        self.me: dict[str, Any] | None = None
        if hub is not None:
            from ..hub.client import HubRegister

            register = HubRegister(hub, oqtk_home() / "runs-cache")
            self.me = hub.whoami()
        self._register = register
        self.identity_html = w.HTML()
        self.audit_html = w.HTML()
        self.decision_msg = w.HTML()
        self.runs_dir = Path(runs_dir) if runs_dir is not None else oqtk_home() / "runs"
        self.runs: list[Any] = []
        self.changes: list[Any] = []
        self.verify_result: Any | None = None
        self._compare_pair: tuple[str, str] | None = None

        self._build_filters()
        self._build_detail()
        self._build_sign_off()
        self._build_compare()
        self.detail_box = w.VBox(
            [self.detail_html, self.verify_html, self.problems_html, self.report_html, self.history_html,
             self.decision_title, self.by_row, self.comment_row, w.HBox([self.approve_button, self.return_button]),
             self.decision_msg],
            layout=w.Layout(display="none"),
        )  # fmt: skip
        if self.me is not None:
            self.by_row.layout.display = "none"  # the decision is recorded under the login
        self.children = [
            self.heading, self.identity_html, self.audit_html,
            self.status_row, self.since_row, self.refresh_button, self.message, self.runs_html,
            self.run_row, self.detail_box,
            self.compare_title, self.compare_a_row, self.compare_b_row, self.compare_button, self.compare_html,
        ]  # fmt: skip
        self._render_labels()
        self.run_select.observe(self._on_select, names="value")
        self.status_filter.observe(self._on_refresh, names="value")
        self.since.observe(self._on_refresh, names="value")
        if autoload:
            self._on_refresh()

    # --- widgets ---------------------------------------------------------------------------------

    def _build_filters(self) -> None:
        """The filters and the runs table."""
        self.heading = w.HTML()
        self.status_filter = w.Dropdown(layout=w.Layout(width="200px"))
        self.since = w.DatePicker(layout=w.Layout(width="200px"))
        self.refresh_button = w.Button(icon="refresh")
        self.refresh_button.on_click(self._on_refresh)
        self.status_row = FieldRow(self.status_filter)
        self.since_row = FieldRow(self.since)
        self.runs_html = w.HTML()

    def _build_detail(self) -> None:
        """The run picker and the run's detail."""
        self.run_select = w.Dropdown(layout=w.Layout(width="420px"))
        self.run_row = FieldRow(self.run_select)
        self.detail_html = w.HTML()
        self.verify_html = w.HTML()
        self.problems_html = w.HTML()
        self.report_html = w.HTML()
        self.history_html = w.HTML()

    def _build_sign_off(self) -> None:
        """The sign-off: who decides, the comment, approve and return."""
        self.by_name = w.Text(layout=w.Layout(width="260px"))
        self.comment = w.Textarea(layout=w.Layout(width="420px", height="70px"))
        self.by_row = FieldRow(self.by_name)
        self.comment_row = FieldRow(self.comment)
        self.approve_button = w.Button(button_style="success", icon="check")
        self.return_button = w.Button(button_style="warning", icon="undo")
        self.approve_button.on_click(self._on_approve)
        self.return_button.on_click(self._on_return)
        self.decision_title = w.HTML()

    def _build_compare(self) -> None:
        """The comparison of two runs."""
        self.compare_a = w.Dropdown(layout=w.Layout(width="420px"))
        self.compare_b = w.Dropdown(layout=w.Layout(width="420px"))
        self.compare_a_row = FieldRow(self.compare_a)
        self.compare_b_row = FieldRow(self.compare_b)
        self.compare_button = w.Button(icon="exchange")
        self.compare_button.on_click(self._on_compare)
        self.compare_title = w.HTML()
        self.compare_html = w.HTML()

    # --- register -----------------------------------------------------------------------------

    @property
    def register(self) -> Any:
        if self._register is None:
            from ..register import Register

            self._register = Register()
        return self._register

    # --- labels ---------------------------------------------------------------------------------

    @safe_handler  # also runs on a language switch: never let it raise into the toggle
    def _render_labels(self) -> None:
        from ..register import RUN_STATUSES

        t = self.t
        self.heading.value = (
            f"<h3>{esc(t('主管复核', 'Supervisor review'))}</h3><p style='color:#555'>"
            f"{esc(t('查看批量审核运行，核对文件完整性后批准或退回。', 'Review batch runs; check their files are intact, then approve or return them.'))}</p>"
        )
        relabel(
            self.status_filter,
            [(t("全部", "All"), None), *((t(zh, en), c) for c, (zh, en) in RUN_STATUSES.items())],
        )
        self.status_row.set_label(t("状态", "Status"))
        self.since_row.set_label(
            t("创建于此日及以后", "Created on or after"), t("北京时间", "China Standard Time")
        )
        self.refresh_button.description = t("刷新", "Refresh")
        self.run_row.set_label(t("选择运行", "Run"))
        self.by_row.set_label(t("审核人姓名", "Your name"), t("必填", "Required"))
        self.comment_row.set_label(t("意见", "Comment"), t("退回时必填", "Required to return"))
        self.approve_button.description = t("批准", "Approve")
        self.return_button.description = t("退回", "Return")
        self.decision_title.value = f"<h4>{esc(t('审核决定', 'Decision'))}</h4>"
        self.compare_title.value = (
            f"<h4>{esc(t('比较同一申报表的两次运行', 'Compare two runs of the same intake sheet'))}</h4>"
        )
        self.compare_a_row.set_label(t("较早的运行", "Earlier run"))
        self.compare_b_row.set_label(t("较新的运行", "Later run"))
        self.compare_button.description = t("比较", "Compare")
        self._render_identity()
        self._render_runs()
        self._render_detail()
        self._render_compare()

    @property
    def can_decide(self) -> bool:
        """Whether this user may approve or return runs (always, locally: no login to ask)."""
        return self.me is None or bool(self.me.get("can_approve"))

    def _render_identity(self) -> None:
        from ..hub import ROLE_LABELS

        t = self.t
        if self.me is None:
            self.identity_html.value = message_html(
                "warning",
                esc(t("本机模式：审核签名未与登录绑定，审核人姓名由您填写。多人使用请部署 JupyterHub（oqtk hub）。",
                      "Local mode: sign-off is not tied to a login; the approver's name is what you type. "
                      "For an office, deploy the hub (oqtk hub).")),
            )  # fmt: skip
            return
        role = self.me.get("role") or ""
        zh, en = ROLE_LABELS.get(role, (role, role))
        note = (
            t("审核决定将以此登录记录。", "Decisions are recorded under this login.")
            if self.can_decide
            else t(
                "您可查看自己提交的运行；批准与退回由主管进行。",
                "You see the runs you submitted; supervisors approve or return them.",
            )
        )
        self.identity_html.value = message_html(
            "info",
            esc(
                t(f"当前登录：{self.me['name']}（{zh}）。", f"Logged in as {self.me['name']} ({en}). ") + note
            ),
        )

    def _render_audit(self) -> None:
        if self.me is not None and not self.me.get("can_read_all"):
            self.audit_html.value = ""
            return
        audit = self.register.audit()
        d = audit if isinstance(audit, dict) else audit.to_dict()
        kind = "ok" if d["ok"] else "error"
        self.audit_html.value = (
            f'<div class="oqtk-audit" data-audit="{"ok" if d["ok"] else "broken"}">'
            + message_html(kind, esc(d["summary"]))
            + "</div>"
        )

    # --- runs -----------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Scan the runs folder into the register, then list the runs the filters select."""
        problems: list[tuple[str, str]] = []
        if self.runs_dir.is_dir():
            problems = self.register.scan(self.runs_dir).problems
        self._render_audit()
        self.runs = self.register.list_runs(status=self.status_filter.value, since=self.since.value)
        every = self.register.list_runs()
        options = [(self._run_option(r), r.run_id) for r in self.runs]
        relabel(self.run_select, [(self.t("（选择）", "(choose)"), None), *options])
        all_options = [
            (self.t("（选择）", "(choose)"), None),
            *((self._run_option(r), r.run_id) for r in every),
        ]
        relabel(self.compare_a, all_options)
        relabel(self.compare_b, all_options)
        self._render_runs()
        if problems:
            items = "".join(f"<li>{esc(Path(folder).name)}: {esc(msg)}</li>" for folder, msg in problems)
            self.message.value = message_html(
                "warning",
                esc(self.t("以下运行文件夹无法登记：", "These run folders could not be recorded:"))
                + f"<ul>{items}</ul>",
            )
        if self.run_select.value is not None:
            self._render_detail()

    def _run_option(self, r: Any) -> str:
        return f"{r.run_id} · {r.input_name or '—'} · {r.status_label(self.lang)}"

    def _render_runs(self) -> None:
        if not self.runs:
            self.runs_html.value = f"<p>{esc(self.t('没有符合条件的运行。', 'No runs match.'))}</p>"
            return
        t = self.t
        rows = []
        for r in self.runs:
            counts = "；".join(f"{status_word(k, self.lang)} {v}" for k, v in r.counts.items() if v)
            last = r.last_decision
            decided = f"{last.by_name} {shown_time(last.at)}" if last else ""
            rows.append((r.run_id, shown_time(r.created_at), r.input_name or "", r.submitted_by or "",
                         r.status_label(self.lang), r.rows_out or "", counts, decided))  # fmt: skip
        self.runs_html.value = table_html(
            [t("运行编号", "Run"), t("创建时间", "Created"), t("申报表", "Intake sheet"), t("提交人", "Submitted by"),
             t("状态", "Status"), t("行数", "Rows"), t("结论统计", "Counts"), t("最近决定", "Last decision")],
            rows,
            css_class="oqtk-table oqtk-runs",
        )  # fmt: skip

    # --- detail ---------------------------------------------------------------------------------

    def _render_detail(self) -> None:
        run_id = self.run_select.value
        if run_id is None:
            self.detail_box.layout.display = "none"
            self.verify_result = None
            for h in (
                self.detail_html,
                self.verify_html,
                self.problems_html,
                self.report_html,
                self.history_html,
            ):
                h.value = ""
            return
        rec = self.register.get_run(run_id)
        self.verify_result = v = self.register.verify_run(run_id)
        self.detail_html.value = run_facts_html(rec, self.t, self.lang)
        bad = set(v.changed) | set(v.missing)
        self.verify_html.value = verify_badge_html(v, self.t)
        self.problems_html.value = self._problems(rec, bad)
        self.report_html.value = self._report(rec, bad)
        self.history_html.value = self._history(rec)
        self._render_buttons(rec, v)
        self.detail_box.layout.display = None

    def _render_buttons(self, rec: Any, v: Any) -> None:
        """Show the decision only to those who may decide; a button that cannot act says why."""
        t = self.t
        shown = None if self.can_decide else "none"
        for widget in (self.decision_title, self.comment_row, self.approve_button, self.return_button):
            widget.layout.display = shown
        why = ""
        own = self.me is not None and rec.submitted_by == self.me.get("name")
        finished = rec.outcome == "succeeded"
        if not self.can_decide:
            why = t("只有主管可以批准或退回运行。", "Only supervisors approve or return runs.")
        elif own:
            why = t("这是您本人提交的运行，须由另一位主管审核（双人复核）。",
                    "You submitted this run: another supervisor must decide (four eyes).")  # fmt: skip
        elif not finished:
            why = t(
                "运行未成功完成，不能审核。", "The run did not finish successfully: it cannot be decided."
            )
        elif rec.status == "approved":
            why = t("该运行已批准。", "This run is already approved.")
        elif not v.ok:
            why = t(
                "文件已更改或缺失，不能批准（可退回）。",
                "Files changed or are missing: it cannot be approved (it can be returned).",
            )
        # each change reaches the page as its own message: the buttons close before their reason
        # shows, and a reason goes before the buttons open (never an open button beside a refusal)
        if not why:
            self.decision_msg.value = ""
        self.approve_button.disabled = bool(why)
        self.return_button.disabled = not self.can_decide or own or not finished
        if why:
            self.decision_msg.value = f'<div class="oqtk-decision-why">{message_html("info", esc(why))}</div>'

    def _unshowable(self, path: Path, bad: set[str]) -> str | None:
        """Why a run file is not shown (it changed since the run, or the run has none), else None."""
        name = path.name
        if name in bad:
            return message_html(
                "error",
                esc(self.t(f"{name} 已更改或缺失，不予显示", f"{name} changed or missing: not shown")),
            )
        if not path.is_file():
            return f"<p>{esc(self.t(f'本次运行没有 {name}', f'This run has no {name}'))}</p>"
        return None

    def _problems(self, rec: Any, bad: set[str]) -> str:
        t = self.t
        title = f"<h5>{esc(t('未通过或待补正的申请', 'Applications not eligible or incomplete'))}</h5>"
        path = rec.run_dir / "results.csv"
        refused = self._unshowable(path, bad)
        if refused:
            return title + refused
        rows, total = attention_rows(path, self.lang)
        if not total:
            return title + f"<p>{esc(t('无', 'None'))}</p>"
        shown = [(k, status_word(s, self.lang), why) for k, s, why in rows]
        more = ""
        if total > len(rows):
            more = f"<p>{esc(t(f'仅显示前{len(rows)}行，共{total}行；完整内容见结果文件', f'First {len(rows)} of {total} rows; the results files hold all'))}</p>"
        headers = [shown_label(k, self.lang) for k in ATTENTION_COLUMNS]
        return title + table_html(headers, shown, css_class="oqtk-table oqtk-problems") + more

    def _report(self, rec: Any, bad: set[str]) -> str:
        """The run's report (review.html) in a sandboxed iframe, unless it changed or is too large."""
        t = self.t
        title = f"<h5>{esc(t('审核报告（执行后的笔记本）', 'Review report (executed notebook)'))}</h5>"
        path = rec.run_dir / "review.html"
        refused = self._unshowable(path, bad)
        if refused:
            return title + refused
        size = path.stat().st_size
        if size > MAX_INLINE_REVIEW_BYTES:
            return (
                title
                + f"<p>{esc(t(f'报告过大（{size}字节），请直接打开：', f'The report is too large to show ({size} bytes); open it directly: '))}{esc(str(path))}</p>"
            )
        doc = path.read_text(encoding="utf-8", errors="replace")
        # srcdoc is an attribute: escape &, <, >, " so the document cannot break out of it;
        # sandbox with no tokens: no scripts, no forms, no same-origin access to this page
        return title + (
            f'<iframe class="oqtk-review" sandbox="" referrerpolicy="no-referrer" '
            f'style="width:100%;height:600px;border:1px solid #999" srcdoc="{esc(doc)}"></iframe>'
        )

    def _history(self, rec: Any) -> str:
        return sign_off_history_html(rec, self.t)

    # --- handlers ---------------------------------------------------------------------------------

    @safe_handler
    def _on_refresh(self, _button: Any = None) -> None:
        self.clear_message()
        self.refresh()

    @safe_handler
    def _on_select(self, change: dict[str, Any]) -> None:
        self.clear_message()
        self.by_row.set_error(None)
        self.comment_row.set_error(None)
        self._render_detail()
        run_id = change["new"]
        if run_id is not None:  # preset the comparison: this run against the previous one of its sheet
            rec = self.register.get_run(run_id)
            same = [r for r in self.register.list_runs() if r.run_id != run_id and r.created_at and rec.created_at
                    and r.created_at <= rec.created_at and ((rec.input_sha256 and r.input_sha256 == rec.input_sha256)
                                                             or (rec.input_name and r.input_name == rec.input_name))]  # fmt: skip
            if any(v == run_id for _, v in self.compare_b.options):
                self.compare_b.value = run_id
            if same and any(v == same[0].run_id for _, v in self.compare_a.options):
                self.compare_a.value = same[0].run_id

    def _require_name(self) -> str | None:
        if self.me is not None:
            return str(self.me["name"])  # shown only; the service records its own login
        name = self.by_name.value.strip()
        if not name:
            self.by_row.set_error("error", self.t("请填写您的姓名", "Type your name"))
            return None
        self.by_row.set_error(None)
        return name

    @safe_handler
    def _on_approve(self, _button: Any = None) -> None:
        self.clear_message()
        self.comment_row.set_error(None)
        run_id = self.run_select.value
        if run_id is None:
            self.show_message("error", "请先选择一个运行", "Choose a run first")
            return
        name = self._require_name()
        if name is None:
            return
        v = self.register.verify_run(run_id)
        if not v.ok:
            files = ", ".join([*v.changed, *v.missing])
            self._render_detail()
            self._decision_error(
                f"拒绝批准：以下文件在运行后被更改或缺失：{files}。请重新运行批量审核，或退回该运行。",
                f"Approval refused: these files changed or are missing since the run wrote them: {files}. "
                "Re-run the batch, or return the run.",
            )
            return
        try:
            self.register.approve(run_id, by=name, comment=self.comment.value.strip() or None)
        except ToolkitError as exc:  # refused by the register or the service: say so by the button
            self.decision_msg.value = message_html("error", esc(str(exc)))
            return
        self.comment.value = ""
        self._after_decision(run_id, "已批准", "Approved")

    @safe_handler
    def _on_return(self, _button: Any = None) -> None:
        self.clear_message()
        run_id = self.run_select.value
        if run_id is None:
            self.show_message("error", "请先选择一个运行", "Choose a run first")
            return
        name = self._require_name()
        comment = self.comment.value.strip()
        if not comment:
            self.comment_row.set_error("error", self.t("退回时须填写理由", "Say why the run is returned"))
        else:
            self.comment_row.set_error(None)
        if name is None or not comment:
            return
        try:
            self.register.return_run(run_id, by=name, comment=comment)
        except ToolkitError as exc:
            self.decision_msg.value = message_html("error", esc(str(exc)))
            return
        self.comment.value = ""
        self._after_decision(run_id, "已退回", "Returned")

    def _decision_error(self, zh: str, en: str) -> None:
        self.decision_msg.value = message_html("error", esc(self.t(zh, en)))

    def _after_decision(self, run_id: str, zh: str, en: str) -> None:
        self.refresh()
        if any(v == run_id for _, v in self.run_select.options):
            self.run_select.value = run_id
        self._render_detail()
        self.decision_msg.value = message_html("ok", esc(self.t(f"{zh}：{run_id}", f"{en}: {run_id}")))

    # --- compare ----------------------------------------------------------------------------------

    @safe_handler
    def _on_compare(self, _button: Any = None) -> None:
        self.clear_message()
        a, b = self.compare_a.value, self.compare_b.value
        if a is None or b is None or a == b:
            self.changes = []
            self._compare_pair = None
            self._render_compare()
            self.show_message("error", "请选择两个不同的运行", "Choose two different runs")
            return
        try:
            self.changes = self.register.compare_runs(a, b)
        except RegisterError:
            self.changes = []
            self._compare_pair = None
            self._render_compare()
            raise
        self._compare_pair = (a, b)
        self._render_compare()

    def _render_compare(self) -> None:
        pair = self._compare_pair
        if pair is None:
            self.compare_html.value = ""
            return
        t, lang = self.t, self.lang
        if not self.changes:
            self.compare_html.value = (
                f"<p>{esc(t('两次运行的结论没有变化。', 'No row changed status between the two runs.'))}</p>"
            )
            return
        self.compare_html.value = changes_html(self.changes, pair, t, lang)
