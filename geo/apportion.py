"""Integer apportionment that keeps totals exact.

Census totals are facts: every derived integer table must sum back to them.
"""
from __future__ import annotations

import numpy as np


def apportion(total: int, weights) -> np.ndarray:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder).

    The result sums to ``total`` exactly; each share is the floor or the ceiling
    of its exact quota, so a share never exceeds an integer weight whenever
    ``total`` does not exceed the weights' sum. Ties go to the earlier index,
    which keeps the result deterministic.

    Parameters
    ----------
    total : int
        Non-negative integer to split.
    weights : array-like of float
        Non-negative weights, not all zero when ``total > 0``.
    """
    w = np.asarray(weights, dtype=float)
    if total < 0 or (w < 0).any():
        raise ValueError("total and weights must be non-negative")
    if total == 0:
        return np.zeros(len(w), dtype=np.int64)
    if w.sum() <= 0:
        raise ValueError("cannot apportion a positive total over zero weights")
    quota = total * w / w.sum()
    base = np.floor(quota).astype(np.int64)
    short = int(total - base.sum())
    # stable sort on -remainder: equal remainders keep index order
    order = np.argsort(-(quota - base), kind="stable")
    base[order[:short]] += 1
    return base
