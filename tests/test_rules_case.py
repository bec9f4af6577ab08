"""One applicant end to end: status, categories, services, title and the reasons."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from support import FCCA_CASE

from toolkit import Outcome, assess_case, policy

AS_OF = dt.date(2025, 12, 31)
FCCA = FCCA_CASE  # a foreign national's FCCA, master's, accounting, 2015 / 2023 (support.py)


def run(**changes):
    return assess_case(dataclasses.replace(FCCA, **changes), as_of=AS_OF, list_version="1.0")


def test_fcca_holder_is_eligible_for_senior_accountant():
    r = run()
    assert r.status == "eligible"
    assert r.categories == ("A", "B", "C")
    assert r.title.highest == "associate_senior" and r.title.title_zh == "高级会计师"
    assert "b_permanent_residence" in {s.code for s in r.services}


def test_unverified_certificate_is_incomplete_with_verification_as_the_step():
    r = run(verified=False)
    assert r.status == "incomplete"
    f = next(f for f in r.findings if f.code == "certificate_not_verified")
    assert f.outcome is Outcome.MISSING and "核验" in f.zh


def test_public_institution_without_recommendation_is_incomplete():
    r = run(employer_type="public_institution", recommended_by_authority=None)
    assert r.status == "incomplete"
    assert "authority_recommendation_missing" in {f.code for f in r.all_findings()}


def test_category_a_only_certificate_asked_for_a_title_is_not_eligible():
    r = run(qualifications=("ACCA",))
    assert r.categories == ("A",)
    assert r.status == "not_eligible"
    assert "qualification_not_category_c" in {f.code for f in r.findings}


def test_category_b_holder_without_title_request_is_eligible_for_services():
    r = run(qualifications=("IET Fellow",), title_series=None)
    assert r.status == "eligible" and r.title is None
    assert r.categories == ("B",)


def test_unknown_certificate_on_a_partial_list_is_incomplete_not_refused():
    r = run(qualifications=("CFA",))
    assert r.status == "incomplete"
    assert r.findings[0].code == "qualification_not_found_partial_list"


def test_certificate_from_an_earlier_version_is_not_assumed_on_3_0():
    r = assess_case(FCCA, as_of=AS_OF)  # 3.0 in force; its annex is not loaded
    assert r.list_version == "3.0" and r.status == "incomplete"
    assert r.findings[0].code == "qualification_not_known_on_version"
    assert r.list_partial_en and "partial" in r.list_partial_en


def test_ambiguous_abbreviation_asks_for_the_full_name():
    r = run(qualifications=("CGMA",))
    assert r.status == "incomplete" and r.findings[0].code == "qualification_ambiguous"


def test_no_certificate_is_invalid():
    assert run(qualifications=()).status == "invalid"


def test_title_not_yet_reached_is_not_eligible_with_the_date():
    r = run(relevant_since=dt.date(2021, 6, 1))
    assert r.status == "eligible" and r.title.highest == "intermediate"
    r = run(relevant_since=dt.date(2021, 6, 1), title_level="associate_senior")
    assert r.status == "not_eligible"
    assert r.title.eligible_from["associate_senior"] == dt.date(2028, 5, 31)


def test_publicity_end_is_computed_from_the_start():
    r = run(publicity_start=dt.date(2025, 9, 29))
    assert r.publicity["end"] == "2025-10-11"


def test_short_publicity_makes_the_case_incomplete():
    r = run(publicity_start=dt.date(2025, 9, 29), publicity_end=dt.date(2025, 10, 10))
    assert r.status == "incomplete"
    assert r.publicity["shortfall"] == 1


def test_reasons_name_what_decides_the_status():
    assert run(verified=False).reasons("en") == [
        "The certificate is not yet verified on the city's verification platform: complete the verification first"
    ]


def test_a_date_before_the_stated_rules_is_incomplete_not_a_crash():
    """Thresholds are stated from 2025-08-25: an earlier as-of date says so instead of raising."""
    r = assess_case(FCCA, as_of=dt.date(2024, 6, 30), list_version="1.0")
    assert r.status == "incomplete"
    f = next(f for f in r.findings if f.code == "rules_not_in_force")
    assert f.data["file"] in ("title_thresholds.yaml", "shanghai_min_years.yaml")
    # a plain officer message in each language: the date, the first date, what to do; no file
    # path, and no English inside the Chinese
    assert "2024-06-30" in f.zh and "2025-08-25" in f.zh and "系统管理员" in f.zh
    assert not re.search(r"[A-Za-z]", f.zh), f.zh
    assert ".yaml" not in f.en and "2025-08-25" in f.en and "administrator" in f.en
    assert r.services  # services are still listed
    permit = next(s for s in r.services if s.code == "a_work_permit")
    assert "no rule for this date" in permit.en  # the age limit is stated only from 2024-11-01
    assert "no rule" not in permit.zh


def test_a_publicity_start_before_the_first_publicity_rule_gets_the_plain_message():
    r = run(publicity_start=dt.date(2020, 3, 2))
    f = next(f for f in r.findings if f.code == "rules_not_in_force")
    assert "公示开始日2020-03-02" in f.zh and not re.search(r"[A-Za-z]", f.zh)
    assert f.en.startswith("The publicity start 2020-03-02") and ".yaml" not in f.en


def test_work_permit_age_limit_is_stated_from_the_2_0_notice():
    r = assess_case(FCCA, as_of=dt.date(2025, 6, 1), list_version="1.0")
    permit = next(s for s in r.services if s.code == "a_work_permit")
    assert "70周岁" in permit.zh


def test_publicity_is_memoised_per_dates_forgotten_with_the_policy_data_and_handed_out_as_copies(
    tmp_path, monkeypatch
):
    from support import data_copy

    first = run(publicity_start=dt.date(2025, 12, 1)).publicity
    assert (first["required"], first["end"]) == (5, "2025-12-05")
    first["end"] = "changed by a caller"
    assert run(publicity_start=dt.date(2025, 12, 1)).publicity["end"] == "2025-12-05"  # its own copy
    with data_copy(monkeypatch, tmp_path) as root:
        assert run(publicity_start=dt.date(2025, 12, 1)).publicity["required"] == 5  # memoised here …
        f = root / "policy" / "publicity_working_days.yaml"
        f.write_text(f.read_text(encoding="utf-8").replace("value: 5", "value: 7"), encoding="utf-8")
        policy.reload()  # … and forgotten with the data
        again = run(publicity_start=dt.date(2025, 12, 1)).publicity
    assert (again["required"], again["end"]) == (7, "2025-12-09")
