"""The batch-review report: what ``notebooks/batch_review.ipynb`` shows, and so what supervisors read.

The notebook stays thin: its tagged ``parameters`` cell (the fields of
:class:`~toolkit.batch.parameters.ReviewParameters`), then three calls::

    review = report.review_sheet(intake_path, as_of, list_version, lang, output_dir)
    report.show(review)           # the report: decision, counts, charts, tables, parameters, versions
    report.emit_summary(review)   # machine-readable summary for the run manifest (hidden in the HTML)

The report is rendered from Jinja2 templates with autoescape (``templates/report/``): everything
an applicant typed (application ids, names, reasons quoting cell values, the file name) is
HTML-escaped, its control characters made visible (:mod:`toolkit.textsafe`). Tables longer than
:data:`MAX_ROWS_SHOWN` rows are cut in the report with a note; ``results.xlsx`` /
``results.csv`` hold every row.

This module imports pandas, Jinja2 and IPython only inside the functions that need them.
"""

from __future__ import annotations

import contextlib
import functools
import html
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..collector import paused_gc
from ..paths import REPO_ROOT
from ..textsafe import visible_controls
from ..vocab import LEVEL_ORDER, LEVELS, STATUSES
from .parameters import ReviewParameters
from .versions import VERSION_LABELS, calendar_version, rules_data_hash, versions

__all__ = [
    "MAX_ROWS_SHOWN",
    "PARAMETER_LABELS",
    "SUMMARY_MIME",
    "SUMMARY_TAG",
    "VERSION_LABELS",
    "SheetReview",
    "calendar_version",
    "chart_svg",
    "emit_summary",
    "preload",
    "report_parts",
    "review_sheet",
    "rules_data_hash",
    "show",
    "summary",
    "versions",
]

#: Mimetype of the summary output the batch runner reads from the executed notebook.
SUMMARY_MIME = "application/vnd.oqtk.summary+json"
#: Tag of the notebook cell that emits the summary (removed from the HTML report).
SUMMARY_TAG = "oqtk-summary"
#: Longest table shown in the report; the results files hold every row.
MAX_ROWS_SHOWN = 200
TEMPLATE_DIR = REPO_ROOT / "templates" / "report"

#: parameter name → (zh, en), in the order the report shows them.
PARAMETER_LABELS: dict[str, tuple[str, str]] = {
    "intake_path": ("申报汇总表", "Intake sheet"),
    "as_of": ("审核基准日", "Review date"),
    "list_version": ("清单版本", "List version"),
    "lang": ("结果文件语言", "Results language"),
    "output_dir": ("输出文件夹", "Output folder"),
}
_NO_TITLE = ("无职称评审资格", "No title")


@dataclass
class SheetReview:
    """One sheet as the notebook reviewed it: the parameters used (resolved), the review
    (:class:`toolkit.intake.IntakeReview`), the versions and the results files written."""

    parameters: ReviewParameters
    review: Any  # toolkit.intake.IntakeReview
    versions: dict[str, str]
    outputs: dict[str, Path] = field(default_factory=dict)
    # the List version was not given and the one in force has no entries: the choice's finding
    version_note: Any = None  # toolkit.findings.Finding | None

    @property
    def input_name(self) -> str:
        return Path(self.parameters.intake_path).name


def preload(intake_path: str | None = None) -> None:
    """Import what a review needs and read the policy data it reads first; never raises.

    Each ``oqtk batch`` kernel runs this while it waits for its notebook (:mod:`toolkit.batch.kernels`):
    the modules, files and templates the notebook's cells would load, loaded earlier. Given its
    sheet's path, it first has that workbook parsed in a background thread
    (:func:`toolkit.intake.reader.prefetch`), which the notebook's read uses only if the file's
    bytes are still the same. No date or parameter is touched and no name is bound. Should
    anything fail here, the notebook's own call fails the same way, in the record.
    """
    with paused_gc():  # some 190,000 objects, all kept (toolkit.collector: the gain measured)
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
            _templates()


