"""Batch review runs: one executed notebook per intake sheet, the notebook being the record.

For each sheet :func:`run_batch` creates ``RUNS_DIR/<run-id>/`` (``<Beijing time>+0800-<input hash>``,
never reused) and writes, in this order:

1. ``manifest.json`` with outcome ``incomplete`` — so a killed run never looks complete;
2. ``review.ipynb`` — ``notebooks/batch_review.ipynb`` executed by papermill in its own kernel,
   which also writes ``results.xlsx`` and ``results.csv``;
3. ``review.html`` — the executed notebook without code or prompts (nbconvert ``HTMLExporter``);
4. ``manifest.json`` again, atomically replaced (temporary file + ``os.replace``), with the outcome,
   counts, versions and the SHA-256 of the four files.

Every file of a run and its folder are private to their owner (0600 / 0700), the executed
notebook included (papermill writes it with the umask's mode; :func:`apply_access` sets the modes,
the one place that does): a run holds application ids, names, statuses and reasons. A service
whose supervisors read runs through a group passes ``access=GROUP_READ`` (0640 / 0750) to
:func:`run_batch`; :class:`RunAccess` refuses any access for others.

Parameters are checked before any notebook runs (papermill itself only logs an unknown name and
runs the defaults); when they are refused, a kernel already started ahead for the first sheet
(:mod:`toolkit.batch.kernels`) is stopped. A file that is not a readable workbook stops before its
kernel starts, with outcome ``failed`` and the :class:`~toolkit.exceptions.IntakeError` message
in the manifest; a workbook whose header the notebook cannot use ends the same way once the
notebook's read refuses it (its ``review.ipynb`` and ``review.html`` then show that message,
without a stack).
Each run is then recorded in the run register (:mod:`toolkit.register`) when there is one.

Exit status (per run, and for the batch the largest): 0 succeeded, 1 failed (the notebook
raised, timed out or wrote no results), 2 unreadable input.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import hashlib
import json
import logging
import os
import stat
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..clock import SHANGHAI
from ..exceptions import IntakeError, OutputError, ParameterError

# papermill → nbformat → jsonschema imports the optional IRI-format checker ``rfc3987_syntax``
# when it is installed (jupyter-events pulls it in); it compiles a grammar at import, 1.1 s of
# every `oqtk batch`. Notebook validation never checks IRIs, so mark it unavailable in this
# process before papermill is imported (jsonschema then skips that format, as when it is absent).
if "rfc3987_syntax" not in sys.modules:
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
from ..files import sha256_file, write_text_atomic
from ..paths import REPO_ROOT, oqtk_home
from ..textsafe import visible_controls
from .report import SUMMARY_MIME, SUMMARY_TAG, resolve_parameters, versions

if TYPE_CHECKING:  # jupyter_client is imported when a batch runs
    from .kernels import KernelsAhead

__all__ = [
    "DEFAULT_CELL_TIMEOUT",
    "GROUP_READ",
    "KERNEL_DIED",
    "KERNEL_NAME",
    "MANIFEST_SCHEMA",
    "NOTEBOOK",
    "OUTPUT_FILES",
    "PRIVATE",
    "RunAccess",
    "RunResult",
    "apply_access",
    "check_parameters",
    "declared_parameters",
    "exit_code",
    "render_html",
    "run_batch",
    "write_manifest",
]

log = logging.getLogger(__name__)

NOTEBOOK = REPO_ROOT / "notebooks" / "batch_review.ipynb"
KERNEL_NAME = "python3"
MANIFEST_SCHEMA = 1
MANIFEST_NAME = "manifest.json"
#: The files a finished run lists in its manifest (besides the manifest itself).
OUTPUT_FILES = ("review.ipynb", "review.html", "results.xlsx", "results.csv")
DEFAULT_CELL_TIMEOUT = 600  # seconds per notebook cell
#: review.html's nbconvert template: the lab page without require.js, MathJax, mermaid or the
#: widget renderer from a CDN, under a Content-Security-Policy allowing no request at all.
HTML_TEMPLATE_DIR = REPO_ROOT / "templates" / "nbconvert"
HTML_TEMPLATE = "oqtk_report"
OUTCOME_STATUS = {"succeeded": 0, "failed": 1, "unreadable": 2}
ProgressCallback = Callable[[int, int, "RunResult"], None]


@dataclass(frozen=True)
class RunAccess:
    """Who may read a run's folder: the modes of its files and of its folder (and of the runs
    folder, when the batch creates it).

    :data:`PRIVATE` (0600 files, 0700 folders) is the default: a run holds application ids,
    names, statuses and reasons, so only its owner reads it. A service whose supervisors read the
    runs through a group (the hub) passes e.g. :data:`GROUP_READ` (0640 / 0750) to
    :func:`run_batch`; nothing wider is accepted (no access for others).
    """

    file_mode: int = 0o600
    dir_mode: int = 0o700

    def __post_init__(self) -> None:
        if self.file_mode & 0o007 or self.dir_mode & 0o007 or self.file_mode & 0o111:
            raise ParameterError(
                f"运行文件权限过宽 / run access too wide: files {self.file_mode:o}, folders {self.dir_mode:o} "
                "(不得给其他用户任何权限、文件不可执行 / no access for others, no executable files)"
            )


PRIVATE = RunAccess(0o600, 0o700)
GROUP_READ = RunAccess(0o640, 0o750)


def apply_access(run_dir: Path, access: RunAccess = PRIVATE) -> None:
    """Set ``access`` on a run folder and every file in it (the executed notebook included,
    which papermill writes with the umask's mode). The one place run modes are set."""
    os.chmod(run_dir, access.dir_mode)
    for p in run_dir.iterdir():
        if p.is_file() and not p.is_symlink():
            os.chmod(p, access.file_mode)


@dataclass
class RunResult:
    """The outcome of one sheet's run (``manifest`` is what ``manifest.json`` says)."""

    run_id: str
    run_dir: Path
    input_path: Path
    outcome: str  # succeeded | failed | incomplete
    error: str | None
    manifest: dict[str, Any]
    exit_status: int  # 0 succeeded, 1 failed, 2 unreadable input
    register_error: str | None = None

    @property
    def ok(self) -> bool:
        return self.exit_status == 0


# ---------------------------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------------------------
_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "list": (list,),
    "dict": (dict,),
}


