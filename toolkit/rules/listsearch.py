"""Searching the List: by Chinese or English name, abbreviation, alias or another name of the issuer.

``data/list/aliases.yaml`` gives other names of issuing bodies (特许公认会计师公会 for ACCA), each
with its source: a search by such a name finds every entry, on every version, whose issuer it
names. Each hit says where the certificate stands on the version asked for
(:class:`QualificationMatch`): on it, removed from it, not known to be on it (a partial version),
or not yet listed.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from ..exceptions import PolicyDataError
from ..findings import Source
from ..models import StrictModel
from ..paths import data_dir, data_file
from ..policy import RefModel, load_yaml, on_reload, ref_to_source, validation_error
from ..vocab import CATEGORIES, normalize_text
from .listdata import ListEntry, get_version, list_versions

__all__ = ["QualificationMatch", "category_label", "find_qualifications", "issuer_aliases"]


class AliasNameModel(StrictModel):
    name: str
    ref: RefModel


class IssuerAliasModel(StrictModel):
    issuer: list[str]  # the issuer as entries write it (any of these)
    names: list[AliasNameModel]


class AliasFileModel(StrictModel):
    issuers: list[IssuerAliasModel]


MatchStatus = Literal["on_list", "removed", "not_known_on_version", "not_yet_listed"]


@dataclass(frozen=True)
class QualificationMatch:
    """A search hit: the certificate, how well it matched, and its standing on the version asked."""

    entry_id: str
    name_zh: str
    name_en: str
    score: float  # 1.0 exact; lower for near matches
    matched_on: str  # the name, abbreviation or alias that matched
    version: str  # the version asked for
    status: MatchStatus
    entry: ListEntry  # the entry on the version asked for, else on the latest version listing it
    categories_by_version: dict[str, tuple[str, ...]] = field(default_factory=dict)
    note_zh: str = ""
    note_en: str = ""
    matched_source: Source | None = None  # when matched on another name of the issuer: its source
    contained: bool = False  # the query is part of the name (typed in part)

    @property
    def exact(self) -> bool:
        """A match of a name, abbreviation or alias, whole or typed in part ("特许公认会计师" of
        "特许公认会计师公会"); anything else is a near match, shown apart."""
        return self.score >= 0.999 or self.contained

    @property
    def categories(self) -> tuple[str, ...]:
        """Categories on the version asked for (empty unless ``status == "on_list"``)."""
        return self.entry.categories if self.status == "on_list" else ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "entry_id": self.entry_id,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "score": round(self.score, 3),
            "matched_on": self.matched_on,
            "version": self.version,
            "status": self.status,
            "categories": list(self.categories),
            "categories_by_version": {k: list(v) for k, v in self.categories_by_version.items()},
            "c_level": self.entry.c_level if self.status == "on_list" else None,
            "c_series": list(self.entry.c_series) if self.status == "on_list" else [],
            "note_zh": self.note_zh,
            "note_en": self.note_en,
            "matched_source": self.matched_source.to_dict() if self.matched_source else None,
            "entry": self.entry.to_dict(),
        }


def _keys(e: ListEntry) -> list[str]:
    return [e.name_zh, e.name_en, *e.abbreviations, *e.aliases]


@cache
def issuer_aliases(root: Path | None = None) -> dict[str, tuple[tuple[str, Source], ...]]:
    """Normalised issuer → its other names with their sources (``list/aliases.yaml``; the bureau's
    own file, if any, replaces the shipped one)."""
    path = data_file("list", "aliases.yaml") if root is None else root / "list" / "aliases.yaml"
    if not path.exists():
        return {}
    raw = load_yaml(path)
    try:
        model = AliasFileModel.model_validate(raw)
    except ValidationError as exc:
        raise validation_error(path, exc) from exc
    out: dict[str, tuple[tuple[str, Source], ...]] = {}
    for i, group in enumerate(model.issuers):
        names = tuple((n.name, ref_to_source(n.ref, path)) for n in group.names)
        for issuer in group.issuer:
            key = normalize_text(issuer)
            if key in out:
                raise PolicyDataError(path, f"issuers.{i}.issuer", f"{issuer!r} is listed twice")
            out[key] = names
    return out


on_reload(issuer_aliases.cache_clear)


@cache
def _index(root: Path) -> tuple[tuple[str, str, str, int], ...]:
    """(normalised key, original key, entry id, kind) for every name of every version; kind 3 is
    another name of the entry's issuer (``aliases.yaml``)."""
    rows: dict[tuple[str, str], tuple[str, str, str, int]] = {}
    by_issuer = issuer_aliases()
    for v in list_versions().values():
        for e in v.entries:
            for kind, k in enumerate(_keys(e)):
                nk = normalize_text(k)
                if nk:
                    rows.setdefault((nk, e.id), (nk, k, e.id, min(kind, 2)))
            for name, _src in by_issuer.get(normalize_text(e.issuer), ()):
                nk = normalize_text(name)
                rows.setdefault((nk, e.id), (nk, name, e.id, 3))
    return tuple(rows.values())


