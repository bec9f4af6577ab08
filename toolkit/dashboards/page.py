"""One dashboard page: header with links to every page, the language toggle, the form.

A page notebook is two lines::

    from toolkit.dashboards.page import show
    show("lookup")

:func:`build` returns the page as a widget (tests use it); :func:`show` also sets up logging to
``$OQTK_HOME/logs/dashboards.log`` and displays it. A form whose module is not installed or
fails to build shows a message on the page (and the detail in the log) rather than a traceback.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import Any

import ipywidgets as w

from ..paths import oqtk_home
from .base import Form, LanguageToggle, esc, message_html, tr

__all__ = ["PAGES", "Page", "PageSpec", "build", "setup_logging", "show"]

log = logging.getLogger("toolkit.dashboards")


@dataclass(frozen=True)
class PageSpec:
    name: str  # notebook file stem: notebooks/<name>.ipynb, URL /voila/render/<name>.ipynb
    title_zh: str
    title_en: str
    purpose_zh: str
    purpose_en: str
    form: str  # "module:Class" under toolkit.dashboards

    def title(self, lang: str) -> str:
        return tr(lang, self.title_zh, self.title_en)

    def purpose(self, lang: str) -> str:
        return tr(lang, self.purpose_zh, self.purpose_en)

    @property
    def href(self) -> str:
        """Relative link from one page to another (every page is under /voila/render/)."""
        return f"{self.name}.ipynb"


PAGES: dict[str, PageSpec] = {
    p.name: p
    for p in (
        PageSpec(
            "home",
            "首页",
            "Home",
            "各页面用途、现行清单版本与节假日日历覆盖情况及提醒。",
            "What each page is for, the List version and holiday calendar in force, and warnings.",
            "home:HomeForm",
        ),
        PageSpec(
            "lookup",
            "资格查询",
            "Qualification lookup",
            "按中英文名称、缩写查询证书：各版本清单中的类别、C类对应职称系列与级别、发证机构和依据。",
            "Search a certificate by Chinese or English name or abbreviation: its categories on each "
            "version of the List, Category C series and level, issuer and source.",
            "lookup:LookupForm",
        ),
        PageSpec(
            "assess",
            "单人评估",
            "Single assessment",
            "录入一位申请人的情况，得出是否符合条件、可享受的服务及可申报的职称，并列明依据。",
            "Enter one applicant's case: eligibility, services and the professional title they may "
            "apply for, each with its basis.",
            "assess:AssessForm",
        ),
        PageSpec(
            "publicity",
            "公示期计算",
            "Publicity calculator",
            "按法定工作日计算单位公示期的起止日期，或由截止日倒推最晚开始日期。",
            "Count the employer's publicity period in Chinese working days: start → end, or "
            "deadline → latest start.",
            "publicity:PublicityForm",
        ),
        PageSpec(
            "batch",
            "批量审核",
            "Batch review",
            "上传单位报送的申报汇总表，逐条审核并下载结果工作簿。",
            "Upload an employer's intake workbook, review every row and download the results workbook.",
            "batch_form:BatchForm",
        ),
        PageSpec(
            "supervisor",
            "主管复核",
            "Supervisor review",
            "复核经办人提交的批量审核结果：核对、批准或退回。",
            "Review batch runs submitted by case officers: verify, approve or return.",
            "supervisor:SupervisorForm",
        ),
    )
}

_HEADER_STYLE = "border-bottom:2px solid #0d47a1;margin-bottom:8px;padding-bottom:4px"


def setup_logging() -> None:
    """Log the dashboards' messages (handler errors with their traceback) to a file in OQTK_HOME."""
    logger = logging.getLogger("toolkit")
    if any(getattr(h, "_oqtk", False) for h in logger.handlers):
        return
    logger.setLevel(logging.INFO)
    try:
        folder = oqtk_home() / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(folder / "dashboards.log", encoding="utf-8")
    except OSError:
        handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler._oqtk = True  # type: ignore[attr-defined]
    logger.addHandler(handler)