def review_sheet(
    intake_path: str,
    as_of: str = "",
    list_version: str = "",
    lang: str = "zh",
    output_dir: str = "",
) -> SheetReview:
    """Review one intake sheet and, when ``output_dir`` is given, write ``results.xlsx`` / ``results.csv``.

    The arguments are the notebook's parameters, checked and resolved by :class:`ReviewParameters`
    (raises :class:`~toolkit.exceptions.ParameterError`)."""
    from ..intake import review_intake, write_results

    params = ReviewParameters.check(
        {"intake_path": intake_path, "as_of": as_of, "list_version": list_version, "lang": lang,
         "output_dir": output_dir}
    ).resolved()  # fmt: skip
    review = review_intake(params.intake_path, as_of=params.day, list_version=params.list_version)
    outputs: dict[str, Path] = {}
    if params.output_dir:
        outputs = dict(write_results(review, params.output_dir, lang=params.lang))
    note = None
    if not list_version.strip():  # chosen for the officer: say so when it is not the one in force
        from ..rules import list_version_to_use

        note = list_version_to_use(params.day).finding
    return SheetReview(params, review, versions(params.list_version), outputs, note)


def summary(run: SheetReview) -> dict[str, Any]:
    """What the batch runner copies into ``manifest.json`` (plain JSON values)."""
    review = run.review
    counts = {k: int(review.counts.get(k, 0)) for k in STATUSES}
    counts.update({str(k): int(v) for k, v in review.counts.items() if k not in counts})
    return {
        "parameters": run.parameters.model_dump(),
        "input": {"path": str(review.path), "name": Path(review.path).name, "sha256": review.sha256},
        "versions": dict(run.versions),
        "rows_in": int(review.rows_in),
        "rows_out": len(review.rows),
        "sheets_not_reviewed": [o.to_dict() for o in getattr(review, "other_sheets", ())],
        "counts": counts,
        "outputs": sorted(Path(p).name for p in run.outputs.values()),
    }


def emit_summary(run: SheetReview) -> None:
    """Display :func:`summary` under :data:`SUMMARY_MIME` (the batch runner reads it; the HTML drops it)."""
    from IPython.display import display

    display({SUMMARY_MIME: summary(run)}, raw=True)


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------
def _visible_escaped(value: object) -> Any:
    """Text for the page: control characters made visible, then escaped as ``html.escape`` does
    (quotes included); the template's autoescape does not escape it twice."""
    from markupsafe import Markup

    return Markup(html.escape(visible_controls("" if value is None else str(value)), quote=True))  # noqa: S704


@functools.cache
def _templates() -> Any:
    """The report's Jinja2 environment (autoescape on; ``visible`` shows control characters)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
    )
    env.filters["visible"] = _visible_escaped
    env.get_template("summary.html.j2")
    env.get_template("charts.svg.j2")
    return env


def _bars(title: str, items: list[tuple[str, str, int]], colors: list[str]) -> dict[str, Any]:
    """One bar chart's geometry: (key, label, value) per bar."""
    width, height, top, bottom, left = 440, 230, 34, 46, 16
    slot = (width - 2 * left) / max(len(items), 1)
    peak = max([v for _k, _l, v in items] + [1])
    plot_h = height - top - bottom
    bars = []
    for i, (key, label, value) in enumerate(items):
        h = plot_h * value / peak
        x = left + i * slot + slot * 0.15
        bars.append(
            {"key": key, "label": label, "value": value, "x": x, "y": top + plot_h - h, "w": slot * 0.7,
             "h": h, "color": colors[i % len(colors)]}
        )  # fmt: skip
    return {
        "title": title,
        "width": width,
        "height": height,
        "left": left,
        "base": top + plot_h,
        "bars": bars,
    }


def chart_svg(counts: Mapping[str, int], levels: Mapping[str, int], lang: str = "zh") -> str:
    """Two bar charts as inline SVG: applications by status, and eligible title levels.

    SVG text is drawn by the reader's browser with its own fonts, so Chinese renders wherever the
    report is opened, with no font files and no plotting library in the kernel.
    """
    i = 1 if lang == "en" else 0
    status_items = [(k, STATUSES[k][i], int(counts.get(k, 0))) for k in STATUSES]
    level_keys = [*(k for k in levels if k not in LEVELS), *LEVEL_ORDER]
    level_items = [
        (k, LEVELS[k][i] if k in LEVELS else _NO_TITLE[i] if k == "" else str(k), int(levels.get(k, 0)))
        for k in level_keys
    ]
    charts = [
        _bars(
            ("按状态统计", "Applications by status")[i],
            status_items,
            ["#2e7d32", "#c62828", "#f9a825", "#757575"],
        ),
        _bars(
            ("符合条件者可申报的最高职称级别", "Highest title level open to eligible applicants")[i],
            level_items,
            ["#1565c0"],
        ),
    ]
    return str(_templates().get_template("charts.svg.j2").render(charts=charts))


