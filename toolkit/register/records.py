"""What the register knows: runs, their outputs, decisions, file checks, comparisons (frozen
dataclasses with ``to_dict()``), the status and decision vocabularies, and small helpers (UTC
times, China Standard Time dates, names typed by people)."""

from __future__ import annotations

import getpass
import logging
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ..clock import SHANGHAI
from ..exceptions import RegisterError
from ..paths import oqtk_home

log = logging.getLogger("toolkit.register")

REGISTER_FILENAME = "register.sqlite"
MANIFEST_NAME = "manifest.json"
SUPPORTED_MANIFEST_SCHEMAS = frozenset({1})
#: run status code → (zh, en). Derived: failed/incomplete from the manifest, else the latest decision.
RUN_STATUSES: dict[str, tuple[str, str]] = {
    "pending": ("待审核", "Pending review"),
    "approved": ("已批准", "Approved"),
    "returned": ("已退回", "Returned"),
    "incomplete": ("未完成", "Incomplete"),
    "failed": ("运行失败", "Failed"),
}
#: decision code → (zh, en)
DECISIONS: dict[str, tuple[str, str]] = {
    "approve": ("批准", "Approve"),
    "return": ("退回", "Return"),
}
#: The files a run folder is recognised by (besides a run-id-shaped name).
RUN_FILES = ("manifest.json", "review.ipynb", "review.html", "results.xlsx", "results.csv")
#: Run ids: Beijing time saying so (``20261202T035335+0800-aa2a46fa``), or UTC (``…Z-…``) before.
_RUN_ID_RE = re.compile(r"^\d{8}T\d{6}(Z|\+0800)-[0-9A-Za-z-]+$")
_SQLITE_MAGIC = b"SQLite format 3\x00"
APPLICATION_ID = 0x4F51544B  # "OQTK": marks a SQLite file as an oq-toolkit register


class RunFolderError(RegisterError):
    """Raised when one run folder cannot be recorded (bad manifest, or changed since recorded)."""


def default_register_path() -> Path:
    """``$OQTK_HOME/register.sqlite`` (``~/.oqtk/register.sqlite`` by default)."""
    return oqtk_home() / REGISTER_FILENAME


# ---------------------------------------------------------------------------------------------
# Records (frozen dataclasses with ``to_dict()`` for JSON and the dashboard)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OutputRecord:
    """One output file of a run as the run wrote it (name inside the run folder)."""

    name: str
    sha256: str
    bytes: int | None


@dataclass(frozen=True)
class Decision:
    """One supervisor decision. ``verified`` holds the output hashes found at decision time."""

    id: int
    run_id: str
    decision: str  # approve | return
    by_name: str
    os_user: str | None
    at: str  # UTC ISO 8601
    comment: str | None
    verified: dict[str, Any]
    by_role: str | None = None  # "supervisor" for a hub decision (from the login); None locally

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RunRecord:
    """A run as the register knows it. ``status``: pending|approved|returned|incomplete|failed."""

    run_id: str
    run_dir: Path
    outcome: str  # succeeded | failed | incomplete (from the manifest; no manifest = incomplete)
    status: str
    error: str | None
    created_at: str | None  # UTC ISO 8601
    finished_at: str | None
    recorded_at: str | None
    input_path: str | None
    input_name: str | None
    input_sha256: str | None
    parameters: dict[str, Any]
    versions: dict[str, Any]
    counts: dict[str, Any]
    rows_in: int | None
    rows_out: int | None
    duration_s: float | None
    manifest_sha256: str | None
    manifest: dict[str, Any] | None
    outputs: tuple[OutputRecord, ...] = ()
    decisions: tuple[Decision, ...] = ()  # oldest first
    submitted_by: str | None = None  # the hub user who submitted the run (None: a local run)

    @property
    def last_decision(self) -> Decision | None:
        return self.decisions[-1] if self.decisions else None

    def status_label(self, lang: str = "zh") -> str:
        zh, en = RUN_STATUSES[self.status]
        return zh if lang == "zh" else en

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["run_dir"] = str(self.run_dir)
        d["status_zh"], d["status_en"] = RUN_STATUSES[self.status]
        return d


@dataclass(frozen=True)
class FileCheck:
    """One file re-hashed by :meth:`Register.verify_run`. ``state``: ok | changed | missing."""

    name: str
    state: str
    expected_sha256: str | None
    actual_sha256: str | None
    expected_bytes: int | None
    actual_bytes: int | None
    detail: str = ""


