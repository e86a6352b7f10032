"""Lagrangean bound, heuristic and reductions for the single-source capacitated p-median.

Relaxing "each demand point is assigned exactly once" with multipliers
``lam`` splits the problem into one 0-1 knapsack per site: site ``j`` takes
the points with positive profit ``lam_i - c_ij`` that fit its capacity, and
is worth ``rho_j = -best profit``.  The bound is::

    L(lam) = sum(lam) + sum(rho_j, fixed j) + sum(k smallest rho_j, free j)

This is the classical relaxation of the capacitated clustering problem
(Mulvey & Beck 1984; Osman & Christofides 1994 give the OR-Library set).  It
is stronger than the linear relaxation because each knapsack is solved in
integers, which is where the LP of the assignment formulation is weak (on
Osman-Christofides problem 20 the root LP is 961 against the optimum 1005).

The multipliers are tuned by subgradient steps.  The relaxation's sites,
repaired into a feasible assignment and improved by location-allocation
(each cluster's best median, median swaps, shift and swap moves of points,
and an exact assignment MIP for the best few site sets), give an incumbent.  With both in hand, sites and (point, site) pairs whose
forced use lifts the bound above the incumbent are removed before the MIP:
forcing a pair needs the knapsack with one item fixed in, which a forward
and a backward dynamic programme give for every item at once.

Loads and capacities are made integers for the dynamic programme.  When they
are not integers already (or the capacities are too large for a table) they
are scaled so the largest capacity has :data:`GRID` units, rounding loads
down and capacities up: every set that fits still fits, so the bound stays
valid, only weaker.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from . import budget
from .control import poll, stop_requested
from .heuristics_capacitated import assign_to_sites, exact_assignment, improve_sites, restricted_mip
from .knapsack_kernels import forced_values, knapsack_sets, knapsack_values

#: Shares of the start's own time: the restricted MIP (at most), and the
#: subgradient polish against the final incumbent (at least, within the
#: probing deadline).  On SJC3a the restricted MIP found the optimum in 4 s
#: where the local search stopped 6.5 % above it; the polish then lifts the
#: bound to 0.04 % below it, and the reductions leave a small model.
RESTRICTED_MIP_SHARE = 0.4
POLISH_SHARE = 0.25
#: Capacity units of the knapsack tables when loads must be scaled.
GRID = 1000
#: Largest knapsack table (points x capacity units, one site at a time: the
#: backward table of the forced-pair values) the bound builds.
MAX_TABLE = 40_000_000


@dataclass
class Knapsacks:
    """Integer loads and capacities of the relaxation."""

    loads: np.ndarray     # (n,) int
    caps: np.ndarray      # (U,) int
    exact: bool           # True when no scaling was needed

    @property
    def width(self) -> int:
        return int(self.caps.max()) + 1 if self.caps.size else 1


def integer_tables(loads: np.ndarray, caps: np.ndarray, n_sites: int) -> Knapsacks | None:
    """Integer loads/capacities for the dynamic programme (``None``: too big to tabulate)."""
    n = loads.size
    top = float(caps.max()) if caps.size else 0.0
    is_int = (np.all(loads == np.round(loads)) and np.all(caps == np.round(caps)))
    if is_int and (top + 1) * (n + 1) <= MAX_TABLE:
        return Knapsacks(loads.astype(np.int64), caps.astype(np.int64), True)
    if top <= 0:
        return None
    grid = min(GRID, int(MAX_TABLE // max(n + 1, 1)) - 1)
    if grid < 20:
        return None
    s = grid / top
    # Loads down, capacities up: whatever fits in reality fits in the table.
    return Knapsacks(np.floor(loads * s + 1e-9).astype(np.int64),
                     np.ceil(caps * s - 1e-9).astype(np.int64), False)


def knapsack(profit: np.ndarray, ks: Knapsacks, take: np.ndarray | None = None) -> np.ndarray:
    """Best total positive profit per site (column) within its capacity (plain numpy).

    The solver uses the compiled :func:`.knapsack_kernels.knapsack_values`;
    this form, with its full (points x sites x capacity) table, is the
    reference the kernels are tested against.  ``profit`` is (n, U).  When ``take`` (n, U, width) bool is given it is
    filled for :func:`backtrack`.
    """
    n, u = profit.shape
    width = ks.width
    f = np.zeros((u, width))
    if take is not None:
        take[:] = False
    for i in range(n):
        d = int(ks.loads[i])
        if d >= width:
            continue
        cols = np.flatnonzero(profit[i] > 0)
        if not cols.size:
            continue
        cand = f[cols, :width - d] + profit[i, cols, None]
        better = cand > f[cols, d:]
        sub = f[cols, d:]
        f[cols, d:] = np.where(better, cand, sub)
        if take is not None:
            t = take[i, cols]
            t[:, d:] = better
            take[i, cols] = t
    return f[np.arange(u), ks.caps]


def backtrack(take: np.ndarray, ks: Knapsacks, sites: np.ndarray) -> np.ndarray:
    """(n, len(sites)) bool: the items each listed site's knapsack took."""
    n = take.shape[0]
    q = ks.caps[sites].copy()
    x = np.zeros((n, sites.size), dtype=bool)
    for i in range(n - 1, -1, -1):
        t = take[i, sites, q]
        x[i] = t
        q -= t * ks.loads[i]
    return x


