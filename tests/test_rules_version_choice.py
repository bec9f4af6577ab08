"""The List version to use on a date (list_version_to_use): the one in force, or — while that one
has no entries loaded — the newest version with entries, with a finding that says so."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from support import data_copy

import toolkit
from toolkit import CaseInput, Outcome, assess_case, assess_title, list_version_to_use, policy
from toolkit.findings import Basis
from toolkit.rules import lookup_version

AFTER_3_0 = dt.date(2025, 12, 31)  # 3.0 in force since 2025-11-14; its annex is not loaded
DURING_1_0 = dt.date(2024, 6, 30)  # 1.0 in force, with entries


def test_while_the_version_in_force_has_no_entries_the_newest_with_entries_is_used():
    choice = list_version_to_use(AFTER_3_0)
    assert (choice.version.version, choice.in_force.version, choice.fell_back) == ("1.0", "3.0", True)
    f = choice.finding
    assert f is not None and f.code == "list_version_fallback" and f.outcome is Outcome.CHECK
    assert "2025-12-31现行的3.0版清单尚无已载入的条目，本次按1.0版核对" in f.zh and "请对照3.0版附件" in f.zh
    assert "List 3.0, in force on 2025-12-31, has no entries loaded" in f.en and "List 1.0" in f.en
    # the toolkit's own practice, not a clause: cited as its reading, basis I
    assert f.source is not None and f.source.basis is Basis.INFERRED and "推定" in f.source.cite("zh")
    assert f.data == {"version": "1.0", "in_force": "3.0", "on": AFTER_3_0}


def test_the_version_in_force_with_entries_is_used_without_a_finding():
    choice = list_version_to_use(DURING_1_0)
    assert (choice.version.version, choice.in_force.version, choice.fell_back) == ("1.0", "1.0", False)
    assert choice.finding is None


def test_once_the_version_in_force_has_entries_nothing_falls_back(monkeypatch, tmp_path):
    with data_copy(monkeypatch, tmp_path) as root:
        v1 = yaml.safe_load((root / "list" / "v1.0.yaml").read_text(encoding="utf-8"))
        v3 = yaml.safe_load((root / "list" / "v3.0.yaml").read_text(encoding="utf-8"))
        v3["entries"] = v1["entries"][:1]
        (root / "list" / "v3.0.yaml").write_text(yaml.safe_dump(v3, allow_unicode=True), encoding="utf-8")
        policy.reload()
        choice = list_version_to_use(AFTER_3_0)
        assert (choice.version.version, choice.fell_back, choice.finding) == ("3.0", False, None)


def test_the_lookup_starts_where_the_choice_does():
    for day in (AFTER_3_0, DURING_1_0):
        choice = list_version_to_use(day)
        start, empty = lookup_version(day)
        assert start is choice.version
        assert empty is (choice.in_force if choice.fell_back else None)


def test_a_case_assessed_on_the_choice_carries_its_finding_and_keeps_its_status():
    case = CaseInput(qualifications=("IET Fellow",), holder_type="foreign_national", verified=True)
    r = assess_case(case, as_of=AFTER_3_0, list_version=list_version_to_use(AFTER_3_0))
    assert r.status == "eligible" and r.list_version == "1.0"
    assert [f.code for f in r.findings if f.outcome is Outcome.CHECK] == ["list_version_fallback"]
    assert "list_version_fallback" not in r.reason_codes()
    # a version named by the caller is the caller's choice: no fallback said
    r = assess_case(case, as_of=AFTER_3_0, list_version="1.0")
    assert r.list_version == "1.0" and "list_version_fallback" not in {f.code for f in r.findings}
    # by date alone, the version in force: 1.0's entries are not assumed to hold on 3.0
    r = assess_case(case, as_of=AFTER_3_0)
    assert r.list_version == "3.0" and "list_version_fallback" not in {f.code for f in r.findings}
    # a choice with no fallback adds nothing
    r = assess_case(case, as_of=DURING_1_0, list_version=list_version_to_use(DURING_1_0))
    assert r.list_version == "1.0" and "list_version_fallback" not in {f.code for f in r.findings}


def test_a_choice_made_for_another_date_is_refused():
    with pytest.raises(toolkit.ToolkitError, match="2024-06-30"):
        assess_case(
            CaseInput(qualifications=("FCCA",)), as_of=AFTER_3_0, list_version=list_version_to_use(DURING_1_0)
        )


def test_a_title_on_a_certificate_given_by_id_uses_the_version_to_use():
    kwargs = dict(degree="master", series="accounting", relevant_years=8, shanghai_years=2, as_of=AFTER_3_0)
    t = assess_title(qualification="acca_fellow", **kwargs)
    assert t.highest == "associate_senior"
    assert "list_version_fallback" in {f.code for f in t.findings}
    t = assess_title(qualification="acca_fellow", list_version="1.0", **kwargs)
    assert t.highest == "associate_senior" and "list_version_fallback" not in {f.code for f in t.findings}
    with pytest.raises(toolkit.ToolkitError, match=r"清单3\.0版中无此证书"):
        assess_title(qualification="acca_fellow", list_version="3.0", **kwargs)
