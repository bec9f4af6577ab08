"""Control characters made visible (issue 16, item 3): toolkit.textsafe and its users."""

from __future__ import annotations

import io

from toolkit.dashboards.base import esc
from toolkit.textsafe import VisibleControlsWriter, visible_controls


def test_controls_become_visible_and_layout_characters_stay() -> None:
    assert visible_controls("a\x1b[31mb\x00c") == "a␛[31mb␀c"
    assert visible_controls("del\x7f c1\x9b") == "del␡ c1<U+009B>"
    assert visible_controls("tab\tline\ncr\r") == "tab\tline\ncr\r"
    assert visible_controls("张三 Łukasz \u202e") == "张三 Łukasz \u202e"  # not a control: kept


def test_a_writer_makes_everything_written_visible() -> None:
    out = io.StringIO()
    w = VisibleControlsWriter(out)
    assert w.write("x\x07y") == 3
    w.flush()
    assert out.getvalue() == "x␇y"


def test_the_dashboards_escape_makes_controls_visible_too() -> None:
    assert esc("<b>\x1b[2J</b>") == "&lt;b&gt;␛[2J&lt;/b&gt;"


def test_a_buffered_writer_writes_everything_once_flushed() -> None:
    out = io.StringIO()
    w = VisibleControlsWriter(out, buffered=True)
    for i in range(20_000):  # past one 64 KiB block
        w.write(f"{i}\x1b\n")
    w.flush()
    lines = out.getvalue().split("\n")
    assert lines[:2] == ["0␛", "1␛"] and lines[-2] == "19999␛" and len(lines) == 20_001
    assert "\x1b" not in out.getvalue()
