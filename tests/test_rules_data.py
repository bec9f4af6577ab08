"""A broken data file fails loading with a message naming the file and the key (one fixture each)."""

from __future__ import annotations

import shutil

import pytest
from support import FIXTURES, data_copy

import toolkit
from toolkit import PolicyDataError
from toolkit.policy import parameter

BROKEN = FIXTURES / "broken_data"


def _load_all():
    parameter("publicity_working_days").at()
    toolkit.list_versions()
    toolkit.services_for("A", "foreign_national", False)
    toolkit.rounds()
    toolkit.title_series()


@pytest.mark.parametrize(
    ("fixture", "target", "key", "problem"),
    [
        ("param_unknown_key.yaml", "policy/publicity_working_days.yaml", "valus", "unknown key"),
        (
            "param_duplicate_date.yaml",
            "policy/publicity_working_days.yaml",
            "values.1.from",
            "duplicate date",
        ),
        ("param_bad_date.yaml", "policy/publicity_working_days.yaml", "values.0.from", "date"),
        (
            "param_missing_ref.yaml",
            "policy/publicity_working_days.yaml",
            "values.0.ref",
            "required key is missing",
        ),
        ("param_duplicate_key.yaml", "policy/publicity_working_days.yaml", "unit", "duplicate key"),
        (
            "param_unknown_doc.yaml",
            "policy/publicity_working_days.yaml",
            "no_such_notice",
            "unknown source document",
        ),
        ("list_duplicate_entry.yaml", "list/v1.0.yaml", "entries[acca_member]", "duplicate entry id"),
        ("list_unknown_key.yaml", "list/v1.0.yaml", "entries[acca_member].categorys", "unknown key"),
        (
            "list_missing_source.yaml",
            "list/v1.0.yaml",
            "entries[acca_member].source",
            "required key is missing",
        ),
        ("list_c_without_level.yaml", "list/v1.0.yaml", "entries[acca_fellow].c_level", "title level"),
        (
            "list_category_not_on_version.yaml",
            "list/v1.0.yaml",
            "entries[acca_member].categories",
            "not on version",
        ),
        ("versions_bad_date.yaml", "list/versions.yaml", "1.0.issued", "date"),
        (
            "services_duplicate_code.yaml",
            "policy/services.yaml",
            "services[a_work_permit]",
            "duplicate service code",
        ),
        ("rounds_bad_date.yaml", "policy/rounds.yaml", "rounds.0.announced", "date"),
        ("series_missing_title.yaml", "policy/title_series.yaml", "series.engineering.titles", "each of"),
    ],
)
def test_broken_data_file_names_file_and_key(monkeypatch, tmp_path, fixture, target, key, problem):
    with data_copy(monkeypatch, tmp_path) as root:
        _load_all()  # the shipped data loads
        shutil.copy(BROKEN / fixture, root / target)
        toolkit.policy.reload()
        with pytest.raises(PolicyDataError) as info:
            _load_all()
        err = info.value
        assert err.path.endswith(target.split("/")[-1]), err
        assert key in err.key or key in str(err), str(err)
        assert problem in str(err), str(err)


def test_shipped_data_loads_and_every_reference_resolves():
    _load_all()
    for v in toolkit.list_versions().values():
        for e in v.entries:
            assert e.source.title_zh and e.source.clause_zh
    for s in toolkit.services_for("ABCD", "foreign_national", False):
        assert s.source.clause_zh and s.source.clause_en


def test_missing_entries_file_is_named(monkeypatch, tmp_path):
    with data_copy(monkeypatch, tmp_path) as root:
        (root / "list" / "v2.0.yaml").unlink()
        toolkit.policy.reload()
        with pytest.raises(PolicyDataError, match=r"v2\.0\.yaml: 2\.0: entries file"):
            toolkit.list_versions()


def test_chinese_clauses_rendered_from_the_english_summary_are_marked_as_such():
    import datetime as dt

    src = parameter("title_thresholds").source_at(dt.date(2025, 12, 31))
    assert src.doc_id == "notice_3_0" and src.zh_rendered
    assert "据英文摘要译述" in src.cite("zh")
    assert "据英文摘要译述" not in src.cite("en")
    assert "据英文摘要译述" not in toolkit.policy.source("bureau_data", "x", "x").cite("zh")


def test_every_reading_of_the_toolkit_is_basis_i_and_cited_as_the_toolkits(tmp_path, monkeypatch):
    from toolkit.policy import reading

    assert "推定" in reading("higher_level_opens_lower").cite("zh")
    with data_copy(monkeypatch, tmp_path) as root:
        path = root / "policy" / "readings.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("basis: I", "basis: S", 1), encoding="utf-8")
        with pytest.raises(PolicyDataError, match="basis I"):
            reading("higher_level_opens_lower")


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (("code: ethics", "code: law"), "items[law]"),
        (("applies_to: [public_institution]", "applies_to: [embassy]"), "applies_to"),
        (
            (
                "    zh: 遵守中华人民共和国宪法和法律法规\n",
                "    zh: 遵守中华人民共和国宪法和法律法规\n    weight: 1\n",
            ),
            "weight",
        ),
    ],
)
def test_basic_requirements_loader_is_strict(tmp_path, monkeypatch, change, key):
    from toolkit.rules import basic_requirements

    assert [r.code for r in basic_requirements()][:4] == [
        "law",
        "ethics",
        "competence",
        "overseas_experience",
    ]
    with data_copy(monkeypatch, tmp_path) as root:
        path = root / "policy" / "basic_requirements.yaml"
        text = path.read_text(encoding="utf-8")
        assert change[0] in text
        path.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
        with pytest.raises(PolicyDataError, match=key.replace("[", r"\[").replace("]", r"\]")):
            basic_requirements()
