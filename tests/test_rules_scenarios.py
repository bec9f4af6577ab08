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