@dataclass(frozen=True)
class VerifyResult:
    """Whether a run's files are as the run wrote them; ``changed``/``missing`` name the files."""

    run_id: str
    run_dir: Path
    checked_at: str
    checks: tuple[FileCheck, ...]

    @property
    def changed(self) -> list[str]:
        return [c.name for c in self.checks if c.state == "changed"]

    @property
    def missing(self) -> list[str]:
        return [c.name for c in self.checks if c.state == "missing"]

    @property
    def ok(self) -> bool:
        return all(c.state == "ok" for c in self.checks)

    def problems(self) -> str:
        """One line naming every changed and missing file (empty when ``ok``)."""
        parts = [f"{n}（已更改 / changed）" for n in self.changed]
        parts += [f"{n}（缺失 / missing）" for n in self.missing]
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "run_dir": str(self.run_dir),
            "checked_at": self.checked_at,
            "ok": self.ok,
            "changed": self.changed,
            "missing": self.missing,
            "checks": [asdict(c) for c in self.checks],
        }


@dataclass(frozen=True)
class RowChange:
    """A row that differs between two runs of the same intake sheet (``kind``: changed|added|removed)."""

    application_id: str
    kind: str
    old_status: str | None
    new_status: str | None
    old_reasons: str | None
    new_reasons: str | None
    old_reason_codes: str | None
    new_reason_codes: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ScanResult:
    """What :meth:`Register.scan` did: run ids recorded, updated, already known; folder problems."""

    recorded: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)  # incomplete before, now finished
    unchanged: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (folder, message)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "recorded": self.recorded,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "problems": [{"folder": f, "message": m} for f, m in self.problems],
        }


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _os_user() -> str | None:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no USER variable and no passwd entry (some containers)
        return None


def _since_utc(since: date | datetime | str) -> datetime:
    """A date is 00:00 China Standard Time on that day; a naive datetime is CST too."""
    if isinstance(since, str):
        text = since.strip()
        try:
            since = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            raise RegisterError(
                f"无法识别的日期 / Not a date: {since!r} (use YYYY-MM-DD or an ISO 8601 time)"
            ) from None
    if not isinstance(since, datetime):
        since = datetime(since.year, since.month, since.day, tzinfo=SHANGHAI)
    elif since.tzinfo is None:
        since = since.replace(tzinfo=SHANGHAI)
    return since.astimezone(UTC)


def _created_from_run_id(run_id: str) -> str | None:
    """The creation time a run id carries, as UTC ISO 8601 (ids in Beijing time or in UTC)."""
    m = re.match(r"^(\d{8}T\d{6})(Z|\+0800)", run_id)
    if not m:
        return None
    try:
        t = datetime.strptime(m.group(1), "%Y%m%dT%H%M%S").replace(
            tzinfo=UTC if m.group(2) == "Z" else SHANGHAI
        )
    except ValueError:
        return None
    return t.astimezone(UTC).isoformat()


def _safe_name(name: object, where: str) -> str:
    """An output name must be a plain file name inside the run folder."""
    if (
        not isinstance(name, str)
        or not name
        or name in (".", "..")
        or "/" in name
        or "\\" in name
        or "\x00" in name
    ):
        raise RunFolderError(f"{where}: 输出文件名不安全 / unsafe output file name: {name!r}")
    return name


def _require_text(value: str | None, what_zh: str, what_en: str) -> str:
    if value is None or not str(value).strip():
        raise RegisterError(f"必须填写{what_zh} / {what_en} is required")
    return str(value).strip()


def visible_name(value: str | None, what_zh: str = "审批人姓名", what_en: str = "The approver's name") -> str:
    """A person's name as typed: trimmed, with at least one letter or digit and no invisible or
    control characters (zero-width spaces, direction marks, line breaks). Raises RegisterError."""
    import unicodedata

    text = _require_text(value, what_zh, what_en)
    bad = [ch for ch in text if unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp")]
    if bad or not any(unicodedata.category(ch)[0] in "LN" for ch in text):
        shown = ", ".join(f"U+{ord(ch):04X}" for ch in bad[:5]) or text
        raise RegisterError(
            f"{what_zh}须为可见的姓名，不得含有不可见字符（{shown}）/ {what_en} must be a visible name "
            f"with letters or digits and no invisible characters ({shown})"
        )
    return text
