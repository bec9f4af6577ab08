"""Services that follow from a certificate's categories, for this holder (``data/policy/services.yaml``).

Quoted basis (3.0 notice): "The notice outlines tiered convenience measures and support services
based on the four categories of qualifications: A, B, C, and D." Category B services come
"on top of" Category A's (2.0 notice: 在上述A类项目持证人员便利保障服务的基础上), so a B holder
also receives the A services, with that clause as the basis.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

from ..clock import today
from ..exceptions import PolicyDataError, PolicyNotInForce, ToolkitError
from ..findings import Source
from ..models import StrictModel
from ..paths import data_dir
from ..policy import RefModel, load_model, on_reload, parameter, ref_to_source
from ..vocab import HOLDER_TYPES

__all__ = ["Service", "services_for"]

Holder = Literal["foreign_national", "hk_macao", "taiwan", "mainland_resident"]


class _ServiceModel(StrictModel):
    code: str
    category: Literal["A", "B", "C", "D"]
    holders: list[Holder]
    hukou: Literal["any", "without"] = "any"
    zh: str
    en: str
    check_zh: str | None = None
    check_en: str | None = None
    ref: RefModel


class _ServicesFile(StrictModel):
    b_includes_a: RefModel
    services: list[_ServiceModel]


@dataclass(frozen=True)
class Service:
    """A service this holder may receive: ``code``, the category it belongs to, text and clause.

    ``via`` is the category that grants it to this holder: "B" for an A service that a B holder
    receives because B services come on top of A's (then ``via_source`` is that clause).
    ``check_zh``/``check_en`` name what the officer must still check.
    """

    code: str
    category: str
    zh: str
    en: str
    source: Source
    via: str
    via_source: Source | None = None
    check_zh: str | None = None
    check_en: str | None = None

    def text(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "category": self.category,
            "via": self.via,
            "zh": self.zh,
            "en": self.en,
            "check_zh": self.check_zh,
            "check_en": self.check_en,
            "source": self.source.to_dict(),
            "via_source": self.via_source.to_dict() if self.via_source else None,
        }


@cache
def _catalogue(root: Path) -> tuple[tuple[_ServiceModel, ...], Source, Path]:
    path = root / "policy" / "services.yaml"
    model = load_model(path, _ServicesFile)
    codes = [s.code for s in model.services]
    dupes = {c for c in codes if codes.count(c) > 1}
    if dupes:
        raise PolicyDataError(path, f"services[{sorted(dupes)[0]}]", "duplicate service code")
    for s in model.services:
        if not s.code.lower().startswith(s.category.lower() + "_"):
            raise PolicyDataError(
                path, f"services[{s.code}].category", f"code does not belong to category {s.category}"
            )
    return tuple(model.services), ref_to_source(model.b_includes_a, path), path


on_reload(_catalogue.cache_clear)


NOT_IN_DATA = {"zh": "?（该日期尚无此项规则）", "en": "? (no rule for this date)"}


def _value(name: str, on: dt.date, lang: str = "zh") -> Any:
    try:
        return parameter(name).at(on)
    except PolicyNotInForce:
        return NOT_IN_DATA[lang]


def _fill(text: str | None, on: dt.date, lang: str = "zh") -> str | None:
    """Fill ``{parameter}`` placeholders with the dated parameter in force on ``on``.

    A date before the parameter's first value shows :data:`NOT_IN_DATA` (in the text's own
    language) instead of a number.
    """
    if text is None or "{" not in text:
        return text
    names = [f for _, f, _, _ in string.Formatter().parse(text) if f]
    return text.format(**{n: _value(n, on, lang) for n in names})


def services_for(
    categories: Iterable[str],
    holder: str,
    shanghai_hukou: bool | None,
    *,
    on: dt.date | None = None,
    age: int | None = None,
) -> list[Service]:
    """The services that follow from ``categories`` for this holder.

    ``holder`` is ``foreign_national``, ``hk_macao``, ``taiwan`` or ``mainland_resident``.
    ``shanghai_hukou`` None means unknown: services for people without Shanghai hukou are
    then listed with a note to check. ``age`` (optional) lets the work-permit note say whether
    the applicant is over the work-permit age limit.
    """
    if holder not in HOLDER_TYPES:
        raise ToolkitError(
            f"未知的人员类别 {holder!r} / Unknown holder type; use one of {', '.join(HOLDER_TYPES)}"
        )
    on = on or today()
    cats = frozenset(str(c).upper() for c in categories)
    unknown = cats - {"A", "B", "C", "D"}
    if unknown:
        raise ToolkitError(f"未知的类别 {sorted(unknown)} / Unknown category; use A, B, C or D")
    limit = _value("work_permit_b_max_age", on)
    over_age = age if age is not None and isinstance(limit, int) and age > limit else None
    return list(_services(data_dir(), cats, holder, shanghai_hukou, on, over_age))


@lru_cache(maxsize=4096)
def _services(
    root: Path, cats: frozenset[str], holder: str, shanghai_hukou: bool | None, on: dt.date, age: int | None
) -> tuple[Service, ...]:
    """Memoised: a batch asks the same few combinations thousands of times."""
    catalogue, b_on_a, path = _catalogue(root)
    out: list[Service] = []
    for s in catalogue:
        if s.category in cats:
            via, via_source = s.category, None
        elif s.category == "A" and "B" in cats:
            via, via_source = "B", b_on_a
        else:
            continue
        if holder not in s.holders:
            continue
        check_zh, check_en = _fill(s.check_zh, on), _fill(s.check_en, on, "en")
        if s.hukou == "without":
            if shanghai_hukou is True:
                continue
            if shanghai_hukou is None:
                check_zh = "须核实申请人无上海户籍" + (f"；{check_zh}" if check_zh else "")
                check_en = "Check that the applicant has no Shanghai hukou" + (
                    f"; {check_en}" if check_en else ""
                )
        if s.code == "a_work_permit" and age is not None:
            limit = parameter("work_permit_b_max_age").at(on)
            if age > limit:
                check_zh = f"申请人现年{age}周岁，已超过工作许可B类年龄上限{limit}周岁；" + (check_zh or "")
                check_en = (
                    f"The applicant is {age}, over the work-permit Category B age limit of {limit}; "
                    + (check_en or "")
                )
        out.append(
            Service(
                code=s.code,
                category=s.category,
                zh=_fill(s.zh, on) or "",
                en=_fill(s.en, on, "en") or "",
                source=ref_to_source(s.ref, path),
                via=via,
                via_source=via_source,
                check_zh=check_zh,
                check_en=check_en,
            )
        )
    return tuple(out)


on_reload(_services.cache_clear)