def _accepts(type_name: str, value: Any) -> bool | None:
    """Whether ``value`` fits the declared type name; None when the type is not understood."""
    t = type_name.replace(" ", "")
    optional = False
    if t.startswith("Optional[") and t.endswith("]"):
        t, optional = t[len("Optional[") : -1], True
    if value is None:
        return optional if t in _TYPES else None
    kinds = _TYPES.get(t.split("[", 1)[0].lower())
    if kinds is None:
        return None
    if isinstance(value, bool) and bool not in kinds:
        return False  # True is an int to Python, not to an officer
    return isinstance(value, kinds)


def _stat_key(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return str(path), st.st_mtime_ns, st.st_size


@cache
def _inspect(key: tuple[str, int, int]) -> dict[str, dict[str, Any]]:
    import papermill

    return papermill.inspect_notebook(key[0])


def declared_parameters(notebook: str | os.PathLike[str] = NOTEBOOK) -> dict[str, dict[str, Any]]:
    """The notebook's declared parameters (``papermill.inspect_notebook``): name → type, default, help."""
    return dict(_inspect(_stat_key(Path(notebook))))


def check_parameters(
    parameters: Mapping[str, Any], notebook: str | os.PathLike[str] = NOTEBOOK
) -> dict[str, Any]:
    """Refuse unknown names and wrong types, naming each; return the parameters unchanged.

    Raises :class:`ParameterError` listing every problem at once (and the declared parameters).
    """
    declared = declared_parameters(notebook)
    problems = []
    for name, value in parameters.items():
        if name not in declared:
            problems.append(f"未知参数 / unknown parameter {name!r}")
            continue
        type_name = str(declared[name].get("inferred_type_name") or "None")
        if _accepts(type_name, value) is False:
            problems.append(
                f"参数类型错误 / wrong type for {name!r}: 应为 / expected {type_name}, "
                f"得到 / got {type(value).__name__} ({value!r})"
            )
    if problems:
        allowed = ", ".join(f"{n}: {p.get('inferred_type_name')}" for n, p in declared.items())
        raise ParameterError("; ".join(problems) + f". 可用参数 / Declared parameters: {allowed}")
    return dict(parameters)


# ---------------------------------------------------------------------------------------------
# Run folders and manifests
# ---------------------------------------------------------------------------------------------
def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(t: dt.datetime) -> str:
    return t.isoformat(timespec="seconds").replace("+00:00", "Z")


_mkdir_lock = threading.Lock()


def run_id_for(started: dt.datetime, short_hash: str) -> str:
    """A run id in Beijing time, saying so: ``20261202T035335+0800-aa2a46fa`` (the time the pages
    show; the manifest's ``created_at`` stays UTC ISO 8601, as its contract says)."""
    return f"{started.astimezone(SHANGHAI).strftime('%Y%m%dT%H%M%S')}+0800-{short_hash}"


def _new_run_dir(
    out_dir: Path, started: dt.datetime, short_hash: str, access: RunAccess = PRIVATE
) -> tuple[str, Path]:
    """Create a fresh run folder; an existing one is never reused (a ``-2``, ``-3`` … suffix is added)."""
    base = run_id_for(started, short_hash)
    with _mkdir_lock:
        for n in range(1, 1000):
            run_id = base if n == 1 else f"{base}-{n}"
            path = out_dir / run_id
            try:
                path.mkdir(parents=False, mode=access.dir_mode)  # exclusive, even across processes
            except FileExistsError:
                continue
            os.chmod(path, access.dir_mode)  # mkdir's mode is masked by the umask
            return run_id, path
    raise ParameterError(f"无法创建运行文件夹 / Cannot create a new run folder for {base} in {out_dir}")


def write_manifest(run_dir: Path, manifest: Mapping[str, Any]) -> Path:
    """Write ``manifest.json`` atomically: a temporary file in the folder, fsync, ``os.replace``."""
    target = run_dir / MANIFEST_NAME
    # e.g. a full disk: the previous manifest stays as it was
    write_text_atomic(target, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", fsync=True)
    return target


# ---------------------------------------------------------------------------------------------
# One run
# ---------------------------------------------------------------------------------------------
@dataclass
class _Plan:
    index: int  # position in the batch
    input_path: Path
    parameters: dict[str, Any]  # checked; output_dir filled in per run
    notebook: Path
    out_dir: Path
    kernel_name: str
    timeout: int
    on_start: Callable[[str, Path], None] | None = None
    recorder: Callable[[Path], Any] | None = None
    access: RunAccess = PRIVATE
    original_name: str | None = None  # the file's name as uploaded (the stored copy is renamed)


def _kernel_config() -> Any:
    """Encrypt the kernel's local ZeroMQ traffic (CurveZMQ) when pyzmq supports it.

    Our kernelspec declares ``supported_encryption: curve``; without keys ipykernel warns on
    every start that it runs over TCP in plain text.
    """
    import zmq
    from traitlets.config import Config

    c = Config()
    c.KernelManager.transport_encryption = "auto" if zmq.has("curve") else "disabled"
    return c


def _read_check(path: Path) -> None:
    """Raise :class:`IntakeError` when the file is not a workbook at all (before any kernel starts).

    Only the file-level checks (:func:`toolkit.intake.check_workbook`: the file type, the
    reading limits of :mod:`toolkit.intake.limits`, ~50 ms per 10,000 rows, no cell read);
    a workbook without a usable header is refused by the notebook's own read, and that
    ``IntakeError`` ends the run the same way (exit status 2, its message in the manifest).
    """
    if not path.exists():
        raise IntakeError(f"找不到申报汇总表 / Intake sheet not found: {path}")
    from ..intake.reader import check_workbook  # also refuses a FIFO, a device or a folder, unopened

    try:
        check_workbook(path)
    except OSError as exc:  # e.g. no permission: as unreadable as a broken file
        raise IntakeError(
            f"无法读取申报汇总表 / Cannot read the intake sheet {path}: {exc.strerror or exc}"
        ) from None


_exporter_lock = threading.Lock()
_exporter: Any = None


def _html_exporter() -> Any:
    """The one HTML exporter of this process (its templates compiled once, reused for every run).

    A run asks for it once its kernel is ready, so that its 0.4 s of imports and template
    compilation overlap the notebook's cells rather than the kernel's own boot."""
    global _exporter
    with _exporter_lock:
        if _exporter is None:
            from nbconvert import HTMLExporter
            from nbformat.v4 import new_notebook
            from traitlets.config import Config

            c = Config()
            c.TagRemovePreprocessor.enabled = True
            c.TagRemovePreprocessor.remove_cell_tags = {SUMMARY_TAG}
            exporter = HTMLExporter(
                config=c,
                template_name=HTML_TEMPLATE,  # lab, less its CDN scripts: nothing loaded from outside
                extra_template_basedirs=[str(HTML_TEMPLATE_DIR)],
                exclude_input=True,
                exclude_input_prompt=True,
                exclude_output_prompt=True,
            )
            exporter.from_notebook_node(new_notebook())  # compiles the templates
            _exporter = exporter
        return _exporter


def render_html(nb: Any) -> str:
    """The executed notebook as ``review.html`` (code hidden), with nbconvert's HTML exporter.

    The exporter ends with a BeautifulSoup pass over the whole page, which gives each cell and
    output wrapper a ``tabindex`` and each ``<img>`` without one an ``alt`` text: 0.1 s for the
    report's two 200-row tables, whose own markup needs neither (escaped tables and inline SVG
    charts, no ``<img>``). Each ``text/html`` output is therefore set aside behind a unique
    placeholder for that pass and put back after it, unchanged: the page has the same elements,
    attributes and text (tested). With ``sanitize_html`` on, every output goes through the
    exporter as it is, to be sanitised.
    """
    exporter = _html_exporter()
    held: dict[str, str] = {}
    if not exporter.sanitize_html:
        nb = copy.deepcopy(nb)
        token = uuid.uuid4().hex
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                html = (out.get("data") or {}).get("text/html")
                if html is not None:
                    key = f"oqtk-output-{token}-{len(held)}"
                    held[key] = html if isinstance(html, str) else "".join(html)
                    out["data"]["text/html"] = key
    with _exporter_lock:  # from_notebook_node re-registers filters on the exporter: one at a time
        body, _resources = exporter.from_notebook_node(nb)
    for key, html in held.items():
        body = body.replace(key, html, 1)
    return str(body)


def _export_html(nb: Any, target: Path) -> None:
    write_text_atomic(target, render_html(nb))


def _summary(nb: Any) -> dict[str, Any] | None:
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data") or {}
            if SUMMARY_MIME in data:
                value = data[SUMMARY_MIME]
                return json.loads(value) if isinstance(value, str) else dict(value)
    return None


def _record(run_dir: Path, recorder: Callable[[Path], Any] | None = None) -> str | None:
    """Record the run in the register when there is one (or with ``recorder``); return the problem
    instead of raising."""
    if recorder is not None:
        try:
            recorder(run_dir)
        except Exception as exc:
            log.warning("run %s: not recorded in the register: %s", run_dir.name, exc)
            return f"{type(exc).__name__}: {exc}"
        return None
    try:
        from .. import register
    except ModuleNotFoundError as exc:
        if exc.name == f"{__package__}.register":
            return None
        return f"{type(exc).__name__}: {exc}"
    try:
        if hasattr(register, "record_run"):
            register.record_run(run_dir)
        else:
            register.Register().record_run(run_dir)
    except Exception as exc:
        log.warning("run %s: not recorded in the register: %s", run_dir.name, exc)
        return f"{type(exc).__name__}: {exc}"
    return None


#: A run's error when its kernel dies mid-run (killed by the out-of-memory killer, say).
KERNEL_DIED = "审核进程意外终止，可能内存不足 / The review process ended unexpectedly, possibly out of memory"


def _alive(km: Any) -> bool:
    try:
        return bool(km.is_alive())
    except Exception:
        return False


def _error_text(exc: BaseException) -> str:
    from nbclient.exceptions import DeadKernelError

    if isinstance(exc, DeadKernelError):  # nbclient noticed the kernel is gone (checked every second)
        return KERNEL_DIED
    ename = getattr(exc, "ename", None)
    if ename == "MemoryError":  # the kernel survived, the review did not
        return "审核进程内存不足 / The review ran out of memory"
    if ename:  # papermill.PapermillExecutionError
        return f"笔记本执行出错 / Notebook failed: {ename}: {getattr(exc, 'evalue', '')}".strip()
    return f"{type(exc).__name__}: {exc}"


def _run_one(
    plan: _Plan, ahead: KernelsAhead | None = None, then: Callable[[], None] | None = None
) -> RunResult:
    """Run one sheet. ``ahead`` may hold its kernel, already started; ``then`` is called once this
    run's kernel is ready, while its cells run (a sequential batch starts the next sheet's kernel
    there, rather than during this kernel's own boot)."""
    t0 = time.perf_counter()
    started = _utc_now()
    path = plan.input_path
    input_sha = None
    with contextlib.suppress(OSError):
        if stat.S_ISREG(os.stat(path).st_mode):  # a FIFO is never opened: it would block the hash
            input_sha, _ = sha256_file(path)
    short = input_sha[:8] if input_sha else hashlib.sha256(str(path).encode("utf-8")).hexdigest()[:8]
    try:
        run_id, run_dir = _new_run_dir(plan.out_dir, started, short, plan.access)
    except OSError as exc:  # a read-only or full runs folder: no run can start
        raise OutputError(plan.out_dir, exc) from None
    params = {**plan.parameters, "output_dir": str(run_dir)}
    manifest: dict[str, Any] = {
        "schema": MANIFEST_SCHEMA,
        "run_id": run_id,
        "created_at": _iso(started),
        "finished_at": None,
        "outcome": "incomplete",
        "error": None,
        "input": {
            "path": str(path),
            "name": path.name,
            "sha256": input_sha,
            **({"original_name": plan.original_name} if plan.original_name else {}),
        },
        "parameters": params,
        "versions": versions(params["list_version"]),
        "rows_in": None,
        "rows_out": None,
        "sheets_not_reviewed": [],  # other sheets with an intake header: named, with their rows
        "counts": {},
        "outputs": [],
        "duration_s": None,
    }
    try:
        write_manifest(run_dir, manifest)
    except OSError as exc:
        raise OutputError(run_dir, exc) from None
    if plan.on_start is not None:
        plan.on_start(run_id, run_dir)
    try:
        status = _execute(plan, run_dir, params, manifest, ahead, then)
    except Exception as exc:  # a bug or a full disk: this run fails, the others go on
        log.exception("run %s failed unexpectedly", run_id)
        manifest.update(outcome="failed", error=f"运行意外中止 / Run aborted: {_error_text(exc)}")
        status = 1
    manifest.update(finished_at=_iso(_utc_now()), duration_s=round(time.perf_counter() - t0, 3))
    try:
        write_manifest(run_dir, manifest)
    except OSError as exc:  # the manifest on disk still says incomplete: so does the result
        manifest.update(outcome="incomplete", error=str(OutputError(run_dir, exc)))
        status = max(status, 1)
    try:
        apply_access(run_dir, plan.access)
    except OSError as exc:
        log.warning("run %s: cannot set its access modes: %s", run_id, exc)
    result = RunResult(run_id, run_dir, path, manifest["outcome"], manifest["error"], manifest, status)
    result.register_error = _record(run_dir, plan.recorder)
    return result


def _execute(
    plan: _Plan,
    run_dir: Path,
    params: dict[str, Any],
    manifest: dict[str, Any],
    ahead: KernelsAhead | None = None,
    then: Callable[[], None] | None = None,
) -> int:
    """Check, execute, export and hash; update ``manifest`` in place; return the exit status."""
    path = plan.input_path
    outcome, error, status = "succeeded", None, 0
    nb = None
    try:
        _read_check(path)
    except IntakeError as exc:
        outcome, error, status = "failed", str(exc), 2
    if status == 0:
        import papermill

        from .kernels import start_kernel

        km = ahead.take(plan.index) if ahead is not None else None
        try:
            if km is None:
                km = start_kernel(plan.kernel_name, _kernel_config(), path)
            km.when_ready(*([then] if then is not None else []), _html_exporter)
            nb = papermill.execute_notebook(
                str(plan.notebook),
                str(run_dir / "review.ipynb"),
                parameters=params,
                kernel_name=plan.kernel_name,
                km=km,  # started ahead (toolkit.batch.kernels); stopped below, at once
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
                execution_timeout=plan.timeout,
            )
        except Exception as exc:
            if getattr(exc, "ename", None) == "IntakeError":  # the notebook could not read the sheet
                outcome, error, status = "failed", str(getattr(exc, "evalue", "")) or _error_text(exc), 2
            elif km is not None and not _alive(km):  # died while booting, or mid-cell
                outcome, error, status = "failed", KERNEL_DIED, 1
            else:
                outcome, error, status = "failed", _error_text(exc), 1
            log.debug("run %s failed:\n%s", run_dir.name, traceback.format_exc())
            nb_path = run_dir / "review.ipynb"
            if nb_path.is_file():
                import nbformat

                try:
                    nb = nbformat.read(nb_path, as_version=4)
                except Exception:
                    nb = None
        finally:
            if km is not None:  # killed at once (papermill's own shutdown sometimes stalls ~3.5 s)
                if ahead is not None:
                    ahead.retire(km)
                else:
                    km.stop()
        if nb is not None:
            try:
                _export_html(nb, run_dir / "review.html")
            except Exception as exc:
                if status == 0:
                    outcome, error, status = (
                        "failed",
                        f"HTML 导出失败 / HTML export failed: {_error_text(exc)}",
                        1,
                    )
    summary = _summary(nb) if nb is not None and status == 0 else None
    if status == 0:
        missing = [n for n in OUTPUT_FILES if not (run_dir / n).is_file()]
        if summary is None:
            outcome, error, status = "failed", "笔记本未给出运行摘要 / The notebook emitted no run summary", 1
        elif missing:
            outcome, error, status = "failed", f"缺少输出文件 / Missing output files: {', '.join(missing)}", 1
    if summary:
        manifest["versions"] = summary.get("versions") or manifest["versions"]
        manifest["rows_in"] = summary.get("rows_in")
        manifest["rows_out"] = summary.get("rows_out")
        manifest["sheets_not_reviewed"] = summary.get("sheets_not_reviewed") or []
        manifest["counts"] = summary.get("counts") or {}
    outputs = []
    for name in OUTPUT_FILES:
        p = run_dir / name
        if p.is_file():
            sha, size = sha256_file(p)
            outputs.append({"name": name, "sha256": sha, "bytes": size})
    manifest.update(outcome=outcome, error=error, outputs=outputs)
    return status


# ---------------------------------------------------------------------------------------------
# The batch
# ---------------------------------------------------------------------------------------------
def exit_code(results: Iterable[RunResult]) -> int:
    """0 when every run succeeded, 2 when an input was unreadable, else 1."""
    return max((r.exit_status for r in results), default=0)


def _plan_all(
    inputs: list[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str] | None,
    *,
    as_of: Any,
    list_version: Any,
    lang: Any,
    jobs: Any,
    parameters: Mapping[str, Any] | None,
    timeout: Any,
    kernel_name: str,
    notebook: str | os.PathLike[str],
    original_names: Sequence[str | None] | None = None,
) -> list[_Plan]:
    paths = [Path(p).expanduser().absolute() for p in inputs]
    if not paths:
        raise ParameterError("没有要审核的申报汇总表 / No intake sheets given")
    names = list(original_names) if original_names is not None else [None] * len(paths)
    if len(names) != len(paths):
        raise ParameterError(
            f"original_names: 应与输入文件一一对应 / must name each input ({len(paths)}), got {len(names)}"
        )
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ParameterError(f"jobs: 应为正整数 / must be a positive whole number, not {jobs!r}")
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ParameterError(
            f"timeout: 应为正数（秒）/ must be a positive number of seconds, not {timeout!r}"
        )
    nb_path = Path(notebook)
    if not nb_path.is_file():
        raise ParameterError(f"找不到笔记本 / Notebook not found: {nb_path}")
    out = Path(out_dir).expanduser().absolute() if out_dir is not None else oqtk_home() / "runs"
    extra = dict(parameters or {})
    for name in ("intake_path", "output_dir"):
        if name in extra:
            raise ParameterError(
                f"参数 {name!r} 由批量运行设定 / {name!r} is set by the batch runner, not by parameters"
            )
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    if isinstance(as_of, dt.date):
        as_of = as_of.isoformat()
    plans = []
    for p in paths:
        raw = {
            "intake_path": str(p),
            "as_of": "" if as_of is None else as_of,
            "list_version": "" if list_version is None else list_version,
            "lang": lang,
            "output_dir": str(out),
            **extra,
        }
        check_parameters(raw, nb_path)  # unknown names and wrong types, before anything runs
        resolved = resolve_parameters(
            raw["intake_path"], raw["as_of"], raw["list_version"], raw["lang"], raw["output_dir"]
        )
        plans.append(
            _Plan(
                len(plans),
                p,
                {**raw, **resolved},
                nb_path,
                out,
                kernel_name,
                int(timeout),
                original_name=names[len(plans)],
            )
        )
    return plans


def run_batch(
    inputs: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    out_dir: str | os.PathLike[str] | None = None,
    *,
    as_of: dt.date | str | None = None,
    list_version: str | None = None,
    lang: str = "zh",
    jobs: int = 1,
    progress: bool = False,
    on_progress: ProgressCallback | None = None,
    parameters: Mapping[str, Any] | None = None,
    timeout: int = DEFAULT_CELL_TIMEOUT,
    kernel_name: str = KERNEL_NAME,
    notebook: str | os.PathLike[str] = NOTEBOOK,
    on_start: Callable[[str, Path], None] | None = None,
    recorder: Callable[[Path], Any] | None = None,
    access: RunAccess = PRIVATE,
    original_names: Sequence[str | None] | None = None,
) -> list[RunResult]:
    """Review each intake sheet in its own executed notebook; return one :class:`RunResult` per input, in order.

    ``out_dir`` defaults to ``$OQTK_HOME/runs``. ``as_of`` defaults to today in Shanghai and
    ``list_version`` to the version in force on ``as_of``; the manifest records the values used.
    ``parameters`` may add or override notebook parameters by name (checked like the rest).
    ``original_names`` (one per input, or None) is each file's name as the officer uploaded it,
    kept in the manifest (``input.original_name``) when the stored copy has another name.
    Up to ``jobs`` sheets run at once, each in its own kernel; one failing does not stop the
    others. ``progress`` shows a tqdm bar on stderr; ``on_progress(done, total, result)`` is
    called as each run finishes (from a worker thread).

    Kernels are started ahead of their notebooks (:mod:`toolkit.batch.kernels`): the first sheet's
    as soon as its file passes the file-level check, and in a sequential batch each next
    sheet's while the current one runs.

    Every file of a run, the executed notebook included, and its folder get ``access``'s modes
    (default :data:`PRIVATE`: 0600 / 0700; a runs folder the batch creates gets the folder mode).

    Raises :class:`ParameterError` — before any folder is created or notebook executed (a kernel
    started ahead is stopped) — for unknown parameter names, wrong types, a bad date, an unknown
    List version or language.

    ``on_start(run_id, run_dir)`` is called as each run's folder and first manifest exist (the
    hub's service answers the submitter then); ``recorder(run_dir)`` records each finished run
    instead of the local register (the service records it as the submitting user's).
    """
    from .kernels import KernelsAhead

    inputs = [inputs] if isinstance(inputs, str | os.PathLike) else list(inputs)
    with KernelsAhead(kernel_name, _kernel_config, _read_check) as ahead:
        if inputs:
            ahead.start(0, inputs[0])
        plans = _plan_all(
            inputs,
            out_dir,
            as_of=as_of,
            list_version=list_version,
            lang=lang,
            jobs=jobs,
            parameters=parameters,
            timeout=timeout,
            kernel_name=kernel_name,
            notebook=notebook,
            original_names=original_names,
        )
        if not isinstance(access, RunAccess):
            raise ParameterError(f"access: 应为 RunAccess / must be a RunAccess, not {access!r}")
        for plan in plans:
            plan.access = access
            plan.on_start, plan.recorder = on_start, recorder
        try:
            if not plans[0].out_dir.exists():
                plans[0].out_dir.mkdir(parents=True, mode=access.dir_mode)
        except FileExistsError:
            pass
        except OSError as exc:
            raise OutputError(plans[0].out_dir, exc) from None
        results: list[RunResult | None] = [None] * len(plans)
        from tqdm.auto import tqdm

        bar = tqdm(total=len(plans), unit="sheet", desc="oqtk batch", disable=not progress, file=sys.stderr)
        lock = threading.Lock()
        done = 0

        def finished(i: int, res: RunResult) -> None:
            nonlocal done
            with lock:
                results[i] = res
                done += 1
                bar.update(1)
                bar.set_postfix_str(f"{visible_controls(res.input_path.name)}: {res.outcome}", refresh=True)
                n = done
            if on_progress is not None:
                try:
                    on_progress(n, len(plans), res)
                except Exception:
                    log.exception("progress callback failed")

        try:
            if jobs == 1 or len(plans) == 1:
                for i, plan in enumerate(plans):
                    nxt = plans[i + 1] if i + 1 < len(plans) else None
                    then = (lambda p=nxt: ahead.start(p.index, p.input_path)) if nxt else None
                    finished(i, _run_one(plan, ahead, then))
            else:
                with ThreadPoolExecutor(
                    max_workers=min(jobs, len(plans)), thread_name_prefix="oqtk-batch"
                ) as pool:
                    futures = {pool.submit(_run_one, plan, ahead): i for i, plan in enumerate(plans)}
                    for fut in as_completed(futures):
                        finished(futures[fut], fut.result())
        finally:
            bar.close()
        return [r for r in results if r is not None]
