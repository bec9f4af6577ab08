"""Batch review runs: one executed notebook per intake sheet, the notebook being the record.

The runner is papermill plus nbclient, used through their public interfaces. For each sheet
:func:`run_batch` creates ``RUNS_DIR/<run-id>/`` (``<Beijing time>+0800-<input hash>``, never
reused; :mod:`.runfolder`) and writes, in this order:

1. ``manifest.json`` with outcome ``incomplete`` — so a killed run never looks complete;
2. ``review.ipynb`` — ``notebooks/batch_review.ipynb`` executed by papermill in its own kernel,
   which also writes ``results.xlsx`` and ``results.csv``;
3. ``review.html`` — the executed notebook without code or prompts (:mod:`.export`);
4. ``manifest.json`` again, atomically replaced, with the outcome, counts, versions and the
   SHA-256 of the four files (:class:`~toolkit.register.manifest.Manifest`, the one description
   of that file, which the register and the hub's service read back).

Parameters are checked before any notebook runs (:class:`.parameters.ReviewParameters`: papermill
itself only logs an unknown name and runs the defaults); when they are refused, a kernel already
started ahead for the first sheet (:mod:`.kernels`) is stopped. A file that is not a readable
workbook stops before its kernel starts, with outcome ``failed`` and the
:class:`~toolkit.exceptions.IntakeError` message in the manifest; a workbook whose header the
notebook cannot use ends the same way once the notebook's read refuses it (its ``review.ipynb``
and ``review.html`` then show that message, without a stack). Each run is then recorded in the
run register (:mod:`toolkit.register`).

Exit status (per run, and for the batch the largest): 0 succeeded, 1 failed (the notebook
raised, timed out or wrote no results), 2 unreadable input.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import stat
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exceptions import IntakeError, OutputError, ParameterError
from ..files import sha256_file
from ..paths import REPO_ROOT, oqtk_home
from ..textsafe import visible_controls
from . import speedups
from .runfolder import GROUP_READ, OUTPUT_FILES, PRIVATE, RunAccess, apply_access, new_run_dir, write_manifest
from .versions import versions

speedups.skip_iri_grammar()  # before papermill is ever imported here (see toolkit.batch.speedups)

if TYPE_CHECKING:  # jupyter_client and pydantic are imported when a batch runs, after its first kernel starts
    from ..register.manifest import Manifest
    from .kernels import BatchKernel, KernelsAhead

__all__ = [
    "DEFAULT_CELL_TIMEOUT",
    "GROUP_READ",
    "KERNEL_DIED",
    "KERNEL_NAME",
    "NOTEBOOK",
    "OUTPUT_FILES",
    "PRIVATE",
    "RunAccess",
    "RunResult",
    "apply_access",
    "exit_code",
    "run_batch",
]

log = logging.getLogger(__name__)

NOTEBOOK = REPO_ROOT / "notebooks" / "batch_review.ipynb"
KERNEL_NAME = "python3"
DEFAULT_CELL_TIMEOUT = 600  # seconds per notebook cell
ProgressCallback = Callable[[int, int, "RunResult"], None]


@dataclass
class RunResult:
    """What :func:`run_batch` returns for one sheet: its folder, its manifest (as the JSON values
    of ``manifest.json``), its exit status (0 succeeded, 1 failed, 2 unreadable input) and, when
    the run could not be recorded in the register, why."""

    run_dir: Path
    input_path: Path
    manifest: dict[str, Any]
    exit_status: int
    register_error: str | None = None

    @property
    def run_id(self) -> str:
        return str(self.manifest["run_id"])

    @property
    def outcome(self) -> str:
        """``succeeded``, ``failed`` or ``incomplete`` (the manifest's)."""
        return str(self.manifest["outcome"])

    @property
    def error(self) -> str | None:
        return self.manifest.get("error")

    @property
    def ok(self) -> bool:
        return self.exit_status == 0


@dataclass
class _Plan:
    index: int  # position in the batch
    input_path: Path
    parameters: dict[str, Any]  # checked and resolved; output_dir filled in per run
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
    """Raise :class:`IntakeError` when the file cannot be read as a workbook (a kernel started
    ahead for it is stopped; a run without one starts none).

    Only the file-level checks (:func:`toolkit.intake.check_workbook`: the file type, the
    reading limits of :mod:`toolkit.intake.limits`, ~50 ms per 10,000 rows, no cell read);
    a workbook without a usable header is refused by the notebook's own read, and that
    ``IntakeError`` ends the run the same way (exit status 2, its message in the manifest).
    """
    from ..intake.reader import check_workbook  # also refuses a FIFO, a device or a folder, unopened

    _file_check(path, check_workbook)


def _sniff_check(path: Path) -> None:
    """:func:`_read_check`'s first part (:func:`toolkit.intake.reader.sniff_workbook`, ~2 ms):
    enough to know a kernel will be needed, which then boots while the rest is checked."""
    from ..intake.reader import sniff_workbook

    _file_check(path, sniff_workbook)


def _file_check(path: Path, check: Callable[[Path], None]) -> None:
    if not path.exists():
        raise IntakeError(f"找不到申报汇总表 / Intake sheet not found: {path}")
    try:
        check(path)
    except OSError as exc:  # e.g. no permission: as unreadable as a broken file
        raise IntakeError(
            f"无法读取申报汇总表 / Cannot read the intake sheet {path}: {exc.strerror or exc}"
        ) from None


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


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _record(run_dir: Path, recorder: Callable[[Path], Any] | None = None) -> str | None:
    """Record the run in the local register (or with ``recorder``); return the problem instead
    of raising."""
    try:
        if recorder is not None:
            recorder(run_dir)
        else:
            from ..register import Register

            Register().record_run(run_dir)
    except Exception as exc:
        log.warning("run %s: not recorded in the register: %s", run_dir.name, exc)
        return f"{type(exc).__name__}: {exc}"
    return None


def _input_hash(path: Path) -> str | None:
    """The sheet's SHA-256, or None when it is not a regular file (a FIFO is never opened: it
    would block the hash) or cannot be read."""
    with contextlib.suppress(OSError):
        if stat.S_ISREG(os.stat(path).st_mode):
            return sha256_file(path)[0]
    return None


def _run_one(
    plan: _Plan, ahead: KernelsAhead | None = None, then: Callable[[], None] | None = None
) -> RunResult:
    """Run one sheet. ``ahead`` may hold its kernel, already started; ``then`` is called once this
    run's kernel is ready, while its cells run (a sequential batch starts the next sheet's kernel
    there, rather than during this kernel's own boot)."""
    from ..register.manifest import InputFile, Manifest

    t0 = time.perf_counter()
    started = _utc_now()
    path = plan.input_path
    input_sha = _input_hash(path)
    short = input_sha[:8] if input_sha else hashlib.sha256(str(path).encode("utf-8")).hexdigest()[:8]
    try:
        run_id, run_dir = new_run_dir(plan.out_dir, started, short, plan.access)
    except OSError as exc:  # a read-only or full runs folder: no run can start
        raise OutputError(plan.out_dir, exc) from None
    params = {**plan.parameters, "output_dir": str(run_dir)}
    manifest = Manifest(
        run_id=run_id,
        created_at=started,
        outcome="incomplete",
        input=InputFile(path=str(path), name=path.name, sha256=input_sha, original_name=plan.original_name),
        parameters=params,
        versions=versions(params["list_version"]),
    )
    try:
        write_manifest(run_dir, manifest)
    except OSError as exc:
        raise OutputError(run_dir, exc) from None
    if plan.on_start is not None:
        plan.on_start(run_id, run_dir)
    try:
        manifest, status = _execute(plan, run_dir, params, manifest, ahead, then)
    except Exception as exc:  # a bug or a full disk: this run fails, the others go on
        log.exception("run %s failed unexpectedly", run_id)
        manifest = manifest.model_copy(
            update={"outcome": "failed", "error": f"运行意外中止 / Run aborted: {_error_text(exc)}"}
        )
        status = 1
    manifest = manifest.model_copy(
        update={"finished_at": _utc_now(), "duration_s": round(time.perf_counter() - t0, 3)}
    )
    try:
        write_manifest(run_dir, manifest)
    except OSError as exc:  # the manifest on disk still says incomplete: so does the result
        manifest = manifest.model_copy(
            update={"outcome": "incomplete", "error": str(OutputError(run_dir, exc))}
        )
        status = max(status, 1)
    try:
        apply_access(run_dir, plan.access)
    except OSError as exc:
        log.warning("run %s: cannot set its access modes: %s", run_id, exc)
    result = RunResult(run_dir, path, Manifest.model_validate(manifest.model_dump()).to_dict(), status)
    result.register_error = _record(run_dir, plan.recorder)
    return result


def _execute_notebook(
    plan: _Plan,
    run_dir: Path,
    params: dict[str, Any],
    km: BatchKernel | None,
    ahead: KernelsAhead | None,
    then: Callable[[], None] | None,
) -> tuple[Any, str | None, int]:
    """Execute the notebook in its kernel (``km``, started ahead; else started now) and stop that
    kernel at once; return the executed notebook (or what was saved of it), the error and the
    exit status."""
    import papermill

    from .export import html_exporter
    from .kernels import once_ready, start_kernel

    try:
        if km is None:
            km = start_kernel(plan.kernel_name, _kernel_config(), plan.input_path)
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
            on_notebook_start=once_ready(*([then] if then is not None else []), html_exporter),
        )
        return nb, None, 0
    except Exception as exc:
        if getattr(exc, "ename", None) == "IntakeError":  # the notebook could not read the sheet
            error, status = str(getattr(exc, "evalue", "")) or _error_text(exc), 2
        elif km is not None and not _alive(km):  # died while booting, or mid-cell
            error, status = KERNEL_DIED, 1
        else:
            error, status = _error_text(exc), 1
        log.debug("run %s failed:\n%s", run_dir.name, traceback.format_exc())
        return _saved_notebook(run_dir / "review.ipynb"), error, status
    finally:
        if km is not None:  # killed at once (papermill's own shutdown sometimes stalls ~3.5 s)
            if ahead is not None:
                ahead.retire(km)
            else:
                km.stop()


