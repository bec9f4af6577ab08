"""``oqtk``: the command line (:mod:`.main`); each module here adds one family of subcommands."""

from .main import build_parser, main

__all__ = ["build_parser", "main"]
