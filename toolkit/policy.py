"""Policy as data: a strict, loud loader for ``data/policy/*.yaml`` (after openfisca-core).

Two kinds of file live in ``data/policy/``:

``sources.yaml``
    The documents decisions rest on (id → titles, number, date, url).

``clauses.yaml`` and ``readings.yaml``
    Clauses the rules cite that carry no number (:func:`clause`), and the toolkit's own readings
    where the notice is silent (:func:`reading`, basis I): key → doc, clause_zh, clause_en, basis.

``<parameter>.yaml``
    One dated parameter per file::

        description_zh: 单位公示期最短工作日数
        description_en: Minimum length of the employer's publicity period
        unit: working_days
        values:
          - from: 2023-10-01          # the date the value takes effect
            value: 5
            ref:                      # the clause; `basis` is S, I or NF (see FACTS.md)
              doc: notice_3_0
              clause_zh: ...
              clause_en: ...
              basis: S

Unknown keys, duplicate keys or dates, bad dates and a missing reference each raise
:class:`~toolkit.exceptions.PolicyDataError` naming the file and the key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from .clock import today
from .exceptions import PolicyDataError, PolicyNotInForce, ToolkitError
from .files import write_text_atomic
from .findings import Basis, Source
from .models import StrictModel
from .paths import data_dir, forget_data_dir

__all__ = [
    "Parameter",
    "clause",
    "load_model",
    "load_yaml",
    "parameter",
    "reading",
    "reload",
    "source",
    "sources",
]


# PyYAML's libyaml-based loader where PyYAML was built with it (the wheels are): it parses the
# policy files 7x faster than the pure-Python one (all of data/: 39 -> 5 ms), which every kernel,
# page and command pays once at start.
if TYPE_CHECKING or not getattr(yaml, "__with_libyaml__", False):
    _SafeLoader = yaml.SafeLoader
else:
    _SafeLoader = yaml.CSafeLoader


class _UniqueKeyLoader(_SafeLoader):
    """SafeLoader that refuses duplicate mapping keys (PyYAML silently keeps the last one).

    Dates stay text (no implicit timestamp resolution), so that the schema validates them and
    an impossible date such as 2025-02-30 is reported with its file and key, not as a bare
    ``ValueError`` from the YAML parser.
    """


_UniqueKeyLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
        if key in mapping:
            raise PolicyDataError(
                loader.name, str(key), f"duplicate key (line {key_node.start_mark.line + 1})"
            )
        mapping[key] = loader.construct_object(value_node, deep=deep)  # type: ignore[no-untyped-call]
    return mapping


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path: Path) -> Any:
    """Parse a YAML file strictly (duplicate keys refused); errors name the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyDataError(path, "(file)", f"cannot be read: {exc.strerror or exc}") from exc
    try:
        loader = _UniqueKeyLoader(text)
        loader.name = str(path)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()  # type: ignore[no-untyped-call]
    except yaml.YAMLError as exc:
        raise PolicyDataError(path, "(syntax)", str(exc).replace("\n", " ")) from exc


def validation_error(path: Path, exc: ValidationError) -> PolicyDataError:
    """Turn the first pydantic error into a PolicyDataError naming the file and the key path."""
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"]) or "(top level)"
    msg = err["msg"]
    if err["type"] == "extra_forbidden":
        msg = "unknown key"
    elif err["type"] == "missing":
        msg = "required key is missing"
    return PolicyDataError(
        path, key, f"{msg} (value: {err.get('input')!r})" if err["type"] != "missing" else msg
    )


M = TypeVar("M", bound=BaseModel)


def load_model(path: Path, model: type[M]) -> M:
    """Load a YAML file strictly and validate it against ``model``; errors name the file and key."""
    raw = load_yaml(path)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise validation_error(path, exc) from exc


class SourceDoc(StrictModel):
    title_zh: str
    title_en: str
    number: str | None = None
    date: dt.date | None = None
    url: str | None = None
    note: str | None = None
    # True when the Chinese clause texts citing this document were rendered from an English
    # text (the published English summary), not quoted from the Chinese original: shown as such.
    clause_zh_rendered: bool = False


class RefModel(StrictModel):
    doc: str
    clause_zh: str
    clause_en: str
    basis: Basis = Basis.STATED


