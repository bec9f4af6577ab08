"""What several commands share: parsers for their numeric options, and the width of a table cell."""

from __future__ import annotations

import argparse
import unicodedata
from collections.abc import Callable

__all__ = ["display_width", "port_number", "positive_seconds", "positive_whole_number", "whole_number"]


def whole_number(minimum: int, maximum: int | None, zh: str, en: str) -> Callable[[str], int]:
    """An argparse ``type``: a whole number from ``minimum`` to ``maximum`` (no upper bound when
    ``None``); anything else is refused with ``应为{zh} / expected {en}`` and the text given."""

    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            n = minimum - 1
        if n < minimum or (maximum is not None and n > maximum):
            raise argparse.ArgumentTypeError(f"应为{zh} / expected {en}: {text!r}")
        return n

    return parse


port_number = whole_number(1, 65535, "端口 1–65535", "a port 1–65535")
positive_whole_number = whole_number(1, None, "正整数", "a positive whole number")
positive_seconds = whole_number(1, None, "正整数秒", "a positive number of seconds")


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide and full-width (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
