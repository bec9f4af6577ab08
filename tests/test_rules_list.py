"""The List: search across names and versions, and importing an annex with a diff."""

from __future__ import annotations

import csv
import datetime as dt

import openpyxl
import pytest
from support import data_copy

import toolkit
from toolkit import ListImportError, find_qualifications
from toolkit.rules.listimport import import_annex


@pytest.mark.parametrize(
    "query", ["FCCA", "fcca", " F C C A ", "ＦＣＣＡ", "ACCA资深会员证书", "acca fellow", "ACCA　Fellow"]
)
def test_search_ignores_case_spaces_and_width(query):
    hits = find_qualifications(query, "1.0")
    assert hits[0].entry_id == "acca_fellow"
    assert hits[0].score == 1.0
    assert hits[0].categories == ("A", "B", "C")
    assert hits[0].entry.c_level == "associate_senior"


def test_near_matches_are_ranked_below_exact_ones():
    hits = find_qualifications("ACCA fellw", "1.0")
    assert hits[0].entry_id == "acca_fellow"
    assert 0.6 <= hits[0].score < 1.0
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_shared_abbreviation_returns_every_certificate():
    ids = {h.entry_id for h in find_qualifications("CGMA", "1.0") if h.score == 1.0}
    assert ids == {"cgma_fellow", "cgma_associate"}


def test_nothing_found_for_an_unlisted_certificate():
    assert [h for h in find_qualifications("CFA", "1.0") if h.score == 1.0] == []


def test_on_a_partial_version_a_certificate_is_not_known_rather_than_removed():
    hit = find_qualifications("FCCA", "3.0")[0]
    assert hit.status == "not_known_on_version"
    assert hit.categories == ()
    assert hit.categories_by_version == {"1.0": ("A", "B", "C")}
    assert "1.0" in hit.note_en and "not fully loaded" in hit.note_en
    assert "3.0版清单附件未完整载入" in hit.note_zh


def test_default_version_is_the_one_in_force():
    assert toolkit.version_in_force(dt.date(2025, 11, 13)).version == "2.0"
    assert toolkit.version_in_force(dt.date(2025, 11, 14)).version == "3.0"
    assert find_qualifications("FCCA", on=dt.date(2024, 1, 1))[0].version == "1.0"


def test_every_shipped_version_is_shown_as_partial():
    for v in toolkit.list_versions().values():
        assert not v.complete
        assert "不完整" in v.partial_notice("zh") and "partial" in v.partial_notice("en")
    assert "7 of 85" in toolkit.get_version("1.0").partial_notice("en")


def _write_csv(path, header, rows):
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


HEADER_ZH = [
    "证书名称（中文）",
    "证书名称（英文）",
    "简称",
    "发证机构",
    "国家（地区）",
    "类别",
    "职称系列",
    "对应职称级别",
]


def test_import_csv_writes_version_and_prints_diff(monkeypatch, tmp_path):
    with data_copy(monkeypatch, tmp_path) as root:
        annex = tmp_path / "annex.csv"
        _write_csv(
            annex,
            HEADER_ZH,
            [
                ["ACCA资深会员证书", "ACCA Fellow", "FCCA", "ACCA", "英国", "A、B", "", ""],  # C dropped
                ["示例新证书", "Example New Certificate", "ENC", "Example Body", "", "A", "", ""],
            ],
        )
        res = import_annex(annex, "2.0")
        assert res.written
        assert res.diff.old == "1.0"
        assert "example_new_certificate" in res.diff.added
        assert "acca_member" in res.diff.removed
        assert ("acca_fellow", ("A", "B", "C"), ("A", "B")) in res.diff.changed
        v = toolkit.get_version("2.0")
        assert v.complete and v.imported["sha256"]
        assert {e.id for e in v.entries} == {"acca_fellow", "example_new_certificate"}
        # the id of a certificate already on the List is kept across versions
        hit = find_qualifications("FCCA", "2.0")[0]
        assert hit.status == "on_list" and hit.categories == ("A", "B")
        # on a complete version, a certificate that was on 1.0 and is absent now is "removed"
        gone = find_qualifications("ACCA membership", "2.0")[0]
        assert gone.entry_id == "acca_member" and gone.status == "removed"
        written = tmp_path / "bureau" / "list" / "v2.0.yaml"  # the bureau's folder, never the shipped one
        assert res.path == written and written.read_text(encoding="utf-8").startswith("# List 2.0: imported")
        assert (
            not (root / "list" / "v2.0.yaml").read_text(encoding="utf-8").startswith("# List 2.0: imported")
        )
        assert "imported" in v.origin("en") and "annex.csv" in v.origin("en")