class ValueModel(StrictModel):
    from_: dt.date
    value: Any
    ref: RefModel
    note: str | None = None

    model_config = ConfigDict(populate_by_name=True)  # and StrictModel's

    def __init__(self, **data: Any) -> None:
        if "from" in data:
            data["from_"] = data.pop("from")
        super().__init__(**data)

    @field_validator("from_", mode="before")
    @classmethod
    def _strict_date(cls, v: Any) -> Any:
        if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
            return v
        try:
            return dt.date.fromisoformat(str(v)) if len(str(v)) == 10 else _no_date()
        except ValueError:
            raise ValueError("must be a real date written YYYY-MM-DD") from None


def _no_date() -> dt.date:
    raise ValueError("not a date")


class ParameterModel(StrictModel):
    description_zh: str
    description_en: str
    unit: str
    values: list[ValueModel]


@cache
def _sources(root: Path) -> dict[str, SourceDoc]:
    path = root / "policy" / "sources.yaml"
    raw = load_yaml(path)
    if not isinstance(raw, dict):
        raise PolicyDataError(path, "(top level)", "must be a mapping of document id → document")
    out: dict[str, SourceDoc] = {}
    for doc_id, body in raw.items():
        try:
            out[str(doc_id)] = SourceDoc.model_validate(body)
        except ValidationError as exc:
            e = validation_error(path, exc)
            raise PolicyDataError(path, f"{doc_id}.{e.key}", e.problem) from exc
    return out


def sources() -> dict[str, SourceDoc]:
    """All documents in ``data/policy/sources.yaml``."""
    return _sources(data_dir())


def source(
    doc: str, clause_zh: str, clause_en: str, basis: Basis | str = Basis.STATED, *, path: Path | None = None
) -> Source:
    """Build a :class:`Source` for a clause of a registered document (unknown doc ids fail loudly)."""
    return _source(data_dir(), doc, clause_zh, clause_en, Basis(basis), path)


@cache
def _source(root: Path, doc: str, clause_zh: str, clause_en: str, basis: Basis, path: Path | None) -> Source:
    docs = _sources(root)
    if doc not in docs:
        raise PolicyDataError(path or root / "policy" / "sources.yaml", doc, "unknown source document id")
    d = docs[doc]
    return Source(
        doc_id=doc,
        title_zh=d.title_zh,
        title_en=d.title_en,
        clause_zh=clause_zh,
        clause_en=clause_en,
        basis=basis,
        url=d.url,
        number=d.number,
        zh_rendered=d.clause_zh_rendered,
    )


def ref_to_source(ref: RefModel, path: Path) -> Source:
    return _source(data_dir(), ref.doc, ref.clause_zh, ref.clause_en, Basis(ref.basis), path)


@dataclass(frozen=True)
class Parameter:
    """A dated policy parameter: ``.at(date)`` is the value in force on that date."""

    name: str
    path: Path
    description_zh: str
    description_en: str
    unit: str
    values: tuple[tuple[dt.date, Any, Source], ...]  # sorted by date

    def entry(self, on: dt.date | None = None) -> tuple[dt.date, Any, Source]:
        on = on or today()
        chosen = None
        for item in self.values:
            if item[0] <= on:
                chosen = item
        if chosen is None:
            first = self.values[0][0]
            raise PolicyNotInForce(
                self.path,
                "values",
                f"no value in force on {on.isoformat()} (first takes effect {first})",
                on=on,
                first=first,
                what_zh=self.description_zh,
                what_en=self.description_en,
            )
        return chosen

    def at(self, on: dt.date | None = None) -> Any:
        return self.entry(on)[1]

    def source_at(self, on: dt.date | None = None) -> Source:
        return self.entry(on)[2]


@cache
def _parameter(root: Path, name: str) -> Parameter:
    path = root / "policy" / f"{name}.yaml"
    if not path.exists():
        raise PolicyDataError(path, name, "parameter file not found")
    model = load_model(path, ParameterModel)
    if not model.values:
        raise PolicyDataError(path, "values", "at least one dated value is required")
    seen: set[dt.date] = set()
    items = []
    for i, v in enumerate(model.values):
        if v.from_ in seen:
            raise PolicyDataError(path, f"values.{i}.from", f"duplicate date {v.from_.isoformat()}")
        seen.add(v.from_)
        items.append((v.from_, v.value, ref_to_source(v.ref, path)))
    items.sort(key=lambda t: t[0])
    return Parameter(name, path, model.description_zh, model.description_en, model.unit, tuple(items))