@dataclass
class Relaxation:
    """Best multipliers found and what they imply."""

    bound: float
    lam: np.ndarray
    rho: np.ndarray          # per usable site
    chosen: np.ndarray       # free usable sites the relaxation opens (k of them)
    iterations: int


def _evaluate(cost_t, lam, ks, fixed, free_idx, k):
    rho = -knapsack_values(cost_t, lam, ks.loads, ks.caps)
    order = free_idx[np.argsort(rho[free_idx], kind="stable")]
    chosen = order[:k]
    bound = float(lam.sum() + rho[fixed].sum() + rho[chosen].sum())
    return bound, rho, chosen


def subgradient(cost: np.ndarray, ks: Knapsacks, fixed: np.ndarray, k: int, *, ub: float,
                deadline: float, lam0: np.ndarray | None = None, max_iter: int = 3000,
                integral: bool = False, on_sites=None) -> Relaxation:
    """Tune the multipliers by subgradient steps (Held, Wolfe & Crowder).

    ``cost`` is (n, U) weighted cost with ``inf`` for pairs that may not be
    used; ``fixed`` marks the always-open usable sites, every other usable
    site is free.  ``on_sites(chosen, x)`` is called with the relaxation's
    free sites and its assignment (n, fixed+chosen) for the heuristic; it
    returns a new incumbent value (or ``None``).
    """
    n, u = cost.shape
    free_idx = np.flatnonzero(~fixed)
    fixed_idx = np.flatnonzero(fixed)
    cost_t = np.ascontiguousarray(cost.T, dtype=np.float64)
    if lam0 is None:
        # Start at each point's second-cheapest cost: high enough that most
        # knapsacks take something, low enough not to overshoot.
        srt = np.sort(np.where(np.isfinite(cost), cost, np.nan), axis=1)
        lam = np.nan_to_num(srt[:, min(1, u - 1)], nan=0.0)
        lam = np.where(np.isnan(srt[:, 0]), 0.0, lam)
    else:
        lam = lam0.copy()
    best = Relaxation(-np.inf, lam.copy(), np.zeros(u), free_idx[:k], 0)
    step, stall, it = 2.0, 0, 0
    tol = 1e-9 * max(1.0, abs(ub))
    seen: set = set()
    for it in range(1, max_iter + 1):
        bound, rho, chosen = _evaluate(cost_t, lam, ks, fixed, free_idx, k)
        open_sites = np.concatenate([fixed_idx, chosen])
        x = knapsack_sets(cost_t, lam, ks.loads, ks.caps, open_sites)
        if bound > best.bound + tol:
            best = Relaxation(bound, lam.copy(), rho.copy(), chosen.copy(), it)
            stall = 0
        else:
            stall += 1
        key = tuple(np.sort(chosen))
        # The heuristic runs on new site sets, but not on every one of the
        # early, wildly moving iterations (it cost more than the steps).
        if on_sites is not None and key not in seen and (stall == 0 or it % 4 == 0):
            seen.add(key)
            new_ub = on_sites(chosen, x)
            if new_ub is not None:
                ub = min(ub, new_ub)
        if best.bound >= ub - tol or (integral and np.ceil(best.bound - 1e-6) >= ub - tol):
            break
        if stall >= 40:
            step, stall = step / 2, 0
            if step < 1e-4:
                break
        if time.perf_counter() > deadline or poll("bound"):
            break
        g = 1.0 - x.sum(axis=1)
        norm = float(g @ g)
        if norm == 0:
            break   # the relaxation's assignment is feasible: bound attained
        lam = lam + step * (ub - bound) / norm * g
    best.iterations = it
    return best


def forced_pair_values(cost: np.ndarray, lam: np.ndarray, ks: Knapsacks) -> np.ndarray:
    """(n, U): the best knapsack value of each site with point ``i`` forced in.

    ``-inf`` where the point does not fit or may not use the site (compiled:
    :func:`.knapsack_kernels.forced_values`).
    """
    return forced_values(np.ascontiguousarray(cost.T, dtype=np.float64),
                         np.asarray(lam, dtype=np.float64), ks.loads, ks.caps)


