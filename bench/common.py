"""Timing helpers shared by the benchmarks: medians with min–max, ratios against a baseline
measured in the same process (never absolute thresholds)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Timing:
    name: str
    samples: list[float]  # seconds per unit (call, row, run)
    unit: str = "s"

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def fmt(self, scale: float = 1.0, unit: str | None = None) -> str:
        u = unit or self.unit
        return f"{self.median * scale:.3g} {u} (min {min(self.samples) * scale:.3g} – max {max(self.samples) * scale:.3g})"


def measure(fn: Callable[[], Any], *, repeat: int = 5, number: int = 1, name: str = "") -> Timing:
    """Run ``fn`` ``number`` times per sample, ``repeat`` samples; seconds per call."""
    fn()  # warm-up
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - t0) / number)
    return Timing(name, samples)


def ratio(t: Timing, baseline: Timing) -> float:
    return t.median / baseline.median if baseline.median else float("inf")


def row(label: str, t: Timing, baseline: Timing | None, scale: float = 1.0, unit: str = "s") -> list[str]:
    return [label, t.fmt(scale, unit), f"{ratio(t, baseline):.2f}×" if baseline else "1.00× (baseline)"]