def parameter(name: str) -> Parameter:
    """Load ``data/policy/<name>.yaml`` (cached per data folder)."""
    return _parameter(data_dir(), name)


class _ReadingsFile(StrictModel):
    readings: dict[str, RefModel]


class _ClausesFile(StrictModel):
    clauses: dict[str, RefModel]


def _keyed_sources(path: Path, refs: dict[str, RefModel], group: str, inferred: bool) -> dict[str, Source]:
    """Each key's :class:`Source`; ``inferred`` says whether every one must be basis I (the
    toolkit's readings) or none may be (clauses of a document)."""
    out = {}
    for key, ref in refs.items():
        if inferred and ref.basis is not Basis.INFERRED:
            raise PolicyDataError(
                path, f"{group}.{key}.basis", "a reading of the toolkit's own must be basis I"
            )
        if not inferred and ref.basis is Basis.INFERRED:
            raise PolicyDataError(
                path,
                f"{group}.{key}.basis",
                "a reading of the toolkit's own (basis I) belongs in readings.yaml",
            )
        out[key] = ref_to_source(ref, path)
    return out


@cache
def _readings(root: Path) -> dict[str, Source]:
    path = root / "policy" / "readings.yaml"
    return _keyed_sources(path, load_model(path, _ReadingsFile).readings, "readings", inferred=True)


@cache
def _clauses(root: Path) -> dict[str, Source]:
    path = root / "policy" / "clauses.yaml"
    return _keyed_sources(path, load_model(path, _ClausesFile).clauses, "clauses", inferred=False)


def _keyed(table: dict[str, Source], file: str, key: str, what: str) -> Source:
    if key not in table:
        raise PolicyDataError(data_dir() / "policy" / file, key, what)
    return table[key]


def reading(key: str) -> Source:
    """One of the toolkit's own readings where the notice is silent (``data/policy/readings.yaml``,
    basis I): the source a finding cites when it rests on the toolkit's judgement, not a clause."""
    return _keyed(_readings(data_dir()), "readings.yaml", key, "unknown reading")


def clause(key: str) -> Source:
    """A clause a rule cites that carries no number (``data/policy/clauses.yaml``): its document,
    Chinese and English text and basis, as the bureau may correct them without touching code."""
    return _keyed(_clauses(data_dir()), "clauses.yaml", key, "unknown clause")


def reload() -> None:
    """Forget cached policy data (after an import, or when tests switch ``OQTK_DATA_DIR``)."""
    forget_data_dir()
    _sources.cache_clear()
    _source.cache_clear()
    _parameter.cache_clear()
    _readings.cache_clear()
    _clauses.cache_clear()
    for hook in _RELOAD_HOOKS:
        hook()


_RELOAD_HOOKS: list[Any] = []


def install_data_file(
    dest: Path, text: str, loads: Callable[[], object], error: type[ToolkitError], nothing: tuple[str, str]
) -> None:
    """Write an imported file into the bureau's data folder, reload the policy data, and call
    ``loads`` (which raises when the new file does not load as it should): on any failure the
    file that was there before is put back (or the new one removed), the data reloaded and the
    error raised. A folder that cannot be written raises ``error`` saying that nothing was done
    (``nothing``: "未写入", "nothing was written")."""
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        old = dest.read_text(encoding="utf-8") if dest.exists() else None
        write_text_atomic(dest, text)
    except OSError as exc:
        raise error(
            f"{dest}: 无法写入数据目录（{exc.strerror or exc}），{nothing[0]} / cannot write the bureau's data "
            f"folder; {nothing[1]} — check its permissions or set OQTK_BUREAU_DATA_DIR"
        ) from exc
    reload()
    try:
        loads()
    except Exception:
        if old is None:
            dest.unlink(missing_ok=True)
        else:
            write_text_atomic(dest, old)
        reload()
        raise


def on_reload(fn: Any) -> Any:
    """Register a cache-clearing function to run on :func:`reload` (decorator)."""
    _RELOAD_HOOKS.append(fn)
    return fn