def reductions(rel: Relaxation, forced: np.ndarray, fixed: np.ndarray, k: int, ub: float,
               tol: float):
    """Sites and pairs whose forced use lifts the Lagrangean bound above ``ub``.

    Returns ``(closed, opened, keep)``: free sites never worth opening, free
    sites always open, and the (n, U) mask of pairs that may still be used.
    """
    rho, bound = rel.rho, rel.bound
    u = rho.size
    free_idx = np.flatnonzero(~fixed)
    in_s = np.zeros(u, dtype=bool)
    in_s[rel.chosen] = True
    srt = np.sort(rho[free_idx])
    rk = srt[k - 1] if 0 < k <= srt.size else 0.0
    rk1 = srt[k] if k < srt.size else np.inf
    closed = ~fixed & ~in_s & (bound - rk + rho > ub + tol)
    opened = in_s & (bound - rho + rk1 > ub + tol)
    # Forcing pair (i, j) opens j; its knapsack becomes forced[i, j].
    swap_out = np.where(in_s | fixed, rho, rk)
    pair_bound = bound - swap_out[None, :] - forced
    keep = (pair_bound <= ub + tol) & ~closed[None, :]
    return closed, opened, keep


# --------------------------------------------------------------------------- #
# Everything before the MIP
# --------------------------------------------------------------------------- #
@dataclass
class Preprocessed:
    """Incumbent, bound and reductions handed to the capacitated MIP (usable-site indices)."""

    value: float                     # incumbent value (inf: none)
    chosen: np.ndarray | None        # incumbent's free sites
    assign: np.ndarray | None        # per point, its site
    bound: float                     # Lagrangean lower bound (-inf: none)
    closed: np.ndarray               # free sites proven useless
    opened: np.ndarray               # free sites proven always open
    keep: np.ndarray | None          # (n, U) pairs that may still be used
    iterations: int = 0
    probed: int = 0
    # Filled by the caller: the same in candidate-site indices.
    chosen_sites: np.ndarray | None = None
    assign_sites: np.ndarray | None = None
    cost: np.ndarray | None = None   # the (n, U) weighted cost the start worked on


