"""The batch-review report: what ``notebooks/batch_review.ipynb`` shows, and so what supervisors read.

The notebook stays thin (three calls)::

    run = report.run_review(intake_path, as_of, list_version, lang, output_dir)
    report.show(run)          # the report: parameters, input, versions, counts, charts, tables
    report.emit_summary(run)  # machine-readable summary for the run manifest (hidden in the HTML)

Everything an applicant typed (application ids, names, reasons quoting cell values, the file
name) is HTML-escaped before it is displayed, its control characters made visible. Tables longer than :data:`MAX_ROWS_SHOWN` rows
are cut in the report with a note; ``results.xlsx`` / ``results.csv`` hold every row.

This module imports pandas and IPython only inside the functions that need them,
so :func:`versions` is cheap to call from the batch runner.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import html
import importlib.metadata
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import clock
from ..exceptions import ParameterError
from ..paths import REPO_ROOT, data_dir
from ..textsafe import visible_controls
from ..vocab import CATEGORIES, LEVEL_ORDER, LEVELS, STATUSES

__all__ = [
    "MAX_ROWS_SHOWN",
    "PARAMETER_LABELS",
    "SUMMARY_MIME",
    "SUMMARY_TAG",
    "ReviewRun",
    "calendar_version",
    "emit_summary",
    "report_parts",
    "resolve_parameters",
    "rules_data_hash",
    "run_review",
    "show",
    "summary",
    "today_cst",
    "versions",
]

#: Mimetype of the summary output the batch runner reads from the executed notebook.
SUMMARY_MIME = "application/vnd.oqtk.summary+json"
#: Tag of the notebook cell that emits the summary (removed from the HTML report).
SUMMARY_TAG = "oqtk-summary"
#: Longest table shown in the report; the results files hold every row.
MAX_ROWS_SHOWN = 200
LANGS = ("zh", "en")

#: parameter name → (zh, en), in the order the report shows them.
PARAMETER_LABELS: dict[str, tuple[str, str]] = {
    "intake_path": ("申报汇总表", "Intake sheet"),
    "as_of": ("审核基准日", "Review date"),
    "list_version": ("清单版本", "List version"),
    "lang": ("结果文件语言", "Results language"),
    "output_dir": ("输出文件夹", "Output folder"),
}
VERSION_LABELS: dict[str, tuple[str, str]] = {
    "toolkit": ("工具版本", "Toolkit"),
    "rules_data": ("政策数据指纹", "Rules data (fingerprint)"),
    "list": ("清单版本", "List version"),
    "calendar": ("日历库版本", "Calendar libraries"),
}
_NO_TITLE = ("无职称评审资格", "No title")


# ---------------------------------------------------------------------------------------------
# Versions and parameters
# ---------------------------------------------------------------------------------------------
def today_cst() -> dt.date:
    """Today in Shanghai (UTC+8), whatever the machine's time zone."""
    return clock.today()


def rules_data_hash(root: Path | None = None) -> str:
    """A short SHA-256 over the policy-data tree (``data/``): every file's relative path and bytes.

    Example sheets (``data/examples/``), hidden files and caches are left out: they are not
    rules. Any change to a policy parameter, the List or the calendar data changes the hash, and
    so does a file imported into the bureau's data folder (``toolkit.paths.bureau_data_dir``).
    """
    if root is None:  # the data in force: the shipped folder and the bureau's own (imports), if any
        from ..paths import bureau_data_dir

        own = bureau_data_dir()
        return _tree_hash(data_dir(), *([own] if own.is_dir() and any(own.rglob("*.yaml")) else []))
    return _tree_hash(Path(root))


def _tree_hash(root: Path, *more: Path) -> str:
    h = hashlib.sha256()
    for extra in more:  # the bureau's folder, under its own prefix
        for p in sorted(q for q in extra.rglob("*") if q.is_file() and not q.name.startswith(".")):
            h.update(b"bureau/" + p.relative_to(extra).as_posix().encode("utf-8") + b"\0")
            h.update(hashlib.sha256(p.read_bytes()).hexdigest().encode("ascii") + b"\n")
    files = sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and not any(
            part.startswith(".") or part in ("examples", "__pycache__") for part in p.relative_to(root).parts
        )
    )
    for p in files:
        h.update(p.relative_to(root).as_posix().encode("utf-8") + b"\0")
        h.update(hashlib.sha256(p.read_bytes()).hexdigest().encode("ascii") + b"\n")
    return h.hexdigest()[:12]


def calendar_version() -> str:
    """The calendar libraries the working-day rules rest on, e.g. ``holidays 0.109 / chinesecalendar 1.11.0``."""

    def v(dist: str) -> str:
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            return "?"

    return f"holidays {v('holidays')} / chinesecalendar {v('chinesecalendar')}"


