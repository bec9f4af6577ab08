"""The run manifest: what a run folder says about itself, described once.

``manifest.json`` is written by the batch runner (:mod:`toolkit.batch.runner`: first with
outcome ``incomplete``, then atomically replaced with the outcome, counts, versions and the
SHA-256 of each output) and read by the register (:func:`read_manifest`, before anything is
recorded) and, through the register, by the hub's service. All three use :class:`Manifest`;
nothing else reads or writes the file's keys.

Contract (schema 1): times are UTC ISO 8601 (``…Z``); ``outputs`` name plain files inside the
run folder with their SHA-256 (lower-case hex) and size; ``input.original_name`` is present only
when the stored sheet was renamed from the officer's upload. Unknown keys are refused
(:class:`~toolkit.models.StrictModel`): a newer toolkit writes a new ``schema`` number.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, Field, ValidationError, field_validator

from ..models import StrictModel
from .records import (
    MANIFEST_NAME,
    SUPPORTED_MANIFEST_SCHEMAS,
    RunFolderError,
    _created_from_run_id,
    _safe_name,
)

__all__ = [
    "MANIFEST_NAME",
    "MANIFEST_SCHEMA",
    "InputFile",
    "Manifest",
    "OutputFile",
    "read_manifest",
    "utc_seconds",
]

#: The schema the batch writes today.
MANIFEST_SCHEMA = 1
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_StrictInt = Field(default=None, strict=True, ge=0)


def utc_seconds(t: dt.datetime) -> dt.datetime:
    """``t`` in UTC, to the second (a naive time is taken as UTC, as the contract writes)."""
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.astimezone(dt.UTC).replace(microsecond=0)


def _sha256_or_none(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _SHA256_RE.match(value.lower()):
        raise ValueError(f"不是 SHA-256 / not a SHA-256 hex digest: {value!r}")
    return value.lower()


class InputFile(StrictModel):
    """The intake sheet a run reviewed."""

    path: str | None = None
    name: str | None = None
    sha256: str | None = None  # None when the file could not be hashed (not a regular file)
    original_name: str | None = Field(default=None, exclude_if=lambda v: v is None)

    @field_validator("sha256", mode="before")
    @classmethod
    def _hex(cls, v: object) -> str | None:
        return _sha256_or_none(v)


class OutputFile(StrictModel):
    """One file a run wrote (a plain name inside the run folder), as the run wrote it."""

    name: str
    sha256: str
    bytes: int | None = _StrictInt

    @field_validator("name", mode="before")
    @classmethod
    def _plain_name(cls, v: object) -> str:
        try:
            name = _safe_name(v, "name")
        except RunFolderError:
            raise ValueError(f"输出文件名不安全 / unsafe output file name: {v!r}") from None
        if name == MANIFEST_NAME:
            raise ValueError(f"保留的文件名 / reserved name {name!r}")
        return name

    @field_validator("sha256", mode="before")
    @classmethod
    def _hex(cls, v: object) -> str:
        sha = _sha256_or_none(v)
        if sha is None:
            raise ValueError("不是 SHA-256 / not a SHA-256 hex digest: None")
        return sha


class Manifest(StrictModel):
    """``manifest.json`` of one run folder (schema 1). Build it with the keyword names below;
    :meth:`to_json` is the file's text, :meth:`from_json` reads one back (raising
    :class:`pydantic.ValidationError`)."""

    schema_version: int = Field(default=MANIFEST_SCHEMA, alias="schema")
    run_id: str
    created_at: dt.datetime | None = None  # UTC
    finished_at: dt.datetime | None = None
    outcome: Literal["succeeded", "failed", "incomplete"]
    error: str | None = None
    input: InputFile = InputFile()
    parameters: dict[str, Any] = Field(default_factory=dict)
    versions: dict[str, Any] = Field(default_factory=dict)
    rows_in: int | None = _StrictInt
    rows_out: int | None = _StrictInt
    sheets_not_reviewed: list[dict[str, Any]] = Field(
        default_factory=list
    )  # other sheets with an intake header, with their rows
    counts: dict[str, int] = Field(default_factory=dict)
    outputs: list[OutputFile] = Field(default_factory=list)
    duration_s: float | None = Field(default=None, strict=True, ge=0)

    model_config = ConfigDict(validate_by_name=True, serialize_by_alias=True)

    @field_validator("schema_version", mode="before")
    @classmethod
    def _supported(cls, v: object) -> int:
        if isinstance(v, bool) or v not in SUPPORTED_MANIFEST_SCHEMAS:
            raise ValueError(
                f"不支持的运行清单格式版本 / unsupported manifest schema {v!r} "
                f"(supported: {sorted(SUPPORTED_MANIFEST_SCHEMAS)}); upgrade oq-toolkit"
            )
        return int(v)  # type: ignore[call-overload]

    @field_validator("created_at", "finished_at")
    @classmethod
    def _utc(cls, v: dt.datetime | None) -> dt.datetime | None:
        return None if v is None else utc_seconds(v)

    @field_validator("outputs")
    @classmethod
    def _unique(cls, v: list[OutputFile]) -> list[OutputFile]:
        names = [o.name for o in v]
        if len(set(names)) != len(names):
            raise ValueError(f"重复的文件名 / duplicate output names: {names}")
        return v

    @classmethod
    def missing(cls, run_dir: Path) -> Manifest:
        """What a folder without ``manifest.json`` is taken to say: incomplete, created when its id says."""
        created = _created_from_run_id(run_dir.name)
        return cls(
            run_id=run_dir.name,
            outcome="incomplete",
            created_at=dt.datetime.fromisoformat(created) if created else None,
            error="没有 manifest.json（运行被中断或仍在进行）/ no manifest.json (the run was interrupted or is still running)",
        )

    def to_json(self) -> str:
        """The text of ``manifest.json`` (UTF-8, not ASCII-escaped, indented)."""
        return self.model_dump_json(indent=2) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """The manifest as JSON values (what :meth:`to_json` writes)."""
        return self.model_dump(mode="json")

    @classmethod
    def from_json(cls, text: str | bytes) -> Manifest:
        return cls.model_validate_json(text)


def _problem_text(where: str, exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(x) if isinstance(x, str) else f"[{x}]" for x in err["loc"]).replace(".[", "[")
        parts.append(f"{loc}: {err['msg'].removeprefix('Value error, ')}")
    return f"{where}: " + "; ".join(parts)


def read_manifest(run_dir: Path) -> tuple[Manifest, bytes | None]:
    """A run folder's manifest and its bytes (None when it has none: :meth:`Manifest.missing`).

    Raises :class:`RunFolderError` naming the file and each bad key: invalid JSON, a key out of
    contract, or a ``run_id`` other than the folder's name (a run folder is never renamed).
    """
    path = run_dir / MANIFEST_NAME
    if not path.is_file():
        return Manifest.missing(run_dir), None
    raw = path.read_bytes()
    try:
        manifest = Manifest.from_json(raw)
    except ValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            raise RunFolderError(
                f"{path}: 不是有效的 JSON / not valid JSON ({exc.errors()[0]['msg']})"
            ) from None
        raise RunFolderError(_problem_text(str(path), exc)) from None
    if manifest.created_at is None:  # an early manifest: the time its run id carries
        manifest = manifest.model_copy(update={"created_at": Manifest.missing(run_dir).created_at})
    if manifest.run_id != run_dir.name:
        raise RunFolderError(
            f"{path}: run_id: 与文件夹名称不一致 / does not match the folder name "
            f"({manifest.run_id!r} ≠ {run_dir.name!r}); a run folder must not be renamed"
        )
    return manifest, raw