def preprocess(cost: np.ndarray, loads: np.ndarray, caps: np.ndarray, fixed: np.ndarray,
               k: int, *, deadline: float, probe_deadline: float,
               integral: bool, site_ok=None) -> Preprocessed:
    """Lagrangean heuristic, bound and reductions (see the module docstring).

    ``cost`` (n, U) is the weighted cost with ``inf`` where a pair may not be
    used, ``fixed`` marks always-open usable sites, ``k`` free sites are to be
    opened.  Single-source only: with split demand the 0-1 knapsacks are
    not a relaxation.
    ``site_ok(chosen)`` may veto a set of free sites (group limits).
    """
    n, u = cost.shape
    fixed_idx = np.flatnonzero(fixed)
    allowed = ~fixed
    none = Preprocessed(np.inf, None, None, -np.inf, np.zeros(u, bool), np.zeros(u, bool), None)
    ks = integer_tables(loads, caps, u)
    if ks is None or k <= 0 or k >= allowed.sum():
        return none
    rows = np.arange(n)
    best = {"value": np.inf, "chosen": None, "assign": None}
    candidates: dict = {}

    def consider(val, chosen, a):
        if val < best["value"] - 1e-9 and (site_ok is None or site_ok(chosen)):
            best.update(value=val, chosen=np.sort(chosen),
                        assign=np.concatenate([fixed_idx, chosen])[a])

    def quick(chosen, x):
        # Cheap repair of the relaxation's knapsacks; the expensive site
        # moves are kept for the best few sets afterwards.
        open_sites = np.concatenate([fixed_idx, chosen])
        a = assign_to_sites(cost, loads, caps, open_sites, x, passes=3)
        if a is None:
            return None
        val = float(cost[rows, open_sites[a]].sum())
        candidates[tuple(np.sort(chosen))] = (val, chosen.copy(), x)
        consider(val, chosen, a)
        return best["value"] if np.isfinite(best["value"]) else None

    start = time.perf_counter()
    span = deadline - start       # the whole time of this start
    top = float(np.nanmax(np.where(np.isfinite(cost), cost, np.nan)))
    ub0 = top * n + 1.0
    rel = subgradient(cost, ks, fixed, k, ub=ub0, deadline=start + budget.SUBGRADIENT_SHARE * span,
                      integral=integral, on_sites=quick)
    # Site moves from the most promising relaxation sets.
    polish: list = []
    for val, chosen, x in sorted(candidates.values(), key=lambda t: t[0])[:5]:
        if time.perf_counter() > deadline or poll("heuristic"):
            break
        got = improve_sites(cost, loads, caps, fixed_idx, chosen, allowed, hint=x,
                            deadline=min(deadline, time.perf_counter() + budget.SITE_MOVES_SHARE * span))
        if got is not None:
            consider(got[0], got[1], got[2])
            polish.append(got)
    # The best few site sets get their assignment solved exactly; from an
    # improved assignment the site moves run again (the local search judges
    # moves with the greedy assignment, which can hide a better site set).
    seen_sets: set = set()
    for val, chosen, a in sorted(polish, key=lambda t: t[0])[:3]:
        while time.perf_counter() < deadline and not poll("heuristic"):
            key = tuple(np.sort(chosen))
            if key in seen_sets:
                break
            seen_sets.add(key)
            open_sites = np.concatenate([fixed_idx, chosen])
            a2 = exact_assignment(cost, loads, caps, open_sites, a, time_limit=max(
                0.05, min(deadline - time.perf_counter(), budget.EXACT_ASSIGNMENT_SHARE * span)))
            if a2 is None:
                break
            v2 = float(cost[rows, open_sites[a2]].sum())
            consider(v2, chosen, a2)
            if v2 >= val - 1e-9:
                break
            hint = np.zeros((n, open_sites.size), dtype=bool)
            hint[rows, a2] = True
            got = improve_sites(cost, loads, caps, fixed_idx, chosen, allowed, hint=hint,
                                deadline=min(deadline, time.perf_counter() + budget.SITE_MOVES_SHARE * span))
            if got is None or got[0] >= v2 - 1e-9:
                break
            val, chosen, a = got
            consider(val, chosen, a)
    if np.isfinite(best["value"]) and not poll("heuristic"):
        # The exact model on a neighbourhood: sites the relaxation ranks best
        # plus the incumbent's, each point's nearest of them.
        rank = np.where(fixed, np.inf, rel.rho)
        got = restricted_mip(cost, loads, caps, fixed, k, rank,
                             incumbent=(best["chosen"], best["assign"]),
                             time_limit=max(0.2, RESTRICTED_MIP_SHARE * span))
        if got is not None and got[0] < best["value"] - 1e-9 and (
                site_ok is None or site_ok(got[1])):
            best.update(value=got[0], chosen=got[1], assign=got[2])
    out = Preprocessed(best["value"], best["chosen"], best["assign"], -np.inf,
                       np.zeros(u, bool), np.zeros(u, bool), None, rel.iterations)
    if not np.isfinite(best["value"]) or stop_requested():
        # A stopped solve keeps the incumbent without bound or reductions
        # (the pair DP below takes seconds on the larger instances).
        return out
    ub = best["value"]
    tol = 1e-9 * max(1.0, abs(ub))
    if rel.bound < ub - tol:
        # Polish the multipliers against the incumbent (the first pass ran
        # against a crude ceiling until the heuristic caught up).
        rel2 = subgradient(cost, ks, fixed, k, ub=ub, lam0=rel.lam, integral=integral,
                           deadline=max(deadline, min(probe_deadline,
                                                      time.perf_counter() + POLISH_SHARE * span)))
        if rel2.bound > rel.bound:
            rel = rel2
    out.bound = rel.bound
    # Only solutions better than the incumbent need to stay: with an integral
    # objective they are at least 1 better.
    cut = ub - 1.0 + 1e-6 if integral else ub + tol
    forced = forced_pair_values(cost, rel.lam, ks)
    closed, opened, keep = reductions(rel, forced, fixed, k, cut, 0.0)
    # Probing: force each remaining site open and re-tune the multipliers;
    # the sites whose bound then exceeds the incumbent are closed.
    in_s = np.zeros(u, bool)
    in_s[rel.chosen] = True
    srt = np.sort(rel.rho[~fixed])
    site_bound = np.where(in_s, -np.inf, rel.bound - srt[k - 1] + rel.rho)
    inc = np.zeros(u, bool)
    inc[best["chosen"]] = True
    for j in np.argsort(-site_bound):
        if time.perf_counter() > probe_deadline or not np.isfinite(site_bound[j]) or poll("bound"):
            break
        if closed[j] or fixed[j] or inc[j] or in_s[j]:
            continue
        f = fixed.copy()
        f[j] = True
        r = subgradient(cost, ks, f, k - 1, ub=ub, lam0=rel.lam, max_iter=150,
                        deadline=probe_deadline, integral=integral)
        out.probed += 1
        if r.bound > cut:
            closed[j] = True
    keep &= ~closed[None, :]
    # The incumbent stays feasible in the reduced model (its pairs have bounds
    # at most its value, up to rounding).
    keep[rows, best["assign"]] = True
    closed[best["chosen"]] = False
    opened &= inc
    out.closed, out.opened, out.keep = closed, opened, keep
    return out
