"""Exact reductions of covering matrices (LSCP and the covering side of MCLP).

The covering MIPs see only what can change the optimum.  For set covering
(every row must be covered, column ``j`` costs ``c[j]``), three classical
rules are applied until nothing changes, each keeping at least one optimal
solution:

* **essential columns** -- a row that only one column covers forces that
  column into every cover: it is fixed, and the rows it covers leave;
* **dominated rows** -- a row whose column set contains another row's is
  covered whenever that row is, so it leaves;
* **dominated columns** -- a column whose rows are a subset of another
  column's rows, at no lower cost, can be swapped for that column in any
  cover: it leaves.

For maximal covering only the column rule holds (rows carry weights, and no
row is forced), applied by :func:`reduce_max_cover`.

Group limits ("at most one new site per township") restrict the column rule:
swapping ``j`` for ``k`` must not break a limit, so ``k`` must be ungrouped or
in ``j``'s group, and a column of a group with a minimum is never dropped.
Subset tests use the sparse products ``A Aᵀ`` / ``Aᵀ A`` (entry = size of the
intersection): set ``s`` lies in set ``t`` exactly when ``|s ∩ t| = |s|``.
Where a product would be too large (very wide radii on large regions) that
rule is skipped, see :data:`MAX_PRODUCT_ENTRIES`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

__all__ = ["CoverReduction", "reduce_set_cover", "reduce_max_cover", "dominated_columns",
           "dominated_rows", "essential_columns", "merge_equal_rows"]


@dataclass
class CoverReduction:
    """What is left of a covering matrix, and how to map solutions back.

    ``rows`` and ``cols`` index the input matrix; ``fixed`` are columns set
    to 1 (essential); ``stand_in[j]`` is, for a removed column ``j``, a kept
    or fixed column that covers every row ``j`` covers (``-1`` when ``j`` was
    dropped for covering nothing), so any solution maps onto the kept columns.
    """

    rows: np.ndarray
    cols: np.ndarray
    fixed: np.ndarray
    stand_in: np.ndarray
    rounds: int = 0
    stats: dict = field(default_factory=dict)

    def map_columns(self, picked) -> np.ndarray:
        """Input columns of a solution -> kept or fixed columns covering at least as much."""
        out = []
        for j in np.asarray(picked, dtype=np.int64):
            while self.stand_in[j] >= 0:    # the order is strict: chains end
                j = self.stand_in[j]
            if self.stand_in[j] == -2:      # -1: covered nothing that is left
                out.append(int(j))
        return np.unique(np.asarray(out, dtype=np.int64))


#: Largest product ``A Aᵀ`` / ``Aᵀ A`` (entries, before summing duplicates)
#: a subset test may form, about 0.7 GB in scipy's COO; a rule whose product
#: would be larger is skipped (the reduction stays exact, only smaller).
MAX_PRODUCT_ENTRIES = 30_000_000


def _product_size(a: sp.csr_matrix, axis: int) -> int:
    """Entries of ``A Aᵀ`` (axis 0: sum of squared column sizes) or ``Aᵀ A`` (axis 1)."""
    deg = np.diff(a.tocsc().indptr) if axis == 0 else np.diff(a.indptr)
    return int(np.sum(deg.astype(np.int64) ** 2))


def _bool_csr(a) -> sp.csr_matrix:
    a = sp.csr_matrix(a, dtype=np.float64)
    a.data[:] = 1.0
    a.eliminate_zeros()
    a.sort_indices()
    return a


def essential_columns(a: sp.csr_matrix) -> np.ndarray:
    """Columns that are the only cover of some row (sorted, unique)."""
    a = sp.csr_matrix(a)
    deg = np.diff(a.indptr)
    return np.unique(a.indices[a.indptr[:-1][deg == 1]])


def dominated_rows(a: sp.csr_matrix) -> np.ndarray:
    """Rows whose column set contains another row's (of two equal rows the later one).

    Covering the smaller row covers the larger, so a dominated row never
    binds in set covering.
    """
    a = _bool_csr(a)
    deg = np.diff(a.indptr)
    if _product_size(a, 0) > MAX_PRODUCT_ENTRIES:
        return np.zeros(0, dtype=np.int64)
    s = (a @ a.T).tocoo()
    i, k = s.row, s.col        # |cols(i) ∩ cols(k)| = s.data
    hit = (i != k) & (np.rint(s.data) == deg[k]) & ((deg[i] > deg[k]) | (k < i))
    return np.unique(i[hit])


def dominated_columns(a: sp.csr_matrix, cost: np.ndarray | None = None, *,
                      group: np.ndarray | None = None, droppable: np.ndarray | None = None):
    """Columns another column covers a superset of, at no higher cost.

    Returns ``(dominated, by)``: sorted column indices and, for each, one
    dominating column.  Ties (equal rows and cost) keep the lower index, so
    the relation is a strict order and every chain of stand-ins ends at a
    kept column.  ``group`` (label per column, -1 none) and ``droppable``
    restrict which swaps keep group limits (see the module docstring).
    """
    a = _bool_csr(a)
    ncol = a.shape[1]
    cost = np.zeros(ncol) if cost is None else np.asarray(cost, dtype=np.float64)
    group = np.full(ncol, -1) if group is None else np.asarray(group)
    droppable = np.ones(ncol, dtype=bool) if droppable is None else np.asarray(droppable)
    if _product_size(a, 1) > MAX_PRODUCT_ENTRIES:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    ac = a.tocsc()
    deg = np.diff(ac.indptr)
    t = (ac.T @ ac).tocoo()
    j, k = t.row, t.col        # |rows(j) ∩ rows(k)|
    subset = (j != k) & (np.rint(t.data) == deg[j]) & (deg[j] > 0)
    # Strict order on (cost, -size, index): k must come first.
    better = (cost[k] < cost[j]) | ((cost[k] == cost[j]) & (
        (deg[k] > deg[j]) | ((deg[k] == deg[j]) & (k < j))))
    ok = subset & better & droppable[j] & ((group[k] == -1) | (group[k] == group[j]))
    j, k = j[ok], k[ok]
    if j.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    # One dominator per column: the first in the strict order.
    order = np.lexsort((k, -deg[k], cost[k], j))
    j, k = j[order], k[order]
    first = np.ones(j.size, dtype=bool)
    first[1:] = j[1:] != j[:-1]
    return j[first].astype(np.int64), k[first].astype(np.int64)


def merge_equal_rows(a: sp.csr_matrix, w: np.ndarray):
    """Rows with the same column set merged: (unique rows, summed weights, row map).

    Hashing each row's column indices is O(nnz); only the row keys are
    touched in Python, never the dense matrix.
    """
    a = sp.csr_matrix(a)
    a.sort_indices()
    keys = [a.indices[a.indptr[i]:a.indptr[i + 1]].tobytes() for i in range(a.shape[0])]
    pos: dict[bytes, int] = {}
    inv = np.fromiter((pos.setdefault(k, len(pos)) for k in keys), dtype=np.int64,
                      count=len(keys))
    first = np.zeros(len(pos), dtype=np.int64)
    first[inv[::-1]] = np.arange(len(keys))[::-1]
    return a[first], np.bincount(inv, weights=w, minlength=len(pos)), inv


def reduce_set_cover(a, cost: np.ndarray | None = None, *, group: np.ndarray | None = None,
                     droppable: np.ndarray | None = None, max_rounds: int = 100) -> CoverReduction:
    """Essential columns, dominated rows and dominated columns until stable.

    ``a`` (rows x columns) must cover every row.  The optimum of the kept
    rows over the kept columns, plus the fixed columns, is an optimum of
    ``a``; ``droppable`` marks columns that may leave (default all).
    """
    a = _bool_csr(a)
    nrow, ncol = a.shape
    cost = np.ones(ncol) if cost is None else np.asarray(cost, dtype=np.float64)
    group = np.full(ncol, -1) if group is None else np.asarray(group)
    droppable = np.ones(ncol, dtype=bool) if droppable is None else np.asarray(droppable, bool)
    rows = np.arange(nrow)
    cols = np.arange(ncol)
    fixed: list[np.ndarray] = []
    stand_in = np.full(ncol, -2, dtype=np.int64)    # -2 kept, -1 dropped empty, else column
    stats = {"essential": 0, "rows_dominated": 0, "cols_dominated": 0, "cols_empty": 0}
    rounds = 0
    while rounds < max_rounds:
        rounds += 1
        changed = False
        sub = a[rows][:, cols]
        ess = essential_columns(sub)
        if ess.size:
            fixed.append(cols[ess])
            covered = np.asarray(sub[:, ess].sum(axis=1)).ravel() > 0
            rows = rows[~covered]
            keep = np.ones(cols.size, dtype=bool)
            keep[ess] = False
            cols = cols[keep]
            stats["essential"] += int(ess.size)
            changed = True
            sub = a[rows][:, cols]
        # A column covering no row left is worth nothing (cost >= 0).
        empty = (np.diff(sub.tocsc().indptr) == 0) & droppable[cols] & (cost[cols] >= 0)
        if empty.any():
            stand_in[cols[empty]] = -1
            cols = cols[~empty]
            stats["cols_empty"] += int(empty.sum())
            changed = True
            sub = a[rows][:, cols]
        drow = dominated_rows(sub)
        if drow.size:
            keep = np.ones(rows.size, dtype=bool)
            keep[drow] = False
            rows = rows[keep]
            stats["rows_dominated"] += int(drow.size)
            changed = True
            sub = a[rows][:, cols]
        dj, dk = dominated_columns(sub, cost[cols], group=group[cols], droppable=droppable[cols])
        if dj.size:
            stand_in[cols[dj]] = cols[dk]
            keep = np.ones(cols.size, dtype=bool)
            keep[dj] = False
            cols = cols[keep]
            stats["cols_dominated"] += int(dj.size)
            changed = True
        if not changed:
            break
    fixed_arr = np.sort(np.concatenate(fixed)) if fixed else np.zeros(0, dtype=np.int64)
    stand_in[fixed_arr] = -2
    stats.update(rows_in=nrow, cols_in=ncol, rows_out=int(rows.size), cols_out=int(cols.size),
                 fixed=int(fixed_arr.size))
    return CoverReduction(rows=rows, cols=cols, fixed=fixed_arr, stand_in=stand_in,
                          rounds=rounds, stats=stats)


def reduce_max_cover(a, w: np.ndarray, k: int, *, allow_column_rule: bool = True,
                     max_rounds: int = 100):
    """Maximal-covering reduction: dominated and useless columns, equal rows merged.

    Returns ``(reduction, row_weights)``: ``reduction.rows`` are
    representative input rows, ``row_weights`` their summed weights (rows
    that became equal once columns left are merged).  At least ``k``
    columns are kept when the input has that many (the model picks exactly
    ``k``; a dominated column covers nothing its stand-in does not, so
    re-adding it changes no objective).  ``allow_column_rule=False`` (group
    limits present) keeps every column.
    """
    a = _bool_csr(a)
    nrow, ncol = a.shape
    w = np.asarray(w, dtype=np.float64)
    rows = np.arange(nrow)
    rw = w.copy()
    cols = np.arange(ncol)
    stand_in = np.full(ncol, -2, dtype=np.int64)
    removed_order: list[int] = []
    stats = {"cols_dominated": 0, "cols_empty": 0, "rows_merged": 0}
    rounds = 0
    while allow_column_rule and rounds < max_rounds:
        rounds += 1
        changed = False
        sub = a[rows][:, cols]
        empty = np.diff(sub.tocsc().indptr) == 0
        if empty.any():
            stand_in[cols[empty]] = -1
            removed_order.extend(cols[empty].tolist())
            cols = cols[~empty]
            stats["cols_empty"] += int(empty.sum())
            changed = True
            sub = a[rows][:, cols]
        dj, dk = dominated_columns(sub)
        if dj.size:
            stand_in[cols[dj]] = cols[dk]
            removed_order.extend(cols[dj].tolist())
            keep = np.ones(cols.size, dtype=bool)
            keep[dj] = False
            cols = cols[keep]
            stats["cols_dominated"] += int(dj.size)
            changed = True
            sub = a[rows][:, cols]
        # Rows now equal on the kept columns become one row with the summed weight.
        _, w2, inv = merge_equal_rows(sub, rw)
        if w2.size < rows.size:
            first = np.zeros(w2.size, dtype=np.int64)
            first[inv[::-1]] = np.arange(inv.size)[::-1]
            stats["rows_merged"] += int(rows.size - w2.size)
            rows, rw = rows[first], w2
            changed = True
        if not changed:
            break
    if cols.size < min(k, ncol):
        # Put back the last removed columns: they add nothing, but the model
        # picks exactly k columns.
        back = np.asarray(removed_order[::-1][:min(k, ncol) - cols.size], dtype=np.int64)
        stand_in[back] = -2
        cols = np.sort(np.concatenate([cols, back]))
    stats.update(rows_in=nrow, cols_in=ncol, rows_out=int(rows.size), cols_out=int(cols.size))
    red = CoverReduction(rows=rows, cols=cols, fixed=np.zeros(0, dtype=np.int64),
                         stand_in=stand_in, rounds=rounds, stats=stats)
    return red, rw