on_reload(_index.cache_clear)


def _alias_source(entry: ListEntry, name: str) -> Source | None:
    for n, src in issuer_aliases().get(normalize_text(entry.issuer), ()):
        if n == name:
            return src
    return None


NEAR_MATCH_CUTOFF = 0.6  # search tuning, not policy
# A spelling counts as near only when it is close: one letter off in a four-letter abbreviation
# is another certificate (FCCA is not FCMA, the CGMA fellow), not a typo; a slip in a longer name
# ("ACCA fellw") still is.
FUZZY_MIN_RATIO = 0.85


def _score(query: str, key: str) -> float:
    if query == key:
        return 1.0
    if len(query) >= 2 and (query in key or key in query):
        shorter, longer = sorted((len(query), len(key)))
        return 0.6 + 0.35 * shorter / longer
    ratio = difflib.SequenceMatcher(None, query, key).ratio()
    return ratio * 0.9 if ratio >= FUZZY_MIN_RATIO else 0.0


def find_qualifications(
    text: str, version: str | None = None, *, limit: int = 10, on: dt.date | None = None
) -> list[QualificationMatch]:
    """Search the List by Chinese or English name, abbreviation or alias.

    Ignores case, spaces and full-/half-width forms; exact matches first, then near matches
    ranked by similarity. ``version`` defaults to the version in force ``on`` (default today).
    Each hit says whether the certificate is on that version, was on an earlier version and is
    not on this (complete) one, or is not known to be on it because the version is partial.
    """
    root = data_dir()
    target = get_version(version, on)
    query = normalize_text(text)
    if not query:
        return []
    best: dict[str, tuple[float, str, int, bool]] = {}
    for nk, original, entry_id, kind in _index(root):
        s = _score(query, nk)
        if s >= NEAR_MATCH_CUTOFF and s > best.get(entry_id, (0.0, "", 0, False))[0]:
            best[entry_id] = (s, original, kind, len(query) >= 2 and query in nk)
    versions = list_versions()
    out = []
    for entry_id, (s, original, kind, contained) in best.items():
        by_version = {v.version: e.categories for v in versions.values() if (e := v.get(entry_id))}
        on_target = target.get(entry_id)
        if on_target is not None:
            status: MatchStatus = "on_list"
            entry = on_target
            cats = "、".join(entry.categories)
            note_zh = f"在{target.version}版清单{cats}类"
            note_en = f"On List {target.version} in Category {', '.join(entry.categories)}"
        else:
            listed = [v for v in versions.values() if v.get(entry_id)]
            latest = listed[-1]
            entry = latest.get(entry_id)  # type: ignore[assignment]
            earlier = [v.version for v in listed if v.in_force_from < target.in_force_from]
            if not earlier:
                status = "not_yet_listed"
                note_zh = f"{latest.version}版清单才列入，不在{target.version}版"
                note_en = f"Listed only from version {latest.version}, not on {target.version}"
            elif target.complete:
                status = "removed"
                note_zh = f"曾在{'、'.join(earlier)}版清单，{target.version}版已不再列入"
                note_en = f"Was on version {', '.join(earlier)}; not on version {target.version}"
            else:
                status = "not_known_on_version"
                note_zh = (
                    f"曾在{'、'.join(earlier)}版清单；{target.version}版清单附件未完整载入，"
                    f"无法确认是否仍在清单上，请核对{target.version}版附件或导入"
                )
                note_en = (
                    f"Was on version {', '.join(earlier)}; the version {target.version} annex is not fully loaded, "
                    f"so whether it is still listed is not known — check the annex or import it"
                )
        out.append(
            QualificationMatch(
                entry_id=entry_id,
                name_zh=entry.name_zh,
                name_en=entry.name_en,
                score=s,
                matched_on=original,
                version=target.version,
                status=status,
                entry=entry,
                categories_by_version=by_version,
                note_zh=note_zh,
                note_en=note_en,
                matched_source=_alias_source(entry, original) if kind == 3 else None,
                contained=contained,
            )
        )
    out.sort(key=lambda m: (-m.score, m.status != "on_list", m.entry_id))
    return out[:limit]


def category_label(code: str, lang: str = "zh") -> str:
    zh, en = CATEGORIES[code]
    return zh if lang == "zh" else en
