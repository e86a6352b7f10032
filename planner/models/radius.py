"""The radius formulation of the p-median, on a reduced set of cost levels.

The *radius* (covering) formulation of Elloumi (2010), as García, Labbé &
Marín (2011, "Solving large p-median problems with a radius formulation",
INFORMS J. Computing 23(4)) use it.  For demand point ``i`` let
``v_1 < v_2 < ... < v_G`` be the distinct costs to the sites that may serve
it (stopping at the cost ``f_i`` of its nearest fixed, always-open site).
Its cost in a solution is::

    v_1 + sum_k (v_{k+1} - v_k) * [no open site with cost <= v_k]

and the indicators become continuous ``z_ik`` with the chain rows
``z_i1 + sum_{c_ij = v_1} y_j >= 1`` and ``z_ik + sum_{c_ij = v_k} y_j >= z_i,k-1``.
Every assignment pair appears exactly once, so the model has as many
non-zeros as the classical one, but it only needs the levels up to a cut-off
``v_K``: charging ``min(cost, v_K)`` is a *lower bound* on the true cost.
:class:`RadiusLevels` holds the levels and writes the model for any per-point
cut-offs; :mod:`.pmedian` decides the cut-offs.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["RadiusLevels"]


class RadiusLevels:
    """Distinct cost levels per demand point, for the radius formulation.

    Built once from the dense free-column costs; :meth:`build` then writes
    the reduced model for any vector of per-point cut-offs with numpy only.
    """

    def __init__(self, d: np.ndarray, unreachable: np.ndarray, base: np.ndarray) -> None:
        n, F = d.shape
        self.n, self.n_free = n, F
        self.base = base
        # Entries that can matter: reachable and strictly cheaper than the
        # nearest fixed site (which caps every point's cost).
        ok = ~unreachable & (d < base[:, None])
        ei, ej = np.nonzero(ok)
        ed = d[ei, ej]
        order = np.lexsort((ed, ei))
        ei, ej, ed = ei[order], ej[order], ed[order]
        new_level = np.ones(ei.size, dtype=bool)
        new_level[1:] = (ei[1:] != ei[:-1]) | (ed[1:] != ed[:-1])
        row_start = np.searchsorted(ei, np.arange(n))
        cum = np.cumsum(new_level) - 1                 # global level number
        first_level = np.zeros(n, dtype=np.int64)
        has = np.bincount(ei, minlength=n) > 0
        first_level[has] = cum[row_start[has]]
        self.lvl = cum - first_level[ei]               # 0-based level within row
        self.ei, self.ej, self.ed = ei, ej, ed
        n_free_levels = np.bincount(ei, weights=new_level, minlength=n).astype(np.int64)
        self.has_fixed = np.isfinite(base)
        # Level values flattened: free levels of row i, then base[i] if finite.
        self.n_levels = n_free_levels + self.has_fixed
        self.offset = np.concatenate([[0], np.cumsum(self.n_levels)[:-1]])
        vals = np.empty(int(self.n_levels.sum()))
        vals[self.offset[ei[new_level]] + self.lvl[new_level]] = ed[new_level]
        fx = np.flatnonzero(self.has_fixed)
        vals[self.offset[fx] + n_free_levels[fx]] = base[fx]
        self.values = vals
        self.n_free_levels = n_free_levels
        # Level values are sorted within rows: shift each row into its own
        # band so one global searchsorted answers every row at once.
        self._span = (np.nanmax(np.where(np.isfinite(vals), vals, 0)) + 1.0) if vals.size else 1.0
        self._key = vals + np.repeat(np.arange(self.n), self.n_levels) * self._span * 2.0

    def level_index(self, q: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """0-based index of the first level >= q for each row (``n_levels`` if none)."""
        rows = np.arange(self.n) if rows is None else rows
        q = np.asarray(q, dtype=np.float64)
        if q.size != rows.size:
            raise ValueError("q and rows differ in length")
        span = self._span
        qq = np.where(np.isfinite(q), q, span * 1.5) + rows * span * 2.0
        pos = np.searchsorted(self._key, qq * (1 - 1e-15) - 1e-12, side="left")
        return np.clip(pos - self.offset[rows], 0, self.n_levels[rows])

    def cap_value(self, cut: np.ndarray) -> np.ndarray:
        """Cost charged at the cut-off level of each row (``inf`` when uncut)."""
        v = np.full(self.n, np.inf)
        ok = cut >= 1
        v[ok] = self.values[self.offset[ok] + cut[ok] - 1]
        # Every level kept: the row is charged exactly (up to the fixed
        # site's cost where it has one), so nothing is undercharged.
        v[cut >= self.n_levels] = np.inf
        return v

    def build(self, cut: np.ndarray, w: np.ndarray, grp: sp.csr_matrix, groups, k: int) -> dict:
        """Reduced radius model with ``cut[i]`` levels kept for row ``i``."""
        n, F = self.n, self.n_free
        cut = np.maximum(cut, np.minimum(1, self.n_levels))
        nz = np.maximum(cut - 1, 0)                       # z variables per row
        # A row with every free level kept and no fixed site must be served:
        # one more chain row whose z is forced to 0 (a "guard").
        guard = (cut >= self.n_levels) & ~self.has_fixed & (self.n_levels > 0)
        nrow = nz + guard
        zoff = np.concatenate([[0], np.cumsum(nz)[:-1]])
        roff = np.concatenate([[0], np.cumsum(nrow)[:-1]])
        Z, R = int(nz.sum()), int(nrow.sum())
        # y entries: level l of row i goes into chain row l when l < nrow[i].
        use = self.lvl < nrow[self.ei]
        y_rows = roff[self.ei[use]] + self.lvl[use]
        y_cols = self.ej[use]
        # z entries: +1 on z_ik in chain row k; -1 on z_i,k-1 in row k (k >= 1).
        zi = np.repeat(np.arange(n), nz)
        zk = np.arange(Z) - zoff[zi]
        gi = np.repeat(np.arange(n), nrow)
        gk = np.arange(R) - roff[gi]
        prev = gk >= 1
        rows = np.concatenate([y_rows, roff[zi] + zk, roff[gi[prev]] + gk[prev]])
        cols = np.concatenate([y_cols, F + zoff[zi] + zk, F + zoff[gi[prev]] + gk[prev] - 1])
        vals = np.concatenate([np.ones(y_rows.size), np.ones(Z), -np.ones(int(prev.sum()))])
        chain = sp.csr_matrix((vals, (rows, cols)), shape=(R, F + Z))
        rlo_chain = (gk == 0).astype(np.float64)
        card = sp.csr_matrix((np.ones(F), (np.zeros(F, dtype=np.int64), np.arange(F))),
                             shape=(1, F + Z))
        g = sp.hstack([grp, sp.csr_matrix((grp.shape[0], Z))]).tocsr()
        a = sp.vstack([chain, card, g]).tocsc()
        # Objective: w_i * (v_{k+1} - v_k) on z_ik, constant w_i * v_1.
        flat = self.offset[zi] + zk
        c = np.concatenate([np.zeros(F), w[zi] * (self.values[flat + 1] - self.values[flat])])
        has = self.n_levels > 0
        offset = float(w[has] @ self.values[self.offset[has]])
        self._zoff, self._nz, self._cut = zoff, nz, cut
        return dict(c=c, lb=np.zeros(F + Z), ub=np.ones(F + Z), a=a,
                    rlo=np.concatenate([rlo_chain, [k], groups.lo]),
                    rhi=np.concatenate([np.full(R, np.inf), [k], groups.hi]),
                    integer=np.arange(F + Z) < F, offset=offset)

    def start_point(self, cols: np.ndarray, cut: np.ndarray) -> np.ndarray:
        """Primal point of the last built model for the open free columns ``cols``."""
        y = np.zeros(self.n_free)
        y[cols] = 1.0
        # Cost of each row in the solution, from the entry lists.
        opened = y[self.ej] > 0
        dist = self.base.copy()
        np.minimum.at(dist, self.ei[opened], self.ed[opened])
        zi = np.repeat(np.arange(self.n), self._nz)
        zk = np.arange(int(self._nz.sum())) - self._zoff[zi]
        z = (dist[zi] > self.values[self.offset[zi] + zk]).astype(np.float64)
        return np.concatenate([y, z])