def versions(list_version: str) -> dict[str, str]:
    """The manifest's ``versions`` block: toolkit, rules data, List and calendar."""
    from ..version import __version__

    return {
        "toolkit": __version__,
        "rules_data": rules_data_hash(),
        "list": str(list_version),
        "calendar": calendar_version(),
    }


def _find_input(path: str) -> Path:
    """An absolute path as given; a relative one from the working folder, else from the repository."""
    p = Path(path).expanduser()
    if p.is_absolute() or p.exists():
        return p.absolute()
    return REPO_ROOT / p if (REPO_ROOT / p).exists() else p.absolute()


def resolve_parameters(
    intake_path: str,
    as_of: str | dt.date | None = "",
    list_version: str | None = "",
    lang: str = "zh",
    output_dir: str = "",
) -> dict[str, str]:
    """The parameters as the run uses them: an absolute path, a concrete date and List version.

    An empty ``as_of`` is today in Shanghai; an empty ``list_version`` is the version in force on
    ``as_of``. Raises :class:`ParameterError` for a bad date, an unknown version or language.
    """
    from ..rules import list_versions, version_in_force

    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    if isinstance(as_of, dt.date):
        day = as_of
    elif as_of in (None, ""):
        day = today_cst()
    elif isinstance(as_of, str):
        try:
            day = dt.date.fromisoformat(as_of.strip())
        except ValueError:
            raise ParameterError(
                f"as_of: 不是有效日期 / not a valid date: {as_of!r} (use YYYY-MM-DD)"
            ) from None
    else:
        raise ParameterError(
            f"as_of: 应为日期 YYYY-MM-DD / must be a date (YYYY-MM-DD), not {type(as_of).__name__}"
        )
    if list_version in (None, ""):
        version = version_in_force(day).version
    elif isinstance(list_version, str):
        known = list_versions()
        if list_version not in known:
            raise ParameterError(
                f"list_version: 未知的清单版本 / unknown List version {list_version!r} "
                f"(known: {', '.join(known)})"
            )
        version = list_version
    else:
        raise ParameterError(f"list_version: 应为文本 / must be text, not {type(list_version).__name__}")
    if lang not in LANGS:
        raise ParameterError(f"lang: 应为 / must be one of {list(LANGS)}, not {lang!r}")
    if not isinstance(intake_path, str | os.PathLike) or not str(intake_path).strip():
        raise ParameterError("intake_path: 必须填写申报汇总表路径 / the intake sheet path is required")
    if not isinstance(output_dir, str | os.PathLike):
        raise ParameterError(f"output_dir: 应为文本 / must be text, not {type(output_dir).__name__}")
    return {
        "intake_path": str(_find_input(str(intake_path))),
        "as_of": day.isoformat(),
        "list_version": version,
        "lang": lang,
        "output_dir": str(Path(output_dir).expanduser().absolute()) if str(output_dir) else "",
    }


# ---------------------------------------------------------------------------------------------
# The run (inside the notebook)
# ---------------------------------------------------------------------------------------------
@dataclass
class ReviewRun:
    """One review as the notebook ran it: parameters used, the review, versions and files written."""

    parameters: dict[str, str]
    review: Any  # toolkit.intake.IntakeReview
    versions: dict[str, str]
    outputs: dict[str, Path] = field(default_factory=dict)

    @property
    def input_name(self) -> str:
        return Path(self.parameters["intake_path"]).name


def preload(intake_path: str | None = None) -> None:
    """Import what a review needs and read the policy data it reads first; never raises.

    Each ``oqtk batch`` kernel runs this while it waits for its notebook (:mod:`toolkit.batch.kernels`):
    the modules and files the notebook's first cell would load, loaded earlier. Given its sheet's
    path, it first has that workbook parsed in a background thread
    (:func:`toolkit.intake.reader.prefetch`), which the notebook's read uses only if the file's
    bytes are still the same. No date or parameter is touched and no name is bound. Should
    anything fail here, the notebook's own call fails the same way, in the record.
    """
    with contextlib.suppress(Exception):
        if intake_path:
            from ..intake.reader import prefetch

            prefetch(intake_path)
    with contextlib.suppress(Exception):
        from .. import rules
        from ..calendar import workdays
        from ..intake import review, writer  # noqa: F401
        from ..intake.schema import intake_schema

        intake_schema()
        rules.list_versions()
        rules.rounds()
        workdays.covered_years()


