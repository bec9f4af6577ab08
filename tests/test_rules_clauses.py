"""Every clause a decision cites comes from data/: change a clause in a copy of data/ and the
decision cites the new text; the clauses file is as strict as the other policy files."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from support import FCCA_CASE, data_copy

from toolkit import PolicyDataError, assess_case, list_version_to_use, policy
from toolkit.findings import Finding, Source
from toolkit.paths import REPO_ROOT

AS_OF = dt.date(2025, 12, 31)
CASE = FCCA_CASE


def _assess(**changes: object):
    """On the version list_version_to_use gives (1.0, falling back from 3.0: its finding too)."""
    return assess_case(
        dataclasses.replace(CASE, **changes), as_of=AS_OF, list_version=list_version_to_use(AS_OF)
    )


def _finding(result, code: str) -> Finding:
    return next(f for f in result.all_findings() if f.code == code)


def _rewrite(path: Path, group: str, key: str, zh: str, en: str) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc[group][key]["clause_zh"] = zh
    doc[group][key]["clause_en"] = en
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize(
    ("group", "key", "changes", "code"),
    [
        ("clauses", "verification_platform", {"verified": False}, "certificate_not_verified"),
        ("clauses", "the_list", {"qualifications": ("CGMA",)}, "qualification_ambiguous"),
        (
            "clauses",
            "public_institution_recommendation",
            {"employer_type": "public_institution", "recommended_by_authority": None},
            "authority_recommendation_missing",
        ),
        ("readings", "foreign_national_no_hukou", {"shanghai_hukou": True}, "foreign_national_with_hukou"),
        ("readings", "newest_loaded_list_version", {}, "list_version_fallback"),
    ],
)
def test_a_clause_changed_in_data_is_the_clause_the_decision_cites(
    monkeypatch, tmp_path, group, key, changes, code
):
    shipped = _finding(_assess(**changes), code).source
    assert shipped is not None and shipped.clause_zh
    with data_copy(monkeypatch, tmp_path) as root:
        _rewrite(
            root / "policy" / f"{group}.yaml", group, key, "测试条文：市局修订", "Test clause: as amended"
        )
        policy.reload()
        src = _finding(_assess(**changes), code).source
        assert (src.clause_zh, src.clause_en) == ("测试条文：市局修订", "Test clause: as amended")
        assert src.doc_id == shipped.doc_id and src.basis is shipped.basis
        assert "测试条文：市局修订" in src.cite("zh") and "Test clause: as amended" in src.cite("en")
    assert _finding(_assess(**changes), code).source == shipped  # the shipped data again


def _data_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in (REPO_ROOT / "data").rglob("*.yaml"))


def _sources(result) -> list[Source]:
    out = [f.source for f in result.all_findings() if f.source is not None]
    out += [s.source for s in result.services] + [s.via_source for s in result.services if s.via_source]
    return out


def test_every_clause_a_decision_cites_is_written_in_data():
    """A range of cases touching every rule: each clause cited, in both languages, is text of a
    file under data/ (a clause typed in code would not be)."""
    text = _data_text()
    variants = [
        {},
        {"verified": False},
        {"qualifications": ("CGMA",)},
        {"qualifications": ("CFA",)},
        {"qualifications": ("ACCA",)},
        {"shanghai_hukou": True, "round_id": "2025-r3"},
        {"employer_type": "public_institution", "recommended_by_authority": None},
        {"employer_type": "public_institution", "recommended_by_authority": True},
        {"employer_type": None, "degree": "doctorate", "relevant_since": dt.date(2016, 2, 29)},
        {"title_series": "engineering", "science_or_engineering_degree": None, "shanghai_since": None},
        {"degree": "bachelor", "relevant_since": dt.date(2021, 6, 1), "title_level": "associate_senior"},
        {"previous_round": True, "round_id": "2025-r3", "basic_requirements": (("law", False),)},
        {"publicity_start": dt.date(2025, 9, 29)},
        {"publicity_start": dt.date(2025, 9, 29), "publicity_end": dt.date(2025, 10, 10)},
    ]
    cited = 0
    for changes in variants:
        for src in _sources(_assess(**changes)):
            for clause in (src.clause_zh, src.clause_en):
                # several checklist items cite their sections joined ("…·基本条件；…·评审程序（注）")
                parts = re.split(r"；|; ", clause)
                assert all(p in text for p in parts), f"{src.doc_id}: {clause!r} is not in data/"
            cited += 1
    assert cited > 40


@pytest.mark.parametrize(
    ("edit", "key", "problem"),
    [
        (("basis: S", "basis: I"), "clauses.the_list.basis", "belongs in readings.yaml"),
        (("    basis: S\n", "    basis: S\n    weight: 1\n"), "weight", "unknown key"),
        (("doc: notice_3_0", "doc: no_such_notice"), "no_such_notice", "unknown source document"),
    ],
)
def test_the_clauses_file_is_strict(monkeypatch, tmp_path, edit, key, problem):
    with data_copy(monkeypatch, tmp_path) as root:
        path = root / "policy" / "clauses.yaml"
        text = path.read_text(encoding="utf-8")
        assert edit[0] in text
        path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
        policy.reload()
        with pytest.raises(PolicyDataError) as info:
            policy.clause("the_list")
        assert info.value.path.endswith("clauses.yaml")
        assert key in str(info.value) and problem in str(info.value)


def test_an_unknown_clause_is_named():
    with pytest.raises(PolicyDataError, match=r"clauses\.yaml: no_such_clause: unknown clause"):
        policy.clause("no_such_clause")
