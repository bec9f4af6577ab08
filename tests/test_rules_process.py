"""The assessment process as a checklist (toolkit/rules/process.py): its steps, notes and clauses
come from data/policy/process_steps.yaml, strictly loaded; the readings it rests on are marked."""

from __future__ import annotations

import datetime as dt

import pytest
from support import data_copy

from toolkit.exceptions import PolicyDataError
from toolkit.findings import Basis
from toolkit.rules import CaseInput, assess_case
from toolkit.rules.process import STEP_KEYS, process_source, process_steps, step_definitions

FCCA = {
    "qualifications": ("FCCA",),
    "holder_type": "foreign_national",
    "shanghai_hukou": False,
    "verified": True,
    "degree": "master",
    "title_series": "accounting",
    "relevant_since": dt.date(2015, 1, 1),
    "shanghai_since": dt.date(2023, 1, 1),
    "employer_type": "enterprise",
    "previous_round": False,
}
AS_OF = dt.date(2025, 12, 31)


def steps_for(**overrides):
    case = CaseInput(**{**FCCA, **overrides})
    return {s.key: s for s in process_steps(case, assess_case(case, AS_OF, "1.0"))}


def test_every_step_and_clause_comes_from_the_data_file_in_process_order():
    defs = step_definitions()
    assert list(defs) == list(STEP_KEYS)
    assert "上海市职称服务系统" in defs["upload"].zh
    for key, spec in defs.items():
        clause = spec.clause(AS_OF)
        assert clause is not None and clause.basis is Basis.STATED and clause.doc_id == "notice_3_0", key
    assert process_source().clause_zh.startswith("支持持证人员职称评审·评审程序")


def test_a_state_resting_on_the_toolkits_reading_carries_it():
    steps = steps_for(publicity_start=dt.date(2025, 12, 1), publicity_end=dt.date(2025, 12, 5))
    assert steps["employer_review"].state == "done"
    (reading,) = steps["employer_review"].readings
    assert reading.basis is Basis.INFERRED and reading.doc_id == "toolkit_assumption"
    assert steps["upload"].state == "due" and steps["upload"].date == "2025-12-06"
    assert "本工具的理解" in steps["upload"].readings[0].clause_zh
    assert steps["verification"].readings == ()  # stated by the notice, no reading


def test_a_blocked_review_names_every_reason_in_both_languages():
    steps = steps_for(verified=None, employer_type="public_institution")
    review = steps["employer_review"]
    assert review.state == "blocked"
    assert "待证书核验完成" in review.note_zh and "主管部门推荐" in review.note_zh
    assert "waiting for platform verification" in review.note_en and "recommendation" in review.note_en
    assert steps["publicity"].state == "blocked" and steps["certificate"].state == "blocked"


def test_title_conditions_not_met_quote_the_findings_in_each_language():
    steps = steps_for(degree=None)
    note_zh, note_en = steps["employer_review"].note_zh, steps["employer_review"].note_en
    assert note_zh.startswith("职称申报条件未满足或信息不全：") and note_en.startswith(
        "title conditions not met"
    )
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in note_en.split(":", 1)[1][:40])  # English reasons


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (
            ("      not_on_list:\n", "      not_listed:\n"),
            "steps.0.notes",
        ),  # a situation the code does not know
        (("如持续工作将于{date}满足", "如持续工作将于{when}满足"), "steps.1.notes.title_met_on.zh"),
        (("        reading: upload_after_publicity\n", "        reading: upload_whenever\n"), "reading"),
        (("  - key: bureau_review\n", "  - key: bureau_check\n"), "steps"),
        (("    clause: verification_platform", "    clause: verification_desk"), "steps.0.clause"),
        (("    rule: publicity", "    rule: calendar"), "steps.2.rule"),
        (("    en: Bureau review\n", "    en: Bureau review\n    weight: 1\n"), "weight"),
    ],
)
def test_the_process_loader_is_strict(tmp_path, monkeypatch, change, key):
    with data_copy(monkeypatch, tmp_path) as root:
        path = root / "policy" / "process_steps.yaml"
        text = path.read_text(encoding="utf-8")
        assert change[0] in text
        path.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
        with pytest.raises(PolicyDataError, match=key.replace(".", r"\.")) as err:
            step_definitions()
        assert "process_steps.yaml" in str(err.value)
