"""Invariants derived from the law: more years or a higher degree never lowers the result."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit import Outcome, assess_title
from toolkit.vocab import LEVEL_ORDER

DEGREE_ORDER = ["none", "associate", "bachelor", "second_bachelor", "master", "doctorate"]
RANK = {None: -1, **{lvl: i for i, lvl in enumerate(LEVEL_ORDER)}}
years = st.floats(min_value=0, max_value=40, allow_nan=False)
series = st.sampled_from(["accounting", "economics", "engineering"])


def _assess(degree, relevant, shanghai, s, sci):
    return assess_title(
        degree=degree,
        series=s,
        relevant_years=relevant,
        shanghai_years=shanghai,
        science_or_engineering_degree=sci,
        employer_type="enterprise",
    )


@settings(max_examples=300, deadline=None)  # no timed assertion: a loaded machine stalls one example
@given(st.sampled_from(DEGREE_ORDER), years, years, years, series, st.booleans())
def test_more_years_never_lowers_the_result(degree, a, b, shanghai, s, sci):
    lo, hi = sorted((a, b))
    assert (
        RANK[_assess(degree, lo, shanghai, s, sci).highest]
        <= RANK[_assess(degree, hi, shanghai, s, sci).highest]
    )


@settings(max_examples=300, deadline=None)  # no timed assertion: a loaded machine stalls one example
@given(
    st.integers(0, len(DEGREE_ORDER) - 1),
    st.integers(0, len(DEGREE_ORDER) - 1),
    years,
    years,
    series,
    st.booleans(),
)
def test_higher_degree_never_lowers_the_result(i, j, relevant, shanghai, s, sci):
    lo, hi = sorted((i, j))
    r_lo = _assess(DEGREE_ORDER[lo], relevant, shanghai, s, sci)
    r_hi = _assess(DEGREE_ORDER[hi], relevant, shanghai, s, sci)
    assert RANK[r_lo.highest] <= RANK[r_hi.highest]


@settings(max_examples=300, deadline=None)  # no timed assertion: a loaded machine stalls one example
@given(st.sampled_from(DEGREE_ORDER), years, years, series, st.one_of(st.none(), st.booleans()))
def test_every_answer_carries_the_findings_that_explain_it(degree, relevant, shanghai, s, sci):
    r = _assess(degree, relevant, shanghai, s, sci)
    assert list(r.eligible) == list(LEVEL_ORDER[: len(r.eligible)])  # lowest first, no gaps
    for level in LEVEL_ORDER:
        level_findings = [f for f in r.findings if f.code.startswith(f"{level}_threshold")]
        assert len(level_findings) == 1
        if level in r.eligible:
            assert level_findings[0].outcome is Outcome.PASS
    if r.highest is None:  # a "no" is explained by a failed or missing finding
        assert any(f.outcome in (Outcome.FAIL, Outcome.MISSING) for f in r.findings)
    for f in r.findings:
        assert f.zh and f.en
        if f.outcome is not Outcome.INFO and not f.code.startswith("requested"):
            assert f.source is not None, f.code
