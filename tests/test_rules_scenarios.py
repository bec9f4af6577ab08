"""Scenario tests kept as data (tests/scenarios/*.yaml): one sentence-named case per line of policy."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from toolkit import Outcome, PolicyDataError, assess_title

SCENARIOS = yaml.safe_load((Path(__file__).parent / "scenarios" / "titles.yaml").read_text(encoding="utf-8"))


def _date(v):
    return dt.date.fromisoformat(v) if isinstance(v, str) else v


@pytest.mark.parametrize("case", SCENARIOS["cases"], ids=[c["name"] for c in SCENARIOS["cases"]])
def test_title_scenario(case):
    kwargs = {**SCENARIOS["defaults"], **case["inputs"]}
    expect = case["expect"]
    if "error" in expect:
        with pytest.raises(PolicyDataError, match=expect["error"]):
            assess_title(**kwargs)
        return
    result = assess_title(**kwargs)
    assert result.highest == expect["highest"]
    if "eligible" in expect:
        assert list(result.eligible) == expect["eligible"]
    codes = {f.code for f in result.findings}
    for code in expect.get("codes", []):
        assert code in codes, f"{code} not among {sorted(codes)}"
    if "eligible_from" in expect:
        assert {k: _date(v) for k, v in expect["eligible_from"].items()} == {
            k: v for k, v in result.eligible_from.items() if k in expect["eligible_from"]
        }
    if "title_zh" in expect:
        assert result.title_zh == expect["title_zh"]
    # every answer carries the findings that explain it
    assert result.findings
    for level in result.eligible:
        assert any(f.code == f"{level}_threshold_met" and f.outcome is Outcome.PASS for f in result.findings)


def test_scenarios_cover_both_sides_of_every_threshold():
    """Each (degree, level) threshold with years > 0 has a case at it and a case just below it."""
    from toolkit.policy import parameter

    thresholds = parameter("title_thresholds").at(dt.date(2025, 12, 31))
    seen = {(c["inputs"].get("degree"), c["inputs"].get("relevant_years")) for c in SCENARIOS["cases"]}
    for level, by_degree in thresholds.items():
        for degree, years in by_degree.items():
            if years == 0 or degree == "second_bachelor":
                continue
            assert (degree, years) in seen, f"no case at {degree} {years} ({level})"
            assert any(d == degree and y is not None and years - 1 <= y < years for d, y in seen), (
                f"no case below {degree} {years}"
            )


# --- whole applications, services and publicity, kept as data too ---------------------------


def _load(name):
    return yaml.safe_load((Path(__file__).parent / "scenarios" / name).read_text(encoding="utf-8"))


CASES = _load("cases.yaml")
_CASE_ARGS = ("as_of", "list_version")


def _case_input(fields):
    from toolkit import CaseInput

    fields = dict(fields)
    for key in ("qualifications", "certificate_numbers"):
        if key in fields:
            fields[key] = tuple(fields[key])
    if "basic_requirements" in fields:
        fields["basic_requirements"] = tuple((code, tick) for code, tick in fields["basic_requirements"])
    for key, value in fields.items():
        if key.endswith("_since") or key in ("date_of_birth", "publicity_start", "publicity_end"):
            fields[key] = _date(value)
    return CaseInput(**fields)


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["name"] for c in CASES["cases"]])
def test_case_scenario(case):
    from toolkit import assess_case

    merged = {**CASES["defaults"], **case["inputs"]}
    for key in _CASE_ARGS:
        if key in case:
            merged[key] = case[key]
    as_of, version = _date(merged.pop("as_of")), merged.pop("list_version")
    if version == "to_use":  # the version list_version_to_use gives for the date, as the forms pass it
        from toolkit import list_version_to_use

        version = list_version_to_use(as_of)
    result = assess_case(_case_input(merged), as_of=as_of, list_version=version)
    expect = case["expect"]
    found = {f.code: f for f in result.all_findings()}
    if "status" in expect:
        assert result.status == expect["status"], [f.code for f in result.decisive]
    for code in expect.get("codes", []):
        assert code in found, f"{code} not among {sorted(found)}"
    for code in expect.get("absent", []):
        assert code not in found, f"{code} present"
    for code, outcome in expect.get("outcomes", {}).items():
        assert code in found, f"{code} not among {sorted(found)}"
        assert found[code].outcome.value == outcome
    for code, basis in expect.get("basis", {}).items():
        assert found[code].source is not None and found[code].source.basis.value == basis, code
    for lang in ("zh", "en"):
        for code, text in expect.get(f"{lang}_has", {}).items():
            assert code in found, f"{code} not among {sorted(found)}"
            assert text in found[code].text(lang), found[code].text(lang)
        for text in expect.get(f"{lang}_lacks", []):
            assert all(text not in f.text(lang) for f in found.values()), text
    if "eligible_from" in expect:
        assert result.title is not None
        assert result.title.eligible_from == {k: _date(v) for k, v in expect["eligible_from"].items()}


SERVICES = _load("services.yaml")


@pytest.mark.parametrize("case", SERVICES["cases"], ids=[c["name"] for c in SERVICES["cases"]])
def test_services_scenario(case):
    from toolkit.rules import services_for

    kw = {**SERVICES["defaults"], **case["inputs"]}
    got = {
        s.code: s
        for s in services_for(
            kw.pop("categories"), kw.pop("holder"), kw.pop("shanghai_hukou"), on=_date(kw.pop("date")), **kw
        )
    }
    expect = case["expect"]
    for code in expect.get("has", []):
        assert code in got, f"{code} not among {sorted(got)}"
    for code in expect.get("lacks", []):
        assert code not in got, code
    for code, text in expect.get("zh_has", {}).items():
        assert text in got[code].zh
    for code, text in expect.get("en_has", {}).items():
        assert text in got[code].en
    for code, text in expect.get("zh_lacks", {}).items():
        assert text not in got[code].zh


PUBLICITY = _load("publicity.yaml")


@pytest.mark.parametrize("case", PUBLICITY["cases"], ids=[c["name"] for c in PUBLICITY["cases"]])
def test_publicity_scenario(case):
    from toolkit.rules import publicity

    start = _date(case["inputs"]["start"])
    expect = case["expect"]
    if "end" in case["inputs"]:
        chk = publicity.check_publicity(start, _date(case["inputs"]["end"]))
        assert (chk.ok, chk.counted, chk.shortfall) == (expect["ok"], expect["counted"], expect["shortfall"])
    else:
        assert publicity.publicity_end_date(start) == _date(expect["end"])
