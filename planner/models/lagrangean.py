"""Lagrangean bound, reduced-cost fixing and probing for the uncapacitated p-median.

Relaxing "every demand point is assigned once" leaves a problem solved by
sorting; subgradient steps on its multipliers give a lower bound
(:func:`lagrangean_fixing`, Beasley 1985 style).  With an incumbent in hand
the bound closes the free sites no better solution opens
(:func:`closed_by_bound`).  Probing and the branch and bound on what is left
are compiled (:mod:`.median_tree`); the p-median driver (:mod:`.pmedian`)
falls back to its radius model where the tree does not finish.
"""
from __future__ import annotations

import time

import numpy as np

from .control import poll

__all__ = ["lagrangean_fixing", "closed_by_bound"]


def lagrangean_fixing(d: np.ndarray, unreachable: np.ndarray, w: np.ndarray, base: np.ndarray,
                      *, k: int, ub: float, deadline: float, max_iter: int = 1500,
                      lam0: np.ndarray | None = None, with_lam: bool = False):
    """Lagrangean lower bound and the free sites it proves useless (Beasley 1985 style).

    Relaxing "every demand point is assigned once" with multipliers ``lam``
    leaves ``sum(lam) + sum_i min(0, w_i f_i - lam_i) + (k smallest rho_j)``
    with ``rho_j = sum_i min(0, w_i d_ij - lam_i)``; subgradient steps raise
    it.  Forcing a site outside the chosen k open costs at least
    ``rho_j - rho_(k)`` more, so when ``bound + rho_j - rho_(k) > ub`` no
    solution better than the incumbent opens it and the site is closed.

    Returns
    -------
    bound : float
        Best Lagrangean lower bound found.
    rho : ndarray
        Reduced cost of every free column at the best multipliers (see
        :func:`closed_by_bound`); its k smallest are the relaxation's choice.
    """
    c = np.where(unreachable, np.inf, w[:, None] * d)
    fixed_c = np.where(np.isfinite(base), w * base, np.inf)
    srt = np.sort(np.where(np.isfinite(c), c, np.inf), axis=1)
    lam = np.minimum(srt[:, min(1, c.shape[1] - 1)], fixed_c)
    lam = np.where(np.isfinite(lam), lam, np.minimum(srt[:, 0], fixed_c))
    if lam0 is not None:
        lam = np.asarray(lam0, dtype=np.float64).copy()
    best, best_lam = -np.inf, lam.copy()
    step, stall = 2.0, 0
    for _ in range(max_iter):
        red = np.minimum(0.0, c - lam[:, None])
        rho = red.sum(axis=0)
        chosen = np.argpartition(rho, k - 1)[:k]
        fixed_red = np.minimum(0.0, fixed_c - lam)
        value = float(lam.sum() + fixed_red.sum() + rho[chosen].sum())
        if not np.isfinite(best) or value > best + 1e-9 * max(1.0, abs(best)):
            best, best_lam, stall = value, lam.copy(), 0
        else:
            stall += 1
            if stall >= 30:      # halve the step when the bound stalls
                step, stall = step / 2.0, 0
        if (step < 1e-4 or ub - best <= 1e-9 * max(1.0, abs(ub)) or time.perf_counter() > deadline
                or poll("bound")):
            break
        g = 1.0 - (red[:, chosen] < 0).sum(axis=1) - (fixed_red < 0)
        gg = float(g @ g)
        if gg == 0:
            break            # the relaxed solution is feasible: the bound is optimal
        lam = lam + step * max(ub - value, 1e-9 * max(1.0, abs(ub))) / gg * g
    rho = np.minimum(0.0, c - best_lam[:, None]).sum(axis=0)
    if with_lam:
        return best, rho, best_lam
    return best, rho


def closed_by_bound(rho: np.ndarray, bound: float, *, k: int, ub: float) -> np.ndarray:
    """Free sites whose forced opening lifts the Lagrangean bound above ``ub``."""
    kth = np.partition(rho, k - 1)[k - 1]
    inset = np.zeros(rho.size, dtype=bool)
    inset[np.argpartition(rho, k - 1)[:k]] = True
    # Margin: a site is closed only when its bound beats ub by a clear
    # relative tolerance, so float round-off never cuts the optimum away.
    return ~inset & (bound + rho - kth > ub + 1e-7 * max(1.0, abs(ub)))