def run_review(
    intake_path: str,
    as_of: str = "",
    list_version: str = "",
    lang: str = "zh",
    output_dir: str = "",
) -> ReviewRun:
    """Review one intake sheet and, when ``output_dir`` is given, write ``results.xlsx`` / ``results.csv``."""
    from ..intake import review_intake, write_results

    params = resolve_parameters(intake_path, as_of, list_version, lang, output_dir)
    review = review_intake(
        params["intake_path"],
        as_of=dt.date.fromisoformat(params["as_of"]),
        list_version=params["list_version"],
    )
    outputs: dict[str, Path] = {}
    if params["output_dir"]:
        outputs = dict(write_results(review, params["output_dir"], lang=lang))
    return ReviewRun(params, review, versions(params["list_version"]), outputs)


def summary(run: ReviewRun) -> dict[str, Any]:
    """What the batch runner copies into ``manifest.json`` (plain JSON values)."""
    review = run.review
    counts = {k: int(review.counts.get(k, 0)) for k in STATUSES}
    counts.update({str(k): int(v) for k, v in review.counts.items() if k not in counts})
    return {
        "parameters": dict(run.parameters),
        "input": {"path": str(review.path), "name": Path(review.path).name, "sha256": review.sha256},
        "versions": dict(run.versions),
        "rows_in": int(review.rows_in),
        "rows_out": len(review.rows),
        "sheets_not_reviewed": [o.to_dict() for o in getattr(review, "other_sheets", ())],
        "counts": counts,
        "outputs": sorted(Path(p).name for p in run.outputs.values()),
    }


def emit_summary(run: ReviewRun) -> None:
    """Display :func:`summary` under :data:`SUMMARY_MIME` (the batch runner reads it; the HTML drops it)."""
    from IPython.display import display

    display({SUMMARY_MIME: summary(run)}, raw=True)


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------
def _e(value: object) -> str:
    """Escaped for HTML, control characters made visible (:mod:`toolkit.textsafe`)."""
    return html.escape(visible_controls("" if value is None else str(value)), quote=True)


def _visible(v: Any) -> Any:
    return visible_controls(v) if isinstance(v, str) else v


