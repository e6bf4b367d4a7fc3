"""Helpers the benchmark scripts share: drawings to time, timing, and GUI-thread stalls.

Each script runs as ``python benchmarks/bench_x.py``; Python puts this folder first
on ``sys.path``, so ``from bench_common import ...`` needs no path edits.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from mnist_pad.pen_digits import in_pad_units, load_pen_digits

DIGITS = 20
WARM_UP = 20  # calls before timing: the first ones compile
HEARTBEAT_MS = 10  # the GUI-thread timer whose late ticks measure stalls


def pen_digits(path: Path, count: int) -> list[list[np.ndarray]]:
    """``count`` real pen digits, spread over the file."""
    digits = load_pen_digits(path)
    return [in_pad_units(digits.strokes(i)) for i in np.linspace(0, len(digits) - 1, count).astype(int)]


def synthetic_digits(count: int, seed: int = 0) -> list[list[np.ndarray]]:
    """Loops, hooks and bars sampled as densely as a mouse reports them."""
    rng = np.random.default_rng(seed)
    drawings = []
    for _ in range(count):
        t = np.linspace(0, 2 * np.pi * rng.uniform(0.6, 1.6), int(rng.integers(40, 160)))
        loop = np.stack([np.sin(t) * rng.uniform(0.3, 1), -np.cos(t * rng.uniform(0.5, 1.5))], 1)
        strokes = [loop + rng.normal(0, 0.01, loop.shape)]
        if rng.random() < 0.5:  # a second stroke, as in 4, 5 or 7
            ends = [[-0.6, rng.uniform(-1, 1)], [0.6, rng.uniform(-1, 1)]]
            bar = np.linspace(*ends, int(rng.integers(10, 40)))
            strokes.append(bar)
        drawings.append(in_pad_units(strokes))
    return drawings


def growing(drawing: list[np.ndarray]) -> list[list[np.ndarray]]:
    """The drawing as the worker sees it while it is drawn: every 4th point of the way."""
    prefixes = []
    for index, stroke in enumerate(drawing):
        for end in range(1, len(stroke) + 1, 4):
            prefixes.append(drawing[:index] + [stroke[:end]])
    return prefixes


def timed_ms(call, inputs) -> np.ndarray:
    times = []
    for item in inputs:
        start = time.perf_counter()
        call(item)
        times.append(time.perf_counter() - start)
    return np.array(times) * 1000


def stall_figures(tick_times: list[float]) -> dict:
    gaps_ms = np.diff(np.asarray(tick_times)) * 1000.0
    stalls = np.maximum(gaps_ms - HEARTBEAT_MS, 0.0)
    return {
        "max_stall_ms": round(float(stalls.max()), 1),
        "p99_stall_ms": round(float(np.percentile(stalls, 99)), 1),
        "p50_gap_ms": round(float(np.percentile(gaps_ms, 50)), 1),
        "ticks": int(len(gaps_ms) + 1),
    }