def _load_form(spec: PageSpec) -> Form:
    module_name, cls_name = spec.form.split(":")
    module = importlib.import_module(f"toolkit.dashboards.{module_name}")
    form = getattr(module, cls_name)()
    return form  # type: ignore[no-any-return]


class Page(Form):
    """The page around a form: title, links to every page, language toggle, the form."""

    def __init__(self, name: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if name not in PAGES:
            raise KeyError(f"unknown page {name!r}; pages: {', '.join(PAGES)}")
        self.spec = PAGES[name]
        self.add_class("oqtk-page")
        self.add_class(f"oqtk-page-{name}")
        self.header = w.HTML()
        self.user_html = w.HTML()
        self.me = _logged_in_user()
        self.nav = w.HTML()
        self.form: Form | None = None
        try:
            self.form = _load_form(self.spec)
        except Exception:
            log.exception("page %s: the form could not be built", name)
        self.toggle = LanguageToggle(self, *([self.form] if self.form is not None else []))
        self.footer = w.HTML()
        body: list[w.Widget] = [self.form] if self.form is not None else []
        self.children = [self.header, self.user_html, self.nav, self.toggle, self.message, *body, self.footer]
        self._render_labels()

    def _render_labels(self) -> None:
        s = self.spec
        self.header.value = (
            f'<div style="{_HEADER_STYLE}"><span style="font-size:20px;font-weight:bold">'
            f"{esc(s.title(self.lang))}</span>"
            f'<span style="color:#555;margin-left:12px">{esc(tr(self.lang, s.title_en, s.title_zh))}</span>'
            f'<div style="color:#555">{esc(s.purpose(self.lang))}</div></div>'
        )
        if self.me is not None:
            from ..hub import ROLE_LABELS

            zh, en = ROLE_LABELS.get(self.me.get("role") or "", ("", ""))
            self.user_html.value = (
                f'<div class="oqtk-user" style="float:right;color:#0d47a1">{esc(self.t("当前登录", "Logged in"))}: '
                f'<b class="oqtk-user-name">{esc(self.me.get("name"))}</b> '
                f'<span class="oqtk-user-role">（{esc(self.t(zh, en))}）</span> '
                f'<a href="/hub/logout">{esc(self.t("退出", "Log out"))}</a></div>'
            )
        links = []
        for p in PAGES.values():
            label = esc(p.title(self.lang))
            if p.name == s.name:
                links.append(f'<b aria-current="page">{label}</b>')
            else:
                links.append(f'<a href="{esc(p.href)}" data-page="{esc(p.name)}">{label}</a>')
        self.nav.value = f'<nav class="oqtk-nav" style="margin:4px 0 8px 0">{" | ".join(links)}</nav>'
        self.footer.value = (
            '<div style="color:#777;font-size:85%;margin-top:16px;border-top:1px solid #ddd;padding-top:4px">'
            + esc(
                self.t(
                    "页面开着时随时可用；关闭页面后，其计算进程几分钟内自动释放。所有计算均在本机完成，不连接外网。",
                    "The page stays usable while it is open; once it is closed, its process is freed within "
                    "minutes. Everything is computed on this computer; nothing is sent to the internet.",
                )
            )
            + "</div>"
        )
        if self.form is None:
            self.message.value = message_html(
                "error",
                esc(
                    self.t(
                        "此页面暂不可用，已记录日志。请联系管理员。",
                        "This page is not available; the problem has been logged. Contact the administrator.",
                    )
                ),
            )


def _logged_in_user() -> dict[str, Any] | None:
    """Under the hub, who this server's token belongs to (from the oq-register service)."""
    from ..hub.client import hub_client

    hub = hub_client()
    if hub is None:
        return None
    try:
        return hub.whoami()
    except Exception:  # the page still works; the forms that need the service say why
        log.exception("the oq-register service did not say who is logged in")
        return None


def build(name: str) -> Page:
    """The page ``name`` (a key of :data:`PAGES`) as a widget."""
    return Page(name)


def show(name: str) -> None:
    """Build and display the page (the only call a page notebook makes)."""
    from IPython.display import display

    setup_logging()
    page = build(name)
    display(page)
