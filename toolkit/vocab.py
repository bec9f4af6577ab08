"""Controlled vocabularies: codes with Chinese and English labels and accepted spellings.

These are names, not policy numbers: which degree meets which level lives in ``data/policy``.
Forms, the intake reader and reports all use these so a code reads the same everywhere.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

__all__ = [
    "CATEGORIES",
    "DEGREES",
    "EMPLOYER_TYPES",
    "HOLDER_TYPES",
    "LEVELS",
    "LEVEL_ORDER",
    "STATUSES",
    "SUPERSEDED_HOLDER_WORDS",
    "YES_NO",
    "label",
    "normalize_text",
    "parse_code",
    "superseded_holder_word",
]

# code → (zh, en)
HOLDER_TYPES: dict[str, tuple[str, str]] = {
    "foreign_national": ("外籍人员", "Foreign national"),
    "hk_macao": ("港澳居民", "Hong Kong / Macao resident"),
    "taiwan": ("台湾居民", "Taiwan resident"),
    "mainland_resident": ("内地（大陆）居民", "Mainland resident"),
}
DEGREES: dict[str, tuple[str, str]] = {
    "doctorate": ("博士", "Doctorate"),
    "master": ("硕士", "Master's"),
    "second_bachelor": ("第二学士", "Second bachelor's"),
    "bachelor": ("学士", "Bachelor's"),
    "associate": ("大专", "Associate (college diploma)"),
    "none": ("无", "None"),
}
LEVELS: dict[str, tuple[str, str]] = {
    "junior": ("初级", "Junior"),
    "intermediate": ("中级", "Intermediate"),
    "associate_senior": ("副高级", "Associate senior"),
}
LEVEL_ORDER: tuple[str, ...] = ("junior", "intermediate", "associate_senior")
EMPLOYER_TYPES: dict[str, tuple[str, str]] = {
    "enterprise": ("企业", "Enterprise"),
    "public_institution": ("事业单位", "Public institution"),
    "social_organisation": ("社会组织", "Social organisation"),
    "individual_business": ("个体经济组织", "Individual business"),
}
CATEGORIES: dict[str, tuple[str, str]] = {
    "A": ("A类 认可类", "A: recognised"),
    "B": ("B类 急需紧缺类", "B: urgently needed"),
    "C": ("C类 职称衔接类", "C: aligned with professional titles"),
    "D": ("D类 互认类", "D: mutual recognition"),
}
STATUSES: dict[str, tuple[str, str]] = {
    "eligible": ("符合条件", "Eligible"),
    "not_eligible": ("不符合条件", "Not eligible"),
    "incomplete": ("待补正", "Incomplete"),
    "invalid": ("无法评估", "Invalid"),
}
YES_NO: dict[str, tuple[str, str]] = {"yes": ("是", "Yes"), "no": ("否", "No")}

_EXTRA_SPELLINGS: dict[str, dict[str, str]] = {
    "holder": {
        "外籍": "foreign_national",
        "外国人": "foreign_national",
        "港澳": "hk_macao",
        "台湾": "taiwan",
        "内地居民": "mainland_resident",
        "大陆居民": "mainland_resident",
        "内地(大陆)居民": "mainland_resident",
        **dict.fromkeys(
            ("中国公民", "chinese_citizen", "Chinese citizen", "中国籍", "中国"), "mainland_resident"
        ),
    },
    "degree": {
        "博士研究生": "doctorate",
        "硕士研究生": "master",
        "第二学士学位": "second_bachelor",
        "本科": "bachelor",
        "学士学位": "bachelor",
        "专科": "associate",
        "phd": "doctorate",
    },
    "level": {
        "副高": "associate_senior",
        "副高级职称": "associate_senior",
        "中级职称": "intermediate",
        "初级职称": "junior",
    },
}


# Words an earlier template used for 内地（大陆）居民: still read, with a note, since Hong Kong, Macao
# and Taiwan residents are Chinese citizens too (the word overlapped 港澳居民 and 台湾居民).
SUPERSEDED_HOLDER_WORDS: tuple[str, ...] = (
    "中国公民",
    "chinese_citizen",
    "Chinese citizen",
    "中国籍",
    "中国",
)


def superseded_holder_word(value: object) -> bool:
    """Whether ``value`` is an old word for 内地（大陆）居民 (read as ``mainland_resident``, with a note)."""
    key = normalize_text(value)
    return bool(key) and key in _SUPERSEDED_KEYS


def normalize_text(value: object) -> str:
    """NFKC (full-width → half-width), lower case, no spaces, line breaks or trailing ``*``."""
    s = unicodedata.normalize("NFKC", str(value))
    s = "".join(ch for ch in s if not ch.isspace()).lower()
    return s.rstrip("*")


_SUPERSEDED_KEYS = frozenset(normalize_text(w) for w in SUPERSEDED_HOLDER_WORDS)


def parse_code(value: object, vocab: Mapping[str, tuple[str, str]], kind: str | None = None) -> str | None:
    """Map a code, a Chinese or an English label (any width or case) to its code, else None."""
    key = normalize_text(value)
    if not key:
        return None
    for code, (zh, en) in vocab.items():
        if key in (normalize_text(code), normalize_text(zh), normalize_text(en)):
            return code
    if kind and key in {normalize_text(k): v for k, v in _EXTRA_SPELLINGS.get(kind, {}).items()}:
        return {normalize_text(k): v for k, v in _EXTRA_SPELLINGS[kind].items()}[key]
    return None


def label(code: str | None, vocab: Mapping[str, tuple[str, str]], lang: str = "zh") -> str:
    """The label of a code in the language asked for ("zh", "en" or "both")."""
    if code is None or code not in vocab:
        return "" if code is None else str(code)
    zh, en = vocab[code]
    return {"zh": zh, "en": en}.get(lang, f"{zh} {en}")
