"""The capacitated assignment formulation, shared by the capacitated MCLP and p-median.

Columns are ``[y (free sites), x (demand, site) pairs]``: ``x_ij`` is the share
of demand point ``i`` served by site ``j`` (binary with single-sourcing).
:func:`capacitated_rows` writes its rows; :func:`largest_share_assignment`
reads a solution back as one serving site per point.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .roles import SiteRoles

__all__ = ["capacitated_rows", "largest_share_assignment"]


def capacitated_rows(roles: SiteRoles, n: int, pi: np.ndarray, pj: np.ndarray,
                     pair_load: np.ndarray, cap: np.ndarray, *, k: int, serve_all: bool):
    """Rows of the capacitated assignment model over columns ``[y (free sites), x (pairs)]``.

    ``(pi[q], pj[q])`` are the (demand, candidate) pairs that may be used and
    ``pair_load[q]`` the capacity pair ``q`` takes.  Rows: (1) each demand
    point's shares sum to 1 (``serve_all``) or at most 1; (2) a site's load
    is within its capacity, and zero unless it is open (fixed sites: within
    capacity); (3) ``x_ij <= y_j`` for free sites (tightens the LP a lot);
    (4) ``sum y = k``; (5) the group limits.  Returns ``(a, rlo, rhi)``.
    """
    m = roles.m
    usable = np.flatnonzero(roles.fixed | roles.free)
    site_row = np.full(m, -1, dtype=np.int64)
    site_row[usable] = np.arange(usable.size)
    ycol = roles.col_of
    ny, npair = roles.free_idx.size, pi.size
    xs = ny + np.arange(npair)
    r1 = sp.csr_matrix((np.ones(npair), (pi, xs)), shape=(n, ny + npair))
    r2 = sp.coo_matrix((np.concatenate([pair_load, -cap[roles.free_idx]]),
                        (np.concatenate([site_row[pj], site_row[roles.free_idx]]),
                         np.concatenate([xs, np.arange(ny)]))),
                       shape=(usable.size, ny + npair))
    fr = ycol[pj] >= 0
    nfr = int(fr.sum())
    r3 = sp.coo_matrix((np.concatenate([np.ones(nfr), -np.ones(nfr)]),
                        (np.tile(np.arange(nfr), 2), np.concatenate([xs[fr], ycol[pj[fr]]]))),
                       shape=(nfr, ny + npair))
    r4 = sp.csr_matrix(np.concatenate([np.ones(ny), np.zeros(npair)])[None, :])
    r5 = sp.hstack([roles.group_matrix(), sp.csr_matrix((len(roles.groups.labels), npair))])
    a = sp.vstack([r1, r2, r3, r4, r5]).tocsc()
    cap_fixed = np.where(roles.fixed[usable], cap[usable], 0.0)
    rlo = np.concatenate([np.ones(n) if serve_all else np.full(n, -np.inf),
                          np.full(usable.size, -np.inf), np.full(nfr, -np.inf), [k],
                          roles.groups.lo])
    rhi = np.concatenate([np.ones(n), cap_fixed, np.zeros(nfr), [k], roles.groups.hi])
    return a, rlo, rhi


def largest_share_assignment(n: int, pi: np.ndarray, pj: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Serving site of each demand point when demand may be split (capacitated models).

    ``(pi[k], pj[k])`` are the assignment pairs and ``x[k]`` their shares; each
    point is reported as served by the site carrying its largest share
    (``-1`` where nothing serves it).
    """
    assign = np.full(n, -1, dtype=np.int64)
    big = x > 1e-6
    order = np.lexsort((-x[big], pi[big]))
    bi, bj = pi[big][order], pj[big][order]
    first = np.ones(bi.size, dtype=bool)
    first[1:] = bi[1:] != bi[:-1]
    assign[bi[first]] = bj[first]
    return assign
