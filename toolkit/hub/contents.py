"""The contents manager of hub user servers: the runs root (``runs/`` in a supervisor's
workspace) is read-only in JupyterLab: no save, rename, delete or new file there."""

from __future__ import annotations

from typing import Any

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from tornado.web import HTTPError

__all__ = ["ReadOnlyRunsContentsManager"]

READ_ONLY = "runs"


def _read_only(path: str) -> bool:
    first = path.strip("/").split("/", 1)[0]
    return first == READ_ONLY


class ReadOnlyRunsContentsManager(AsyncLargeFileManager):  # type: ignore[misc]
    def _refuse(self, path: str) -> None:
        if _read_only(path):
            raise HTTPError(
                403, "运行目录只读 / The runs folder is read-only: runs are written by oq-register only"
            )

    async def save(self, model: dict[str, Any], path: str = "") -> Any:
        self._refuse(path)
        return await super().save(model, path)

    async def delete_file(self, path: str) -> Any:
        self._refuse(path)
        return await super().delete_file(path)

    async def rename_file(self, old_path: str, new_path: str) -> Any:
        self._refuse(old_path)
        self._refuse(new_path)
        return await super().rename_file(old_path, new_path)

    async def create_checkpoint(self, path: str) -> Any:
        self._refuse(path)
        return await super().create_checkpoint(path)