def _saved_notebook(nb_path: Path) -> Any:
    """The notebook papermill saved as far as it got, or None."""
    if not nb_path.is_file():
        return None
    import nbformat

    try:
        return nbformat.read(nb_path, as_version=4)
    except Exception:
        return None


def _execute(
    plan: _Plan,
    run_dir: Path,
    params: dict[str, Any],
    manifest: Manifest,
    ahead: KernelsAhead | None = None,
    then: Callable[[], None] | None = None,
) -> tuple[Manifest, int]:
    """Check, execute, export and hash; return the updated manifest and the exit status."""
    from ..register.manifest import OutputFile
    from .export import export_html, notebook_summary

    nb, error, status = None, None, 0
    km = ahead.take(plan.index) if ahead is not None else None
    if km is None:  # a kernel started ahead was started for a file that passed this check
        try:
            _read_check(plan.input_path)
        except IntakeError as exc:
            error, status = str(exc), 2
    if status == 0:
        nb, error, status = _execute_notebook(plan, run_dir, params, km, ahead, then)
        if nb is not None:
            try:
                export_html(nb, run_dir / "review.html")
            except Exception as exc:
                if status == 0:
                    error, status = f"HTML 导出失败 / HTML export failed: {_error_text(exc)}", 1
    summary = notebook_summary(nb) if nb is not None and status == 0 else None
    if status == 0:
        missing = [n for n in OUTPUT_FILES if not (run_dir / n).is_file()]
        if summary is None:
            error, status = "笔记本未给出运行摘要 / The notebook emitted no run summary", 1
        elif missing:
            error, status = f"缺少输出文件 / Missing output files: {', '.join(missing)}", 1
    update: dict[str, Any] = {"outcome": "succeeded" if status == 0 else "failed", "error": error}
    if summary:
        update.update(
            versions=summary.get("versions") or manifest.versions,
            rows_in=summary.get("rows_in"),
            rows_out=summary.get("rows_out"),
            sheets_not_reviewed=summary.get("sheets_not_reviewed") or [],
            counts=summary.get("counts") or {},
        )
    update["outputs"] = [
        OutputFile(name=name, sha256=sha, bytes=size)
        for name in OUTPUT_FILES
        if (run_dir / name).is_file()
        for sha, size in [sha256_file(run_dir / name)]
    ]
    return manifest.model_copy(update=update), status


