"""Lagrangean branch and bound for the uncapacitated p-median (compiled node bounds).

Why: on OR-Library pmed36 (n = 800, p = 10) the linear relaxation sits 1 %
below the optimum.  HiGHS closes that gap on the reduced radius model, but
each of its nodes re-solves a degenerate LP of about 10,000 rows (0.2 s a
node, 8 s for the root), so the proof took 40-60 s.  The Lagrangean
relaxation of the assignment rows has the same bound as that LP (the
subproblem has the integrality property) and is solved by sorting, so a tree
whose nodes are bounded by it -- Beasley's (1993) scheme -- needs the same
order of nodes at a small fraction of the cost per node.

Each node fixes some sites open and some closed.  Its bound::

    L(lam) = sum(lam) + sum_i min(0, f_i - lam_i) + sum(rho_j, j forced open)
             + (the k - #open smallest rho_j of the free sites)
    rho_j  = sum_i min(0, c_ij - lam_i)

(``f_i`` the cost to the nearest always-open site) is raised by subgradient
steps from the parent's multipliers (:func:`node_bound`, compiled with numba:
a node is a few milliseconds).  Then, against the incumbent:

* a free site outside the relaxation's choice whose forced opening lifts the
  bound past the cut-off is closed, one inside it whose closing does is
  forced open (reduced-cost fixing, repeated while it changes something);
* the relaxation's sites are a solution: its true cost may improve the
  incumbent;
* otherwise the node branches on the free site whose membership in the
  relaxation's choice was least settled over the last steps (an estimate of
  the most fractional ``y_j``), open first.

:func:`probe` is the same bound with one site forced open, used to close
sites before the tree (or before a MIP).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from .jit import cached_njit

from .control import poll

__all__ = ["node_bound", "probe", "branch_and_bound", "TreeOutcome", "warm_up"]

#: Subgradient steps per node at most, and steps without improvement before
#: the step length is halved.
NODE_ITERATIONS = 60
PATIENCE = 5
#: Target of the step length above the cut-off, relative: aiming just past it
#: makes a node that can be pruned reach the cut-off in fewer steps.
OVERSHOOT = 2e-3
#: Bound re-optimisations of a node after reduced-cost fixing changed it (its
#: children start from its fixings either way).
REFIX = 1
#: First step length (Polyak factor) at the root and below it: a child starts
#: from its parent's multipliers, already close to its own.
ROOT_STEP = 1.0
CHILD_STEP = 2.0


@cached_njit
def node_bound(cs, cj, fixed_c, state, lam, k, target, cutoff, max_iter, patience, step0):
    """Subgradient on one node; ``lam`` is updated in place to the best multipliers.

    ``cs`` (n, m) holds each point's costs to the sites in increasing order
    and ``cj`` the sites they belong to (``inf`` cost: not allowed): with
    multipliers near their optimum only a point's few cheapest sites have
    ``c_ij < lam_i``, so each step reads those alone (about 15 times fewer
    entries than the whole matrix on pmed36).  ``fixed_c`` (n,) is the
    weighted cost to the nearest always-open site (``inf``: none), ``state``
    (m,) int8: 1 forced open, 0 free, -1 closed; ``k`` sites are opened in
    all.  Stops once the bound passes ``cutoff``.

    Returns ``(bound, rho, chosen, freq, iterations, feasible)``: the best
    bound, every site's ``rho`` at the best multipliers (``inf`` for closed
    sites), the relaxation's open sites there (bool mask), a moving average of
    how often each site was chosen, the steps taken, and whether the
    relaxation's solution was feasible (then its bound is its exact cost).
    """
    n, m = cs.shape
    rho = np.empty(m)
    best_rho = np.full(m, np.inf)
    best_set = np.zeros(m, dtype=np.bool_)
    chosen = np.zeros(m, dtype=np.bool_)
    freq = np.zeros(m)
    best_lam = lam.copy()
    g = np.empty(n)
    best = -np.inf
    step = step0
    stall = 0
    n_open = 0
    for j in range(m):
        if state[j] > 0:
            n_open += 1
    r = k - n_open
    free = np.flatnonzero(state == 0)
    feasible = False
    it = 0
    while it < max_iter:
        it += 1
        rho[:] = 0.0
        value = 0.0
        for i in range(n):
            li = lam[i]
            value += li
            v = fixed_c[i] - li
            if v < 0.0:
                value += v
            for t in range(m):
                v = cs[i, t] - li
                if v >= 0.0:
                    break
                rho[cj[i, t]] += v
        chosen[:] = False
        for j in range(m):
            if state[j] < 0:
                rho[j] = np.inf
            elif state[j] > 0:
                chosen[j] = True
                value += rho[j]
        if r > 0:
            order = np.argsort(rho[free], kind="mergesort")
            for t in range(min(r, free.size)):
                chosen[free[order[t]]] = True
                value += rho[free[order[t]]]
        for j in range(m):
            freq[j] = 0.8 * freq[j] + (0.2 if chosen[j] else 0.0)
        if it == 1 or value > best + 1e-12 * max(1.0, abs(best)):
            best = value
            best_lam[:] = lam
            best_rho[:] = rho
            best_set[:] = chosen
            stall = 0
        else:
            stall += 1
            if stall >= patience:
                step *= 0.5
                stall = 0
        if best > cutoff or step < 1e-5:
            break
        # Subgradient of the relaxed rows "each point served once".
        gg = 0.0
        for i in range(n):
            li = lam[i]
            cnt = 0.0 if fixed_c[i] < li else 1.0
            for t in range(m):
                if cs[i, t] >= li:
                    break
                if chosen[cj[i, t]]:
                    cnt -= 1.0
            g[i] = cnt
            gg += cnt * cnt
        if gg == 0.0:
            # Every point served once: the relaxation's solution is feasible
            # and its value is its cost, the node's optimum.
            feasible = True
            best = max(best, value)
            best_set[:] = chosen
            break
        tt = step * max(target - value, 1e-9 * max(1.0, abs(target))) / gg
        for i in range(n):
            lam[i] += tt * g[i]
    lam[:] = best_lam
    return best, best_rho, best_set, freq, it, feasible


def sorted_costs(c: np.ndarray):
    """Each row's costs in increasing order and their columns (the layout :func:`node_bound` reads)."""
    cj = np.argsort(c, axis=1, kind="stable")
    cs = np.take_along_axis(c, cj, axis=1)
    return np.ascontiguousarray(cs, dtype=np.float64), np.ascontiguousarray(cj, dtype=np.int64)