def _kv_table(rows: Iterable[tuple[str, object]], head: tuple[str, str]) -> str:
    body = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    return (
        f'<table class="oqtk-kv"><thead><tr><th>{_e(head[0])}</th><th>{_e(head[1])}</th></tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def _h(level: int, zh: str, en: str) -> str:
    return f"<h{level}>{_e(zh)} / {_e(en)}</h{level}>"


def _bi(pair: tuple[str, str]) -> str:
    return f"{pair[0]} / {pair[1]}"


def _frame_html(frame: Any, what: tuple[str, str], total: int | None = None) -> str:
    """A DataFrame as an escaped HTML table, cut at :data:`MAX_ROWS_SHOWN` rows with a note.

    ``total`` is the full number of rows when ``frame`` holds only the first ones.
    """
    n = len(frame) if total is None else total
    if n == 0:
        return f"<p>无{_e(what[0])} / No {_e(what[1])}.</p>"
    shown = frame.head(MAX_ROWS_SHOWN).map(_visible)  # applicants' text: no raw control characters
    table = shown.to_html(index=False, escape=True, na_rep="", border=0)
    note = ""
    if n > MAX_ROWS_SHOWN:
        note = (
            f"<p><em>仅显示前 {MAX_ROWS_SHOWN} 行（共 {n} 行），完整内容见 results.xlsx / results.csv。"
            f" Showing the first {MAX_ROWS_SHOWN} of {n} rows; the results files hold all of them.</em></p>"
        )
    return note + f'<div class="oqtk-table">{table}</div>'


def _bars_svg(title: str, items: list[tuple[str, str, int]], colors: list[str]) -> str:
    """One bar chart as inline SVG: (key, label, value) per bar; text is escaped, values kept as data."""
    width, height, top, bottom, left = 440, 230, 34, 46, 16
    n = max(len(items), 1)
    slot = (width - 2 * left) / n
    peak = max([v for _k, _l, v in items] + [1])
    plot_h = height - top - bottom
    out = [
        f'<svg class="oqtk-chart" role="img" aria-label="{_e(title)}" xmlns="http://www.w3.org/2000/svg" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'style="font-family:sans-serif;font-size:12px;margin:4px 12px 4px 0">',
        f'<text x="{width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">{_e(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - left}" y2="{top + plot_h}" stroke="#999"/>',
    ]
    for i, (key, label, value) in enumerate(items):
        h = plot_h * value / peak
        x = left + i * slot + slot * 0.15
        w = slot * 0.7
        y = top + plot_h - h
        out.append(
            f'<rect data-key="{_e(key)}" data-value="{value}" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" '
            f'height="{h:.1f}" fill="{colors[i % len(colors)]}"><title>{_e(label)}: {value}</title></rect>'
            f'<text x="{x + w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle">{value}</text>'
            f'<text x="{x + w / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle">{_e(label)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def chart_svg(counts: Mapping[str, int], levels: Mapping[str, int], lang: str = "zh") -> str:
    """Two bar charts as inline SVG: applications by status, and eligible title levels.

    SVG text is drawn by the reader's browser with its own fonts, so Chinese renders wherever the
    report is opened, with no font files and no plotting library in the kernel (matplotlib with a
    CJK font cost about 5 s per run).
    """
    i = 1 if lang == "en" else 0
    status_items = [(k, STATUSES[k][i], int(counts.get(k, 0))) for k in STATUSES]
    l_keys = [*(k for k in levels if k not in LEVELS), *LEVEL_ORDER]
    level_items = [
        (k, LEVELS[k][i] if k in LEVELS else _NO_TITLE[i] if k == "" else str(k), int(levels.get(k, 0)))
        for k in l_keys
    ]
    return (
        '<div class="oqtk-report oqtk-charts" style="display:flex;flex-wrap:wrap">'
        + _bars_svg(
            ("按状态统计", "Applications by status")[i],
            status_items,
            ["#2e7d32", "#c62828", "#f9a825", "#757575"],
        )
        + _bars_svg(
            ("符合条件者可申报的最高职称级别", "Highest title level open to eligible applicants")[i],
            level_items,
            ["#1565c0"],
        )
        + "</div>"
    )


def _eligible_levels_of(review: Any) -> dict[str, int]:
    """Eligible applicants by the highest title level open to them, counted from the review's rows."""
    from collections import Counter

    counts = Counter(
        ((r.title.highest or "") if r.title is not None else "")
        for r in review.rows
        if r.status == "eligible"
    )
    return {str(k): int(v) for k, v in counts.items()}


def _levels_text(value: Any, i: int) -> Any:
    """``junior;intermediate`` → ``初级；中级`` (unknown codes kept as they are)."""
    if not isinstance(value, str) or not value:
        return value
    sep = "；" if i == 0 else "; "
    return sep.join(LEVELS[v][i] if v in LEVELS else v for v in value.split(";"))


def _results_view(results: Any, lang: str) -> Any:
    i = 0 if lang == "zh" else 1
    cols = [
        c
        for c in (
            "source_row",
            "application_id",
            "status",
            f"reasons_{lang}",
            "categories",
            "title_highest",
            "title_eligible",
            "publicity_end",
        )
        if c in results
    ]
    view = results[cols].copy()
    if "status" in view:
        view["status"] = [STATUSES[s][i] if s in STATUSES else s for s in view["status"]]
    for c in ("title_highest", "title_eligible"):
        if c in view:
            view[c] = [_levels_text(v, i) for v in view[c]]
    if "categories" in view:  # A;B;C → A类 认可类；B类 … (the officer's words)
        csep = "；" if i == 0 else "; "
        view["categories"] = [
            csep.join(CATEGORIES[c][i] if c in CATEGORIES else c for c in v.split(";"))
            if isinstance(v, str) and v
            else v
            for v in view["categories"]
        ]
    return view.rename(columns={c: _bi(_shown_labels(c)) for c in cols})


def _shown_labels(key: str) -> tuple[str, str]:
    """A column's header in both languages, from the one description (:mod:`toolkit.intake.columns`)."""
    from ..intake.columns import shown_label

    return shown_label(key, "zh"), shown_label(key, "en")


def _problems_view(problems: Any, lang: str) -> Any:
    from ..intake.contract import COLUMN_BY_KEY

    i = 0 if lang == "zh" else 1
    cols = [
        c
        for c in ("sheet", "row", "column", "value", f"message_{lang}", f"fix_{lang}", "code")
        if c in problems
    ]
    view = problems[cols].copy()
    if "column" in view:  # the contract's header for a column key, as the officer sees it
        view["column"] = [
            COLUMN_BY_KEY[k].label(LANGS[i]) if k in COLUMN_BY_KEY else k for k in view["column"]
        ]
    return view.rename(columns={c: _bi(_shown_labels(c)) for c in cols})


_STYLE = """<style>
.oqtk-report table { border-collapse: collapse; font-size: 13px; margin: 4px 0 12px; }
.oqtk-report th, .oqtk-report td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
.oqtk-report thead th { background: #f0f0f0; }
.oqtk-report .oqtk-table { max-height: 640px; overflow: auto; }
</style>"""


def _decision_html(review: Any, counts: Mapping[str, int], total: int, lang: str) -> str:
    """The decision first: how many rows have each status, in one line, and the reasons that
    decide most of the rows not eligible or incomplete (at most three, with how many rows have each;
    the text is the first such row's)."""
    from collections import Counter

    i = 0 if lang == "zh" else 1
    sep = "、" if i == 0 else ", "
    line = (f"共{total}份：" if i == 0 else f"{total} applications: ") + sep.join(
        f"{STATUSES[k][i]} {counts[k]}" for k in STATUSES if counts.get(k)
    )
    texts: dict[str, str] = {}
    tally: Counter[str] = Counter()
    for r in review.rows:
        if r.status == "eligible":
            continue
        reasons = r.reasons_zh if i == 0 else r.reasons_en
        for code, text in zip(r.reason_codes, reasons, strict=False):
            tally[code] += 1
            texts.setdefault(code, text)
    top = tally.most_common(3)
    reasons_html = ""
    if top:
        head = "主要原因：" if i == 0 else "Main reasons: "
        items = "".join(
            f"<li>{_e(texts[c])}" + (f"（{n}份）" if i == 0 else f" ({n})") + "</li>" for c, n in top
        )
        reasons_html = f"<div>{_e(head)}</div><ul>{items}</ul>"
    return (
        '<div class="oqtk-decision" style="border:2px solid #333;padding:6px 10px;margin:6px 0">'
        f"<b>{_e(line)}</b>{reasons_html}</div>"
    )


def report_parts(run: ReviewRun) -> list[tuple[str, Any]]:
    """The report in order, as ``("html", str)`` parts (all text escaped; the chart is inline SVG)."""
    review = run.review
    lang = run.parameters.get("lang", "zh")
    # only the rows shown are built; the counts come from the whole review
    results = review.to_frame(limit=MAX_ROWS_SHOWN)
    problems = review.problems_frame(limit=MAX_ROWS_SHOWN)
    n_results, n_problems = len(review.rows), len(review.problems)
    counts = {k: int(review.counts.get(k, 0)) for k in STATUSES}
    total = sum(counts.values())

    head = (
        '<div class="oqtk-report">'
        + _STYLE
        + _h(2, f"批量审核报告：{run.input_name}", f"Batch review report: {run.input_name}")
        + _decision_html(review, counts, total, lang)
        + _h(3, "按状态统计", "Counts by status")
        + _kv_table(
            [*((_bi(STATUSES[k]), counts[k]) for k in STATUSES), ("合计 / Total", total)],
            ("状态 / Status", "申请数 / Applications"),
        )
        + "</div>"
    )
    details = (
        _h(3, "运行参数", "Parameters")
        + _kv_table(
            ((_bi(PARAMETER_LABELS.get(k, (k, k))) + f" ({k})", v) for k, v in run.parameters.items()),
            ("参数 / Parameter", "取值 / Value"),
        )
        + _h(3, "输入文件", "Input file")
        + _kv_table(
            [
                ("文件名 / File name", run.input_name),
                ("SHA-256", review.sha256),
                ("工作表 / Sheet", getattr(review, "sheet_name", "")),
                ("表头行 / Header row", getattr(review, "header_row", "")),
                ("数据行数 / Rows read", review.rows_in),
                *(
                    ("未审核的工作表 / Sheet not reviewed", " / ".join(o.describe()))
                    for o in getattr(review, "other_sheets", ())
                ),
            ],
            ("项目 / Item", "取值 / Value"),
        )
        + _h(3, "版本", "Versions")
        + _kv_table(
            ((_bi(VERSION_LABELS.get(k, (k, k))), v) for k, v in run.versions.items()),
            ("项目 / Item", "版本 / Version"),
        )
    )
    parts: list[tuple[str, Any]] = [("html", head)]
    parts.append(("html", chart_svg(counts, _eligible_levels_of(review), lang)))
    parts.append(
        (
            "html",
            '<div class="oqtk-report">'
            + _STYLE
            + _h(3, f"审核结果（{n_results} 行）", f"Results ({n_results} rows)")
            + _frame_html(_results_view(results, lang), ("结果", "results"), n_results)
            + _h(3, f"表格问题（{n_problems} 项）", f"Problems in the sheet ({n_problems})")
            + _frame_html(_problems_view(problems, lang), ("问题", "problems"), n_problems)
            + details
            + "</div>",
        )
    )
    return parts


def show(run: ReviewRun) -> None:
    """Display the report in the notebook (HTML tables and an SVG chart)."""
    from IPython.display import HTML, display

    for _kind, content in report_parts(run):
        display(HTML(content))
