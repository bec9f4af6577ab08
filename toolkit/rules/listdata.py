"""The List as versioned data: loading, and which version applies on a date.

Files (``data/list/``; searching them is :mod:`.listsearch`, importing an annex :mod:`.listimport`):

``versions.yaml``
    Each version: titles, issue and in-force dates, the source document, its categories and
    the sizes a public source states (``expected_entries``).
``v<version>.yaml``
    The entries known for that version, with ``complete: false`` while only part of the annex
    is known (the shipped 1.0 entries are those public reports confirm; 2.0 and 3.0 annexes are
    not public and are imported by the bureau with ``oqtk list import``).

An entry is identified by ``id`` across versions, so a search can say that a certificate was on
an earlier version but is not (or is not known to be) on the version asked for.

The version for a date is the one in force (:func:`version_in_force`), or, while that one has no
entries loaded, the newest version that has some (:func:`list_version_to_use`, which says so).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError, field_validator

from ..clock import today
from ..exceptions import PolicyDataError, ToolkitError
from ..findings import Finding, Outcome, Source
from ..models import StrictModel
from ..paths import bureau_data_dir, data_dir, data_file, data_origin
from ..policy import RefModel, load_yaml, on_reload, reading, ref_to_source, validation_error
from ..vocab import LEVELS

__all__ = [
    "ListEntry",
    "ListVersion",
    "VersionChoice",
    "entries",
    "get_version",
    "list_version_to_use",
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
        return self._partial_notices["zh" if lang == "zh" else "en"]

    @cached_property
    def _partial_notices(self) -> dict[str, str | None]:
        """Both languages' notices: every case result carries both, so they are worded once."""
        return {lang: self._partial_notice(lang) for lang in ("zh", "en")}

    def _partial_notice(self, lang: str) -> str | None:
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


def _version_file(path: Path, version: str) -> VersionFileModel:
    """``v<version>.yaml`` validated; a bad entry is named by its id (``entries[acca_member].…``)."""
    if not path.exists():
        raise PolicyDataError(path, version, "entries file for this version is missing")
    raw = load_yaml(path)
    try:
        return VersionFileModel.model_validate(raw)
    except ValidationError as exc:
        err = validation_error(path, exc)
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


def _load_version_file(path: Path, meta: VersionModel, version: str, root: Path) -> ListVersion:
    from ..policy import source as make_source

    model = _version_file(path, version)
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
    on = on or today()
    chosen = None
    for v in list_versions().values():
        if v.in_force_from <= on:
            chosen = v
    if chosen is None:
        raise ToolkitError(
            f"{on.isoformat()}：当时尚无认可清单 / No version of the List was in force on {on.isoformat()}"
        )
    return chosen


@dataclass(frozen=True)
class VersionChoice:
    """The List version to use on a date (:func:`list_version_to_use`): ``version``, the version
    in force ``in_force``, and ``finding`` — ``list_version_fallback`` (outcome ``check``) when the
    two differ, else None: the version used, the version in force, and what the officer checks,
    citing the toolkit's reading ``newest_loaded_list_version`` (basis I)."""

    version: ListVersion
    in_force: ListVersion
    on: dt.date
    finding: Finding | None = None

    @property
    def fell_back(self) -> bool:
        """True when ``version`` is not the version in force (that one has no entries loaded)."""
        return self.version.version != self.in_force.version


def _fallback_finding(used: str, in_force: str, on: dt.date) -> Finding:
    day = on.isoformat()
    return Finding(
        "list_version_fallback",
        Outcome.CHECK,
        f"{day}现行的{in_force}版清单尚无已载入的条目，本次按{used}版核对：请对照{in_force}版附件确认证书仍在清单上",
        f"List {in_force}, in force on {day}, has no entries loaded; checked on List {used}: confirm against "
        f"the List {in_force} annex that the certificate is still listed",
        reading("newest_loaded_list_version"),
        {"version": used, "in_force": in_force, "on": on},
    )


def list_version_to_use(on: dt.date | None = None) -> VersionChoice:
    """The List version to use on a date (default today): the one in force, or — while that one has
    no entries loaded, so that every answer on it would be "cannot confirm" — the newest earlier
    version that has entries, with :attr:`VersionChoice.finding` saying so.

    The one place this choice is made: the lookup's default version, the assessment form's and the
    batch's all follow it; :func:`~toolkit.rules.assess_case` takes the choice itself as its
    ``list_version`` (and records its finding), :func:`~toolkit.rules.assess_title` makes it for a
    certificate given by id. Cached per date (a batch shares one date).
    """
    return _version_choice(data_dir(), on or today())


@lru_cache(maxsize=256)
def _version_choice(root: Path, on: dt.date) -> VersionChoice:
    in_force = version_in_force(on)
    if in_force.entries:
        return VersionChoice(in_force, in_force, on)
    loaded = [v for v in list_versions().values() if v.entries and v.in_force_from <= in_force.in_force_from]
    if not loaded:
        return VersionChoice(in_force, in_force, on)
    return VersionChoice(
        loaded[-1], in_force, on, _fallback_finding(loaded[-1].version, in_force.version, on)
    )


on_reload(_version_choice.cache_clear)


def lookup_version(on: dt.date | None = None) -> tuple[ListVersion, ListVersion | None]:
    """:func:`list_version_to_use` as a pair: ``(version, None)`` when it is the one in force,
    ``(newest version with entries, version in force)`` when it falls back."""
    choice = list_version_to_use(on)
    return choice.version, (choice.in_force if choice.fell_back else None)


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
