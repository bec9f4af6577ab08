"""Services by category and holder (3.0 notice; B on top of A per the 2.0 notice)."""

from __future__ import annotations

import datetime as dt

import pytest

from toolkit import ToolkitError, services_for

A_ALL = {"a_experience_equivalence", "a_additional_support"}
A_FOREIGN = {"a_visa_residence", "a_work_permit"}
B_FOREIGN = {"b_high_end_work_permit", "b_permanent_residence", "b_visa_r", "b_entrepreneur_residence"}
B_ALL = {"b_talent_introduction", "b_additional_support"}
ON = dt.date(2025, 12, 31)


def codes(*args, **kw):
    return {s.code for s in services_for(*args, on=ON, **kw)}


@pytest.mark.parametrize(
    ("holder", "hukou", "expected"),
    [
        ("foreign_national", False, A_FOREIGN | A_ALL | {"a_residence_points", "a_overseas_talent_permit"}),
        ("hk_macao", False, A_ALL | {"a_residence_points", "a_overseas_talent_permit"}),
        ("taiwan", True, A_ALL | {"a_overseas_talent_permit"}),
        ("mainland_resident", False, A_ALL | {"a_residence_points"}),
        ("mainland_resident", True, A_ALL),
    ],
)
def test_category_a_services_by_holder(holder, hukou, expected):
    assert codes("A", holder, hukou) == expected


def test_b_holders_also_receive_a_services_with_the_2_0_clause_as_basis():
    services = services_for("B", "foreign_national", False, on=ON)
    got = {s.code for s in services}
    assert B_FOREIGN | B_ALL <= got
    assert A_FOREIGN | A_ALL <= got
    for s in services:
        if s.category == "A":
            assert s.via == "B"
            assert (
                s.via_source is not None
                and "在上述A类项目持证人员便利保障服务的基础上" in s.via_source.clause_zh
            )
            assert s.via_source.number == "沪人社专〔2024〕365号"


def test_a_and_b_holder_gets_a_services_directly():
    for s in services_for("AB", "foreign_national", False, on=ON):
        assert s.via == s.category and s.via_source is None


def test_mainland_resident_b_holder_gets_only_the_services_open_to_everyone():
    assert codes("B", "mainland_resident", True) == A_ALL | B_ALL


def test_c_and_d_services():
    assert codes("C", "taiwan", True) == {"c_title_application"}
    assert codes("D", "foreign_national", True) == {"d_mutual_recognition"}


def test_work_permit_text_carries_the_age_limit_from_data_and_a_check():
    s = next(s for s in services_for("A", "foreign_national", False, on=ON) if s.code == "a_work_permit")
    assert "70周岁" in s.zh and "70" in s.en
    assert "年龄" in s.check_zh
    old = next(
        s for s in services_for("A", "foreign_national", False, on=ON, age=71) if s.code == "a_work_permit"
    )
    assert "71" in old.check_zh and "超过" in old.check_zh


def test_unknown_hukou_keeps_residence_points_with_a_check():
    s = next(s for s in services_for("A", "hk_macao", None, on=ON) if s.code == "a_residence_points")
    assert "上海户籍" in s.check_zh and "hukou" in s.check_en


def test_every_service_cites_its_clause():
    for s in services_for("ABCD", "foreign_national", False, on=ON):
        assert s.source.clause_zh and s.source.title_zh and s.zh and s.en


def test_bad_holder_or_category_is_refused():
    with pytest.raises(ToolkitError, match="holder"):
        services_for("A", "martian", False)
    with pytest.raises(ToolkitError, match="category"):
        services_for("AE", "foreign_national", False)
