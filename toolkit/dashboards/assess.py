"""单人评估 Single assessment: the intake fields as a form, the decision with its clauses, the
assessment process as a checklist for this case, and a printable summary for the case file.

The form holds no policy: it builds a :class:`~toolkit.rules.CaseInput`, calls
:func:`~toolkit.rules.assess_case` and :func:`~toolkit.rules.process.process_steps` (the process
and its clauses are data: ``data/policy/process_steps.yaml``) and shows what comes back — the
result pane through :mod:`.result_view`, the summary through :mod:`.summary` (a Jinja template).
Every applicant string goes through :func:`~toolkit.dashboards.base.esc` before it reaches an
``HTML`` widget or the summary.

Field validation (a message next to the field; errors block the assessment, warnings do not):

- a date of birth after today or after the as-of date; a "since" date after the as-of date;
- years that are not a number or are negative; both a "since" date and years for the same
  experience (give one);
- a publicity end without a start, or before the start;
- warnings: an as-of date in the future (a projection), Shanghai experience longer than the
  relevant experience, a round whose List versions do not include the chosen version.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

import ipywidgets as w

from ..clock import today as shanghai_today
from ..rules import (
    CaseInput,
    CaseResult,
    assess_case,
    basic_requirements,
    get_version,
    list_version_to_use,
    list_versions,
    rounds,
    title_series,
)
from ..rules.process import Step, process_steps
from ..vocab import DEGREES, EMPLOYER_TYPES, HOLDER_TYPES, LEVELS, label
from . import result_view as view
from .base import Form, esc, message_html, safe_handler
from .summary import summary_document
from .widgets import FieldRow, data_link, publicity_days, relabel, tri_options

__all__ = ["AssessForm"]

# --- the form ---------------------------------------------------------------------------------


def _parse_years(text: str) -> float | None:
    """Blank → None; a number (full-width digits accepted) → float; else ValueError."""
    s = unicodedata.normalize("NFKC", text or "").strip()
    if not s:
        return None
    value = float(s)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(s)
    return value


def _split_certificates(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in re.split(r"[;；\n]+", text or "") if p.strip())


def _safe_filename(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._")[:60] or "case"


class AssessForm(Form):
    """单人评估 Single assessment.

    Inputs (set ``.value`` in tests): ``application_id``, ``full_name``, ``holder_type``, ``hukou``,
    ``date_of_birth``, ``certificate`` (``;`` or ``；`` between several), ``verified``, ``degree``,
    ``science_degree``, ``series``, ``level`` (None = highest open), ``relevant_since``,
    ``relevant_years`` (text), ``shanghai_since``, ``shanghai_years`` (text), ``employer_type``,
    ``recommended``, ``previous_round``, ``round``, ``publicity_start``, ``publicity_end``,
    ``as_of``, ``list_version``. ``rows[name]`` is each field's row (``.error_text``).

    Action: ``assess_button.click()``. Outputs: ``result`` / ``case`` / ``steps`` (the last
    assessment), and HTML widgets ``status_html``, ``services_html``, ``title_html``,
    ``missing_html``, ``publicity_html``, ``checklist_html``, ``download_html``, ``list_notice``,
    ``message``; ``summary_html()`` is the printable summary.
    """

    def __init__(self, *, today: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._today = today or shanghai_today()
        self.result: CaseResult | None = None
        self.case: CaseInput | None = None
        self.steps: list[Step] = []
        self._setting_version = False
        self._version_chosen = False
        self._build_fields()
        self._build_result_pane()
        self._lay_out()
        self._render_labels()
        for name in self.rows:
            getattr(self, name).observe(self._on_field_change, names="value")
        self.as_of.observe(self._on_as_of, names="value")
        self.list_version.observe(self._on_version, names="value")

    def _build_fields(self) -> None:
        """The intake fields, each in a labelled row with a slot for its message."""
        lay = w.Layout(width="320px")
        self.application_id = w.Text(layout=lay)
        self.full_name = w.Text(layout=lay)
        self.holder_type = w.Dropdown(layout=lay)
        self.hukou = w.Dropdown(layout=lay)
        self.date_of_birth = w.DatePicker(layout=lay)
        self.certificate = w.Combobox(ensure_option=False, layout=lay)
        self.verified = w.Dropdown(layout=lay)
        self.degree = w.Dropdown(layout=lay)
        self.science_degree = w.Dropdown(layout=lay)
        self.series = w.Dropdown(layout=lay)
        self.level = w.Dropdown(layout=lay)
        self.relevant_since = w.DatePicker(layout=lay)
        self.relevant_years = w.Text(layout=lay)
        self.shanghai_since = w.DatePicker(layout=lay)
        self.shanghai_years = w.Text(layout=lay)
        self.employer_type = w.Dropdown(layout=lay)
        self.recommended = w.Dropdown(layout=lay)
        self.previous_round = w.Dropdown(layout=lay)
        self.round = w.Dropdown(layout=lay)
        self.publicity_start = w.DatePicker(layout=lay)
        self.publicity_end = w.DatePicker(layout=lay)
        self.as_of = w.DatePicker(value=self._today, layout=lay)
        self.list_version = w.Dropdown(options=list(list_versions()), layout=lay)
        self.list_notice = w.HTML()
        self._set_version(list_version_to_use(self._today).version.version)
        # the officer's ticks on the basic requirements (items from data/policy/basic_requirements.yaml)
        self.basic: dict[str, w.Dropdown] = {}
        for req in basic_requirements():
            self.basic[req.code] = w.Dropdown(layout=lay)
            setattr(self, f"basic_{req.code}", self.basic[req.code])

        self.rows: dict[str, FieldRow] = {
            name: FieldRow(getattr(self, name))
            for name in (
                "application_id", "full_name", "holder_type", "hukou", "date_of_birth", "certificate", "verified",
                "degree", "science_degree", "series", "level", "relevant_since", "relevant_years",
                "shanghai_since", "shanghai_years", "employer_type", "recommended", "previous_round", "round",
                "publicity_start", "publicity_end", "as_of", "list_version",
                *(f"basic_{code}" for code in self.basic),
            )
        }  # fmt: skip

    def _build_result_pane(self) -> None:
        """The button, the decision beside it, and the result pane beside the form."""
        self.heading = w.HTML()
        self.section_titles = {
            k: w.HTML() for k in ("applicant", "qualification", "title", "basic", "process", "basis")
        }
        self.assess_button = w.Button(button_style="primary", icon="check")
        self.assess_button.on_click(self._on_assess)
        self.status_html = w.HTML()
        self.services_html = w.HTML()
        self.title_html = w.HTML()
        self.missing_html = w.HTML()
        self.publicity_html = w.HTML()
        self.checklist_html = w.HTML()
        self.download_html = w.HTML()
        self.result_box = w.VBox(
            [self.status_html, self.services_html, self.title_html, self.missing_html, self.publicity_html,
             self.checklist_html, self.download_html],
            layout=w.Layout(display="none", flex="1 1 0", min_width="300px", padding="0 0 0 16px"),
        )  # fmt: skip
        # the result sits beside the form (sticky in the page: templates/voila … .oqtk-result-pane),
        # and the decision is repeated next to the button that asked for it
        self.result_box.add_class("oqtk-result-pane")
        self.decision = w.HTML(layout=w.Layout(margin="0 0 0 12px"))
        self.button_note = w.HTML(layout=w.Layout(margin="0 0 0 12px"))
        self.button_note.add_class("oqtk-button-note")
        self.decision.add_class("oqtk-decision")

    def _lay_out(self) -> None:
        r = self.rows
        form_column = w.VBox(
            [
            self.section_titles["applicant"], r["application_id"], r["full_name"], r["holder_type"], r["hukou"],
            r["date_of_birth"],
            self.section_titles["qualification"], r["certificate"], r["verified"],
            self.section_titles["title"], r["degree"], r["science_degree"], r["series"], r["level"],
            r["relevant_since"], r["relevant_years"], r["shanghai_since"], r["shanghai_years"], r["employer_type"],
            r["recommended"], r["previous_round"], r["round"],
            self.section_titles["basic"], *(r[f"basic_{code}"] for code in self.basic),
            self.section_titles["process"], r["publicity_start"], r["publicity_end"],
            self.section_titles["basis"], r["as_of"], r["list_version"], self.list_notice,
            w.HBox([self.assess_button, self.button_note, self.decision], layout=w.Layout(align_items="center")), self.message,
            ],
            layout=w.Layout(flex="0 1 640px", min_width="560px"),
        )  # fmt: skip
        self.children = [
            self.heading,
            w.HBox(
                [form_column, self.result_box],
                layout=w.Layout(flex_flow="row nowrap", align_items="flex-start"),
            ),
        ]

    # --- labels ---------------------------------------------------------------------------

    @safe_handler  # also runs on a language switch: never let it raise into the toggle
    def _render_labels(self) -> None:
        self._relabel_options()
        self._label_rows()
        t = self.t
        self.certificate.placeholder = t("如：FCCA", "e.g. FCCA")
        self.relevant_years.placeholder = self.shanghai_years.placeholder = t("如：3.5", "e.g. 3.5")
        self.heading.value = (
            f"<h3>{esc(t('单人评估', 'Single assessment'))}</h3>"
            f"<p style='color:#555'>{esc(t('填写申请信息后点击“评估”。结论依据所选清单版本与政策数据，以中文版通知为准。', 'Fill in the application and click Assess. The result follows the chosen List version and policy data; the Chinese version of the notice prevails.'))}</p>"
        )
        titles = {
            "applicant": ("申请人", "Applicant"),
            "qualification": ("境外职业资格", "Overseas qualification"),
            "title": ("职称申报", "Title application"),
            "basic": ("基本条件（经办人核对）", "Basic requirements (the officer checks)"),
            "process": ("公示", "Publicity"),
            "basis": ("评估依据", "Basis of the assessment"),
        }
        for k, (zh, en) in titles.items():
            self.section_titles[k].value = f"<h4 style='margin:10px 0 2px'>{esc(t(zh, en))}</h4>"
        self.assess_button.description = t("评估", "Assess")
        self._render_list_notice()
        self._validate()
        self._render_result()

    def _relabel_options(self) -> None:
        """Every dropdown's options in the current language (the chosen values kept)."""
        lang = self.lang
        t = self.t
        none = t("（未填）", "(not given)")
        relabel(self.holder_type, [(none, None), *((label(c, HOLDER_TYPES, lang), c) for c in HOLDER_TYPES)])
        relabel(self.degree, [(none, None), *((label(c, DEGREES, lang), c) for c in DEGREES)])
        relabel(
            self.employer_type, [(none, None), *((label(c, EMPLOYER_TYPES, lang), c) for c in EMPLOYER_TYPES)]
        )
        relabel(self.series, [(t("（不申报职称）", "(no title application)"), None),
                              *((t(s.name_zh, s.name_en), code) for code, s in title_series().items())])  # fmt: skip
        relabel(
            self.level,
            [
                (t("最高可申报级别", "Highest level open"), None),
                *((label(c, LEVELS, lang), c) for c in LEVELS),
            ],
        )
        relabel(self.round, [(t("（不指定批次）", "(no round)"), None),
                             *((t(r.name_zh, r.name_en), rid) for rid, r in rounds().items())])  # fmt: skip
        for dd in (self.hukou, self.verified, self.science_degree, self.recommended, self.previous_round):
            relabel(dd, tri_options(lang))
        for req in basic_requirements():
            relabel(self.basic[req.code], [(t("（待核对）", "(to check)"), None), (t("符合", "Met"), True),
                                           (t("不符合", "Not met"), False)])  # fmt: skip

    def _label_rows(self) -> None:
        """Each field's label and hint (a table of data)."""
        t = self.t
        labels = {
            "application_id": ("申请编号", "Application ID", "", ""),
            "full_name": ("姓名", "Name", "", ""),
            "holder_type": ("人员类别", "Holder type", "", ""),
            "hukou": ("是否上海户籍", "Shanghai hukou", "", ""),
            "date_of_birth": ("出生日期", "Date of birth", "", ""),
            "certificate": ("境外职业资格证书", "Overseas certificate(s)", "可输入名称或缩写；多个证书用“；”分隔",
                            "Name or abbreviation; separate several with ';'"),
            "verified": ("已在核验平台核验", "Verified on the platform", "", ""),
            "degree": ("学历学位", "Degree", "", ""),
            "science_degree": ("理工科学位", "Science or engineering degree", "", ""),
            "series": ("申报职称系列", "Title series", "", ""),
            "level": ("申报级别", "Requested level", "不选则按最高可申报级别", "Blank = the highest level open"),
            "relevant_since": ("相关工作起始日期", "Relevant work since", "与年限二选一", "Give this or the years"),
            "relevant_years": ("相关工作年限", "Relevant work, years", "与起始日期二选一", "Give this or the date"),
            "shanghai_since": ("在沪相关工作起始日期", "Relevant work in Shanghai since", "与年限二选一", "Give this or the years"),
            "shanghai_years": ("在沪相关工作年限", "Relevant work in Shanghai, years", "与起始日期二选一", "Give this or the date"),
            "employer_type": ("单位性质", "Employer type", "", ""),
            "recommended": ("主管部门推荐", "Supervising authority's recommendation", "事业单位人员须填写",
                            "Needed for public-institution staff"),
            "previous_round": ("曾参加往期评审", "Took part in an earlier round", "", ""),
            "round": ("评审批次", "Round", "可选", "Optional"),
            "publicity_start": ("公示开始日期", "Publicity start", "", ""),
            "publicity_end": ("公示结束日期", "Publicity end", f"不填则按{publicity_days(self.as_of.value)}个工作日计算",
                              f"Blank = computed ({publicity_days(self.as_of.value)} working days)"),
            "as_of": ("评估日期", "As of", "", ""),
            "list_version": ("清单版本", "List version", "默认为评估日有效版本", "Default: the version in force on the as-of date"),
        }  # fmt: skip
        for name, (zh, en, hzh, hen) in labels.items():
            self.rows[name].set_label(t(zh, en), t(hzh, hen))
        for req in basic_requirements():
            applies = t("仅事业单位人员", "Public-institution staff only") if req.applies_to else ""
            self.rows[f"basic_{req.code}"].set_label(req.text(self.lang), applies)

    def _render_list_notice(self) -> None:
        if not self.list_version.value:
            self.list_notice.value = ""
            return
        v = get_version(self.list_version.value)
        notices = [v.partial_notice(self.lang)]
        choice = self._version_choice()
        if choice is not None and choice.finding is not None:  # the one in force has no entries yet
            notices.insert(0, choice.finding.text(self.lang))
        self.list_notice.value = "".join(message_html("warning", esc(n)) for n in notices if n)

    def _version_choice(self) -> Any:
        """:func:`toolkit.rules.list_version_to_use` for the review date while the officer has not
        picked a version by hand and the dropdown holds its choice; else ``None``."""
        if self._version_chosen or self.as_of.value is None:
            return None
        try:
            choice = list_version_to_use(self.as_of.value)
        except Exception:  # no List in force on that date: validation says so
            return None
        return choice if choice.version.version == self.list_version.value else None

    def _set_version(self, version: str) -> None:
        self._setting_version = True
        try:
            self.list_version.value = version
        finally:
            self._setting_version = False
        self._refresh_certificate_options()

    def _refresh_certificate_options(self) -> None:
        # the chosen version's entries first, then other versions' (a partial List may lack them;
        # the assessment still says where the certificate stands on the chosen version)
        chosen = self.list_version.value
        entries = [*get_version(chosen).entries]
        entries += [e for v, lv in reversed(list_versions().items()) if v != chosen for e in lv.entries]
        names: list[str] = []
        for e in entries:
            for n in (e.name_zh, *e.abbreviations, e.name_en):
                if n not in names:
                    names.append(n)
        self.certificate.options = names

    # --- validation -----------------------------------------------------------------------

    def _problems(self) -> dict[str, tuple[str, str, str]]:
        """Field name → (kind, zh, en) for every field with a problem now."""
        out: dict[str, tuple[str, str, str]] = {}
        self._date_problems(out)
        years = self._years_problems(out)
        if "shanghai_years" not in out and "relevant_years" not in out:
            rs, ss = self.relevant_since.value, self.shanghai_since.value
            ry, sy = years.get("relevant"), years.get("shanghai")
            if (rs and ss and ss < rs) or (ry is not None and sy is not None and sy > ry):
                out.setdefault(
                    "shanghai_years" if sy is not None else "shanghai_since",
                    (
                        "warning",
                        "在沪相关工作长于相关工作总年限，请核对",
                        "Shanghai work is longer than all relevant work: check",
                    ),
                )
        self._publicity_and_round_problems(out)
        return out

    def _date_problems(self, out: dict[str, tuple[str, str, str]]) -> None:
        as_of = self.as_of.value
        today = self._today
        if as_of is None:
            out["as_of"] = ("error", "请填写评估日期", "Give the as-of date")
        elif as_of > today:
            out["as_of"] = (
                "warning",
                f"评估日期晚于今天（{today.isoformat()}），结果为预测",
                f"The as-of date is after today ({today.isoformat()}): the result is a projection",
            )
        dob = self.date_of_birth.value
        if dob is not None:
            if dob > today:
                out["date_of_birth"] = (
                    "error",
                    "出生日期不能是将来的日期",
                    "The date of birth cannot be in the future",
                )
            elif as_of is not None and dob > as_of:
                out["date_of_birth"] = (
                    "error",
                    "出生日期晚于评估日期",
                    "The date of birth is after the as-of date",
                )

    def _years_problems(self, out: dict[str, tuple[str, str, str]]) -> dict[str, float | None]:
        """The two experiences: years that are no number, negative, or given beside a date; a
        start after the as-of date. Returns the years read."""
        as_of = self.as_of.value
        years: dict[str, float | None] = {}
        for kind in ("relevant", "shanghai"):
            since = getattr(self, f"{kind}_since").value
            text = getattr(self, f"{kind}_years").value
            try:
                years[kind] = _parse_years(text)
            except ValueError:
                years[kind] = None
                out[f"{kind}_years"] = (
                    "error",
                    "年限须为数字（如 3 或 3.5）",
                    "Years must be a number (e.g. 3 or 3.5)",
                )
            else:
                if years[kind] is not None and years[kind] < 0:  # type: ignore[operator]
                    out[f"{kind}_years"] = ("error", "年限不能为负数", "Years cannot be negative")
                elif years[kind] is not None and since is not None:
                    out[f"{kind}_years"] = (
                        "error",
                        "起始日期与年限只填其一",
                        "Give either the start date or the years, not both",
                    )
            if since is not None and as_of is not None and since > as_of:
                out[f"{kind}_since"] = (
                    "error",
                    f"起始日期晚于评估日期（{as_of.isoformat()}）",
                    f"The start date is after the as-of date ({as_of.isoformat()})",
                )
        return years

    def _publicity_and_round_problems(self, out: dict[str, tuple[str, str, str]]) -> None:
        ps, pe = self.publicity_start.value, self.publicity_end.value
        if pe is not None and ps is None:
            out["publicity_end"] = ("error", "请先填写公示开始日期", "Give the publicity start date first")
        elif pe is not None and ps is not None and pe < ps:
            out["publicity_end"] = (
                "error",
                "公示结束日期早于开始日期",
                "The publicity end is before its start",
            )
        rid = self.round.value
        if rid is not None and self.list_version.value not in rounds()[rid].list_versions:
            r = rounds()[rid]
            out["round"] = (
                "warning",
                f"{r.name_zh}面向{'、'.join(r.list_versions)}版清单证书",
                f"{r.name_en} is for certificates on List {', '.join(r.list_versions)}",
            )

    def _validate(self) -> bool:
        """Show each field's problem next to it; True when no field has an error."""
        problems = self._problems()
        for name, row in self.rows.items():
            if name in problems:
                kind, zh, en = problems[name]
                row.set_error(kind, self.t(zh, en))
            else:
                row.set_error(None)
        errors = [name for name, (kind, _, _) in problems.items() if kind == "error"]
        # a button that cannot act is disabled and says why, beside it
        self.assess_button.disabled = bool(errors)
        why_zh = f"请先更正标出的{len(errors)}个字段" if errors else ""
        why_en = f"Correct the {len(errors)} marked field(s) first" if errors else ""
        self.assess_button.tooltip = self.t(why_zh, why_en)
        self.button_note.value = message_html("error", esc(self.t(why_zh, why_en))) if errors else ""
        return not errors

    def field_errors(self) -> dict[str, str]:
        """Field name → the message shown next to it (plain text, current language)."""
        return {name: self.t(zh, en) for name, (_kind, zh, en) in self._problems().items()}

    # --- handlers ---------------------------------------------------------------------------

    @safe_handler
    def _on_field_change(self, _change: dict[str, Any]) -> None:
        self._validate()

    @safe_handler
    def _on_as_of(self, change: dict[str, Any]) -> None:
        if change["new"] is not None and not self._version_chosen:
            try:
                self._set_version(list_version_to_use(change["new"]).version.version)
            except Exception:  # no List in force then: leave the chosen version, validation says so
                return
        self._render_list_notice()  # the version may be the same, its reason not

    @safe_handler
    def _on_version(self, _change: dict[str, Any]) -> None:
        if not self._setting_version:
            self._version_chosen = True
        self._refresh_certificate_options()
        self._render_list_notice()

    def build_case(self) -> CaseInput:
        """The :class:`CaseInput` the fields describe (call after validation)."""
        return CaseInput(
            application_id=self.application_id.value.strip() or None,
            full_name=self.full_name.value.strip() or None,
            holder_type=self.holder_type.value,
            shanghai_hukou=self.hukou.value,
            date_of_birth=self.date_of_birth.value,
            qualifications=_split_certificates(self.certificate.value),
            verified=self.verified.value,
            degree=self.degree.value,
            science_or_engineering_degree=self.science_degree.value,
            title_series=self.series.value,
            title_level=self.level.value,
            relevant_since=self.relevant_since.value,
            relevant_years=_parse_years(self.relevant_years.value),
            shanghai_since=self.shanghai_since.value,
            shanghai_years=_parse_years(self.shanghai_years.value),
            employer_type=self.employer_type.value,
            recommended_by_authority=self.recommended.value,
            previous_round=self.previous_round.value,
            publicity_start=self.publicity_start.value,
            publicity_end=self.publicity_end.value,
            round_id=self.round.value,
            basic_requirements=tuple(
                (code, dd.value) for code, dd in self.basic.items() if dd.value is not None
            ),
        )

    @safe_handler
    def _on_assess(self, _button: w.Button | None = None) -> None:
        self.clear_message()
        if not self._validate():
            self.result = self.case = None
            self.steps = []
            self._render_result()
            self.show_message(
                "error", "请更正标出的字段后再评估", "Correct the marked fields, then assess again"
            )
            return
        case = self.build_case()
        result = assess_case(case, self.as_of.value, self._version_choice() or self.list_version.value)
        self.case, self.result = case, result
        self.steps = process_steps(case, result)
        self._render_result()

    # --- output ---------------------------------------------------------------------------

    def _render_result(self) -> None:
        panes = (self.status_html, self.services_html, self.title_html, self.missing_html, self.publicity_html,
                 self.checklist_html, self.download_html)  # fmt: skip
        if self.result is None or self.case is None:
            self.result_box.layout.display = "none"
            self.decision.value = ""
            for h in panes:
                h.value = ""
            return
        lang, r, t = self.lang, self.result, self.t
        self.decision.value = message_html(
            view.STATUS_KIND[r.status],
            f"<b>{esc(r.headline(lang))}</b> "
            f"<span style='color:#555'>{esc(t('（详情见右侧结果栏）', '(details in the result pane)'))}</span>",
        )
        seen: set[str] = set()  # each clause quoted once in the result
        sections = (
            (t("评估结论", "Result"), view.status_html(r, lang, seen)),
            (
                t("可享受的服务及须核对事项", "Services for this holder, and what to check"),
                view.services_html(r, lang),
            ),
            (t("职称评估", "Title eligibility"), view.title_html(r, lang, seen)),
            (t("缺项与须核对事项", "Missing and to check"), view.missing_html(r, lang)),
            (t("公示期", "Publicity"), view.publicity_html(r, lang)),
            (t("评审流程（本案）", "Assessment process (this case)"), view.checklist_html(self.steps, lang)),
        )
        for widget, (title, body) in zip(panes, sections, strict=False):
            widget.value = view.section(title, body)
        name = f"assessment-{_safe_filename(self.case.application_id or 'case')}-{r.as_of.isoformat()}.html"
        self.download_html.value = data_link(self.summary_html().encode("utf-8"), name,
                                             t("下载评估摘要（可打印）", "Download the printable summary"))  # fmt: skip
        self.result_box.layout.display = None

    def summary_html(self) -> str:
        """The printable case-file summary of the last assessment ('' before one)."""
        if self.result is None or self.case is None:
            return ""
        return summary_document(self.case, self.result, self.steps)