def test_import_xlsx_with_english_headers(monkeypatch, tmp_path):
    with data_copy(monkeypatch, tmp_path):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(
            [
                "Chinese name",
                "English name",
                "Abbreviation",
                "Issuer",
                "Categories",
                "Title series",
                "Title level",
            ]
        )
        ws.append(["ACCA资深会员证书", "ACCA Fellow", "FCCA", "ACCA", "ABC", "会计", "副高级"])
        wb.save(tmp_path / "annex.xlsx")
        res = import_annex(tmp_path / "annex.xlsx", "3.0")
        e = toolkit.get_version("3.0").get("acca_fellow")
        assert e.c_series == ("accounting",) and e.c_level == "associate_senior"
        assert res.diff.old == "2.0"


def test_import_reports_every_bad_row_and_writes_nothing(monkeypatch, tmp_path):
    with data_copy(monkeypatch, tmp_path) as root:
        before = (root / "list" / "v2.0.yaml").read_bytes()
        annex = tmp_path / "annex.csv"
        _write_csv(
            annex,
            HEADER_ZH,
            [
                ["", "No Chinese Name", "", "Body", "", "A", "", ""],
                ["证书X", "Cert X", "", "Body", "", "A、Z", "", ""],
                ["证书Y", "Cert Y", "", "Body", "", "C", "", ""],
                ["证书Z", "Cert Z", "", "Body", "", "A", "", "高级"],
                ["证书W", "Cert W", "", "Body", "", "C", "航天", "中级"],
            ],
        )
        with pytest.raises(ListImportError) as info:
            import_annex(annex, "2.0")
        msg = str(info.value)
        for row, col in [(2, "name_zh"), (3, "categories"), (4, "c_level"), (5, "c_level"), (6, "c_series")]:
            assert f"row {row}, 列 column {col}" in msg, msg
        assert "'高级'" in msg and "only Category C" in msg  # row 5: both problems reported
        assert "6 problem(s)" in msg
        assert (root / "list" / "v2.0.yaml").read_bytes() == before


def test_import_missing_columns_names_them_and_accepted_headers(tmp_path):
    annex = tmp_path / "annex.csv"
    _write_csv(annex, ["证书名称（中文）", "类别"], [["x", "A"]])
    with pytest.raises(ListImportError, match=r"name_en: 证书名称（英文） / 英文名称.*issuer: 发证机构"):
        import_annex(annex, "2.0", dry_run=True)


def test_import_dry_run_and_unknown_version(monkeypatch, tmp_path):
    with data_copy(monkeypatch, tmp_path) as root:
        before = (root / "list" / "v3.0.yaml").read_bytes()
        annex = tmp_path / "annex.csv"
        _write_csv(annex, HEADER_ZH, [["示例", "Example", "", "Body", "", "A", "", ""]])
        res = import_annex(annex, "3.0", dry_run=True)
        assert not res.written and res.diff.added == ("example",)
        assert (root / "list" / "v3.0.yaml").read_bytes() == before
        with pytest.raises(ListImportError, match=r"versions\.yaml"):
            import_annex(annex, "9.9")


# --- Chinese names of issuers (data/list/aliases.yaml) ------------------------------------------------


def test_issuer_chinese_name_finds_the_entries_with_its_source():
    hits = find_qualifications("特许公认会计师", "1.0")
    assert {h.entry_id for h in hits[:2]} == {"acca_fellow", "acca_member"}
    top = hits[0]
    assert top.matched_on == "特许公认会计师公会" and top.score >= 0.6
    assert top.matched_source is not None and top.matched_source.basis.value == "S"
    assert "cicpa.org.cn" in (top.matched_source.url or "")
    informal = find_qualifications("国际注册会计师", "1.0")[0]
    assert informal.entry_id in ("acca_fellow", "acca_member") and informal.matched_source.basis.value == "I"
    # a name no source gives finds nothing through the aliases
    assert not [h for h in find_qualifications("特许金融分析师", "1.0") if h.matched_source is not None]


