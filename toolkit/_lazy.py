"""Names a package exports but imports on first use (PEP 562); ``toolkit`` and ``toolkit.intake``
both use it, so a dashboard kernel or ``oqtk batch`` loads pandas, papermill and the rules only
when a name that needs them is first touched."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, namespace: dict[str, Any], submodule_of: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The package's ``__getattr__`` and ``__dir__``: ``name`` comes from
    ``package.<submodule_of[name]>`` on first use and is then kept in ``namespace``."""

    def __getattr__(name: str) -> Any:
        module = submodule_of.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{module}", package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(namespace["__all__"])

    return __getattr__, __dir__
