"""The certificate match in assess_case is cached per distinct text (intake sheets repeat certificates)."""

from __future__ import annotations

import datetime as dt

import toolkit.rules.case as case_mod
from toolkit.policy import reload
from toolkit.rules import CaseInput, assess_case

AS_OF = dt.date(2025, 12, 1)


def test_repeated_certificate_is_searched_once(monkeypatch):
    calls: list[str] = []
    real = case_mod.find_qualifications

    def counting(text, *args, **kwargs):
        calls.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(case_mod, "find_qualifications", counting)
    reload()
    try:
        for i in range(5):
            r = assess_case(
                CaseInput(application_id=str(i), qualifications=("FCCA", "ACM Fellow")), AS_OF, "1.0"
            )
            assert r.categories == ("A", "B", "C")
        assert sorted(calls) == ["ACM Fellow", "FCCA"]
        reload()  # a policy reload forgets the cache
        assess_case(CaseInput(qualifications=("FCCA",)), AS_OF, "1.0")
        assert calls.count("FCCA") == 2
    finally:
        reload()