def test_an_imported_entry_gets_the_issuer_names_too(monkeypatch, tmp_path):
    with data_copy(monkeypatch, tmp_path):
        annex = tmp_path / "annex.csv"
        _write_csv(
            annex,
            HEADER_ZH,
            [["ACCA战略商业领袖证书", "ACCA Strategic Business Leader", "", "ACCA", "", "A", "", ""]],
        )
        import_annex(annex, "3.0", partial=True)
        hit = find_qualifications("特许公认会计师公会", "3.0")
        assert [h.entry_id for h in hit if h.status == "on_list"] == ["acca_strategic_business_leader"]


def test_cli_search_names_the_source_of_the_issuer_name(capsys):
    from toolkit.cli import main

    assert main(["list", "search", "特许公认会计师", "--version", "1.0"]) == 0
    out = capsys.readouterr().out
    assert "“特许公认会计师公会”是发证机构的名称 / is a name of the issuer: 中国注册会计师协会" in out


def test_aliases_file_is_strict(monkeypatch, tmp_path):
    from toolkit import PolicyDataError

    with data_copy(monkeypatch, tmp_path) as root:
        p = root / "list" / "aliases.yaml"
        p.write_text(p.read_text(encoding="utf-8").replace("    names:", "    nmes:", 1), encoding="utf-8")
        toolkit.policy.reload()
        with pytest.raises(PolicyDataError, match=r"aliases\.yaml"):
            find_qualifications("ACCA", "1.0")


def test_lookup_form_shows_the_issuer_name_and_its_source():
    from toolkit.dashboards.lookup import LookupForm

    f = LookupForm()
    f.version.value = "1.0"
    f.query.value = "特许公认会计师"
    assert f.matches and f.matches[0].entry.id in ("acca_fellow", "acca_member")
    assert "发证机构名称" in f.results.value and "特许公认会计师公会 — 中国注册会计师协会" in f.results.value


def test_a_version_registered_in_the_bureau_folder_is_imported_there(monkeypatch, tmp_path):
    with data_copy(monkeypatch, tmp_path) as root:
        own = tmp_path / "bureau" / "list"
        own.mkdir(parents=True)
        (own / "versions.yaml").write_text(
            '"4.0":\n  title_zh: 测试用版本\n  title_en: Test version\n  issued: 2026-11-01\n'
            "  in_force_from: 2026-11-15\n  doc: notice_3_0\n  categories: [A, B, C, D]\n",
            encoding="utf-8",
        )
        toolkit.policy.reload()
        with pytest.raises(toolkit.PolicyDataError, match=r"bureau/list/v4\.0\.yaml"):
            toolkit.get_version("4.0")  # registered, but no entries file yet: the strict loader says so
        (own / "v4.0.yaml").write_text(
            'version: "4.0"\ncomplete: false\nprovenance_zh: 待导入\nprovenance_en: to be imported\nentries: []\n',
            encoding="utf-8",
        )
        toolkit.policy.reload()
        annex = tmp_path / "annex.csv"
        _write_csv(annex, HEADER_ZH, [["示例", "Example", "", "Body", "", "D", "", ""]])
        res = import_annex(annex, "4.0")
        assert res.path == own / "v4.0.yaml" and res.diff.old == "3.0"
        v = toolkit.get_version("4.0")
        assert v.get("example").categories == ("D",) and "annex.csv" in v.origin("zh")
        assert "4.0" not in (root / "list" / "versions.yaml").read_text(encoding="utf-8")


def test_the_partial_notice_gives_the_list_size_once_and_names_the_administrator():
    from toolkit.rules import get_version

    v = get_version("1.0")
    zh, en = v.partial_notice("zh"), v.partial_notice("en")
    assert zh.count("85条") == 1 and "系统管理员" in zh
    assert en.count("85") == 1 and "system administrator" in en


def test_english_texts_read_as_english():
    import datetime as dt

    from toolkit import assess_title

    r = assess_title(
        degree="associate",
        series="accounting",
        relevant_years=1,
        shanghai_years=1,
        as_of=dt.date(2025, 12, 31),
    )
    texts = " ".join(f.en for f in r.findings)
    assert "An associate" in texts and "A associate" not in texts
    assert "1 year of relevant work" in texts  # the Shanghai minimum, in the singular
    assert "1 years" not in texts
