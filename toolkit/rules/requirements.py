"""The basic requirements of a Category C title application, as the officer's checklist.

Quoted basis (3.0 notice, "Supporting certificate holders in assessment and recognition of
professional titles", 1. Basic requirements; and 3. Assessment process, note):

    Compliance with the Constitution and laws of China. Good professional ethics, dedication, and
    proper conduct. Commitment to responsibilities and demonstrated competence. Relevant overseas
    experience or engagement in overseas business in the corresponding field.
    Note: Overseas professional talent introduced by public institutions … should generally
    adhere to the post management requirements of public institutions.

The toolkit cannot judge them: the items and their clauses come from
``data/policy/basic_requirements.yaml`` and the officer ticks each one (yes / no / not yet).
:func:`rule_basic_requirements` turns the ticks into findings: an item marked "no" fails
(``basic_<code>_not_met``), items not ticked are one ``check`` (``basic_requirements_to_check``),
and all ticked "yes" pass (``basic_requirements_confirmed``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path

from ..exceptions import PolicyDataError
from ..findings import Finding, Outcome, Source
from ..models import StrictModel
from ..paths import data_dir
from ..policy import RefModel, load_model, on_reload, ref_to_source
from ..vocab import EMPLOYER_TYPES

__all__ = ["Requirement", "basic_requirements", "requirements_for", "rule_basic_requirements"]


class _ItemModel(StrictModel):
    code: str
    zh: str
    en: str
    applies_to: list[str] | None = None
    ref: RefModel


class _File(StrictModel):
    items: list[_ItemModel]


@dataclass(frozen=True)
class Requirement:
    """One item of the checklist: its code, the officer's wording and the clause."""

    code: str
    zh: str
    en: str
    applies_to: tuple[str, ...] | None
    source: Source

    def text(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    def applies(self, employer_type: str | None) -> bool:
        return self.applies_to is None or employer_type in self.applies_to


@cache
def _items(root: Path) -> tuple[Requirement, ...]:
    path = root / "policy" / "basic_requirements.yaml"
    model = load_model(path, _File)
    seen: set[str] = set()
    out = []
    for it in model.items:
        if it.code in seen:
            raise PolicyDataError(path, f"items[{it.code}]", "duplicate code")
        seen.add(it.code)
        bad = set(it.applies_to or ()) - set(EMPLOYER_TYPES)
        if bad:
            raise PolicyDataError(
                path, f"items[{it.code}].applies_to", f"unknown employer type {sorted(bad)}"
            )
        out.append(
            Requirement(
                it.code,
                it.zh,
                it.en,
                tuple(it.applies_to) if it.applies_to is not None else None,
                ref_to_source(it.ref, path),
            )
        )
    return tuple(out)


on_reload(_items.cache_clear)


def basic_requirements() -> tuple[Requirement, ...]:
    """Every item of the checklist (``data/policy/basic_requirements.yaml``), in notice order."""
    return _items(data_dir())


def requirements_for(employer_type: str | None) -> tuple[Requirement, ...]:
    """The items that apply to an applicant of this employer type (unknown type: the general ones
    and, since a public institution cannot be ruled out, its note too)."""
    return _for(data_dir(), employer_type)


@lru_cache(maxsize=64)
def _for(root: Path, employer_type: str | None) -> tuple[Requirement, ...]:
    return tuple(r for r in _items(root) if employer_type is None or r.applies(employer_type))


on_reload(_for.cache_clear)


def _section(items: list[Requirement] | tuple[Requirement, ...]) -> Source | None:
    """One source for several items: the first item's document, citing the section(s) once."""
    if not items:
        return None
    sections_zh = dict.fromkeys(r.source.clause_zh.split("：", 1)[0] for r in items)
    sections_en = dict.fromkeys(r.source.clause_en.split(": ", 1)[0] for r in items)
    return replace(items[0].source, clause_zh="；".join(sections_zh), clause_en="; ".join(sections_en))


@lru_cache(maxsize=64)
def _listed(root: Path, codes: tuple[str, ...]) -> tuple[str, str, Source | None]:
    """The items' texts joined (zh, en) and their one source: the same for every row of a batch
    with the same items (cached per data folder, and cleared when it is reloaded)."""
    by_code = {r.code: r for r in _items(root)}
    items = [by_code[c] for c in codes]
    return "；".join(r.zh for r in items), "; ".join(r.en for r in items), _section(items)


on_reload(_listed.cache_clear)


def rule_basic_requirements(
    ticks: Mapping[str, bool | None] | None, employer_type: str | None
) -> list[Finding]:
    """基本条件 — the four basic requirements (and the public-institution note), as ticked."""
    items = requirements_for(employer_type)
    ticks = ticks or {}
    unknown = set(ticks) - {r.code for r in basic_requirements()}
    if unknown:
        from ..exceptions import ToolkitError

        raise ToolkitError(
            f"未知的基本条件 {sorted(unknown)} / Unknown basic requirement; known: "
            + ", ".join(r.code for r in basic_requirements())
        )
    out: list[Finding] = []
    for r in items:
        if ticks.get(r.code) is False:
            out.append(
                Finding(
                    f"basic_{r.code}_not_met",
                    Outcome.FAIL,
                    f"经办人核定不符合基本条件：{r.zh}",
                    f"The officer found a basic requirement not met: {r.en}",
                    r.source,
                    {"requirement": r.code},
                )
            )
    open_items = [r for r in items if ticks.get(r.code) is None]
    if open_items:
        zh, en, src = _listed(data_dir(), tuple(r.code for r in open_items))
        out.append(
            Finding(
                "basic_requirements_to_check",
                Outcome.CHECK,
                "请经办人核对基本条件：" + zh,
                "The officer checks the basic requirements: " + en,
                src,
                {"requirements": [r.code for r in open_items]},
            )
        )
    elif not out:
        zh, en, src = _listed(data_dir(), tuple(r.code for r in items))
        out.append(
            Finding(
                "basic_requirements_confirmed",
                Outcome.PASS,
                "经办人已核对基本条件：" + zh,
                "The officer confirmed the basic requirements: " + en,
                src,
                {"requirements": [r.code for r in items]},
            )
        )
    return out
