"""Reading a run folder: its ``manifest.json`` checked key by key before anything is recorded."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .records import (
    _RUN_ID_RE,
    _SHA256_RE,
    MANIFEST_NAME,
    OUTCOMES,
    RUN_FILES,
    SUPPORTED_MANIFEST_SCHEMAS,
    OutputRecord,
    RunFolderError,
    _created_from_run_id,
    _safe_name,
    _utc_iso,
)

log = logging.getLogger("toolkit.register")


@dataclass
class _RunInfo:
    """What a run folder says about itself (parsed and checked, not yet in the register)."""

    run_id: str
    run_dir: Path
    outcome: str
    error: str | None
    manifest_schema: int | None
    created_at: str | None
    finished_at: str | None
    input_path: str | None
    input_name: str | None
    input_sha256: str | None
    parameters: dict[str, Any]
    versions: dict[str, Any]
    counts: dict[str, Any]
    rows_in: int | None
    rows_out: int | None
    duration_s: float | None
    manifest_json: str | None
    manifest_sha256: str | None
    outputs: list[OutputRecord]


def _read_run_folder(run_dir: Path) -> _RunInfo:
    manifest_path = run_dir / MANIFEST_NAME
    if not manifest_path.is_file():
        run_id = run_dir.name
        return _RunInfo(
            run_id=run_id, run_dir=run_dir, outcome="incomplete",
            error="没有 manifest.json（运行被中断或仍在进行）/ no manifest.json (the run was interrupted or is still running)",
            manifest_schema=None, created_at=_created_from_run_id(run_id), finished_at=None,
            input_path=None, input_name=None, input_sha256=None, parameters={}, versions={}, counts={},
            rows_in=None, rows_out=None, duration_s=None, manifest_json=None, manifest_sha256=None,
            outputs=[],
        )  # fmt: skip
    raw = manifest_path.read_bytes()
    where = str(manifest_path)
    try:
        m = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunFolderError(f"{where}: 不是有效的 JSON / not valid JSON ({exc})") from None
    if not isinstance(m, dict):
        raise RunFolderError(f"{where}: 应为 JSON 对象 / must be a JSON object")
    schema = m.get("schema")
    if schema not in SUPPORTED_MANIFEST_SCHEMAS:
        raise RunFolderError(
            f"{where}: schema: 不支持的运行清单格式版本 / unsupported manifest schema {schema!r} "
            f"(supported: {sorted(SUPPORTED_MANIFEST_SCHEMAS)}); upgrade oq-toolkit"
        )
    manifest_run_id: Any = m.get("run_id")
    if not isinstance(manifest_run_id, str) or manifest_run_id != run_dir.name:
        raise RunFolderError(
            f"{where}: run_id: 与文件夹名称不一致 / does not match the folder name "
            f"({manifest_run_id!r} ≠ {run_dir.name!r}); a run folder must not be renamed"
        )
    run_id = manifest_run_id
    outcome = m.get("outcome")
    if outcome not in OUTCOMES:
        raise RunFolderError(f"{where}: outcome: 应为 / must be one of {list(OUTCOMES)}, not {outcome!r}")
    outputs: list[OutputRecord] = []
    raw_outputs = m.get("outputs", [])
    if not isinstance(raw_outputs, list):
        raise RunFolderError(f"{where}: outputs: 应为列表 / must be a list")
    for i, o in enumerate(raw_outputs):
        key = f"{where}: outputs[{i}]"
        if not isinstance(o, dict):
            raise RunFolderError(f"{key}: 应为对象 / must be an object")
        name = _safe_name(o.get("name"), f"{key}.name")
        if name == MANIFEST_NAME or any(out.name == name for out in outputs):
            raise RunFolderError(f"{key}.name: 重复或保留的文件名 / duplicate or reserved name {name!r}")
        sha = o.get("sha256")
        if not isinstance(sha, str) or not _SHA256_RE.match(sha.lower()):
            raise RunFolderError(f"{key}.sha256: 不是 SHA-256 / not a SHA-256 hex digest: {sha!r}")
        size = o.get("bytes")
        if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
            raise RunFolderError(f"{key}.bytes: 应为非负整数 / must be a non-negative integer: {size!r}")
        outputs.append(OutputRecord(name=name, sha256=sha.lower(), bytes=size))
    inp = m.get("input") or {}
    if not isinstance(inp, dict):
        raise RunFolderError(f"{where}: input: 应为对象 / must be an object")

    def _dict(key: str) -> dict[str, Any]:
        v = m.get(key) or {}
        if not isinstance(v, dict):
            raise RunFolderError(f"{where}: {key}: 应为对象 / must be an object")
        return v

    def _num(key: str, kind: type) -> Any:
        v = m.get(key)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float) if kind is float else int):
            raise RunFolderError(f"{where}: {key}: 应为数字 / must be a number: {v!r}")
        return kind(v)

    created = m.get("created_at")
    finished = m.get("finished_at")
    sha_in = inp.get("sha256")
    return _RunInfo(
        run_id=run_id,
        run_dir=run_dir,
        outcome=outcome,
        error=str(m["error"]) if m.get("error") is not None else None,
        manifest_schema=schema,
        created_at=_utc_iso(created, f"{where}: created_at") if created else _created_from_run_id(run_id),
        finished_at=_utc_iso(finished, f"{where}: finished_at") if finished else None,
        input_path=str(inp["path"]) if inp.get("path") is not None else None,
        input_name=str(inp["name"]) if inp.get("name") is not None else None,
        input_sha256=str(sha_in).lower() if sha_in else None,
        parameters=_dict("parameters"),
        versions=_dict("versions"),
        counts=_dict("counts"),
        rows_in=_num("rows_in", int),
        rows_out=_num("rows_out", int),
        duration_s=_num("duration_s", float),
        manifest_json=raw.decode("utf-8"),
        manifest_sha256=hashlib.sha256(raw).hexdigest(),
        outputs=outputs,
    )


def _manifest_sha256_now(run_dir: Path) -> str | None:
    try:
        return hashlib.sha256((run_dir / MANIFEST_NAME).read_bytes()).hexdigest()
    except OSError:
        return None


def _looks_like_run_folder(p: Path) -> bool:
    if not p.is_dir() or p.name.startswith("."):
        return False
    return bool(_RUN_ID_RE.match(p.name)) or any((p / f).exists() for f in RUN_FILES)
