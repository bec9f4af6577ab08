"""Rules: assessments per second, against a bare threshold lookup (the irreducible computation)."""

from __future__ import annotations

import datetime as dt
import itertools

import toolkit
from toolkit.policy import parameter

from .common import measure, row

AS_OF = dt.date(2025, 12, 31)
DEGREES = ["doctorate", "master", "second_bachelor", "bachelor", "associate"]


def run(n: int = 2000) -> dict:
    cases = list(itertools.islice(itertools.cycle(itertools.product(DEGREES, range(0, 12))), n))
    thresholds = parameter("title_thresholds").at(AS_OF)

    def bare() -> None:  # dict look-ups only: what any implementation must do
        for degree, years in cases:
            for level in ("associate_senior", "intermediate", "junior"):
                need = thresholds[level].get(degree)
                if need is not None and years >= need:
                    break

    def titles() -> None:
        for degree, years in cases:
            toolkit.assess_title(
                degree=degree,
                series="accounting",
                relevant_years=years,
                shanghai_years=2,
                as_of=AS_OF,
                employer_type="enterprise",
            )

    case = toolkit.CaseInput(
        holder_type="foreign_national",
        shanghai_hukou=False,
        qualifications=("FCCA",),
        verified=True,
        degree="master",
        title_series="accounting",
        relevant_years=8,
        shanghai_years=2,
        employer_type="enterprise",
    )

    def cases_fn() -> None:
        for _ in range(n // 4):
            toolkit.assess_case(case, as_of=AS_OF, list_version="1.0")

    b = measure(bare, repeat=5, name="bare")
    t = measure(titles, repeat=5, name="assess_title")
    c = measure(cases_fn, repeat=5, name="assess_case")
    per = {k: v for k, v in (("bare", b), ("assess_title", t))}
    for v in per.values():
        v.samples = [s / n for s in v.samples]
    c.samples = [s / (n // 4) for s in c.samples]
    rows = [
        row("bare threshold look-up (baseline)", b, None, 1e6, "µs/case"),
        row("assess_title (findings, sources)", t, b, 1e6, "µs/case"),
        row("assess_case (search, services, title)", c, b, 1e6, "µs/case"),
    ]
    return {
        "title": "Rules",
        "rows": rows,
        "summary": f"{1 / t.median:,.0f} title assessments/s; {1 / c.median:,.0f} case assessments/s",
    }
