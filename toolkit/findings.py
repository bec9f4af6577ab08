"""Decisions with their reasons: a :class:`Source` (the clause) and a :class:`Finding`.

Every rule returns findings, never a bare bool, so the form, the batch sheet and the
supervisor all show the same reason code, Chinese and English text, and clause.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["Basis", "Finding", "Outcome", "Source"]


class Basis(StrEnum):
    """How a piece of policy data is known (see ``shared/policy/FACTS.md``)."""

    STATED = "S"  # a public source states it
    INFERRED = "I"  # an inference, documented as an assumption
    NOT_FOUND = "NF"  # not in the public record: bureau-supplied data


class Outcome(StrEnum):
    PASS = "pass"  # noqa: S105 — the rule is met
    FAIL = "fail"  # the rule is not met
    MISSING = "missing"  # information is missing or a step is still to be taken (→ incomplete)
    CHECK = "check"  # the officer must check something the toolkit cannot know
    INFO = "info"  # context for the record (e.g. which round's rules were applied)


@dataclass(frozen=True)
class Source:
    """A clause of a policy document: what a decision rests on."""

    doc_id: str
    title_zh: str
    title_en: str
    clause_zh: str
    clause_en: str
    basis: Basis = Basis.STATED
    url: str | None = None
    number: str | None = None  # document number, e.g. 沪人社专〔2024〕365号
    zh_rendered: bool = False  # the Chinese clause is rendered from an English text, not quoted

    def cite(self, lang: str = "zh") -> str:
        """One-line citation: document, number, clause; marked when inferred or bureau data, and
        (in Chinese) when the clause is rendered from the English summary rather than quoted."""
        title = self.title_zh if lang == "zh" else self.title_en
        clause = self.clause_zh if lang == "zh" else self.clause_en
        num = (
            f"（{self.number}）"
            if self.number and lang == "zh"
            else (f" ({self.number})" if self.number else "")
        )
        mark = ""
        if self.basis is Basis.INFERRED:
            mark = " [推定，待核实]" if lang == "zh" else " [inferred; to be confirmed]"
        elif self.basis is Basis.NOT_FOUND:
            mark = (
                " [公开资料未载，由市局数据提供]" if lang == "zh" else " [not public; bureau-supplied data]"
            )
        if self.zh_rendered and lang == "zh":
            mark += " [据英文摘要译述，以中文原文为准]"
        sep = "：" if lang == "zh" else ": "
        return f"{title}{num}{sep}{clause}{mark}"

    def cite_once(self, lang: str, seen: set[str]) -> str:
        """:meth:`cite`, or — when ``seen`` already holds this citation — a short "same clause as
        above", so a clause shared by several rules (the thresholds of each level) is quoted once."""
        full = self.cite(lang)
        if full in seen:
            title = self.title_zh if lang == "zh" else self.title_en
            return f"{title}（条文同上）" if lang == "zh" else f"{title} (clause as above)"
        seen.add(full)
        return full

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "number": self.number,
            "clause_zh": self.clause_zh,
            "clause_en": self.clause_en,
            "basis": self.basis.value,
            "zh_rendered": self.zh_rendered,
            "url": self.url,
        }


@dataclass(frozen=True)
class Finding:
    """One rule checked: a stable ``code``, its outcome, bilingual text and the clause."""

    code: str
    outcome: Outcome
    zh: str
    en: str
    source: Source | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASS

    def text(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "outcome": self.outcome.value,
            "zh": self.zh,
            "en": self.en,
            "source": self.source.to_dict() if self.source else None,
            "data": {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in self.data.items()},
        }