def _cutoff(ub: float, integral: bool, gap: float = 0.0) -> float:
    """Bounds above this prove that no solution beats ``ub`` (by more than ``gap``, relative)."""
    if not np.isfinite(ub):
        return np.inf
    if integral:
        # Whole-number objective: a better solution is at least 1 better.
        cut = ub - 1.0 + 1e-6 * max(1.0, abs(ub)) ** 0.5
    else:
        cut = ub - 1e-9 * max(1.0, abs(ub))
    return min(cut, ub - gap * abs(ub)) if gap > 0 else cut


def probe(c: np.ndarray, fixed_c: np.ndarray, lam0: np.ndarray, *, k: int, alive: np.ndarray,
          keep: np.ndarray, order: np.ndarray, ub: float, integral: bool, deadline: float,
          iterations: int = 60) -> np.ndarray:
    """Sites (mask over ``c``'s columns) whose forced opening lifts the bound past the cut-off.

    Only ``alive`` sites take part; ``keep`` ones are never probed; ``order``
    is the order to try them in.  Stops at ``deadline`` with what it proved.
    """
    out = np.zeros(c.shape[1], dtype=bool)
    cutoff = _cutoff(ub, integral)
    target = cutoff + OVERSHOOT * max(1.0, abs(cutoff))
    idx = np.flatnonzero(alive)
    pos = np.full(c.shape[1], -1)
    pos[idx] = np.arange(idx.size)
    cs, cj = sorted_costs(c[:, idx])
    fixed_c = np.ascontiguousarray(fixed_c, dtype=np.float64)
    st = np.zeros(idx.size, dtype=np.int8)
    for j in order:
        if not alive[j] or keep[j]:
            continue
        if time.perf_counter() > deadline or poll("bound"):
            break
        jj = pos[j]
        st[jj] = 1
        lam = np.array(lam0, dtype=np.float64)
        bound = node_bound(cs, cj, fixed_c, st, lam, k, target, cutoff, iterations, 5, 1.0)[0]
        # A site proven useless stays closed for the probes that follow (the
        # relaxation over fewer sites is tighter).
        st[jj] = -1 if bound > cutoff else 0
        out[j] = bound > cutoff
    return out


@dataclass
class TreeOutcome:
    proven: bool                 # the tree was searched to the end
    value: float                 # best solution's cost (inf: none)
    sites: np.ndarray | None     # its open columns
    bound: float                 # proven lower bound
    nodes: int
    steps: int = 0               # subgradient steps in all


def _true_cost(c: np.ndarray, fixed_c: np.ndarray, sites: np.ndarray) -> float:
    cost = np.minimum(fixed_c, c[:, sites].min(axis=1)) if sites.size else fixed_c
    return float(cost.sum())


