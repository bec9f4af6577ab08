"""Read a run's ``results.csv`` back: the one reader the register and the pages use.

A header is matched to a field of :mod:`.columns` by its key or either label (ignoring case and
surrounding spaces), or by a few older names that hand-made or earlier results files used
(``app_id``, ``结论``, ``理由`` …). A field the file lacks reads as empty; :meth:`ResultsCsv.has`
tells which are present.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .columns import column

__all__ = ["ResultLine", "ResultsCsv", "read_results_csv"]

# field → the headers accepted for it, in order of preference (the keys and labels of
# .columns first); several reason or code columns are all read
_OLDER_NAMES: dict[str, tuple[str, ...]] = {
    "source_row": ("row", "行号"),
    "application_id": ("app_id", "申请号", "id"),
    "status": ("状态", "结论", "result"),
    "reasons": ("reason", "reasons_zh", "reasons_en", "理由"),
    "reason_codes": ("reason_code", "codes"),
    "problem_count": ("待补正项",),
}
_MANY = ("reasons", "reason_codes")  # fields read from every matching column


def _accepted(field: str) -> list[str]:
    c = column(field)
    names = [c.key, c.zh, c.en, *_OLDER_NAMES.get(field, ())]
    out: list[str] = []
    for n in names:
        k = n.strip().lower()
        if k not in out:
            out.append(k)
    return out


_ACCEPTED = {f: _accepted(f) for f in _OLDER_NAMES}


@dataclass(frozen=True)
class ResultLine:
    """One data line of ``results.csv`` (``line`` 2 is the first after the header)."""

    line: int
    values: dict[str, str]  # header as in the file → its text


@dataclass(frozen=True)
class ResultsCsv:
    """A ``results.csv`` read: which file headers hold each field, and its lines."""

    path: Path
    fieldnames: list[str]  # the file's headers, as written
    headers: dict[str, list[str]]  # field → the file's headers for it (first = preferred)
    lines: list[ResultLine]

    def has(self, field: str) -> bool:
        return bool(self.headers.get(field))

    def get(self, line: ResultLine, field: str) -> str:
        """The field's text on ``line`` (stripped; empty when the file lacks the field)."""
        cols = self.headers.get(field) or []
        return (line.values.get(cols[0]) or "").strip() if cols else ""

    def joined(self, line: ResultLine, field: str) -> str:
        """Every column of a field read from several (the reasons, the reason codes), joined
        with `` / `` — the languages side by side; empty when none has text."""
        texts = [(line.values.get(c) or "").strip() for c in self.headers.get(field) or []]
        return " / ".join(t for t in texts if t)

    def reasons(self, line: ResultLine, lang: str) -> str:
        """The reasons in ``lang`` when the file has them in that language, else every reason
        column joined."""
        own = (line.values.get(f"reasons_{lang}") or "").strip()
        return own or self.joined(line, "reasons")

    def __iter__(self) -> Iterator[ResultLine]:
        return iter(self.lines)


def read_results_csv(path: str | Path) -> ResultsCsv:
    """Read ``results.csv`` (UTF-8, with or without a BOM) whole; OSError if it cannot be read."""
    p = Path(path)
    text = p.read_bytes().decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    by_name = {(h or "").strip().lower(): h for h in reader.fieldnames or []}
    headers: dict[str, list[str]] = {}
    for field, names in _ACCEPTED.items():
        found = [by_name[n] for n in names if n in by_name]
        headers[field] = found if field in _MANY else found[:1]
    lines = [ResultLine(n, row) for n, row in enumerate(reader, start=2)]
    return ResultsCsv(p, [h or "" for h in reader.fieldnames or []], headers, lines)
