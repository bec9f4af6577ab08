"""Run folders: their ids, who may read them, and their manifest (:class:`~toolkit.register.manifest.Manifest`).

Every file of a run and its folder are private to their owner (0600 / 0700), the executed
notebook included (papermill writes it with the umask's mode; :func:`apply_access` sets the modes,
the one place that does): a run holds application ids, names, statuses and reasons. A service
whose supervisors read runs through a group passes ``access=GROUP_READ`` (0640 / 0750) to
:func:`~toolkit.batch.runner.run_batch`; :class:`RunAccess` refuses any access for others.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..clock import SHANGHAI
from ..exceptions import ParameterError
from ..files import write_text_atomic

if TYPE_CHECKING:  # pydantic is imported when the first manifest is written
    from ..register.manifest import Manifest

__all__ = [
    "GROUP_READ",
    "OUTPUT_FILES",
    "PRIVATE",
    "RunAccess",
    "apply_access",
    "new_run_dir",
    "run_id_for",
    "write_manifest",
]

#: The files a finished run lists in its manifest (besides the manifest itself).
OUTPUT_FILES = ("review.ipynb", "review.html", "results.xlsx", "results.csv")


@dataclass(frozen=True)
class RunAccess:
    """Who may read a run's folder: the modes of its files and of its folder (and of the runs
    folder, when the batch creates it).

    :data:`PRIVATE` (0600 files, 0700 folders) is the default: a run holds application ids,
    names, statuses and reasons, so only its owner reads it. A service whose supervisors read the
    runs through a group (the hub) passes e.g. :data:`GROUP_READ` (0640 / 0750); nothing wider
    is accepted (no access for others).
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


def run_id_for(started: dt.datetime, short_hash: str) -> str:
    """A run id in Beijing time, saying so: ``20261202T035335+0800-aa2a46fa`` (the time the pages
    show; the manifest's ``created_at`` stays UTC ISO 8601, as its contract says)."""
    return f"{started.astimezone(SHANGHAI).strftime('%Y%m%dT%H%M%S')}+0800-{short_hash}"


_mkdir_lock = threading.Lock()


def new_run_dir(
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


def write_manifest(run_dir: Path, manifest: Manifest) -> Path:
    """Write ``manifest.json`` atomically (a temporary file in the folder, fsync, ``os.replace``),
    checked against the contract first."""
    from ..register.manifest import MANIFEST_NAME, Manifest

    target = run_dir / MANIFEST_NAME
    text = Manifest.model_validate(manifest.model_dump()).to_json()
    # e.g. a full disk: the previous manifest stays as it was
    write_text_atomic(target, text, fsync=True)
    return target
