"""The Category C assessment process as a checklist for one case.

Quoted basis (3.0 notice, "Supporting certificate holders in assessment and recognition of
professional titles", 3. Assessment process), as the steps of ``data/policy/process_steps.yaml``:

    Complete verification through the city's overseas occupational qualifications verification
    platform. Employers must review all application documents, assess the applicant's job
    performance, and publicize the application materials for at least five working days.
    Applicants should upload the required documents to the Shanghai professional title service
    system (上海市职称服务系统). The Shanghai Municipal Human Resources and Social Security Bureau
    will review the applications. … will issue an electronic professional title certificate.

Every step name, note and clause is data; this module only decides which note applies. Each step
is ``done``, ``due`` (with its date when one is known) or ``blocked`` (with the reason), in
process order:

1. Verification: ``done`` if the certificate is marked verified, else ``due``; ``blocked`` when no
   certificate was found on the List.
2. Employer review: ``blocked`` until verified; ``blocked`` while a title condition fails or is
   missing (dated with the day it will be met when only time is missing, from
   ``title.eligible_from``); ``blocked`` for a public institution without the authority's
   recommendation; ``done`` once publicity has started on or before the as-of date; else ``due``
   (by the publicity start, if given).
3. Publicity (length and clause from the publicity rule, :mod:`.publicity`, on the as-of date): ``done`` when a start and
   end are given, the period is long enough and it ended before the as-of date; otherwise ``due``
   with its dates (scheduled, under way, too short → the earliest valid end, or ended with no end
   date recorded → record it); ``due`` without dates when no start is given.
4. Upload: ``due`` from the day after publicity ends, else ``blocked``.
5. Bureau review and 6. electronic certificate: ``blocked`` (the toolkit records neither; the
   officer confirms them in the title service system).

Where a state rests on the toolkit's own reading rather than the notice's words (the order of the
steps, the review counted done once publicity starts, the upload from the day after), the step
carries that reading (``data/policy/readings.yaml``, basis I) in :attr:`Step.readings`.
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator

from ..exceptions import PolicyDataError, PolicyNotInForce
from ..findings import Outcome, Source
from ..models import StrictModel
from ..paths import data_dir
from ..policy import RefModel, clause, load_model, on_reload, reading, ref_to_source
from .case import CaseInput, CaseResult
from .publicity import required_working_days, rule_source

__all__ = ["STEP_KEYS", "ProcessStep", "Step", "process_source", "process_steps", "step_definitions"]

#: The steps in process order, and the situations (note keys) each one needs in the data file.
STEP_KEYS: dict[str, tuple[str, ...]] = {
    "verification": ("not_on_list", "to_verify"),
    "employer_review": (
        "waiting_verification",
        "title_met_on",
        "title_not_met_because",
        "title_not_met",
        "needs_recommendation",
        "started",
        "before_publicity",
        "then_publicity",
    ),
    "publicity": ("waiting_review", "no_start", "too_short", "scheduled", "under_way", "record_end"),
    "upload": ("upload_from", "waiting_publicity"),
    "bureau_review": ("waiting_upload",),
    "certificate": ("waiting_review",),
}
#: The values a note is given (its ``{placeholders}``); a note not named here is given none.
NOTE_VALUES: dict[str, set[str]] = {
    "title_met_on": {"date"},
    "title_not_met_because": {"reasons"},
    "too_short": {"shortfall", "earliest"},
    "under_way": {"end"},
    "record_end": {"end"},
    "upload_from": {"date"},
}


class _NoteModel(StrictModel):
    zh: str
    en: str
    reading: str | None = None


class _StepModel(StrictModel):
    key: str
    zh: str
    en: str
    ref: RefModel | None = None  # the step's clause, quoted here
    clause: str | None = None  # or a key of clauses.yaml
    rule: Literal["publicity"] | None = None  # or the rule whose clause it is (rules/publicity.py)
    notes: dict[str, _NoteModel]

    @model_validator(mode="after")
    def _one_basis(self) -> _StepModel:
        if sum(x is not None for x in (self.ref, self.clause, self.rule)) != 1:
            raise ValueError("give exactly one of `ref` (the step's clause), `clause` or `rule`")
        return self


class _File(StrictModel):
    ref: RefModel
    steps: list[_StepModel]


@dataclass(frozen=True)
class Note:
    """What the checklist says in one situation, and the reading it rests on (None: the notice)."""

    zh: str
    en: str
    reading: Source | None


@dataclass(frozen=True)
class ProcessStep:
    """One step as the data file describes it: names (``{days}`` in the publicity step's), its
    clause (or the rule whose clause in force it takes) and its notes by situation."""

    key: str
    zh: str
    en: str
    source: Source | None
    rule: str | None
    notes: dict[str, Note]

    def clause(self, on: dt.date) -> Source | None:
        return self.source if self.rule is None else rule_source(on)


@dataclass(frozen=True)
class Step:
    """One step of the assessment process for this case."""

    key: str
    zh: str
    en: str
    state: str  # done | due | blocked
    date: str | None = None  # ISO date or "start – end", when known
    note_zh: str = ""
    note_en: str = ""
    source: Source | None = None  # the step's clause
    readings: tuple[Source, ...] = ()  # the toolkit's own readings this state rests on (basis I)

    def name(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def note(self, lang: str) -> str:
        return self.note_en if lang == "en" else self.note_zh


def _check_text(path: Path, key: str, text: str, allowed: set[str]) -> None:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise PolicyDataError(path, key, f"malformed placeholder: {exc}") from exc
    if names - allowed:
        raise PolicyDataError(
            path, key, f"unknown placeholder(s) {sorted(names - allowed)}; known: {sorted(allowed)}"
        )


def _load_step(path: Path, i: int, model: _StepModel) -> ProcessStep:
    where = f"steps.{i}"
    expected = STEP_KEYS[model.key]
    if set(model.notes) != set(expected):
        missing, unknown = set(expected) - set(model.notes), set(model.notes) - set(expected)
        raise PolicyDataError(path, f"{where}.notes", f"missing {sorted(missing)}, unknown {sorted(unknown)}")
    for lang in ("zh", "en"):
        _check_text(path, f"{where}.{lang}", getattr(model, lang), {"days"})
    notes = {}
    for name, note in model.notes.items():
        for lang in ("zh", "en"):
            _check_text(
                path, f"{where}.notes.{name}.{lang}", getattr(note, lang), NOTE_VALUES.get(name, set())
            )
        try:
            src = reading(note.reading) if note.reading else None
        except PolicyDataError as exc:
            raise PolicyDataError(path, f"{where}.notes.{name}.reading", exc.problem) from exc
        notes[name] = Note(note.zh, note.en, src)
    source = ref_to_source(model.ref, path) if model.ref is not None else None
    if model.clause is not None:
        try:
            source = clause(model.clause)
        except PolicyDataError as exc:
            raise PolicyDataError(path, f"{where}.clause", exc.problem) from exc
    return ProcessStep(model.key, model.zh, model.en, source, model.rule, notes)


@cache
def _load(root: Path) -> tuple[Source, dict[str, ProcessStep]]:
    path = root / "policy" / "process_steps.yaml"
    model = load_model(path, _File)
    keys = [s.key for s in model.steps]
    if keys != list(STEP_KEYS):
        raise PolicyDataError(path, "steps", f"must be the steps {list(STEP_KEYS)} in this order, not {keys}")
    steps = {s.key: _load_step(path, i, s) for i, s in enumerate(model.steps)}
    return ref_to_source(model.ref, path), steps


on_reload(_load.cache_clear)


def step_definitions() -> dict[str, ProcessStep]:
    """The steps as ``data/policy/process_steps.yaml`` describes them, in process order."""
    return _load(data_dir())[1]


def process_source() -> Source:
    """The clause of the process as a whole (shown under the checklist)."""
    return _load(data_dir())[0]


def _days(on: dt.date) -> str:
    try:
        return str(required_working_days(on))
    except PolicyNotInForce:
        return "?"


class _Builder:
    """Builds the :class:`Step` of one definition for one case (names and notes filled in)."""

    def __init__(self, key: str, as_of: dt.date) -> None:
        self.spec = step_definitions()[key]
        self.as_of = as_of
        days = _days(as_of)
        self.zh, self.en = self.spec.zh.format(days=days), self.spec.en.format(days=days)

    def step(self, state: str, when: str | None = None, *notes: str, **values: object) -> Step:
        """The step in ``state`` with ``notes`` (situation keys) filled in; a value given as a
        ``(zh, en)`` pair is filled in each language."""
        chosen = [self.spec.notes[n] for n in notes]

        def filled(lang: int) -> dict[str, object]:
            return {k: (v[lang] if isinstance(v, tuple) else v) for k, v in values.items()}

        return Step(
            self.spec.key,
            self.zh,
            self.en,
            state,
            when,
            "；".join(n.zh.format(**filled(0)) for n in chosen),
            "; ".join(n.en.format(**filled(1)) for n in chosen),
            self.spec.clause(self.as_of),
            tuple(dict.fromkeys(n.reading for n in chosen if n.reading is not None)),
        )


def _parse_date(value: str | dt.date | None) -> dt.date | None:
    """An ISO date text (as the publicity result holds it) or a date → a date."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def _verification(case: CaseInput, result: CaseResult) -> Step:
    b = _Builder("verification", result.as_of)
    if not result.categories:
        return b.step("blocked", None, "not_on_list")
    if case.verified is True:
        return b.step("done")
    return b.step("due", None, "to_verify")


def _title_blockers(result: CaseResult) -> tuple[list[str], dict[str, object], str | None]:
    """The notes (and their values) that hold the employer review while the title is not open."""
    title = result.title
    if title is not None and title.highest is not None and title.requested_ok is not False:
        return [], {}, None
    if title is not None and title.eligible_from:
        level = title.requested if title.requested in title.eligible_from else None
        when = (title.eligible_from[level] if level else min(title.eligible_from.values())).isoformat()
        return ["title_met_on"], {"date": when}, when
    missing = [
        f
        for f in result.all_findings()
        if f.outcome in (Outcome.FAIL, Outcome.MISSING)
        and not f.code.startswith(("certificate_", "publicity_"))
    ]
    if missing:
        reasons = ("；".join(f.zh for f in missing[:3]), "; ".join(f.en for f in missing[:3]))
        return ["title_not_met_because"], {"reasons": reasons}, None
    return ["title_not_met"], {}, None


def _employer_review(case: CaseInput, result: CaseResult, verification: Step) -> Step:
    b = _Builder("employer_review", result.as_of)
    notes = [] if verification.state == "done" else ["waiting_verification"]
    title_notes, values, date = _title_blockers(result)
    notes += title_notes
    if case.employer_type == "public_institution" and case.recommended_by_authority is not True:
        notes.append("needs_recommendation")
    if notes:
        return b.step("blocked", date, *notes, **values)
    start = case.publicity_start
    if start is not None and start <= result.as_of:
        return b.step("done", None, "started")
    if start is not None:
        return b.step("due", start.isoformat(), "before_publicity")
    return b.step("due", None, "then_publicity")


def _publicity(case: CaseInput, result: CaseResult, review: Step) -> Step:
    b = _Builder("publicity", result.as_of)
    start, as_of = case.publicity_start, result.as_of
    pub = result.publicity or {}
    findings = {f.code: f for f in result.findings if f.code.startswith("publicity_")}
    if review.state == "blocked":
        return b.step("blocked", None, "waiting_review")
    if start is None:
        return b.step("due", None, "no_start")
    if "publicity_calendar_not_covered" in findings:
        f = findings["publicity_calendar_not_covered"]
        return Step(b.spec.key, b.zh, b.en, "due", start.isoformat(), f.zh, f.en, b.spec.clause(as_of))
    if case.publicity_end is not None and pub.get("shortfall"):
        earliest = pub.get("earliest_valid_end")
        span = f"{start.isoformat()} – {earliest}"
        return b.step("due", span, "too_short", shortfall=pub["shortfall"], earliest=earliest)
    end = _parse_date(pub.get("end"))
    if end is None:  # pragma: no cover - a computed publicity always has an end
        raise ValueError("publicity result without an end date")
    span = f"{start.isoformat()} – {end.isoformat()}"
    if case.publicity_end is not None and end < as_of:
        return b.step("done", span)
    if start > as_of:
        return b.step("due", span, "scheduled")
    if end >= as_of:
        return b.step("due", span, "under_way", end=end.isoformat())
    return b.step("due", span, "record_end", end=end.isoformat())


def _upload(result: CaseResult, publicity: Step) -> Step:
    b = _Builder("upload", result.as_of)
    end = _parse_date((result.publicity or {}).get("end"))
    if publicity.state == "done" and end is not None:
        nxt = (end + dt.timedelta(days=1)).isoformat()
        return b.step("due", nxt, "upload_from", date=nxt)
    return b.step("blocked", None, "waiting_publicity")


def process_steps(case: CaseInput, result: CaseResult) -> list[Step]:
    """The assessment process as steps for this case (empty when no title is sought)."""
    if case.title_series is None and "C" not in result.categories:
        return []
    verification = _verification(case, result)
    review = _employer_review(case, result, verification)
    publicity = _publicity(case, result, review)
    upload = _upload(result, publicity)
    return [
        verification,
        review,
        publicity,
        upload,
        _Builder("bureau_review", result.as_of).step("blocked", None, "waiting_upload"),
        _Builder("certificate", result.as_of).step("blocked", None, "waiting_review"),
    ]