def exit_code(results: Iterable[RunResult]) -> int:
    """0 when every run succeeded, 2 when an input was unreadable, else 1."""
    return max((r.exit_status for r in results), default=0)


def _check_batch_options(
    jobs: Any, timeout: Any, notebook: str | os.PathLike[str], extra: Mapping[str, Any]
) -> Path:
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ParameterError(f"jobs: 应为正整数 / must be a positive whole number, not {jobs!r}")
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ParameterError(
            f"timeout: 应为正数（秒）/ must be a positive number of seconds, not {timeout!r}"
        )
    nb_path = Path(notebook)
    if not nb_path.is_file():
        raise ParameterError(f"找不到笔记本 / Notebook not found: {nb_path}")
    for name in ("intake_path", "output_dir"):
        if name in extra:
            raise ParameterError(
                f"参数 {name!r} 由批量运行设定 / {name!r} is set by the batch runner, not by parameters"
            )
    return nb_path


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
    from .parameters import ReviewParameters

    paths = [Path(p).expanduser().absolute() for p in inputs]
    if not paths:
        raise ParameterError("没有要审核的申报汇总表 / No intake sheets given")
    names = list(original_names) if original_names is not None else [None] * len(paths)
    if len(names) != len(paths):
        raise ParameterError(
            f"original_names: 应与输入文件一一对应 / must name each input ({len(paths)}), got {len(names)}"
        )
    extra = dict(parameters or {})
    nb_path = _check_batch_options(jobs, timeout, notebook, extra)
    out = Path(out_dir).expanduser().absolute() if out_dir is not None else oqtk_home() / "runs"
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    if isinstance(as_of, dt.date):
        as_of = as_of.isoformat()
    plans = []
    for i, p in enumerate(paths):
        raw = {
            "intake_path": str(p),
            "as_of": "" if as_of is None else as_of,
            "list_version": "" if list_version is None else list_version,
            "lang": lang,
            "output_dir": str(out),
            **extra,
        }
        resolved = ReviewParameters.check(raw).resolved()  # names, types, date, List, before any run
        plans.append(
            _Plan(
                i, p, resolved.model_dump(), nb_path, out, kernel_name, int(timeout), original_name=names[i]
            )
        )
    return plans