def _eligible_levels_of(review: Any) -> dict[str, int]:
    """Eligible applicants by the highest title level open to them, counted from the review's rows."""
    counts = Counter(
        ((r.title.highest or "") if r.title is not None else "")
        for r in review.rows
        if r.status == "eligible"
    )
    return {str(k): int(v) for k, v in counts.items()}


def _decision(review: Any, counts: Mapping[str, int], total: int, zh: bool) -> dict[str, Any]:
    """The decision first: how many rows have each status, in one line, and the reasons that
    decide most of the rows not eligible (at most three, with how many rows have each; the text
    is the first such row's)."""
    i = 0 if zh else 1
    sep = "、" if zh else ", "
    line = (f"共{total}份：" if zh else f"{total} applications: ") + sep.join(
        f"{STATUSES[k][i]} {counts[k]}" for k in STATUSES if counts.get(k)
    )
    texts: dict[str, str] = {}
    tally: Counter[str] = Counter()
    for r in review.rows:
        if r.status == "eligible":
            continue
        for code, text in zip(r.reason_codes, r.reasons_zh if zh else r.reasons_en, strict=False):
            tally[code] += 1
            texts.setdefault(code, text)
    reasons = [(texts[c], n) for c, n in tally.most_common(3)]
    return {"line": line, "head": "主要原因：" if zh else "Main reasons: ", "reasons": reasons}


def _table(frame: Any, what: tuple[str, str], total: int) -> dict[str, Any]:
    """A DataFrame's first :data:`MAX_ROWS_SHOWN` rows as an HTML table pandas has escaped."""
    from markupsafe import Markup

    shown = frame.head(MAX_ROWS_SHOWN).map(lambda v: visible_controls(v) if isinstance(v, str) else v)
    html = shown.to_html(index=False, escape=True, na_rep="", border=0) if total else ""
    return {"html": Markup(html), "total": total, "what": what}  # noqa: S704 — escaped by pandas


def report_parts(run: SheetReview) -> list[tuple[str, Any]]:
    """The report in order, as ``("html", str)`` parts (all text escaped; the chart is inline SVG)."""
    from .views import bilingual, problems_view, results_view

    review = run.review
    lang = run.parameters.lang
    counts = {k: int(review.counts.get(k, 0)) for k in STATUSES}
    total = sum(counts.values())
    # only the rows shown are built; the counts come from the whole review
    results = results_view(review.to_frame(limit=MAX_ROWS_SHOWN), lang)
    problems = problems_view(review.problems_frame(limit=MAX_ROWS_SHOWN), lang)
    page = {
        "input_name": run.input_name,
        "zh": lang == "zh",
        "decision": _decision(review, counts, total, lang == "zh"),
        "version_note": run.version_note.text(lang) if run.version_note is not None else "",
        "count_rows": [*((bilingual(STATUSES[k]), counts[k]) for k in STATUSES), ("合计 / Total", total)],
        "results": _table(results, ("结果", "results"), len(review.rows)),
        "problems": _table(problems, ("问题", "problems"), len(review.problems)),
        "parameter_rows": [
            (bilingual(PARAMETER_LABELS.get(k, (k, k))) + f" ({k})", v)
            for k, v in run.parameters.model_dump().items()
        ],
        "input_rows": [
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
        "version_rows": [(bilingual(VERSION_LABELS.get(k, (k, k))), v) for k, v in run.versions.items()],
    }
    template = _templates().get_template("summary.html.j2").make_module({"max_rows": MAX_ROWS_SHOWN})
    return [
        ("html", str(template.head(page))),
        ("html", chart_svg(counts, _eligible_levels_of(review), lang)),
        ("html", str(template.details(page))),
    ]


def show(run: SheetReview) -> None:
    """Display the report in the notebook (HTML tables and an SVG chart)."""
    from IPython.display import HTML, display

    for _kind, content in report_parts(run):
        display(HTML(content))
