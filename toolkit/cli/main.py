"""``oqtk``: the command line. Each feature module adds its subcommands through ``add_cli``.

Errors the toolkit raises (:class:`~toolkit.exceptions.ToolkitError`) are printed as a clear
message with exit code 2 — never a traceback. Control characters in anything a command prints
(an applicant's name, a file name) are made visible (:mod:`toolkit.textsafe`): no raw ESC
reaches the terminal.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import sys
from collections.abc import Sequence

from ..exceptions import ToolkitError
from ..textsafe import VisibleControlsWriter, visible_controls

# Modules that contribute subcommands: each defines ``add_cli(subparsers)`` and sets
# ``func`` on its parsers. Listed here so ``oqtk --help`` shows them all.
CLI_MODULES: tuple[str, ...] = (
    "toolkit.cli.rules",  # assess, list search, list import, list show
    "toolkit.cli.calendar",  # calendar status, publicity
    "toolkit.cli.intake",  # template, review
    "toolkit.cli.batch",  # batch
    "toolkit.cli.runs",  # runs list/show/verify/approve/return
    "toolkit.cli.serve",  # serve
    "toolkit.cli.hub",  # hub, hub users add/list/set-role/remove
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="oqtk",
        description="境外职业资格证书认可工具 / Overseas qualification toolkit (Shanghai List 3.0)",
    )
    parser.add_argument("--version", action="version", version=f"oq-toolkit {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in CLI_MODULES:
        importlib.import_module(name).add_cli(sub)
    return parser


def _version() -> str:
    from ..version import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; ``argv`` defaults to the command line (the ``oqtk`` script)."""
    code = _run(argv)
    if argv is None:  # the `oqtk` process itself, about to exit
        _before_exit()
    return code


def _before_exit() -> None:
    """Let the interpreter exit without a last full garbage collection.

    At exit CPython collects every object the process still holds (an ``oqtk batch`` holds
    papermill, nbconvert and their templates): 0.1–0.15 s spent on memory the operating system is
    about to reclaim anyway. :func:`gc.freeze` moves all objects to the permanent generation, which
    that collection skips. Nothing is left that needs finalising by then: result files, notebooks
    and the register are closed and kernels stopped before a command returns. Only for the
    command-line process: :func:`main` called with ``argv`` (tests, other programs) leaves the
    collector alone.
    """
    gc.freeze()


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        # applicants' text reaches the terminal (names, values, file names): no raw ESC or NUL
        with contextlib.redirect_stdout(VisibleControlsWriter(sys.stdout)):
            return int(args.func(args) or 0)
    except ToolkitError as exc:
        print(f"错误 / Error: {visible_controls(str(exc))}", file=sys.stderr)
        return 2
    except MemoryError:  # a sheet within the reading limits but beyond this machine's memory
        print(
            "错误 / Error: 内存不足，审核未完成；请拆分申报表，或由管理员调低 OQTK_MAX_CELLS / out of memory: the "
            "review did not finish; split the sheet, or have the administrator lower OQTK_MAX_CELLS",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stderr.close()
        return 0