def _make_runs_folder(out: Path, access: RunAccess) -> None:
    try:
        if not out.exists():
            out.mkdir(parents=True, mode=access.dir_mode)
    except FileExistsError:
        pass
    except OSError as exc:
        raise OutputError(out, exc) from None


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
    as soon as its file is a workbook at all (:func:`_sniff_check`; the rest of the file-level check
    runs while it boots, and stops it if the file is refused), and in a sequential batch each next
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
    with KernelsAhead(kernel_name, _kernel_config, _read_check, _sniff_check) as ahead:
        if inputs:
            ahead.start(0, inputs[0])
        plans = _plan_all(
            inputs, out_dir, as_of=as_of, list_version=list_version, lang=lang, jobs=jobs,
            parameters=parameters, timeout=timeout, kernel_name=kernel_name, notebook=notebook,
            original_names=original_names,
        )  # fmt: skip
        if not isinstance(access, RunAccess):
            raise ParameterError(f"access: 应为 RunAccess / must be a RunAccess, not {access!r}")
        for plan in plans:
            plan.access, plan.on_start, plan.recorder = access, on_start, recorder
        _make_runs_folder(plans[0].out_dir, access)
        return _run_all(plans, ahead, jobs, progress, on_progress)


def _run_all(
    plans: list[_Plan], ahead: KernelsAhead, jobs: int, progress: bool, on_progress: ProgressCallback | None
) -> list[RunResult]:
    """Run the plans one after another (each next kernel started once the current one is ready)
    or ``jobs`` at a time; report each as it finishes."""
    from tqdm.auto import tqdm

    results: list[RunResult | None] = [None] * len(plans)
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
