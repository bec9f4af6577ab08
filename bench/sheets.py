"""Synthetic intake sheets of any size for the benchmarks (made-up applicants, real List entries)."""

from __future__ import annotations

import datetime as dt
import random
import time
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from toolkit.intake import COLUMNS

CERTS = ["FCCA", "ACCA资深会员证书", "CGMA持证人（资深会员）", "IET Fellow", "ACCA", "CFA", "ACM Fellow"]
DEGREES = ["博士", "硕士", "第二学士", "学士", "大专"]
SERIES = ["会计", "经济", "工程"]


def make_sheet(path: Path, n_rows: int, seed: int = 7) -> Path:
    """Write an intake workbook with ``n_rows`` applicants (write-only openpyxl: fast, low memory)."""
    rnd = random.Random(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("申请人")
    keys = [c.key for c in COLUMNS]
    ws.append([c.zh for c in COLUMNS])
    base = dt.date(2010, 1, 1)
    for i in range(n_rows):
        rel = base + dt.timedelta(days=rnd.randrange(0, 5000))
        sh = max(rel, dt.date(2021, 1, 1)) + dt.timedelta(days=rnd.randrange(0, 1500))
        values = {
            "application_id": f"B{i:07d}",
            "full_name": f"测试{i}",
            "holder_type": rnd.choice(["外籍人员", "港澳居民", "台湾居民", "内地（大陆）居民"]),
            "shanghai_hukou": rnd.choice(["是", "否"]),
            "date_of_birth": dt.date(
                1970 + rnd.randrange(0, 30), 1 + rnd.randrange(12), 1 + rnd.randrange(28)
            ),
            "qualifications": rnd.choice(CERTS),
            "verified": rnd.choice(["是", "是", "是", "否"]),
            "degree": rnd.choice(DEGREES),
            "science_or_engineering_degree": rnd.choice(["是", "否"]),
            "title_series": rnd.choice(SERIES),
            "relevant_since": rel,
            "shanghai_since": sh,
            "employer": f"示例公司{i % 50}",
            "employer_type": rnd.choice(["企业", "企业", "事业单位", "社会组织"]),
            "recommended_by_authority": rnd.choice(["是", "否"]),
            "previous_round": "否",
            "publicity_start": dt.date(2025, 9, 1) + dt.timedelta(days=rnd.randrange(0, 90)),
        }
        ws.append([values.get(k) for k in keys])
    wb.save(path)
    return path


def bare_read_write(path: Path, out: Path) -> float:
    """The baseline: read the sheet with pandas + calamine and write it as CSV; seconds taken."""
    t0 = time.perf_counter()
    df = pd.read_excel(path, engine="calamine", dtype=str)
    df.to_csv(out / "bare.csv", index=False, encoding="utf-8-sig")
    return time.perf_counter() - t0
