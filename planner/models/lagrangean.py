"""Lagrangean bound, reduced-cost fixing and probing for the uncapacitated p-median.

Relaxing "every demand point is assigned once" leaves a problem solved by
sorting; subgradient steps on its multipliers give a lower bound
(:func:`lagrangean_fixing`, Beasley 1985 style).  With an incumbent in hand
the bound closes the free sites no better solution opens
(:func:`closed_by_bound`), and probing -- the relaxation re-solved with each
remaining site forced open -- closes more (:func:`probe_sites`).  The
p-median driver (:mod:`.pmedian`) then builds its radius model on what is left.
"""
from __future__ import annotations

import time

import numpy as np

from .control import poll

__all__ = ["lagrangean_fixing", "probe_sites", "closed_by_bound"]


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


def probe_sites(d: np.ndarray, unreachable: np.ndarray, w: np.ndarray, base: np.ndarray,
                lam0: np.ndarray, *, closed: np.ndarray, keep: np.ndarray, rho: np.ndarray,
                k: int, ub: float, deadline: float, iters: int = 60,
                rounds: int = 3, step0: float = 2.0, patience: int = 5,
                overshoot: float = 5e-3) -> np.ndarray:
    """Free sites that no solution better than ``ub`` opens, by probing.

    For each site ``j`` still open (not ``closed``, not ``keep``) the
    Lagrangean relaxation over the open sites is solved again with ``y_j = 1``
    forced: ``sum(lam) + fixed part + rho_j + (k - 1 smallest other rho)``,
    subgradient steps from ``lam0`` towards the target ``ub``.  Every value it
    reaches is a lower bound on any solution opening ``j`` (and avoiding the
    closed sites, which no improving solution opens); above ``ub`` plus a
    clear margin the site is closed.  Rounds repeat while sites close, as the
    relaxation over fewer sites is tighter.

    Returns the newly closed sites as a boolean mask over the free columns.
    """
    out = np.zeros(d.shape[1], dtype=bool)
    fixed_c = np.where(np.isfinite(base), w * base, np.inf)
    margin = 1e-7 * max(1.0, abs(ub))
    for _ in range(rounds):
        alive = np.flatnonzero(~closed & ~out)
        if alive.size <= k:
            break
        c = np.where(unreachable[:, alive], np.inf, w[:, None] * d[:, alive])
        todo = np.flatnonzero(~keep[alive])
        todo = todo[np.argsort(-rho[alive[todo]], kind="stable")]
        found = False
        for jj in todo:
            if time.perf_counter() > deadline:
                return out
            lam = lam0.copy()
            best, step, stall = -np.inf, step0, 0
            for _it in range(iters):
                if poll("bound"):
                    return out        # the sites closed so far are proven
                red = np.minimum(0.0, c - lam[:, None])
                r = red.sum(axis=0)
                fixed_red = np.minimum(0.0, fixed_c - lam)
                if k > 1:
                    rr = r.copy()
                    rr[jj] = np.inf
                    ch = np.append(np.argpartition(rr, k - 2)[:k - 1], jj)
                else:
                    ch = np.array([jj])
                value = float(lam.sum() + fixed_red.sum() + r[ch].sum())
                if value > best + 1e-9 * max(1.0, abs(best) if np.isfinite(best) else 1.0):
                    best, stall = value, 0
                else:
                    stall += 1
                    if stall >= patience:
                        step, stall = step / 2.0, 0
                if best > ub + margin or step < 1e-3:
                    break
                g = 1.0 - (red[:, ch] < 0).sum(axis=1) - (fixed_red < 0)
                gg = float(g @ g)
                if gg == 0:
                    break
                lam = lam + step * max(ub + overshoot * abs(ub) - value, margin) / gg * g
            if best > ub + margin:
                out[alive[jj]] = True
                found = True
        if not found:
            break
    return out


def closed_by_bound(rho: np.ndarray, bound: float, *, k: int, ub: float) -> np.ndarray:
    """Free sites whose forced opening lifts the Lagrangean bound above ``ub``."""
    kth = np.partition(rho, k - 1)[k - 1]
    inset = np.zeros(rho.size, dtype=bool)
    inset[np.argpartition(rho, k - 1)[:k]] = True
    # Margin: a site is closed only when its bound beats ub by a clear
    # relative tolerance, so float round-off never cuts the optimum away.
    return ~inset & (bound + rho - kth > ub + 1e-7 * max(1.0, abs(ub)))