def branch_and_bound(c: np.ndarray, fixed_c: np.ndarray, *, k: int, closed: np.ndarray,
                     lam0: np.ndarray, ub: float, ub_sites: np.ndarray | None, integral: bool,
                     deadline: float, gap: float = 0.0, max_nodes: int = 1_000_000) -> TreeOutcome:
    """Depth-first Lagrangean branch and bound over the sites (see the module docstring).

    ``c`` (n, m) weighted costs (``inf``: not allowed), ``closed`` the sites
    no better solution opens, ``ub``/``ub_sites`` the incumbent.  Stops at
    ``deadline`` or on the caller's stop request with the best solution and
    the smallest bound of the nodes left open.  With ``gap`` a node is pruned
    once it cannot beat the incumbent by more than that share.
    """
    idx = np.flatnonzero(~closed)
    c = np.asarray(c, dtype=np.float64)[:, idx]
    cs, cj = sorted_costs(c)
    fixed_c = np.ascontiguousarray(fixed_c, dtype=np.float64)
    best = {"v": float(ub), "s": None if ub_sites is None else np.asarray(ub_sites)}

    def offer(sites: np.ndarray) -> None:       # sites: positions in idx
        v = _true_cost(c, fixed_c, sites)
        if v < best["v"] - 1e-9 * max(1.0, abs(best["v"])):
            best["v"], best["s"] = v, np.sort(idx[sites])

    root = np.zeros(idx.size, dtype=np.int8)
    stack = [(root, np.asarray(lam0, dtype=np.float64).copy(), -np.inf)]
    nodes = 0
    steps = 0
    while stack:
        if time.perf_counter() > deadline or poll("bound") or nodes >= max_nodes:
            lb = min(b for _, _, b in stack)
            return TreeOutcome(False, best["v"], best["s"], min(lb, best["v"]), nodes, steps)
        state, lam, parent = stack.pop()
        cutoff = _cutoff(best["v"], integral, gap)
        if parent > cutoff:
            continue
        nodes += 1
        for _round in range(1 + REFIX):
            n_open = int((state > 0).sum())
            free = np.flatnonzero(state == 0)
            r = k - n_open
            if r < 0 or free.size < r:
                bound = np.inf            # no solution with these fixings
                break
            if r == 0 or free.size == r:
                # Every site decided: the node is one solution.
                sites = np.flatnonzero(state > 0) if r == 0 else np.flatnonzero(state >= 0)
                offer(sites)
                bound = np.inf
                break
            cutoff = _cutoff(best["v"], integral, gap)
            target = cutoff + OVERSHOOT * max(1.0, abs(cutoff))
            bound, rho, chosen, freq, _it, feasible = node_bound(
                cs, cj, fixed_c, state, lam, k, target, cutoff, NODE_ITERATIONS, PATIENCE,
                ROOT_STEP if nodes == 1 else CHILD_STEP)
            steps += _it
            offer(np.flatnonzero(chosen))
            cutoff = _cutoff(best["v"], integral, gap)
            if bound > cutoff or feasible:
                break
            # Reduced-cost fixing against the cut-off.
            srt = np.sort(rho[free])
            s_r = srt[r - 1]
            s_r1 = srt[r] if r < srt.size else np.inf
            ch_free = chosen[free]
            close = free[~ch_free & (bound + rho[free] - s_r > cutoff)]
            force = free[ch_free & (bound - rho[free] + s_r1 > cutoff)]
            if not close.size and not force.size:
                break
            state = state.copy()
            state[close] = -1
            state[force] = 1
        if not np.isfinite(bound) or bound > cutoff or feasible:
            continue
        free = np.flatnonzero(state == 0)
        # Branch on the least settled free site (its y is the most fractional).
        j = int(free[np.argmin(np.abs(freq[free] - 0.5))])
        zero, one = state.copy(), state.copy()
        zero[j], one[j] = -1, 1
        stack.append((zero, lam.copy(), bound))
        stack.append((one, lam, bound))
    # Searched to the end: no solution beats the incumbent (by the gap).
    done = best["v"] if gap <= 0 else min(best["v"], _cutoff(best["v"], integral, gap))
    return TreeOutcome(True, best["v"], best["s"], done, nodes, steps)


def warm_up() -> None:
    """Compile (or load from numba's cache) the node bound on a tiny input (see pricing.warm_up)."""
    c = np.array([[1.0, 2.0], [2.0, 1.0]])
    cs, cj = sorted_costs(c)
    node_bound(cs, cj, np.full(2, np.inf), np.zeros(2, np.int8), np.full(2, 2.0), 1,
               3.0, 2.5, 2, 5, 1.0)
