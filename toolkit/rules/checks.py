"""What the officer must check in a case (outcome ``check``, never a refusal).

Facts that contradict each other (a foreign national with Shanghai hukou), a round meant for
holders of another List version, a List version chosen by a placeholder date, and a case assessed
on an older List version because the one in force has no entries loaded. Each finding cites its
clause or the toolkit's reading (``data/policy/readings.yaml``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..findings import Finding, Outcome
from ..policy import reading
from .listdata import ListVersion, list_versions
from .titledata import rounds

if TYPE_CHECKING:
    from .case import CaseInput

__all__ = ["case_checks"]


def case_checks(
    case: CaseInput, version: ListVersion, by_date: bool, as_of: dt.date, fallback: Finding | None = None
) -> list[Finding]:
    """What the officer must check (outcome ``check``): facts that contradict each other, a
    round meant for another List version, a List version chosen by a placeholder date, and the
    ``fallback`` finding of a version chosen by :func:`~toolkit.rules.list_version_to_use` (a
    case assessed on an older version because the one in force has no entries loaded)."""
    out: list[Finding] = []
    if case.holder_type == "foreign_national" and case.shanghai_hukou:
        out.append(
            Finding(
                "foreign_national_with_hukou",
                Outcome.CHECK,
                "人员类别为外籍人员，却填写了有上海户籍：外籍人员不落户籍，请核对人员类别或户籍",
                "The holder is a foreign national yet Shanghai hukou is marked: foreign nationals hold no "
                "hukou; check the holder type or the hukou entry",
                reading("foreign_national_no_hukou"),
                {"holder_type": case.holder_type},
            )
        )
    mismatch = _round_version_check(case.round_id, version.version)
    if mismatch is not None:
        out.append(mismatch)
    placeholder = _placeholder_check(as_of) if by_date else None
    if placeholder is not None:
        out.append(placeholder)
    if fallback is not None:
        out.append(fallback)
    return out


def _round_version_check(round_id: str | None, version: str) -> Finding | None:
    """A round meant for holders of another List version than the one assessed on."""
    rnd = rounds().get(round_id or "")
    if rnd is None or version in rnd.list_versions:
        return None
    meant = "、".join(rnd.list_versions)
    return Finding(
        "round_list_version_mismatch",
        Outcome.CHECK,
        f"{rnd.name_zh}面向{meant}版清单C类证书持证人员，本次按{version}版清单评估：请核对证书是否列于{meant}版清单",
        f"{rnd.name_en} is for holders of Category C certificates on List {', '.join(rnd.list_versions)}; "
        f"this case was assessed on List {version}: check the certificate is on that version",
        rnd.source,
        {"round": rnd.id, "round_list_versions": list(rnd.list_versions), "list_version": version},
    )


def _placeholder_check(as_of: dt.date) -> Finding | None:
    """The List version was chosen by date, and the date lies in the month a version's placeholder
    in-force date stands for (``date_placeholder`` in versions.yaml)."""
    for v in list_versions().values():
        if not v.date_placeholder:
            continue
        start = v.in_force_from.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        if start <= as_of <= end:
            return Finding(
                "list_version_date_placeholder",
                Outcome.CHECK,
                f"评估日{as_of.isoformat()}所适用的清单版本取决于{v.version}版的生效日期，而公开资料只载明月份"
                f"（数据中的{v.in_force_from.isoformat()}为占位日期）：请核对当日适用的清单版本",
                f"Which List version applies on {as_of.isoformat()} depends on the date List {v.version} took "
                f"effect, and the public record gives only the month ({v.in_force_from.isoformat()} in the data "
                "is a placeholder): check the version in force that day",
                v.source,
                {"version": v.version, "placeholder": v.in_force_from, "window_end": end},
            )
    return None
