"""The List as versioned data: loading, search, and importing an annex.

Files (``data/list/``):

``versions.yaml``
    Each version: titles, issue and in-force dates, the source document, its categories and
    the sizes a public source states (``expected_entries``).
``aliases.yaml``
    Other names of issuing bodies (特许公认会计师公会 for ACCA), each with its source: a search by
    such a name finds every entry, on every version, whose issuer it names.
``v<version>.yaml``
    The entries known for that version, with ``complete: false`` while only part of the annex
    is known (the shipped 1.0 entries are those public reports confirm; 2.0 and 3.0 annexes are
    not public and are imported by the bureau with ``oqtk list import``).

An entry is identified by ``id`` across versions, so a search can say that a certificate was on
an earlier version but is not (or is not known to be) on the version asked for.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError, field_validator

from ..exceptions import PolicyDataError, ToolkitError
from ..findings import Source
from ..models import StrictModel
from ..paths import bureau_data_dir, data_dir, data_file, data_origin
from ..policy import RefModel, load_yaml, on_reload, ref_to_source, validation_error
from ..vocab import CATEGORIES, LEVELS, normalize_text

__all__ = [
    "ListEntry",
    "ListVersion",
    "QualificationMatch",
    "entries",
    "find_qualifications",
    "list_versions",
    "lookup_version",
    "version_in_force",
]

Category = Literal["A", "B", "C", "D"]


class VersionModel(StrictModel):
    title_zh: str
    title_en: str
    issued: dt.date
    in_force_from: dt.date
    doc: str
    categories: list[Category]
    expected_entries: dict[Category, int] | None = None
    # True when issued/in_force_from stand for a month the public record gives without a day
    date_placeholder: bool = False


class EntryModel(StrictModel):
    id: str
    name_zh: str
    name_en: str
    abbreviations: list[str] = []
    aliases: list[str] = []
    issuer: str
    country: str | None = None
    field: str | None = None
    categories: list[Category]
    c_series: list[str] = []
    c_level: str | None = None
    inferred: list[str] = []
    source: RefModel

    @field_validator("id")
    @classmethod
    def _id_slug(cls, v: str) -> str:
        if not v or not all(ch.isascii() and (ch.isalnum() or ch in "_-.") for ch in v):
            raise ValueError("id must be ASCII letters, digits, '_', '-' or '.'")
        return v

    @field_validator("categories")
    @classmethod
    def _non_empty(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("at least one category is required")
        if len(set(v)) != len(v):
            raise ValueError("a category is listed twice")
        return v

    @field_validator("c_level")
    @classmethod
    def _level(cls, v: str | None) -> str | None:
        if v is not None and v not in LEVELS:
            raise ValueError(f"c_level must be one of {', '.join(LEVELS)}")
        return v


class AliasNameModel(StrictModel):
    name: str
    ref: RefModel


class IssuerAliasModel(StrictModel):
    issuer: list[str]  # the issuer as entries write it (any of these)
    names: list[AliasNameModel]


class AliasFileModel(StrictModel):
    issuers: list[IssuerAliasModel]


class VersionFileModel(StrictModel):
    version: str
    complete: bool
    provenance_zh: str
    provenance_en: str
    imported: dict[str, Any] | None = None  # file, sha256, at — set by `oqtk list import`
    entries: list[EntryModel]


@dataclass(frozen=True)
class ListEntry:
    """One certificate as listed on one version of the List."""

    id: str
    version: str
    name_zh: str
    name_en: str
    abbreviations: tuple[str, ...]
    aliases: tuple[str, ...]
    issuer: str
    country: str | None
    field: str | None
    categories: tuple[str, ...]
    c_series: tuple[str, ...]
    c_level: str | None
    inferred: tuple[str, ...]
    source: Source

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "abbreviations": list(self.abbreviations),
            "aliases": list(self.aliases),
            "issuer": self.issuer,
            "country": self.country,
            "field": self.field,
            "categories": list(self.categories),
            "c_series": list(self.c_series),
            "c_level": self.c_level,
            "inferred": list(self.inferred),
            "source": self.source.to_dict(),
        }


@dataclass(frozen=True)
class ListVersion:
    version: str
    title_zh: str
    title_en: str
    issued: dt.date
    in_force_from: dt.date
    categories: tuple[str, ...]
    expected_entries: dict[str, int] | None
    complete: bool
    provenance_zh: str
    provenance_en: str
    imported: dict[str, Any] | None
    entries: tuple[ListEntry, ...]
    source: Source
    path: Path
    date_placeholder: bool = False  # in_force_from stands for a month (day not in the public record)

    @property
    def known_count(self) -> int:
        return len(self.entries)

    @property
    def expected_total(self) -> int | None:
        return sum(self.expected_entries.values()) if self.expected_entries else None

    def partial_notice(self, lang: str = "zh") -> str | None:
        """A sentence saying the shipped list is partial, or None when the annex is complete."""
        if self.complete:
            return None
        total = self.expected_total
        if lang == "zh":
            size = (
                f"（共{total}条，已载入{self.known_count}条）"
                if total
                else f"（已载入{self.known_count}条，总数公开资料未载）"
            )
            return f"{self.title_zh}不完整{size}：{self.provenance_zh}"
        size = (
            f" ({self.known_count} of {total} entries loaded)"
            if total
            else f" ({self.known_count} entries loaded; total not in the public record)"
        )
        return f"{self.title_en} is partial{size}: {self.provenance_en}"

    def origin(self, lang: str = "zh") -> str:
        """Where the entries come from: shipped, or imported on which date from which file."""
        where = data_origin(self.path)
        if self.imported:
            at = str(self.imported.get("at", ""))[:10]
            name = self.imported.get("file", "?")
            return (
                f"{at} 由 {name} 导入（{self.path}）"
                if lang == "zh"
                else f"imported {at} from {name} ({self.path})"
            )
        if where == "bureau":
            return f"数据目录 {self.path}" if lang == "zh" else f"the bureau's data folder: {self.path}"
        return f"随程序提供 {self.path}" if lang == "zh" else f"shipped: {self.path}"

    def get(self, entry_id: str) -> ListEntry | None:
        for e in self.entries:
            if e.id == entry_id:
                return e
        return None


def _load_version_file(path: Path, meta: VersionModel, version: str, root: Path) -> ListVersion:
    from ..policy import source as make_source

    if not path.exists():
        raise PolicyDataError(path, version, "entries file for this version is missing")
    raw = load_yaml(path)
    try:
        model = VersionFileModel.model_validate(raw)
    except ValidationError as exc:
        err = validation_error(path, exc)
        # name the entry by its id where we can
        loc = exc.errors()[0]["loc"]
        if len(loc) >= 2 and loc[0] == "entries" and isinstance(loc[1], int):
            try:
                entry_id = raw["entries"][loc[1]].get("id", f"#{loc[1]}")
            except (KeyError, IndexError, TypeError, AttributeError):
                entry_id = f"#{loc[1]}"
            raise PolicyDataError(
                path, f"entries[{entry_id}].{'.'.join(map(str, loc[2:]))}", err.problem
            ) from exc
        raise err from exc
    if model.version != version:
        raise PolicyDataError(
            path, "version", f"says {model.version!r} but the file is for version {version!r}"
        )
    seen: set[str] = set()
    out = []
    for e in model.entries:
        if e.id in seen:
            raise PolicyDataError(path, f"entries[{e.id}]", "duplicate entry id")
        seen.add(e.id)
        bad = set(e.categories) - set(meta.categories)
        if bad:
            raise PolicyDataError(
                path, f"entries[{e.id}].categories", f"category {sorted(bad)} is not on version {version}"
            )
        if "C" in e.categories and e.c_level is None:
            raise PolicyDataError(
                path, f"entries[{e.id}].c_level", "a Category C entry needs the title level it maps to"
            )
        if "C" not in e.categories and (e.c_level or e.c_series):
            raise PolicyDataError(
                path, f"entries[{e.id}].c_level", "only Category C entries map to a title level"
            )
        out.append(
            ListEntry(
                id=e.id,
                version=version,
                name_zh=e.name_zh,
                name_en=e.name_en,
                abbreviations=tuple(e.abbreviations),
                aliases=tuple(e.aliases),
                issuer=e.issuer,
                country=e.country,
                field=e.field,
                categories=tuple(sorted(e.categories)),
                c_series=tuple(e.c_series),
                c_level=e.c_level,
                inferred=tuple(e.inferred),
                source=ref_to_source(e.source, path),
            )
        )
    return ListVersion(
        version=version,
        title_zh=meta.title_zh,
        title_en=meta.title_en,
        issued=meta.issued,
        in_force_from=meta.in_force_from,
        categories=tuple(meta.categories),
        expected_entries={str(k): v for k, v in meta.expected_entries.items()}
        if meta.expected_entries
        else None,
        complete=model.complete,
        provenance_zh=model.provenance_zh,
        provenance_en=model.provenance_en,
        imported=model.imported,
        entries=tuple(out),
        source=make_source(meta.doc, meta.title_zh, meta.title_en, path=root / "list" / "versions.yaml"),
        path=path,
        date_placeholder=meta.date_placeholder,
    )


def _version_metas(root: Path) -> dict[str, tuple[VersionModel, Path]]:
    """``list/versions.yaml``, with the versions the bureau's own ``list/versions.yaml`` adds (or
    redescribes) layered over the shipped ones; each with the file it was read from."""
    metas: dict[str, tuple[VersionModel, Path]] = {}
    own = bureau_data_dir() / "list" / "versions.yaml"
    for path in (root / "list" / "versions.yaml", own):
        if path == own and not path.exists():
            continue
        raw = load_yaml(path)
        if not isinstance(raw, dict) or not raw:
            raise PolicyDataError(path, "(top level)", "must map each version to its description")
        for version, body in raw.items():
            try:
                metas[str(version)] = (VersionModel.model_validate(body), path)
            except ValidationError as exc:
                e = validation_error(path, exc)
                raise PolicyDataError(path, f"{version}.{e.key}", e.problem) from exc
    return metas


@cache
def _versions(root: Path) -> dict[str, ListVersion]:
    out: dict[str, ListVersion] = {}
    own = bureau_data_dir() / "list" / "versions.yaml"
    for version, (meta, path) in _version_metas(root).items():
        name = f"v{version}.yaml"
        # a version the bureau registered keeps its entries in the bureau's folder
        entries_path = path.parent / name if path == own else data_file("list", name)
        out[version] = _load_version_file(entries_path, meta, version, root)
    return dict(sorted(out.items(), key=lambda kv: kv[1].in_force_from))


on_reload(_versions.cache_clear)


def list_versions() -> dict[str, ListVersion]:
    """All versions of the List, oldest first."""
    return _versions(data_dir())


def version_in_force(on: dt.date | None = None) -> ListVersion:
    """The version in force on a date (default today)."""
    on = on or dt.date.today()
    chosen = None
    for v in list_versions().values():
        if v.in_force_from <= on:
            chosen = v
    if chosen is None:
        raise ToolkitError(
            f"{on.isoformat()}：当时尚无认可清单 / No version of the List was in force on {on.isoformat()}"
        )
    return chosen


def lookup_version(on: dt.date | None = None) -> tuple[ListVersion, ListVersion | None]:
    """The version a lookup starts on, and why: ``(version, None)`` when it is the one in force;
    ``(newest version with entries, version in force)`` while the one in force has no entries
    loaded (every answer on it would be "cannot confirm")."""
    in_force = version_in_force(on)
    if in_force.entries:
        return in_force, None
    loaded = [v for v in list_versions().values() if v.entries and v.in_force_from <= in_force.in_force_from]
    return (loaded[-1], in_force) if loaded else (in_force, None)


def get_version(version: str | None, on: dt.date | None = None) -> ListVersion:
    """A version by name, or the one in force on ``on`` when ``version`` is None."""
    if version is None:
        return version_in_force(on)
    versions = list_versions()
    if str(version) not in versions:
        raise ToolkitError(
            f"未知的清单版本 {version} / Unknown List version {version!r}; known: {', '.join(versions)}"
        )
    return versions[str(version)]


def entries(version: str | None = None) -> tuple[ListEntry, ...]:
    return get_version(version).entries


# --- search -------------------------------------------------------------------------------

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
    for v in _versions(root).values():
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
    versions = _versions(root)
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
