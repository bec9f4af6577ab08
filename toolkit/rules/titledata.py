"""Title series and evaluation rounds as data (``data/policy/title_series.yaml``, ``rounds.yaml``).

A series names its title at each level and whether it needs a science or engineering degree; a
round names the List versions it is for, its experience cut-off, whether earlier rounds'
participants are excluded, and the employer types it is open to. Each carries its clause.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..exceptions import PolicyDataError
from ..findings import Source
from ..models import StrictModel
from ..paths import data_dir
from ..policy import RefModel, load_model, on_reload, ref_to_source
from ..vocab import EMPLOYER_TYPES, LEVEL_ORDER

__all__ = ["Round", "Series", "rounds", "title_series"]


class _TitleName(StrictModel):
    zh: str
    en: str


class _SeriesModel(StrictModel):
    name_zh: str
    name_en: str
    requires_science_or_engineering_degree: bool
    titles: dict[str, _TitleName]
    ref: RefModel


class _SeriesFile(StrictModel):
    series: dict[str, _SeriesModel]


@dataclass(frozen=True)
class Series:
    code: str
    name_zh: str
    name_en: str
    requires_science_or_engineering_degree: bool
    titles: dict[str, tuple[str, str]]
    source: Source


@cache
def _series(root: Path) -> dict[str, Series]:
    path = root / "policy" / "title_series.yaml"
    model = load_model(path, _SeriesFile)
    out = {}
    for code, s in model.series.items():
        if set(s.titles) != set(LEVEL_ORDER):
            raise PolicyDataError(
                path, f"series.{code}.titles", f"must name a title for each of {', '.join(LEVEL_ORDER)}"
            )
        out[code] = Series(
            code,
            s.name_zh,
            s.name_en,
            s.requires_science_or_engineering_degree,
            {lvl: (t.zh, t.en) for lvl, t in s.titles.items()},
            ref_to_source(s.ref, path),
        )
    return out


class _RoundModel(StrictModel):
    id: str
    name_zh: str
    name_en: str
    announced: dt.date
    list_versions: list[str]
    experience_cutoff: dt.date | None = None
    excludes_previous_rounds: bool = False
    employer_types: list[str] | None = None
    ref: RefModel


class _RoundsFile(StrictModel):
    rounds: list[_RoundModel]


@dataclass(frozen=True)
class Round:
    """An evaluation round: which List versions, the experience cut-off, exclusions."""

    id: str
    name_zh: str
    name_en: str
    announced: dt.date
    list_versions: tuple[str, ...]
    experience_cutoff: dt.date | None
    excludes_previous_rounds: bool
    employer_types: tuple[str, ...] | None
    source: Source


@cache
def _rounds(root: Path) -> dict[str, Round]:
    path = root / "policy" / "rounds.yaml"
    model = load_model(path, _RoundsFile)
    out: dict[str, Round] = {}
    for r in model.rounds:
        if r.id in out:
            raise PolicyDataError(path, f"rounds[{r.id}]", "duplicate round id")
        bad = set(r.employer_types or ()) - set(EMPLOYER_TYPES)
        if bad:
            raise PolicyDataError(
                path, f"rounds[{r.id}].employer_types", f"unknown employer type {sorted(bad)}"
            )
        out[r.id] = Round(
            r.id,
            r.name_zh,
            r.name_en,
            r.announced,
            tuple(r.list_versions),
            r.experience_cutoff,
            r.excludes_previous_rounds,
            tuple(r.employer_types) if r.employer_types is not None else None,
            ref_to_source(r.ref, path),
        )
    return out


on_reload(_series.cache_clear)
on_reload(_rounds.cache_clear)


def title_series() -> dict[str, Series]:
    """Title series known to the toolkit (``data/policy/title_series.yaml``)."""
    return _series(data_dir())


def rounds() -> dict[str, Round]:
    """Evaluation rounds (``data/policy/rounds.yaml``)."""
    return _rounds(data_dir())
